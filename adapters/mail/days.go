package mail

import (
	"strings"
	"time"

	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

// An email that names a day carries it as a calendar day, ISO 8601
// ("2026-10-08", domain.Zone.Day), already in the service's time zone,
// and its template names it in the email's language with {{day …}}:
// "8 October 2026", "8 Hydref 2026". One formatter, the catalogue's, names
// days and times for every reader, on pages and in emails.

// day names the calendar day iso in p's language. Anything that is not a
// calendar day (an email queued before days were written so) is shown as
// it is.
func day(p *catalogue.Printer, iso string) string {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(iso))
	if err != nil {
		return iso
	}
	// A calendar day is the same day in any zone: UTC prints it as it is.
	return p.Date(domain.Zone{}, t)
}

// erasureLine is one interaction of an erasure warning: its reference,
// and the calendar day from which it is erased ("" when the line is not
// one of those).
type erasureLine struct{ Ref, Day string }

// erasureLines reads an erasure warning's body: one interaction a line,
// its reference and the day it is erased from, separated by a space. A
// line written otherwise (a warning queued before this form) is kept
// whole as Ref.
func erasureLines(body string) []erasureLine {
	var out []erasureLine
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		ref, iso, ok := strings.Cut(line, " ")
		if _, err := time.Parse(time.DateOnly, iso); !ok || err != nil {
			out = append(out, erasureLine{Ref: line})
			continue
		}
		out = append(out, erasureLine{Ref: ref, Day: iso})
	}
	return out
}

// count is a delivery's Count as its email says it: zero, in a delivery
// queued before it was counted, is one.
func count(n int) int { return max(n, 1) }
