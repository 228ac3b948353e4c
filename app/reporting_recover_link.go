package app

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Limits on fresh conversation links, each a number an hour: enough for a
// reporter whose email is slow or who asks twice, too few to fill anyone's
// mailbox or phone, or to keep a reporter's link changing under them.
const (
	// LinkPerAddress caps the fresh links one email address asks for.
	LinkPerAddress = 3
	// LinkPerIP caps the fresh links one client asks for, whatever the
	// address: a school's pupils may share one address, so it is not 3.
	LinkPerIP = 10
	// LinkPerNumber caps the fresh links one phone number asks for by
	// texting LINK.
	LinkPerNumber = 3
)

// RecoverLink is a reporter asking, at /link, for fresh links to the
// conversations of the email address they gave.
type RecoverLink struct {
	Email string
	// IP is the client's address, for the rate limit; never stored.
	IP netip.Addr
	// Language is the language the reporter chose, if any; empty means
	// each form's.
	Language domain.Language
}

// RecoverLink emails a fresh link to each conversation, not erased, whose
// reporter gave in.Email, and the old links stop working: each token is
// replaced in the transaction that queues its email. A closed
// conversation counts, since writing to it opens it again. Its answer is
// the same whoever asks, as ForgotPassword's is: an unknown or malformed
// address, an address or client over its limit, all return nil. Only a
// failing store is an error.
func (s *Reporting) RecoverLink(ctx context.Context, in RecoverLink) (err error) {
	defer domain.Wrap(&err, "app.Reporting.RecoverLink")
	now := s.now()
	email, parseErr := domain.ParseEmail(in.Email)
	account := "link:" + strings.ToLower(email)
	if parseErr != nil {
		// Counted, as an unknown address is, under one shared key: what
		// was typed may be long, and nothing is sent to it.
		account = "link:malformed"
	}
	held := s.places()
	ok, err := held.take(ctx, LinkPerIP, "link-ip:"+clientAddress(in.IP, s.limits.IPv6Prefix), now)
	if err == nil && ok {
		// Asking counts, whether or not the address has conversations,
		// so that the limits do not tell the two apart.
		ok, err = held.take(ctx, LinkPerAddress, account, now)
	}
	if err != nil || !ok || parseErr != nil {
		if !ok {
			held.Release(ctx)
		}
		return err
	}
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		found, err := tx.Interactions().FindByContact(ctx, domain.Contact{Email: email})
		if err != nil {
			return err
		}
		for _, ia := range found {
			if ia.ErasedAt != nil {
				continue
			}
			if err := s.emailFreshLink(ctx, tx, ia, in.Language, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		held.Release(ctx)
	}
	return err
}

// emailFreshLink gives ia a fresh link and queues it, inside tx, in the
// reporter's language, to the address the reporter gave, as they wrote
// it. An interaction erased since it was found is left as it is, with no
// link.
func (s *core) emailFreshLink(ctx context.Context, tx ports.Tx, ia *domain.Interaction, chosen domain.Language, now time.Time) error {
	link, err := s.rotateLink(ctx, tx, ia.ID)
	if errors.Is(err, domain.ErrErased) {
		return nil
	}
	if err != nil {
		return err
	}
	contact, err := tx.Interactions().Contact(ctx, ia.ID)
	if err != nil {
		return err
	}
	form, err := tx.Forms().Get(ctx, ia.FormID)
	if err != nil {
		return err
	}
	id, err := domain.NewDeliveryID(s.random)
	if err != nil {
		return err
	}
	return tx.Outbox().Enqueue(ctx, domain.ReporterFreshLink(id, ia, contact.Email, link, reporterLanguage(chosen, form), now))
}

// rotateLink draws a fresh token for interaction id, makes it the
// interaction's only link, and returns the link. See
// ports.InteractionRepo.RotateToken for its errors.
func (s *core) rotateLink(ctx context.Context, tx ports.Tx, id domain.InteractionID) (string, error) {
	token, err := domain.NewToken(s.random)
	if err != nil {
		return "", err
	}
	if err := tx.Interactions().RotateToken(ctx, id, token); err != nil {
		return "", err
	}
	return s.links.ConversationURL(token), nil
}

// linkByText answers a texter who texted LINK (or DOLEN): a fresh link to
// their number's latest conversation, by text, in its form's language, at
// most LinkPerNumber an hour (ok says the text found a place); beyond that
// nothing is sent, and the last link sent still works. A number with no
// conversation gets the help text, as any other text would.
func (s *core) linkByText(ctx context.Context, tx ports.Tx, ok bool, phone string, now time.Time) (TextOutcome, error) {
	ia, err := tx.Interactions().LatestByPhone(ctx, phone)
	if domain.KindOf(err) == domain.KindNotFound {
		return s.helpByText(ctx, tx, phone, now)
	}
	if err != nil {
		return "", err
	}
	if !ok {
		return TextLimited, nil
	}
	link, err := s.rotateLink(ctx, tx, ia.ID)
	if errors.Is(err, domain.ErrErased) {
		// Erased since it was found: as if the number had none.
		return s.helpByText(ctx, tx, phone, now)
	}
	if err != nil {
		return "", err
	}
	form, err := tx.Forms().Get(ctx, ia.FormID)
	if err != nil {
		return "", err
	}
	return TextLinked, s.textBack(ctx, tx, &domain.Delivery{Kind: domain.DeliveryReporterFreshLink, Link: link,
		Language: form.Language, OrgID: ia.OrgID, InteractionID: ia.ID}, phone, now)
}
