package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two inboxes of one form cannot share a name, however it is spelt: the
// operator is told which name, in one line, and nothing is added.
func TestInboxNamesAreUniquePerForm(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		require.Equal(t, 0, c.run("", "db", "migrate").code)
		var org orgOut
		c.ok(&org, "org", "create", "--name", "Oakfield Primary")
		var form, other struct{ ID string }
		c.ok(&form, "form", "create", "--org", org.ID, "--name", "Oakfield", "--code", "OAK9")
		c.ok(&other, "form", "create", "--org", org.ID, "--name", "Oakfield Juniors", "--code", "OAKJ")

		msg := c.fails(exitConflict, "inbox", "create", "--form", form.ID, "--name", " general ")
		assert.Contains(t, msg, "this form already has an inbox named general")
		var bullying struct{ ID string }
		c.ok(&bullying, "inbox", "create", "--form", form.ID, "--name", "Bullying")
		c.fails(exitConflict, "inbox", "create", "--form", form.ID, "--name", "BULLYING")
		c.ok(&bullying, "inbox", "create", "--form", other.ID, "--name", "Bullying") // another form may
	})
}
