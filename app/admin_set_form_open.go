package app

import (
	"context"
	"strconv"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SetFormOpen opens or closes a form. A closed form shows its out-of-hours
// text, with emergency contacts, instead of taking reports.
func (s *Admin) SetFormOpen(ctx context.Context, a *Actor, id domain.FormID, open bool) (err error) {
	defer domain.Wrap(&err, "app.Admin.SetFormOpen")
	if err := requireAdmin(a); err != nil {
		return err
	}
	return s.changeIntake(ctx, func(tx ports.Tx) error {
		if _, err := ownForm(ctx, tx, a, id); err != nil {
			return err
		}
		_, err := tx.Forms().Change(ctx, id, func(form *domain.Form) error {
			form.Open = open
			return nil
		})
		if err != nil {
			return err
		}
		return s.record(ctx, tx, byStaff(a, domain.AuditFormOpen, map[string]string{"form": string(id), "open": strconv.FormatBool(open)}))
	})
}
