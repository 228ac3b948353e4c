package mail_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail"
	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/domain"
)

func TestReporterEmailsInWelsh(t *testing.T) {
	link := "https://whisper.example.org/t/abc"
	d := delivery(domain.DeliveryReporterLink, "kim@example.org", link, "Your Whisper conversation link")
	d.Language = domain.Welsh
	c, err := mail.Compose(d)
	require.NoError(t, err)
	assert.Equal(t, "Dolen eich sgwrs Whisper", c.Subject)
	assert.Contains(t, c.Text, "Diolch am eich adroddiad.")
	assert.Contains(t, c.Text, "Cadwch y ddolen hon yn breifat")
	assert.Contains(t, c.Text, "Os yw rhywun mewn perygl nawr, ffoniwch 999.")
	assert.Contains(t, c.Text, link)
	assert.NotContains(t, c.Text, "Thank you")
	assert.Contains(t, c.HTML, `<html lang="cy">`)
	assert.Contains(t, c.HTML, `href="`+link+`"`)

	d = delivery(domain.DeliveryReporterReply, "kim@example.org", "", "There is a reply in your Whisper conversation")
	d.Language = domain.Welsh
	c, err = mail.Compose(d)
	require.NoError(t, err)
	assert.Equal(t, "Mae'r ysgol wedi ateb eich adroddiad", c.Subject)
	assert.Contains(t, c.Text, "I ddarllen yr ateb, agorwch ddolen eich sgwrs")
	assert.Contains(t, c.Text, "dydyn ni byth yn anfon atebion drwy e-bost")
	assert.NotContains(t, c.Text, "http", "no link: only the reporter has it")
}

func TestReporterEmailsInEnglish(t *testing.T) {
	for _, lang := range []domain.Language{domain.English, "", "fr"} {
		d := delivery(domain.DeliveryReporterLink, "kim@example.org", "https://whisper.example.org/t/abc", "")
		d.Language = lang
		c, err := mail.Compose(d)
		require.NoError(t, err)
		assert.Equal(t, "Your Whisper conversation link", c.Subject, lang)
		assert.Equal(t, "Thank you for your report. It has been sent to the school.\n\n"+
			"This is the link to your conversation. Open it to read replies and to write back:\nhttps://whisper.example.org/t/abc\n\n"+
			"Keep this link private: anyone who has it can read your conversation. The school does not see your email address.\n\n"+
			"If you lose this link, you can ask for a new one at https://whisper.example.org/link with this email address. The old link then stops working.\n\n"+
			"If someone is in danger right now, call 999. To talk to someone, call Childline free on 0800 1111.\n", c.Text, lang)
		assert.Contains(t, c.HTML, `<html lang="en">`, lang)
	}
}

// A member who chose Welsh gets their alerts and password links in Welsh,
// sent through a real SMTP server; a colleague who did not, in English.
func TestStaffEmailsInTheMembersLanguage(t *testing.T) {
	srv := smtptest.Start(t, "whisper", "s3cret-password")
	m, err := mail.NewSMTP(mail.Config{
		From: "whisper@example.org", Host: srv.Host(), Port: srv.Port(), Username: "whisper", Password: "s3cret-password",
		TLS: "none", PublicURL: "https://whisper.example.org",
	})
	require.NoError(t, err)
	link := "https://whisper.example.org/staff/interactions/WSP-1"
	cy := delivery(domain.DeliveryStaffNewReport, "dsl@example.org", link, "General (Oakfield)")
	cy.Language = domain.Welsh
	require.NoError(t, m.Send(context.Background(), cy))
	en := delivery(domain.DeliveryStaffNewReport, "head@example.org", link, "General (Oakfield)")
	require.NoError(t, m.Send(context.Background(), en))
	got := srv.Messages()
	require.Len(t, got, 2)
	assert.Contains(t, got[0].Data, "Subject: Adroddiad newydd yn General (Oakfield)")
	assert.Contains(t, got[0].Data, "Mae adroddiad newydd wedi cyrraedd Whisper: General (Oakfield).")
	assert.Contains(t, got[0].Data, `<html lang=3D"cy">`)
	assert.NotContains(t, got[0].Data, "A new report has arrived")
	assert.Contains(t, got[1].Data, "Subject: New report in General (Oakfield)")
	assert.Contains(t, got[1].Data, "A new report has arrived in Whisper: General (Oakfield).")

	reply := delivery(domain.DeliveryStaffReply, "dsl@example.org", link, "General (Oakfield)")
	reply.Language, reply.Count = domain.Welsh, 3
	c, err := mail.Compose(reply)
	require.NoError(t, err)
	assert.Equal(t, "3 ateb newydd yn General (Oakfield)", c.Subject)
	assert.Contains(t, c.Text, "Mae gohebydd wedi anfon 3 ateb newydd yn Whisper")

	reset := delivery(domain.DeliveryStaffPasswordReset, "dsl@example.org", "https://whisper.example.org/staff/set-password/x", "Oakfield Primary")
	reset.Language = domain.Welsh
	c, err = mail.Compose(reset)
	require.NoError(t, err)
	assert.Equal(t, "Dewiswch gyfrinair Whisper newydd", c.Subject)
	assert.Contains(t, c.Text, "Gofynnodd rhywun am ddolen i ddewis cyfrinair newydd ar gyfer eich cyfrif Whisper yn Oakfield Primary.")
}

// The email with a fresh link says the old one stopped working, and, like
// the first, where to ask again, on the page in the email's language.
func TestFreshLinkEmail(t *testing.T) {
	link := "https://whisper.example.org/t/abc"
	d := delivery(domain.DeliveryReporterFreshLink, "kim@example.org", link, "Your new Whisper conversation link")
	c, err := mail.Compose(d)
	require.NoError(t, err)
	assert.Equal(t, "Your new Whisper conversation link", c.Subject)
	assert.Contains(t, c.Text, "Your old link no longer works.")
	assert.Contains(t, c.Text, "ask for a new one at https://whisper.example.org/link with this email address")
	assert.Contains(t, c.HTML, `href="`+link+`"`)

	d.Language = domain.Welsh
	c, err = mail.Compose(d)
	require.NoError(t, err)
	assert.Equal(t, "Dolen newydd i'ch sgwrs Whisper", c.Subject)
	assert.Contains(t, c.Text, "Dydy eich hen ddolen ddim yn gweithio mwyach.")
	assert.Contains(t, c.Text, "https://whisper.example.org/link?lang=cy")
	assert.NotContains(t, c.Text, "Your old link")
}
