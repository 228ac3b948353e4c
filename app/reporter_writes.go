package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// reporterWrites is the one rule for a reporter's message to a
// conversation they have, through their link or by text alike: the
// conversation is held (see ports.InteractionRepo.Change) before anything
// is added to it, so that an erasure comes wholly before the message or
// after it, and so that messages and staff closing it at the same moment
// take turns; the message is counted against the hourly reply limit; a
// closed conversation is reopened; then the message is added and the
// inbox's people are told (see alertReply).
//
// It returns domain.ErrErased when the conversation was erased since it
// was found, and a *domain.RepliesLimited over the limit; either way
// nothing is written.
func (s *core) reporterWrites(ctx context.Context, tx ports.Tx, id domain.InteractionID, form *domain.Form, msg *domain.Message, meta domain.Meta, flagged bool, now time.Time) error {
	ia, err := tx.Interactions().Change(ctx, id, func(ia *domain.Interaction) error {
		if err := s.checkReplyLimit(ctx, tx, ia, now); err != nil {
			return err
		}
		if ia.Status == domain.StatusClosed {
			ia.Reopen(now)
		}
		ia.LastActivityAt = now
		ia.Flagged = ia.Flagged || flagged
		return nil
	})
	if err != nil {
		return err
	}
	msg.InteractionID, msg.Author, msg.CreatedAt = ia.ID, domain.AuthorReporter, now
	if err := tx.Messages().Add(ctx, msg, meta); err != nil {
		return err
	}
	inbox, err := tx.Inboxes().Get(ctx, ia.InboxID)
	if err != nil {
		return err
	}
	return s.alertReply(ctx, tx, ia, form, inbox, now)
}
