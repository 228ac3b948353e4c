package catalogue_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

// Months are named in the reader's language and on the local clock, for
// the statistics: half past midnight BST on 1 October is October's.
func TestMonthsInEachLanguage(t *testing.T) {
	loc, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	z := domain.NewZone(loc)
	en, cy := catalogue.For(domain.English), catalogue.For(domain.Welsh)
	oct := time.Date(2026, 9, 30, 23, 30, 0, 0, time.UTC)
	assert.Equal(t, "October 2026", en.Month(z, oct))
	assert.Equal(t, "Hydref 2026", cy.Month(z, oct))
	assert.Equal(t, "Oct", en.ShortMonth(z, oct))
	assert.Equal(t, "Hyd", cy.ShortMonth(z, oct))
	feb := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, "Chwefror 2027", cy.Month(z, feb))
	assert.Equal(t, "Chwe", cy.ShortMonth(z, feb))
}
