package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"time"
)

// AuditEntry records one sensitive act: who did what to which interaction
// or organisation, when and why. It never holds the data the act revealed
// (a disclosure records its legal basis, not the phone number it printed).
//
// Entries form a hash chain: each one's Hash covers its own fields and the
// Hash of the entry before it, so altering, removing or reordering any
// entry breaks every hash after it.
type AuditEntry struct {
	Seq    int64
	At     time.Time
	Actor  string // "os:alice" for an operator, "staff:stf_…" for a staff member
	Action string
	OrgID  OrgID
	Ref    Reference
	Reason string
	// Details are the act's particulars, e.g. a disclosure's basis,
	// authority and reference, or a purge's counts.
	Details  map[string]string
	PrevHash string
	Hash     string
}

// Audit actions.
const (
	AuditDisclose     = "disclose"
	AuditErase        = "erase"
	AuditHoldSet      = "hold.set"
	AuditHoldRelease  = "hold.release"
	AuditBlock        = "block"
	AuditUnblock      = "unblock"
	AuditDSAR         = "dsar"
	AuditExport       = "export"
	AuditPurge        = "purge"
	AuditOrgStatus    = "org.status"
	AuditStaffSignIn  = "staff.sign_in"
	AuditStaffRole    = "staff.role"
	AuditStaffRemoved = "staff.removed"
)

// ChainHash is the hash an entry must carry after prev: SHA-256 over prev
// and a canonical encoding of the entry's fields (Hash itself excluded).
func ChainHash(prev string, e *AuditEntry) string {
	keys := make([]string, 0, len(e.Details))
	for k := range e.Details {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	details := make([][2]string, len(keys))
	for i, k := range keys {
		details[i] = [2]string{k, e.Details[k]}
	}
	canonical, _ := json.Marshal([]any{
		prev, e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.OrgID, e.Ref, e.Reason, details,
	})
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}

// VerifyChain checks a whole log, from its first entry, and returns the
// first entry that does not follow from the one before it, or nil when the
// chain is whole.
func VerifyChain(entries []*AuditEntry) *AuditEntry {
	return verifyAfter("", 0, entries)
}

// VerifyChainFrom checks a stretch of the log whose first entry is taken
// as already verified, so a long log can be checked page by page.
func VerifyChainFrom(entries []*AuditEntry) *AuditEntry {
	if len(entries) == 0 {
		return nil
	}
	if entries[0].Seq == 1 {
		return VerifyChain(entries)
	}
	return verifyAfter(entries[0].Hash, entries[0].Seq, entries[1:])
}

func verifyAfter(prev string, seq int64, entries []*AuditEntry) *AuditEntry {
	for _, e := range entries {
		if e.Seq != seq+1 || e.PrevHash != prev || e.Hash != ChainHash(prev, e) {
			return e
		}
		prev, seq = e.Hash, e.Seq
	}
	return nil
}
