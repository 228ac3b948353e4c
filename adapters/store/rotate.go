package store

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
)

// RotateToken replaces the keyed hash of the interaction's token in one
// UPDATE that names the row not erased, as Rectify does, so that an erased
// interaction is never given a link again. See ports.InteractionRepo.
func (i interactions) RotateToken(ctx context.Context, id domain.InteractionID, token domain.Token) error {
	res, err := i.db.NewUpdate().Model((*interactionRow)(nil)).
		Set("token_hash = ?", i.secretIndex(secretConversation, token.Hash())).
		Where("id = ?", string(id)).Where("erased_at IS NULL").Exec(ctx)
	if err = mustAffect(res, err, "interaction"); domain.KindOf(err) != domain.KindNotFound {
		return err
	}
	if _, err := i.Get(ctx, id); err != nil {
		return err
	}
	return domain.ErrErased
}
