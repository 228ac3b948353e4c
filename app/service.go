// Package app holds Whisper's use cases: what reporters, staff and
// operators can do. Each use case runs its reads and writes in one store
// transaction and reaches the outside world only through ports.
package app

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Deps are what the service needs from outside.
type Deps struct {
	Store  ports.Store
	Clock  ports.Clock
	Random ports.Random
	Hasher ports.PasswordHasher
	// Locator places reporters' addresses; nil leaves them unknown.
	Locator ports.Locator
	// Swearing spots swearing for forms whose policy asks; nil finds none.
	Swearing ports.SwearFilter
	// Meter counts what happens, for monitoring; nil counts nothing.
	Meter ports.Meter
	// PublicURL is the external base URL (no trailing slash), used in the
	// links Whisper hands out.
	PublicURL string
	// Limits are the rate limits on new reports and replies; the zero
	// value limits nothing.
	Limits Limits
	// IntakeCacheFor is how long what taking a report reads (a form, an
	// inbox's alert recipients, whether any block is in force) serves
	// further reports once read (see intakeCache); zero reads it for every
	// report. whisperd uses IntakeCacheFor.
	IntakeCacheFor time.Duration
	// DeviceKey signs device cookies (see device.go): whisperd derives it
	// from the data key (DeviceKeyPurpose), so every instance accepts the
	// others' cookies. Nil makes a key that lasts as long as the process.
	DeviceKey []byte
}

// Service runs the use cases. It is safe for concurrent use.
type Service struct {
	store     ports.Store
	clock     ports.Clock
	random    ports.Random
	hasher    ports.PasswordHasher
	locator   ports.Locator
	swearing  ports.SwearFilter
	meter     ports.Meter
	publicURL string
	intake    intakeCache
	deviceKey []byte
	limits    Limits
}

// New returns a service over deps.
func New(deps Deps) *Service {
	s := &Service{
		store: deps.Store, clock: deps.Clock, random: deps.Random, hasher: deps.Hasher,
		locator: deps.Locator, swearing: deps.Swearing, meter: deps.Meter,
		publicURL: strings.TrimRight(deps.PublicURL, "/"),
		intake:    intakeCache{keep: deps.IntakeCacheFor},
		deviceKey: deps.DeviceKey,
		limits:    deps.Limits,
	}
	if len(s.deviceKey) == 0 {
		s.deviceKey = processDeviceKey()
	}
	if s.limits.IPv6Prefix == 0 {
		s.limits.IPv6Prefix = DefaultIPv6Prefix
	}
	if s.meter == nil {
		s.meter = noMeter{}
	}
	return s
}

// noMeter counts nothing.
type noMeter struct{}

func (noMeter) Delivered(domain.DeliveryKind, domain.DeliveryStatus) {}
func (noMeter) Reported(domain.Channel)                              {}
func (noMeter) Texted(string)                                        {}
func (noMeter) SignInFailed()                                        {}
func (noMeter) Purged(int, int)                                      {}
func (noMeter) PurgeFailed()                                         {}

// OutboxHealth summarises the outbox, for monitoring.
func (s *Service) OutboxHealth(ctx context.Context) (h ports.OutboxHealth, err error) {
	err = s.store.View(ctx, func(tx ports.Tx) error {
		h, err = tx.Outbox().Health(ctx)
		return err
	})
	return h, err
}

// now is the current time as the store keeps it: UTC, to the microsecond,
// so that what is written compares equal to what is read back.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// Ready reports whether the service can serve: its database answers.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ping(ctx) }

// Link joins path segments onto the public URL, escaping each.
func (s *Service) Link(segments ...string) string {
	for i, seg := range segments {
		segments[i] = url.PathEscape(seg)
	}
	return s.publicURL + "/" + strings.Join(segments, "/")
}

// FormURL is the public address of a form.
func (s *Service) FormURL(code domain.FormCode) string { return s.Link("r", string(code)) }

// SystemClock reads the machine's clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }
