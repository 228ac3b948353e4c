package app

import (
	"context"
	"errors"
	"net/netip"
	"slices"
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

// ErrRobot is returned for a report whose trap field was filled in: only a
// robot does that. Nothing is stored and no limit is counted; the page
// says only that the report could not be sent, which teaches a robot
// nothing.
var ErrRobot = &domain.Error{Kind: domain.KindInvalid}

// SubmitReport is a report from the web form.
type SubmitReport struct {
	FormCode string
	// InboxID is the category chosen; it may be empty when the form has
	// only one inbox.
	InboxID string
	Name    string
	Email   string
	Body    string
	// Trap is the form's hidden field, which people never see and leave
	// empty.
	Trap string
	// IP is the reporter's address, from the socket or a trusted proxy.
	IP netip.Addr
	// Language is the language the reporter chose, if any; empty means
	// the form's.
	Language domain.Language
}

// Receipt is what a reporter gets back: the reference and the secret of
// their conversation link, which exists nowhere else.
type Receipt struct {
	Ref   domain.Reference
	Token domain.Token
}

// ReportAnswer is what a web report comes back with: its receipt when it
// was stored, and, whatever became of it, what the page that answers the
// reporter needs, so that the form is read once for both.
type ReportAnswer struct {
	// Receipt is set when the report was stored.
	Receipt
	// Form is the form the report was written to, as the report read it.
	// Form.Form is nil when it could not be read, for instance because no
	// form has the code; the error then says why.
	Form ReportForm
	// Language is the reporter's: the one they chose, else the form's. The
	// email with their link is in it, and so is the page that answers them.
	Language domain.Language
	// Limited is set when the rate limits refused the report, before
	// anything else was done: the web edge holds such an answer a moment
	// (see ErrTooMany).
	Limited bool
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
// the notifications to send.
//
// The report first takes its places in the rate limits, before the form is
// even read, so that reports to a closed or unknown form count too; it
// gives them back unless it is stored. When the limits are full, it is
// refused with ErrTooMany and nothing else is done. Problems with the input
// come back as domain.Problems (KindInvalid) and change nothing; so do
// ErrRobot, ErrRefused and ErrNotAccepting. Whatever the error, the answer
// holds the form when it could be read.
func (s *Reporting) SubmitReport(ctx context.Context, in SubmitReport) (out ReportAnswer, err error) {
	defer domain.Wrap(&err, "app.Reporting.SubmitReport")
	if in.Trap != "" {
		return s.reportNotStored(ctx, in, ErrRobot)
	}
	places, err := s.takeReportPlaces(ctx, in.IP, in.FormCode)
	if errors.Is(err, ErrTooMany) {
		out, err = s.reportNotStored(ctx, in, err)
		out.Limited = true
		return out, err
	}
	if err != nil {
		return out, err
	}
	out, err = s.submitWithin(ctx, in)
	if err != nil {
		places.Release(ctx)
	}
	return out, err
}

// reportNotStored answers a report refused before it was read, by why,
// with the form for the page that says so; an error reading the form
// comes first, since there is then no page to say it on.
func (s *core) reportNotStored(ctx context.Context, in SubmitReport, why error) (ReportAnswer, error) {
	rf, err := s.intake.form(ctx, s.view(ctx), in.FormCode, s.now())
	if err != nil {
		return ReportAnswer{}, err
	}
	return ReportAnswer{Form: rf, Language: reporterLanguage(in.Language, rf.Form)}, why
}

// reporterLanguage is the language a reporter reads: the one they chose,
// else the form's own.
func reporterLanguage(chosen domain.Language, form *domain.Form) domain.Language {
	if chosen != "" {
		return chosen
	}
	return form.Language
}

// takeReportPlaces reserves places for a new web report from ip to the
// form with code: one in the address's limit and one in the form's, in
// one step. When either is full it holds nothing and returns ErrTooMany.
func (s *core) takeReportPlaces(ctx context.Context, ip netip.Addr, code string) (*Places, error) {
	now, p := s.now(), s.places()
	var asks []ports.LimitAsk
	if ip.IsValid() && s.limits.ReportsPerIP > 0 {
		asks = append(asks, ports.LimitAsk{Key: "ip:" + clientAddress(ip, s.limits.IPv6Prefix), Limit: s.limits.ReportsPerIP})
	}
	// A code that is no form's takes no place: the report fails anyway.
	if fc, err := domain.ParseFormCode(code); err == nil && s.limits.ReportsPerForm > 0 {
		asks = append(asks, ports.LimitAsk{Key: "form:" + string(fc), Limit: s.limits.ReportsPerForm})
	}
	ok, err := p.limiter.TakeAll(ctx, now, asks...)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrTooMany
	}
	for _, a := range asks {
		p.taken = append(p.taken, place{a.Key, now})
	}
	return p, nil
}

// submitWithin checks and stores a report that holds its places in the
// limits.
func (s *core) submitWithin(ctx context.Context, in SubmitReport) (out ReportAnswer, err error) {
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
		out, err = s.submit(ctx, in, body, email, meta, problems)
		if err == nil {
			s.meter.Reported(domain.ChannelWeb)
		}
		if domain.KindOf(err) != domain.KindConflict || attempt == idAttempts {
			return out, err
		}
	}
}

func (s *core) submit(ctx context.Context, in SubmitReport, body, email string, meta domain.Meta, problems domain.Problems) (out ReportAnswer, err error) {
	now := s.now()
	ids, err := s.newInteractionIDs()
	if err != nil {
		return out, err
	}
	// Everything the report needs is read first — from the intake cache
	// where it can be, in a read transaction where it must — so that
	// reports read side by side, and the write is AcceptReport's inserts
	// alone. A form closed in between takes this one last report.
	view := s.view(ctx)
	rf, err := s.intake.form(ctx, view, in.FormCode, now)
	if err != nil {
		return out, err
	}
	out.Form, out.Language = rf, reporterLanguage(in.Language, rf.Form)
	if !rf.Accepting {
		return out, ErrNotAccepting
	}
	inbox, err := chooseInbox(rf, in.InboxID)
	problems.Add(FieldCategory, err)
	flagged, err := s.checkSwearing(rf.Form, rf.Org, body)
	problems.Add(FieldMessage, err)
	if err := problems.Invalid(); err != nil {
		return out, err
	}
	blocked, err := s.intake.blocked(ctx, view, domain.Sender{Email: email, IP: meta.IP}, now)
	if err != nil {
		return out, err
	}
	if blocked {
		return out, ErrRefused
	}
	recipients, err := s.alertRecipients(ctx, view, inbox)
	if err != nil {
		return out, err
	}
	ia, msg, token, err := domain.OpenInteraction(ids, domain.NewReport{
		Form: rf.Form, Inbox: inbox, Channel: domain.ChannelWeb, Name: in.Name, Body: body,
	}, now)
	if err != nil {
		return out, err
	}
	ia.Flagged = flagged
	deliveries, err := s.newReportAlerts(ia, rf.Form, inbox, recipients, now)
	if err != nil {
		return out, err
	}
	if email != "" {
		id, err := domain.NewDeliveryID(s.random)
		if err != nil {
			return out, err
		}
		deliveries = append(deliveries, domain.ReporterLink(id, ia, email, s.links.ConversationURL(token), out.Language, now))
	}
	err = s.store.AcceptInteraction(ctx, ports.NewInteraction{Interaction: ia, Token: token, Contact: domain.Contact{Email: email},
		Message: msg, Meta: meta, Deliveries: deliveries})
	if errors.Is(err, domain.ErrInboxArchived) {
		// Archived since the form was read: the reporter chooses again.
		return out, domain.Problems{{Field: FieldCategory, Safe: domain.SafeWords(err)}}.Invalid()
	}
	if err != nil {
		return out, err
	}
	out.Receipt = Receipt{Ref: ia.Ref, Token: token}
	return out, nil
}

// chooseInbox finds the category the reporter picked among the form's
// open inboxes; with one open inbox the choice may be left out.
func chooseInbox(rf ReportForm, id string) (*domain.Inbox, error) {
	if id == "" && len(rf.Inboxes) == 1 {
		return rf.Inboxes[0], nil
	}
	for _, ib := range rf.Inboxes {
		if string(ib.ID) == id {
			return ib, nil
		}
	}
	if slices.Contains(rf.Archived, domain.InboxID(id)) {
		return nil, domain.ErrInboxArchived
	}
	return nil, domain.Errorf(domain.KindInvalid, "Please choose what your report is about.")
}
