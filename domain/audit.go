package domain

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// AuditEntry records one sensitive act: who did what to which interaction
// or organisation, when and why. It never holds the data the act revealed
// (a disclosure records its legal basis, not the phone number it printed),
// nor anything personal about a reporter.
//
// Entries form a keyed hash chain: each one's Hash is a MAC, under a key
// only the service holds, of its own fields and the Hash of the entry
// before it. Altering, removing or reordering an entry breaks every hash
// after it, and someone with write access to the database alone cannot
// recompute them. Removing the newest entries leaves a shorter chain that
// still holds; a head (AuditHead) kept elsewhere catches that.
type AuditEntry struct {
	Seq int64
	At  time.Time
	// Actor is who acted: "os:alice" for an operator, "staff:stf_…" for a
	// staff member, ActorSystem for the service itself.
	Actor  string
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

// ActorSystem is the audit actor for what the service does by itself: the
// scheduled retention sweep, a migration.
const ActorSystem = "system"

// Audit actions.
const (
	AuditDisclose    = "disclose"
	AuditErase       = "erase"
	AuditHoldSet     = "hold.set"
	AuditHoldRelease = "hold.release"
	AuditBlock       = "block"
	AuditUnblock     = "unblock"
	AuditDSAR        = "dsar"
	// AuditRectify is a reporter's email, phone number or name corrected
	// (details: which field, never the value).
	AuditRectify = "rectify"
	// AuditExport is an export of an organisation's interactions, by an
	// operator or, from the portal, by a staff member (details: format).
	AuditExport       = "export"
	AuditPurge        = "purge"
	AuditOrgCreate    = "org.create"
	AuditOrgStatus    = "org.status"
	AuditOrgRetention = "org.retention"
	AuditOrgSettings  = "org.settings"
	// AuditOrgTrial is an operator setting when a trial ends (details:
	// until, from); AuditOrgContact an operator setting an organisation's
	// contact (details: whether a name was given, never the address);
	// AuditNotify an operator's notice emailed to organisations (details:
	// subject, target, orgs, emails; never the body).
	AuditOrgTrial     = "org.trial"
	AuditOrgContact   = "org.contact"
	AuditNotify       = "notify"
	AuditSMSReceive   = "sms.receive" // whisperctl sms receive (details: outcome, replies; never the number or the words)
	AuditFormCreate   = "form.create"
	AuditFormChange   = "form.change"
	AuditFormOpen     = "form.open"
	AuditInboxCreate  = "inbox.create"
	AuditInboxChange  = "inbox.change"
	AuditInboxArrange = "inbox.arrange"
	AuditStaffInvite  = "staff.invite"
	AuditStaffSignIn  = "staff.sign_in"
	AuditStaffRole    = "staff.role"
	AuditStaffInboxes = "staff.inboxes"
	AuditStaffRemoved = "staff.removed"
	// AuditStaffPasswordLink is a set-password link made for an existing
	// member by an admin or the operator (an invitation resent, a reset).
	AuditStaffPasswordLink = "staff.password_link"
	// AuditStaffDetails is a member's name or address changed by an admin.
	AuditStaffDetails  = "staff.details"
	AuditTOTPEnrol     = "totp.enrol"
	AuditTOTPReset     = "totp.reset"
	AuditRecoveryCodes = "totp.recovery_codes"
	// AuditSSOSet and AuditSSORemove are an operator setting or removing an
	// organisation's single sign-on (details: issuer, domains, required;
	// never the secret). AuditStaffSSOSignIn is a member signing in
	// through it.
	AuditSSOSet         = "sso.set"
	AuditSSORemove      = "sso.remove"
	AuditStaffSSOSignIn = "staff.sso_sign_in"
	// AuditChainRekeyed is appended by the migration that keyed the chain:
	// details say how many entries it rekeyed and whether the unkeyed chain
	// it found was whole ("old_chain": "intact" or "broken", and for a
	// broken one "first_bad": the first entry that did not follow).
	AuditChainRekeyed = "audit.rekeyed"

	// AuditOutboxRetry is an operator making a waiting or failed delivery
	// due now (details: delivery, kind, was: its status before).
	AuditOutboxRetry = "outbox.retry"
)

// ChainMAC is the keyed hash of a chain input (see ChainInput), as hex. The
// store holds its key.
type ChainMAC func(input []byte) string

// ChainInput is what an entry's Hash is computed over when it follows
// prev: a canonical encoding of prev and the entry's fields, Hash itself
// excluded.
func ChainInput(prev string, e *AuditEntry) []byte {
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
	return canonical
}

// VerifyChain checks a stretch of the log that follows the entry after
// (nil: the stretch starts the log) and returns the first entry that does
// not follow from the one before it, or nil when the stretch holds. Sequence
// numbers must rise; a gap alone is not a break, because the hashes already
// link each entry to the one before it (a gap is what a migration leaves
// where an entry was removed before the chain was keyed, and it records
// that removal).
func VerifyChain(mac ChainMAC, after *AuditEntry, entries []*AuditEntry) *AuditEntry {
	var prev string
	var seq int64
	if after != nil {
		prev, seq = after.Hash, after.Seq
	}
	for _, e := range entries {
		if e.Seq <= seq || e.PrevHash != prev || e.Hash != mac(ChainInput(prev, e)) {
			return e
		}
		prev, seq = e.Hash, e.Seq
	}
	return nil
}

// AuditHead names the newest entry of the log: its sequence number and
// hash. An operator who keeps heads somewhere the database's users cannot
// reach detects the deletion of the newest entries by checking that the
// entry a saved head names is still there, unchanged. The hash reveals
// nothing: it is a MAC.
type AuditHead struct {
	Seq  int64
	Hash string
}

// HeadOf is the head that e is.
func HeadOf(e *AuditEntry) AuditHead { return AuditHead{Seq: e.Seq, Hash: e.Hash} }

// String is the head as `whisperctl audit head` prints it: SEQ:HASH.
func (h AuditHead) String() string { return fmt.Sprintf("%d:%s", h.Seq, h.Hash) }

var auditHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ParseAuditHead reads a head written as SEQ:HASH.
func ParseAuditHead(s string) (AuditHead, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	hash = strings.ToLower(hash)
	if !ok || err != nil || n < 1 || !auditHash.MatchString(hash) {
		return AuditHead{}, Errorf(KindInvalid, "a head is SEQ:HASH, as `whisperctl audit head` prints it: an entry's number and its 64 hex digits")
	}
	return AuditHead{Seq: n, Hash: hash}, nil
}

// AuditCheck is what verifying the audit log found.
type AuditCheck struct {
	// Checked counts the entries that follow one from another.
	Checked int
	// Head is the newest entry checked; zero for an empty log.
	Head AuditHead
	// Broken is the first entry that does not follow from the one before
	// it, or nil when the whole log holds.
	Broken *AuditEntry
	// EarlierBreaks are the entries in which the migration that keyed the
	// chain recorded that the unkeyed chain it found was already broken:
	// the chain holds since, but what came before had been altered.
	EarlierBreaks []*AuditEntry
}
