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
	for _, j := range c.wholeAuditLog() {
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
		// A log with no entries has no head.
		require.Equal(t, 0, c.run("", "db", "migrate").code)
		c.fails(exitNotFound, "audit", "head")
		s := c.school()
		c.auditActs(s)
		n := int64(len(c.wholeAuditLog()))

		r := c.run("", "audit", "head")
		require.Equal(t, 0, r.code, r.stderr)
		saved := strings.TrimSpace(r.stdout)
		assert.Regexp(t, fmt.Sprintf(`^%d:[0-9a-f]{64}$`, n), saved)
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
		assert.Equal(t, fmt.Sprintf("%d entries, chain intact\nEntry %d is the one the saved head names.\n", n, n), text.stdout)
		var check auditCheckJSON
		c.ok(&check, "audit", "verify", "--head", saved)
		assert.Equal(t, auditCheckJSON{Checked: int(n), Intact: true, Head: saved, EarlierBreaks: []earlierBreakJSON{}}, check)

		// Whoever deletes the newest entries leaves a shorter chain that
		// holds; only the head saved before shows what is missing.
		c.exec(fmt.Sprintf("DELETE FROM audit_log WHERE seq = %d", n))
		c.ok(&check, "audit", "verify")
		assert.Equal(t, int(n-1), check.Checked)
		msg := c.fails(exitConflict, "audit", "verify", "--head", saved)
		assert.Contains(t, msg, "cut short")
		assert.Contains(t, msg, fmt.Sprintf("entry %d ", n))
		assert.Contains(t, msg, fmt.Sprintf("ends at entry %d", n-1))

		// A head whose entry is there but different: the entry was replaced.
		other := fmt.Sprintf("%d:%s", n-1, head.Hash)
		assert.Contains(t, c.fails(exitConflict, "audit", "verify", "--head", other), fmt.Sprintf("entry %d is not the one", n-1))

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
		n := len(before)
		c.fails(exitConflict, "audit", "verify")

		c.exec("DELETE FROM schema_migrations WHERE name = '20261205000012'")
		c.ok(&struct{}{}, "db", "migrate")
		var check auditCheckJSON
		c.ok(&check, "audit", "verify")
		assert.Equal(t, n+1, check.Checked)
		assert.Empty(t, check.EarlierBreaks)
		entries := c.wholeAuditLog()
		require.Len(t, entries, n+1)
		for i, e := range before {
			assert.Equal(t, e.Reason, entries[i].Reason, "entries keep their contents")
			assert.NotEqual(t, e.Hash, entries[i].Hash, "and are rekeyed")
		}
		assert.Equal(t, domain.AuditChainRekeyed, entries[n].Action)
		assert.Equal(t, domain.ActorSystem, entries[n].Actor)
		assert.Equal(t, map[string]string{"entries": fmt.Sprint(n), "old_chain": "intact"}, entries[n].Details)

		// Migrating again changes nothing.
		c.exec("DELETE FROM schema_migrations WHERE name = '20261205000012'")
		c.ok(&struct{}{}, "db", "migrate")
		assert.Len(t, c.wholeAuditLog(), n+1)

		// An old chain that was already broken is rekeyed too, but the
		// break is recorded, and verify reports it from then on.
		c.rechainUnkeyed(nil)
		c.exec("UPDATE audit_log SET reason = 'routine' WHERE seq = 2")
		c.exec("DELETE FROM schema_migrations WHERE name = '20261205000012'")
		c.ok(&struct{}{}, "db", "migrate")
		c.ok(&check, "audit", "verify")
		assert.Equal(t, n+2, check.Checked)
		require.Len(t, check.EarlierBreaks, 1)
		assert.Equal(t, earlierBreakJSON{Seq: int64(n + 2), At: check.EarlierBreaks[0].At, FirstBad: "2"}, check.EarlierBreaks[0])
		text := c.run("", "audit", "verify")
		require.Equal(t, 0, text.code, text.stderr)
		assert.Contains(t, text.stdout, fmt.Sprintf("%d entries, chain intact\nWarning: when the chain was keyed (entry %d,", n+2, n+2))
		assert.Contains(t, text.stdout, "already broken from entry 2")
		entries = c.wholeAuditLog()
		assert.Equal(t, map[string]string{"entries": fmt.Sprint(n + 1), "old_chain": "broken", "first_bad": "2"}, entries[n+1].Details)
	})
}

// Every sensitive act an operator does leaves exactly one audit entry
// naming them, and none holds anything of a reporter.
func TestOperatorActsAreAudited(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		require.Equal(t, 0, c.run("", "db", "migrate").code)
		var org orgOut
		var form struct {
			ID string
		}
		acts := []struct {
			name   string
			do     func()
			action string
		}{
			{"create an organisation", func() { c.ok(&org, "org", "create", "--name", "Oakfield Primary") }, domain.AuditOrgCreate},
			{"create a form", func() { c.ok(&form, "form", "create", "--org", org.ID, "--name", "Oakfield", "--code", "OAK1") }, domain.AuditFormCreate},
			{"create an inbox", func() {
				// A report first: with two inboxes it would need a category.
				c.reporters("OAK1").report("Rowan", "rowan@pupil.example", "198.51.100.9", "Behind the sports hall.")
				c.ok(&struct{}{}, "inbox", "create", "--form", form.ID, "--name", "Bullying")
			}, domain.AuditInboxCreate},
			{"create staff", func() {
				c.ok(&struct{}{}, "staff", "create", "--org", org.ID, "--email", "nia@oakfield.example", "--first-name", "Nia")
			}, domain.AuditStaffInvite},
			{"set the status", func() { c.ok(&struct{}{}, "org", "set-status", org.ID, "suspended", "--reason", "unpaid") }, domain.AuditOrgStatus},
			{"purge, erasing nothing", func() { c.ok(&struct{}{}, "purge") }, domain.AuditPurge},
		}
		seen := 0
		for _, act := range acts {
			act.do()
			log := c.wholeAuditLog()
			if assert.Len(t, log, seen+1, act.name) {
				e := log[seen]
				assert.Equal(t, act.action, e.Action, act.name)
				assert.Equal(t, osActor(), e.Actor, act.name)
				if act.action != domain.AuditPurge {
					assert.Equal(t, org.ID, e.OrgID, act.name)
				}
			}
			seen = len(log)
		}
		last := c.wholeAuditLog()
		assert.Equal(t, "unpaid", last[4].Reason)
		assert.Equal(t, map[string]string{"erased": "0", "held": "0", "warned": "0"}, last[5].Details)
		raw := strings.ToLower(c.run("", "audit", "list", "--json").stdout)
		for _, personal := range []string{"rowan", "pupil.example", "198.51.100.9", "sports hall", "nia@oakfield.example"} {
			assert.NotContains(t, raw, personal)
		}
	})
}
