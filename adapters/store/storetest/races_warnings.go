package storetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// warningRaces race purges over what they warn admins of.
var warningRaces = map[string]func(*testing.T, ports.Store){
	"AdminsAreWarnedOnceOfEachErasure": raceErasureWarnings,
}

// Purges running at once (whisperd's sweep and an operator's whisperctl
// purge, say) warn the admins of each interaction soon to be erased once.
func raceErasureWarnings(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	w.member(t, "head@oakfield.example", domain.RoleAdmin)
	const reports = 20
	refs := make([]domain.Reference, reports)
	for i := range refs {
		rc, err := w.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: string(w.form.Code), Body: fmt.Sprint("Report ", i)})
		require.NoError(t, err)
		refs[i] = rc.Ref
	}
	// A week before they fall due: within the notice, not yet erased.
	w.clock.t = domain.ErasureDue(&domain.Interaction{Status: domain.StatusOpen, LastActivityAt: now}, w.org.Retention).AddDate(0, 0, -7)
	race(raceCount, func(int) {
		_, err := w.svc.Operations.Purge(ctx, app.Purge{Actor: "os:race"})
		assert.NoError(t, err)
	})
	var bodies []string
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		all, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
		for _, d := range all {
			if d.Kind == domain.DeliveryErasureWarning {
				bodies = append(bodies, d.Body)
			}
		}
		return err
	}))
	for _, ref := range refs {
		n := 0
		for _, b := range bodies {
			n += strings.Count(b, string(ref))
		}
		assert.Equal(t, 1, n, "the admin is warned of %s once", ref)
	}
}
