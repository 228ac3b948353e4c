package ports

import (
	"context"
	"io"
	"net/netip"
	"time"

	"github.com/whisper-schools/whisper/domain"
)

// Clock tells the time. The core never reads the system clock itself, so
// tests can move time (retention, expiry) at will.
type Clock interface {
	Now() time.Time
}

// Random is the source of every id, reference and token. In production it is
// crypto/rand; tests may make it deterministic.
type Random = io.Reader

// PasswordHasher turns passwords into slow, salted hashes and checks them.
type PasswordHasher interface {
	// Hash returns an encoded hash of password that names its own
	// parameters, so they can be raised later.
	Hash(ctx context.Context, password string) (string, error)
	// Verify reports whether password matches encoded.
	Verify(ctx context.Context, password, encoded string) (bool, error)
}

// Locator places an IP address approximately, from offline databases. The
// result is meta data: stored sealed and never shown to staff.
type Locator interface {
	// Locate returns what is known of ip; unknown parts are empty. It never
	// fails: an address it cannot place is simply unknown.
	Locate(ip netip.Addr) domain.Place
}

// SwearFilter spots swearing in a message, for forms whose policy flags or
// blocks it.
type SwearFilter interface {
	// Check says what text holds, with extra, an organisation's additional
	// words, counted as swearing: nothing, swear words, or swearing aimed at
	// someone (see domain.Swearing). It never fails.
	Check(text string, extra []string) domain.Swearing
}

// Mailer sends one queued email. The adapter writes the message from the
// delivery's kind; Send returns KindUnavailable for failures worth retrying.
type Mailer interface {
	Send(ctx context.Context, d *domain.Delivery) error
}

// SMSSender sends one queued text. The adapter writes the text from the
// delivery's kind; Send returns KindUnavailable for failures worth retrying.
type SMSSender interface {
	Send(ctx context.Context, d *domain.Delivery) error
}

// Meter counts what the service does, for monitoring. Its labels are fixed
// words (a delivery's kind, an outcome, a channel), never anything
// personal.
type Meter interface {
	// Delivered counts one delivery attempt's outcome.
	Delivered(kind domain.DeliveryKind, outcome domain.DeliveryStatus)
	// DeliveryFailed counts a delivery given up on, by why: "permanent"
	// (the server refused it for good, or the address is unusable) or
	// "attempts" (its last attempt failed too).
	DeliveryFailed(kind domain.DeliveryKind, reason string)
	// Reported counts a new interaction.
	Reported(channel domain.Channel)
	// Texted counts an inbound text by what became of it.
	Texted(outcome string)
	// SignInFailed counts a refused staff sign-in.
	SignInFailed()
	// Purged counts one retention purge run.
	Purged(erased, held int)
	// PurgeFailed counts a retention purge run that failed, such as one
	// that could not read what is due.
	PurgeFailed()
}
