package mail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail"
	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/domain"
)

func digestDelivery(lang domain.Language) *domain.Delivery {
	d := delivery(domain.DeliveryStaffDigest, "dsl@example.org", "https://whisper.example.org/staff/", "2026-12-07")
	d.Language = lang
	d.Body = domain.EncodeDigest([]domain.DigestLine{{
		Inbox: "Bullying", NewReports: 2, Replies: 1, Awaiting: 3,
		Refs: []domain.DigestRef{{Ref: "WSP-AAAA-1111", Link: "https://whisper.example.org/staff/interactions/WSP-AAAA-1111"}},
	}})
	return d
}

// A digest goes through the real SMTP server in the member's language,
// with counts, references and links, and nothing else.
func TestTheDigestInBothLanguages(t *testing.T) {
	srv := smtptest.Start(t, "whisper", "s3cret-password")
	m, err := mail.NewSMTP(mail.Config{
		From: "whisper@example.org", Host: srv.Host(), Port: srv.Port(), Username: "whisper", Password: "s3cret-password",
		TLS: "none", PublicURL: "https://whisper.example.org",
	})
	require.NoError(t, err)
	require.NoError(t, m.Send(context.Background(), digestDelivery(domain.English)))
	require.NoError(t, m.Send(context.Background(), digestDelivery(domain.Welsh)))
	got := srv.Messages()
	require.Len(t, got, 2)
	en, cy := got[0].Data, got[1].Data
	assert.Contains(t, en, "Subject: Your Whisper digest for 2026-12-07")
	assert.Contains(t, en, "Bullying: new reports 2, new replies 1, awaiting reply 3")
	assert.Contains(t, en, "WSP-AAAA-1111 https://whisper.example.org/staff/interactions/WSP-AAAA-1111")
	assert.Contains(t, cy, "Subject: Eich crynodeb Whisper ar gyfer 2026-12-07")
	assert.Contains(t, cy, "Bullying: adroddiadau newydd 2, atebion newydd 1, yn aros am ateb 3")
	assert.Contains(t, cy, "WSP-AAAA-1111")
	assert.NotContains(t, cy, "new reports")

	c, err := mail.Compose(digestDelivery(domain.English))
	require.NoError(t, err)
	assert.Contains(t, c.HTML, "WSP-AAAA-1111")
	_, err = mail.Compose(&domain.Delivery{Kind: domain.DeliveryStaffDigest, Channel: domain.DeliveryEmail, Body: "not json"})
	assert.Error(t, err, "a digest whose body cannot be read is not sent half written")
}

// A new-report alert queued by the version before the alert's words moved
// into its template held the whole English subject; after the upgrade it
// still reads as it did, once.
func TestANewReportAlertQueuedInTheOldShapeReadsRight(t *testing.T) {
	link := "https://whisper.example.org/staff/interactions/WSP-1"
	old := delivery(domain.DeliveryStaffNewReport, "dsl@example.org", link, "New report in General (Oakfield)")
	old.Count = 0 // the old version set no count
	c, err := mail.Compose(old)
	require.NoError(t, err)
	assert.Equal(t, "New report in General (Oakfield)", c.Subject)
	assert.Contains(t, c.Text, "A new report has arrived in Whisper: General (Oakfield).")
	assert.Equal(t, 1, strings.Count(c.Text+c.Subject, "New report in"))
	assert.Equal(t, "New report in General (Oakfield)", old.Subject, "the delivery itself is left as it was")

	current := delivery(domain.DeliveryStaffNewReport, "dsl@example.org", link, "General (Oakfield)")
	c, err = mail.Compose(current)
	require.NoError(t, err)
	assert.Equal(t, "New report in General (Oakfield)", c.Subject)
}

// So do the invitations, erasure warnings and subject access notices queued
// before their words moved into their templates: each reads as it did,
// with no sentence inside a sentence.
func TestNoticesQueuedInTheOldShapeReadRight(t *testing.T) {
	for _, c := range []struct {
		kind     domain.DeliveryKind
		old, now string
	}{
		{domain.DeliveryStaffInvite, "You have been invited to Whisper by Oakfield Primary", "You have been invited to Whisper by Oakfield Primary"},
		{domain.DeliveryErasureWarning, "3 Whisper reports of Oakfield Primary will be erased soon", "Oakfield Primary: 3 Whisper reports will be erased soon"},
		{domain.DeliverySubjectAccess, "A subject access request concerns Whisper reports of Oakfield Primary", "Oakfield Primary: a subject access request concerns Whisper reports"},
	} {
		old := delivery(c.kind, "head@oakfield.example", "https://whisper.example.org/staff/", c.old)
		old.Count = 0 // the old version set no count
		got, err := mail.Compose(old)
		require.NoError(t, err, c.kind)
		assert.Equal(t, c.now, got.Subject, c.kind)
		assert.Equal(t, c.old, old.Subject, "the delivery itself is left as it was")
	}
}
