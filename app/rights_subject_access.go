package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SubjectAccess is everything held about one reporter, for a subject
// access request.
type SubjectAccess struct {
	Interactions []SubjectInteraction
	// Told are the schools told of the request, when asked.
	Told []SchoolTold
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
	// InternalNotes counts the notes the school's staff wrote about the
	// interaction (issue #20). Their texts are not in the record: they
	// are the school's safeguarding records, about the reporter and often
	// about others, and only the school can weigh what of them to give
	// (third parties' data, the exemptions of the Data Protection Act
	// 2018). The record says that they exist, so that the school, told of
	// the reference, answers for them.
	InternalNotes int
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

// SubjectAccessQuery is a subject access request as the operator takes
// it: the reporter's email address or phone number (either or both), why,
// and whether to tell the schools concerned.
type SubjectAccessQuery struct {
	Email  string // sensitive
	Phone  string // sensitive; any form ParsePhone reads
	Reason string
	// TellSchools emails the admins of each organisation that holds an
	// interaction of the reporter's that a subject access request
	// concerns those references, so that the school can answer
	// for the messages it controls jointly with the operator.
	TellSchools bool
}

// SchoolTold is an organisation told of a subject access request: the
// references it was sent and how many admins it was sent to.
type SchoolTold struct {
	OrgID        domain.OrgID
	Organisation string
	Refs         []domain.Reference
	Admins       int
}

// SubjectAccessRequest gathers everything held about the reporter with
// that email address or phone number (either or both), found through the
// blind indexes, and, when asked, tells each school concerned, through the
// outbox, which of its references the request concerns and nothing more.
// The audit entry records how the reporter was found, how many
// interactions and how many schools were told, never the address or
// number.
func (s *Rights) SubjectAccessRequest(ctx context.Context, op Operator, q SubjectAccessQuery) (out SubjectAccess, err error) {
	defer domain.Wrap(&err, "app.Rights.SubjectAccessRequest")
	if q.Reason, err = requireReason(q.Reason); err != nil {
		return out, err
	}
	var c domain.Contact
	if q.Email != "" {
		if c.Email, err = domain.ParseEmail(q.Email); err != nil {
			return out, err
		}
	}
	if q.Phone != "" {
		if c.Phone, err = s.parsePhone(q.Phone); err != nil {
			return out, err
		}
	}
	if c == (domain.Contact{}) {
		return out, domain.Errorf(domain.KindInvalid, "give --email or --phone (or both)")
	}
	by := map[bool]string{true: "email", false: "phone"}[c.Email != ""]
	if c.Email != "" && c.Phone != "" {
		by = "email+phone"
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditDSAR, Reason: q.Reason, Details: map[string]string{"by": by}}
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		out = SubjectAccess{}
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
		if !q.TellSchools {
			return nil
		}
		if out.Told, err = s.tellSchools(ctx, tx, found); err != nil {
			return err
		}
		e.Details["schools_told"] = howMany(out.Told)
		return nil
	})
	return out, err
}

// tellSchools queues, for each organisation with an interaction among
// found, one email to each of its admins listing those references. (An
// erased interaction keeps no blind index, so none is found, and a school
// whose interactions with the reporter are all erased is not told.)
func (s *Rights) tellSchools(ctx context.Context, tx ports.Tx, found []*domain.Interaction) ([]SchoolTold, error) {
	var told []SchoolTold
	at := map[domain.OrgID]int{}
	for _, ia := range found {
		i, seen := at[ia.OrgID]
		if !seen {
			i = len(told)
			at[ia.OrgID] = i
			told = append(told, SchoolTold{OrgID: ia.OrgID})
		}
		told[i].Refs = append(told[i].Refs, ia.Ref)
	}
	now := s.now()
	for i, t := range told {
		org, err := tx.Organisations().Get(ctx, t.OrgID)
		if err != nil {
			return nil, err
		}
		refs := make([]string, len(t.Refs))
		for n, ref := range t.Refs {
			refs[n] = string(ref)
		}
		told[i].Organisation = org.Name
		told[i].Admins, err = s.toAdmins(ctx, tx, org.ID, domain.Delivery{
			Kind: domain.DeliverySubjectAccess, Link: s.links.Link("staff", ""), Body: strings.Join(refs, "\n"),
			Subject: org.Name, Status: domain.DeliveryPending, NextAttemptAt: now, CreatedAt: now,
		})
		if err != nil {
			return nil, err
		}
	}
	return told, nil
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
	if si.InternalNotes, err = subjectNotes(ctx, tx, ia); err != nil {
		return si, err
	}
	return si, nil
}

// subjectNotes counts the interaction's internal notes, as its
// organisation's admins see them; an erased interaction has none.
func subjectNotes(ctx context.Context, tx ports.Tx, ia *domain.Interaction) (int, error) {
	if ia.ErasedAt != nil {
		return 0, nil
	}
	notes, err := tx.Notes().List(ctx, domain.Viewer{OrgID: ia.OrgID}, ia.Ref)
	return len(notes), err
}
