package seal

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// fingerprintInfo and fingerprintLabel make a key's fingerprint: an HMAC of
// a fixed label under a key derived for nothing else, so the fingerprint
// can be stored beside the data and printed in errors without telling
// anyone anything about the key or any other key derived from it.
const (
	fingerprintInfo  = "whisper key fingerprint v1"
	fingerprintLabel = "whisper data key fingerprint"
)

// Fingerprint names key without revealing it: 32 hex digits. The store
// records the fingerprint of the key its data is sealed under, so that a
// process started with another key can refuse to run instead of failing on
// every row.
func Fingerprint(key []byte) string {
	sub, err := hkdf.Key(sha256.New, key, nil, fingerprintInfo, 32)
	if err != nil {
		panic("seal: deriving the fingerprint key: " + err.Error())
	}
	m := hmac.New(sha256.New, sub)
	m.Write([]byte(fingerprintLabel))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// olderKey is what a keyring keeps of a key older than its primary.
type olderKey struct {
	fingerprint string
	indexKey    []byte // sensitive
}

// Fingerprint returns the primary key's fingerprint.
func (k *Keyring) Fingerprint() string { return k.fingerprint }

// OlderFingerprints returns the fingerprints of the older keys, in the
// order they were given to New.
func (k *Keyring) OlderFingerprints() []string {
	fps := make([]string, len(k.older))
	for i, o := range k.older {
		fps[i] = o.fingerprint
	}
	return fps
}

// Lookups returns the blind indexes of value under every index key the
// keyring knows, the primary's first: what a lookup must try while rows
// written under an older key are still about (during a rotation, and for
// keyed hashes of secrets, which cannot be recomputed, for good). Writes
// use Index, the primary's alone.
func (k *Keyring) Lookups(kind, value string) []string {
	if value == "" {
		return nil
	}
	out := make([]string, 0, len(k.lookupKeys))
	seen := make(map[string]bool, len(k.lookupKeys))
	for _, key := range k.lookupKeys {
		ix := indexUnder(key, kind, value)
		if !seen[ix] {
			seen[ix] = true
			out = append(out, ix)
		}
	}
	return out
}

// Chain returns the audit chain's keyed hash of value. The chain keeps one
// key for the life of the database (see WithStored), so that entries and
// the heads operators saved before a rotation still verify after it.
func (k *Keyring) Chain(kind, value string) string {
	if k.chainKey == nil {
		return indexUnder(k.indexKey, kind, value)
	}
	return indexUnder(k.chainKey, kind, value)
}

// Retained is an index key the store keeps after the data key it came
// from is retired: sealed under the current key, it still finds rows keyed
// under it (keyed hashes of secrets cannot be recomputed) and, when Chain
// is set, keys the audit chain.
type Retained struct {
	Fingerprint string // of the retired data key
	Sealed      []byte
	Chain       bool
}

// RetainedAAD binds a retained index key to its row.
func RetainedAAD(fingerprint string) string { return "retired_index_keys.key:" + fingerprint }

// ErrNotHeld means a fingerprint names no key of this keyring.
var ErrNotHeld = errors.New("no key of this keyring has that fingerprint")

// SealRetained seals, under the primary key, the index key of the older
// key with fingerprint fp, for the store to keep once that key is retired.
func (k *Keyring) SealRetained(fp string) ([]byte, error) {
	for _, o := range k.older {
		if o.fingerprint == fp {
			return k.Seal(hex.EncodeToString(o.indexKey), RetainedAAD(fp)), nil
		}
	}
	return nil, fmt.Errorf("seal: retaining %s: %w", fp, ErrNotHeld)
}

// WithStored returns a copy of the keyring that also looks up under the
// retained index keys, and keys the audit chain with the retained key
// marked Chain or, when there is none, with the index key of the key whose
// fingerprint is chainFP (the key the database was first recorded under,
// or the one being rotated away from).
func (k *Keyring) WithStored(chainFP string, retained []Retained) (*Keyring, error) {
	c := *k
	c.lookupKeys = append([][]byte{}, k.lookupKeys...)
	c.chainKey = nil
	for _, r := range retained {
		text, err := k.Open(r.Sealed, RetainedAAD(r.Fingerprint))
		if err != nil {
			return nil, fmt.Errorf("seal: the retained index key of %s: %w", r.Fingerprint, err)
		}
		key, err := hex.DecodeString(text)
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("seal: the retained index key of %s: %w", r.Fingerprint, ErrMalformed)
		}
		c.lookupKeys = append(c.lookupKeys, key)
		if r.Chain {
			c.chainKey = key
		}
	}
	if c.chainKey != nil || chainFP == "" || chainFP == k.fingerprint {
		return &c, nil
	}
	for _, o := range k.older {
		if o.fingerprint == chainFP {
			c.chainKey = o.indexKey
			return &c, nil
		}
	}
	return nil, fmt.Errorf("seal: the audit chain's key %s: %w", chainFP, ErrNotHeld)
}

// SealedUnderPrimary reports whether sealed is an envelope made by the
// primary key; a rotation re-seals what is not.
func (k *Keyring) SealedUnderPrimary(sealed []byte) bool {
	return len(sealed) > idSize && sealed[0] == version && keyID(sealed[1:1+idSize]) == k.primary
}

// Holds reports whether sealed names a key this keyring holds: a cheap
// check, without decrypting, that a key opens a database's data.
func (k *Keyring) Holds(sealed []byte) bool {
	if len(sealed) <= idSize || sealed[0] != version {
		return false
	}
	_, ok := k.aeads[keyID(sealed[1:1+idSize])]
	return ok
}

func indexUnder(key []byte, kind, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}
