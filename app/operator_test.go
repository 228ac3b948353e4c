package app_test

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
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
	troll := netip.MustParseAddr("198.51.100.66")
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "abuse", Email: "troll@example.org", IP: troll})
	require.NoError(t, err)
	_, err = s.svc.Operations.Block(ctx, alice, app.Blocking{Ref: rc.Ref})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err), "a reason is required")

	made, err := s.svc.Operations.Block(ctx, alice, app.Blocking{Ref: rc.Ref, Reason: "repeated abuse", Days: 30, IP: true})
	require.NoError(t, err)
	assert.Len(t, made, 2, "the email and the address")
	_, err = s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "again", IP: troll})
	assert.ErrorIs(t, err, app.ErrRefused)

	lifted, err := s.svc.Operations.Unblock(ctx, alice, rc.Ref, "appeal upheld")
	require.NoError(t, err)
	assert.Equal(t, 2, lifted)
	_, err = s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "again", IP: troll})
	assert.NoError(t, err)
	actions := []string{}
	for _, e := range s.auditLog(t) {
		actions = append(actions, e.Action)
	}
	assert.Equal(t, []string{domain.AuditBlock, domain.AuditUnblock}, actions)
}

// A block stops the person — their email address or phone number — and
// leaves the school's shared IP address alone unless the operator asks;
// then that part ends after domain.IPBlockDays, or after --days.
func TestBlocksHitThePersonNotTheSchool(t *testing.T) {
	for name, open := range map[string]func(testing.TB) ports.Store{
		"SQLite":     func(t testing.TB) ports.Store { return storetest.OpenSQLite(t) },
		"PostgreSQL": func(t testing.TB) ports.Store { return storetest.OpenPostgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			s := newSchoolOn(t, newHarnessOn(t, open(t)))
			school := netip.MustParseAddr("198.51.100.66")
			report := func(email string, ip netip.Addr) error {
				_, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "Someone is hurting me.", Email: email, IP: ip})
				return err
			}
			rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "abuse", Email: "troll@example.org", IP: school})
			require.NoError(t, err)
			blockedAt := s.clock.t

			made, err := s.svc.Operations.Block(ctx, alice, app.Blocking{Ref: rc.Ref, Reason: "repeated abuse"})
			require.NoError(t, err)
			require.Len(t, made, 1)
			assert.Equal(t, domain.BlockEmail, made[0].Kind)
			assert.Nil(t, made[0].ExpiresAt, "a person is blocked until lifted")
			assert.Empty(t, made[0].Value, "the value is not handed back")
			assert.NoError(t, report("", school), "another pupil behind the school's address")
			assert.ErrorIs(t, report("Troll@Example.org", netip.MustParseAddr("203.0.113.7")), app.ErrRefused, "the same email anywhere")

			assert.Equal(t, app.TextOpened, s.text(t, "u1", "OAK picked on"))
			var texted domain.Reference
			for _, ia := range s.smsInteractions(t) {
				if ia.Channel == domain.ChannelSMS {
					texted = ia.Ref
				}
			}
			made, err = s.svc.Operations.Block(ctx, alice, app.Blocking{Ref: texted, Reason: "abusive texts", IP: true})
			require.NoError(t, err)
			require.Len(t, made, 1, "a texter has a phone number and no IP address")
			assert.Equal(t, domain.BlockPhone, made[0].Kind)
			assert.Equal(t, app.TextDropped, s.text(t, "u2", "OAK again"))

			made, err = s.svc.Operations.Block(ctx, alice, app.Blocking{Ref: rc.Ref, Reason: "reports from every address", IP: true})
			require.NoError(t, err)
			require.Len(t, made, 2)
			assert.Equal(t, domain.BlockIP, made[1].Kind)
			require.NotNil(t, made[1].ExpiresAt)
			assert.WithinDuration(t, blockedAt.AddDate(0, 0, domain.IPBlockDays), *made[1].ExpiresAt, time.Millisecond, "an IP block ends by itself")
			assert.Nil(t, made[0].ExpiresAt)
			assert.ErrorIs(t, report("", school), app.ErrRefused, "now the whole school's address is blocked")

			kinds := func() (out []string) {
				in, err := s.svc.Operations.InForce(ctx, time.Time{})
				require.NoError(t, err)
				for _, b := range in.Blocks {
					assert.Empty(t, b.Value)
					out = append(out, string(b.Ref)+" "+string(b.Kind))
				}
				return out
			}
			email, phone, ip := string(rc.Ref)+" email", string(texted)+" phone", string(rc.Ref)+" ip"
			assert.ElementsMatch(t, []string{email, phone, email, ip}, kinds())

			s.clock.t = blockedAt.AddDate(0, 0, domain.IPBlockDays).Add(time.Minute)
			assert.NoError(t, report("", school), "the IP block has ended")
			assert.ErrorIs(t, report("troll@example.org", school), app.ErrRefused, "the email block has not")
			assert.ElementsMatch(t, []string{email, phone, email}, kinds())

			made, err = s.svc.Operations.Block(ctx, alice, app.Blocking{Ref: rc.Ref, Reason: "a month off", IP: true, Days: 30})
			require.NoError(t, err)
			for _, b := range made {
				require.NotNil(t, b.ExpiresAt)
				assert.WithinDuration(t, s.clock.t.AddDate(0, 0, 30), *b.ExpiresAt, time.Millisecond, "--days bounds every part, IP included")
			}
			lifted, err := s.svc.Operations.Unblock(ctx, alice, rc.Ref, "appeal upheld")
			require.NoError(t, err)
			assert.Equal(t, 5, lifted, "every block on the email and the address, ended or not")
			assert.Equal(t, []string{phone}, kinds())
			assert.NoError(t, report("troll@example.org", school))
		})
	}
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
