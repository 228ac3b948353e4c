package app

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"io"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/whisper-schools/whisper/domain"
)

// Authenticator codes are what every authenticator app understands:
// SHA-1, six digits, a new code every 30 seconds; the codes just before and
// after the current one are accepted too, for phones whose clocks drift.
const (
	totpIssuer = "Whisper"
	totpPeriod = 30
	totpSkew   = 1
	// RecoveryCodeCount is how many recovery codes a staff member gets.
	RecoveryCodeCount = 10
)

// ErrTOTPAlreadyOn refuses to set up an authenticator over one already in
// use: whoever holds a session could otherwise swap it for their own.
var ErrTOTPAlreadyOn = &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("An authenticator app is already set up for your account. Turn it off first, with your password, to set up another.")}

// ErrTOTPNotOn refuses what needs an authenticator app that is not set up.
var ErrTOTPNotOn = &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("You do not use an authenticator app yet. Set one up first.")}

// ErrTOTPRequired refuses to turn off an authenticator app that the
// organisation requires.
var ErrTOTPRequired = &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("Your organisation requires everyone to use an authenticator app, so it cannot be turned off. An admin can change that in the organisation settings.")}

// TOTPKey is an authenticator secret being set up: the secret itself, to
// type into an app, and the otpauth:// URL that a QR code carries.
type TOTPKey struct {
	Secret string
	URL    string
}

// totpKey rebuilds the key of a stored secret, for a QR code shown again.
func totpKey(secret, account string) (TOTPKey, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return TOTPKey{}, err
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: account, Period: totpPeriod, Secret: raw})
	if err != nil {
		return TOTPKey{}, err
	}
	return TOTPKey{Secret: k.Secret(), URL: k.URL()}, nil
}

// totpStep finds the time step, near now, whose code is code. Callers
// accept it only when it is later than the last step accepted, so that
// each code works once.
func totpStep(secret, code string, now time.Time) (int64, bool) {
	code = strings.Join(strings.Fields(code), "")
	if secret == "" || len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}
	current := now.Unix() / totpPeriod
	for step := current - totpSkew; step <= current+totpSkew; step++ {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// recoveryAlphabet is base32's: no 0, 1, 8 or 9 to mistake for O, I or B.
const recoveryAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// recoveryCodeLength is the characters in a recovery code: 50 bits.
const recoveryCodeLength = 10

// newRecoveryCodes draws RecoveryCodeCount codes, written "ABCDE-FGH23".
func newRecoveryCodes(random io.Reader) ([]string, error) {
	codes := make([]string, RecoveryCodeCount)
	buf := make([]byte, recoveryCodeLength)
	for i := range codes {
		if _, err := io.ReadFull(random, buf); err != nil {
			return nil, err
		}
		var b strings.Builder
		for j, c := range buf {
			if j == recoveryCodeLength/2 {
				b.WriteByte('-')
			}
			// 256 is a multiple of 32, so every letter is equally likely.
			b.WriteByte(recoveryAlphabet[c%32])
		}
		codes[i] = b.String()
	}
	return codes, nil
}

// normaliseRecoveryCode reads a recovery code however it was typed: any
// case, with or without the hyphen or spaces, with 0, 1 and 8 for O, I
// and B.
func normaliseRecoveryCode(code string) (string, bool) {
	code = strings.NewReplacer("-", "", " ", "", "0", "O", "1", "I", "8", "B").Replace(strings.ToUpper(strings.TrimSpace(code)))
	if len(code) != recoveryCodeLength || strings.Trim(code, recoveryAlphabet) != "" {
		return "", false
	}
	return code, true
}

// recoveryCodeHash is what the app hands the store of a recovery code. The
// staff id goes in too, so that one table of precomputed hashes cannot
// serve every account. A recovery code is short enough to guess from a
// bare hash, so the store keeps only a keyed hash of this one, under a key
// derived from the data key (adapters/store/secrets.go): a dump of the
// database alone lets nobody test guesses.
func recoveryCodeHash(id domain.StaffID, normalised string) string {
	sum := sha256.Sum256([]byte("whisper recovery code\x00" + string(id) + "\x00" + normalised))
	return hex.EncodeToString(sum[:])
}

func recoveryCodeHashes(id domain.StaffID, codes []string) []string {
	hashes := make([]string, len(codes))
	for i, c := range codes {
		n, _ := normaliseRecoveryCode(c)
		hashes[i] = recoveryCodeHash(id, n)
	}
	return hashes
}
