package app_test

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/whisper-schools/whisper/adapters/swearing"
	"github.com/whisper-schools/whisper/app"
)

// BenchmarkSubmitReport measures one web report through the use case on
// the embedded store, with the swear-word filter on: what the web edge
// adds on top is in tools/loadtest.
func BenchmarkSubmitReport(b *testing.B) {
	s := newSchool(b)
	svc := app.New(app.Deps{Store: s.store, Clock: s.clock, Random: rand.Reader, Hasher: s.hasher, Swearing: swearing.New(), PublicURL: "https://w.example"})
	body := strings.Repeat("Someone in my class keeps taking my things. ", 14)[:600]
	b.ResetTimer()
	for range b.N {
		if _, err := svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}
