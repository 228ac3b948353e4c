package http_test

import (
	nethttp "net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

// invitation is what an admin sees of inviting someone: the answer, and
// the staff list afterwards, with the invitee's own details taken out.
type invitation struct {
	status   int
	location string
	body     string
	list     string
}

func (p *portal) invite(email, first string) invitation {
	p.t.Helper()
	admin := p.as(p.admin)
	r := admin.post("/staff/admin/staff/new", url.Values{
		"email": {email}, "first_name": {first}, "last_name": {"Newcomer"}, "role": {"staff"}, "inboxes": {string(p.inbox.ID)},
	})
	list := admin.get("/staff/admin/staff")
	require.Equal(p.t, nethttp.StatusOK, list.status)
	ids := regexp.MustCompile(`stf_[a-z0-9]+`)
	clean := func(s string) string {
		s = strings.ReplaceAll(s, email, "EMAIL")
		s = strings.ReplaceAll(s, first, "FIRST")
		return ids.ReplaceAllString(s, "ID")
	}
	// The list is in order of joining, and every member here joined at
	// the same instant: the order of the rest is their random ids'.
	var entry string
	for _, row := range strings.Split(clean(list.body), "<tr>") {
		if strings.Contains(row, "EMAIL") {
			entry, _, _ = strings.Cut(row, "</tr>")
		}
	}
	require.NotEmpty(p.t, entry, "the invitee is listed")
	return invitation{status: r.status, location: r.header.Get("Location"), body: clean(r.body), list: entry}
}

// Inviting an address that has an account with another organisation looks
// exactly like inviting an address that has none: otherwise any admin could
// learn who uses Whisper at other schools.
func TestInvitingAnAddressOfAnotherOrganisationRevealsNothing(t *testing.T) {
	elsewhere := newPortal(t)
	taken := elsewhere.invite(elsewhere.adminB.Email, "Bea")
	fresh := newPortal(t)
	unknown := fresh.invite("nobody-yet@birchwood.example", "Bea")

	assert.Equal(t, unknown.status, taken.status)
	assert.Equal(t, nethttp.StatusSeeOther, taken.status)
	assert.Equal(t, unknown.location, taken.location)
	assert.Equal(t, unknown.body, taken.body)
	assert.Equal(t, unknown.list, taken.list, "the same entry in the staff list")
	assert.Contains(t, taken.list, `FIRST Newcomer</a> <span class="tag">Invited</span>`)

	// The address still signs in to its own account, and to that one only.
	r := elsewhere.anonymous().signIn(elsewhere.adminB.Email, staffPassword, "")
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	page := elsewhere.withSession(elsewhere.sessionFrom(r).Value).get("/staff/account")
	assert.Contains(t, page.body, "Birchwood High")

	// Its owner is told, instead of getting a link that could not work.
	var note *domain.Delivery
	for _, d := range elsewhere.adminState().Deliveries {
		if d.Kind == domain.DeliveryStaffInvite && d.To == elsewhere.adminB.Email {
			note = d
		}
	}
	require.NotNil(t, note, "the address is told")
	assert.Empty(t, note.Link, "with no set-password link")
}

// An address that is already a member of the admin's own organisation may
// still be refused: that reveals nothing across organisations.
func TestInvitingAnOwnMemberAgainIsRefused(t *testing.T) {
	p := newPortal(t)
	r := p.as(p.admin).post("/staff/admin/staff/new", url.Values{
		"email": {p.staff.Email}, "first_name": {"Dev"}, "role": {"staff"}, "inboxes": {string(p.inbox.ID)},
	})
	assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, "already")
}
