package storetest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// formRaces race an organisation's admins changing one form.
var formRaces = map[string]func(*testing.T, ports.Store){
	"ClosingAFormIsNotUndoneBySettings": raceFormClosing,
}

// An admin closes the form at the end of the day while others save its
// texts: the form stays closed, and every text saved is one of theirs.
func raceFormClosing(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	admin := w.actor(t, w.member(t, "head@oakfield.example", domain.RoleAdmin))
	for round := range 5 {
		require.NoError(t, w.svc.Admin.SetFormOpen(ctx, admin, w.form.ID, true))
		race(raceCount, func(i int) {
			if i == 0 {
				assert.NoError(t, w.svc.Admin.SetFormOpen(ctx, admin, w.form.ID, false))
				return
			}
			_, err := w.svc.Admin.UpdateForm(ctx, admin, w.form.ID, app.FormSettings{Name: w.form.Name,
				Intro: fmt.Sprintf("Tell us, round %d, admin %d.", round, i), Language: "en", SwearPolicy: "flag",
				PrivacyURL: fmt.Sprintf("https://oakfield.example/privacy/%d/%d", round, i)})
			assert.NoError(t, err)
		})
		var form *domain.Form
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			form, err = tx.Forms().Get(ctx, w.form.ID)
			return err
		}))
		assert.False(t, form.Open, "round %d: a settings save reopened the form its admin had closed", round)
		// One admin's save is whole: the intro and the privacy link it
		// saved together are never half of one save and half of another.
		var r, i int
		_, err := fmt.Sscanf(form.Intro, "Tell us, round %d, admin %d.", &r, &i)
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("https://oakfield.example/privacy/%d/%d", r, i), form.PrivacyURL, "round %d", round)
	}
}
