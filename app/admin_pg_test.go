package app_test

import (
	"crypto/rand"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// On PostgreSQL transactions really run side by side: two admins who
// demote each other at the same instant must not leave the school with
// none. Each round races a fresh pair; without the organisation's lock
// some round lets both through.
func TestLastAdminRuleHoldsUnderRacingDemotionsOnPostgres(t *testing.T) {
	st := storetest.OpenPostgres(t)
	clock := &fixedClock{start}
	svc := app.New(app.Deps{Store: st, Clock: clock, Random: rand.Reader, Hasher: passhash.New(passhash.TestParams(), 2), PublicURL: "https://whisper.example.org"})
	signIn := func(m *domain.Staff) *app.Actor {
		token, err := domain.NewToken(rand.Reader)
		require.NoError(t, err)
		require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
			return tx.Sessions().Create(ctx, &domain.Session{IDHash: token.Hash(), StaffID: m.ID, CreatedAt: start, LastSeenAt: start})
		}))
		a, err := svc.Portal.Authenticate(ctx, string(token))
		require.NoError(t, err)
		return a
	}
	for round := range 20 {
		org, err := svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: fmt.Sprintf("School %d", round)})
		require.NoError(t, err)
		var admins [2]*domain.Staff
		var actors [2]*app.Actor
		for i := range admins {
			out, err := svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: org.ID, Email: fmt.Sprintf("head%d-%d@school.example", i, round), FirstName: "Head", Role: domain.RoleAdmin})
			require.NoError(t, err)
			admins[i] = out.Staff
			actors[i] = signIn(out.Staff)
		}
		var errs [2]error
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				_, errs[i] = svc.Admin.UpdateMember(ctx, actors[i], admins[1-i].ID, app.MemberSettings{Role: "staff"})
			})
		}
		wg.Wait()
		assert.False(t, errs[0] == nil && errs[1] == nil, "round %d: both demotions went through", round)

		var adminsLeft int
		require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
			members, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &org.ID})
			for _, m := range members {
				if m.Role == domain.RoleAdmin {
					adminsLeft++
				}
			}
			return err
		}))
		assert.GreaterOrEqual(t, adminsLeft, 1, "round %d: the school kept an admin", round)
	}
}
