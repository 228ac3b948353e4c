package app_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// Reports written before the store kept word indexes are all prepared,
// however many batches they take, and are found the same before and after.
func TestIndexForSearchPreparesEveryOlderReport(t *testing.T) {
	s := newSchool(t)
	const n = 450 // more than two batches
	for i := range n {
		_, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: fmt.Sprintf("Report %d about the trampoline", i)})
		require.NoError(t, err)
	}
	_, err := s.store.(*store.Store).DB().NewDelete().TableExpr("interaction_words").Where("1 = 1").Exec(ctx)
	require.NoError(t, err)
	actor := &app.Actor{Staff: s.staff, Viewer: domain.ViewerOf(s.staff)}
	found := func() int {
		page, err := s.svc.Portal.ListInteractions(ctx, actor, app.InteractionQuery{Search: "trampoline"})
		require.NoError(t, err)
		return page.Total
	}
	assert.Equal(t, n, found(), "found by their texts before")

	prepared, err := s.svc.Casework.IndexForSearch(ctx)
	require.NoError(t, err)
	assert.Equal(t, n, prepared)
	assert.Equal(t, n, found(), "and by their word indexes after")
	again, err := s.svc.Casework.IndexForSearch(ctx)
	require.NoError(t, err)
	assert.Zero(t, again, "nothing is left")
}
