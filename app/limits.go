package app

import (
	"context"
	"net/netip"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Limits are the rate limits on what strangers can start, each a number
// an hour (ports.LimitWindow); zero turns one off. They are counted by
// the store's Limiter, so instances sharing a database share them.
type Limits struct {
	// ReportsPerIP and ReportsPerForm cap new web reports from one client
	// address and to one form.
	ReportsPerIP, ReportsPerForm int
	// TextsPerNumber caps the reports one phone number opens by text;
	// texts continuing an open conversation are not counted.
	TextsPerNumber int
	// RepliesPerConversation caps the replies a reporter sends to one
	// interaction in any hour, by web and text alike; counted in the
	// store, under the interaction's lock (see checkReplyLimit).
	RepliesPerConversation int
	// IPv6Prefix is how many leading bits of an IPv6 address name one
	// client, for these limits and for the sign-in throttle; zero means
	// DefaultIPv6Prefix.
	IPv6Prefix int
}

// DefaultIPv6Prefix is the IPv6 prefix counted as one client: a home or a
// phone is usually given a whole /64, and can rotate through it at will.
const DefaultIPv6Prefix = 64

// ErrTooMany is an attempt refused by a rate limit.
var ErrTooMany = &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("too many reports from here in the last hour")}

// textsLimited is what a texter reads, once an hour, when a text would
// open a report beyond their number's limit. It says the text was not
// passed on, so that nothing is discarded unknown to them, and where to
// get help now.
const textsLimited = "Sorry, this text did not reach the school: lots of texts have come from this number in the last hour. Please try again later. If someone is in danger right now, call 999. To talk to someone, call Childline free on 0800 1111."

// clientAddress is the address a client is counted by: an IPv4 address
// itself, an IPv6 address by its first v6bits bits.
func clientAddress(ip netip.Addr, v6bits int) string {
	ip = ip.Unmap()
	if ip.Is6() {
		return netip.PrefixFrom(ip, v6bits).Masked().String()
	}
	return ip.String()
}

// Places are the places one attempt holds in the rate limits, given back
// with Release when the attempt does not become what the limits count.
type Places struct {
	limiter ports.Limiter
	taken   []place
}

type place struct {
	key string
	at  time.Time
}

func (s *core) places() *Places { return &Places{limiter: s.store.Limiter()} }

// take takes one of key's limit places at now; a limit of zero or less is
// no limit.
func (p *Places) take(ctx context.Context, limit int, key string, now time.Time) (bool, error) {
	if limit <= 0 {
		return true, nil
	}
	ok, err := p.limiter.Take(ctx, key, limit, now)
	if ok {
		p.taken = append(p.taken, place{key, now})
	}
	return ok, err
}

// Release gives back every place p holds. A place that cannot be given
// back (the database does not answer) comes back by itself when it leaves
// the hour, so a failure is not reported.
func (p *Places) Release(ctx context.Context) {
	if p == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, pl := range p.taken {
		p.limiter.Release(ctx, pl.key, pl.at)
	}
	p.taken = nil
}

// takeOpeningPlace reserves a place in phone's limit of reports opened by
// text, in held, and reports whether there was one.
func (s *core) takeOpeningPlace(ctx context.Context, held *Places, phone string, now time.Time) (bool, error) {
	return held.take(ctx, s.limits.TextsPerNumber, "number:"+phone, now)
}

// tellLimited queues, inside tx, the text that tells phone its text
// would have opened one report too many this hour, unless it was told so
// within the hour: a place of one an hour, taken in told.
func (s *core) tellLimited(ctx context.Context, tx ports.Tx, told *Places, form *domain.Form, phone string, now time.Time) error {
	tell, err := told.take(ctx, 1, "told:"+phone, now)
	if err != nil || !tell {
		return err
	}
	return s.textBack(ctx, tx, &domain.Delivery{Kind: domain.DeliveryReporterSMS, Body: textsLimited, Language: form.Language, OrgID: form.OrgID}, phone, now)
}

// checkReplyLimit refuses a reply over the hourly limit. It runs with the
// interaction held (inside Change), so that replies at the same moment, on
// one instance or several, are counted one after another and exactly the
// limit get through.
func (s *core) checkReplyLimit(ctx context.Context, tx ports.Tx, ia *domain.Interaction, now time.Time) error {
	if s.limits.RepliesPerConversation <= 0 {
		return nil
	}
	sent, err := tx.Messages().ReporterSince(ctx, ia.ID, now.Add(-domain.ReplyLimitWindow))
	if err != nil {
		return err
	}
	return domain.CheckReplyLimit(s.limits.RepliesPerConversation, sent, ia.CreatedAt, now)
}
