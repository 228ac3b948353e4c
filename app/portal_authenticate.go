package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Authenticate finds the actor behind a session token and records the use,
// so that an idle session ends SessionIdle after its last use.
func (s *Portal) Authenticate(ctx context.Context, token string) (a *Actor, err error) {
	defer domain.Wrap(&err, "app.Portal.Authenticate")
	t, err := domain.ParseToken(token)
	if err != nil {
		return nil, ErrNotSignedIn
	}
	now := s.now()
	hash := t.Hash()
	expired := false
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		sess, err := tx.Sessions().Get(ctx, hash)
		if domain.KindOf(err) == domain.KindNotFound {
			return ErrNotSignedIn
		}
		if err != nil {
			return err
		}
		if !sess.Live(now) {
			// Committed, not rolled back: the ended session is removed.
			expired = true
			return tx.Sessions().Delete(ctx, hash)
		}
		if a, err = loadActor(ctx, tx, sess.StaffID); err != nil {
			return err
		}
		a.SessionHash = hash
		// Writing on every request would make each page view a write;
		// a minute's precision is plenty for a 30-minute idle limit.
		if now.Sub(sess.LastSeenAt) >= time.Minute {
			return tx.Sessions().Touch(ctx, hash, now)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if expired {
		return nil, ErrNotSignedIn
	}
	return a, nil
}
