package app

import (
	"context"
	"errors"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// InboundText is a text as the carrier delivered it, signature checked.
type InboundText struct {
	MessageUUID string
	From        string // sensitive
	Text        string // sensitive
	// Nonce is the webhook signature's nonce; empty when the carrier sent
	// none.
	Nonce string
}

// TextOutcome says what became of a text.
type TextOutcome string

// What can become of a text.
const (
	TextOpened    TextOutcome = "opened"    // a new interaction
	TextContinued TextOutcome = "continued" // added to the texter's open interaction
	TextHelped    TextOutcome = "helped"    // unknown code: the help text was queued
	TextDropped   TextOutcome = "dropped"   // nothing kept (help already sent today, blocked, refused)
	TextDuplicate TextOutcome = "duplicate" // handled before
	TextLimited   TextOutcome = "limited"   // over a limit (its number's or its conversation's): not kept, the texter told once an hour
	TextLinked    TextOutcome = "linked"    // LINK or DOLEN: a fresh conversation link was texted back
)

// ErrReplayed is returned for a webhook whose nonce was seen before.
var ErrReplayed = &domain.Error{Kind: domain.KindForbidden, Safe: domain.Say("this webhook was seen before")}

// helpEvery is how often one number may be sent the help text.
const helpEvery = 24 * time.Hour

// ReceiveText handles one inbound text, exactly once however often it is
// delivered: the webhook's nonce and the carrier's message id are claimed
// in the same transaction as everything the text causes. The word LINK
// (or DOLEN) alone asks for a fresh link to the number's latest
// conversation (see linkByText). A first word that
// is a form's code opens an interaction in the form's texts inbox and texts
// back the conversation link; otherwise the text continues the number's
// latest conversation, reopening it if staff had closed it, exactly as a
// reply through the conversation link does (see reporterWrites);
// otherwise the number gets one help text a day, revealing no codes, and
// nothing else is kept.
//
// A text that opens a report, nearly every text, is judged from what the
// intake cache holds, as a web report is, and stored with AcceptReport,
// which claims its nonce and id with the report's rows. Any other text is
// claimed and routed in one transaction.
func (s *Reporting) ReceiveText(ctx context.Context, in InboundText) (out TextOutcome, err error) {
	defer domain.Wrap(&err, "app.Reporting.ReceiveText")
	phone, err := s.parsePhone(in.From)
	if err != nil {
		return "", err
	}
	ids, err := s.newInteractionIDs()
	if err != nil {
		return "", err
	}
	now := s.now()
	claim := ports.TextClaim{Nonce: in.Nonce, MessageUUID: in.MessageUUID}
	if code, rest, ok := domain.SplitText(in.Text); ok {
		view := s.view(ctx)
		rf, err := s.intake.form(ctx, view, string(code), now)
		switch {
		case err == nil:
			report, verdict, err := s.judgeTextReport(ctx, view, rf, rest, phone, now)
			if err != nil {
				return "", err
			}
			if verdict == verdictOpen {
				out, err := s.openByTextAlone(ctx, report, phone, ids, claim, now)
				if !errors.Is(err, domain.ErrInboxArchived) {
					return out, err
				}
				// The inbox for texts was archived since the form was
				// read: nothing was stored, and the text is routed below
				// on the form as the transaction reads it.
				s.intake.forget()
			}
		case domain.KindOf(err) != domain.KindNotFound:
			return "", err
		}
	}
	// Any other text is claimed and routed in one transaction. A text to
	// a form judged above is judged again there, on purpose: what it
	// writes (the closed-form text, the help text, nothing for a block)
	// is then decided on the form as that transaction reads it, not as
	// the intake cache held it; and such texts are few.
	//
	// What a text opening a report here took in the limits; a retried
	// transaction gives back what its first run took.
	opened, told := s.places(), s.places()
	// A fresh link's place is taken before the transaction, so that no
	// transaction waits on the limits' own connection; it is given back
	// unless a link is sent.
	linked, linkOK := s.places(), false
	if domain.IsLinkRequest(in.Text) {
		if linkOK, err = linked.take(ctx, LinkPerNumber, "link-number:"+phone, now); err != nil {
			return "", err
		}
	}
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		opened.Release(ctx)
		told.Release(ctx)
		if err := tx.Texts().Claim(ctx, claim); err != nil {
			return err
		}
		out, err = s.routeText(ctx, tx, in.Text, phone, ids, now, textLimits{opened, told, linkOK})
		return err
	})
	if err != nil || out != TextOpened {
		opened.Release(ctx)
	}
	if err != nil || out != TextLinked {
		linked.Release(ctx)
	}
	if err != nil {
		told.Release(ctx)
	}
	return s.textHandled(out, err)
}

// openByTextAlone opens a report from a text judged before any write, in
// AcceptReport's transaction, when the number's limit of reports opened
// this hour allows; otherwise it claims the text and tells the texter.
func (s *core) openByTextAlone(ctx context.Context, report textReport, phone string, ids domain.IDs, claim ports.TextClaim, now time.Time) (TextOutcome, error) {
	opened := s.places()
	ok, err := s.takeOpeningPlace(ctx, opened, phone, now)
	if err != nil {
		return "", err
	}
	if !ok {
		told := s.places()
		err := s.store.InTx(ctx, func(tx ports.Tx) error {
			told.Release(ctx)
			if err := tx.Texts().Claim(ctx, claim); err != nil {
				return err
			}
			return s.tellLimited(ctx, tx, told, report.form.Form, phone, now)
		})
		if err != nil {
			told.Release(ctx)
		}
		return s.textHandled(TextLimited, err)
	}
	nr, err := s.newTextReport(report, phone, ids, now)
	if err == nil {
		nr.Text = &claim
		err = s.store.AcceptInteraction(ctx, nr)
	}
	out, err := s.textHandled(TextOpened, err)
	if err != nil || out != TextOpened {
		opened.Release(ctx)
	}
	return out, err
}

// textLimits are the places a text takes in the limits while it is
// routed: one of its number's reports opened this hour, and the hour's
// one text saying it has opened too many; and whether a text asking for
// a fresh link found a place (taken before the transaction).
type textLimits struct {
	opened, told *Places
	linkOK       bool
}

// textHandled counts a text that was handled, and passes its outcome on:
// a replayed webhook is refused, and a text the carrier delivered again
// was handled before, so nothing more is done.
func (s *core) textHandled(out TextOutcome, err error) (TextOutcome, error) {
	switch {
	case errors.Is(err, ports.ErrNonceSeen):
		return "", ErrReplayed
	case errors.Is(err, ports.ErrTextSeen):
		out, err = TextDuplicate, nil
	}
	if err == nil {
		s.meter.Texted(string(out))
		if out == TextOpened {
			s.meter.Reported(domain.ChannelSMS)
		}
	}
	return out, err
}

func (s *core) routeText(ctx context.Context, tx ports.Tx, text, phone string, ids domain.IDs, now time.Time, limits textLimits) (TextOutcome, error) {
	if domain.IsLinkRequest(text) {
		return s.linkByText(ctx, tx, limits.linkOK, phone, now)
	}
	if code, rest, ok := domain.SplitText(text); ok {
		rf, err := loadReportForm(ctx, tx, string(code), now)
		switch {
		case err == nil:
			return s.openByText(ctx, tx, rf, rest, phone, ids, now, limits)
		case domain.KindOf(err) != domain.KindNotFound:
			return "", err
		}
	}
	ia, err := tx.Interactions().LatestByPhone(ctx, phone)
	switch {
	case err == nil:
		return s.continueByText(ctx, tx, ia, text, phone, ids.Message, now)
	case domain.KindOf(err) != domain.KindNotFound:
		return "", err
	}
	return s.helpByText(ctx, tx, phone, now)
}

// textVerdict is what a text that starts with a form's code should cause.
type textVerdict int

const (
	verdictUnread   textVerdict = iota // not judged before the write
	verdictOpen                        // open an interaction
	verdictClosed                      // the form takes no reports: say so
	verdictBlocked                     // the sender is blocked: keep nothing
	verdictHelp                        // the code alone: say how to report
	verdictSwearing                    // refused by the form's filter: say so
)

// textReport is everything a text opening a report needs.
type textReport struct {
	form       ReportForm
	body       string
	flagged    bool
	recipients []domain.Recipient
}

// judgeTextReport decides what a text to form rf should cause, reading
// only.
func (s *core) judgeTextReport(ctx context.Context, read reader, rf ReportForm, body, phone string, now time.Time) (textReport, textVerdict, error) {
	report := textReport{form: rf}
	if !rf.Accepting {
		return report, verdictClosed, nil
	}
	if blocked, err := s.intake.blocked(ctx, read, domain.Sender{Phone: phone}, now); err != nil || blocked {
		return report, verdictBlocked, err
	}
	body, err := domain.CheckMessage(body)
	if err != nil {
		return report, verdictHelp, nil
	}
	report.body = body
	report.flagged, err = s.checkSwearing(rf.Form, rf.Org, body)
	if domain.KindOf(err) == domain.KindInvalid {
		return report, verdictSwearing, nil
	}
	if err != nil {
		return report, verdictUnread, err
	}
	report.recipients, err = s.alertRecipients(ctx, read, rf.TextsInbox)
	return report, verdictOpen, err
}

func (s *core) openByText(ctx context.Context, tx ports.Tx, rf ReportForm, body, phone string, ids domain.IDs, now time.Time, limits textLimits) (TextOutcome, error) {
	report, verdict, err := s.judgeTextReport(ctx, within(tx), rf, body, phone, now)
	if err != nil {
		return "", err
	}
	form := rf.Form
	switch verdict {
	case verdictClosed:
		return TextDropped, s.textBack(ctx, tx, &domain.Delivery{Kind: domain.DeliverySMSClosed, Subject: form.Name, Language: form.Language, OrgID: form.OrgID}, phone, now)
	case verdictBlocked:
		return TextDropped, nil
	case verdictHelp:
		return s.helpByText(ctx, tx, phone, now)
	case verdictSwearing:
		return TextDropped, s.textBack(ctx, tx, &domain.Delivery{Kind: domain.DeliveryReporterSMS, Body: swearBlocked, Language: form.Language, OrgID: form.OrgID}, phone, now)
	}
	if ok, err := s.takeOpeningPlace(ctx, limits.opened, phone, now); err != nil || !ok {
		if err != nil {
			return "", err
		}
		return TextLimited, s.tellLimited(ctx, tx, limits.told, form, phone, now)
	}
	return TextOpened, s.storeTextReport(ctx, tx, report, phone, ids, now)
}

// newTextReport is what a text opening a report writes: the interaction,
// its message, the staff alerts and the text back with the conversation
// link.
func (s *core) newTextReport(r textReport, phone string, ids domain.IDs, now time.Time) (ports.NewInteraction, error) {
	form, inbox := r.form.Form, r.form.TextsInbox
	ia, msg, token, err := domain.OpenInteraction(ids, domain.NewReport{Form: form, Inbox: inbox, Channel: domain.ChannelSMS, Body: r.body}, now)
	if err != nil {
		return ports.NewInteraction{}, err
	}
	ia.Flagged = r.flagged
	deliveries, err := s.newReportAlerts(ia, form, inbox, r.recipients, now)
	if err != nil {
		return ports.NewInteraction{}, err
	}
	link, err := s.textTo(&domain.Delivery{Kind: domain.DeliveryReporterLink, Link: s.links.ConversationURL(token), Language: form.Language, OrgID: ia.OrgID, InteractionID: ia.ID}, phone, now)
	if err != nil {
		return ports.NewInteraction{}, err
	}
	return ports.NewInteraction{Interaction: ia, Token: token, Contact: domain.Contact{Phone: phone}, Message: msg,
		Deliveries: append(deliveries, link)}, nil
}

// storeTextReport opens the interaction inside tx.
func (s *core) storeTextReport(ctx context.Context, tx ports.Tx, r textReport, phone string, ids domain.IDs, now time.Time) error {
	nr, err := s.newTextReport(r, phone, ids, now)
	if err != nil {
		return err
	}
	if err := tx.Interactions().Create(ctx, nr.Interaction, nr.Token, nr.Contact); err != nil {
		return err
	}
	if err := tx.Messages().Add(ctx, nr.Message, nr.Meta); err != nil {
		return err
	}
	return tx.Outbox().Enqueue(ctx, nr.Deliveries...)
}

func (s *core) continueByText(ctx context.Context, tx ports.Tx, ia *domain.Interaction, text, phone string, id domain.MessageID, now time.Time) (TextOutcome, error) {
	body, err := domain.CheckMessage(text)
	if err != nil {
		return TextDropped, nil
	}
	form, err := tx.Forms().Get(ctx, ia.FormID)
	if err != nil {
		return "", err
	}
	org, err := tx.Organisations().Get(ctx, ia.OrgID)
	if err != nil {
		return "", err
	}
	if !org.AcceptsReports(now) {
		return s.textNotAccepting(ctx, tx, ia.ID, form, phone, now)
	}
	flagged, err := s.checkSwearing(form, org, body)
	refused := domain.KindOf(err) == domain.KindInvalid
	if err != nil && !refused {
		return "", err
	}
	// A refused text is held and counted as any other (see reporterWrites),
	// so that a texter the filter refuses is not texted back without end.
	if refused {
		_, err = tx.Interactions().Change(ctx, ia.ID, func(ia *domain.Interaction) error { return s.checkReplyLimit(ctx, tx, ia, now) })
	} else {
		err = s.reporterWrites(ctx, tx, ia.ID, form, &domain.Message{ID: id, Body: body}, domain.Meta{}, flagged, now)
	}
	var limited *domain.RepliesLimited
	switch {
	case errors.Is(err, domain.ErrErased):
		// Erased since it was found: as if the number had no
		// conversation.
		return s.helpByText(ctx, tx, phone, now)
	case errors.As(err, &limited):
		return s.textOverLimit(ctx, tx, ia.ID, form, phone, now)
	case err != nil:
		return "", err
	case refused:
		return TextDropped, s.textBack(ctx, tx, &domain.Delivery{Kind: domain.DeliveryReporterSMS, Body: swearBlocked, Language: form.Language, OrgID: ia.OrgID, InteractionID: ia.ID}, phone, now)
	}
	return TextContinued, nil
}

// textOverLimit answers a text over the hourly reply limit. The text is
// not kept; its texter is told so, in the form's language, once an hour
// however many more they send (each is still counted as limited).
func (s *core) textOverLimit(ctx context.Context, tx ports.Tx, id domain.InteractionID, form *domain.Form, phone string, now time.Time) (TextOutcome, error) {
	tell, err := tx.Replies().TakeLimitNotice(ctx, id, now, domain.ReplyLimitWindow)
	if err != nil || !tell {
		return TextLimited, err
	}
	return TextLimited, s.textBack(ctx, tx, &domain.Delivery{Kind: domain.DeliverySMSReplyLimit, Language: form.Language,
		OrgID: form.OrgID, InteractionID: id}, phone, now)
}

// textNotAccepting answers a text to a conversation whose organisation
// takes no messages now (suspended, or its trial ended): the text is not
// kept, and its texter is told kindly, with where to get help now, at
// most once an hour per conversation (paced as textOverLimit is).
func (s *core) textNotAccepting(ctx context.Context, tx ports.Tx, id domain.InteractionID, form *domain.Form, phone string, now time.Time) (TextOutcome, error) {
	tell, err := tx.Replies().TakeLimitNotice(ctx, id, now, domain.ReplyLimitWindow)
	if err != nil || !tell {
		return TextDropped, err
	}
	return TextDropped, s.textBack(ctx, tx, &domain.Delivery{Kind: domain.DeliveryReporterSMS, Body: notAccepting, Language: form.Language,
		OrgID: form.OrgID, InteractionID: id}, phone, now)
}

// notAccepting is texted back to a texter whose school takes no messages
// through Whisper now (see textNotAccepting).
const notAccepting = "Your school is not taking messages through Whisper now, so this text has not been passed on. If someone is in danger right now, call 999. To talk to someone, call Childline free on 0800 1111."

// helpByText queues the help text, at most once a day per number.
func (s *core) helpByText(ctx context.Context, tx ports.Tx, phone string, now time.Time) (TextOutcome, error) {
	ok, err := tx.Texts().TakeHelpAllowance(ctx, phone, now, helpEvery)
	if err != nil || !ok {
		return TextDropped, err
	}
	return TextHelped, s.textBack(ctx, tx, &domain.Delivery{Kind: domain.DeliverySMSHelp}, phone, now)
}

// textBack queues d as a text to phone, now.
func (s *core) textBack(ctx context.Context, tx ports.Tx, d *domain.Delivery, phone string, now time.Time) error {
	d, err := s.textTo(d, phone, now)
	if err != nil {
		return err
	}
	return tx.Outbox().Enqueue(ctx, d)
}

// textedBack are the app's own words that it texts to a reporter as a
// DeliveryReporterSMS, by their key: the Body holds the key where a staff
// reply holds its text.
var textedBack = map[string]domain.Words{
	swearBlocked: domain.Say(swearBlocked),
	textsLimited: domain.Say(textsLimited),
	notAccepting: domain.Say(notAccepting),
}

// TextedBack returns the words that body names when it is one of the
// app's own texts to a reporter, so that the SMS adapter can say them in
// the delivery's language; a staff reply is not.
func TextedBack(body string) (domain.Words, bool) {
	w, ok := textedBack[body]
	return w, ok
}

// textTo makes d a text to phone, due now.
func (s *core) textTo(d *domain.Delivery, phone string, now time.Time) (*domain.Delivery, error) {
	id, err := domain.NewDeliveryID(s.random)
	if err != nil {
		return nil, err
	}
	d.ID, d.Channel, d.To, d.Status, d.NextAttemptAt, d.CreatedAt = id, domain.DeliverySMS, phone, domain.DeliveryPending, now, now
	if d.Language == "" {
		d.Language = domain.English
	}
	return d, nil
}
