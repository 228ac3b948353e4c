package export

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/whisper-schools/whisper/domain"
)

// The JSON export, written a row at a time, is byte for byte what
// encoding the whole array with json.Encoder and a two-space indent wrote
// before: scripts read it. No rows, one and several.
func TestStreamedJSONIsTheEncodersLayout(t *testing.T) {
	z := domain.NewZone(time.UTC)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rows := []domain.ExportRow{{Ref: "A", CreatedAt: at, Messages: []domain.ExportMessage{{Author: "x", At: at, Text: "hi <b>"}}}, {Ref: "B", ClosedAt: &at}}
	for _, rs := range [][]domain.ExportRow{nil, rows[:1], rows} {
		var got bytes.Buffer
		if err := WriteJSON(&got, rs, z); err != nil {
			t.Fatal(err)
		}
		var old bytes.Buffer
		out := make([]rowJSON, 0)
		for _, row := range rs {
			r := rowJSON{Ref: string(row.Ref), Status: string(row.Status), CreatedAt: z.ISO(row.CreatedAt), LastActivityAt: z.ISO(row.LastActivityAt), Messages: make([]messageJSON, len(row.Messages)), InternalNotes: make([]noteJSON, 0)}
			if row.ClosedAt != nil {
				c := z.ISO(*row.ClosedAt)
				r.ClosedAt = &c
			}
			for i, m := range row.Messages {
				r.Messages[i] = messageJSON{Author: m.Author, CreatedAt: z.ISO(m.At), Text: m.Text}
			}
			out = append(out, r)
		}
		enc := json.NewEncoder(&old)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			t.Fatal(err)
		}
		if got.String() != old.String() {
			t.Fatalf("got\n%s\nwant\n%s", got.String(), old.String())
		}
	}
}
