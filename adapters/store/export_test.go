package store

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/whisper-schools/whisper/ports"
)

// InsertBothWaysForTest writes sample rows of every type that goes through
// preparedInserts twice in st, once through the prepared statement and
// once through bun's own INSERT, and returns what each way stored, column
// by column, as the database shows it as text ("table.column #n" → [bun,
// prepared]). The rows hang off the organisation, form and inbox named.
func InsertBothWaysForTest(ctx context.Context, st *Store, org, form, inbox string) (map[string][2]string, error) {
	// Nanoseconds, which bun drops, a zone other than UTC, quotes, accents,
	// empty and NULL values, empty and binary blobs.
	at := time.Date(2026, 3, 14, 15, 9, 26, 535897123, time.FixedZone("BST", 3600))
	rows := func(way string) []any {
		id, token, ix, name := "ia-"+way, "token-"+way, "index-"+way, "it's Zoë"
		return []any{
			&interactionRow{ID: id, Ref: "R-" + way, OrgID: org, FormID: form, InboxID: inbox, Channel: "web", Status: "closed",
				ReporterNameSealed: []byte(name), Flagged: true, TokenHash: &token, EmailSealed: []byte{}, EmailIndex: &ix,
				PhoneSealed: []byte{0, 1, 255}, PhoneIndex: &ix, CreatedAt: at, LastActivityAt: at.Add(time.Microsecond),
				ClosedAt: &at},
			// Erased, so it holds no personal data: the database refuses any.
			&interactionRow{ID: "bare-" + way, Ref: "B-" + way, OrgID: org, FormID: form, InboxID: inbox, Channel: "sms", Status: "open", ErasedAt: &at},
			&messageRow{ID: "msg-" + way, InteractionID: id, Author: "reporter", BodySealed: []byte("body"), CreatedAt: at},
			&deliveryRow{ID: "out-" + way, Kind: "staff_new_report", Channel: "email", ToSealed: []byte("to"),
				Subject: `"quoted" 'and' ✓`, Language: "cy", OrgID: &org, InteractionID: &id, Status: "pending", Attempts: 3,
				NextAttemptAt: at, CreatedAt: at.Truncate(time.Second)},
			&deliveryRow{ID: "empty-" + way, Kind: "k", Channel: "sms", ToSealed: []byte{}, Language: "en", Status: "sent"},
		}
	}
	err := st.InTx(ctx, func(ptx ports.Tx) error {
		t := ptx.(*tx)
		for _, row := range rows("bun") {
			if _, err := t.db.NewInsert().Model(row).Exec(ctx); err != nil {
				return err
			}
		}
		for _, row := range rows("prepared") {
			if err := t.insert(ctx, row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	stored := map[string][2]string{}
	for n, row := range rows("bun") {
		table := st.db.Table(reflect.TypeOf(row).Elem())
		id := reflect.ValueOf(row).Elem().FieldByName("ID").String()
		for _, f := range table.Fields {
			var got [2]string
			for i, way := range []string{"bun", "prepared"} {
				show := fmt.Sprintf("quote(%s) || ' ' || typeof(%s)", f.SQLName, f.SQLName)
				if st.postgres {
					show = fmt.Sprintf("quote_nullable(%s::text)", f.SQLName)
				}
				var text string
				wayID := id[:len(id)-len("bun")] + way
				if err := st.db.QueryRowContext(ctx, fmt.Sprintf("SELECT %s FROM %s WHERE id = ?", show, table.SQLName), wayID).Scan(&text); err != nil {
					return nil, err
				}
				got[i] = text
			}
			stored[fmt.Sprintf("%s.%s #%d", table.Name, f.Name, n)] = got
		}
	}
	return stored, nil
}
