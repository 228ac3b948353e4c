package catalogue_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

// Months are named in the reader's language too, for the statistics.
func TestMonthsInEachLanguage(t *testing.T) {
	en, cy := catalogue.For(domain.English), catalogue.For(domain.Welsh)
	oct := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, "October 2026", en.Month(oct))
	assert.Equal(t, "Hydref 2026", cy.Month(oct))
	assert.Equal(t, "Oct", en.MonthShort(oct))
	assert.Equal(t, "Hyd", cy.MonthShort(oct))
	feb := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, "Chwefror 2027", cy.Month(feb))
	assert.Equal(t, "Chwef", cy.MonthShort(feb))
}
