package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Actor is a signed-in staff member: who they are, their organisation and
// what they may see.
type Actor struct {
	Staff  *domain.Staff
	Org    *domain.Organisation
	Viewer domain.Viewer
	// SessionHash names the session the actor came through.
	SessionHash string
}

// IsAdmin says whether the actor manages the organisation.
func (a *Actor) IsAdmin() bool { return a.Staff.Role == domain.RoleAdmin }

// ErrNotSignedIn is returned for a missing, unknown, expired or ended
// session; the portal then asks the person to sign in.
var ErrNotSignedIn = &domain.Error{Kind: domain.KindForbidden, Safe: "please sign in"}

// ErrAdminOnly is returned when a staff member tries what only admins may.
// The portal shows it as a page that does not exist.
var ErrAdminOnly = &domain.Error{Kind: domain.KindNotFound, Safe: "not found"}

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

// loadActor loads a staff member who may still sign in.
func loadActor(ctx context.Context, tx ports.Tx, id domain.StaffID) (*Actor, error) {
	m, err := tx.Staff().Get(ctx, id)
	if domain.KindOf(err) == domain.KindNotFound {
		return nil, ErrNotSignedIn
	}
	if err != nil {
		return nil, err
	}
	if m.RemovedAt != nil {
		return nil, ErrNotSignedIn
	}
	org, err := tx.Organisations().Get(ctx, m.OrgID)
	if err != nil {
		return nil, err
	}
	return &Actor{Staff: m, Org: org, Viewer: domain.ViewerOf(m)}, nil
}

// startSession opens a new session for m and returns its secret, the only
// copy of which goes into the browser's cookie.
func (s *core) startSession(ctx context.Context, tx ports.Tx, m *domain.Staff, now time.Time) (domain.Token, error) {
	token, err := domain.NewToken(s.random)
	if err != nil {
		return "", err
	}
	err = tx.Sessions().Create(ctx, &domain.Session{IDHash: token.Hash(), StaffID: m.ID, CreatedAt: now, LastSeenAt: now})
	return token, err
}

// staffActor names a staff member in the audit log.
func staffActor(id domain.StaffID) string { return "staff:" + string(id) }
