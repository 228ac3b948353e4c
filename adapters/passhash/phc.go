package passhash

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// ErrInvalidHash is wrapped by every error about an encoded hash that cannot
// be used: not a PHC string, another algorithm or version, bad base64, or
// parameters outside the accepted bounds. The error text names what is wrong
// but never contains the encoded string or the password.
var ErrInvalidHash = errors.New("passhash: invalid encoded hash")

// b64 is the encoding of the reference implementation: standard alphabet, no
// padding. Strict rejects non-zero trailing bits, so each value has exactly
// one encoding.
var b64 = base64.RawStdEncoding.Strict()

// phc is a decoded "$argon2id$v=19$m=..,t=..,p=..$salt$key" string. Its
// SaltLength and KeyLength are those of salt and key.
type phc struct {
	params Params
	salt   []byte
	key    []byte
}

func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Iterations, p.Parallelism,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

func invalid(reason string) error {
	return fmt.Errorf("%w: %s", ErrInvalidHash, reason)
}

// parsePHC decodes s strictly: the field order and spelling are those the
// reference implementation writes, and optional PHC fields (keyid, data) are
// not accepted.
func parsePHC(s string) (phc, error) {
	fields := strings.Split(s, "$")
	if len(fields) != 6 || fields[0] != "" {
		return phc{}, invalid("not a PHC string with 5 fields")
	}
	if fields[1] != "argon2id" {
		return phc{}, invalid("unsupported algorithm")
	}
	if fields[2] != "v="+strconv.Itoa(argon2.Version) {
		return phc{}, invalid("unsupported version")
	}

	kv := strings.Split(fields[3], ",")
	if len(kv) != 3 {
		return phc{}, invalid("parameters must be m, t and p")
	}
	m, err := parseParam(kv[0], "m", maxMemoryKiB)
	if err != nil {
		return phc{}, err
	}
	t, err := parseParam(kv[1], "t", maxIterations)
	if err != nil {
		return phc{}, err
	}
	par, err := parseParam(kv[2], "p", maxParallelism)
	if err != nil {
		return phc{}, err
	}

	salt, err := decodeB64(fields[4], "salt")
	if err != nil {
		return phc{}, err
	}
	key, err := decodeB64(fields[5], "hash")
	if err != nil {
		return phc{}, err
	}

	p := Params{
		Memory:      uint32(m),
		Iterations:  uint32(t),
		Parallelism: uint8(par),
		SaltLength:  uint32(len(salt)),
		KeyLength:   uint32(len(key)),
	}
	if err := p.Validate(); err != nil {
		// Validate's message says which bound was broken; keep it, but
		// make the error match ErrInvalidHash.
		return phc{}, invalid(strings.TrimPrefix(err.Error(), "passhash: "))
	}
	return phc{params: p, salt: salt, key: key}, nil
}

// parseParam parses "name=N" where N is a canonical decimal (no sign, no
// leading zeros) no greater than limit.
func parseParam(s, name string, limit uint64) (uint64, error) {
	digits, ok := strings.CutPrefix(s, name+"=")
	if !ok {
		return 0, invalid("parameter " + name + " missing or out of order")
	}
	if digits == "" || len(digits) > 10 || (len(digits) > 1 && digits[0] == '0') {
		return 0, invalid("parameter " + name + " is not a canonical number")
	}
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return 0, invalid("parameter " + name + " is not a canonical number")
		}
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > limit {
		return 0, invalid("parameter " + name + " out of range")
	}
	return n, nil
}

func decodeB64(s, what string) ([]byte, error) {
	// The base64 decoder skips CR and LF; a stored hash never has them.
	if s == "" || strings.ContainsAny(s, "\r\n") {
		return nil, invalid(what + " is not valid base64")
	}
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, invalid(what + " is not valid base64")
	}
	return b, nil
}
