package app_test

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

var alice = app.Operator{Name: "alice"}

// auditLog is the operators' part of the log: setting up the school is
// audited too.
func (s school) auditLog(t *testing.T) []*domain.AuditEntry {
	t.Helper()
	entries, err := s.svc.Operations.AuditLog(ctx, 0, 0)
	require.NoError(t, err)
	return slices.DeleteFunc(entries, func(e *domain.AuditEntry) bool { return !strings.HasPrefix(e.Actor, "os:") })
}

func TestDisclosureIsLawfulAndAudited(t *testing.T) {
	s := newSchool(t)
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: secretBody, Email: secretMail, IP: netip.MustParseAddr("203.0.113.5")})
	require.NoError(t, err)

	for name, in := range map[string]app.Disclosure{
		"no reason":    {Ref: rc.Ref, Basis: "police", Authority: "Avon Police", Reference: "X1"},
		"no basis":     {Ref: rc.Ref, Authority: "Avon Police", Reference: "X1", Reason: "r"},
		"odd basis":    {Ref: rc.Ref, Basis: "curiosity", Authority: "Avon Police", Reference: "X1", Reason: "r"},
		"no authority": {Ref: rc.Ref, Basis: "police", Reference: "X1", Reason: "r"},
	} {
		_, err := s.svc.Operations.Disclose(ctx, alice, in)
		assert.Equal(t, domain.KindInvalid, domain.KindOf(err), name)
	}
	assert.Empty(t, s.auditLog(t), "refusals leave no entry")

	out, err := s.svc.Operations.Disclose(ctx, alice, app.Disclosure{Ref: rc.Ref, Basis: "court-order", Authority: "Bristol Crown Court", Reference: "T20261234", Reason: "order of 3 Nov"})
	require.NoError(t, err)
	assert.Equal(t, secretMail, out.Contact.Email)
	require.Len(t, out.Messages, 1)
	assert.Equal(t, "203.0.113.5", out.Messages[0].Meta.IP)

	log := s.auditLog(t)
	require.Len(t, log, 1)
	e := log[0]
	assert.Equal(t, "os:alice", e.Actor)
	assert.Equal(t, domain.AuditDisclose, e.Action)
	assert.Equal(t, rc.Ref, e.Ref)
	assert.Equal(t, map[string]string{"basis": "court-order", "authority": "Bristol Crown Court", "reference": "T20261234"}, e.Details)
	raw, _ := json.Marshal(e)
	assert.NotContains(t, string(raw), secretMail, "the audit log never holds what was disclosed")
	assert.NotContains(t, string(raw), "203.0.113.5")
}

func TestBlockAndUnblock(t *testing.T) {
	s := newSchool(t)
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "abuse", Email: "troll@example.org", IP: netip.MustParseAddr("198.51.100.66")})
	require.NoError(t, err)
	_, err = s.svc.Operations.Block(ctx, alice, rc.Ref, "", 0)
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err), "a reason is required")

	n, err := s.svc.Operations.Block(ctx, alice, rc.Ref, "repeated abuse", 30)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the email and the address")
	_, err = s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "again", IP: netip.MustParseAddr("198.51.100.66")})
	assert.ErrorIs(t, err, app.ErrRefused)

	lifted, err := s.svc.Operations.Unblock(ctx, alice, rc.Ref, "appeal upheld")
	require.NoError(t, err)
	assert.Equal(t, 2, lifted)
	_, err = s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "again", IP: netip.MustParseAddr("198.51.100.66")})
	assert.NoError(t, err)
	actions := []string{}
	for _, e := range s.auditLog(t) {
		actions = append(actions, e.Action)
	}
	assert.Equal(t, []string{domain.AuditBlock, domain.AuditUnblock}, actions)
}

func TestSubjectAccessFindsEverythingByContact(t *testing.T) {
	s := newSchool(t)
	web, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "by web", Email: "Parent@Example.org", Name: "Pat"})
	require.NoError(t, err)
	_, err = s.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "u1", From: "447700900123", Text: "OAK by text"})
	require.NoError(t, err)

	out, err := s.svc.Rights.SubjectAccessRequest(ctx, alice, app.SubjectAccessQuery{Email: "parent@example.org", Reason: "subject access request"})
	require.NoError(t, err)
	require.Len(t, out.Interactions, 1)
	got := out.Interactions[0]
	assert.Equal(t, web.Ref, got.Ref)
	assert.Equal(t, "Pat", got.ReporterName)
	assert.Equal(t, "Parent@example.org", got.Contact.Email)
	assert.Equal(t, "Oakfield Primary", got.Organisation)
	require.Len(t, got.Messages, 1)
	assert.Equal(t, "by web", got.Messages[0].Body)
	require.NotNil(t, got.Messages[0].Meta)

	both, err := s.svc.Rights.SubjectAccessRequest(ctx, alice, app.SubjectAccessQuery{Email: "parent@example.org", Phone: "+447700900123", Reason: "subject access request"})
	require.NoError(t, err)
	assert.Len(t, both.Interactions, 2)

	_, err = s.svc.Rights.SubjectAccessRequest(ctx, alice, app.SubjectAccessQuery{Reason: "subject access request"})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
	log := s.auditLog(t)
	require.Len(t, log, 2)
	assert.Equal(t, map[string]string{"by": "email", "found": "1"}, log[0].Details)
	raw, _ := json.Marshal(log)
	assert.NotContains(t, string(raw), "parent@example.org")
}

func TestAuditChainVerifies(t *testing.T) {
	s := newSchool(t)
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "x"})
	require.NoError(t, err)
	require.NoError(t, s.svc.Operations.SetHold(ctx, alice, rc.Ref, true, "r1"))
	require.NoError(t, s.svc.Operations.SetHold(ctx, alice, rc.Ref, false, "r2"))
	require.NoError(t, s.svc.Operations.Erase(ctx, alice, rc.Ref, "r3"))
	check, err := s.svc.Operations.VerifyAudit(ctx, nil)
	require.NoError(t, err)
	log, err := s.svc.Operations.AuditLog(ctx, 0, 0)
	require.NoError(t, err)
	assert.Equal(t, len(log), check.Checked)
	head, err := s.svc.Operations.AuditHead(ctx)
	require.NoError(t, err)
	assert.Equal(t, domain.HeadOf(log[len(log)-1]), head)
	_, err = s.svc.Operations.VerifyAudit(ctx, &head)
	assert.NoError(t, err, "the head names the newest entry")
	ahead := domain.AuditHead{Seq: head.Seq + 1, Hash: head.Hash}
	_, err = s.svc.Operations.VerifyAudit(ctx, &ahead)
	assert.ErrorIs(t, err, app.ErrAuditBroken, "a head beyond the log's end")
	other := domain.AuditHead{Seq: head.Seq - 1, Hash: head.Hash}
	_, err = s.svc.Operations.VerifyAudit(ctx, &other)
	assert.ErrorIs(t, err, app.ErrAuditBroken, "a head whose entry differs")
}
