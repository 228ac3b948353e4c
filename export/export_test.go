package export

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

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

// Times are ISO 8601 with the offset of the zone: BST in summer, GMT
// (written Z) in winter, and any zone as given.
func TestExportTimesCarryTheOffset(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	summer := time.Date(2026, 10, 8, 13, 3, 0, 0, time.UTC)
	winter := time.Date(2026, 12, 8, 13, 3, 0, 0, time.UTC)
	rows := []domain.ExportRow{{
		Ref: "WSP-AAAA-BBBB", Status: domain.StatusClosed, CreatedAt: summer, LastActivityAt: winter, ClosedAt: &winter,
		Messages: []domain.ExportMessage{{Author: "reporter", At: summer, Text: "hello"}},
	}}

	var b strings.Builder
	require.NoError(t, WriteCSV(&b, rows, domain.NewZone(london)))
	records, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-10-08T14:03:00+01:00", "2026-12-08T13:03:00Z", "2026-12-08T13:03:00Z", "reporter (2026-10-08T14:03:00+01:00): hello"},
		records[1][6:10])

	b.Reset()
	require.NoError(t, WriteJSON(&b, rows, domain.NewZone(london)))
	var got []map[string]any
	require.NoError(t, json.Unmarshal([]byte(b.String()), &got))
	assert.Equal(t, "2026-10-08T14:03:00+01:00", got[0]["created_at"])
	assert.Equal(t, "2026-12-08T13:03:00Z", got[0]["closed_at"])
	assert.Equal(t, "2026-10-08T14:03:00+01:00", got[0]["messages"].([]any)[0].(map[string]any)["created_at"])

	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	b.Reset()
	require.NoError(t, WriteJSON(&b, rows, domain.NewZone(newYork)))
	require.NoError(t, json.Unmarshal([]byte(b.String()), &got))
	assert.Equal(t, "2026-10-08T09:03:00-04:00", got[0]["created_at"])
}
