package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// AdminForm is a form as its organisation's admins manage it: with its
// inboxes and the three ways a school publishes it.
type AdminForm struct {
	Form    *domain.Form
	Inboxes []*domain.Inbox
	// URL is the form's public address, /r/{code}.
	URL string
	// Snippet is the HTML link a school pastes into its own website.
	Snippet string
}

// Forms returns the organisation's forms, oldest first, each with its
// inboxes in order.
func (s *Admin) Forms(ctx context.Context, a *Actor) (out []AdminForm, err error) {
	defer domain.Wrap(&err, "app.Admin.Forms")
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	err = s.store.View(ctx, func(tx ports.Tx) error {
		forms, err := tx.Forms().List(ctx, ports.FormFilter{OrgID: &a.Org.ID})
		if err != nil {
			return err
		}
		inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{OrgID: &a.Org.ID})
		if err != nil {
			return err
		}
		byForm := map[domain.FormID][]*domain.Inbox{}
		for _, ib := range inboxes {
			byForm[ib.FormID] = append(byForm[ib.FormID], ib)
		}
		for _, f := range forms {
			out = append(out, s.adminForm(f, byForm[f.ID]))
		}
		return nil
	})
	return out, err
}

// Form returns one form of the organisation, or KindNotFound.
func (s *Admin) Form(ctx context.Context, a *Actor, id domain.FormID) (out AdminForm, err error) {
	defer domain.Wrap(&err, "app.Admin.Form")
	if err := requireAdmin(a); err != nil {
		return out, err
	}
	err = s.store.View(ctx, func(tx ports.Tx) error {
		form, err := ownForm(ctx, tx, a, id)
		if err != nil {
			return err
		}
		inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{FormID: &form.ID})
		if err != nil {
			return err
		}
		out = s.adminForm(form, inboxes)
		return nil
	})
	return out, err
}

func (s *core) adminForm(f *domain.Form, inboxes []*domain.Inbox) AdminForm {
	return AdminForm{Form: f, Inboxes: inboxes, URL: s.links.FormURL(f.Code), Snippet: s.links.FormSnippet(f)}
}
