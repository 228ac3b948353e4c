package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// testOrganisationsToPurge gives each organisation one shape of
// interaction, and asks which of them a purge has anything to do in: an
// organisation with nothing due is not returned, each kind of due or
// warning is.
func testOrganisationsToPurge(t *testing.T, st ports.Store) {
	old, recent := now.AddDate(-2, 0, 0), now
	scope := ports.PurgeScope{Retention: domain.Retention12, Erase: now.AddDate(-1, 0, 0), Warn: now.AddDate(-1, 0, 14)}
	soon := now.AddDate(-1, 0, 7) // due within the warning's notice
	type shape struct {
		activity  time.Time
		closed    *time.Time
		held      bool
		warned    bool
		erased    bool
		returned  bool
		rationale string
	}
	shapes := []shape{
		{activity: recent, rationale: "nothing due"},
		{activity: old, closed: &recent, rationale: "closed recently after long quiet: due from its closing"},
		{activity: old, returned: true, rationale: "open and due"},
		{activity: recent, closed: &old, returned: true, rationale: "closed long ago, replied to since: due from its closing"},
		{activity: old, held: true, returned: true, rationale: "held past retention: counted"},
		{activity: soon, returned: true, rationale: "due soon and not warned of"},
		{activity: soon, warned: true, rationale: "due soon and warned of already"},
		{activity: soon, held: true, rationale: "due soon but held: no warning"},
		{activity: old, erased: true, rationale: "erased already"},
	}
	orgs := make([]domain.OrgID, len(shapes))
	for n, s := range shapes {
		f := newFixture(t, st)
		orgs[n] = f.org.ID
		createReport(t, st, f, recent, domain.Contact{}, domain.Meta{}) // every organisation has something current
		ia, _, _ := createReport(t, st, f, s.activity, domain.Contact{}, domain.Meta{})
		ia.LastActivityAt, ia.LegalHold = s.activity, s.held
		if s.closed != nil {
			ia.Status, ia.ClosedAt = domain.StatusClosed, s.closed
		}
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
			if err := saveChanges(tx, ia); err != nil {
				return err
			}
			if s.warned {
				if _, err := tx.Interactions().MarkWarned(ctx, now, ia.ID); err != nil {
					return err
				}
			}
			if s.erased {
				_, err := tx.Interactions().Erase(ctx, now, ia.ID)
				return err
			}
			return nil
		}))
	}
	var found, otherRetention []domain.OrgID
	require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
		if found, err = tx.Interactions().OrganisationsToPurge(ctx, scope); err != nil {
			return err
		}
		other := scope
		other.Retention = domain.Retention6
		otherRetention, err = tx.Interactions().OrganisationsToPurge(ctx, other)
		return err
	}))
	for n, s := range shapes {
		if s.returned {
			assert.Contains(t, found, orgs[n], s.rationale)
		} else {
			assert.NotContains(t, found, orgs[n], s.rationale)
		}
		assert.NotContains(t, otherRetention, orgs[n], "only the organisations of the scope's retention")
	}
}
