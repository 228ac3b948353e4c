package domain_test

import (
	"math/rand/v2"
	"testing"

	"github.com/whisper-schools/whisper/domain"
)

// The operator's table across every organisation at its largest: ten
// years by a thousand combinations of inbox, channel and region, a third
// of them small (about 80 ms).
func BenchmarkAnonymiseCountsLarge(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	counts := make([][]int, 120)
	for i := range counts {
		counts[i] = make([]int, 1000)
		for j := range counts[i] {
			counts[i][j] = r.IntN(40) / 5
		}
	}
	for b.Loop() {
		domain.AnonymiseCounts(counts, 1000)
	}
}
