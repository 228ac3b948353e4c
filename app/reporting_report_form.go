package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ReportForm is what a reporter's form page shows.
type ReportForm struct {
	Form *domain.Form
	// Org is the form's organisation.
	Org *domain.Organisation
	// Inboxes are the categories a reporter may choose from, in order:
	// the form's open inboxes.
	Inboxes []*domain.Inbox
	// Archived are the form's archived inboxes: a report naming one is
	// told that it no longer takes reports.
	Archived []domain.InboxID
	// TextsInbox is the inbox texts land in.
	TextsInbox *domain.Inbox
	// Accepting is false while the form is closed or its organisation does
	// not take reports (see domain.Organisation.AcceptsReports); the page
	// then shows the out-of-hours text.
	Accepting bool
}

// errNoSuchForm is what a code that names no form finds.
var errNoSuchForm = &domain.Error{Kind: domain.KindNotFound, Safe: domain.Say("no such form")}

// ReportForm returns the form with that code, in any case. A code that is
// malformed is as unknown as one that does not exist: KindNotFound. The
// form may be up to a second old (see intakeCache); read it, never change it.
func (s *Reporting) ReportForm(ctx context.Context, code string) (out ReportForm, err error) {
	defer domain.Wrap(&err, "app.Reporting.ReportForm")
	return s.intake.form(ctx, s.view(ctx), code, s.now())
}

func loadReportForm(ctx context.Context, tx ports.Tx, code string, now time.Time) (ReportForm, error) {
	fc, err := domain.ParseFormCode(code)
	if err != nil {
		return ReportForm{}, errNoSuchForm
	}
	form, err := tx.Forms().GetByCode(ctx, fc)
	if err != nil {
		return ReportForm{}, err
	}
	org, err := tx.Organisations().Get(ctx, form.OrgID)
	if err != nil {
		return ReportForm{}, err
	}
	inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{FormID: &form.ID})
	if err != nil {
		return ReportForm{}, err
	}
	rf := ReportForm{Form: form, Org: org, TextsInbox: domain.TextsInbox(inboxes)}
	for _, ib := range inboxes {
		if ib.Open() {
			rf.Inboxes = append(rf.Inboxes, ib)
		} else {
			rf.Archived = append(rf.Archived, ib.ID)
		}
	}
	return rf.at(now), nil
}

// at is the form as it stands at now: whether it takes reports depends on
// the clock as well as on what was read (a trial ends). A form with no
// open inbox (which the admin pages never leave) takes no reports rather
// than failing on them.
func (rf ReportForm) at(now time.Time) ReportForm {
	rf.Accepting = rf.Form.Open && rf.Org.AcceptsReports(now) && rf.TextsInbox != nil
	return rf
}
