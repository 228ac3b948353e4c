package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// EndSession ends the session whose secret is token, if there is one. It is
// how signing out works: knowing a session's secret is the right to end it.
func (s *Portal) EndSession(ctx context.Context, token string) (err error) {
	defer domain.Wrap(&err, "app.Portal.EndSession")
	t, err := domain.ParseToken(token)
	if err != nil {
		return nil
	}
	return s.store.InTx(ctx, func(tx ports.Tx) error { return tx.Sessions().Delete(ctx, t.Hash()) })
}
