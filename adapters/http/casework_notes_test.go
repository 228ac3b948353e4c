package http_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// eachStore runs test on a portal over the embedded store and over
// PostgreSQL.
func eachStore(t *testing.T, test func(t *testing.T, p *portal)) {
	for name, pg := range map[string]bool{"sqlite": false, "postgres": true} {
		t.Run(name, func(t *testing.T) { test(t, newPortalWith(t, siteOptions{postgres: pg})) })
	}
}

// notesOn are the notes of the report as its organisation's admin sees them.
func (p *portal) notesOn(ref domain.Reference) []*domain.StaffNote {
	p.t.Helper()
	var notes []*domain.StaffNote
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) (err error) {
		notes, err = tx.Notes().List(ctx, domain.ViewerOf(p.admin), ref)
		return err
	}))
	return notes
}

const noteLabel = "Internal note — not shown to the reporter"

func TestNoteAndSearchRoutesAuthorisationMatrix(t *testing.T) {
	eachStore(t, func(t *testing.T, p *portal) {
		ref := p.caseRefOf(p.report("Someone keeps messaging me about the trampoline"))
		people := []struct {
			name string
			b    *browser
			sees bool
		}{
			{"anonymous", p.anonymous(), false},
			{"staff of another inbox", p.as(p.otherInbox), false},
			{"admin of another organisation", p.as(p.adminB), false},
			{"staff of the inbox", p.as(p.staff), true},
			{"admin", p.as(p.admin), true},
		}
		written := 0
		for _, w := range people {
			before, notes := p.caseState(ref), len(p.notesOn(ref))
			secret := "Checked the trampoline rota with " + w.name
			r := w.b.post(interactionPath(ref, "notes"), url.Values{"note": {secret}})
			switch {
			case w.name == "anonymous":
				assert.Equal(t, nethttp.StatusSeeOther, r.status, w.name)
				assert.Equal(t, "/staff/login", r.header.Get("Location"), w.name)
			case !w.sees:
				assert.Equal(t, nethttp.StatusNotFound, r.status, w.name)
				assert.NotContains(t, r.body, string(ref), w.name)
			default:
				w.b.confirmed(r, interactionPath(ref, ""), "Your internal note has been added. The reporter does not see it.")
				written++
				page := w.b.get(interactionPath(ref, "")).body
				assert.Contains(t, page, html.EscapeString(secret), w.name)
				assert.Contains(t, page, noteLabel, w.name)
			}
			if !w.sees {
				assert.Equal(t, notes, len(p.notesOn(ref)), "%s: no note kept", w.name)
			}
			assert.Equal(t, before, p.caseState(ref), "%s: a note changes nothing else of the report", w.name)

			r = w.b.get("/staff/?q=trampoline")
			switch {
			case w.name == "anonymous":
				assert.Equal(t, nethttp.StatusSeeOther, r.status, w.name)
			case !w.sees:
				assert.Equal(t, nethttp.StatusOK, r.status, w.name)
				assert.NotContains(t, r.body, string(ref), "%s: search finds only what they may see", w.name)
			default:
				assert.Equal(t, nethttp.StatusOK, r.status, w.name)
				assert.Contains(t, r.body, string(ref), w.name)
			}
		}
		assert.Len(t, p.notesOn(ref), written)
		assert.Equal(t, 2, written)
		// Search reaches the notes too: the admin's note names the admin.
		assert.Contains(t, p.as(p.staff).get("/staff/?q=rota+admin").body, string(ref))
		assert.NotContains(t, p.as(p.otherInbox).get("/staff/?q=rota+admin").body, string(ref))
	})
}

func TestNoteRouteRefusesCrossSitePosts(t *testing.T) {
	p := newPortal(t)
	ref := p.caseRefOf(p.report("hello"))
	admin := p.as(p.admin)
	r := admin.post(interactionPath(ref, "notes"), url.Values{"note": {"forged"}}, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, nethttp.StatusForbidden, r.status)
	r = admin.post(interactionPath(ref, "notes"), url.Values{"note": {"forged"}}, "Origin", "https://evil.example")
	assert.Equal(t, nethttp.StatusForbidden, r.status)
	assert.Empty(t, p.notesOn(ref))
}

func TestNoteProblems(t *testing.T) {
	eachStore(t, func(t *testing.T, p *portal) {
		ref := p.caseRefOf(p.report("hello"))
		admin := p.as(p.admin)
		for name, c := range map[string]struct{ note, problem string }{
			"empty":    {"   \n ", "Write the note."},
			"too long": {strings.Repeat("ŵ", domain.MaxNote+1), "A note is at most 10000 characters; this one has 10001."},
		} {
			r := admin.post(interactionPath(ref, "notes"), url.Values{"note": {c.note}})
			assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status, name)
			assert.Contains(t, r.body, c.problem, name)
			assert.Contains(t, r.body, `<a href="#note">`, "%s: the summary leads to the field", name)
			assert.Contains(t, r.body, `id="note-error"`, name)
			if strings.TrimSpace(c.note) != "" {
				assert.Contains(t, r.body, c.note, "%s: what was typed is kept", name)
			}
		}
		assert.Empty(t, p.notesOn(ref), "nothing changed")
		r := admin.post(interactionPath(ref, "notes"), url.Values{"note": {"  " + strings.Repeat("ŵ", domain.MaxNote) + "  "}})
		assert.Equal(t, nethttp.StatusSeeOther, r.status, "10,000 characters, after trimming")
		require.Len(t, p.notesOn(ref), 1)
		assert.Equal(t, strings.Repeat("ŵ", domain.MaxNote), p.notesOn(ref)[0].Body)
		// In Welsh, for a member who chose it.
		require.Equal(t, nethttp.StatusSeeOther, admin.post("/staff/account/language", url.Values{"lang": {"cy"}}).status)
		r = admin.post(interactionPath(ref, "notes"), url.Values{"note": {""}})
		assert.Contains(t, r.body, "Ysgrifennwch y nodyn.")
		assert.Contains(t, admin.get(interactionPath(ref, "")).body, "Nodyn mewnol — dydy&#39;r gohebydd ddim yn ei weld")
	})
}

// A note is never the reporter's to read: not on their conversation page,
// which still shows the staff's reply.
func TestNoteNeverOnTheReportersPage(t *testing.T) {
	eachStore(t, func(t *testing.T, p *portal) {
		token := p.report("Someone took my bag", "email", "kim@example.org")
		ref := p.caseRefOf(token)
		admin := p.as(p.admin)
		require.Equal(t, nethttp.StatusSeeOther, admin.post(interactionPath(ref, "notes"), url.Values{"note": {"Suspect it is Year 9 again"}}).status)
		require.Equal(t, nethttp.StatusSeeOther, admin.post(interactionPath(ref, "messages"), url.Values{"message": {"Thank you, we are on it."}}).status)
		for _, path := range []string{"/t/" + token, "/t/" + token + "?lang=cy"} {
			r := p.get(path)
			require.Equal(t, nethttp.StatusOK, r.status)
			assert.Contains(t, r.body, "Thank you, we are on it.")
			assert.NotContains(t, r.body, "Year 9", path)
			assert.NotContains(t, r.body, "nternal", path)
		}
		// And no email or text queued for anyone holds it.
		require.NoError(t, p.store.View(ctx, func(tx ports.Tx) error {
			ds, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
			require.NoError(t, err)
			require.NotEmpty(t, ds)
			for _, d := range ds {
				assert.NotContains(t, fmt.Sprintf("%+v", *d), "Year 9", d.Kind)
			}
			return nil
		}))
	})
}

func TestNotesInTheExport(t *testing.T) {
	p := newPortal(t)
	ref := p.caseRefOf(p.report("Someone took my bag"))
	admin := p.as(p.admin)
	require.Equal(t, nethttp.StatusSeeOther, admin.post(interactionPath(ref, "notes"), url.Values{"note": {"Called home"}}).status)

	r := admin.get("/staff/export.json")
	require.Equal(t, nethttp.StatusOK, r.status)
	var rows []struct {
		Ref           string `json:"ref"`
		Messages      []map[string]any
		InternalNotes []struct {
			Internal bool   `json:"internal"`
			Label    string `json:"label"`
			Author   string `json:"author"`
			Text     string `json:"text"`
		} `json:"internal_notes"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.body), &rows))
	require.Len(t, rows, 1)
	require.Len(t, rows[0].InternalNotes, 1)
	assert.True(t, rows[0].InternalNotes[0].Internal)
	assert.Equal(t, "INTERNAL NOTE, not shown to the reporter", rows[0].InternalNotes[0].Label)
	assert.Equal(t, "Hana Tester", rows[0].InternalNotes[0].Author)
	assert.Equal(t, "Called home", rows[0].InternalNotes[0].Text)
	for _, m := range rows[0].Messages {
		assert.NotContains(t, fmt.Sprint(m), "Called home", "a note is not a message")
	}

	r = admin.get("/staff/export.csv")
	require.Equal(t, nethttp.StatusOK, r.status)
	records, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 2)
	assert.Equal(t, "internal_notes", records[0][len(records[0])-1])
	notes := records[1][len(records[1])-1]
	assert.Contains(t, notes, "[INTERNAL NOTE, not shown to the reporter] Hana Tester (")
	assert.Contains(t, notes, "): Called home")
	assert.NotContains(t, records[1][len(records[1])-2], "Called home", "not among the messages")
}

func TestSearchTheList(t *testing.T) {
	eachStore(t, func(t *testing.T, p *portal) {
		gate := map[domain.Reference]bool{}
		for i := range 27 {
			gate[p.caseRefOf(p.report(fmt.Sprintf("The gate by the field is broken, case %d", i)))] = true
		}
		other := p.caseRefOf(p.report("Nothing about that at all"))
		admin := p.as(p.admin)

		r := admin.get("/staff/?q=" + url.QueryEscape("GATE field"))
		require.Equal(t, nethttp.StatusOK, r.status)
		assert.Contains(t, r.body, "27 reports matching the filters")
		assert.Contains(t, r.body, `value="GATE field"`, "the box keeps the search")
		assert.Contains(t, r.body, `href="/staff/?page=2&amp;q=GATE&#43;field"`, "the next page keeps it")
		assert.NotContains(t, r.body, string(other))
		for ref := range gate {
			if strings.Contains(r.body, string(ref)) {
				delete(gate, ref)
			}
		}
		r = admin.get("/staff/?page=2&q=" + url.QueryEscape("GATE field"))
		assert.Contains(t, r.body, "(page 2 of 2)")
		for ref := range gate {
			assert.Contains(t, r.body, string(ref), "the rest on page 2")
		}
		assert.NotContains(t, r.body, string(other))

		r = admin.get("/staff/?q=" + url.QueryEscape(string(other)))
		assert.Contains(t, r.body, "1 report matching the filters")
		assert.Contains(t, r.body, string(other))
		r = admin.get("/staff/?status=closed&q=gate")
		assert.Contains(t, r.body, "No reports match these filters.", "combined with the other filters")

		r = admin.get("/staff/?q=" + strings.Repeat("a", domain.MaxSearch+1))
		assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
		assert.Contains(t, r.body, "Search for at most 200 characters; this has 201.")
		assert.Contains(t, r.body, `id="q-error"`)
	})
}
