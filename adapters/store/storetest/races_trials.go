package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// trialRaces race instances reminding admins that a trial ends soon.
var trialRaces = map[string]func(*testing.T, ports.Store){
	"TrialRemindersGoOnceEach": raceTrialReminders,
}

// Instances running housekeeping at once (two whisperd sharing a
// database) remind the admins and contact of an organisation whose trial
// ends soon once at 14 days and once at 3 days; a trial extended to a new
// end is reminded again.
func raceTrialReminders(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	w.member(t, "head@oakfield.example", domain.RoleAdmin)
	w.member(t, "teacher@oakfield.example", domain.RoleStaff)
	_, err := w.svc.Subscriptions.SetContact(ctx, app.Operator{Name: "test"}, w.org.ID, "Head@Oakfield.example", "Sam", "race")
	require.NoError(t, err)
	_, err = w.svc.Operations.SetOrganisationStatus(ctx, app.Operator{Name: "test"}, w.org.ID, domain.OrgTrial, "race")
	require.NoError(t, err)
	org, err := w.svc.Subscriptions.SetTrial(ctx, app.Operator{Name: "test"}, w.org.ID, now.AddDate(0, 0, 29), "race")
	require.NoError(t, err)
	end := *org.TrialEndsAt

	reminders := func() map[string]int { return queuedTo(t, st, domain.DeliveryTrialReminder) }
	housekeep := func(at time.Time) {
		w.clock.set(at)
		race(raceCount, func(int) {
			_, err := w.svc.Operations.Housekeep(ctx)
			assert.NoError(t, err)
		})
	}

	housekeep(end.AddDate(0, 0, -15))
	assert.Empty(t, reminders(), "15 days before: none yet")
	housekeep(end.AddDate(0, 0, -14))
	assert.Equal(t, map[string]int{"head@oakfield.example": 1}, reminders(),
		"14 days before: the admin, who is also the contact, once; staff are not told")
	housekeep(end.AddDate(0, 0, -10))
	assert.Equal(t, map[string]int{"head@oakfield.example": 1}, reminders(), "nothing new between the reminders")
	housekeep(end.AddDate(0, 0, -2))
	assert.Equal(t, map[string]int{"head@oakfield.example": 2}, reminders(), "3 days before: once more")

	w.clock.set(end.AddDate(0, 0, -2))
	_, err = w.svc.Subscriptions.SetTrial(ctx, app.Operator{Name: "test"}, w.org.ID, end.AddDate(0, 0, 10), "extended")
	require.NoError(t, err)
	housekeep(end.AddDate(0, 0, 9))
	assert.Equal(t, map[string]int{"head@oakfield.example": 3}, reminders(), "an extended trial is reminded of its new end")
}
