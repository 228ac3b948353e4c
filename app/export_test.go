package app_test

import (
	"fmt"
	"net/netip"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

func TestExportHoldsWhatStaffSeeAndNothingMore(t *testing.T) {
	d := newDesk(t)
	web, err := d.svc.Reporting.SubmitReport(ctx, app.SubmitReport{
		FormCode: "OAK", InboxID: string(d.inbox.ID), Name: "Robin Example", Body: "They took my bag", Email: d.mail,
		IP: netip.MustParseAddr(d.ipTxt),
	})
	require.NoError(t, err)
	sms := d.smsReport(t, "by text about the bus")
	admin := d.actorOf(t, d.admin)
	_, err = d.svc.Portal.StaffReply(ctx, admin, string(web.Ref), "Thank you, Robin.", netip.MustParseAddr("192.0.2.9"))
	require.NoError(t, err)
	require.NoError(t, d.svc.Portal.SetInteractionStatus(ctx, admin, string(web.Ref), "closed"))

	rows, err := exportAll(d.svc, admin, "csv")
	require.NoError(t, err)
	require.Len(t, rows, 2)
	byRef := map[domain.Reference]domain.ExportRow{}
	for _, r := range rows {
		byRef[r.Ref] = r
	}
	w := byRef[web.Ref]
	assert.Equal(t, domain.StatusClosed, w.Status)
	assert.NotNil(t, w.ClosedAt)
	assert.Equal(t, "General", w.Inbox)
	assert.Equal(t, "Oakfield Primary", w.Form)
	assert.Equal(t, "Robin Example", w.Reporter)
	require.Len(t, w.Messages, 2)
	assert.Equal(t, domain.ExportMessage{Author: "reporter", At: w.CreatedAt, Text: "They took my bag"}, w.Messages[0])
	assert.Equal(t, "Hana Tester", w.Messages[1].Author, "staff by full name")
	assert.Equal(t, "Thank you, Robin.", w.Messages[1].Text)
	s := byRef[sms]
	assert.Equal(t, domain.AnonymousName, s.Reporter)
	assert.Equal(t, domain.StatusOpen, s.Status)

	dump := fmt.Sprintf("%+v", rows)
	for _, secret := range []string{d.mail, d.phone, "7700900123", d.ipTxt, "192.0.2.9", "Example Mobile", "sms", string(domain.ChannelWeb) + " "} {
		assert.NotContains(t, dump, secret)
	}
	// By structure, not by care: the rows have nowhere to put them.
	for _, typ := range []reflect.Type{reflect.TypeFor[domain.ExportRow](), reflect.TypeFor[domain.ExportMessage]()} {
		for f := range typ.Fields() {
			for _, banned := range []string{"Channel", "Contact", "Email", "Phone", "IP", "Meta", "Location", "Network"} {
				assert.NotEqual(t, banned, f.Name, "%s has a field %s", typ, f.Name)
			}
		}
	}

	for name, who := range map[string]struct {
		m    *domain.Staff
		want int
	}{
		"staff of the inbox":     {d.staff, 2},
		"staff of another inbox": {d.other, 0},
		"another organisation":   {d.elsewhere, 0},
	} {
		rows, err := exportAll(d.svc, d.actorOf(t, who.m), "json")
		require.NoError(t, err, name)
		assert.Len(t, rows, who.want, name)
	}
}

// exportAll collects what Portal.Export hands over, checking the count it
// returns.
func exportAll(svc *app.App, a *app.Actor, format string) ([]domain.ExportRow, error) {
	var rows []domain.ExportRow
	n, err := svc.Portal.Export(ctx, a, format, func(r domain.ExportRow) error {
		rows = append(rows, r)
		return nil
	})
	if err == nil && n != len(rows) {
		return rows, fmt.Errorf("Export said %d rows and wrote %d", n, len(rows))
	}
	return rows, err
}

// An export larger than a batch (app.ExportBatch) hands over every
// interaction once, in the order of the portal's list (urgent ones first,
// then by latest activity), across the batches' edges; its audit entry
// counts them all.
func TestExportGoesThroughEveryBatch(t *testing.T) {
	d := newDesk(t)
	n := 2*app.ExportBatch + 7
	seedInteractions(t, d.store, n, func(i int) seedRow {
		at := start.Add(time.Duration(i) * time.Minute)
		// Activity out of the order of arrival, so that the order is
		// the list's and not the table's.
		return seedRow{form: d.form, inbox: d.inbox, created: at, activity: at.Add(time.Duration((i*37)%n) * time.Hour)}
	})
	var want []domain.Reference
	require.NoError(t, d.store.InTx(ctx, func(tx ports.Tx) error {
		list, err := tx.StaffView().List(ctx, domain.ViewerOf(d.admin), ports.StaffViewFilter{})
		if err != nil {
			return err
		}
		_, err = tx.Triage().SetUrgent(ctx, list[len(list)-1].ID, true)
		return err
	}))
	require.NoError(t, d.store.View(ctx, func(tx ports.Tx) error {
		list, err := tx.StaffView().List(ctx, domain.ViewerOf(d.admin), ports.StaffViewFilter{})
		for _, cs := range list {
			want = append(want, cs.Ref)
		}
		return err
	}))
	require.Len(t, want, n)

	rows, err := exportAll(d.svc, d.actorOf(t, d.admin), "csv")
	require.NoError(t, err)
	got := make([]domain.Reference, len(rows))
	for i, r := range rows {
		got[i] = r.Ref
		assert.Len(t, r.Messages, 1, "each with its conversation")
	}
	assert.Equal(t, want, got)

	var entries []*domain.AuditEntry
	require.NoError(t, d.store.View(ctx, func(tx ports.Tx) (err error) {
		entries, err = tx.Audit().List(ctx, 0, 0)
		return err
	}))
	last := entries[len(entries)-1]
	assert.Equal(t, domain.AuditExport, last.Action)
	assert.Equal(t, strconv.Itoa(n), last.Details["interactions"])
}
