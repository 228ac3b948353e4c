package app

import (
	"context"
	"fmt"
	"sort"
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
		if c.Phone, err = domain.ParsePhone(phone); err != nil {
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

// Export returns an organisation's interactions that are not yet
// erased, as its staff would export them, for the end of its service.
func (s *Operations) Export(ctx context.Context, op Operator, org domain.OrgID, reason string) (rows []domain.ExportRow, err error) {
	defer domain.Wrap(&err, "app.Operations.Export")
	if reason == "" {
		reason = "export for the organisation"
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditExport, OrgID: org, Reason: reason}
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		if _, err := tx.Organisations().Get(ctx, org); err != nil {
			return err
		}
		rows, err = exportInteractions(ctx, tx, domain.Viewer{OrgID: org})
		e.Details = map[string]string{"interactions": strconv.Itoa(len(rows))}
		return err
	})
	return rows, err
}

// OperatorStatsRow is one cell of the operator's statistics.
type OperatorStatsRow struct {
	Month   string
	Inbox   string
	Channel domain.Channel
	Region  string
	// Count is zero and Suppressed set when fewer than domain.SmallCount
	// interactions fall in the cell, so that none can be singled out.
	Count      int
	Suppressed bool
}

// Stats counts interactions, erased ones included, by month,
// inbox, channel and region, for one organisation or all, in [from, to).
func (s *Operations) Stats(ctx context.Context, org *domain.OrgID, from, to time.Time) (rows []OperatorStatsRow, err error) {
	defer domain.Wrap(&err, "app.Operations.Stats")
	if !from.Before(to) {
		return nil, domain.Errorf(domain.KindInvalid, "--from must be before --to")
	}
	var facts []domain.Fact
	err = s.store.View(ctx, func(tx ports.Tx) (err error) {
		if org != nil {
			if _, err := tx.Organisations().Get(ctx, *org); err != nil {
				return err
			}
		}
		facts, err = tx.Interactions().Facts(ctx, org, from.UTC(), to.UTC())
		return err
	})
	if err != nil {
		return nil, err
	}
	counts := map[OperatorStatsRow]int{}
	for _, f := range facts {
		region := f.Region
		if region == "" {
			region = "unknown"
		}
		counts[OperatorStatsRow{Month: f.CreatedAt.Format("2006-01"), Inbox: f.InboxName, Channel: f.Channel, Region: region}]++
	}
	for key, n := range counts {
		row := key
		if n < domain.SmallCount {
			row.Suppressed = true
		} else {
			row.Count = n
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		return fmt.Sprint(a.Month, a.Inbox, a.Channel, a.Region) < fmt.Sprint(b.Month, b.Inbox, b.Channel, b.Region)
	})
	return rows, nil
}

// AuditLog returns the audit log, oldest first, after seq, at most limit.
func (s *Operations) AuditLog(ctx context.Context, afterSeq int64, limit int) (entries []*domain.AuditEntry, err error) {
	defer domain.Wrap(&err, "app.Operations.AuditLog")
	err = s.store.View(ctx, func(tx ports.Tx) error {
		entries, err = tx.Audit().List(ctx, afterSeq, limit)
		return err
	})
	return entries, err
}

// ErrAuditBroken is returned when the audit log's hash chain does not hold,
// or when an entry an operator saved as a head is gone or different.
var ErrAuditBroken = &domain.Error{Kind: domain.KindConflict, Safe: "the audit log has been altered"}

// VerifyAudit recomputes the audit log's keyed hash chain and returns what
// it found. When an entry was altered, removed or reordered, the error
// names the first that does not follow. With head (one printed earlier by
// AuditHead and kept elsewhere), the entry it names must still be there,
// unchanged: a chain whose newest entries were deleted still holds, and
// only a head saved before the deletion shows it.
func (s *Operations) VerifyAudit(ctx context.Context, head *domain.AuditHead) (check domain.AuditCheck, err error) {
	defer domain.Wrap(&err, "app.Operations.VerifyAudit")
	var named []*domain.AuditEntry
	err = s.store.View(ctx, func(tx ports.Tx) error {
		if check, err = tx.Audit().Verify(ctx); err != nil || head == nil {
			return err
		}
		named, err = tx.Audit().List(ctx, head.Seq-1, 1)
		return err
	})
	if err != nil {
		return check, err
	}
	if bad := check.Broken; bad != nil {
		return check, &domain.Error{Kind: domain.KindConflict,
			Safe: fmt.Sprintf("the audit log has been altered: entry %d (%s, %s) does not follow the one before it", bad.Seq, bad.Action, bad.At.Format(time.RFC3339)),
			Err:  ErrAuditBroken}
	}
	if head == nil {
		return check, nil
	}
	switch {
	case len(named) == 0 || named[0].Seq != head.Seq:
		return check, &domain.Error{Kind: domain.KindConflict,
			Safe: fmt.Sprintf("the audit log has been cut short: entry %d of the saved head is missing, and the log now ends at entry %d", head.Seq, check.Head.Seq),
			Err:  ErrAuditBroken}
	case named[0].Hash != head.Hash:
		return check, &domain.Error{Kind: domain.KindConflict,
			Safe: fmt.Sprintf("the audit log has been altered: entry %d is not the one the saved head names", head.Seq),
			Err:  ErrAuditBroken}
	}
	return check, nil
}

// AuditHead returns the newest entry's sequence number and hash, for an
// operator to keep somewhere the database's users cannot reach. It returns
// KindNotFound when the log is empty.
func (s *Operations) AuditHead(ctx context.Context) (head domain.AuditHead, err error) {
	defer domain.Wrap(&err, "app.Operations.AuditHead")
	err = s.store.View(ctx, func(tx ports.Tx) error {
		last, err := tx.Audit().Last(ctx)
		if domain.KindOf(err) == domain.KindNotFound {
			return domain.Errorf(domain.KindNotFound, "the audit log holds no entries yet")
		}
		if err == nil {
			head = domain.HeadOf(last)
		}
		return err
	})
	return head, err
}
