package app

import (
	"context"
	"strconv"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SubjectAccess is everything held about one reporter, for a subject
// access request.
type SubjectAccess struct {
	Interactions []SubjectInteraction
}

// SubjectInteraction is one of the reporter's interactions, in full.
type SubjectInteraction struct {
	Ref            domain.Reference
	Organisation   string
	Form           string
	Inbox          string
	Channel        domain.Channel
	Status         domain.Status
	ReporterName   string
	Contact        domain.Contact
	LegalHold      bool
	CreatedAt      time.Time
	LastActivityAt time.Time
	ClosedAt       *time.Time
	ErasedAt       *time.Time
	Messages       []SubjectMessage
}

// SubjectMessage is one message of the conversation. The reporter's own
// messages come with their meta data; staff messages with the first name
// the reporter saw.
type SubjectMessage struct {
	FromReporter bool
	StaffName    string
	Body         string
	At           time.Time
	Meta         *domain.Meta
}

// SubjectAccessRequest gathers everything held about the reporter with
// that email address or phone number (either or both), found through the
// blind indexes. The audit entry records how they were found and how many
// interactions, never the address or number.
func (s *Operations) SubjectAccessRequest(ctx context.Context, op Operator, email, phone, reason string) (out SubjectAccess, err error) {
	defer domain.Wrap(&err, "app.Operations.SubjectAccessRequest")
	var c domain.Contact
	if email != "" {
		if c.Email, err = domain.ParseEmail(email); err != nil {
			return out, err
		}
	}
	if phone != "" {
		if c.Phone, err = s.parsePhone(phone); err != nil {
			return out, err
		}
	}
	if c == (domain.Contact{}) {
		return out, domain.Errorf(domain.KindInvalid, "give --email or --phone (or both)")
	}
	if reason == "" {
		reason = "subject access request"
	}
	by := map[bool]string{true: "email", false: "phone"}[c.Email != ""]
	if c.Email != "" && c.Phone != "" {
		by = "email+phone"
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditDSAR, Reason: reason, Details: map[string]string{"by": by}}
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		found, err := tx.Interactions().FindByContact(ctx, c)
		if err != nil {
			return err
		}
		for _, ia := range found {
			si, err := subjectInteraction(ctx, tx, ia)
			if err != nil {
				return err
			}
			out.Interactions = append(out.Interactions, si)
		}
		e.Details["found"] = strconv.Itoa(len(found))
		return nil
	})
	return out, err
}

func subjectInteraction(ctx context.Context, tx ports.Tx, ia *domain.Interaction) (SubjectInteraction, error) {
	si := SubjectInteraction{
		Ref: ia.Ref, Channel: ia.Channel, Status: ia.Status, ReporterName: ia.ReporterName, LegalHold: ia.LegalHold,
		CreatedAt: ia.CreatedAt, LastActivityAt: ia.LastActivityAt, ClosedAt: ia.ClosedAt, ErasedAt: ia.ErasedAt,
	}
	org, err := tx.Organisations().Get(ctx, ia.OrgID)
	if err != nil {
		return si, err
	}
	form, err := tx.Forms().Get(ctx, ia.FormID)
	if err != nil {
		return si, err
	}
	inbox, err := tx.Inboxes().Get(ctx, ia.InboxID)
	if err != nil {
		return si, err
	}
	si.Organisation, si.Form, si.Inbox = org.Name, form.Name, inbox.Name
	if si.Contact, err = tx.Interactions().Contact(ctx, ia.ID); err != nil {
		return si, err
	}
	msgs, err := tx.Messages().List(ctx, ia.ID)
	if err != nil {
		return si, err
	}
	names := map[domain.StaffID]string{}
	for _, m := range msgs {
		sm := SubjectMessage{FromReporter: m.Author == domain.AuthorReporter, Body: m.Body, At: m.CreatedAt}
		if sm.FromReporter {
			meta, err := tx.Messages().Meta(ctx, m.ID)
			if err != nil {
				return si, err
			}
			sm.Meta = &meta
		} else if sm.StaffName, err = staffFirstName(ctx, tx, names, m.StaffID); err != nil {
			return si, err
		}
		si.Messages = append(si.Messages, sm)
	}
	return si, nil
}
