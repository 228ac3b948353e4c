package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOperatorSetsUpSSO(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		var migrated struct{ Applied []string }
		c.ok(&migrated, "db", "migrate")
		var org orgOut
		c.ok(&org, "org", "create", "--name", "Oakfield Primary")

		set := []string{"sso", "set", "--org", org.ID, "--issuer", "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
			"--client-id", "app-1", "--client-secret-stdin", "--domains", "oakfield.sch.uk, Staff.Oakfield.sch.uk", "--required",
			"--reason", "the school uses Microsoft 365", "--json"}
		r := c.run("very-secret-value\n", set...)
		require.Equal(t, 0, r.code, r.stderr)
		assert.NotContains(t, r.stdout, "very-secret-value")
		var got struct {
			Issuer   string
			Domains  []string
			Required bool
			TenantID string `json:"tenant_id"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
		assert.Equal(t, []string{"oakfield.sch.uk", "staff.oakfield.sch.uk"}, got.Domains)
		assert.True(t, got.Required)
		assert.Equal(t, "9188040d-6c67-4c5b-b112-36a304b66dad", got.TenantID, "the tenant comes from the issuer")

		shown := c.run("", "sso", "show", "--org", org.ID)
		require.Equal(t, 0, shown.code, shown.stderr)
		assert.Contains(t, shown.stdout, "oakfield.sch.uk")
		assert.NotContains(t, shown.stdout, "very-secret-value")

		// The secret only from standard input; a reason always.
		c.fails(exitUsage, "sso", "set", "--org", org.ID, "--issuer", "https://accounts.google.com", "--client-id", "x", "--domains", "a.sch.uk", "--reason", "r")
		c.fails(exitUsage, "sso", "remove", "--org", org.ID)

		var log []struct{ Action, Reason string }
		c.ok(&log, "audit", "list")
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action)
		}
		assert.Contains(t, actions, "sso.set")

		r = c.run("", "sso", "remove", "--org", org.ID, "--reason", "moving to Google")
		require.Equal(t, 0, r.code, r.stderr)
		c.fails(4, "sso", "show", "--org", org.ID)
		c.fails(4, "sso", "remove", "--org", org.ID, "--reason", "again")
	})
}
