package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Purge asks for the retention purge.
type Purge struct {
	// Actor names who runs it, for the audit log: "os:alice", or
	// domain.ActorSystem for whisperd's scheduled sweep.
	Actor string
	// DryRun counts what would be erased and changes nothing.
	DryRun bool
	// AsOf, with DryRun, asks what would be due at another time.
	AsOf *time.Time
	// Batch bounds how many interactions one transaction erases, so that a
	// large purge never holds long locks that would stall new reports.
	Batch int
}

// PurgeResult counts what a purge did or, dry, would do.
type PurgeResult struct {
	AsOf   time.Time
	DryRun bool
	Erased int
	// Held counts interactions past their retention kept by a legal hold.
	Held int
	// Warned counts interactions newly announced to admins as soon due.
	Warned int
	// Unwarned says, for each organisation whose admins could not be
	// warned, why: such as a staff row that cannot be decrypted, named by
	// id. Erasure went on regardless, and the next run warns again.
	Unwarned []error
}

// PurgeLock names the ports.Leadership lock under which the retention
// purge runs, so that whisperd's sweeps on several instances and an
// operator's `whisperctl purge` never run at once. (The name is the one
// whisperd has always used, so that instances of an older release keep
// excluding newer ones during a rolling upgrade on PostgreSQL.)
const PurgeLock = "retention-sweep"

// ErasureNotice is how long before erasure admins are warned.
const ErasureNotice = 14 * 24 * time.Hour

// monthSlack widens the SQL cutoff by the days a month can lack, so that
// no due interaction is missed; domain.PurgeDue then decides exactly.
const monthSlack = 4 * 24 * time.Hour

// Purge erases every interaction past its organisation's retention period,
// batch by batch, skipping and counting legal holds, and warns admins of
// what falls due in the next fourteen days. It is idempotent, and records
// each run in the audit log, also one that erased nothing (a dry run
// changes nothing and is not recorded). A run that cannot read
// what is due fails, and is counted as failed: it never passes for one
// that found nothing to do. Erasure needs no personal data, so no row that
// cannot be decrypted stops it; one that stops an organisation's warning
// is reported in Unwarned.
func (s *Operations) Purge(ctx context.Context, in Purge) (res PurgeResult, err error) {
	defer domain.Wrap(&err, "app.Operations.Purge")
	if in.AsOf != nil && !in.DryRun {
		return res, domain.Errorf(domain.KindInvalid, "--as-of works only with --dry-run: erasure always happens as of now")
	}
	defer func() {
		if err != nil {
			s.meter.PurgeFailed()
		}
	}()
	if in.Batch <= 0 {
		in.Batch = 500
	}
	res.AsOf, res.DryRun = s.now(), in.DryRun
	if in.AsOf != nil {
		res.AsOf = in.AsOf.UTC()
	}
	orgs, err := s.ListOrganisations(ctx)
	if err != nil {
		return res, err
	}
	todo, err := s.organisationsToPurge(ctx, orgs, res.AsOf, in.DryRun)
	if err != nil {
		return res, err
	}
	for _, org := range orgs {
		if !todo[org.ID] {
			continue
		}
		if err := s.purgeOrganisation(ctx, org, in, &res); err != nil {
			return res, err
		}
		if !in.DryRun {
			if err := s.warnAdmins(ctx, org, res.AsOf, &res); err != nil {
				if ctx.Err() != nil {
					return res, err
				}
				res.Unwarned = append(res.Unwarned, fmt.Errorf("warning the admins of %s: %w", org.ID, err))
			}
		}
	}
	if !in.DryRun {
		s.meter.Purged(res.Erased, res.Held)
	}
	if !in.DryRun {
		err = s.store.InTx(ctx, func(tx ports.Tx) error {
			return tx.Audit().Append(ctx, &domain.AuditEntry{At: s.now(), Actor: in.Actor, Action: domain.AuditPurge,
				Details: map[string]string{"erased": fmt.Sprint(res.Erased), "held": fmt.Sprint(res.Held), "warned": fmt.Sprint(res.Warned)}})
		})
	}
	return res, err
}

// organisationsToPurge finds, in one query for each retention period in
// use, the organisations with anything to erase, count as held or, unless
// dry, warn of, so that a purge visits only those: a night's purge over
// thousands of organisations, most with nothing due, is then a few index
// probes each rather than a few transactions each. An interaction that
// falls due after this read is erased by the next purge.
func (s *core) organisationsToPurge(ctx context.Context, orgs []*domain.Organisation, asOf time.Time, dry bool) (map[domain.OrgID]bool, error) {
	scopes := map[domain.Retention]ports.PurgeScope{}
	for _, org := range orgs {
		r := org.Retention
		scope := ports.PurgeScope{Retention: r, Erase: dueBefore(r, asOf)}
		scope.Warn = scope.Erase // a dry run warns no one
		if !dry {
			scope.Warn = dueBefore(r, asOf.Add(ErasureNotice))
		}
		scopes[r] = scope
	}
	todo := map[domain.OrgID]bool{}
	err := s.store.View(ctx, func(tx ports.Tx) error {
		for _, scope := range scopes {
			ids, err := tx.Interactions().OrganisationsToPurge(ctx, scope)
			if err != nil {
				return err
			}
			for _, id := range ids {
				todo[id] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finding the organisations with anything due: %w", err)
	}
	return todo, nil
}

// dueBefore is a cutoff before which lies the last activity (or closing)
// of every interaction due at t under r. Retention.Before is exact but for
// the days a month lacks, which matter only when t is at the end of its
// month (31 August + 6 months is 28 February): then it is widened by
// monthSlack, as the purge's own reads always are, and otherwise by a few
// hours, for a clock that changed in between. So on most nights an
// organisation whose interactions fall due in the next few days is not
// visited for nothing.
func dueBefore(r domain.Retention, t time.Time) time.Time {
	if t.UTC().Day() >= 27 {
		return r.Before(t).Add(monthSlack)
	}
	return r.Before(t).Add(3 * time.Hour)
}

func (s *core) purgeOrganisation(ctx context.Context, org *domain.Organisation, in Purge, res *PurgeResult) error {
	cutoff := org.Retention.Before(res.AsOf).Add(monthSlack)
	var after ports.Position
	for {
		var batch []*domain.Interaction
		err := s.store.View(ctx, func(tx ports.Tx) (err error) {
			batch, err = tx.Interactions().DueCandidates(ctx, org.ID, cutoff, after, in.Batch)
			return err
		})
		if err != nil {
			return fmt.Errorf("reading what is due in %s: %w", org.ID, err)
		}
		if len(batch) == 0 {
			break
		}
		after = ports.PositionOf(batch[len(batch)-1])
		var due []domain.InteractionID
		for _, ia := range batch {
			if domain.PurgeDue(ia, org.Retention, res.AsOf) {
				due = append(due, ia.ID)
			}
		}
		if in.DryRun {
			res.Erased += len(due)
			continue
		}
		if len(due) > 0 {
			// Erase skips what was held (or erased) since the read: only
			// what it erased counts, and the holds are counted below.
			var erased []domain.InteractionID
			err = s.store.InTx(ctx, func(tx ports.Tx) (err error) {
				erased, err = tx.Interactions().Erase(ctx, res.AsOf, due...)
				return err
			})
			if err != nil {
				return err
			}
			res.Erased += len(erased)
		}
	}
	return s.store.View(ctx, func(tx ports.Tx) error {
		held, err := tx.Interactions().CountHeld(ctx, org.ID, org.Retention.Before(res.AsOf))
		res.Held += held
		return err
	})
}

// maxWarnings bounds one run's warning to an organisation, so that its
// transaction stays short; the rest are announced by the next run, well
// before they are due.
const maxWarnings = 1000

// warnAdmins emails the organisation's admins the references of
// interactions due within ErasureNotice that they have not been told of.
func (s *core) warnAdmins(ctx context.Context, org *domain.Organisation, now time.Time, res *PurgeResult) error {
	horizon := now.Add(ErasureNotice)
	cutoff := org.Retention.Before(horizon).Add(monthSlack)
	warned := 0 // counted once the warning is committed
	err := s.store.InTx(ctx, func(tx ports.Tx) error {
		warned = 0
		var lines []string
		var after ports.Position
		for len(lines) < maxWarnings {
			batch, err := tx.Interactions().DueCandidates(ctx, org.ID, cutoff, after, 500)
			if err != nil || len(batch) == 0 {
				if err != nil {
					return err
				}
				break
			}
			after = ports.PositionOf(batch[len(batch)-1])
			var due []*domain.Interaction
			for _, ia := range batch {
				if domain.PurgeDue(ia, org.Retention, horizon) {
					due = append(due, ia)
				}
			}
			// Marked here or by a purge running beside this one: only the
			// one that marks an interaction tells the admins. One statement
			// marks as many as the warning has room for; those warned
			// already leave room, which the next of the batch fill.
			for len(due) > 0 && len(lines) < maxWarnings {
				chunk := due[:min(len(due), maxWarnings-len(lines))]
				due = due[len(chunk):]
				ids := make([]domain.InteractionID, len(chunk))
				for n, ia := range chunk {
					ids[n] = ia.ID
				}
				marked, err := tx.Interactions().MarkWarned(ctx, now, ids...)
				if err != nil {
					return err
				}
				ours := make(map[domain.InteractionID]bool, len(marked))
				for _, id := range marked {
					ours[id] = true
				}
				for _, ia := range chunk {
					if ours[ia.ID] {
						from := domain.ErasureDue(ia, org.Retention)
						// A reference and a calendar day (2026-10-08), which
						// the email names in its reader's language.
						lines = append(lines, string(ia.Ref)+" "+s.zone.Day(from))
					}
				}
			}
		}
		if len(lines) == 0 {
			return nil
		}
		// One warning each, queued in one statement.
		if _, err := s.toAdmins(ctx, tx, org.ID, domain.Delivery{
			Kind: domain.DeliveryErasureWarning, Link: s.links.Link("staff", ""), Body: strings.Join(lines, "\n"),
			Subject: org.Name, Count: len(lines), Status: domain.DeliveryPending, NextAttemptAt: now, CreatedAt: now,
		}); err != nil {
			return err
		}
		warned = len(lines)
		return nil
	})
	if err == nil {
		res.Warned += warned
	}
	return err
}
