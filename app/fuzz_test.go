package app_test

import (
	"fmt"
	"testing"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// FuzzReceiveText routes arbitrary texts from arbitrary numbers through the
// real store: nothing may panic, only bad numbers may be refused, and every
// text has one of the known outcomes.
func FuzzReceiveText(f *testing.F) {
	for _, seed := range []struct{ from, text string }{
		{"447700900123", "OAK Someone is hurting me"},
		{"447700900123", "and again"},
		{"447700900999", "NOSUCH hi"},
		{"+44 7700 900555", "oak"},
		{"12", "OAK x"},
		{"447700900123", "ＯＡＫ\u200bhidden"},
		{"447700900123", ""},
	} {
		f.Add(seed.from, seed.text)
	}
	s := newSchool(f)
	n := 0
	f.Fuzz(func(t *testing.T, from, text string) {
		n++
		out, err := s.svc.ReceiveText(ctx, app.InboundText{MessageUUID: fmt.Sprint("fuzz-", n), From: from, Text: text})
		if err != nil {
			if domain.KindOf(err) != domain.KindInvalid {
				t.Fatalf("from %q text %q: %v", from, text, err)
			}
			return
		}
		switch out {
		case app.TextOpened, app.TextContinued, app.TextHelped, app.TextDropped:
		default:
			t.Fatalf("from %q text %q: outcome %q", from, text, out)
		}
	})
}
