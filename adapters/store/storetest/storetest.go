// Package storetest is the contract every ports.Store must keep. Each store
// adapter runs Run against itself; a behaviour that differs between
// PostgreSQL and SQLite shows up here as a failure on one of them.
package storetest

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Run runs the whole contract. open returns a new, empty, migrated store
// for each test, closed when the test ends.
func Run(t *testing.T, open func(t *testing.T) ports.Store) {
	tests := map[string]func(*testing.T, ports.Store){
		"OrganisationRoundTrip":     testOrganisationRoundTrip,
		"NotFoundIsAKind":           testNotFound,
		"UpdateOfMissingIsNotFound": testUpdateMissing,
		"FormCodeIsUnique":          testFormCodeUnique,
		"FormsAndInboxes":           testFormsAndInboxes,
		"StaffRoundTrip":            testStaffRoundTrip,
		"StaffEmailIsUnique":        testStaffEmailUnique,
		"InteractionRoundTrip":      testInteractionRoundTrip,
		"InteractionLists":          testInteractionLists,
		"ReferenceIsUnique":         testReferenceUnique,
		"RollbackLeavesNoTrace":     testRollback,
		"FailureKeepsNothing":       testFailureKeepsNothing,
		"TransactionReadsItsWrites": testTransactionReadsItsWrites,
		"ViewCannotWrite":           testViewCannotWrite,
		"ConcurrentWriters":         testConcurrentWriters,
		"ConcurrentConflicts":       testConcurrentConflicts,
		"TimesKeepMicroseconds":     testTimes,
		"OutboxRoundTrip":           testOutbox,
		"BlocksMatchAndExpire":      testBlocks,
		"LegalHoldsListed":          testLegalHoldsListed,
		"StaffOfAnInbox":            testStaffOfInbox,
	}
	for _, more := range []map[string]func(*testing.T, ports.Store){portalTests, outboxTests, textTests, intakeTests, protectionTests, secretTests, elsewhereTests, limitTests, replyTests, leadershipTests, ssoTests, statsTests, factTests, idsTests, concurrencyTests(), triageTests, noteTests, historyTests, notificationTests, outboxDiagnosticTests, replyColumnTests} {
		for name, fn := range more {
			tests[name] = fn
		}
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t))
		})
	}
}

// now is a fixed instant with microseconds, the precision both stores keep.
var now = time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)

// fixture is an organisation with one form and one inbox.
type fixture struct {
	org   *domain.Organisation
	form  *domain.Form
	inbox *domain.Inbox
}

// must unwraps a fixture value. Fixtures are built from constants that are
// valid by construction, so a failure here is a bug in the suite itself.
func must[T any](v T, err error) T {
	if err != nil {
		panic("storetest: building a fixture: " + err.Error())
	}
	return v
}

func newFixture(t *testing.T, st ports.Store) fixture {
	t.Helper()
	return newFixtureAt(t, st, now)
}

// Parents creates an organisation with a form and an inbox in st, for
// tests elsewhere that write rows which need them.
func Parents(t *testing.T, st ports.Store) (domain.OrgID, domain.FormID, domain.InboxID) {
	t.Helper()
	f := newFixture(t, st)
	return f.org.ID, f.form.ID, f.inbox.ID
}

func newFixtureAt(t *testing.T, st ports.Store, now time.Time) fixture {
	t.Helper()
	org := must(domain.NewOrganisation(must(domain.NewOrgID(rand.Reader)), "Oakfield Primary", domain.Retention12, 30, now))
	code := must(domain.ParseFormCode("T" + randomDigits(t, 10)))
	form := must(domain.NewForm(must(domain.NewFormID(rand.Reader)), org.ID, "Oakfield", code, now))
	inbox := must(domain.NewInbox(must(domain.NewInboxID(rand.Reader)), form, domain.DefaultInboxName, []string{"dsl@oakfield.example"}, 0, now))
	require.NoError(t, st.InTx(context.Background(), func(tx ports.Tx) error {
		if err := tx.Organisations().Create(context.Background(), org); err != nil {
			return err
		}
		if err := tx.Forms().Create(context.Background(), form); err != nil {
			return err
		}
		return tx.Inboxes().Create(context.Background(), inbox)
	}))
	return fixture{org: org, form: form, inbox: inbox}
}

func randomDigits(t *testing.T, n int) string {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}

// newReport opens an interaction in f's inbox at the given time.
func newReport(t *testing.T, f fixture, name, body string, at time.Time) (*domain.Interaction, *domain.Message, domain.Token) {
	t.Helper()
	ids := domain.IDs{
		Interaction: must(domain.NewInteractionID(rand.Reader)),
		Message:     must(domain.NewMessageID(rand.Reader)),
		Ref:         must(domain.NewReference(rand.Reader)),
		Token:       must(domain.NewToken(rand.Reader)),
	}
	ia, msg, token, err := domain.OpenInteraction(ids, domain.NewReport{
		Form: f.form, Inbox: f.inbox, Channel: domain.ChannelWeb, Name: name, Body: body,
	}, at)
	require.NoError(t, err)
	return ia, msg, token
}

func createReport(t *testing.T, st ports.Store, f fixture, at time.Time, contact domain.Contact, meta domain.Meta) (*domain.Interaction, *domain.Message, domain.Token) {
	t.Helper()
	ia, msg, token := newReport(t, f, "Sam", "Someone is being unkind at the bus stop.", at)
	require.NoError(t, st.InTx(context.Background(), func(tx ports.Tx) error {
		if err := tx.Interactions().Create(context.Background(), ia, token, contact); err != nil {
			return err
		}
		return tx.Messages().Add(context.Background(), msg, meta)
	}))
	return ia, msg, token
}

// saveChanges writes what a test changed in ia (its inbox, status, flags,
// hold and dates) through Change.
func saveChanges(tx ports.Tx, ia *domain.Interaction) error {
	_, err := tx.Interactions().Change(context.Background(), ia.ID, func(cur *domain.Interaction) error {
		cur.InboxID, cur.Status, cur.Flagged, cur.LegalHold = ia.InboxID, ia.Status, ia.Flagged, ia.LegalHold
		cur.LastActivityAt, cur.ClosedAt = ia.LastActivityAt, ia.ClosedAt
		return nil
	})
	return err
}
