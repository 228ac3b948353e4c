package main

import "testing"

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
