package domain

import "time"

// DefaultTimeZone is the zone people read times in when time_zone is not
// set: the schools Whisper serves are in the United Kingdom.
const DefaultTimeZone = "Europe/London"

// Zone is the time zone people read times in (the time_zone setting).
// Whisper keeps every time in UTC; every page, email and export writes it
// through a Zone, so that none shows UTC by accident and each time of day
// says which clock it is (GMT or BST).
//
// The zero Zone is UTC; app.New gives the service DefaultTimeZone when it
// is given none.
type Zone struct{ loc *time.Location }

// NewZone returns the zone of loc; nil is UTC.
func NewZone(loc *time.Location) Zone { return Zone{loc: loc} }

// Location returns the zone's location.
func (z Zone) Location() *time.Location {
	if z.loc == nil {
		return time.UTC
	}
	return z.loc
}

// String is the zone's name, e.g. "Europe/London".
func (z Zone) String() string { return z.Location().String() }

// In returns t on the zone's clock.
func (z Zone) In(t time.Time) time.Time { return t.In(z.Location()) }

// ISO writes t as ISO 8601 (RFC 3339) with the zone's offset at t, to the
// second: "2026-10-08T14:03:00+01:00". Exports and <time datetime> use it.
func (z Zone) ISO(t time.Time) string { return z.In(t).Format(time.RFC3339) }

// Date writes the day of t in the zone, in English: "8 October 2026".
func (z Zone) Date(t time.Time) string { return z.In(t).Format("2 January 2006") }

// Day writes the day of t in the zone as a calendar day, ISO 8601:
// "2026-10-08". An email carries a day so, for its template to name in
// its reader's language (catalogue.Printer.Date).
func (z Zone) Day(t time.Time) string { return z.In(t).Format(time.DateOnly) }

// DateTime writes t in the zone, in English, with the zone's abbreviation
// at t: "8 October 2026, 14:03 BST".
func (z Zone) DateTime(t time.Time) string { return z.In(t).Format("2 January 2006, 15:04 MST") }

// Stamp writes t in the zone for an operator's terminal: "2026-10-08
// 14:03 BST".
func (z Zone) Stamp(t time.Time) string { return z.In(t).Format("2006-01-02 15:04 MST") }

// DayStart returns the first moment of the day date (its year, month and
// day, whatever its zone) on the zone's clock.
func (z Zone) DayStart(date time.Time) time.Time {
	y, m, d := date.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, z.Location())
}

// LastDay returns the day before the moment end, in the zone: the last
// day of something that ends at end, such as a trial ending at midnight.
func (z Zone) LastDay(end time.Time) time.Time { return z.In(end.Add(-time.Nanosecond)) }
