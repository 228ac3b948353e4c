package domain_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/domain"
)

// The parsers below read what strangers type or send. Fuzzing checks that
// none of them panics, and that what they accept is in the normal form the
// rest of the code relies on.

func FuzzSplitText(f *testing.F) {
	for _, seed := range []string{
		"OAK Someone is hurting me", "oak: help", "  Oak,\tplease", "ＯＡＫ full width", "STOP", "",
		"NOSUCH hello", "WSP1 x", "🙂 emoji first", "OAK\u00a0non-breaking", "a", strings.Repeat("A", 40),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		code, rest, ok := domain.SplitText(text)
		if !ok {
			return
		}
		again, err := domain.ParseFormCode(string(code))
		if err != nil || again != code {
			t.Fatalf("SplitText gave %q, which ParseFormCode does not keep: %v", code, err)
		}
		if rest != strings.TrimSpace(rest) {
			t.Fatalf("the rest %q is not trimmed", rest)
		}
	})
}

func FuzzParseFormCode(f *testing.F) {
	for _, seed := range []string{"OAK1", "oak1", " oak ", "ab", "ABCDEFGHIJKLM", "stop", "ı", "ſ", "ＯＡＫ", "O-A-K"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := domain.ParseFormCode(s)
		if err != nil {
			return
		}
		if len(code) < domain.MinFormCode || len(code) > domain.MaxFormCode {
			t.Fatalf("accepted %q of length %d", code, len(code))
		}
		for _, r := range code {
			if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
				t.Fatalf("accepted %q with %q", code, r)
			}
		}
		if again, _ := domain.ParseFormCode(string(code)); again != code {
			t.Fatalf("not idempotent: %q → %q", code, again)
		}
	})
}

func FuzzParseReference(f *testing.F) {
	for _, seed := range []string{"WSP-7K3D-9QXM", "wsp7k3d9qxm", "7K3D-9QXM", "WSP-WSP1-2345", "WSPO-I1L", "", "WSP-", "UUUU-UUUU"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := domain.ParseReference(s)
		if err != nil {
			return
		}
		if len(ref) != len("WSP-7K3D-9QXM") || !strings.HasPrefix(string(ref), "WSP-") || ref[8] != '-' {
			t.Fatalf("accepted %q as %q", s, ref)
		}
		if again, err := domain.ParseReference(string(ref)); err != nil || again != ref {
			t.Fatalf("a parsed reference %q does not parse to itself: %q, %v", ref, again, err)
		}
	})
}

func FuzzParseToken(f *testing.F) {
	for _, seed := range []string{strings.Repeat("A", 43), "short", "", strings.Repeat("_", 43), strings.Repeat("A", 44), "AAAA=="} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		token, err := domain.ParseToken(s)
		if err != nil {
			if domain.KindOf(err) != domain.KindNotFound {
				t.Fatalf("a bad token is %v, not KindNotFound", domain.KindOf(err))
			}
			return
		}
		if len(token) != 43 || len(token.Hash()) != 64 {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzParseEmailAndPhone(f *testing.F) {
	for _, seed := range []string{"kid@example.org", "A@B.CO", "x@y", "<a@b.c>", "a@b.c\r\nBcc: x@y.z", "+44 7700 900123", "447700900123", "0", "+", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if email, err := domain.ParseEmail(s); err == nil {
			if strings.ContainsAny(email, "\r\n<> ") || !utf8.ValidString(email) || len(email) > domain.MaxEmail {
				t.Fatalf("accepted %q as %q", s, email)
			}
		} else if _, other := domain.ParseEmail("not an address"); domain.SafeMessage(err) != domain.SafeMessage(other) {
			t.Fatalf("the error for %q depends on the input: %q", s, domain.SafeMessage(err))
		}
		if phone, err := domain.ParsePhone(s, domain.DefaultPhoneRegion); err == nil {
			if phone[0] != '+' || len(phone) < 8 || len(phone) > 16 || strings.Trim(phone[1:], "0123456789") != "" {
				t.Fatalf("accepted %q as %q", s, phone)
			}
		}
	})
}

func FuzzCheckMessage(f *testing.F) {
	for _, seed := range []string{"hello", "   ", "\xff\xfe", strings.Repeat("é", domain.MaxMessage), "<script>alert(1)</script>"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		body, err := domain.CheckMessage(s)
		if err != nil {
			return
		}
		if body == "" || !utf8.ValidString(body) || utf8.RuneCountInString(body) > domain.MaxMessage {
			t.Fatalf("accepted %q", s)
		}
	})
}
