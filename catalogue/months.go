package catalogue

import (
	"fmt"
	"time"

	"github.com/whisper-schools/whisper/domain"
)

// welshMonthsShort are the Welsh months as a chart's axis names them.
var welshMonthsShort = [...]string{"Ion", "Chwef", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd", "Tach", "Rhag"}

// Month writes the month of t, as its own clock reads it (a month of the
// statistics starts at midnight UTC), with its year: "October 2026", or
// "Hydref 2026".
func (p *Printer) Month(t time.Time) string {
	if p.Lang == domain.Welsh {
		return fmt.Sprintf("%s %d", welshMonths[t.Month()-1], t.Year())
	}
	return t.Format("January 2006")
}

// MonthShort is the month of t, short, as a chart's axis names it: "Oct",
// or "Hyd".
func (p *Printer) MonthShort(t time.Time) string {
	if p.Lang == domain.Welsh {
		return welshMonthsShort[t.Month()-1]
	}
	return t.Format("Jan")
}
