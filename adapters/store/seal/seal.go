// Package seal encrypts personal data at rest for the store adapter.
//
// Report bodies, names, e-mail addresses and phone numbers are sealed before
// they reach the database, so a copied database file or backup reveals
// nothing without the key, which lives elsewhere (see KeyFilePath).
//
// # Envelope
//
// Seal returns a self-describing envelope:
//
//	version (1 byte, 0x01) | key id (4 bytes) | nonce (12 bytes) | AES-256-GCM ciphertext and tag
//
// The version byte lets the format change later without guessing. The key id
// is the first 4 bytes of SHA-256("whisper key id v1" || key); it names the
// master key without revealing it, so Open can pick the right key after a
// rotation: the primary key seals, older keys only open, and rows sealed
// years ago still open until they are re-sealed or purged. The nonce is
// random per seal; with 96-bit random nonces one key can safely seal far more
// rows than a school will ever store.
//
// The master key never encrypts directly. An AES key is derived from it with
// HKDF-SHA256 (info "whisper data encryption v1") and a separate blind index
// key with info "whisper blind index v1", so the two uses can never interact.
//
// # Additional authenticated data
//
// Every Seal and Open takes an aad string naming where the value lives, for
// example "messages.body:msg_abc". It is authenticated but not stored, so a
// ciphertext copied into another row or column fails to open instead of
// silently showing one pupil's report under another's. The envelope header
// (version and key id) is authenticated as well.
//
// # Blind indexes
//
// Sealed values cannot be searched, yet the store must find a contact by
// e-mail or phone number. Index gives a deterministic HMAC of the normalised
// value. It is keyed, unlike a plain hash, because e-mail addresses and phone
// numbers are guessable: anyone holding the database could hash every pupil
// address at a school and match them against a plain SHA-256 column, but
// without the key an HMAC reveals only which rows share a value.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// KeySize is the length in bytes of a master key.
const KeySize = 32

const (
	version   byte = 0x01
	idSize         = 4
	nonceSize      = 12
	headerLen      = 1 + idSize + nonceSize
	tagSize        = 16

	keyIDLabel  = "whisper key id v1"
	encryptInfo = "whisper data encryption v1"
	indexInfo   = "whisper blind index v1"
	subkeyInfo  = "whisper subkeys v1"
)

// Errors returned (wrapped) by Open, so the store can tell a missing key,
// which an operator can fix by restoring it, from damaged or misplaced data.
var (
	// ErrUnknownKey means the envelope names a key id the keyring does not
	// hold: usually a retired key was dropped too early or the key file was
	// replaced.
	ErrUnknownKey = errors.New("sealed with a key this keyring does not hold")
	// ErrMalformed means the envelope is truncated or has an unknown version.
	ErrMalformed = errors.New("malformed sealed value")
	// ErrAuth means decryption failed authentication: the data was altered,
	// or it was sealed for another row or column (different aad).
	ErrAuth = errors.New("sealed value failed authentication")
)

type keyID [idSize]byte

func (id keyID) String() string { return hex.EncodeToString(id[:]) }

// Keyring holds the master keys. It is safe for concurrent use.
// Its String and LogValue methods print key ids only, so a keyring that
// ends up in a log line or an error never reveals key material.
type Keyring struct {
	primary  keyID
	aeads    map[keyID]cipher.AEAD
	indexKey []byte // derived from the primary key; sensitive
	// fingerprint names the primary key without revealing it (see
	// Fingerprint); older holds what the keyring keeps of each older key.
	fingerprint string
	older       []olderKey
	// lookupKeys are the index keys lookups try: the primary's, the older
	// keys', then those retained in the store (see WithStored). Sensitive.
	lookupKeys [][]byte
	// chainKey keys the audit chain; nil means the primary's index key
	// (see Chain). Sensitive.
	chainKey []byte
	// subkeyRoot is derived from the primary key; Subkey derives each
	// purpose's key from it. Sensitive.
	subkeyRoot []byte
}

// ParseKey decodes a base64 master key of exactly KeySize bytes. It accepts
// standard, raw (unpadded) and URL-safe base64 and ignores surrounding
// whitespace, because keys are pasted from terminals and secret stores.
// Errors never contain the input.
func ParseKey(b64 string) ([]byte, error) {
	s := strings.TrimSpace(b64)
	if s == "" {
		return nil, errors.New("seal: key is empty")
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding,
		base64.URLEncoding, base64.RawURLEncoding,
	} {
		key, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("seal: key must be %d bytes, got %d (generate one with: head -c 32 /dev/urandom | base64)", KeySize, len(key))
		}
		return key, nil
	}
	// The decoder's error is dropped on purpose: it is harmless today but
	// nothing derived from the key should reach a log.
	return nil, errors.New("seal: key is not valid base64")
}

// New builds a keyring. primary seals new data and keys blind indexes;
// older keys are kept only to open data sealed before a rotation. Every key
// must be KeySize bytes. The keyring keeps only keys derived from them, so
// the caller may wipe its slices afterwards.
func New(primary []byte, older ...[]byte) (*Keyring, error) {
	k := &Keyring{aeads: make(map[keyID]cipher.AEAD, 1+len(older))}
	seen := make(map[keyID][]byte, 1+len(older))
	for i, key := range append([][]byte{primary}, older...) {
		which := "primary key"
		if i > 0 {
			which = fmt.Sprintf("older key %d", i)
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("seal: %s must be %d bytes, got %d", which, KeySize, len(key))
		}
		id := idOf(key)
		if prev, dup := seen[id]; dup {
			// The same key listed twice is harmless. Two different keys
			// sharing an id (a 1 in 2^32 chance) would make Open try the
			// wrong key, so that is refused.
			if subtle.ConstantTimeCompare(prev, key) == 1 {
				continue
			}
			return nil, fmt.Errorf("seal: %s has the same key id %s as an earlier key; generate a new key", which, id)
		}
		seen[id] = key
		aead, err := newAEAD(key)
		if err != nil {
			return nil, fmt.Errorf("seal: %s: %w", which, err)
		}
		k.aeads[id] = aead
		indexKey, err := hkdf.Key(sha256.New, key, nil, indexInfo, 32)
		if err != nil {
			return nil, fmt.Errorf("seal: deriving index key: %w", err)
		}
		k.lookupKeys = append(k.lookupKeys, indexKey)
		if i > 0 {
			k.older = append(k.older, olderKey{fingerprint: Fingerprint(key), indexKey: indexKey})
		}
		if i == 0 {
			k.fingerprint = Fingerprint(key)
			k.primary = id
			k.indexKey = indexKey
			k.subkeyRoot, err = hkdf.Key(sha256.New, key, nil, subkeyInfo, 32)
			if err != nil {
				return nil, fmt.Errorf("seal: deriving subkeys: %w", err)
			}
		}
	}
	return k, nil
}

func idOf(key []byte) keyID {
	h := sha256.New()
	h.Write([]byte(keyIDLabel))
	h.Write(key)
	var id keyID
	copy(id[:], h.Sum(nil))
	return id
}

func newAEAD(master []byte) (cipher.AEAD, error) {
	sub, err := hkdf.Key(sha256.New, master, nil, encryptInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("deriving encryption key: %w", err)
	}
	block, err := aes.NewCipher(sub)
	if err != nil {
		return nil, fmt.Errorf("creating cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("creating GCM: %w", err)
	}
	return aead, nil
}

// Subkey returns a 32-byte key for one purpose, derived with HKDF-SHA256
// from the primary key, so that parts of Whisper outside the store (signing
// cookies, for example) need no key of their own to configure and back up,
// yet can never be made to compute anything under another part's key.
// purpose names the use and its version, e.g. "whisper device cookie v1";
// the same purpose always gives the same key for the same primary key, and
// a rotation of the primary key gives new ones.
func (k *Keyring) Subkey(purpose string) []byte {
	sub, err := hkdf.Key(sha256.New, k.subkeyRoot, nil, purpose, 32)
	if err != nil {
		// HKDF-SHA256 fails only for lengths over 255*32 bytes.
		panic("seal: deriving a subkey: " + err.Error())
	}
	return sub
}

// PrimaryKeyID returns the hex id of the primary key, the one new data is
// sealed under, as String and LogValue show it. Tests use it to tell which
// key a keyring has.
func (k *Keyring) PrimaryKeyID() string { return k.primary.String() }

// String describes the keyring by key ids only.
func (k *Keyring) String() string {
	return fmt.Sprintf("seal.Keyring{primary: %s, keys: %d}", k.primary, len(k.aeads))
}

// GoString keeps %#v from printing key material.
func (k *Keyring) GoString() string { return k.String() }

// LogValue keeps slog from printing key material.
func (k *Keyring) LogValue() slog.Value {
	return slog.GroupValue(slog.String("primary", k.primary.String()), slog.Int("keys", len(k.aeads)))
}

// Seal encrypts plaintext under the primary key, binding it to aad (where
// the value is stored, e.g. "messages.body:msg_abc"). An empty plaintext
// returns nil, stored as NULL, so optional fields left blank stay blank
// rather than becoming an envelope around nothing.
func (k *Keyring) Seal(plaintext, aad string) []byte {
	if plaintext == "" {
		return nil
	}
	out := make([]byte, headerLen, headerLen+len(plaintext)+tagSize)
	out[0] = version
	copy(out[1:1+idSize], k.primary[:])
	// crypto/rand.Read never fails since Go 1.24; it crashes the program
	// instead, which is right: sealing with a bad nonce is worse.
	_, _ = rand.Read(out[1+idSize : headerLen])
	nonce := out[1+idSize : headerLen]
	return k.aeads[k.primary].Seal(out, nonce, []byte(plaintext), additional(out[:1+idSize], aad))
}

// Open decrypts a value made by Seal with the same aad. nil or empty input
// returns "" and no error, matching Seal's treatment of empty plaintext.
// Errors wrap ErrMalformed, ErrUnknownKey or ErrAuth and never contain the
// plaintext or key material.
func (k *Keyring) Open(sealed []byte, aad string) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	if sealed[0] != version {
		return "", fmt.Errorf("seal: open: unsupported version %d: %w", sealed[0], ErrMalformed)
	}
	if len(sealed) < headerLen+tagSize {
		return "", fmt.Errorf("seal: open: %d bytes is too short: %w", len(sealed), ErrMalformed)
	}
	var id keyID
	copy(id[:], sealed[1:1+idSize])
	aead, ok := k.aeads[id]
	if !ok {
		return "", fmt.Errorf("seal: open: key id %s: %w", id, ErrUnknownKey)
	}
	plain, err := aead.Open(nil, sealed[1+idSize:headerLen], sealed[headerLen:], additional(sealed[:1+idSize], aad))
	if err != nil {
		// GCM's own error says nothing useful; ours says what to suspect.
		return "", fmt.Errorf("seal: open: %w (altered, or sealed for another row or column)", ErrAuth)
	}
	return string(plain), nil
}

// additional is the GCM additional data: the envelope header followed by the
// caller's aad, so neither the version nor the key id can be swapped.
func additional(header []byte, aad string) []byte {
	b := make([]byte, 0, len(header)+len(aad))
	b = append(b, header...)
	return append(b, aad...)
}
