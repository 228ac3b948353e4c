package app

import (
	"context"
	"slices"
	"strings"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// MaxNotify is the most notification addresses an inbox may have: alerts
// are for the few people on duty, not a mailing list.
const MaxNotify = 20

// InboxSettings are an inbox's name, notification addresses and staff as
// an admin edits them.
type InboxSettings struct {
	Name string
	// NameCy is the name in Welsh, empty for none.
	NameCy string
	// Notify holds addresses one a line or separated by commas.
	Notify string
	// StaffIDs are the members with the staff role to assign; the others
	// of that role are unassigned. Admins' assignments are left alone.
	StaffIDs []domain.StaffID
}

// UpdateInbox renames an inbox, replaces its notification addresses and
// sets which staff are assigned to it, all at once or not at all.
// Problems come back with fields "name", "name_cy", "notify" and "staff".
// The Welsh name, when there is one, must not be another inbox's of the
// form in Welsh, as the English must not be in English.
func (s *Admin) UpdateInbox(ctx context.Context, a *Actor, id domain.InboxID, in InboxSettings) (inbox *domain.Inbox, err error) {
	defer domain.Wrap(&err, "app.Admin.UpdateInbox")
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	var problems domain.Problems
	problems.Add("name", checkInboxName(in.Name))
	if strings.TrimSpace(in.NameCy) != "" {
		problems.Add("name_cy", checkInboxName(in.NameCy))
	}
	notify, err := ParseAddressList(in.Notify)
	problems.Add("notify", err)
	err = s.changeIntake(ctx, func(tx ports.Tx) error {
		if inbox, err = ownInbox(ctx, tx, a, id); err != nil {
			return err
		}
		staff, err := assignableStaff(ctx, tx, a)
		if err != nil {
			return err
		}
		known := map[domain.StaffID]bool{}
		for _, m := range staff {
			known[m.ID] = true
		}
		for _, sid := range in.StaffIDs {
			if !known[sid] {
				problems = append(problems, domain.FieldProblem{Field: "staff", Safe: domain.Say("choose staff from the list")})
				break
			}
		}
		if err := problems.Invalid(); err != nil {
			return err
		}
		inbox.Name, inbox.NameCy, inbox.Notify = strings.TrimSpace(in.Name), strings.TrimSpace(in.NameCy), notify
		if err := tx.Inboxes().Update(ctx, inbox); err != nil {
			return nameProblem(err)
		}
		for _, m := range staff {
			want, has := slices.Contains(in.StaffIDs, m.ID), slices.Contains(m.InboxIDs, inbox.ID)
			if want == has {
				continue
			}
			// The member's other assignments are as they are now, not as
			// listed: another admin may be changing them at this moment.
			_, err := tx.Staff().Change(ctx, m.ID, func(cur *domain.Staff) error {
				cur.InboxIDs = slices.DeleteFunc(cur.InboxIDs, func(ib domain.InboxID) bool { return ib == inbox.ID })
				if want {
					cur.InboxIDs = append(cur.InboxIDs, inbox.ID)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		// The addresses are staff's, and stay out of the log: a count
		// shows that they changed.
		return s.record(ctx, tx, byStaff(a, domain.AuditInboxChange, map[string]string{"inbox": string(inbox.ID),
			"notify": howMany(inbox.Notify), "staff": howMany(in.StaffIDs)}))
	})
	if err != nil {
		return nil, err
	}
	return inbox, nil
}

// ParseAddressList reads email addresses given one a line or separated by
// commas or semicolons, as people paste them. Blanks and repeats are
// dropped. An error names the address by its place in the list, never by
// its text.
func ParseAddressList(text string) ([]string, error) {
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' })
	out := []string{}
	n := 0
	for _, f := range fields {
		if strings.TrimSpace(f) == "" {
			continue
		}
		n++
		addr, err := domain.ParseEmail(f)
		if err != nil {
			return nil, domain.Errorf(domain.KindInvalid, "address %d does not look like an email address (like name@example.org)", n)
		}
		if !slices.Contains(out, addr) {
			out = append(out, addr)
		}
	}
	if len(out) > MaxNotify {
		return nil, domain.Errorf(domain.KindInvalid, "an inbox notifies at most %d addresses", MaxNotify)
	}
	return out, nil
}
