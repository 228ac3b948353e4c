package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SetLanguage remembers the language the actor reads the portal and their
// emails in: English or Welsh. Choosing the language already chosen
// changes nothing.
func (s *Portal) SetLanguage(ctx context.Context, a *Actor, lang domain.Language) (err error) {
	defer domain.Wrap(&err, "app.Portal.SetLanguage")
	if lang != domain.English && lang != domain.Welsh {
		return domain.Errorf(domain.KindInvalid, "choose English or Welsh")
	}
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Staff().Change(ctx, a.Staff.ID, func(cur *domain.Staff) error {
			cur.Language = lang
			return nil
		})
		return err
	})
}
