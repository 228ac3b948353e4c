package store

import "github.com/whisper-schools/whisper/adapters/store/seal"

// What a key rotation does with each column the data key touches. Every
// column whose name looks sealed or keyed must be here: a test reads the
// live schema of both stores and fails on any it does not find, so a new
// sealed column cannot be forgotten by the rotation.

// sealedTable is a table whose sealed columns a rotation re-seals, and
// whose blind indexes it recomputes from them, in batches ordered by key.
type sealedTable struct {
	table string
	// key orders and names rows; numeric when it is an integer.
	key     string
	numeric bool
	// aadID is the column whose value binds a sealed value to its row
	// (see aad); usually key.
	aadID   string
	sealed  []sealedColumn
	indexes []reindexed
}

type sealedColumn struct{ column, aad string }

// reindexed is a blind index recomputed from a sealed column.
type reindexed struct {
	column, from, kind string
	email              bool // normalised as an email address first
	// keep reports index values that are not blind indexes (placeholders)
	// and stay as they are.
	keep func(current string) bool
}

var sealedTables = []sealedTable{
	{table: "organisations", key: "id", aadID: "id", sealed: []sealedColumn{
		{"contact_name_sealed", "organisations.contact_name"}, {"contact_email_sealed", "organisations.contact_email"}}},
	{table: "inboxes", key: "id", aadID: "id", sealed: []sealedColumn{{"notify_sealed", "inboxes.notify"}}},
	{table: "staff", key: "id", aadID: "id", sealed: []sealedColumn{
		{"email_sealed", "staff.email"}, {"first_name_sealed", "staff.first_name"},
		{"last_name_sealed", "staff.last_name"}, {"totp_secret_sealed", "staff.totp_secret"}},
		indexes: []reindexed{{column: "email_index", from: "email_sealed", kind: "staff.email", email: true,
			keep: func(ix string) bool { return len(ix) != 64 }}}}, // "removed:…", "elsewhere:…"
	{table: "sso_settings", key: "org_id", aadID: "org_id", sealed: []sealedColumn{{"client_secret_sealed", "sso_settings.client_secret"}}},
	{table: "interactions", key: "id", aadID: "id", sealed: []sealedColumn{
		{"reporter_name_sealed", "interactions.reporter_name"}, {"email_sealed", "interactions.email"}, {"phone_sealed", "interactions.phone"},
		{"region_sealed", regionKind}},
		indexes: []reindexed{
			{column: "email_index", from: "email_sealed", kind: "reporter.email", email: true},
			{column: "phone_index", from: "phone_sealed", kind: "reporter.phone"},
			{column: "region_index", from: "region_sealed", kind: regionKind}}},
	{table: "messages", key: "id", aadID: "id", sealed: []sealedColumn{
		{"body_sealed", "messages.body"}, {"ip_sealed", "messages.ip"}, {"location_sealed", "messages.location"},
		{"region_sealed", "messages.region"}, {"network_sealed", "messages.network"}}},
	{table: "notes", key: "id", aadID: "id", sealed: []sealedColumn{{"body_sealed", "notes.body"}}},
	{table: "interaction_words", key: "interaction_id", aadID: "interaction_id", sealed: []sealedColumn{{"words_sealed", wordsColumn}}},
	{table: "interaction_history", key: "seq", numeric: true, aadID: "interaction_id", sealed: []sealedColumn{
		{"staff_name_sealed", "interaction_history.staff_name"}, {"detail_sealed", "interaction_history.detail"}}},
	{table: "outbox", key: "id", aadID: "id", sealed: []sealedColumn{
		{"to_sealed", "outbox.to"}, {"link_sealed", "outbox.link"}, {"body_sealed", "outbox.body"},
		{"staff_name_sealed", "outbox.staff_name"}}},
	{table: "retired_index_keys", key: "fingerprint", aadID: "fingerprint", sealed: []sealedColumn{
		{"key_sealed", "retired_index_keys.key"}}},
}

// keptColumns are the keyed columns a rotation leaves as they are, and why.
var keptColumns = map[string]string{
	// Keyed hashes of secrets the store never holds: they cannot be keyed
	// again, so lookups try the retired index key, which the store keeps.
	"interactions.token_hash":        "retained",
	"staff_sessions.id_hash":         "retained",
	"password_links.token_hash":      "retained",
	"staff_recovery_codes.code_hash": "retained",
	"sso_states.state_index":         "retained",
	"seen_nonces.hash":               "retained",
	"seen_messages.hash":             "retained",
	"blocks.value_index":             "retained",       // a block keeps no value to index again
	"signin_failures.key_index":      "counted afresh", // counts of the last minutes
	"rate_limits.key_index":          "counted afresh",
	"sms_help.phone_index":           "counted afresh",
	"reply_alerts.recipient_index":   "counted afresh",
	"audit_log.hash":                 "the audit chain keeps its key",
	"audit_log.prev_hash":            "the audit chain keeps its key",
	"staff.password_hash":            "argon2id: not made with the data key",
	"retired_index_keys.fingerprint": "names a key, made with no key",
	"data_key.fingerprint":           "names a key, made with no key",
}

// KeyColumns lists, as "table.column", every column a rotation re-seals or
// re-indexes and every keyed column it leaves on purpose, for the test
// that holds the schema to it.
func KeyColumns() map[string]string {
	out := make(map[string]string, len(keptColumns)+32)
	for _, t := range sealedTables {
		for _, c := range t.sealed {
			out[t.table+"."+c.column] = "re-sealed"
		}
		for _, ix := range t.indexes {
			out[t.table+"."+ix.column] = "re-indexed"
		}
	}
	for c, why := range keptColumns {
		out[c] = why
	}
	return out
}

// reindex is the blind index of plain under the primary key.
func (r reindexed) reindex(keys *seal.Keyring, plain string) string {
	if r.email {
		plain = seal.NormaliseEmailForIndex(plain)
	}
	return keys.Index(r.kind, plain)
}
