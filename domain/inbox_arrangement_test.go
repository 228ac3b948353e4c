package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

func TestInboxNameKey(t *testing.T) {
	for _, n := range []string{"Bullying", " bullying ", "BULLYING", "bullying\t"} {
		assert.Equal(t, "bullying", domain.InboxNameKey(n), "%q", n)
	}
	assert.Equal(t, "online worries", domain.InboxNameKey("  Online \t Worries "))
	assert.NotEqual(t, domain.InboxNameKey("Online worries"), domain.InboxNameKey("Onlineworries"))
}

func TestArrangeInboxes(t *testing.T) {
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	// four inboxes a, b, c, d in order; a receives texts; c is archived
	build := func() []*domain.Inbox {
		archived := now.Add(-time.Hour)
		return []*domain.Inbox{
			{ID: "d", Position: 7}, {ID: "a", Position: 0, Texts: true}, {ID: "c", Position: 5, ArchivedAt: &archived}, {ID: "b", Position: 5},
		}
	}
	order := func(ibs []*domain.Inbox) (ids string) {
		byPos := map[int]string{}
		for _, ib := range ibs {
			byPos[ib.Position] = string(ib.ID)
		}
		for i := range len(ibs) {
			ids += byPos[i]
		}
		return ids
	}
	texts := func(ibs []*domain.Inbox) domain.InboxID { return domain.TextsInbox(ibs).ID }
	tests := []struct {
		id      domain.InboxID
		change  domain.InboxChange
		order   string
		texts   domain.InboxID
		problem bool
	}{
		{"b", domain.InboxUp, "bacd", "a", false},
		{"a", domain.InboxUp, "abcd", "a", false},   // already first
		{"b", domain.InboxDown, "adcb", "a", false}, // swaps with d, past the archived c
		{"d", domain.InboxDown, "abcd", "a", false}, // already last
		{"c", domain.InboxUp, "", "", true},         // archived inboxes do not move
		{"d", domain.InboxTexts, "abcd", "d", false},
		{"c", domain.InboxTexts, "", "", true},
		{"a", domain.InboxArchive, "abcd", "b", false}, // texts pass to the first open inbox
		{"b", domain.InboxArchive, "abcd", "a", false},
		{"c", domain.InboxUnarchive, "abcd", "a", false},
	}
	for _, tt := range tests {
		ibs := build()
		err := domain.ArrangeInboxes(ibs, tt.id, tt.change, now)
		if tt.problem {
			assert.Equal(t, domain.KindInvalid, domain.KindOf(err), "%s %s", tt.change, tt.id)
			continue
		}
		require.NoError(t, err, "%s %s", tt.change, tt.id)
		assert.Equal(t, tt.order, order(ibs), "%s %s: order", tt.change, tt.id)
		assert.Equal(t, tt.texts, texts(ibs), "%s %s: texts", tt.change, tt.id)
		n := 0
		for _, ib := range ibs {
			if ib.Texts {
				n++
			}
		}
		assert.Equal(t, 1, n, "%s %s: one inbox receives texts", tt.change, tt.id)
	}

	// The last open inbox cannot be archived.
	ibs := build()
	require.NoError(t, domain.ArrangeInboxes(ibs, "a", domain.InboxArchive, now))
	require.NoError(t, domain.ArrangeInboxes(ibs, "b", domain.InboxArchive, now))
	err := domain.ArrangeInboxes(ibs, "d", domain.InboxArchive, now)
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.True(t, ibs[3].Open() && ibs[3].Texts, "d stays open and receives texts")
}
