// Package ports declares what Whisper's core needs from the outside world.
// Adapters implement these interfaces; the core depends only on them.
package ports

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
)

// Store keeps Whisper's data. Personal data is encrypted by the store before
// it is written, so a dump of the database alone reveals none of it.
type Store interface {
	// InTx runs fn in one read-write transaction and commits it when fn
	// returns nil; when fn returns an error, nothing fn wrote is kept. On
	// PostgreSQL the transaction runs at READ COMMITTED; on SQLite it holds
	// the database's one write lock from its start. Each statement's error
	// comes from that statement. fn may be run again from the start only
	// after a serialisation failure or deadlock, so it must not talk to the
	// outside world: side effects go through the outbox. A change to an
	// existing row goes through its repository's Change method or a
	// conditional write, never through a row read earlier.
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// AcceptInteraction stores a new report in one transaction of its own, all
	// or nothing: its interaction, first message and deliveries and, for a
	// text, the claim of the webhook's nonce and the carrier's message id.
	// It returns nil once the report is committed. Reports accepted at the
	// same moment may share a commit; each still succeeds or fails alone,
	// with its own error: KindConflict when its reference is taken, and
	// ErrNonceSeen or ErrTextSeen when its text was seen before.
	AcceptInteraction(ctx context.Context, r NewInteraction) error
	// View runs fn with read-only access: a write inside it fails. Each of
	// its reads sees committed data only; on SQLite they share one
	// snapshot, on PostgreSQL each sees what was committed when it began
	// (read committed, PostgreSQL's default level).
	View(ctx context.Context, fn func(tx Tx) error) error
	// Limiter returns the store's rate-limit counts (see Limiter).
	Limiter() Limiter
	// Leadership takes turns at background work with the other instances
	// on the same database (see Leadership).
	Leadership
	// Ping checks that the database answers, and that the data key it
	// records is still this store's. It returns KindUnavailable when
	// either is not so.
	Ping(ctx context.Context) error
	// CheckSchema checks that the database's schema is the one this release
	// knows. It returns KindUnavailable while migrations are pending, and
	// KindConflict when a newer release has migrated it, or when it holds
	// no schema and must not be given one (an incomplete copy).
	CheckSchema(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}

// NewInteraction is everything a new report writes.
type NewInteraction struct {
	Interaction *domain.Interaction
	Token       domain.Token
	Contact     domain.Contact
	Message     *domain.Message
	Meta        domain.Meta
	Deliveries  []*domain.Delivery
	// Text, for a report that came by text, is claimed with the report, so
	// that a text delivered twice opens one report.
	Text *TextClaim
}

// TextClaim is what makes an inbound text one of a kind: the webhook
// signature's nonce (empty when the carrier sent none) and the carrier's
// message id. Both are claimed for good.
type TextClaim struct {
	Nonce       string
	MessageUUID string
}

// ErrNonceSeen is a text whose webhook nonce was seen before, however long
// ago: a replayed request.
var ErrNonceSeen = &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("this webhook was seen before")}

// ErrTextSeen is a text whose carrier message id was handled before: the
// carrier delivering it again.
var ErrTextSeen = &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("this text was handled before")}

// Tx is one transaction: the repositories it hands out read and write
// inside it, and are valid only while fn runs.
type Tx interface {
	Organisations() OrganisationRepo
	Forms() FormRepo
	Inboxes() InboxRepo
	Staff() StaffRepo
	Interactions() InteractionRepo
	Messages() MessageRepo
	Outbox() OutboxRepo
	Blocks() BlockRepo
	StaffView() StaffViewRepo
	Texts() TextRepo
	Replies() ReplyRepo
	Audit() AuditRepo
	Sessions() SessionRepo
	SignInFailures() SignInFailureRepo
	SSO() SSORepo
	SSOStates() SSOStateRepo
	Triage() TriageRepo
	// Notes and Search are issue #20's internal notes and search (ports/notes.go).
	Notes() NoteRepo
	Search() SearchRepo
	History() HistoryRepo
	// Notifications is how staff chose to hear of their inboxes'
	// reports, and the daily digests sent (issue #20).
	Notifications() NotificationRepo
}

// DuePosition is a place in a walk through one organisation's
// interactions in the order they fall due: by the time their retention
// counts from (domain.RetentionStart), then by id. The zero DuePosition is
// before the first.
type DuePosition struct {
	From time.Time
	ID   domain.InteractionID
}

// PurgeScope is what a retention purge looks at in the organisations
// that keep data for Retention: interactions whose last activity (or
// closing) was before Erase, to erase or count as held, and those not yet
// warned of before Warn, to warn their admins of.
type PurgeScope struct {
	Retention   domain.Retention
	Erase, Warn time.Time
}

// DueQuery is what InteractionRepo.DueCandidates reads: one batch of the
// interactions of Org due, or soon due, by Cutoff, after the position
// After.
type DueQuery struct {
	Org    domain.OrgID
	Cutoff time.Time
	After  DuePosition
	Limit  int
	// Unwarned leaves out what admins were warned of already.
	Unwarned bool
}

// DuePositionOf is the position of ia, for the next batch to start after.
func DuePositionOf(ia *domain.Interaction) DuePosition {
	return DuePosition{From: domain.RetentionStart(ia), ID: ia.ID}
}

// OrganisationRepo keeps organisations.
type OrganisationRepo interface {
	// Create adds org. It returns KindConflict when the id is taken.
	Create(ctx context.Context, org *domain.Organisation) error
	// Get returns the organisation, or KindNotFound.
	Get(ctx context.Context, id domain.OrgID) (*domain.Organisation, error)
	// List returns every organisation, oldest first.
	List(ctx context.Context) ([]*domain.Organisation, error)
	// Change reads the organisation as it is now, held until the
	// transaction ends as Lock holds it, and passes it to change, which
	// alters it in place. It then saves what change altered (name, status,
	// retention, trial end, swear words, TOTP requirement, contact) and nothing
	// else, and returns the organisation as saved. An error from change is
	// returned as it is, with nothing saved. It returns KindNotFound when
	// the organisation does not exist.
	Change(ctx context.Context, id domain.OrgID, change func(org *domain.Organisation) error) (*domain.Organisation, error)
	// Lock holds the organisation until the transaction ends: a rule over
	// all its members (it keeps an admin) checked after Lock cannot be
	// broken by another transaction checking it at the same moment. It
	// returns KindNotFound when the organisation does not exist.
	Lock(ctx context.Context, id domain.OrgID) error
	// TakeTrialReminder reports whether the reminder days before the trial
	// ending at trialEndsAt may be sent now (it was not sent before), and
	// if so records that it was. It is one conditional write: of
	// instances sending reminders at the same moment, one sends it.
	TakeTrialReminder(ctx context.Context, id domain.OrgID, trialEndsAt time.Time, days int, now time.Time) (bool, error)
}

// FormRepo keeps forms.
type FormRepo interface {
	// Create adds form. It returns KindConflict when its code is taken.
	Create(ctx context.Context, form *domain.Form) error
	// Get returns the form, or KindNotFound.
	Get(ctx context.Context, id domain.FormID) (*domain.Form, error)
	// GetByCode returns the form with that code (already normalised by
	// domain.ParseFormCode), or KindNotFound.
	GetByCode(ctx context.Context, code domain.FormCode) (*domain.Form, error)
	// List returns the forms that match f, oldest first.
	List(ctx context.Context, f FormFilter) ([]*domain.Form, error)
	// Change applies change to the form as it is now, holding its row
	// until the transaction ends, and saves what change altered of its
	// texts, settings, code and whether it is open. It returns
	// KindNotFound when the form does not exist and KindConflict when the
	// new code is taken.
	Change(ctx context.Context, id domain.FormID, change func(form *domain.Form) error) (*domain.Form, error)
}

// FormFilter narrows a list of forms; nil fields do not narrow.
type FormFilter struct {
	OrgID *domain.OrgID
}

// InboxRepo keeps inboxes.
type InboxRepo interface {
	// Create adds inbox. A name another inbox of the form has
	// (domain.InboxNameKey) is KindConflict, in words for its admin.
	Create(ctx context.Context, inbox *domain.Inbox) error
	// Get returns the inbox, or KindNotFound.
	Get(ctx context.Context, id domain.InboxID) (*domain.Inbox, error)
	// List returns the inboxes that match f, by form and position.
	List(ctx context.Context, f InboxFilter) ([]*domain.Inbox, error)
	// Update saves the inbox's name and notification addresses. A name
	// another inbox of the form has (domain.InboxNameKey) is KindConflict.
	Update(ctx context.Context, inbox *domain.Inbox) error
	// Arrange reads every inbox of the form, ordered, with the form locked
	// until the transaction ends, lets change alter their positions, texts
	// mark and archiving (domain.ArrangeInboxes), and saves what it
	// altered. It returns the inboxes as saved.
	Arrange(ctx context.Context, form domain.FormID, change func(inboxes []*domain.Inbox) error) ([]*domain.Inbox, error)
}

// InboxFilter narrows a list of inboxes; nil fields do not narrow.
type InboxFilter struct {
	OrgID  *domain.OrgID
	FormID *domain.FormID
}

// StaffRepo keeps staff accounts.
type StaffRepo interface {
	// Create adds s with its inbox assignments. It returns KindConflict when
	// another account has the same email address.
	Create(ctx context.Context, s *domain.Staff) error
	// Get returns the staff member, or KindNotFound.
	Get(ctx context.Context, id domain.StaffID) (*domain.Staff, error)
	// GetByEmail finds an account by address, case-insensitively in the
	// domain part, or returns KindNotFound.
	GetByEmail(ctx context.Context, email string) (*domain.Staff, error)
	// List returns the staff that match f, oldest first.
	List(ctx context.Context, f StaffFilter) ([]*domain.Staff, error)
	// Change reads the staff member as they are now, held until the
	// transaction ends, so that no other transaction changes them
	// meanwhile, and passes them to change, which alters them in place.
	// It then saves what change altered (address, names, role, password hash,
	// authenticator, removal, inbox assignments) and nothing else, and
	// returns the member as saved. An error from change is returned as it
	// is, with nothing saved. It returns KindNotFound when there is no
	// such member.
	Change(ctx context.Context, id domain.StaffID, change func(s *domain.Staff) error) (*domain.Staff, error)
	// SpendTOTPStep records that the authenticator code of time step step
	// was used, if the member's authenticator is on and no code of that
	// step or a later one was used before, and reports whether it was.
	// It is one conditional write: of several transactions spending one
	// step at once, exactly one is told true.
	SpendTOTPStep(ctx context.Context, id domain.StaffID, step int64) (bool, error)
	// AddPasswordLink keeps the hash of a one-time set-password link.
	AddPasswordLink(ctx context.Context, link *domain.PasswordLink) error
	// GetPasswordLink returns the link whose token has that hash, used or
	// not, or KindNotFound.
	GetPasswordLink(ctx context.Context, tokenHash string) (*domain.PasswordLink, error)
	// UsePasswordLink marks the link used at now. It returns KindConflict
	// when the link was already used, so that two tabs cannot both use it.
	UsePasswordLink(ctx context.Context, tokenHash string, now time.Time) error
	// SetRecoveryCodes replaces the staff member's recovery codes with
	// these hashes.
	SetRecoveryCodes(ctx context.Context, id domain.StaffID, hashes []string) error
	// UseRecoveryCode spends the unused recovery code with that hash and
	// reports whether there was one.
	UseRecoveryCode(ctx context.Context, id domain.StaffID, hash string, now time.Time) (bool, error)
	// RecoveryCodesLeft counts the staff member's unused recovery codes.
	RecoveryCodesLeft(ctx context.Context, id domain.StaffID) (int, error)
	// ForgetPasswordLinksBefore removes set-password links that expired
	// before t, used or not.
	ForgetPasswordLinksBefore(ctx context.Context, t time.Time) (int, error)
}

// StaffFilter narrows a list of staff; nil fields do not narrow. Removed
// accounts are left out unless asked for.
type StaffFilter struct {
	OrgID *domain.OrgID
	// InboxID keeps the staff assigned to that inbox.
	InboxID        *domain.InboxID
	IncludeRemoved bool
}

// InteractionRepo keeps interactions and the contact data of their
// reporters.
type InteractionRepo interface {
	// Held lists the interactions under a legal hold, by reference, with
	// when and why the hold was set as the audit log records it.
	Held(ctx context.Context) ([]LegalHold, error)
	// Create adds ia with the hash of its token and the reporter's contact
	// data. It returns KindConflict when its reference is taken.
	Create(ctx context.Context, ia *domain.Interaction, token domain.Token, contact domain.Contact) error
	// Get returns the interaction, or KindNotFound.
	Get(ctx context.Context, id domain.InteractionID) (*domain.Interaction, error)
	// GetByRef returns the interaction with that reference, or KindNotFound.
	GetByRef(ctx context.Context, ref domain.Reference) (*domain.Interaction, error)
	// GetByToken returns the interaction whose link holds token, or
	// KindNotFound. Erased interactions have no token.
	GetByToken(ctx context.Context, token domain.Token) (*domain.Interaction, error)
	// Contact returns the reporter's contact data.
	Contact(ctx context.Context, id domain.InteractionID) (domain.Contact, error)
	// RotateToken makes token the interaction's link, in place of the one
	// it had, which finds it no more. One statement that states the
	// interaction is not erased does it, holding the interaction until the
	// transaction ends, so that an erasure comes wholly before it or
	// after. It returns KindNotFound when the interaction does not exist
	// and domain.ErrErased when it is erased.
	RotateToken(ctx context.Context, id domain.InteractionID, token domain.Token) error
	// LatestByPhone returns the most recently active interaction of the
	// texter with that number (E.164), open or closed, found through its
	// blind index, or KindNotFound. An erased interaction has no number,
	// so it is never found.
	LatestByPhone(ctx context.Context, phone string) (*domain.Interaction, error)
	// List returns the interactions that match f, most recent activity first.
	List(ctx context.Context, f InteractionFilter) ([]*domain.Interaction, error)
	// Change changes the interaction without losing another transaction's
	// change: it reads the interaction as it is now and holds it until the
	// transaction ends, runs fn on that value, then writes only what fn
	// changed among its inbox, status, flags, hold and dates, and returns
	// the changed value. fn may change nothing else. Change returns
	// KindNotFound when the interaction does not exist and
	// domain.ErrErased when it is erased; fn's own error is passed on,
	// and nothing is written. Whatever else a transaction adds to an
	// existing interaction (a message, a delivery) it adds after Change,
	// so that an erasure either comes wholly before it or waits for it.
	Change(ctx context.Context, id domain.InteractionID, fn func(ia *domain.Interaction) error) (*domain.Interaction, error)
	// Erase removes the personal data of those of the interactions that are
	// neither on legal hold nor erased already, at now: the reporter's
	// name, contact data and link, their messages' texts, IP addresses and
	// towns, and every email or text queued or sent for them. What remains
	// — organisation, form, inbox, channel, dates, region and network —
	// serves anonymised statistics. The hold is checked by the erasing
	// statement itself, so a hold set before it commits is honoured. It
	// returns the ids it erased; the rest were held or erased before. A
	// batch is erased in a few statements, whatever its size. An id that
	// does not exist is KindNotFound.
	Erase(ctx context.Context, now time.Time, ids ...domain.InteractionID) ([]domain.InteractionID, error)
	// DueCandidates returns up to q.Limit interactions of the
	// organisation q.Org after the position q.After, not erased and not
	// on hold (and, with q.Unwarned, not yet warned of), whose retention
	// started (domain.RetentionStart) before q.Cutoff, in the order they
	// fall due, so a caller can walk any backlog in bounded batches, each
	// read from where the last ended rather than from the start. Callers
	// apply domain.PurgeDue for the exact rule. No sealed column is read:
	// ReporterName is empty, and a row that cannot be decrypted is found,
	// and erased, like any other.
	DueCandidates(ctx context.Context, q DueQuery) ([]*domain.Interaction, error)
	// OrganisationsToPurge returns, in no particular order, the
	// organisations whose retention is scope.Retention that a purge has
	// anything to look at in: any interaction not erased (held or not)
	// whose last activity (or closing) was before scope.Erase, or any not
	// erased, not on hold and not yet warned of whose last activity (or
	// closing) was before scope.Warn. Each organisation is an index probe
	// or two, so a purge with little to do costs little however many
	// organisations there are. Callers apply domain.PurgeDue for the exact
	// rule; one that falls due after this read is found by the next purge.
	OrganisationsToPurge(ctx context.Context, scope PurgeScope) ([]domain.OrgID, error)
	// CountHeld counts interactions of the organisations orgs on legal
	// hold, not erased, whose last activity (or closing) was before cutoff.
	CountHeld(ctx context.Context, orgs []domain.OrgID, cutoff time.Time) (int, error)
	// MarkWarned records that admins are told the interactions will soon
	// be erased, and returns those this call recorded, in no particular
	// order: not those they had been told of already, so that of purges
	// running at once one tells them of each. It returns KindNotFound
	// when any of ids does not exist.
	MarkWarned(ctx context.Context, now time.Time, ids ...domain.InteractionID) ([]domain.InteractionID, error)
	// FactCounts counts, for statistics, the interactions (erased ones
	// included) that arrived in [from, to), of org when org is not nil, by
	// month of months, inbox name, channel and region of the first
	// message; it returns the combinations counted, in order of month,
	// inbox name, channel and region. months must be as domain.Zone.Months
	// returns them and cover [from, to). The result grows with months and
	// combinations, never with the interactions counted.
	FactCounts(ctx context.Context, org *domain.OrgID, from, to time.Time, months []domain.StatsMonth) ([]domain.FactCount, error)
	// FillRegions gives up to limit interactions written before the store
	// kept each one's region (which FactCounts counts more slowly) their
	// first message's region, erased ones included, and returns how many
	// it filled: fewer than limit means none is left.
	FillRegions(ctx context.Context, limit int) (int, error)
	// FindByContact returns the interactions, erased or not, whose reporter
	// gave that email or texted from that number, found by blind index.
	FindByContact(ctx context.Context, c domain.Contact) ([]*domain.Interaction, error)
	// Rectify replaces the one field of the reporter's data that c sets
	// (email, phone number or name), sealed, and the blind index that
	// finds it, so the old value finds the interaction no more and the new
	// one does. One statement that states the interaction is not erased
	// does it: an erasure before it leaves it nothing to write, and one
	// after it erases what it wrote. It returns KindNotFound when the
	// interaction does not exist and domain.ErrErased when it is erased.
	Rectify(ctx context.Context, id domain.InteractionID, c domain.Correction) error
}

// InteractionFilter narrows a list of interactions; nil fields do not
// narrow. InboxIDs, when not nil, keeps only those inboxes (an empty slice
// keeps none).
type InteractionFilter struct {
	OrgID    *domain.OrgID
	InboxIDs []domain.InboxID
	Status   *domain.Status
	Limit    int
}

// MessageRepo keeps the messages of interactions and their meta data.
type MessageRepo interface {
	// Add appends msg to its interaction with the sender's meta data.
	Add(ctx context.Context, msg *domain.Message, meta domain.Meta) error
	// List returns an interaction's messages, oldest first.
	List(ctx context.Context, id domain.InteractionID) ([]*domain.Message, error)
	// Meta returns the meta data recorded with a message.
	Meta(ctx context.Context, id domain.MessageID) (domain.Meta, error)
	// ReporterSince returns when the reporter's messages to the
	// interaction created at or after since were written, oldest first:
	// what the hourly reply limit counts. Callers hold the interaction
	// (Change) first, so that replies at the same moment count one
	// another.
	ReporterSince(ctx context.Context, id domain.InteractionID, since time.Time) ([]time.Time, error)
}

// OutboxRepo keeps deliveries waiting to be sent.
type OutboxRepo interface {
	// Enqueue adds deliveries, to be sent once the transaction commits.
	Enqueue(ctx context.Context, ds ...*domain.Delivery) error
	// List returns the deliveries that match f, oldest first, at most
	// f.Limit of them when it is above 0.
	List(ctx context.Context, f OutboxFilter) ([]*domain.Delivery, error)
	// Count returns how many deliveries match f, its Limit aside: so that a
	// list cut short can say how many more there are.
	Count(ctx context.Context, f OutboxFilter) (int, error)
	// Claim takes up to limit pending deliveries that are due at now, for
	// one worker to send: each gets one more attempt counted and is hidden
	// from other workers until now+lease. A worker that dies mid-send
	// therefore leaves its deliveries to be claimed again after the lease.
	// On PostgreSQL, concurrent claims skip each other's rows. A worker
	// claims no more than it can send before the lease ends (the relay
	// claims one at a time): a delivery whose lease ran out while it waited
	// its turn is claimed and sent by another worker too.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*domain.Delivery, error)
	// MarkSent, Retry and MarkFailed record the outcome of the claim that
	// counted attempt (the Attempts that Claim returned). They change the
	// delivery only if it is still pending with that many attempts, that is
	// if no later claim has taken it over, it was not marked sent or failed
	// and it was not erased with its interaction. Otherwise they change
	// nothing and return KindConflict: a worker whose lease ran out never
	// overwrites another's outcome.
	//
	// MarkSent records that the delivery went out, and forgets its
	// recipient and content.
	MarkSent(ctx context.Context, id domain.DeliveryID, attempt int, now time.Time) error
	// Retry schedules the delivery's next attempt, keeping why, if not
	// nil, as its LastError.
	Retry(ctx context.Context, id domain.DeliveryID, attempt int, next time.Time, why *domain.DeliveryFailure) error
	// MarkFailed gives up on the delivery, keeping why, if not nil, as its
	// LastError. The delivery keeps its recipient and content, so that the
	// operator can send it again (Requeue), until ForgetFailedBefore.
	MarkFailed(ctx context.Context, id domain.DeliveryID, attempt int, now time.Time, why *domain.DeliveryFailure) error
	// Requeue makes a waiting or failed delivery due at now, for the
	// operator: one conditional write, so a delivery a worker holds at that
	// moment is never handed to a second worker. It returns KindNotFound
	// for no such delivery, and KindConflict for one already sent, one a
	// worker is sending now, or a failed one whose content was forgotten.
	Requeue(ctx context.Context, id domain.DeliveryID, now time.Time) error
	// ForgetFailedBefore forgets the recipient and content of the
	// deliveries that failed before before, which can no longer be sent
	// again, and returns how many.
	ForgetFailedBefore(ctx context.Context, before time.Time) (int, error)
	// Raise sets the delivery's Count to count if no worker has claimed it
	// yet (pending, no attempt counted), and reports whether it did. It is
	// one conditional write: against a claim at the same moment, either
	// the raise comes first and the delivery is sent with the new count
	// (by that claim, or by a later one when the claim skipped the row
	// being raised), or the claim comes first and Raise returns false, so
	// that the caller queues another delivery for what the count would
	// have announced.
	Raise(ctx context.Context, id domain.DeliveryID, count int) (bool, error)
	// Health summarises the outbox for monitoring: how many deliveries wait,
	// since when the oldest has waited, and how many have failed.
	Health(ctx context.Context) (OutboxHealth, error)
}

// OutboxHealth is the outbox at a glance.
type OutboxHealth struct {
	Pending int
	// OldestPending is since when the longest-waiting pending delivery has
	// waited: since it was queued once it has been tried, since it was
	// due before (which may be ahead of now).
	OldestPending *time.Time
	Failed        int
}

// OutboxFilter narrows a list of deliveries; nil fields do not narrow.
type OutboxFilter struct {
	ID            *domain.DeliveryID
	InteractionID *domain.InteractionID
	Status        *domain.DeliveryStatus
	// Unsent, when true, keeps the pending and failed deliveries only.
	Unsent bool
	// Limit, when above 0, keeps the oldest Limit deliveries only: an
	// outbox that mail trouble filled must not be read whole.
	Limit int
}

// LegalHold is an interaction kept from erasure, and why.
type LegalHold struct {
	Ref          domain.Reference
	OrgID        domain.OrgID
	Organisation string
	// Since and Reason are those of the latest hold.set entry in the audit
	// log for the reference; zero when the log has none.
	Since  time.Time
	Reason string
}

// BlockRepo keeps blocks on reporters' addresses and numbers.
type BlockRepo interface {
	// Create adds b, keeping only the blind index of its value.
	Create(ctx context.Context, b *domain.Block) error
	// Blocked reports whether any of the sender's email, phone or IP is
	// under a block that has not expired at now.
	Blocked(ctx context.Context, s domain.Sender, now time.Time) (bool, error)
	// AnyInForce reports whether any block has not expired at now: while
	// none has, no sender needs looking up.
	AnyInForce(ctx context.Context, now time.Time) (bool, error)
	// Lift removes every block on the sender's email, phone or IP and
	// returns how many there were.
	Lift(ctx context.Context, s domain.Sender) (int, error)
	// InForce lists the blocks that have not expired at now, oldest first,
	// without their values (the store has only their blind indexes).
	InForce(ctx context.Context, now time.Time) ([]*domain.Block, error)
}

// StaffViewRepo is the staff's only window on interactions. Every method is
// bounded by the viewer's organisation and inboxes and answers KindNotFound
// for anything outside them, exactly as for what does not exist. It reads
// no channel, contact or meta data, and its types have no field to hold
// them. Erased interactions are not in it.
type StaffViewRepo interface {
	// List returns the viewer's interactions that match f, most recent activity
	// first.
	List(ctx context.Context, v domain.Viewer, f StaffViewFilter) ([]*domain.StaffInteraction, error)
	// IDs returns the ids of the viewer's interactions that match f, in
	// List's order, ignoring f's paging: an id each and nothing sealed,
	// so that a caller that must go through them all (an export) can read
	// them whole a batch at a time.
	IDs(ctx context.Context, v domain.Viewer, f StaffViewFilter) ([]domain.InteractionID, error)
	// Count counts the viewer's interactions that match f, ignoring its paging.
	Count(ctx context.Context, v domain.Viewer, f StaffViewFilter) (int, error)
	// Get returns one interaction by reference, or KindNotFound.
	Get(ctx context.Context, v domain.Viewer, ref domain.Reference) (*domain.StaffInteraction, error)
	// Messages returns an interaction's messages, oldest first.
	Messages(ctx context.Context, v domain.Viewer, ref domain.Reference) ([]*domain.StaffMessage, error)
	// MarkRead records that the viewer has seen the interaction as it is at now.
	MarkRead(ctx context.Context, v domain.Viewer, id domain.InteractionID, now time.Time) error
	// Stats counts the viewer's interactions, erased ones included, by
	// month of arrival and inbox, for those that arrived in the months
	// (contiguous, as domain.Zone.Months makes them, so on the local clock).
	Stats(ctx context.Context, v domain.Viewer, months []domain.StatsMonth) ([]domain.InteractionCount, error)

	// FirstReplies returns, for the statistics of response times, when
	// each of the viewer's interactions that arrived in [from, to), erased
	// ones included, arrived, in which inbox, and when staff first replied.
	FirstReplies(ctx context.Context, v domain.Viewer, from, to time.Time) ([]domain.FirstReply, error)
	// OpenAges counts the viewer's open interactions not erased by inbox
	// and by how long they have been open at now (domain.AgeBands).
	OpenAges(ctx context.Context, v domain.Viewer, now time.Time) ([]domain.AgeCount, error)
}

// StaffViewFilter narrows the staff's list of interactions; nil fields do not narrow.
type StaffViewFilter struct {
	Status  *domain.Status
	InboxID *domain.InboxID
	// From and To bound when the case arrived: From <= created < To.
	From, To *time.Time
	// Limit and Offset page through the list; a zero Limit is no limit.
	Limit, Offset int

	// IDs, when not nil, keeps only those interactions (an empty slice
	// keeps none): what a search found (SearchRepo.Find).
	IDs []domain.InteractionID
	// Triage filters (issue #20); false and nil do not narrow.
	TriageFilter
}

// TriageFilter narrows the staff's list by triage: Awaiting keeps open
// interactions whose latest message is the reporter's; Assignee keeps
// those assigned to that member; Unassigned those assigned to nobody;
// Urgent and Flagged those so marked.
type TriageFilter struct {
	Awaiting   bool
	Assignee   *domain.StaffID
	Unassigned bool
	Urgent     bool
	Flagged    bool
}

// TriageRepo keeps who looks after an interaction and whether it is
// urgent. Each method is one conditional write that reports whether it
// changed anything, so that of two requests making the same change at the
// same moment exactly one sees it changed (and sends what it announces).
// Neither touches an erased interaction; the caller has read the
// interaction through the staff view in the same transaction.
type TriageRepo interface {
	// SetUrgent marks the interaction urgent or not, and reports whether
	// it was not so already.
	SetUrgent(ctx context.Context, id domain.InteractionID, urgent bool) (changed bool, err error)
	// SetAssignee assigns the interaction to a member, or to nobody for
	// "", and reports whether it was assigned otherwise before. The
	// caller checks that the member may see the interaction; the store
	// then keeps that true, clearing the assignment when the member is
	// removed, loses the inbox or the interaction moves out of their sight.
	SetAssignee(ctx context.Context, id domain.InteractionID, staff domain.StaffID) (changed bool, err error)
}

// SessionRepo keeps staff sessions, so that every whisperd instance knows
// them.
type SessionRepo interface {
	// Create adds s.
	Create(ctx context.Context, s *domain.Session) error
	// Get returns the session with that hash, or KindNotFound.
	Get(ctx context.Context, idHash string) (*domain.Session, error)
	// Touch records use of the session at now.
	Touch(ctx context.Context, idHash string, now time.Time) error
	// Delete ends one session; ending one that does not exist is no error.
	Delete(ctx context.Context, idHash string) error
	// DeleteForStaff ends every session of a staff member.
	DeleteForStaff(ctx context.Context, id domain.StaffID) error
	// DeleteIdleSince removes sessions last used before t, and returns
	// how many: they can no longer be used, and need not be kept.
	DeleteIdleSince(ctx context.Context, t time.Time) (int, error)
}

// SignInFailureRepo counts failed sign-ins per account and per address, so
// that guessing slows down on every instance alike. An attempt is counted
// as failed before its password is checked, and given back if it turns out
// right, so that attempts made at the same moment cannot all slip through
// before any is counted. Keys are kept only as blind indexes.
type SignInFailureRepo interface {
	// Get returns how many sign-ins failed in a row for key and when the
	// last did; zero when none.
	Get(ctx context.Context, key string) (failures int, last time.Time, err error)
	// Lock returns key's count as Get does and holds it until the
	// transaction ends, so that attempts against one key are counted one
	// after another. A key without a count gets one of zero.
	Lock(ctx context.Context, key string) (failures int, last time.Time, err error)
	// Set makes key's count failures, the last at last.
	Set(ctx context.Context, key string, failures int, last time.Time) error
	// GiveBack takes back one attempt that Set counted as the counted-th
	// failure at at and that did not fail after all: key's count goes down
	// by one and, if no attempt was counted since, its last failure is
	// prev again. It is one write, and needs no Lock.
	GiveBack(ctx context.Context, key string, counted int, at, prev time.Time) error
	// Clear forgets key's failures.
	Clear(ctx context.Context, key string) error
	// ForgetBefore forgets failures last seen before t.
	ForgetBefore(ctx context.Context, t time.Time) (int, error)
}

// TextRepo keeps what inbound SMS handling must remember: nonces, carrier
// message ids and help texts sent. Numbers are kept only as blind indexes,
// nonces and ids only as keyed hashes.
type TextRepo interface {
	// RememberNonce records a webhook signature's nonce, for good. It
	// returns ErrNonceSeen (KindConflict) when the nonce was seen before,
	// however long ago: a replay.
	RememberNonce(ctx context.Context, nonce string) error
	// RememberMessage records a carrier message id, for good, and reports
	// whether it is new; false means the text was handled before.
	RememberMessage(ctx context.Context, uuid string) (bool, error)
	// Claim records an inbound text's nonce (unless empty) and carrier
	// message id, as RememberNonce and RememberMessage do, and fails with
	// ErrNonceSeen or ErrTextSeen when either was seen before: a text is
	// handled once, in the transaction that claims it.
	Claim(ctx context.Context, c TextClaim) error
	// TakeHelpAllowance reports whether the number may be sent the help
	// text now (none in the last `every`), and if so records that it was.
	TakeHelpAllowance(ctx context.Context, phone string, now time.Time, every time.Duration) (bool, error)
	// ForgetHelpBefore forgets the help texts recorded before t. Nonces
	// and carrier message ids are never forgotten.
	ForgetHelpBefore(ctx context.Context, t time.Time) (int, error)
}

// ReplyRepo keeps what paces a reporter's replies (see
// domain.ReplyAlertState): where each recipient's "new reply" alerts about
// an interaction stand, and when a texter was last told that their replies
// are over the limit. Recipients are kept only as blind indexes. Callers
// hold the interaction (Change) before they read or write any of it, so
// replies at the same moment take turns. Erasing an interaction removes
// all of it.
type ReplyRepo interface {
	// AlertStates returns where the alerts of each of recipients about the
	// interaction stand; a recipient never alerted gets the zero state.
	AlertStates(ctx context.Context, id domain.InteractionID, recipients []string) (map[string]domain.ReplyAlertState, error)
	// SaveAlertStates records states, keyed by recipient, for the
	// interaction.
	SaveAlertStates(ctx context.Context, id domain.InteractionID, states map[string]domain.ReplyAlertState) error
	// TakeLimitNotice reports whether the texter of the interaction may be
	// told now that their replies are over the limit (they were not told
	// in the last `every`), and if so records that they were. It is one
	// conditional write: of texts at the same moment, one is told.
	TakeLimitNotice(ctx context.Context, id domain.InteractionID, now time.Time, every time.Duration) (bool, error)
}

// AuditRepo keeps the audit log, append-only.
type AuditRepo interface {
	// Append adds e at the end of the chain, filling in its Seq, PrevHash
	// and Hash (a MAC under a key the store holds). Appends are
	// serialised, so the chain never forks.
	Append(ctx context.Context, e *domain.AuditEntry) error
	// Last returns the newest entry, or KindNotFound when the log is empty.
	Last(ctx context.Context) (*domain.AuditEntry, error)
	// Verify walks the whole log, recomputing each entry's MAC, and says
	// how much of it holds. A chain that does not hold is a finding
	// (AuditCheck.Broken), not an error; an error means the log could not
	// be read.
	Verify(ctx context.Context) (domain.AuditCheck, error)
	// List returns entries in order, starting after seq, at most limit
	// (zero: all).
	List(ctx context.Context, afterSeq int64, limit int) ([]*domain.AuditEntry, error)
}

// HistoryRepo keeps what staff did to each interaction: who read, replied,
// noted, assigned, marked urgent, moved, closed, reopened, exported and
// printed it, and when. Erasing an interaction removes its history with it.
type HistoryRepo interface {
	// Record adds e, as it is but for its InteractionID, to the history of
	// each of ids that is not erased, and returns how many lines it added.
	// It is one statement that holds those interactions until the
	// transaction ends, so that an erasure comes wholly before it (and
	// nothing is added) or after it (and removes what it added). A read
	// (domain.HistoryRead) is added at most once per member, interaction
	// and domain.ReadSlot, however many transactions record it at once;
	// one that is there already adds nothing.
	Record(ctx context.Context, e domain.HistoryEvent, ids ...domain.InteractionID) (int, error)
	// List returns the interaction's history, oldest first; empty when it
	// has none.
	List(ctx context.Context, id domain.InteractionID) ([]*domain.HistoryEvent, error)
}
