package app

import (
	"context"
	"slices"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// digestRefs is the most references a digest names for one inbox; the
// counts still count them all.
const digestRefs = 50

// SendDigests queues the daily digest of each member who chose one for
// any of their inboxes, once a day: from domain.DigestAt (07:30) in the
// service's zone until domain.DigestUntil (12:00), so that a digest missed
// while the service was down goes when it comes back that morning. The
// retention sweep runs it each round.
//
// A digest counts, for each inbox the member chose it for, the reports
// and reporter replies since their previous digest (or in the last 24
// hours, for a first one) and the interactions awaiting reply, and names
// their references with portal links: no message, no name, nothing of a
// reporter. A member with nothing to report gets no email.
//
// Each member's day is claimed (ports.NotificationRepo.ClaimDigest) in the
// transaction that queues their email, so instances running it at once,
// or again after a restart, send it once. It returns how many digests it
// queued.
func (s *Casework) SendDigests(ctx context.Context) (sent int, err error) {
	defer domain.Wrap(&err, "app.Casework.SendDigests")
	now := s.now()
	day, due := domain.DigestDay(s.zone, now)
	if !due {
		return 0, nil
	}
	var members []ports.DigestMember
	err = s.store.View(ctx, func(tx ports.Tx) (err error) {
		members, err = tx.Notifications().DigestMembers(ctx)
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, m := range members {
		var queued bool
		err := s.store.InTx(ctx, func(tx ports.Tx) (err error) {
			queued, err = s.sendDigest(ctx, tx, m, day, now)
			return err
		})
		if err != nil {
			return sent, err
		}
		if queued {
			sent++
		}
	}
	return sent, nil
}

// sendDigest claims the member's day and queues their digest, if it has
// anything to say. The member is read again in tx, so that their language,
// their inboxes and their removal are as they are now; a day claimed with
// nothing to say stays claimed.
func (s *Casework) sendDigest(ctx context.Context, tx ports.Tx, dm ports.DigestMember, day string, now time.Time) (bool, error) {
	m, err := tx.Staff().Get(ctx, dm.Staff.ID)
	if err != nil || m.RemovedAt != nil {
		return false, err
	}
	modes, err := tx.Notifications().Preferences(ctx, m.ID)
	if err != nil {
		return false, err
	}
	var inboxes []domain.InboxID
	for _, ib := range m.InboxIDs {
		if modes[ib] == domain.NotifyDigest {
			inboxes = append(inboxes, ib)
		}
	}
	if len(inboxes) == 0 {
		return false, nil
	}
	claimed, previous, err := tx.Notifications().ClaimDigest(ctx, m.ID, day, now)
	if err != nil || !claimed {
		return false, err
	}
	since := now.Add(-domain.DigestWindow)
	if !previous.IsZero() {
		since = previous
	}
	counts, err := tx.Notifications().DigestCounts(ctx, inboxes, since, digestRefs)
	if err != nil {
		return false, err
	}
	all, err := tx.Inboxes().List(ctx, ports.InboxFilter{OrgID: &m.OrgID})
	if err != nil {
		return false, err
	}
	var lines []domain.DigestLine
	named := 0
	// In the form's order of the inboxes, as the portal lists them.
	for _, ib := range all {
		i := slices.IndexFunc(counts, func(c domain.DigestInbox) bool { return c.InboxID == ib.ID })
		if i < 0 || counts[i].Empty() {
			continue
		}
		c := counts[i]
		line := domain.DigestLine{Inbox: domain.InLanguage(m.Language, ib.Name, ib.NameCy),
			NewReports: c.NewReports, Replies: c.Replies, Awaiting: c.Awaiting}
		for _, ref := range c.Refs {
			line.Refs = append(line.Refs, domain.DigestRef{Ref: string(ref), Link: s.links.InteractionURL(ref)})
		}
		named += len(line.Refs)
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return false, nil
	}
	d, err := s.email(domain.DeliveryStaffDigest, m.OrgID, domain.Recipient{Address: m.Email, Language: m.Language}, now)
	if err != nil {
		return false, err
	}
	d.Subject, d.Body, d.Link, d.Count = day, domain.EncodeDigest(lines), s.links.Link("staff", ""), named
	return true, tx.Outbox().Enqueue(ctx, d)
}
