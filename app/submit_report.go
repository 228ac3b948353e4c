package app

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ErrNotAccepting is returned when a form is closed or its organisation
// takes no reports; the reporter is shown the out-of-hours page instead.
var ErrNotAccepting = &domain.Error{Kind: domain.KindForbidden, Safe: "this form is not taking reports just now"}

// ErrRefused is returned when the sender is blocked. Its words are neutral
// on purpose: they neither confirm a block nor help get round it.
var ErrRefused = &domain.Error{Kind: domain.KindForbidden, Safe: "We could not send this report. If someone is in danger right now, call 999."}

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

// swearBlocked is what a reporter reads when the form blocks swearing. It
// must never make a child feel they did wrong by quoting what was said.
const swearBlocked = "Our filter stopped some words in your message. Please send it again without them – you can still tell us what happened, for example “they called me a rude name”."

// idAttempts bounds the redraws when a new reference is taken.
const idAttempts = 3

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

// checkSwearing applies the form's policy, with the organisation's own
// words: it reports whether to flag the message, or refuses it when the
// form blocks swearing.
func (s *core) checkSwearing(form *domain.Form, org *domain.Organisation, body string) (flagged bool, err error) {
	if form.SwearPolicy == domain.SwearOff || s.swearing == nil || body == "" {
		return false, nil
	}
	if !s.swearing.ContainsSwearing(body, org.SwearWords) {
		return false, nil
	}
	if form.SwearPolicy == domain.SwearBlock {
		return false, domain.Errorf(domain.KindInvalid, swearBlocked)
	}
	return true, nil
}

// alertNewReport queues a notification of a new report for the inbox's
// addresses and its assigned staff: a link to the interaction, never its
// content.
func (s *core) alertNewReport(ctx context.Context, tx ports.Tx, ia *domain.Interaction, form *domain.Form, inbox *domain.Inbox, now time.Time) error {
	recipients, err := s.intake.alertRecipients(ctx, within(tx), inbox)
	if err != nil {
		return err
	}
	alerts, err := s.newReportAlerts(ia, form, inbox, recipients, now)
	if err != nil {
		return err
	}
	return tx.Outbox().Enqueue(ctx, alerts...)
}

// alertReply tells the inbox's people that the reporter replied, paced
// for each recipient (see domain.ReplyAlertState): the first reply in a
// while is announced at once; the replies that follow within
// domain.ReplyAlertWindow are counted into one trailing alert, due when
// the window ends. While the relay has not taken the trailing alert, a
// reply raises its count; once it has, the reply gets a trailing alert of
// its own at the end of the next window. It runs with the interaction
// held (after Change), so replies at the same moment take turns here.
func (s *core) alertReply(ctx context.Context, tx ports.Tx, ia *domain.Interaction, form *domain.Form, inbox *domain.Inbox, now time.Time) error {
	recipients, err := s.intake.alertRecipients(ctx, within(tx), inbox)
	if err != nil {
		return err
	}
	recipients = domain.Recipients(recipients)
	if len(recipients) == 0 {
		return nil
	}
	states, err := tx.Replies().AlertStates(ctx, ia.ID, recipients)
	if err != nil {
		return err
	}
	link := s.links.InteractionURL(ia.Ref)
	var alerts []*domain.Delivery
	for _, to := range recipients {
		st := states[to]
		if st.PendingID != "" {
			raised, err := tx.Outbox().Raise(ctx, st.PendingID, st.PendingCount+1)
			if err != nil {
				return err
			}
			if raised {
				st.PendingCount++
				states[to] = st
				continue
			}
			st = st.PendingWent()
		}
		id, err := domain.NewDeliveryID(s.random)
		if err != nil {
			return err
		}
		due, next := st.NextAlert(now, id)
		alerts = append(alerts, domain.StaffReplyAlert(id, ia, form, inbox, to, link, due, now))
		states[to] = next
	}
	if err := tx.Outbox().Enqueue(ctx, alerts...); err != nil {
		return err
	}
	return tx.Replies().SaveAlertStates(ctx, ia.ID, states)
}

// newReportAlerts are the alerts to recipients of a new report.
func (s *core) newReportAlerts(ia *domain.Interaction, form *domain.Form, inbox *domain.Inbox, recipients []string, now time.Time) ([]*domain.Delivery, error) {
	return domain.NewReportAlerts(func() (domain.DeliveryID, error) { return domain.NewDeliveryID(s.random) },
		ia, form, inbox, recipients, s.links.InteractionURL(ia.Ref), now)
}

// meta describes where a message came from.
func (s *core) meta(ip netip.Addr) domain.Meta {
	if !ip.IsValid() {
		return domain.Meta{}
	}
	ip = ip.Unmap()
	var place domain.Place
	if s.locator != nil {
		place = s.locator.Locate(ip)
	}
	return domain.Meta{IP: ip.String(), Location: place.Location(), Region: place.RegionLevel(), Network: place.Network}
}

// newInteractionIDs draws everything a new interaction needs.
func (s *core) newInteractionIDs() (ids domain.IDs, err error) {
	if ids.Interaction, err = domain.NewInteractionID(s.random); err != nil {
		return ids, err
	}
	if ids.Message, err = domain.NewMessageID(s.random); err != nil {
		return ids, err
	}
	if ids.Ref, err = domain.NewReference(s.random); err != nil {
		return ids, err
	}
	ids.Token, err = domain.NewToken(s.random)
	return ids, err
}
