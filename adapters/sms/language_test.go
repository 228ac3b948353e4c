package sms

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/catalogue/cataloguetest"
	"github.com/whisper-schools/whisper/domain"
)

// TestReporterTextsAreAllInWelsh fails when a text to a reporter asks the
// catalogue for a message that has no Welsh.
func TestReporterTextsAreAllInWelsh(t *testing.T) {
	cataloguetest.RequireWelsh(t, "compose.go", append(cataloguetest.GoKeys(t, "compose.go"), helpKey))
}

func TestTextsInWelsh(t *testing.T) {
	link := "https://whisper.example.org/t/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd"
	text, err := Compose(&domain.Delivery{Kind: domain.DeliveryReporterLink, Channel: domain.DeliverySMS, Link: link, Language: domain.Welsh})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(text, "Diolch, mae eich adroddiad wedi mynd at yr ysgol."), text)
	assert.True(t, strings.HasSuffix(text, link))
	assert.Contains(t, text, "tecstiwch DOLEN am un newydd")

	fresh, err := Compose(&domain.Delivery{Kind: domain.DeliveryReporterFreshLink, Channel: domain.DeliverySMS, Link: link, Language: domain.Welsh})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(fresh, "Dyma ddolen newydd i'ch sgwrs."), fresh)
	assert.True(t, strings.HasSuffix(fresh, link))

	closed, err := Compose(&domain.Delivery{Kind: domain.DeliverySMSClosed, Channel: domain.DeliverySMS, Subject: "Ysgol y Bryn", Language: domain.Welsh})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(closed, "Dydy Ysgol y Bryn ddim yn derbyn adroddiadau"), closed)
	assert.Contains(t, closed, "0800 1111")

	// The swear-word filter's words are the app's, in English; they go out
	// in the delivery's language. A staff reply is never touched.
	swear := "Our filter stopped some words in your message. Please send it again without them – you can still tell us what happened, for example “they called me a rude name”."
	_, ok := app.TextedBack(swear)
	require.True(t, ok)
	cy, err := Compose(&domain.Delivery{Kind: domain.DeliveryReporterSMS, Channel: domain.DeliverySMS, Body: swear, Language: domain.Welsh})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(cy, "Mae ein hidlydd wedi atal rhai geiriau"), cy)
	en, err := Compose(&domain.Delivery{Kind: domain.DeliveryReporterSMS, Channel: domain.DeliverySMS, Body: swear, Language: domain.English})
	require.NoError(t, err)
	assert.Equal(t, swear, en)
	reply, err := Compose(&domain.Delivery{Kind: domain.DeliveryReporterSMS, Channel: domain.DeliverySMS, Body: "Send report", Language: domain.Welsh})
	require.NoError(t, err)
	assert.Equal(t, "Send report", reply)
}

// A staff reply starts with its writer's first name, in the form's
// language; the reply itself is never touched, nor cut to make room.
func TestStaffRepliesStartWithTheirFirstName(t *testing.T) {
	reply := func(lang domain.Language, body string) string {
		t.Helper()
		text, err := Compose(&domain.Delivery{Kind: domain.DeliveryReporterSMS, Channel: domain.DeliverySMS,
			StaffName: "Sam", Body: body, Language: lang})
		require.NoError(t, err)
		return text
	}
	assert.Equal(t, "Sam (school staff): Send report", reply(domain.English, "Send report"))
	assert.Equal(t, "Sam (staff yr ysgol): Send report", reply(domain.Welsh, "Send report"))
	longest := strings.Repeat("a", domain.MaxStaffReply)
	assert.Equal(t, longest, reply(domain.English, longest), "the whole reply, without the name")
	nearly := strings.Repeat("a", MaxLength-len("Sam (school staff): "))
	assert.Equal(t, "Sam (school staff): "+nearly, reply(domain.English, nearly), "the name fits")
}

// Welsh texts keep to GSM-7 (no circumflexes), so they cost what the
// English ones do.
func TestWelshTextsStayGSM7(t *testing.T) {
	link := "https://whisper.example.org/t/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd"
	for _, d := range []*domain.Delivery{
		{Kind: domain.DeliveryReporterLink, Link: link},
		{Kind: domain.DeliverySMSClosed, Subject: "Ysgol y Bryn"},
		{Kind: domain.DeliverySMSHelp},
		{Kind: domain.DeliverySMSReplyLimit},
		{Kind: domain.DeliveryReporterSMS, StaffName: "Sam", Body: "We will help."},
	} {
		for _, lang := range []domain.Language{domain.English, domain.Welsh} {
			d.Channel, d.Language = domain.DeliverySMS, lang
			text, err := Compose(d)
			require.NoError(t, err)
			enc, n := Segments(text)
			assert.Equal(t, GSM7, enc, "%s %s: %s", d.Kind, lang, text)
			assert.LessOrEqual(t, n, 2, "%s %s", d.Kind, lang)
		}
	}
}

// The help text goes to a number that named no form, so it speaks both
// languages, one line each, in at most two segments (306 GSM-7 characters).
func TestHelpIsBilingual(t *testing.T) {
	for _, lang := range []domain.Language{domain.English, domain.Welsh, ""} {
		help, err := Compose(&domain.Delivery{Kind: domain.DeliverySMSHelp, Channel: domain.DeliverySMS, Language: lang})
		require.NoError(t, err)
		lines := strings.Split(help, "\n")
		require.Len(t, lines, 2)
		assert.True(t, strings.HasPrefix(lines[0], "To report a worry"))
		assert.True(t, strings.HasPrefix(lines[1], "I roi gwybod am bryder"))
		enc, n := Segments(help)
		assert.Equal(t, GSM7, enc)
		assert.Equal(t, 2, n)
		assert.LessOrEqual(t, len([]rune(help)), 306)
	}
}
