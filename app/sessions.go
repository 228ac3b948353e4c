package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

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
