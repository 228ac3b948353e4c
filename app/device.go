package app

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/domain"
)

// A device cookie is how Whisper knows a browser that has signed in to an
// account before (OWASP's "device cookie" defence against lockout used as
// a weapon). Anyone may fail to sign in to an account as often as they
// like; if that slowed its owner down too, a pupil could keep every member
// of staff out. So an attempt from a browser holding a device cookie for
// the very account it signs in to is not counted against the account's
// throttle but against the device's own (see SignIn): the owner gets in,
// and a stolen cookie guesses no faster than anyone else.
//
// The cookie holds a random device id, the staff id and when it was
// handed out, signed with HMAC-SHA256 under a key derived from the data
// key. Nothing is stored: a cookie is good until it expires, and a
// successful sign-in hands out a new one.

// DeviceCookieLifetime is how long a device cookie speaks for a browser: a
// school year and then some, so that a member who signs in once a term is
// still known.
const DeviceCookieLifetime = 365 * 24 * time.Hour

// DeviceKeyPurpose names the device cookie's key among the subkeys of the
// data key (seal.Keyring.Subkey).
const DeviceKeyPurpose = "whisper device cookie v1"

const deviceCookieVersion = "d1"

// device is what a valid device cookie says.
type device struct {
	id    string
	staff domain.StaffID
}

// newDeviceCookie hands out a device cookie for staff member id.
func (s *core) newDeviceCookie(id domain.StaffID, now time.Time) (string, error) {
	raw := make([]byte, 16)
	if _, err := s.random.Read(raw); err != nil {
		return "", err
	}
	payload := strings.Join([]string{
		deviceCookieVersion, base64.RawURLEncoding.EncodeToString(raw), string(id), strconv.FormatInt(now.Unix(), 10),
	}, "|")
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + s.signDevice(payload), nil
}

// readDeviceCookie returns what cookie says, if Whisper signed it and it
// has not expired.
func (s *core) readDeviceCookie(cookie string, now time.Time) (device, bool) {
	encoded, sig, ok := strings.Cut(cookie, ".")
	if !ok || len(cookie) > 512 {
		return device{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return device{}, false
	}
	payload := string(raw)
	if !hmac.Equal([]byte(sig), []byte(s.signDevice(payload))) {
		return device{}, false
	}
	parts := strings.Split(payload, "|")
	if len(parts) != 4 || parts[0] != deviceCookieVersion {
		return device{}, false
	}
	issued, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return device{}, false
	}
	if age := now.Sub(time.Unix(issued, 0)); age < -time.Minute || age > DeviceCookieLifetime {
		return device{}, false
	}
	return device{id: parts[1], staff: domain.StaffID(parts[2])}, true
}

func (s *core) signDevice(payload string) string {
	m := hmac.New(sha256.New, s.deviceKey)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// processDeviceKey signs device cookies for a service given no key: they
// then last only as long as the process, which suits tests and tools that
// never sign anyone in.
func processDeviceKey() []byte {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails since Go 1.24
	return key
}
