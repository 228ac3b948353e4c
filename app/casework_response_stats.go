package app

import (
	"context"
	"slices"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ResponseStatistics are the figures a governing body asks of its
// safeguarding: how long reports wait for a first reply, and how long the
// open ones have been open. Like Statistics, they come from dates and
// inboxes alone (nothing of contact or meta data, no references), erased
// interactions are counted as erasure keeps what they need, and every
// figure follows the small-count rules of domain.AnonymiseCounts.
type ResponseStatistics struct {
	// From and To are the first and last month, as YYYY-MM.
	From, To string
	// Inboxes are the columns of the medians and the rows of the ages.
	Inboxes []VisibleInbox
	// Months are the rows of the medians: the median time from a
	// report's arrival to the first staff reply, among the reports that
	// arrived in the month (on the local clock) and have been answered.
	Months []MedianMonth
	// InboxMedians are each inbox's median over the whole range; Median
	// that of every report.
	InboxMedians []domain.MedianCell
	Median       domain.MedianCell
	// Ages count the open interactions of each inbox by how long they
	// have been open at AsOf, in the bands of domain.AgeBands; AgeTotals
	// each band's count over the inboxes and AgeTotal all of them.
	Ages      []AgeRow
	AgeTotals []StatsCell
	AgeTotal  StatsCell
	AsOf      time.Time
}

// MedianMonth is one month's row of medians.
type MedianMonth struct {
	// Month is the month as YYYY-MM; Start its first moment on the local
	// clock.
	Month string
	Start time.Time
	Cells []domain.MedianCell
	Total domain.MedianCell
}

// AgeRow is one inbox's open interactions by age band.
type AgeRow struct {
	Inbox VisibleInbox
	Cells []StatsCell
	Total StatsCell
}

// ResponseStats returns the response times and the ages of open
// interactions that the actor may see, for the months from and to
// (YYYY-MM, both included; empty bounds are the last twelve months, as for
// Portal.Stats, and bad ones come back as domain.Problems).
//
// A median is shown only where the count of reports behind it would be
// shown in Portal.Stats's table, and only when at least domain.SmallCount
// answered reports make it up (see domain.AnonymiseMedians); an age band's
// counts are anonymised as any counts are.
func (s *Casework) ResponseStats(ctx context.Context, a *Actor, from, to string) (out ResponseStatistics, err error) {
	defer domain.Wrap(&err, "app.Casework.ResponseStats")
	return s.responseStats(ctx, a.Viewer, from, to)
}

// OrganisationResponseStats is ResponseStats for the operator: every inbox
// of the organisation org, as its admins see them.
func (s *Casework) OrganisationResponseStats(ctx context.Context, org domain.OrgID, from, to string) (out ResponseStatistics, err error) {
	defer domain.Wrap(&err, "app.Casework.OrganisationResponseStats")
	err = s.store.View(ctx, func(tx ports.Tx) error {
		_, err := tx.Organisations().Get(ctx, org)
		return err
	})
	if err != nil {
		return out, err
	}
	return s.responseStats(ctx, domain.Viewer{OrgID: org}, from, to)
}

func (s *Casework) responseStats(ctx context.Context, v domain.Viewer, from, to string) (out ResponseStatistics, err error) {
	out.From, out.To = from, to
	now := s.now()
	first, last, problems := statsRange(from, to, s.zone.In(now))
	if err := problems.Invalid(); err != nil {
		return out, err
	}
	out.From, out.To, out.AsOf = first.Format(statsMonthLayout), last.Format(statsMonthLayout), now
	months := s.zone.Months(first, last)
	var (
		replies []domain.FirstReply
		ages    []domain.AgeCount
	)
	err = s.store.View(ctx, func(tx ports.Tx) (err error) {
		if out.Inboxes, err = actorInboxes(ctx, tx, &Actor{Viewer: v}); err != nil {
			return err
		}
		if replies, err = tx.StaffView().FirstReplies(ctx, v, months[0].Start, months[len(months)-1].End); err != nil {
			return err
		}
		ages, err = tx.StaffView().OpenAges(ctx, v, now)
		return err
	})
	if err != nil {
		return out, err
	}
	// Every inbox counted gets its column before either table is laid out,
	// so that both have the same.
	for _, r := range replies {
		out.column(r.InboxID, r.InboxName)
	}
	for _, a := range ages {
		out.column(a.InboxID, a.InboxName)
	}
	tabulateMedians(&out, months, replies)
	tabulateAges(&out, ages)
	return out, nil
}

// column returns the column of inbox id, adding one for an inbox counted
// but not offered (it cannot be, but a figure must never vanish).
func (out *ResponseStatistics) column(id domain.InboxID, name string) int {
	if j := slices.IndexFunc(out.Inboxes, func(ib VisibleInbox) bool { return ib.ID == id }); j >= 0 {
		return j
	}
	out.Inboxes = append(out.Inboxes, VisibleInbox{ID: id, Label: name})
	return len(out.Inboxes) - 1
}

// tabulateMedians lays the first replies out as months by inboxes. The
// counts that decide which medians may be shown are those of every report
// in the table, answered or not: the very counts, anonymised the same way,
// that Portal.Stats shows for the same months.
func tabulateMedians(out *ResponseStatistics, months []domain.StatsMonth, replies []domain.FirstReply) {
	columns := len(out.Inboxes)
	counts := make([][]int, len(months))
	times := make([][][]time.Duration, len(months))
	for i := range months {
		counts[i], times[i] = make([]int, columns), make([][]time.Duration, columns)
	}
	for _, r := range replies {
		i := domain.MonthOf(months, r.CreatedAt)
		if i < 0 {
			continue
		}
		j := out.column(r.InboxID, r.InboxName)
		counts[i][j]++
		if !r.RepliedAt.IsZero() {
			times[i][j] = append(times[i][j], r.RepliedAt.Sub(r.CreatedAt))
		}
	}
	table := domain.AnonymiseMedians(times, columns, domain.AnonymiseCounts(counts, columns))
	out.Months = make([]MedianMonth, len(months))
	for i, m := range months {
		out.Months[i] = MedianMonth{Month: m.Month, Start: m.Start, Cells: table.Cells[i], Total: table.RowTotals[i]}
	}
	out.InboxMedians, out.Median = table.ColumnTotals, table.Total
}

// tabulateAges lays the open interactions out as inboxes by age bands,
// every inbox and band present even when empty, and anonymises them.
func tabulateAges(out *ResponseStatistics, ages []domain.AgeCount) {
	counts := make([][]int, len(out.Inboxes))
	for i := range counts {
		counts[i] = make([]int, len(domain.AgeBands))
	}
	for _, a := range ages {
		if a.Band >= 0 && a.Band < len(domain.AgeBands) {
			counts[out.column(a.InboxID, a.InboxName)][a.Band] += a.Count
		}
	}
	table := domain.AnonymiseCounts(counts, len(domain.AgeBands))
	out.Ages = make([]AgeRow, len(out.Inboxes))
	for i, ib := range out.Inboxes {
		out.Ages[i] = AgeRow{Inbox: ib, Cells: table.Cells[i], Total: table.RowTotals[i]}
	}
	out.AgeTotals, out.AgeTotal = table.ColumnTotals, table.Total
}
