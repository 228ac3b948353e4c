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
	// The organisations to visit, by retention period, in the order listed.
	var periods []domain.Retention
	byPeriod := map[domain.Retention][]*domain.Organisation{}
	for _, org := range orgs {
		if !todo[org.ID] {
			continue
		}
		if byPeriod[org.Retention] == nil {
			periods = append(periods, org.Retention)
		}
		byPeriod[org.Retention] = append(byPeriod[org.Retention], org)
	}
	for _, r := range periods {
		if err := s.purgePeriod(ctx, r, byPeriod[r], in, &res); err != nil {
			return res, err
		}
		if !in.DryRun {
			if err := s.warnPeriod(ctx, byPeriod[r], res.AsOf, &res); err != nil {
				return res, err
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

// purgePeriod erases what is due in orgs, which all keep data for r,
// walking them (dueWalk) in batches of in.Batch, each erased in one
// transaction, and then counts their holds in one query: a night's
// purge costs a few transactions per batch, not per organisation.
func (s *core) purgePeriod(ctx context.Context, r domain.Retention, orgs []*domain.Organisation, in Purge, res *PurgeResult) error {
	ids := make([]domain.OrgID, len(orgs))
	for n, org := range orgs {
		ids[n] = org.ID
	}
	walk := dueWalk{orgs: ids, q: ports.DueQuery{Cutoff: r.Before(res.AsOf).Add(monthSlack)}}
	for {
		var batch []*domain.Interaction
		var next dueWalk
		err := s.store.View(ctx, func(tx ports.Tx) (err error) {
			batch, next, err = walk.next(ctx, tx, in.Batch)
			return err
		})
		if err != nil {
			return fmt.Errorf("reading what is due in %d organisations: %w", len(ids), err)
		}
		if len(batch) == 0 {
			break
		}
		walk = next
		var due []domain.InteractionID
		for _, ia := range batch {
			if domain.PurgeDue(ia, r, res.AsOf) {
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
		held, err := tx.Interactions().CountHeld(ctx, ids, r.Before(res.AsOf))
		res.Held += held
		return err
	})
}

// dueWalk is a walk through what is due in several organisations, one
// after the other, each in the order its interactions fall due, so that
// each batch is read from where the last one ended: a backlog of any size
// is read once. A batch may span organisations, so that a night's purge of
// many organisations with a few due each costs a few transactions.
type dueWalk struct {
	orgs []domain.OrgID // those not walked to the end, the current one first
	q    ports.DueQuery // the current one's, at its place in the walk
}

// next reads, in tx, up to limit of what is due from the walk's place on,
// and returns the walk's place after them. It changes nothing of w, so a
// transaction that is tried again reads the same batch.
func (w dueWalk) next(ctx context.Context, tx ports.Tx, limit int) ([]*domain.Interaction, dueWalk, error) {
	var batch []*domain.Interaction
	for len(w.orgs) > 0 && len(batch) < limit {
		w.q.Org, w.q.Limit = w.orgs[0], limit-len(batch)
		got, err := tx.Interactions().DueCandidates(ctx, w.q)
		if err != nil {
			return nil, w, err
		}
		batch = append(batch, got...)
		if len(got) == w.q.Limit {
			// It may hold more: the next batch starts after these.
			w.q.After = ports.DuePositionOf(got[len(got)-1])
		} else {
			w.orgs, w.q.After = w.orgs[1:], ports.DuePosition{}
		}
	}
	return batch, w, nil
}

// warnGroup is how many organisations' warnings one transaction queues.
const warnGroup = 200

// warnPeriod warns the admins of orgs, which all keep data for the same
// period, warnGroup organisations to a transaction. A group that fails
// (an admin's row that cannot be decrypted, say) is warned again one
// organisation at a time, so that only the organisations at fault are
// left unwarned, and reported in res.Unwarned.
func (s *core) warnPeriod(ctx context.Context, orgs []*domain.Organisation, now time.Time, res *PurgeResult) error {
	for len(orgs) > 0 {
		group := orgs[:min(len(orgs), warnGroup)]
		orgs = orgs[len(group):]
		err := s.warnAdmins(ctx, group, now, res)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return err
		}
		for _, org := range group {
			if len(group) == 1 {
				res.Unwarned = append(res.Unwarned, fmt.Errorf("warning the admins of %s: %w", org.ID, err))
				break
			}
			if err := s.warnAdmins(ctx, []*domain.Organisation{org}, now, res); err != nil {
				if ctx.Err() != nil {
					return err
				}
				res.Unwarned = append(res.Unwarned, fmt.Errorf("warning the admins of %s: %w", org.ID, err))
			}
		}
	}
	return nil
}

// maxWarnings bounds one run's warning to an organisation, so that its
// transaction stays short; the rest are announced by the next run, well
// before they are due.
const maxWarnings = 1000

// warnAdmins emails the admins of each of orgs, which all keep data for
// the same period, the references of interactions due within
// ErasureNotice that they have not been told of, all in one transaction.
func (s *core) warnAdmins(ctx context.Context, orgs []*domain.Organisation, now time.Time, res *PurgeResult) error {
	horizon := now.Add(ErasureNotice)
	r := orgs[0].Retention
	ids := make([]domain.OrgID, len(orgs))
	for n, org := range orgs {
		ids[n] = org.ID
	}
	warned := 0 // counted once the warnings are committed
	err := s.store.InTx(ctx, func(tx ports.Tx) error {
		warned = 0
		lines := map[domain.OrgID][]string{}
		walk := dueWalk{orgs: ids, q: ports.DueQuery{Cutoff: r.Before(horizon).Add(monthSlack), Unwarned: true}}
		for {
			var batch []*domain.Interaction
			var err error
			batch, walk, err = walk.next(ctx, tx, 500)
			if err != nil || len(batch) == 0 {
				if err != nil {
					return err
				}
				break
			}
			// Each organisation's warning names at most maxWarnings.
			room := map[domain.OrgID]int{}
			var due []*domain.Interaction
			for _, ia := range batch {
				if domain.PurgeDue(ia, r, horizon) && len(lines[ia.OrgID])+room[ia.OrgID] < maxWarnings {
					room[ia.OrgID]++
					due = append(due, ia)
				}
			}
			if len(due) == 0 {
				continue
			}
			// Marked here or by a purge running beside this one: only the
			// one that marks an interaction tells the admins, in one
			// statement for the batch.
			marked, err := tx.Interactions().MarkWarned(ctx, now, interactionIDs(due)...)
			if err != nil {
				return err
			}
			ours := make(map[domain.InteractionID]bool, len(marked))
			for _, id := range marked {
				ours[id] = true
			}
			for _, ia := range due {
				if ours[ia.ID] {
					from := domain.ErasureDue(ia, r)
					// A reference and a calendar day (2026-10-08), which
					// the email names in its reader's language.
					lines[ia.OrgID] = append(lines[ia.OrgID], string(ia.Ref)+" "+s.zone.Day(from))
				}
			}
		}
		// One warning each, queued in one statement per organisation.
		for _, org := range orgs {
			l := lines[org.ID]
			if len(l) == 0 {
				continue
			}
			if _, err := s.toAdmins(ctx, tx, org.ID, domain.Delivery{
				Kind: domain.DeliveryErasureWarning, Link: s.links.Link("staff", ""), Body: strings.Join(l, "\n"),
				Subject: org.Name, Count: len(l), Status: domain.DeliveryPending, NextAttemptAt: now, CreatedAt: now,
			}); err != nil {
				return err
			}
			warned += len(l)
		}
		return nil
	})
	if err == nil {
		res.Warned += warned
	}
	return err
}

func interactionIDs(ias []*domain.Interaction) []domain.InteractionID {
	out := make([]domain.InteractionID, len(ias))
	for n, ia := range ias {
		out[n] = ia.ID
	}
	return out
}
