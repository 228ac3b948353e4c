package app

import (
	"context"
	"net/netip"
	"strings"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ErrNotAccepting is returned when a form is closed or its organisation
// takes no reports; the reporter is shown the out-of-hours page instead.
var ErrNotAccepting = &domain.Error{Kind: domain.KindForbidden, Safe: domain.Say("this form is not taking reports just now")}

// ErrRefused is returned when the sender is blocked. Its words are neutral
// on purpose: they neither confirm a block nor help get round it.
var ErrRefused = &domain.Error{Kind: domain.KindForbidden, Safe: domain.Say("We could not send this report. If someone is in danger right now, call 999.")}

// SubmitReport is a report from the web form.
type SubmitReport struct {
	FormCode string
	// InboxID is the category chosen; it may be empty when the form has
	// only one inbox.
	InboxID string
	Name    string
	Email   string
	Body    string
	// IP is the reporter's address, from the socket or a trusted proxy.
	IP netip.Addr
	// Language is the language of the page the reporter wrote on, for the
	// email with their link; empty means the form's language.
	Language domain.Language
}

// Receipt is what a reporter gets back: the reference and the secret of
// their conversation link, which exists nowhere else.
type Receipt struct {
	Ref   domain.Reference
	Token domain.Token
}

// Form fields that problems may name.
const (
	FieldName     = "name"
	FieldEmail    = "email"
	FieldMessage  = "message"
	FieldCategory = "category"
)

// SubmitReport checks a report and, in one transaction, stores the
// interaction, its first message, the reporter's contact and meta data, and
// the notifications to send. Problems with the input come back as
// domain.Problems (KindInvalid) and change nothing.
func (s *Reporting) SubmitReport(ctx context.Context, in SubmitReport) (rc Receipt, err error) {
	defer domain.Wrap(&err, "app.Reporting.SubmitReport")
	var problems domain.Problems
	body, err := domain.CheckMessage(in.Body)
	problems.Add(FieldMessage, err)
	_, err = domain.CheckReporterName(in.Name)
	problems.Add(FieldName, err)
	email := strings.TrimSpace(in.Email)
	if email != "" {
		email, err = domain.ParseEmail(email)
		problems.Add(FieldEmail, err)
	}
	// Where the reporter is, asked before the transaction: it may be slow.
	meta := s.meta(in.IP)
	for attempt := 1; ; attempt++ {
		rc, err = s.submit(ctx, in, body, email, meta, problems)
		if err == nil {
			s.meter.Reported(domain.ChannelWeb)
		}
		if domain.KindOf(err) != domain.KindConflict || attempt == idAttempts {
			return rc, err
		}
	}
}

func (s *core) submit(ctx context.Context, in SubmitReport, body, email string, meta domain.Meta, problems domain.Problems) (rc Receipt, err error) {
	now := s.now()
	ids, err := s.newInteractionIDs()
	if err != nil {
		return rc, err
	}
	// Everything the report needs is read first — from the intake cache
	// where it can be, in a read transaction where it must — so that
	// reports read side by side, and the write is AcceptReport's inserts
	// alone. A form closed in between takes this one last report.
	view := s.view(ctx)
	rf, err := s.intake.form(ctx, view, in.FormCode)
	if err != nil {
		return rc, err
	}
	if !rf.Accepting {
		return rc, ErrNotAccepting
	}
	inbox, err := chooseInbox(rf.Inboxes, in.InboxID)
	problems.Add(FieldCategory, err)
	flagged, err := s.checkSwearing(rf.Form, rf.Org, body)
	problems.Add(FieldMessage, err)
	if err := problems.Invalid(); err != nil {
		return rc, err
	}
	blocked, err := s.intake.blocked(ctx, view, domain.Sender{Email: email, IP: meta.IP}, now)
	if err != nil {
		return rc, err
	}
	if blocked {
		return rc, ErrRefused
	}
	recipients, err := s.intake.alertRecipients(ctx, view, inbox)
	if err != nil {
		return rc, err
	}
	ia, msg, token, err := domain.OpenInteraction(ids, domain.NewReport{
		Form: rf.Form, Inbox: inbox, Channel: domain.ChannelWeb, Name: in.Name, Body: body,
	}, now)
	if err != nil {
		return rc, err
	}
	ia.Flagged = flagged
	deliveries, err := s.newReportAlerts(ia, rf.Form, inbox, recipients, now)
	if err != nil {
		return rc, err
	}
	if email != "" {
		id, err := domain.NewDeliveryID(s.random)
		if err != nil {
			return rc, err
		}
		lang := rf.Form.Language
		if in.Language != "" {
			lang = in.Language
		}
		deliveries = append(deliveries, domain.ReporterLink(id, ia, email, s.links.ConversationURL(token), lang, now))
	}
	err = s.store.AcceptInteraction(ctx, ports.NewInteraction{Interaction: ia, Token: token, Contact: domain.Contact{Email: email},
		Message: msg, Meta: meta, Deliveries: deliveries})
	if err != nil {
		return rc, err
	}
	return Receipt{Ref: ia.Ref, Token: token}, nil
}

// chooseInbox finds the category the reporter picked among the form's
// inboxes; with one inbox the choice may be left out.
func chooseInbox(inboxes []*domain.Inbox, id string) (*domain.Inbox, error) {
	if id == "" && len(inboxes) == 1 {
		return inboxes[0], nil
	}
	for _, ib := range inboxes {
		if string(ib.ID) == id {
			return ib, nil
		}
	}
	return nil, domain.Errorf(domain.KindInvalid, "Please choose what your report is about.")
}
