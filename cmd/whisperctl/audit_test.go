package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

// auditActs fills the log with a few operator acts.
func (c operator) auditActs(s school) {
	c.t.Helper()
	ref := string(c.reporters(s.Code).report("Jo", pupilEmail, pupilIP, "Please help."))
	c.ok(&actJSON{}, "hold", "set", "--ref", ref, "--reason", "claim")
	c.ok(&actJSON{}, "hold", "release", "--ref", ref, "--reason", "settled")
	c.ok(&actJSON{}, "erase", "--ref", ref, "--reason", "erasure request")
}

// rechainUnkeyed rewrites the whole chain behind whisperctl's back with
// the bare SHA-256 the chain used before it was keyed, after letting alter
// change an entry: what someone with write access to the database, and
// no data key, can compute. It returns the entries as rewritten.
func (c operator) rechainUnkeyed(alter func(e *domain.AuditEntry)) []*domain.AuditEntry {
	c.t.Helper()
	var out []*domain.AuditEntry
	prev := ""
	for _, j := range c.auditLog() {
		e := &domain.AuditEntry{Seq: j.Seq, At: j.At, Actor: j.Actor, Action: j.Action, OrgID: domain.OrgID(j.OrgID),
			Ref: domain.Reference(j.Ref), Reason: j.Reason, Details: j.Details}
		if alter != nil {
			alter(e)
		}
		sum := sha256.Sum256(domain.ChainInput(prev, e))
		e.PrevHash, e.Hash = prev, hex.EncodeToString(sum[:])
		prev = e.Hash
		c.exec(fmt.Sprintf("UPDATE audit_log SET reason = '%s', prev_hash = '%s', hash = '%s' WHERE seq = %d",
			strings.ReplaceAll(e.Reason, "'", "''"), e.PrevHash, e.Hash, e.Seq))
		out = append(out, e)
	}
	return out
}

func TestAuditForgeryNeedsTheKey(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		c.auditActs(c.school())
		c.ok(&struct{}{}, "audit", "verify")

		// An attacker with the database, not the key, changes why the hold
		// was released and recomputes the chain as it used to be computed.
		c.rechainUnkeyed(func(e *domain.AuditEntry) {
			if e.Seq == 2 {
				e.Reason = "routine"
			}
		})
		msg := c.fails(exitConflict, "audit", "verify")
		assert.Contains(t, msg, "altered")
		assert.Contains(t, msg, "entry 1 ", "no entry recomputed without the key holds")
	})
}

func TestAuditHeadCatchesACutShortLog(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		c.fails(exitNotFound, "audit", "head")
		c.auditActs(s)

		r := c.run("", "audit", "head")
		require.Equal(t, 0, r.code, r.stderr)
		saved := strings.TrimSpace(r.stdout)
		assert.Regexp(t, `^3:[0-9a-f]{64}$`, saved)
		var head struct {
			Seq  int64
			Hash string
			Head string
		}
		c.ok(&head, "audit", "head")
		assert.Equal(t, saved, head.Head)
		assert.Equal(t, saved, fmt.Sprintf("%d:%s", head.Seq, head.Hash))

		text := c.run("", "audit", "verify", "--head", saved)
		require.Equal(t, 0, text.code, text.stderr)
		assert.Equal(t, "3 entries, chain intact\nEntry 3 is the one the saved head names.\n", text.stdout)
		var check auditCheckJSON
		c.ok(&check, "audit", "verify", "--head", saved)
		assert.Equal(t, auditCheckJSON{Checked: 3, Intact: true, Head: saved, EarlierBreaks: []earlierBreakJSON{}}, check)

		// Whoever deletes the newest entries leaves a shorter chain that
		// holds; only the head saved before shows what is missing.
		c.exec("DELETE FROM audit_log WHERE seq = 3")
		c.ok(&check, "audit", "verify")
		assert.Equal(t, 2, check.Checked)
		msg := c.fails(exitConflict, "audit", "verify", "--head", saved)
		assert.Contains(t, msg, "cut short")
		assert.Contains(t, msg, "entry 3 ")
		assert.Contains(t, msg, "ends at entry 2")

		// A head whose entry is there but different: the entry was replaced.
		other := "2:" + strings.SplitN(saved, ":", 2)[1]
		assert.Contains(t, c.fails(exitConflict, "audit", "verify", "--head", other), "entry 2 is not the one")

		for _, bad := range []string{"", "3", "three:abc", "3:" + strings.Repeat("g", 64)} {
			assert.Contains(t, c.fails(exitInvalid, "audit", "verify", "--head", bad), "SEQ:HASH", bad)
		}
	})
}

func TestAuditMigrationKeysAnOldChain(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		c.auditActs(c.school())
		// The log as the service wrote it before the chain was keyed.
		before := c.rechainUnkeyed(nil)
		c.fails(exitConflict, "audit", "verify")

		c.exec("DELETE FROM schema_migrations WHERE name = '20261205000012'")
		c.ok(&struct{}{}, "db", "migrate")
		var check auditCheckJSON
		c.ok(&check, "audit", "verify")
		assert.Equal(t, 4, check.Checked)
		assert.Empty(t, check.EarlierBreaks)
		entries := c.auditLog()
		require.Len(t, entries, 4)
		for i, e := range before {
			assert.Equal(t, e.Reason, entries[i].Reason, "entries keep their contents")
			assert.NotEqual(t, e.Hash, entries[i].Hash, "and are rekeyed")
		}
		assert.Equal(t, domain.AuditChainRekeyed, entries[3].Action)
		assert.Equal(t, domain.ActorSystem, entries[3].Actor)
		assert.Equal(t, map[string]string{"entries": "3", "old_chain": "intact"}, entries[3].Details)

		// Migrating again changes nothing.
		c.exec("DELETE FROM schema_migrations WHERE name = '20261205000012'")
		c.ok(&struct{}{}, "db", "migrate")
		assert.Len(t, c.auditLog(), 4)

		// An old chain that was already broken is rekeyed too, but the
		// break is recorded, and verify reports it from then on.
		c.rechainUnkeyed(nil)
		c.exec("UPDATE audit_log SET reason = 'routine' WHERE seq = 2")
		c.exec("DELETE FROM schema_migrations WHERE name = '20261205000012'")
		c.ok(&struct{}{}, "db", "migrate")
		c.ok(&check, "audit", "verify")
		assert.Equal(t, 5, check.Checked)
		require.Len(t, check.EarlierBreaks, 1)
		assert.Equal(t, earlierBreakJSON{Seq: 5, At: check.EarlierBreaks[0].At, FirstBad: "2"}, check.EarlierBreaks[0])
		text := c.run("", "audit", "verify")
		require.Equal(t, 0, text.code, text.stderr)
		assert.Contains(t, text.stdout, "5 entries, chain intact\nWarning: when the chain was keyed (entry 5,")
		assert.Contains(t, text.stdout, "already broken from entry 2")
		entries = c.auditLog()
		assert.Equal(t, map[string]string{"entries": "4", "old_chain": "broken", "first_bad": "2"}, entries[4].Details)
	})
}
