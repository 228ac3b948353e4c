package http_test

import (
	"encoding/csv"
	"encoding/json"
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExportCSV(t *testing.T) {
	p := newPortal(t)
	ref := p.caseRefOf(p.report("They said \"meet me\",\nthen left", "name", "=HYPERLINK(\"https://evil.example\")"))
	plain := p.caseRefOf(p.report("@everyone saw it"))
	staff := p.as(p.staff)
	require.Equal(t, nethttp.StatusSeeOther, staff.post(interactionPath(ref, "messages"), url.Values{"message": {"-1 is not a number we need"}}).status)
	require.Equal(t, nethttp.StatusSeeOther, staff.post(interactionPath(ref, "status"), url.Values{"status": {"closed"}}).status)

	r := staff.get("/staff/export.csv")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Equal(t, "text/csv; charset=utf-8", r.header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename="whisper-export-2026-10-05.csv"`, r.header.Get("Content-Disposition"))
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))

	records, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 3)
	header := records[0]
	assert.Equal(t, []string{"ref", "status", "form", "inbox", "reporter", "flagged", "created_at", "last_activity_at", "closed_at", "messages", "internal_notes"}, header)
	rows := map[string]map[string]string{}
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, col := range header {
			row[col] = rec[i]
		}
		rows[row["ref"]] = row
	}
	got := rows[string(ref)]
	require.NotNil(t, got)
	assert.Equal(t, "closed", got["status"])
	assert.Equal(t, "General", got["inbox"])
	assert.Equal(t, "Oakfield Primary", got["form"])
	assert.Equal(t, `'=HYPERLINK("https://evil.example")`, got["reporter"], "a formula is defused")
	assert.Equal(t, "2026-10-05T10:01:00+01:00", got["created_at"])
	assert.NotEmpty(t, got["closed_at"])
	assert.Equal(t, "reporter (2026-10-05T10:01:00+01:00): They said \"meet me\",\nthen left\nDev Tester (2026-10-05T10:02:00+01:00): -1 is not a number we need", got["messages"])

	other := rows[string(plain)]
	require.NotNil(t, other)
	assert.Equal(t, "[Anonymous]", other["reporter"])
	assert.Equal(t, "", other["closed_at"])
	assert.Equal(t, "open", other["status"])

	empty := p.as(p.otherInbox).get("/staff/export.csv")
	require.Equal(t, nethttp.StatusOK, empty.status)
	records, err = csv.NewReader(strings.NewReader(empty.body)).ReadAll()
	require.NoError(t, err)
	assert.Len(t, records, 1, "the header only: nothing of another inbox")
}

func TestCSVCellsNeverStartAFormula(t *testing.T) {
	p := newPortal(t)
	for _, name := range []string{"=1+1", "+1", "-1", "@SUM(A1)", "\tTab"} {
		p.report("hi", "name", name)
	}
	r := p.as(p.admin).get("/staff/export.csv")
	records, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 6)
	for _, rec := range records {
		for _, cell := range rec {
			if cell != "" {
				assert.NotContains(t, "=+-@\t\r", cell[:1], "cell %q", cell)
			}
		}
	}
}

func TestExportJSON(t *testing.T) {
	p := newPortal(t)
	ref := p.caseRefOf(p.report("It happened at lunch", "name", "Robin"))
	admin := p.as(p.admin)
	p.clock.add(time.Minute)
	require.Equal(t, nethttp.StatusSeeOther, admin.post(interactionPath(ref, "messages"), url.Values{"message": {"Thank you, Robin."}}).status)

	r := admin.get("/staff/export.json")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename="whisper-export-2026-10-05.json"`, r.header.Get("Content-Disposition"))
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))

	var rows []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.body), &rows))
	require.Len(t, rows, 1)
	row := rows[0]
	assert.Equal(t, string(ref), row["ref"])
	assert.Equal(t, "open", row["status"])
	assert.Equal(t, "General", row["inbox"])
	assert.Equal(t, "Robin", row["reporter"])
	assert.Equal(t, false, row["flagged"])
	assert.Equal(t, "2026-10-05T10:01:00+01:00", row["created_at"])
	assert.Equal(t, "2026-10-05T10:02:00+01:00", row["last_activity_at"], "the reply")
	assert.Nil(t, row["closed_at"])
	assert.Equal(t, []any{
		map[string]any{"author": "reporter", "created_at": "2026-10-05T10:01:00+01:00", "text": "It happened at lunch"},
		map[string]any{"author": "Hana Tester", "created_at": "2026-10-05T10:02:00+01:00", "text": "Thank you, Robin."},
	}, row["messages"])
	var keys []string
	for k := range row {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"ref", "status", "form", "inbox", "reporter", "flagged", "created_at", "last_activity_at", "closed_at", "messages", "internal_notes"}, keys,
		"no field for contact data, meta data or the channel")

	empty := p.as(p.adminB).get("/staff/export.json")
	require.Equal(t, nethttp.StatusOK, empty.status)
	assert.Equal(t, "[]\n", empty.body, "another organisation's admin gets an empty list, not null")
}
