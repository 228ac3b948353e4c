package app

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Staff read interactions only as cases: every read below goes through
// tx.Cases(), scoped by the actor's viewer, which answers KindNotFound for
// anything of another organisation or another inbox, exactly as for what
// does not exist. The channel, contact and meta data are out of its reach,
// and so out of these use cases' results.

// InteractionsPerPage is how many reports one page of the list shows.
const InteractionsPerPage = 25

// Fields of the staff's report forms that problems may name (the reply
// box is FieldMessage).
const (
	FilterStatus = "status"
	FilterInbox  = "inbox"
	FilterFrom   = "from"
	FilterTo     = "to"
)

// ErrNoSuchInteraction is returned for a reference the actor cannot see: malformed,
// unknown, erased, or another inbox's or organisation's, all alike.
var ErrNoSuchInteraction = &domain.Error{Kind: domain.KindNotFound, Safe: "no such report"}

// InteractionQuery narrows the list of reports. Its fields are as typed into the
// list's filter form; ListCases checks them.
type InteractionQuery struct {
	// Status is "open", "closed" or "" for both.
	Status string
	// InboxID is one of the actor's inboxes, or "" for all of them.
	InboxID string
	// From and To bound the day a report arrived, both included, as
	// YYYY-MM-DD in UTC; "" leaves that end open.
	From, To string
	// Page counts from 1; out of range is brought back into it.
	Page int
}

// InteractionPage is one page of the actor's reports.
type InteractionPage struct {
	Interactions []*domain.StaffInteraction
	// Total counts every report that matches the query, on all pages.
	Total       int
	Page, Pages int
	// Inboxes are those the actor may filter by: every inbox of the
	// organisation for admins, their assigned ones for staff.
	Inboxes []VisibleInbox
}

// VisibleInbox is an inbox as the portal offers it in a choice.
type VisibleInbox struct {
	ID     domain.InboxID
	FormID domain.FormID
	// Label is the inbox's name, with its form's when the organisation
	// has several forms, so that two "General" inboxes can be told apart.
	Label string
}

// InteractionView is one report as a staff member opens it.
type InteractionView struct {
	Interaction *domain.StaffInteraction
	Messages    []*domain.StaffMessage
	// Inboxes are the inboxes of the report's form that the actor may
	// see, its own among them: where it may be moved.
	Inboxes []VisibleInbox
}

// ListInteractions returns a page of the reports the actor may see, most recent
// activity first. Bad filters come back as domain.Problems, with the page's
// Inboxes still filled so the filter form can be shown again.
func (s *Portal) ListInteractions(ctx context.Context, a *Actor, q InteractionQuery) (out InteractionPage, err error) {
	defer domain.Wrap(&err, "app.Portal.ListInteractions")
	err = s.store.View(ctx, func(tx ports.Tx) error {
		if out.Inboxes, err = actorInboxes(ctx, tx, a); err != nil {
			return err
		}
		f, problems := interactionFilter(q, out.Inboxes)
		if err := problems.Invalid(); err != nil {
			return err
		}
		if out.Total, err = tx.StaffView().Count(ctx, a.Viewer, f); err != nil {
			return err
		}
		out.Pages = max(1, (out.Total+InteractionsPerPage-1)/InteractionsPerPage)
		out.Page = min(max(q.Page, 1), out.Pages)
		f.Limit, f.Offset = InteractionsPerPage, (out.Page-1)*InteractionsPerPage
		out.Interactions, err = tx.StaffView().List(ctx, a.Viewer, f)
		return err
	})
	return out, err
}

// interactionFilter checks a query against the inboxes the actor may see.
func interactionFilter(q InteractionQuery, inboxes []VisibleInbox) (ports.StaffViewFilter, domain.Problems) {
	var f ports.StaffViewFilter
	var problems domain.Problems
	if q.Status != "" {
		if st, err := domain.ParseStatus(q.Status); err != nil {
			problems = append(problems, domain.FieldProblem{Field: FilterStatus, Safe: "Choose open, closed or any status."})
		} else {
			f.Status = &st
		}
	}
	if q.InboxID != "" {
		i := slices.IndexFunc(inboxes, func(ib VisibleInbox) bool { return string(ib.ID) == q.InboxID })
		if i < 0 {
			problems = append(problems, domain.FieldProblem{Field: FilterInbox, Safe: "Choose one of the inboxes offered."})
		} else {
			f.InboxID = &inboxes[i].ID
		}
	}
	from, okFrom := caseDate(q.From)
	to, okTo := caseDate(q.To)
	if !okFrom {
		problems = append(problems, domain.FieldProblem{Field: FilterFrom, Safe: "Enter the start date as year, month and day, for example 2026-10-05."})
	}
	if !okTo {
		problems = append(problems, domain.FieldProblem{Field: FilterTo, Safe: "Enter the end date as year, month and day, for example 2026-10-31."})
	}
	if from != nil && to != nil && to.Before(*from) {
		problems = append(problems, domain.FieldProblem{Field: FilterTo, Safe: "The end date is before the start date."})
	}
	if from != nil {
		f.From = from
	}
	if to != nil {
		// The end day is included: the bound is the midnight after it.
		end := to.AddDate(0, 0, 1)
		f.To = &end
	}
	return f, problems
}

// caseDate reads a YYYY-MM-DD date as midnight UTC; "" is no date.
func caseDate(s string) (*time.Time, bool) {
	if s == "" {
		return nil, true
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, false
	}
	return &t, true
}

// actorInboxes returns the inboxes the actor may see, by form and position.
func actorInboxes(ctx context.Context, tx ports.Tx, a *Actor) ([]VisibleInbox, error) {
	org := a.Viewer.OrgID
	forms, err := tx.Forms().List(ctx, ports.FormFilter{OrgID: &org})
	if err != nil {
		return nil, err
	}
	formNames := make(map[domain.FormID]string, len(forms))
	formOrder := make(map[domain.FormID]int, len(forms))
	for i, f := range forms {
		formNames[f.ID], formOrder[f.ID] = f.Name, i
	}
	inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{OrgID: &org})
	if err != nil {
		return nil, err
	}
	// Forms oldest first, as their admins made them, then each form's
	// inboxes in their order; ids alone would shuffle the forms.
	slices.SortStableFunc(inboxes, func(a, b *domain.Inbox) int {
		if d := formOrder[a.FormID] - formOrder[b.FormID]; d != 0 {
			return d
		}
		return a.Position - b.Position
	})
	out := make([]VisibleInbox, 0, len(inboxes))
	for _, ib := range inboxes {
		if a.Viewer.InboxIDs != nil && !slices.Contains(a.Viewer.InboxIDs, ib.ID) {
			continue
		}
		label := ib.Name
		if len(forms) > 1 {
			label = formNames[ib.FormID] + ": " + ib.Name
		}
		out = append(out, VisibleInbox{ID: ib.ID, FormID: ib.FormID, Label: label})
	}
	return out, nil
}

// parseReference reads a reference from a URL. One that cannot exist is
// not found, like one that does not.
func parseReference(ref string) (domain.Reference, error) {
	r, err := domain.ParseReference(ref)
	if err != nil {
		return "", ErrNoSuchInteraction
	}
	return r, nil
}

// getInteraction returns the case the actor may see, or ErrNoSuchCase.
func getInteraction(ctx context.Context, tx ports.Tx, a *Actor, ref string) (*domain.StaffInteraction, error) {
	r, err := parseReference(ref)
	if err != nil {
		return nil, err
	}
	cs, err := tx.StaffView().Get(ctx, a.Viewer, r)
	if domain.KindOf(err) == domain.KindNotFound {
		return nil, ErrNoSuchInteraction
	}
	return cs, err
}

// ReadInteraction returns one report with its conversation and the inboxes it may
// be moved to, and records that the actor has read it.
func (s *Portal) ReadInteraction(ctx context.Context, a *Actor, ref string) (out InteractionView, err error) {
	defer domain.Wrap(&err, "app.Portal.ReadInteraction")
	now := s.now()
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		cs, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		msgs, err := tx.StaffView().Messages(ctx, a.Viewer, cs.Ref)
		if err != nil {
			return err
		}
		inboxes, err := formInboxes(ctx, tx, a, cs.FormID)
		if err != nil {
			return err
		}
		if err := tx.StaffView().MarkRead(ctx, a.Viewer, cs.ID, now); err != nil {
			return err
		}
		out = InteractionView{Interaction: cs, Messages: msgs, Inboxes: inboxes}
		return nil
	})
	return out, err
}

// formInboxes returns the inboxes of one form that the actor may see.
func formInboxes(ctx context.Context, tx ports.Tx, a *Actor, form domain.FormID) ([]VisibleInbox, error) {
	all, err := actorInboxes(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(ib VisibleInbox) bool { return ib.FormID != form }), nil
}

// StaffReply adds the actor's answer to a report and queues it for the
// reporter: by SMS, with the text, to someone who texted; by email, as a
// notice without the text, to a web reporter who gave an address; and not
// at all to one who gave none, who reads it through their link. The caller
// learns none of this: which way a reply travels would tell staff how the
// report came in. A reply keeps the report's status; a closed report stays
// closed until someone reopens it, or the reporter writes again.
func (s *Portal) StaffReply(ctx context.Context, a *Actor, ref, body string, ip netip.Addr) (err error) {
	defer domain.Wrap(&err, "app.Portal.StaffReply")
	var problems domain.Problems
	body, err = domain.CheckStaffReply(body)
	problems.Add(FieldMessage, err)
	// Staff addresses are meta data too; placing one may be slow, so it
	// happens before the transaction.
	meta := s.meta(ip)
	msgID, err := domain.NewMessageID(s.random)
	if err != nil {
		return err
	}
	deliveryID, err := domain.NewDeliveryID(s.random)
	if err != nil {
		return err
	}
	now := s.now()
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		cs, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		if err := problems.Invalid(); err != nil {
			return err
		}
		// Past the viewer's check, the interaction itself is loaded, and
		// held before anything is added to it, so that an erasure comes
		// wholly before the reply or after it: the reply must reach the
		// reporter, and only this code, never the actor, sees how.
		ia, err := changeInteraction(ctx, tx, cs.ID, func(ia *domain.Interaction) error {
			ia.LastActivityAt = now
			return nil
		})
		if err != nil {
			return err
		}
		msg := &domain.Message{ID: msgID, InteractionID: ia.ID, Author: domain.AuthorStaff, StaffID: a.Staff.ID, Body: body, CreatedAt: now}
		if err := tx.Messages().Add(ctx, msg, meta); err != nil {
			return err
		}
		if err := tx.StaffView().MarkRead(ctx, a.Viewer, ia.ID, now); err != nil {
			return err
		}
		d, err := s.replyDelivery(ctx, tx, ia, body, deliveryID, now)
		if err != nil || d == nil {
			return err
		}
		return tx.Outbox().Enqueue(ctx, d)
	})
}

// replyDelivery is how a staff reply reaches the reporter, or nil when it
// cannot: a web reporter who gave no email reads it through their link.
func (s *core) replyDelivery(ctx context.Context, tx ports.Tx, ia *domain.Interaction, body string, id domain.DeliveryID, now time.Time) (*domain.Delivery, error) {
	contact, err := tx.Interactions().Contact(ctx, ia.ID)
	if err != nil {
		return nil, err
	}
	form, err := tx.Forms().Get(ctx, ia.FormID)
	if err != nil {
		return nil, err
	}
	switch {
	case ia.Channel == domain.ChannelSMS && contact.Phone != "":
		return domain.ReporterSMS(id, ia, contact.Phone, body, form.Language, now), nil
	case ia.Channel == domain.ChannelWeb && contact.Email != "":
		// The conversation link cannot be rebuilt (only its token's hash
		// is kept), so the notice sends the reporter to the link they
		// saved, and carries none.
		return domain.ReporterReplyNotice(id, ia, contact.Email, form.Language, now), nil
	}
	return nil, nil
}

// SetInteractionStatus opens or closes a report. Closing starts the retention
// period from now; reopening ends that and counts as activity.
func (s *Portal) SetInteractionStatus(ctx context.Context, a *Actor, ref, status string) (err error) {
	defer domain.Wrap(&err, "app.Portal.SetInteractionStatus")
	var problems domain.Problems
	st, perr := domain.ParseStatus(status)
	if perr != nil {
		problems = append(problems, domain.FieldProblem{Field: FilterStatus, Safe: "Choose open or closed."})
	}
	now := s.now()
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		cs, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		if err := problems.Invalid(); err != nil {
			return err
		}
		if cs.Status == st {
			return nil
		}
		ia, err := changeInteraction(ctx, tx, cs.ID, func(ia *domain.Interaction) error {
			switch {
			case ia.Status == st: // another request got there first
			case st == domain.StatusClosed:
				ia.Close(now)
			default:
				ia.Reopen(now)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.StaffView().MarkRead(ctx, a.Viewer, ia.ID, now)
	})
}

// MoveInteraction moves a report to another inbox (category) of the same form,
// one the actor may see, and tells that inbox's people of it as of a new
// report. Any other inbox is a problem with the field, not a move.
func (s *Portal) MoveInteraction(ctx context.Context, a *Actor, ref, inboxID string) (err error) {
	defer domain.Wrap(&err, "app.Portal.MoveInteraction")
	now := s.now()
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		cs, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		choices, err := formInboxes(ctx, tx, a, cs.FormID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(choices, func(ib VisibleInbox) bool { return string(ib.ID) == inboxID })
		if i < 0 {
			return domain.Problems{{Field: FilterInbox, Safe: "Choose one of the inboxes offered."}}.Invalid()
		}
		if choices[i].ID == cs.InboxID {
			return nil
		}
		ia, err := changeInteraction(ctx, tx, cs.ID, func(ia *domain.Interaction) error {
			ia.InboxID = choices[i].ID
			return nil
		})
		if err != nil {
			return err
		}
		form, err := tx.Forms().Get(ctx, ia.FormID)
		if err != nil {
			return err
		}
		inbox, err := tx.Inboxes().Get(ctx, ia.InboxID)
		if err != nil {
			return err
		}
		return s.alertNewReport(ctx, tx, ia, form, inbox, now)
	})
}

// changeInteraction changes the interaction behind a case the actor has just been
// shown (see ports.InteractionRepo.Change). One erased since is no longer
// a case: ErrNoSuchCase, as for any erased report.
func changeInteraction(ctx context.Context, tx ports.Tx, id domain.InteractionID, fn func(ia *domain.Interaction) error) (*domain.Interaction, error) {
	ia, err := tx.Interactions().Change(ctx, id, fn)
	if errors.Is(err, domain.ErrErased) {
		return nil, ErrNoSuchInteraction
	}
	return ia, err
}
