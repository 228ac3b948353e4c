package app_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// A subject access request says that the school holds notes on a
// reference, and how many, but not what they say: the school decides.
func TestSubjectAccessCountsNotesWithoutTheirText(t *testing.T) {
	s := newSchool(t)
	web, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "by web", Email: "parent@example.org"})
	require.NoError(t, err)
	actor := &app.Actor{Staff: s.staff, Viewer: domain.ViewerOf(s.staff)}
	for _, note := range []string{"Spoke to the form tutor.", "Mum called about the other pupil."} {
		_, err := s.svc.Casework.AddNote(ctx, actor, string(web.Ref), note)
		require.NoError(t, err)
	}
	out, err := s.svc.Rights.SubjectAccessRequest(ctx, alice, app.SubjectAccessQuery{Email: "parent@example.org", Reason: "subject access request"})
	require.NoError(t, err)
	require.Len(t, out.Interactions, 1)
	assert.Equal(t, 2, out.Interactions[0].InternalNotes)
	assert.NotContains(t, out.Interactions[0].Messages[0].Body, "tutor")
	require.Len(t, out.Interactions[0].Messages, 1, "a note is not a message")
}
