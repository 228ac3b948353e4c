// Package app holds Whisper's use cases: what reporters, staff and
// operators can do. Each use case runs its reads and writes in one store
// transaction and reaches the outside world only through ports.
package app

import (
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
	// IntakeCacheFor is how long what taking a report reads (a form,
	// whether any block is in force) serves
	// further reports once read (see intakeCache); zero reads it for every
	// report. whisperd uses IntakeCacheFor.
	IntakeCacheFor time.Duration
	// DeviceKey signs device cookies (see device.go): whisperd derives it
	// from the data key (DeviceKeyPurpose), so every instance accepts the
	// others' cookies. Nil makes a key that lasts as long as the process.
	DeviceKey []byte
	// SSO signs staff in at their organisation's OpenID provider; nil
	// refuses single sign-on as unavailable.
	SSO ports.SSOClient
	// SSOKey derives each sign-in's nonce and PKCE verifier from its state
	// (see portal_sso_start.go): whisperd derives it from the data key
	// (SSOKeyPurpose). Nil makes a key that lasts as long as the process.
	SSOKey []byte
	// PhoneRegion is the country whose national numbers an operator may
	// give without a country code (see domain.ParsePhone); empty is
	// domain.DefaultPhoneRegion.
	PhoneRegion domain.PhoneRegion
	// Zone is the time zone people read times in (time_zone); the zero
	// Zone is domain.DefaultTimeZone.
	Zone domain.Zone
}

// App is Whisper's use cases, one service for each kind of actor. Every
// service shares the same store, clock and settings, and is safe for
// concurrent use.
type App struct {
	// Reporting is what reporters do: send a report by web form or text,
	// follow the conversation and reply.
	Reporting *Reporting
	// Portal is what staff do in the portal: sign in, look after their
	// account, and read and answer the interactions they may see.
	Portal *Portal
	// Admin is what an organisation's admins do: its forms, inboxes,
	// members and settings.
	Admin *Admin
	// Operations is what the operator does from whisperctl, and the
	// background work of retention and housekeeping.
	Operations *Operations
	// Subscriptions is what the operator does for the organisations that
	// subscribe: their trials, their contacts, and notices to them.
	Subscriptions *Subscriptions
	// Rights is what the operator does when a reporter exercises their
	// rights: subject access and rectification.
	Rights *Rights
	// Casework is what safeguarding staff do with interactions beyond
	// reading and answering them: triage, assignment, notes and history.
	Casework *Casework
	// Delivery hands the outbox to mail and SMS.
	Delivery *Delivery
	// Links are the addresses Whisper hands out.
	Links Links
	// Zone is the time zone people read times in: every edge writes times
	// through it.
	Zone domain.Zone
}

// core is what every service shares: the ports and settings, and the
// helpers more than one use case calls.
type core struct {
	store     ports.Store
	clock     ports.Clock
	random    ports.Random
	hasher    ports.PasswordHasher
	locator   ports.Locator
	swearing  ports.SwearFilter
	meter     ports.Meter
	links     Links
	intake    intakeCache
	deviceKey []byte
	sso       ports.SSOClient
	ssoKey    []byte
	limits    Limits
	region    domain.PhoneRegion
	zone      domain.Zone
}

// New returns the use cases over deps.
func New(deps Deps) *App {
	s := &core{
		store: deps.Store, clock: deps.Clock, random: deps.Random, hasher: deps.Hasher,
		locator: deps.Locator, swearing: deps.Swearing, meter: deps.Meter,
		links:     NewLinks(deps.PublicURL),
		intake:    intakeCache{keep: deps.IntakeCacheFor},
		deviceKey: deps.DeviceKey,
		sso:       deps.SSO,
		ssoKey:    deps.SSOKey,
		limits:    deps.Limits,
		region:    deps.PhoneRegion,
		zone:      deps.Zone,
	}
	if s.zone == (domain.Zone{}) {
		s.zone = defaultZone()
	}
	if len(s.ssoKey) == 0 {
		s.ssoKey = processDeviceKey()
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
	return &App{
		Reporting: &Reporting{s}, Portal: &Portal{s}, Admin: &Admin{s},
		Operations: &Operations{s}, Subscriptions: &Subscriptions{s},
		Rights: &Rights{s}, Casework: &Casework{s}, Delivery: &Delivery{s}, Links: s.links, Zone: s.zone,
	}
}

// defaultZone is domain.DefaultTimeZone, which time/tzdata (imported by
// the binaries) makes loadable on any machine; UTC where it is not.
func defaultZone() domain.Zone {
	loc, err := time.LoadLocation(domain.DefaultTimeZone)
	if err != nil {
		return domain.NewZone(time.UTC)
	}
	return domain.NewZone(loc)
}

// noMeter counts nothing.
type noMeter struct{}

func (noMeter) Delivered(domain.DeliveryKind, domain.DeliveryStatus) {}
func (noMeter) DeliveryFailed(domain.DeliveryKind, string)           {}
func (noMeter) Reported(domain.Channel)                              {}
func (noMeter) Texted(string)                                        {}
func (noMeter) SignInFailed()                                        {}
func (noMeter) Purged(int, int)                                      {}
func (noMeter) PurgeFailed()                                         {}

// now is the current time as the store keeps it: UTC, to the microsecond,
// so that what is written compares equal to what is read back.
func (s *core) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// SystemClock reads the machine's clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }
