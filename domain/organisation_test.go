package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

func TestParseOrgStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    domain.OrgStatus
		accepts bool
		ok      bool
	}{
		{"trial", domain.OrgTrial, true, true},
		{"active", domain.OrgActive, true, true},
		{"suspended", domain.OrgSuspended, false, true},
		{"ended", domain.OrgEnded, false, true},
		{"ACTIVE", domain.OrgActive, true, true},
		{" Trial\n", domain.OrgTrial, true, true},
		{"", "", false, false},
		{"deleted", "", false, false},
		{"activ", "", false, false},
		{"active suspended", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseOrgStatus(tt.in)
			if !tt.ok {
				requireKind(t, err, domain.KindInvalid)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.accepts, (&domain.Organisation{Status: got}).AcceptsReports(time.Now()))
		})
	}
}

func TestOrganisationAcceptsReports(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	end := t0.Add(time.Hour)
	tests := []struct {
		name string
		org  domain.Organisation
		at   time.Time
		want bool
	}{
		{"trial before its end", domain.Organisation{Status: domain.OrgTrial, TrialEndsAt: &end}, t0, true},
		{"trial at its end", domain.Organisation{Status: domain.OrgTrial, TrialEndsAt: &end}, end, false},
		{"trial after its end", domain.Organisation{Status: domain.OrgTrial, TrialEndsAt: &end}, end.AddDate(0, 0, 1), false},
		{"trial with no end", domain.Organisation{Status: domain.OrgTrial}, t0, true},
		{"active, a stale trial end ignored", domain.Organisation{Status: domain.OrgActive, TrialEndsAt: &end}, end.AddDate(1, 0, 0), true},
		{"suspended", domain.Organisation{Status: domain.OrgSuspended}, t0, false},
		{"ended", domain.Organisation{Status: domain.OrgEnded}, t0, false},
		{"no status", domain.Organisation{}, t0, false},
		{"not normalised", domain.Organisation{Status: "Active"}, t0, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.org.AcceptsReports(tt.at), tt.name)
	}
}

func TestTrialDaysLeftAndReminders(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	org := domain.Organisation{Status: domain.OrgTrial, TrialEndsAt: &end}
	tests := []struct {
		at       time.Time
		left     int
		reminder int
	}{
		{end.AddDate(0, 0, -20), 20, 0},
		{end.AddDate(0, 0, -14).Add(-time.Second), 15, 0},
		{end.AddDate(0, 0, -14), 14, 14},
		{end.AddDate(0, 0, -4), 4, 14},
		{end.AddDate(0, 0, -3), 3, 3},
		{end.Add(-time.Minute), 1, 3},
		{end, 0, 0},
	}
	for _, tt := range tests {
		left, ok := org.TrialDaysLeft(tt.at)
		assert.True(t, ok)
		assert.Equal(t, tt.left, left, "days left at %s", tt.at)
		days, due := org.TrialReminderDue(tt.at)
		assert.Equal(t, tt.reminder != 0, due, "a reminder due at %s", tt.at)
		assert.Equal(t, tt.reminder, days, "the reminder due at %s", tt.at)
	}
	active := domain.Organisation{Status: domain.OrgActive, TrialEndsAt: &end}
	_, ok := active.TrialDaysLeft(end.AddDate(0, 0, -3))
	assert.False(t, ok, "an active organisation has no trial")
	_, due := active.TrialReminderDue(end.AddDate(0, 0, -3))
	assert.False(t, due)
}

func TestExtendTrial(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 15, 0, 0, 0, time.UTC)
	day := func(s string) time.Time { d, err := time.Parse(time.DateOnly, s); require.NoError(t, err); return d }
	org := domain.Organisation{Status: domain.OrgTrial}
	require.NoError(t, org.ExtendTrial(day("2027-01-31"), now, domain.Zone{}))
	assert.Equal(t, time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), *org.TrialEndsAt, "the last day is a whole day of the trial")
	require.NoError(t, org.ExtendTrial(day("2026-12-05"), now, domain.Zone{}), "today is the earliest end")
	requireKind(t, org.ExtendTrial(day("2026-12-04"), now, domain.Zone{}), domain.KindInvalid)
	assert.Equal(t, time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), *org.TrialEndsAt, "a refused date changes nothing")
	for _, st := range []domain.OrgStatus{domain.OrgActive, domain.OrgSuspended, domain.OrgEnded} {
		other := domain.Organisation{Status: st}
		requireKind(t, other.ExtendTrial(day("2027-01-31"), now, domain.Zone{}), domain.KindConflict)
		assert.Nil(t, other.TrialEndsAt)
	}
}

func TestNewOrgContact(t *testing.T) {
	t.Parallel()
	c, err := domain.NewOrgContact(" bursar@Oakfield.Example ", "  Sam Jones ")
	require.NoError(t, err)
	assert.Equal(t, domain.OrgContact{Name: "Sam Jones", Email: "bursar@oakfield.example"}, c)
	for _, bad := range []string{"", "not an address", "Sam <sam@oakfield.example>"} {
		_, err := domain.NewOrgContact(bad, "Sam")
		requireKind(t, err, domain.KindInvalid)
	}
	_, err = domain.NewOrgContact("sam@oakfield.example", strings.Repeat("x", 201))
	requireKind(t, err, domain.KindInvalid)
}

func TestParseRetention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		months int
		ok     bool
	}{
		{6, true}, {12, true}, {24, true}, {36, true},
		{0, false}, {-6, false}, {1, false}, {7, false}, {18, false}, {48, false}, {360, false},
	}
	for _, tt := range tests {
		got, err := domain.ParseRetention(tt.months)
		if !tt.ok {
			requireKind(t, err, domain.KindInvalid)
			assert.Zero(t, got)
			continue
		}
		require.NoError(t, err, tt.months)
		assert.Equal(t, domain.Retention(tt.months), got)
	}
	assert.Equal(t, domain.Retention12, domain.DefaultRetention)
}

func TestRetentionAfter(t *testing.T) {
	t.Parallel()
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 23, 59, 59, 0, time.UTC) }
	tests := []struct {
		name string
		r    domain.Retention
		from time.Time
		want time.Time
	}{
		{"mid-month, 6", domain.Retention6, at(2026, time.January, 15), at(2026, time.July, 15)},
		{"Jan 31 + 6", domain.Retention6, at(2026, time.January, 31), at(2026, time.July, 31)},
		{"Jan 31 + 12", domain.Retention12, at(2026, time.January, 31), at(2027, time.January, 31)},
		{"Jan 31 + 24", domain.Retention24, at(2026, time.January, 31), at(2028, time.January, 31)},
		{"Jan 31 + 36", domain.Retention36, at(2026, time.January, 31), at(2029, time.January, 31)},
		{"Jul 31 + 6 crosses the year", domain.Retention6, at(2026, time.July, 31), at(2027, time.January, 31)},
		{"Nov 30 + 6", domain.Retention6, at(2025, time.November, 30), at(2026, time.May, 30)},
		{"Feb 28 + 12", domain.Retention12, at(2027, time.February, 28), at(2028, time.February, 28)},
		{"keeps the location", domain.Retention6, time.Date(2026, time.January, 10, 8, 0, 0, 0, time.FixedZone("BST", 3600)),
			time.Date(2026, time.July, 10, 8, 0, 0, 0, time.FixedZone("BST", 3600))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.True(t, tt.want.Equal(tt.r.After(tt.from)), "want %s, got %s", tt.want, tt.r.After(tt.from))
		})
	}
}

// TestRetentionAfterMonthEndClamps documents a BUG: Retention.After uses
// time.AddDate, which normalises a day that the target month lacks into the
// next month (Aug 31 + 6 months = "Feb 31" = Mar 3), so personal data is kept
// up to 3 days longer than the period the organisation chose. A period of
// months that starts on a day the end month lacks ends on that month's last
// day (as PostgreSQL's interval arithmetic does; SQLite's date() overflows
// like Go, so the two stores would also disagree with each other).
func TestRetentionAfterMonthEndClamps(t *testing.T) {
	t.Parallel()
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		r    domain.Retention
		from time.Time
		want time.Time
	}{
		{"Aug 31 + 6", domain.Retention6, at(2025, time.August, 31), at(2026, time.February, 28)},
		{"Aug 31 + 6 into a leap year", domain.Retention6, at(2027, time.August, 31), at(2028, time.February, 29)},
		{"Dec 31 + 6", domain.Retention6, at(2025, time.December, 31), at(2026, time.June, 30)},
		{"Mar 31 + 6", domain.Retention6, at(2026, time.March, 31), at(2026, time.September, 30)},
		{"Feb 29 + 12", domain.Retention12, at(2028, time.February, 29), at(2029, time.February, 28)},
		{"Feb 29 + 36", domain.Retention36, at(2028, time.February, 29), at(2031, time.February, 28)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.r.After(tt.from)
			assert.True(t, tt.want.Equal(got), "BUG retention overshoots the month end: want %s, got %s", tt.want, got)
		})
	}
}

func TestNewOrganisation(t *testing.T) {
	t.Parallel()
	const id = domain.OrgID("org_aaaaaaaaaaaaaaaaaaaa")
	tests := []struct {
		name      string
		orgName   string
		retention domain.Retention
		trialDays int
		wantErr   bool
		wantName  string
		wantTrial bool
	}{
		{name: "active", orgName: "Oakfield Primary School", retention: domain.Retention12, wantName: "Oakfield Primary School"},
		{name: "trial of 30 days", orgName: "Oakfield", retention: domain.Retention6, trialDays: 30, wantName: "Oakfield", wantTrial: true},
		{name: "trial of 1 day", orgName: "Oakfield", retention: domain.Retention24, trialDays: 1, wantName: "Oakfield", wantTrial: true},
		{name: "trial of 366 days", orgName: "Oakfield", retention: domain.Retention36, trialDays: 366, wantName: "Oakfield", wantTrial: true},
		{name: "name trimmed", orgName: "  Oakfield \n", retention: domain.Retention12, wantName: "Oakfield"},
		{name: "name of 200", orgName: strings.Repeat("a", 200), retention: domain.Retention12, wantName: strings.Repeat("a", 200)},
		{name: "Welsh name", orgName: "Ysgol Gymraeg Bro Ŵyr", retention: domain.Retention12, wantName: "Ysgol Gymraeg Bro Ŵyr"},
		{name: "empty name", orgName: "", retention: domain.Retention12, wantErr: true},
		{name: "blank name", orgName: " \t ", retention: domain.Retention12, wantErr: true},
		{name: "name of 201", orgName: strings.Repeat("a", 201), retention: domain.Retention12, wantErr: true},
		{name: "retention 0", orgName: "Oakfield", retention: 0, wantErr: true},
		{name: "retention 18", orgName: "Oakfield", retention: 18, wantErr: true},
		{name: "trial of -1 days", orgName: "Oakfield", retention: domain.Retention12, trialDays: -1, wantErr: true},
		{name: "trial of 367 days", orgName: "Oakfield", retention: domain.Retention12, trialDays: 367, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			org, err := domain.NewOrganisation(id, tt.orgName, tt.retention, tt.trialDays, t0)
			if tt.wantErr {
				requireKind(t, err, domain.KindInvalid)
				assert.Nil(t, org)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, id, org.ID)
			assert.Equal(t, tt.wantName, org.Name)
			assert.Equal(t, tt.retention, org.Retention)
			assert.Equal(t, t0, org.CreatedAt)
			if tt.wantTrial {
				assert.Equal(t, domain.OrgTrial, org.Status)
				require.NotNil(t, org.TrialEndsAt)
				assert.Equal(t, t0.AddDate(0, 0, tt.trialDays), *org.TrialEndsAt)
			} else {
				assert.Equal(t, domain.OrgActive, org.Status)
				assert.Nil(t, org.TrialEndsAt)
			}
			assert.True(t, org.AcceptsReports(t0))
		})
	}
}

// TestNameLimitsCountCharacters documents a BUG shared by NewOrganisation,
// NewForm, NewInbox and NewStaff: their limits say "characters" (and the
// package counts runes for passwords, messages and reporter names) but they
// compare len(name), which counts bytes, so a name of accented or Welsh
// letters (é, ŵ, ŷ: two bytes each) is rejected at half the limit.
func TestNameLimitsCountCharacters(t *testing.T) {
	t.Parallel()
	name150 := strings.Repeat("é", 150) // 150 characters, 300 bytes
	name60 := strings.Repeat("ŵ", 60)   // 60 characters, 120 bytes

	t.Run("organisation of 150 characters", func(t *testing.T) {
		t.Parallel()
		_, err := domain.NewOrganisation("org_aaaaaaaaaaaaaaaaaaaa", name150, domain.Retention12, 0, t0)
		assert.NoError(t, err, "BUG: the 200-character limit counts bytes")
	})
	t.Run("form of 150 characters", func(t *testing.T) {
		t.Parallel()
		_, err := domain.NewForm("frm_aaaaaaaaaaaaaaaaaaaa", "org_aaaaaaaaaaaaaaaaaaaa", name150, "OAK", t0)
		assert.NoError(t, err, "BUG: the 200-character limit counts bytes")
	})
	t.Run("inbox of 60 characters", func(t *testing.T) {
		t.Parallel()
		form := &domain.Form{ID: "frm_aaaaaaaaaaaaaaaaaaaa", OrgID: "org_aaaaaaaaaaaaaaaaaaaa"}
		_, err := domain.NewInbox("inb_aaaaaaaaaaaaaaaaaaaa", form, name60, nil, 0, t0)
		assert.NoError(t, err, "BUG: the 100-character limit counts bytes")
	})
	t.Run("staff first name of 60 characters", func(t *testing.T) {
		t.Parallel()
		_, err := domain.NewStaff("stf_aaaaaaaaaaaaaaaaaaaa", "org_aaaaaaaaaaaaaaaaaaaa", "jo@oakfield.sch.uk", name60, "", domain.RoleStaff, nil, t0)
		assert.NoError(t, err, "BUG: the 100-character limit counts bytes")
	})
	t.Run("staff last name of 60 characters", func(t *testing.T) {
		t.Parallel()
		_, err := domain.NewStaff("stf_aaaaaaaaaaaaaaaaaaaa", "org_aaaaaaaaaaaaaaaaaaaa", "jo@oakfield.sch.uk", "Jo", name60, domain.RoleStaff, nil, t0)
		assert.NoError(t, err, "BUG: the 100-character limit counts bytes")
	})
}
