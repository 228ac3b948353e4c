package storetest

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// recoveryRaces race requests for a forgotten password's reset link.
var recoveryRaces = map[string]func(*testing.T, ports.Store){
	"ForgotPasswordIsLimitedPerAccount": raceForgotPerAccount,
	"ForgotPasswordIsLimitedPerAddress": raceForgotPerAddress,
}

// Someone asks for many reset links for one account at once, from many
// addresses: exactly the account's limit of emails is queued, so that
// nobody can fill a colleague's mailbox with them.
func raceForgotPerAccount(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	m := w.member(t, "alex@oakfield.example", domain.RoleStaff)
	race(raceCount, func(i int) {
		ip := netip.MustParseAddr(fmt.Sprintf("198.51.100.%d", i+1))
		assert.NoError(t, w.svc.Portal.ForgotPassword(ctx, app.ForgotPassword{Email: m.Email, IP: ip}))
	})
	assert.Equal(t, app.ForgotPerAccount, w.resets(t), "exactly the account's limit of reset emails")
}

// One address asks for reset links for many accounts at once: exactly the
// address's limit of emails is queued.
func raceForgotPerAddress(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	n := app.ForgotPerIP + 5
	members := make([]*domain.Staff, n)
	for i := range members {
		members[i] = w.member(t, fmt.Sprintf("member%d@oakfield.example", i), domain.RoleStaff)
	}
	ip := netip.MustParseAddr("203.0.113.9")
	race(n, func(i int) {
		assert.NoError(t, w.svc.Portal.ForgotPassword(ctx, app.ForgotPassword{Email: members[i].Email, IP: ip}))
	})
	assert.Equal(t, app.ForgotPerIP, w.resets(t), "exactly the address's limit of reset emails")
}

// resets counts the reset emails queued.
func (w raceSchool) resets(t *testing.T) int {
	t.Helper()
	var ds []*domain.Delivery
	require.NoError(t, w.st.View(ctx, func(tx ports.Tx) (err error) {
		ds, err = tx.Outbox().List(ctx, ports.OutboxFilter{})
		return err
	}))
	n := 0
	for _, d := range ds {
		if d.Kind == domain.DeliveryStaffPasswordReset {
			n++
		}
	}
	return n
}
