package app_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

func TestAnOperatorsTextTakesTheWebhooksPath(t *testing.T) {
	s := newSchool(t)
	op := app.Operator{Name: "alice"}
	// A national number, read in the service's region, as whisperctl's
	// --from may be typed.
	in := app.InboundText{MessageUUID: "op-1", From: "07700 900123", Text: "oak Someone took my phone at lunch"}
	opened, err := s.svc.Operations.ReceiveText(ctx, op, in)
	require.NoError(t, err)
	assert.Equal(t, app.TextOpened, opened.Outcome)
	require.NotEmpty(t, opened.Ref)
	require.Len(t, opened.Replies, 1, "the conversation link, and not the staff alerts")
	assert.Equal(t, domain.DeliveryReporterLink, opened.Replies[0].Kind)
	assert.Equal(t, "+447700900123", opened.Replies[0].To)
	list := s.smsInteractions(t)
	require.Len(t, list, 1)
	assert.Equal(t, opened.Ref, list[0].Ref, "the report staff see")

	again, err := s.svc.Operations.ReceiveText(ctx, op, in)
	require.NoError(t, err)
	assert.Equal(t, app.TextDuplicate, again.Outcome, "the same message id is handled once")
	assert.Empty(t, again.Replies)

	cont, err := s.svc.Operations.ReceiveText(ctx, op, app.InboundText{MessageUUID: "op-2", From: "+447700900123", Text: "It was in the changing room"})
	require.NoError(t, err)
	assert.Equal(t, app.TextContinued, cont.Outcome)
	assert.Equal(t, opened.Ref, cont.Ref)
	assert.Empty(t, cont.Replies)

	help, err := s.svc.Operations.ReceiveText(ctx, op, app.InboundText{MessageUUID: "op-3", From: "+447700900999", Text: "hello?"})
	require.NoError(t, err)
	assert.Equal(t, app.TextHelped, help.Outcome)
	assert.Empty(t, help.Ref)
	require.Len(t, help.Replies, 1)
	assert.Equal(t, domain.DeliverySMSHelp, help.Replies[0].Kind)

	entries, err := s.svc.Operations.AuditLog(ctx, 0, 100)
	require.NoError(t, err)
	var received []*domain.AuditEntry
	for _, e := range entries {
		if e.Action == domain.AuditSMSReceive {
			received = append(received, e)
		}
	}
	require.Len(t, received, 4, "each act, even one that changed nothing")
	assert.Equal(t, "os:alice", received[0].Actor)
	assert.Equal(t, opened.Ref, received[0].Ref)
	assert.Equal(t, s.form.OrgID, received[0].OrgID)
	assert.Equal(t, map[string]string{"outcome": "opened", "replies": "1"}, received[0].Details)
	assert.Equal(t, map[string]string{"outcome": "helped", "replies": "1"}, received[3].Details)

	_, err = s.svc.Operations.ReceiveText(ctx, op, app.InboundText{MessageUUID: "op-4", From: "not a number", Text: "oak hi"})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
}
