package domain

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Reference is an interaction's public reference, e.g. "WSP-7K3D-9QXM". Staff
// and operators quote it; it is not a secret and opens nothing by itself.
type Reference string

// refAlphabet is Crockford's base 32: no I, L, O or U, so a reference read
// aloud or copied by hand survives.
const refAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

const refPrefix = "WSP-"

// NewReference draws a reference with 40 random bits. The store's unique
// index catches the rare collision and the caller draws again.
func NewReference(random io.Reader) (Reference, error) {
	var b [8]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", fmt.Errorf("reading randomness: %w", err)
	}
	var sb strings.Builder
	sb.WriteString(refPrefix)
	for i, c := range b {
		if i == 4 {
			sb.WriteByte('-')
		}
		sb.WriteByte(refAlphabet[c&31])
	}
	return Reference(sb.String()), nil
}

// ParseReference normalises what a person typed: any case, with or without
// dashes and prefix, and the look-alikes O→0, I and L→1.
func ParseReference(s string) (Reference, error) {
	bad := Errorf(KindInvalid, "%q is not a reference (they look like WSP-7K3D-9QXM)", s)
	t := strings.NewReplacer("-", "", " ", "").Replace(strings.ToUpper(strings.TrimSpace(s)))
	// The prefix is optional, and a body may itself begin with "WSP", so
	// strip it only when what is left has the body's length.
	if len(t) == 11 && strings.HasPrefix(t, "WSP") {
		t = t[3:]
	}
	t = strings.NewReplacer("O", "0", "I", "1", "L", "1").Replace(t)
	if len(t) != 8 {
		return "", bad
	}
	for _, r := range t {
		if !strings.ContainsRune(refAlphabet, r) {
			return "", bad
		}
	}
	return Reference(refPrefix + t[:4] + "-" + t[4:]), nil
}

// Token is the secret of a conversation link /t/{token}: 256 bits from a
// cryptographic source, base64url. Whoever holds it can read the
// conversation, so it is never stored, logged or shown to staff.
type Token string

const tokenBytes = 32

// NewToken draws a token.
func NewToken(random io.Reader) (Token, error) {
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("reading randomness: %w", err)
	}
	return Token(base64.RawURLEncoding.EncodeToString(b)), nil
}

// ParseToken checks the shape of a token from a URL. Only the canonical
// form is accepted: Go's base64 decoder skips CR and LF, so a token with a
// line break in it would otherwise pass as another spelling of itself.
func ParseToken(s string) (Token, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != tokenBytes || base64.RawURLEncoding.EncodeToString(b) != s {
		return "", Errorf(KindNotFound, "")
	}
	return Token(s), nil
}

// Hash is what the store is given of a token: SHA-256, hex. A token has
// 256 bits of entropy, so no hash of it can be reversed; the store still
// keeps only a keyed hash of this one, so that a dump of the database does
// not let anyone who holds or sees a token find its row.
func (t Token) Hash() string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// LogValue keeps tokens out of structured logs.
func (t Token) LogValue() slog.Value { return slog.StringValue("[token]") }
