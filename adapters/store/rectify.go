package store

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
)

// Rectify writes the corrected field and its blind index in one UPDATE
// that names the row not erased, so it cannot bring personal data back to
// an erased interaction, whichever comes first. See ports.InteractionRepo.
func (i interactions) Rectify(ctx context.Context, id domain.InteractionID, c domain.Correction) error {
	q := i.db.NewUpdate().Model((*interactionRow)(nil)).Where("id = ?", string(id)).Where("erased_at IS NULL")
	switch c.Field() {
	case "email":
		q = q.Set("email_sealed = ?", i.keys.Seal(c.Email, aad("interactions.email", string(id)))).
			Set("email_index = ?", contactIndex(i.keys, "email", c.Email))
	case "phone":
		q = q.Set("phone_sealed = ?", i.keys.Seal(c.Phone, aad("interactions.phone", string(id)))).
			Set("phone_index = ?", contactIndex(i.keys, "phone", c.Phone))
	default:
		q = q.Set("reporter_name_sealed = ?", i.keys.Seal(c.Name, aad("interactions.reporter_name", string(id))))
	}
	res, err := q.Exec(ctx)
	if err = mustAffect(res, err, "interaction"); domain.KindOf(err) != domain.KindNotFound {
		return err
	}
	// Nothing written: the interaction is erased, or there is none.
	if _, err := i.Get(ctx, id); err != nil {
		return err
	}
	return domain.ErrErased
}
