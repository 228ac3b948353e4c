package app

import (
	"context"
	"net/netip"
	"strings"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Limits on reset links, each a number an hour: enough for someone who
// mistypes or whose email is slow, too few to fill a colleague's mailbox
// or to send the school's mail server a flood.
const (
	// ForgotPerAccount caps the reset emails one address is sent.
	ForgotPerAccount = 3
	// ForgotPerIP caps the reset links one client asks for, whatever the
	// address.
	ForgotPerIP = 10
)

// ForgotPassword is someone asking for a link to choose a new password.
type ForgotPassword struct {
	Email string
	// IP is the client's address, for the rate limit; never stored.
	IP netip.Addr
}

// ForgotPassword emails a one-time link, valid for an hour, to choose a new
// password, when in.Email signs in to an account, and otherwise does
// nothing. Its answer is the same either way, and so is its work up to
// the last write, so that nobody can learn from it who has an account: an
// unknown address, a removed account, an address over its limit or a
// client over theirs all return nil. Only a failing store is an error.
//
// A member who has never chosen a password is sent their invitation again
// instead, with an invitation's life: the forgotten link is the one they
// lost.
func (s *Portal) ForgotPassword(ctx context.Context, in ForgotPassword) (err error) {
	defer domain.Wrap(&err, "app.Portal.ForgotPassword")
	d, err := s.draftLink()
	if err != nil {
		return err
	}
	email, parseErr := domain.ParseEmail(in.Email)
	account := "forgot:" + strings.ToLower(email)
	if parseErr != nil {
		// A malformed address still takes places, so that the limits do
		// not tell it apart from an unknown one; all of them share one,
		// since what was typed may be long and nothing is ever sent to it.
		account = "forgot:malformed"
	}
	held := s.places()
	ok, err := held.take(ctx, ForgotPerIP, "forgot-ip:"+clientAddress(in.IP, s.limits.IPv6Prefix), d.now)
	if err != nil || !ok {
		held.Release(ctx)
		return err
	}
	// The account's place is taken whether or not the address has an
	// account, and neither place is given back when none is found: the
	// limits count asking, not sending, or they would tell the two apart.
	ok, err = held.take(ctx, ForgotPerAccount, account, d.now)
	if err != nil || !ok {
		held.Release(ctx)
		return err
	}
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		m, err := tx.Staff().GetByEmail(ctx, email)
		if domain.KindOf(err) == domain.KindNotFound || parseErr != nil {
			return nil
		}
		if err != nil {
			return err
		}
		if m.RemovedAt != nil || m.SignsInElsewhere {
			return nil
		}
		_, err = s.sendLink(ctx, tx, m, d)
		return err
	})
	if err != nil {
		held.Release(ctx)
	}
	return err
}
