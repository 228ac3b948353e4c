package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// TestOrgSizes checks the national shape: the sizes add up, fall with
// rank, and at full scale the largest holds on the order of 100,000
// and the median school a few dozen a year.
func TestOrgSizes(t *testing.T) {
	sizes := orgSizes(5000, 2_000_000)
	sum := 0
	for i, n := range sizes {
		sum += n
		if i > 0 && n > sizes[i-1] {
			t.Fatalf("organisation %d holds %d, more than the one before (%d)", i, n, sizes[i-1])
		}
	}
	if sum != 2_000_000 {
		t.Errorf("sizes add up to %d, want 2,000,000", sum)
	}
	if sizes[0] < 50_000 || sizes[0] > 150_000 {
		t.Errorf("the largest holds %d, want about 100,000", sizes[0])
	}
	if median := sizes[2500] / 3; median < 20 || median > 60 {
		t.Errorf("the median school has %d a year, want a few dozen", median)
	}
	t.Logf("largest %d, 10th %d, 100th %d, median %d, smallest %d", sizes[0], sizes[9], sizes[99], sizes[2500], sizes[4999])
}

// TestSeedGeneratorIsDeterministic checks that -seed fixes the data: two
// generators with one seed draw the same interactions, another seed others.
func TestSeedGeneratorIsDeterministic(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	form := &domain.Form{ID: "form_x", OrgID: "org_x", Language: domain.English}
	org := &seedOrg{id: "org_x", form: form, staff: []domain.StaffID{"staff_x"},
		inboxes: []*domain.Inbox{{ID: "inbox_a", FormID: form.ID}, {ID: "inbox_b", FormID: form.ID}}}
	svc := app.New(app.Deps{Clock: app.SystemClock{}, PublicURL: publicURL})
	draw := func(seed uint64) []string {
		g := newGenerator(seedConfig{seed: seed, months: 36, now: now}, svc)
		var out []string
		for range 50 {
			si, err := g.interaction(org)
			if err != nil {
				t.Fatal(err)
			}
			ia := si.Report.Interaction
			out = append(out, fmt.Sprintf("%s %s %s %s %v %d %s", ia.ID, ia.Ref, ia.CreatedAt, ia.InboxID,
				si.ErasedAt, len(si.Later), si.Report.Message.Body))
		}
		return out
	}
	a, b, c := draw(1), draw(1), draw(2)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("interaction %d differs with the same seed: %q, %q", i, a[i], b[i])
		}
	}
	if a[0] == c[0] {
		t.Errorf("seeds 1 and 2 drew the same first interaction %q", a[0])
	}
}
