package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
)

type auditRow struct {
	bun.BaseModel `bun:"table:audit_log"`

	Seq      int64     `bun:"seq,pk"`
	At       time.Time `bun:"at"`
	Actor    string    `bun:"actor"`
	Action   string    `bun:"action"`
	OrgID    string    `bun:"org_id"`
	Ref      string    `bun:"ref"`
	Reason   string    `bun:"reason"`
	Details  jsonMap   `bun:"details"`
	PrevHash string    `bun:"prev_hash"`
	Hash     string    `bun:"hash"`
}

func (r *auditRow) entry() *domain.AuditEntry {
	return &domain.AuditEntry{
		Seq: r.Seq, At: r.At.UTC(), Actor: r.Actor, Action: r.Action, OrgID: domain.OrgID(r.OrgID),
		Ref: domain.Reference(r.Ref), Reason: r.Reason, Details: map[string]string(r.Details),
		PrevHash: r.PrevHash, Hash: r.Hash,
	}
}

// auditLockKey serialises appends on PostgreSQL; SQLite has one writer.
const auditLockKey = 0x57_41_55_44 // "WAUD"

// auditChainKind keeps the chain's MACs apart from every blind index made
// under the same derived key.
const auditChainKind = "audit-chain"

// auditPage is how many entries a walk through the log reads at a time.
const auditPage = 1000

type audit struct{ *tx }

// mac is the chain's keyed hash: HMAC-SHA256 under the key blind indexes
// are made with (derived from the data key), so that recomputing the
// chain after altering an entry needs the data key, not only the database.
func (a audit) mac(input []byte) string { return a.keys.Chain(auditChainKind, string(input)) }

func (a audit) Append(ctx context.Context, e *domain.AuditEntry) error {
	if a.postgres {
		if _, err := a.db.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", auditLockKey); err != nil {
			return translate(err)
		}
	}
	last, err := a.Last(ctx)
	if err != nil && domain.KindOf(err) != domain.KindNotFound {
		return err
	}
	// The database keeps microseconds: the hash must cover what it keeps.
	e.Seq, e.PrevHash, e.At = 1, "", e.At.UTC().Truncate(time.Microsecond)
	if last != nil {
		e.Seq, e.PrevHash = last.Seq+1, last.Hash
	}
	e.Hash = a.mac(domain.ChainInput(e.PrevHash, e))
	_, err = a.db.NewInsert().Model(&auditRow{
		Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, OrgID: string(e.OrgID), Ref: string(e.Ref),
		Reason: e.Reason, Details: jsonMap(e.Details), PrevHash: e.PrevHash, Hash: e.Hash,
	}).Exec(ctx)
	return translate(err)
}

func (a audit) List(ctx context.Context, afterSeq int64, limit int) ([]*domain.AuditEntry, error) {
	var rows []auditRow
	q := a.db.NewSelect().Model(&rows).Where("seq > ?", afterSeq).Order("seq")
	if limit > 0 {
		q = q.Limit(int64(limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, translate(err)
	}
	out := make([]*domain.AuditEntry, len(rows))
	for i := range rows {
		out[i] = rows[i].entry()
	}
	return out, nil
}

func (a audit) Last(ctx context.Context) (*domain.AuditEntry, error) {
	var last auditRow
	if err := a.db.NewSelect().Model(&last).Order("seq DESC").Limit(1).Scan(ctx); err != nil {
		return nil, translate(err)
	}
	return last.entry(), nil
}

func (a audit) Verify(ctx context.Context) (check domain.AuditCheck, err error) {
	var last *domain.AuditEntry
	for {
		page, err := a.List(ctx, seqOf(last), auditPage)
		if err != nil || len(page) == 0 {
			return check, err
		}
		if bad := domain.VerifyChain(a.mac, last, page); bad != nil {
			check.Broken = bad
			return check, nil
		}
		for _, e := range page {
			if e.Action == domain.AuditChainRekeyed && e.Details["old_chain"] != "intact" {
				check.EarlierBreaks = append(check.EarlierBreaks, e)
			}
		}
		last = page[len(page)-1]
		check.Checked += len(page)
		check.Head = domain.HeadOf(last)
	}
}

func seqOf(e *domain.AuditEntry) int64 {
	if e == nil {
		return 0
	}
	return e.Seq
}

// keyedChainMigration is the migration after which the chain is keyed.
const keyedChainMigration = "20261205000012"

// keyChain rekeys a chain written before it was keyed, in the
// migration's transaction: it checks the old, unkeyed chain (a bare
// SHA-256, which anyone could recompute), then rewrites every entry's
// prev_hash and hash under the key, and appends an entry that says how
// many entries it rekeyed and whether the old chain was whole. A break it
// found is not hidden: the entry names the first entry that did not follow,
// and verify reports it from then on. A chain that already holds under the
// key (a migration run again after a crash) is left as it is.
func (a audit) keyChain(ctx context.Context) error {
	if a.postgres {
		// An instance still running the old code waits to append.
		if _, err := a.db.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", auditLockKey); err != nil {
			return translate(err)
		}
	}
	if check, err := a.Verify(ctx); err != nil || check.Broken == nil {
		return err
	}
	var (
		oldPrev, newPrev string
		oldSeq           int64
		firstBad         int64
		rekeyed          int
	)
	for {
		page, err := a.List(ctx, oldSeq, auditPage)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			sum := sha256.Sum256(domain.ChainInput(oldPrev, e))
			if firstBad == 0 && (e.Seq != oldSeq+1 || e.PrevHash != oldPrev || e.Hash != hex.EncodeToString(sum[:])) {
				firstBad = e.Seq
			}
			oldPrev, oldSeq = e.Hash, e.Seq
			e.PrevHash = newPrev
			e.Hash = a.mac(domain.ChainInput(newPrev, e))
			newPrev = e.Hash
			if _, err := a.db.NewUpdate().Model((*auditRow)(nil)).Set("prev_hash = ?", e.PrevHash).Set("hash = ?", e.Hash).
				Where("seq = ?", e.Seq).Exec(ctx); err != nil {
				return translate(err)
			}
			rekeyed++
		}
	}
	details := map[string]string{"entries": strconv.Itoa(rekeyed), "old_chain": "intact"}
	if firstBad != 0 {
		details["old_chain"], details["first_bad"] = "broken", strconv.FormatInt(firstBad, 10)
	}
	return a.Append(ctx, &domain.AuditEntry{At: time.Now(), Actor: domain.ActorSystem, Action: domain.AuditChainRekeyed, Details: details})
}
