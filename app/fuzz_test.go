package app_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// FuzzReceiveText routes arbitrary texts from arbitrary numbers through the
// real store: nothing may panic, only bad numbers may be refused, every
// text has one of the known outcomes, and a text that comes again with a
// nonce already seen is a replay, with a carrier id already seen a
// duplicate, whatever it says.
func FuzzReceiveText(f *testing.F) {
	for _, seed := range []struct {
		from, text string
		again      uint8
	}{
		{"447700900123", "OAK Someone is hurting me", 0},
		{"447700900123", "and again", 0},
		{"447700900999", "NOSUCH hi", 0},
		{"+44 7700 900555", "oak", 0},
		{"12", "OAK x", 0},
		{"447700900123", "ＯＡＫ\u200bhidden", 0},
		{"447700900123", "", 0},
		{"447700900123", "OAK the webhook replayed", replayNonce},
		{"447700900123", "OAK the carrier's retry", retryID},
		{"447700900123", "a follow-up, both again", replayNonce | retryID},
	} {
		f.Add(seed.from, seed.text, seed.again)
	}
	s := newSchool(f)
	n := 0
	// kept is the last text whose nonce and id were recorded.
	var kept *app.InboundText
	f.Fuzz(func(t *testing.T, from, text string, again uint8) {
		n++
		in := app.InboundText{MessageUUID: fmt.Sprint("fuzz-", n), From: from, Text: text, Nonce: fmt.Sprint("nonce-", n)}
		replay, retry := again&replayNonce != 0 && kept != nil, again&retryID != 0 && kept != nil
		if replay {
			in.Nonce = kept.Nonce
		}
		if retry {
			in.MessageUUID = kept.MessageUUID
		}
		out, err := s.svc.Reporting.ReceiveText(ctx, in)
		_, badNumber := domain.ParsePhone(from, domain.DefaultPhoneRegion)
		switch {
		case badNumber != nil || (err != nil && domain.KindOf(err) == domain.KindInvalid):
			if domain.KindOf(err) != domain.KindInvalid {
				t.Fatalf("from %q text %q: %v, want a refusal", from, text, err)
			}
		case replay:
			if !errors.Is(err, app.ErrReplayed) {
				t.Fatalf("from %q text %q, a nonce seen before: %q, %v", from, text, out, err)
			}
		case err != nil:
			t.Fatalf("from %q text %q: %v", from, text, err)
		case retry:
			if out != app.TextDuplicate {
				t.Fatalf("from %q text %q, an id seen before: %q", from, text, out)
			}
		default:
			switch out {
			case app.TextOpened, app.TextContinued, app.TextHelped, app.TextDropped, app.TextLinked, app.TextLimited:
			default:
				t.Fatalf("from %q text %q: outcome %q", from, text, out)
			}
		}
		if err == nil && out != app.TextDuplicate {
			kept = &in // a duplicate changes nothing, its nonce included
		}
	})
}

// What FuzzReceiveText's again says to send again: the nonce, the carrier
// id, or both, of the last text whose were recorded.
const (
	replayNonce uint8 = 1 << iota
	retryID
)
