package app

import (
	"context"
	"slices"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// InboxNotification is one inbox of the account page's notification
// choices, and what the member chose for it.
type InboxNotification struct {
	Inbox *domain.Inbox
	Mode  domain.NotifyMode
}

// NotifyField is the account page's field of an inbox's choice.
func NotifyField(inbox domain.InboxID) string { return "notify-" + string(inbox) }

// errNoSuchInbox answers a choice for an inbox the member is not assigned
// to, whether it exists or not.
var errNoSuchInbox = &domain.Error{Kind: domain.KindNotFound, Safe: domain.Say("no such inbox")}

// NotificationPreferences returns how the member hears of each inbox they
// are assigned to: the inboxes whose new reports and replies they are
// emailed about (an admin sees every inbox, but is alerted only of those
// assigned to them, as before), in the form's order.
func (s *Casework) NotificationPreferences(ctx context.Context, a *Actor) (out []InboxNotification, err error) {
	defer domain.Wrap(&err, "app.Casework.NotificationPreferences")
	err = s.store.View(ctx, func(tx ports.Tx) error {
		out, err = notificationChoices(ctx, tx, a.Staff.ID)
		return err
	})
	return out, err
}

// notificationChoices reads the member as they are in tx, their inboxes
// and their choices.
func notificationChoices(ctx context.Context, tx ports.Tx, id domain.StaffID) ([]InboxNotification, error) {
	m, err := tx.Staff().Get(ctx, id)
	if err != nil {
		return nil, err
	}
	inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{OrgID: &m.OrgID})
	if err != nil {
		return nil, err
	}
	modes, err := tx.Notifications().Preferences(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	var out []InboxNotification
	for _, ib := range inboxes {
		if !slices.Contains(m.InboxIDs, ib.ID) {
			continue
		}
		mode, ok := modes[ib.ID]
		if !ok {
			mode = domain.NotifyAtOnce
		}
		out = append(out, InboxNotification{Inbox: ib, Mode: mode})
	}
	return out, nil
}

// SetNotificationPreferences saves the member's choices, by inbox id: now,
// digest or none. All are saved or none: a choice that is none of the
// three is a problem on its field (KindInvalid), and a choice for an
// inbox the member is not assigned to is KindNotFound, as for an inbox
// that does not exist. Urgent alerts do not follow these choices.
func (s *Casework) SetNotificationPreferences(ctx context.Context, a *Actor, choices map[domain.InboxID]string) (err error) {
	defer domain.Wrap(&err, "app.Casework.SetNotificationPreferences")
	modes := make(map[domain.InboxID]domain.NotifyMode, len(choices))
	var problems domain.Problems
	for inbox, choice := range choices {
		mode, err := domain.ParseNotifyMode(choice)
		if problems.Add(NotifyField(inbox), err) {
			continue
		}
		modes[inbox] = mode
	}
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		// The member's assignments as they are now, not as the session
		// read them: an inbox taken from them a moment ago is refused.
		m, err := tx.Staff().Get(ctx, a.Staff.ID)
		if err != nil {
			return err
		}
		for inbox := range choices {
			if !slices.Contains(m.InboxIDs, inbox) {
				return errNoSuchInbox
			}
		}
		if err := problems.Invalid(); err != nil {
			return err
		}
		return tx.Notifications().SetPreferences(ctx, m.ID, modes)
	})
}
