package domain

import (
	"cmp"
	"slices"
	"time"
)

// InboxChange is one change an admin makes to how a form's inboxes are
// arranged: their order, which one receives texts, which are archived.
type InboxChange string

// The inbox changes.
const (
	InboxUp        InboxChange = "up"
	InboxDown      InboxChange = "down"
	InboxTexts     InboxChange = "texts"
	InboxArchive   InboxChange = "archive"
	InboxUnarchive InboxChange = "unarchive"
)

// ArrangeInboxes applies change to the inbox id among all of one form's
// inboxes, in place. Afterwards the positions are 0, 1, 2… in the order
// reporters see, at least one inbox is open, and exactly one open inbox
// receives texts: archiving the one that did passes texts to the first
// open inbox in order. Moving swaps an open inbox with its open
// neighbour; at either end it changes nothing.
func ArrangeInboxes(inboxes []*Inbox, id InboxID, change InboxChange, now time.Time) error {
	slices.SortStableFunc(inboxes, func(a, b *Inbox) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	at := slices.IndexFunc(inboxes, func(ib *Inbox) bool { return ib.ID == id })
	if at < 0 {
		return Errorf(KindNotFound, "not found")
	}
	for i, ib := range inboxes {
		ib.Position = i
	}
	target := inboxes[at]
	switch change {
	case InboxUp, InboxDown:
		if !target.Open() {
			return Errorf(KindInvalid, "an archived inbox has no place on the form: unarchive it first")
		}
		step := 1
		if change == InboxUp {
			step = -1
		}
		for j := at + step; j >= 0 && j < len(inboxes); j += step {
			if inboxes[j].Open() {
				target.Position, inboxes[j].Position = inboxes[j].Position, target.Position
				break
			}
		}
	case InboxTexts:
		if !target.Open() {
			return Errorf(KindInvalid, "an archived inbox cannot receive text messages: unarchive it first")
		}
		for _, ib := range inboxes {
			ib.Texts = ib == target
		}
	case InboxArchive:
		if !target.Open() {
			return nil
		}
		if !slices.ContainsFunc(inboxes, func(ib *Inbox) bool { return ib != target && ib.Open() }) {
			return Errorf(KindInvalid, "a form needs at least one open inbox: add or unarchive another before archiving this one")
		}
		archived := now
		target.ArchivedAt, target.Texts = &archived, false
	case InboxUnarchive:
		target.ArchivedAt = nil
	default:
		return Errorf(KindInvalid, "unknown change to an inbox: %s", change)
	}
	settleTexts(inboxes)
	return nil
}

// settleTexts leaves exactly one open inbox receiving texts: the one that
// does now, else the first open one in order.
func settleTexts(inboxes []*Inbox) {
	var texts *Inbox
	for _, ib := range inboxes {
		if ib.Texts && ib.Open() && texts == nil {
			texts = ib
		}
		ib.Texts = false
	}
	if texts == nil {
		if i := slices.IndexFunc(inboxes, (*Inbox).Open); i >= 0 {
			texts = inboxes[i]
		}
	}
	if texts != nil {
		texts.Texts = true
	}
}

// TextsInbox is the inbox of a form's inboxes that texts land in: the
// open one marked for texts, else the first open one; nil when none is
// open.
func TextsInbox(inboxes []*Inbox) *Inbox {
	var first *Inbox
	for _, ib := range inboxes {
		if !ib.Open() {
			continue
		}
		if ib.Texts {
			return ib
		}
		if first == nil || ib.Position < first.Position {
			first = ib
		}
	}
	return first
}
