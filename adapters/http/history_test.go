package http_test

import (
	"html"
	nethttp "net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// onBothStores runs test on a portal over SQLite and over PostgreSQL.
func onBothStores(t *testing.T, test func(t *testing.T, p *portal)) {
	for name, pg := range map[string]bool{"sqlite": false, "postgres": true} {
		t.Run(name, func(t *testing.T) { test(t, newPortalWith(t, siteOptions{postgres: pg})) })
	}
}

// historyLines are the lines of the history list on a page, as text, in
// order, each "when – what".
func historyLines(t *testing.T, body string) []string {
	t.Helper()
	start := strings.Index(body, `<ol class="history">`)
	if start < 0 {
		return nil
	}
	end := strings.Index(body[start:], "</ol>")
	require.Positive(t, end)
	tags := regexp.MustCompile(`<[^>]+>`)
	var out []string
	for _, li := range strings.Split(body[start:start+end], "<li>")[1:] {
		out = append(out, strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(li, " "))), " "))
	}
	return out
}

// Every action on a report lands in its history, by name, on the school's
// clock, in the member's language; reads at most once an hour each.
func TestInteractionHistory(t *testing.T) {
	onBothStores(t, func(t *testing.T, p *portal) {
		ref := p.caseRefOf(p.report("Someone took my phone at break"))
		admin, dev := p.as(p.admin), p.as(p.staff)

		// 5 October 2026 is summer time: 09:01 UTC is 10:01 BST.
		r := admin.get(interactionPath(ref, ""))
		require.Equal(t, nethttp.StatusOK, r.status)
		assert.Contains(t, r.body, `<h2 id="history">History</h2>`)
		assert.Contains(t, r.body, `<details class="history-details">`)
		assert.Contains(t, r.body, `<a href="/staff/interactions/`+string(ref)+`/record">Print or save the record</a>`)
		assert.Equal(t, []string{"5 October 2026, 10:01 BST – Hana Tester read the report"}, historyLines(t, r.body))
		assert.Contains(t, html.UnescapeString(r.body), `<li><time datetime="2026-10-05T10:01:00+01:00">`)

		p.clock.add(time.Minute)
		require.Equal(t, nethttp.StatusOK, admin.get(interactionPath(ref, "")).status, "again within the hour")
		require.Equal(t, nethttp.StatusOK, dev.get(interactionPath(ref, "")).status)
		p.clock.add(time.Minute)
		require.Equal(t, nethttp.StatusSeeOther, dev.post(interactionPath(ref, "messages"), url.Values{"message": {"Come and see me at lunch."}}).status)
		p.clock.add(time.Minute)
		require.Equal(t, nethttp.StatusSeeOther, dev.post(interactionPath(ref, "status"), url.Values{"status": {"closed"}}).status)
		require.Equal(t, nethttp.StatusSeeOther, dev.post(interactionPath(ref, "status"), url.Values{"status": {"closed"}}).status, "closed already: nothing done")
		p.clock.add(time.Minute)
		require.Equal(t, nethttp.StatusSeeOther, admin.post(interactionPath(ref, "status"), url.Values{"status": {"open"}}).status)
		p.clock.add(time.Minute)
		require.Equal(t, nethttp.StatusSeeOther, admin.post(interactionPath(ref, "inbox"), url.Values{"inbox": {string(p.second.ID)}}).status)
		p.clock.add(time.Minute)
		require.Equal(t, nethttp.StatusOK, admin.get("/staff/export.csv").status)
		require.Equal(t, nethttp.StatusOK, admin.get("/staff/export.json").status)
		require.Equal(t, nethttp.StatusOK, admin.get(interactionPath(ref, "record")).status)
		p.clock.add(time.Hour)
		admin = p.as(p.admin) // the last session has gone idle

		r = admin.get(interactionPath(ref, ""))
		require.Equal(t, nethttp.StatusOK, r.status)
		assert.Equal(t, []string{
			"5 October 2026, 10:01 BST – Hana Tester read the report",
			"5 October 2026, 10:02 BST – Dev Tester read the report",
			"5 October 2026, 10:03 BST – Dev Tester replied to the reporter",
			"5 October 2026, 10:04 BST – Dev Tester closed the report",
			"5 October 2026, 10:05 BST – Hana Tester reopened the report",
			"5 October 2026, 10:06 BST – Hana Tester moved the report to Online worries",
			"5 October 2026, 10:07 BST – Hana Tester exported the report (CSV)",
			"5 October 2026, 10:07 BST – Hana Tester exported the report (JSON)",
			"5 October 2026, 10:07 BST – Hana Tester opened the record to print or save",
			"5 October 2026, 11:07 BST – Hana Tester read the report",
		}, historyLines(t, r.body))
		assert.NotContains(t, r.body, "UTC")

		// In Welsh for a member who reads Welsh, months and all.
		require.Equal(t, nethttp.StatusSeeOther, admin.post("/staff/account/language", url.Values{"lang": {"cy"}}).status)
		r = admin.get(interactionPath(ref, ""))
		require.Equal(t, nethttp.StatusOK, r.status)
		assert.Contains(t, r.body, `<h2 id="history">Hanes</h2>`)
		assert.Contains(t, r.body, "Argraffu neu gadw&#39;r cofnod")
		lines := historyLines(t, r.body)
		require.Len(t, lines, 10, "the same hour: no new read")
		assert.Equal(t, "5 Hydref 2026, 10:01 BST – Darllenodd Hana Tester yr adroddiad", lines[0])
		assert.Equal(t, "5 Hydref 2026, 10:06 BST – Symudodd Hana Tester yr adroddiad i'r categori Online worries", lines[5])
		assert.Equal(t, "5 Hydref 2026, 10:07 BST – Allforiodd Hana Tester yr adroddiad (CSV)", lines[6])

		// Dev no longer sees the report (it moved), and its history is not
		// shown to him anywhere.
		assert.Equal(t, nethttp.StatusNotFound, p.as(p.staff).get(interactionPath(ref, "")).status)
	})
}

// The record holds the report's facts, conversation and history, prints
// without the portal around it, and is itself recorded.
func TestInteractionRecord(t *testing.T) {
	onBothStores(t, func(t *testing.T, p *portal) {
		ref := p.caseRefOf(p.report("They said they would wait for me after school", "name", "Robin Example"))
		dev := p.as(p.staff)
		p.clock.add(time.Minute)
		require.Equal(t, nethttp.StatusSeeOther, dev.post(interactionPath(ref, "messages"), url.Values{"message": {"Thank you for telling us."}}).status)
		p.clock.add(time.Minute)
		require.Equal(t, nethttp.StatusSeeOther, dev.post(interactionPath(ref, "status"), url.Values{"status": {"closed"}}).status)
		p.clock.add(time.Minute)

		r := dev.get(interactionPath(ref, "record"))
		require.Equal(t, nethttp.StatusOK, r.status)
		assertPageHeaders(t, r)
		assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
		assert.NotContains(t, r.body, "<script")
		assert.Contains(t, r.body, `<link rel="stylesheet" href="/static/whisper.css">`)
		assert.Contains(t, r.body, `<title>Record of report `+string(ref)+` – Whisper staff</title>`)
		assert.Contains(t, r.body, `<h1 id="record-title">Record of report <span class="ref">`+string(ref)+`</span></h1>`)
		assert.Contains(t, r.body, `<p class="record-running">Whisper record · report `+string(ref)+` · confidential</p>`)
		assert.Contains(t, r.body, "Taken by Dev Tester on 5 October 2026, 10:04 BST.")
		body := html.UnescapeString(r.body)
		for _, row := range [][2]string{
			{"Reference", string(ref)}, {"Reporter", "Robin Example"}, {"Form", "Oakfield Primary"}, {"Category", "General"},
			{"Status", "Closed"}, {"Received", "5 October 2026, 10:01 BST"}, {"Closed", "5 October 2026, 10:03 BST"},
		} {
			assert.Regexp(t, `<tr><th scope="row">`+row[0]+`</th><td>(<time datetime="[^"]+">)?`+regexp.QuoteMeta(row[1])+`(</time>)?</td></tr>`, body, row[0])
		}
		assert.Contains(t, body, `<span class="msg-author">Reporter</span>`)
		assert.Contains(t, body, "They said they would wait for me after school")
		assert.Contains(t, body, `<span class="msg-author">Dev Tester</span>`)
		assert.Contains(t, body, "Thank you for telling us.")
		assert.Equal(t, []string{
			"5 October 2026, 10:02 BST – Dev Tester replied to the reporter",
			"5 October 2026, 10:03 BST – Dev Tester closed the report",
			"5 October 2026, 10:04 BST – Dev Tester opened the record to print or save",
		}, historyLines(t, r.body), "taking the record is recorded, in it too")
		// No form on it: nothing to act with from a printout.
		main := r.body[strings.Index(r.body, `<main`):]
		assert.NotContains(t, main, "<form")

		// In Welsh.
		require.Equal(t, nethttp.StatusSeeOther, dev.post("/staff/account/language", url.Values{"lang": {"cy"}}).status)
		r = dev.get(interactionPath(ref, "record"))
		require.Equal(t, nethttp.StatusOK, r.status)
		assert.Equal(t, "cy", r.header.Get("Content-Language"))
		assert.Contains(t, r.body, `<html lang="cy">`)
		assert.Contains(t, r.body, `Cofnod adroddiad <span class="ref">`+string(ref)+`</span>`)
		assert.Contains(t, html.UnescapeString(r.body), "Cymerwyd ar 5 Hydref 2026, 10:04 BST gan aelod o staff: Dev Tester.")
		assert.Contains(t, html.UnescapeString(r.body), "Agorodd Dev Tester y cofnod i'w argraffu neu ei gadw")

		// An unknown or malformed reference is a page that does not exist.
		assert.Equal(t, nethttp.StatusNotFound, dev.get(interactionPath("WSP-AAAA-AAAA", "record")).status)
		assert.Equal(t, nethttp.StatusNotFound, dev.get(interactionPath("nonsense", "record")).status)
	})
}

// Only a member who may see the report may take its record; anyone else
// learns nothing, and nothing is recorded.
func TestInteractionRecordAuthorisationMatrix(t *testing.T) {
	onBothStores(t, func(t *testing.T, p *portal) {
		ref := p.caseRefOf(p.report("Someone keeps messaging me"))
		for _, c := range []struct {
			name   string
			b      *browser
			status int
		}{
			{"signed out", p.anonymous(), nethttp.StatusSeeOther},
			{"admin of another organisation", p.as(p.adminB), nethttp.StatusNotFound},
			{"staff without the inbox", p.as(p.otherInbox), nethttp.StatusNotFound},
			{"staff of the inbox", p.as(p.staff), nethttp.StatusOK},
			{"admin", p.as(p.admin), nethttp.StatusOK},
		} {
			before := p.caseState(ref)
			r := c.b.get(interactionPath(ref, "record"))
			assert.Equal(t, c.status, r.status, c.name)
			assert.Equal(t, before, p.caseState(ref), c.name)
			switch c.status {
			case nethttp.StatusSeeOther:
				assert.Equal(t, "/staff/login", r.header.Get("Location"), c.name)
			case nethttp.StatusNotFound:
				assert.NotContains(t, r.body, string(ref), c.name)
				assert.NotContains(t, r.body, "Someone keeps messaging me", c.name)
			default:
				assert.Contains(t, r.body, "Someone keeps messaging me", c.name)
			}
			// Other methods are not routes.
			assert.NotEqual(t, nethttp.StatusOK, c.b.post(interactionPath(ref, "record"), url.Values{}).status, c.name)
		}
		// The two who could took it; the others left no trace.
		r := p.as(p.admin).get(interactionPath(ref, "record"))
		lines := historyLines(t, r.body)
		var printed []string
		for _, l := range lines {
			if strings.Contains(l, "opened the record") {
				printed = append(printed, l[strings.Index(l, "– ")+len("– "):])
			}
		}
		assert.Equal(t, []string{
			"Dev Tester opened the record to print or save",
			"Hana Tester opened the record to print or save",
			"Hana Tester opened the record to print or save",
		}, printed)
	})
}

// The record shows nothing of the reporter's contact or meta data, though
// the store holds all of it, nor how the report came in.
func TestInteractionRecordHoldsNoContactOrMeta(t *testing.T) {
	onBothStores(t, func(t *testing.T, p *portal) {
		const (
			email = "robin.reporter@example.org"
			phone = "+447700900123"
			ip    = "81.2.69.7" // placed in Bristol, on Example Broadband
		)
		web, err := p.svc.Reporting.SubmitReport(ctx, app.SubmitReport{
			FormCode: "OAK", InboxID: string(p.inbox.ID), Body: "A web report", Email: email, Name: "Robin",
			IP: netip.MustParseAddr(ip),
		})
		require.NoError(t, err)
		sms := p.caseSMS("A report from the bus stop", phone)
		secrets := []string{email, "robin.reporter", phone, "7700900123", "07700 900123", ip, "Bristol", "Example Broadband", "Example Mobile", "Leeds"}
		for _, m := range []*domain.Staff{p.admin, p.staff} {
			b := p.as(m)
			for _, ref := range []domain.Reference{web.Ref, sms} {
				require.Equal(t, nethttp.StatusSeeOther, b.post(interactionPath(ref, "messages"), url.Values{"message": {"Please come and see us."}}).status)
				r := b.get(interactionPath(ref, "record"))
				require.Equal(t, nethttp.StatusOK, r.status)
				assert.Contains(t, r.body, "Please come and see us.", "a real record")
				for _, secret := range secrets {
					assert.NotContains(t, r.body, secret)
				}
				assert.Empty(t, channelWords.FindAllString(r.body, -1), "nothing says how a report came in")
			}
		}
	})
}

// A note is in the record, marked internal, and adding it is in the
// history; its text is not.
func TestInteractionRecordHoldsNotes(t *testing.T) {
	onBothStores(t, func(t *testing.T, p *portal) {
		ref := p.caseRefOf(p.report("They said they would wait for me after school"))
		dev := p.as(p.staff)
		p.clock.add(time.Minute)
		require.Equal(t, nethttp.StatusSeeOther, dev.post(interactionPath(ref, "notes"), url.Values{"note": {"Spoke to the form tutor about the gate."}}).status)
		p.clock.add(time.Minute)

		r := dev.get(interactionPath(ref, "record"))
		require.Equal(t, nethttp.StatusOK, r.status)
		body := html.UnescapeString(r.body)
		assert.Contains(t, body, `<h2 id="notes-title">Internal notes</h2>`)
		assert.Contains(t, body, "Internal note — not shown to the reporter</strong> <span class=\"msg-author\">Dev Tester</span>")
		assert.Contains(t, body, "Spoke to the form tutor about the gate.")
		assert.Contains(t, historyLines(t, r.body), "5 October 2026, 10:02 BST – Dev Tester added an internal note")
		assert.Equal(t, 1, strings.Count(body, "Spoke to the form tutor about the gate."), "the history names the note, not its text")
	})
}

// Assigning, unassigning and marking urgent or not are each a line of the
// history, written only when they change something.
func TestTriageActionsAreInTheHistory(t *testing.T) {
	onBothStores(t, func(t *testing.T, p *portal) {
		ref := p.caseRefOf(p.report("They said they would wait for me after school"))
		dev := p.as(p.staff)
		for _, step := range []struct {
			action string
			form   url.Values
		}{
			{"assignee", url.Values{"staff_id": {string(p.staff.ID)}}},
			{"assignee", url.Values{"staff_id": {string(p.staff.ID)}}}, // no change: no line
			{"urgent", url.Values{"urgent": {"on"}}},
			{"urgent", url.Values{"urgent": {"on"}}}, // no change: no line
			{"urgent", url.Values{"urgent": {"off"}}},
			{"assignee", url.Values{"staff_id": {""}}},
		} {
			p.clock.add(time.Minute)
			require.Equal(t, nethttp.StatusSeeOther, dev.post(interactionPath(ref, step.action), step.form).status, step.action)
		}
		r := dev.get(interactionPath(ref, ""))
		require.Equal(t, nethttp.StatusOK, r.status)
		assert.Equal(t, []string{
			"5 October 2026, 10:02 BST – Dev Tester assigned the report to Dev Tester",
			"5 October 2026, 10:04 BST – Dev Tester marked the report urgent",
			"5 October 2026, 10:06 BST – Dev Tester marked the report not urgent",
			"5 October 2026, 10:07 BST – Dev Tester left the report unassigned",
			"5 October 2026, 10:07 BST – Dev Tester read the report",
		}, historyLines(t, r.body))
	})
}
