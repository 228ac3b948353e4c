package app_test

import (
	"crypto/rand"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// school is an organisation with a form whose inbox notifies an address
// and has one assigned staff member.
type school struct {
	harness
	form  *domain.Form
	inbox *domain.Inbox
	staff *domain.Staff
}

func newSchool(t testing.TB) school {
	t.Helper()
	return newSchoolOn(t, newHarness(t))
}

// newSchoolOn is a school set up through h.
func newSchoolOn(t testing.TB, h harness) school {
	t.Helper()
	org := h.org(t)
	fc, err := h.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: "Oakfield Primary", Code: "OAK"})
	require.NoError(t, err)
	require.NoError(t, h.store.InTx(ctx, func(tx ports.Tx) error {
		fc.Inbox.Notify = []string{"dsl@oakfield.example", "alex@oakfield.example"}
		return tx.Inboxes().Update(ctx, fc.Inbox)
	}))
	sc, err := h.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: org.ID, Email: "alex@oakfield.example", FirstName: "Alex", InboxIDs: []domain.InboxID{fc.Inbox.ID}})
	require.NoError(t, err)
	return school{harness: h, form: fc.Form, inbox: fc.Inbox, staff: sc.Staff}
}

func (s school) deliveries(t *testing.T, ref domain.Reference) []*domain.Delivery {
	t.Helper()
	var out []*domain.Delivery
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, ref)
		if err != nil {
			return err
		}
		out, err = tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID})
		return err
	}))
	return out
}

const (
	secretBody = "Jamie in 8C pushed me down the stairs"
	secretName = "Robin Example"
	secretMail = "robin.example@example.org"
)

func TestReportQueuesNotificationsThatRevealNothing(t *testing.T) {
	s := newSchool(t)
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{
		FormCode: "oak", Name: secretName, Email: secretMail, Body: secretBody, IP: netip.MustParseAddr("203.0.113.5"),
	})
	require.NoError(t, err)

	all := s.deliveries(t, rc.Ref)
	var alerts []*domain.Delivery
	var links []*domain.Delivery
	for _, d := range all {
		switch d.Kind {
		case domain.DeliveryStaffNewReport:
			alerts = append(alerts, d)
		case domain.DeliveryReporterLink:
			links = append(links, d)
		default:
			t.Errorf("unexpected delivery %s", d.Kind)
		}
	}
	var to []string
	for _, a := range alerts {
		to = append(to, a.To)
		assert.Equal(t, "https://whisper.example.org/staff/interactions/"+string(rc.Ref), a.Link, "a link to the portal")
		for _, field := range []string{a.Subject, a.Link, a.To} {
			for _, secret := range []string{secretBody, "Jamie", secretName, secretMail, "203.0.113.5", string(rc.Token)} {
				assert.NotContains(t, field, secret, "a staff alert must not carry personal data")
			}
		}
		assert.Equal(t, domain.DeliveryEmail, a.Channel)
		assert.Equal(t, domain.DeliveryPending, a.Status)
	}
	assert.ElementsMatch(t, []string{"dsl@oakfield.example", "alex@oakfield.example"}, to,
		"the inbox's addresses and its staff, each once")

	require.Len(t, links, 1)
	assert.Equal(t, secretMail, links[0].To)
	assert.Equal(t, "https://whisper.example.org/t/"+string(rc.Token), links[0].Link, "the reporter's message carries their link")
	assert.NotContains(t, links[0].Subject, secretBody)
	assert.NotContains(t, links[0].Subject, secretName)
}

func TestReportWithoutEmailQueuesNoReporterMessage(t *testing.T) {
	s := newSchool(t)
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "hello"})
	require.NoError(t, err)
	for _, d := range s.deliveries(t, rc.Ref) {
		assert.NotEqual(t, domain.DeliveryReporterLink, d.Kind)
	}
}

func TestInvalidReportsListEveryProblemAndStoreNothing(t *testing.T) {
	s := newSchool(t)
	_, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{
		FormCode: "OAK", Body: " ", Email: "robin@", Name: strings.Repeat("x", 101),
	})
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))
	problems := domain.ProblemsOf(err)
	assert.NotEmpty(t, problems.Of(app.FieldMessage))
	assert.NotEmpty(t, problems.Of(app.FieldEmail))
	assert.NotEmpty(t, problems.Of(app.FieldName))
	for _, p := range problems {
		assert.NotContains(t, p.Safe.String(), "robin@", "errors never repeat what was typed")
	}
	var list []*domain.Interaction
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) (err error) {
		list, err = tx.Interactions().List(ctx, ports.InteractionFilter{})
		return err
	}))
	assert.Empty(t, list)

	_, err = s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "NOPE", Body: "hello"})
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
}

func TestReporterReplyReopensAndAlerts(t *testing.T) {
	s := newSchool(t)
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "first"})
	require.NoError(t, err)

	// Staff close it, and answer.
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, rc.Ref)
		if err != nil {
			return err
		}
		id, _ := domain.NewMessageID(rand.Reader)
		if err := tx.Messages().Add(ctx, &domain.Message{ID: id, InteractionID: ia.ID, Author: domain.AuthorStaff, StaffID: s.staff.ID,
			Body: "Thank you for telling us.", CreatedAt: s.clock.t.Add(time.Minute)}, domain.Meta{}); err != nil {
			return err
		}
		_, err = tx.Interactions().Change(ctx, ia.ID, func(ia *domain.Interaction) error {
			ia.Close(s.clock.t.Add(2 * time.Minute))
			return nil
		})
		return err
	}))

	s.clock.t = s.clock.t.Add(time.Hour)
	_, err = s.svc.Reporting.ReporterReply(ctx, app.ReporterReply{Token: string(rc.Token), Body: "It happened again"})
	require.NoError(t, err)

	c, err := s.svc.Reporting.Follow(ctx, string(rc.Token))
	require.NoError(t, err)
	assert.Equal(t, domain.StatusOpen, c.Status, "a reply reopens the conversation")
	require.Len(t, c.Messages, 3)
	assert.True(t, c.Messages[0].FromReporter)
	assert.False(t, c.Messages[1].FromReporter)
	assert.Equal(t, "Alex", c.Messages[1].StaffName, "staff appear by first name")
	assert.Equal(t, "It happened again", c.Messages[2].Body)

	replies := 0
	for _, d := range s.deliveries(t, rc.Ref) {
		if d.Kind == domain.DeliveryStaffReply {
			replies++
			assert.NotContains(t, d.Subject, "happened")
		}
	}
	assert.Equal(t, 2, replies, "both of the inbox's people hear of the reply")
}

func TestConversationMissesAreAlike(t *testing.T) {
	s := newSchool(t)
	for _, token := range []string{"", "short", strings.Repeat("A", 43), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		_, err := s.svc.Reporting.Follow(ctx, token)
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err), token)
		assert.Equal(t, "no such conversation", domain.SafeMessage(err))
		_, err = s.svc.Reporting.ReporterReply(ctx, app.ReporterReply{Token: token, Body: "hi"})
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err), token)
	}
}

func TestFormSnippet(t *testing.T) {
	s := newSchool(t)
	s.form.Name = `Oak & "Ash" <School>`
	snippet := s.svc.Links.FormSnippet(s.form)
	assert.Equal(t, `<a href="https://whisper.example.org/r/OAK" rel="noopener">Report a worry to Oak &amp; &#34;Ash&#34; &lt;School&gt; – you can stay anonymous</a>`, snippet)
}

func TestStaffRepliesAreCappedAlikeForEveryReport(t *testing.T) {
	s := newSchool(t)
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "hello"})
	require.NoError(t, err)
	var actor *app.Actor
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
		org, err := tx.Organisations().Get(ctx, s.form.OrgID)
		actor = &app.Actor{Staff: s.staff, Org: org, Viewer: domain.ViewerOf(s.staff)}
		return err
	}))
	_, err = s.svc.Portal.StaffReply(ctx, actor, string(rc.Ref), strings.Repeat("a", domain.MaxStaffReply+1), netip.Addr{})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err), "a web report has the texters' limit too")
	_, err = s.svc.Portal.StaffReply(ctx, actor, string(rc.Ref), strings.Repeat("a", domain.MaxStaffReply), netip.Addr{})
	require.NoError(t, err)
}

// A web report that is not stored answers with the form it was written to
// and the language its reporter reads, for the page that says why; only a
// report whose form cannot be read answers without. Refused reports give
// their places in the limits back, and the trap takes none.
func TestAReportNotStoredAnswersWithItsPage(t *testing.T) {
	s := newSchool(t)
	svc := app.New(app.Deps{Store: s.store, Clock: s.clock, Random: rand.Reader, Hasher: s.hasher,
		PublicURL: "https://whisper.example.org", Limits: app.Limits{ReportsPerIP: 1}})
	report := app.SubmitReport{FormCode: "oak", Body: "hello", IP: netip.MustParseAddr("198.51.100.7")}

	robot := report
	robot.Trap, robot.Language = "https://spam.example", domain.Welsh
	answer, err := svc.Reporting.SubmitReport(ctx, robot)
	assert.ErrorIs(t, err, app.ErrRobot)
	require.NotNil(t, answer.Form.Form)
	assert.Equal(t, s.form.ID, answer.Form.Form.ID)
	assert.Equal(t, domain.Welsh, answer.Language, "the language chosen")
	assert.False(t, answer.Limited)

	empty := report
	empty.Body = " "
	answer, err = svc.Reporting.SubmitReport(ctx, empty)
	assert.NotEmpty(t, domain.ProblemsOf(err).Of(app.FieldMessage))
	require.NotNil(t, answer.Form.Form)
	assert.Len(t, answer.Form.Inboxes, 1)
	assert.Equal(t, domain.English, answer.Language, "the form's, when none was chosen")
	assert.Empty(t, answer.Token)

	answer, err = svc.Reporting.SubmitReport(ctx, report)
	require.NoError(t, err, "neither the trap nor the problem kept the address's one place")
	assert.NotEmpty(t, answer.Token)
	assert.Equal(t, s.form.ID, answer.Form.Form.ID)

	answer, err = svc.Reporting.SubmitReport(ctx, report)
	assert.ErrorIs(t, err, app.ErrTooMany)
	assert.True(t, answer.Limited)
	require.NotNil(t, answer.Form.Form, "the refusal's page names the school")

	unknown := report
	unknown.FormCode = "NOPE"
	answer, err = svc.Reporting.SubmitReport(ctx, unknown)
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
	assert.True(t, answer.Limited, "counted, and held like any refusal")
	assert.Nil(t, answer.Form.Form)
}

// A refused reply answers with the conversation as it stands, for the
// page that shows the reply again; a stored one answers with nothing.
func TestARefusedReplyAnswersWithItsConversation(t *testing.T) {
	s := newSchool(t)
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: "first"})
	require.NoError(t, err)

	conv, err := s.svc.Reporting.ReporterReply(ctx, app.ReporterReply{Token: string(rc.Token), Body: " "})
	assert.NotEmpty(t, domain.ProblemsOf(err).Of(app.FieldMessage))
	assert.Equal(t, "Oakfield Primary", conv.FormName)
	require.Len(t, conv.Messages, 1, "nothing was stored")
	assert.Equal(t, "first", conv.Messages[0].Body)

	conv, err = s.svc.Reporting.ReporterReply(ctx, app.ReporterReply{Token: string(rc.Token), Body: "second"})
	require.NoError(t, err)
	assert.Empty(t, conv.Messages)
}
