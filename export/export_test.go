package export

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+44": "'+44", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx",
		"plain": "plain", "": "", "a=b": "a=b",
	} {
		assert.Equal(t, want, csvSafe(in), "%q", in)
	}
}

func TestWriteStatsCSV(t *testing.T) {
	table := domain.AnonymiseCounts([][]int{{6, 1}, {0, 0}}, 2)
	var b strings.Builder
	require.NoError(t, WriteStatsCSV(&b, []string{"2026-10", "2026-11"}, []string{"=Bullying", "Online"}, table))
	assert.Equal(t, "month,'=Bullying,Online,total\n2026-10,*,*,7\n2026-11,0,0,0\ntotal,*,*,7\n", b.String(),
		"hidden as on the page, zero shown, an inbox's name never a formula")
}
