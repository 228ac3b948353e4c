package app

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Notice is the operator's message to organisations: planned maintenance
// (announced five business days ahead), a change to the terms.
type Notice struct {
	Subject string
	// Body is plain text, sent as written.
	Body string
	// WelshSubject and WelshBody, when given (both or neither), are the
	// notice in Welsh, sent instead to the admins who read Whisper in
	// Welsh. Everyone else gets Subject and Body.
	WelshSubject, WelshBody string
	// OrgID names the one organisation to tell; or All tells every
	// organisation whose subscription has not ended (on trial, active or
	// suspended: a suspended school may come back, and the terms still
	// bind it).
	OrgID domain.OrgID
	All   bool
	// Reason goes in the audit log.
	Reason string
}

// Notified says how many organisations a notice went to, and how many
// emails it queued.
type Notified struct {
	Orgs, Emails int
}

// The bounds of a notice.
const (
	maxNoticeSubject = 200
	maxNoticeBody    = 20000
)

// Notify queues a notice to each targeted organisation's contact and
// admins (see orgAddresses), one email to each address however many of
// the organisations it serves, through the outbox: nothing is lost if the
// mail server is down. One audit entry names the subject, the target and
// the counts, never the body. An empty subject or body, one too long, or
// not exactly one of OrgID and All, is KindInvalid and queues nothing.
func (s *Subscriptions) Notify(ctx context.Context, op Operator, in Notice) (out Notified, err error) {
	defer domain.Wrap(&err, "app.Subscriptions.Notify")
	if in.Reason, err = requireReason(in.Reason); err != nil {
		return out, err
	}
	if err := in.check(); err != nil {
		return out, err
	}
	target := string(in.OrgID)
	if in.All {
		target = "all"
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditNotify, OrgID: in.OrgID, Reason: in.Reason,
		Details: map[string]string{"subject": in.Subject, "target": target}}
	now := s.now()
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		out = Notified{}
		orgs, err := noticeTargets(ctx, tx, in)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		var notices []*domain.Delivery
		for _, org := range orgs {
			to, err := orgAddresses(ctx, tx, org)
			if err != nil {
				return err
			}
			for _, addr := range uniqueAddresses(seen, to) {
				d, err := s.email(domain.DeliveryOperatorNotice, org.ID, addr, now)
				if err != nil {
					return err
				}
				d.Subject, d.Body = in.Subject, in.Body
				if d.Language == domain.Welsh && in.WelshSubject != "" {
					d.Subject, d.Body = in.WelshSubject, in.WelshBody
				}
				notices = append(notices, d)
			}
		}
		out = Notified{Orgs: len(orgs), Emails: len(notices)}
		e.Details["orgs"], e.Details["emails"] = strconv.Itoa(out.Orgs), strconv.Itoa(out.Emails)
		return tx.Outbox().Enqueue(ctx, notices...)
	})
	return out, err
}

func (in *Notice) check() error {
	in.Subject, in.Body = strings.TrimSpace(in.Subject), strings.TrimSpace(in.Body)
	in.WelshSubject, in.WelshBody = strings.TrimSpace(in.WelshSubject), strings.TrimSpace(in.WelshBody)
	switch {
	case in.All == (in.OrgID != ""):
		return domain.Errorf(domain.KindInvalid, "a notice goes to one organisation or to all, not both or neither")
	case in.Subject == "" || in.Body == "":
		return domain.Errorf(domain.KindInvalid, "a notice needs a subject and a body")
	case (in.WelshSubject == "") != (in.WelshBody == ""):
		return domain.Errorf(domain.KindInvalid, "a notice's Welsh needs both a subject and a body, or neither")
	}
	for _, text := range []struct{ subject, body string }{{in.Subject, in.Body}, {in.WelshSubject, in.WelshBody}} {
		switch {
		case utf8.RuneCountInString(text.subject) > maxNoticeSubject || strings.ContainsAny(text.subject, "\r\n"):
			return domain.Errorf(domain.KindInvalid, "a notice's subject is one line of at most %d characters", maxNoticeSubject)
		case utf8.RuneCountInString(text.body) > maxNoticeBody || !utf8.ValidString(text.body):
			return domain.Errorf(domain.KindInvalid, "a notice's body is text of at most %d characters", maxNoticeBody)
		}
	}
	return nil
}

// noticeTargets are the organisations a notice goes to.
func noticeTargets(ctx context.Context, tx ports.Tx, in Notice) ([]*domain.Organisation, error) {
	if !in.All {
		org, err := tx.Organisations().Get(ctx, in.OrgID)
		if err != nil {
			return nil, err
		}
		return []*domain.Organisation{org}, nil
	}
	all, err := tx.Organisations().List(ctx)
	if err != nil {
		return nil, err
	}
	var out []*domain.Organisation
	for _, org := range all {
		if org.Status != domain.OrgEnded {
			out = append(out, org)
		}
	}
	return out, nil
}
