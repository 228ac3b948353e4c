package app

import (
	"net/netip"

	"github.com/whisper-schools/whisper/domain"
)

// swearBlocked is what a reporter reads when the form blocks swearing. It
// must never make a child feel they did wrong by quoting what was said.
const swearBlocked = "Our filter stopped some words in your message. Please send it again without them – you can still tell us what happened, for example “they called me a rude name”."

// idAttempts bounds the redraws when a new reference is taken.
const idAttempts = 3

// checkSwearing applies the form's policy, with the organisation's own
// words: it reports whether to flag the message, or refuses it when the
// form blocks swearing and the message aims it at someone. A disclosure is
// never refused: see domain.SwearPolicy.Judge.
func (s *core) checkSwearing(form *domain.Form, org *domain.Organisation, body string) (flagged bool, err error) {
	if form.SwearPolicy == domain.SwearOff || s.swearing == nil || body == "" {
		return false, nil
	}
	flagged, refused := form.SwearPolicy.Judge(s.swearing.Check(body, org.SwearWords))
	if refused {
		return false, domain.Errorf(domain.KindInvalid, swearBlocked)
	}
	return flagged, nil
}

// meta describes where a message came from.
func (s *core) meta(ip netip.Addr) domain.Meta {
	if !ip.IsValid() {
		return domain.Meta{}
	}
	ip = ip.Unmap()
	var place domain.Place
	if s.locator != nil {
		place = s.locator.Locate(ip)
	}
	return domain.Meta{IP: ip.String(), Location: place.Location(), Region: place.RegionLevel(), Network: place.Network}
}

// newInteractionIDs draws everything a new interaction needs.
func (s *core) newInteractionIDs() (ids domain.IDs, err error) {
	if ids.Interaction, err = domain.NewInteractionID(s.random); err != nil {
		return ids, err
	}
	if ids.Message, err = domain.NewMessageID(s.random); err != nil {
		return ids, err
	}
	if ids.Ref, err = domain.NewReference(s.random); err != nil {
		return ids, err
	}
	ids.Token, err = domain.NewToken(s.random)
	return ids, err
}
