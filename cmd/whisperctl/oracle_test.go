package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `staff create` answers alike for an address that has an account with
// another organisation and for one that has none, in text and in JSON.
func TestStaffCreateRevealsNoOtherOrganisationsAccount(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		c.ok(&struct{}{}, "db", "migrate")
		var oak, birch orgOut
		c.ok(&oak, "org", "create", "--name", "Oakfield Primary")
		c.ok(&birch, "org", "create", "--name", "Birchwood High")
		c.ok(&struct{}{}, "staff", "create", "--org", birch.ID, "--email", "bea@birchwood.example", "--first-name", "Bea")
		c.ok(&struct{}{}, "staff", "create", "--org", birch.ID, "--email", "ben@birchwood.example", "--first-name", "Ben")

		shape := regexp.MustCompile(`stf_[a-z2-7]+|set-password/[A-Za-z0-9_-]+|\d{4}-\d\d-\d\d[ T][0-9:.]+(Z| UTC)?`)
		answer := func(email string, json bool) result {
			args := []string{"staff", "create", "--org", oak.ID, "--email", email, "--first-name", "Newcomer"}
			if json {
				args = append(args, "--json")
			}
			r := c.run("", args...)
			r.stdout = shape.ReplaceAllString(strings.ReplaceAll(r.stdout, email, "EMAIL"), "X")
			return r
		}
		for i, json := range []bool{false, true} {
			taken := answer([]string{"bea", "ben"}[i]+"@birchwood.example", json)
			fresh := answer([]string{"nobody", "no-one"}[i]+"@birchwood.example", json)
			assert.Equal(t, fresh, taken, "json %v", json)
			require.Equal(t, 0, taken.code, taken.stderr)
		}

		// An address already in the organisation may be refused.
		c.fails(exitConflict, "staff", "create", "--org", birch.ID, "--email", "BEA@birchwood.example", "--first-name", "Bea")
	})
}
