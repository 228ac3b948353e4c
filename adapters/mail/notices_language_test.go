package mail_test

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail"
	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/domain"
)

// Every email to staff, admins and contacts is written in its delivery's
// language, subject included, and names days in that language: sent
// through a real SMTP server and read back as a mail client would.
func TestStaffNoticesInEachLanguage(t *testing.T) {
	srv := smtptest.Start(t, "whisper", "s3cret-password")
	m, err := mail.NewSMTP(mail.Config{
		From: "whisper@example.org", Host: srv.Host(), Port: srv.Port(), Username: "whisper", Password: "s3cret-password",
		TLS: "none", PublicURL: "https://whisper.example.org",
	})
	require.NoError(t, err)
	portal := "https://whisper.example.org/staff/"
	type want struct{ subject, text, not string }
	for _, tc := range []struct {
		name   string
		d      *domain.Delivery
		en, cy want
	}{{
		name: "invitation",
		d:    delivery(domain.DeliveryStaffInvite, "nia@example.org", "https://whisper.example.org/staff/set-password/x", "Oakfield Primary"),
		en: want{"You have been invited to Whisper by Oakfield Primary",
			"You have been given an account on Whisper, the reporting service your school uses: Oakfield Primary.", ""},
		cy: want{"Oakfield Primary: gwahoddiad i Whisper",
			"Mae gennych chi gyfrif ar Whisper, y gwasanaeth adrodd y mae eich ysgol yn ei ddefnyddio: Oakfield Primary.", "invited"},
	}, {
		name: "invitation to an address that signs in elsewhere",
		d:    delivery(domain.DeliveryStaffInvite, "nia@example.org", "", "Oakfield Primary"),
		en:   want{"You have been invited to Whisper by Oakfield Primary", "This address already has a Whisper account with another organisation", ""},
		cy:   want{"Oakfield Primary: gwahoddiad i Whisper", "Mae gan y cyfeiriad hwn gyfrif Whisper gyda sefydliad arall yn barod", "This address"},
	}, {
		name: "erasure warning",
		d: func() *domain.Delivery {
			d := delivery(domain.DeliveryErasureWarning, "head@example.org", portal, "Oakfield Primary")
			d.Body, d.Count = "WSP-AAAA-BBBB 2026-07-11\nWSP-CCCC-DDDD 2026-12-01", 2
			return d
		}(),
		en: want{"Oakfield Primary: 2 Whisper reports will be erased soon",
			"WSP-AAAA-BBBB (erased from 11 July 2026)\nWSP-CCCC-DDDD (erased from 1 December 2026)", ""},
		cy: want{"Oakfield Primary: bydd 2 adroddiad Whisper yn cael eu dileu cyn bo hir",
			"WSP-AAAA-BBBB (i'w ddileu o 11 Gorffennaf 2026 ymlaen)\nWSP-CCCC-DDDD (i'w ddileu o 1 Rhagfyr 2026 ymlaen)", "July"},
	}, {
		name: "subject access",
		d: func() *domain.Delivery {
			d := delivery(domain.DeliverySubjectAccess, "head@example.org", portal, "Oakfield Primary")
			d.Body = "WSP-AAAA-BBBB"
			return d
		}(),
		en: want{"Oakfield Primary: a subject access request concerns Whisper reports", "It concerns these reports of your organisation:\n\nWSP-AAAA-BBBB", ""},
		cy: want{"Oakfield Primary: mae cais gwrthrych am wybodaeth yn ymwneud ag adroddiadau Whisper",
			"Mae'n ymwneud â'r adroddiadau hyn gan eich sefydliad:\n\nWSP-AAAA-BBBB", "subject access"},
	}, {
		name: "trial reminder",
		d: func() *domain.Delivery {
			d := delivery(domain.DeliveryTrialReminder, "head@example.org", portal, "Oakfield Primary")
			d.Body = "2026-10-08"
			return d
		}(),
		en: want{"The Whisper trial of Oakfield Primary ends on 8 October 2026", "ends at the end of 8 October 2026.", ""},
		cy: want{"Mae treial Whisper Oakfield Primary yn dod i ben ar 8 Hydref 2026", "yn dod i ben ar ddiwedd 8 Hydref 2026.", "October"},
	}, {
		name: "mail refused",
		d: func() *domain.Delivery {
			d := delivery(domain.DeliveryMailRefused, "head@example.org", portal, "Oakfield Primary")
			d.Body = "dsl@oakfield.example\n550 5.7.1 <redacted>: Relaying denied"
			return d
		}(),
		en: want{"Oakfield Primary: a Whisper email to your staff was refused", "The address, and what the server answered:\n\ndsl@oakfield.example\n550 5.7.1 <redacted>: Relaying denied", ""},
		cy: want{"Oakfield Primary: gwrthodwyd e-bost Whisper at eich staff",
			"Y cyfeiriad, a'r hyn a atebodd y gweinydd:\n\ndsl@oakfield.example\n550 5.7.1 <redacted>: Relaying denied", "Please check"},
	}, {
		name: "operator notice",
		d: func() *domain.Delivery {
			d := delivery(domain.DeliveryOperatorNotice, "head@example.org", "", "Planned maintenance")
			d.Body = "Whisper will be down for an hour."
			return d
		}(),
		en: want{"Planned maintenance", "You receive this notice from the operator of Whisper", ""},
		cy: want{"Planned maintenance", "Rydych chi'n cael yr hysbysiad hwn gan weithredwr Whisper", "You receive"},
	}} {
		for _, lang := range []domain.Language{domain.English, domain.Welsh} {
			w := tc.en
			if lang == domain.Welsh {
				w = tc.cy
			}
			d := *tc.d
			d.Language = lang
			before := len(srv.Messages())
			require.NoError(t, m.Send(context.Background(), &d), tc.name)
			got := srv.Messages()
			require.Len(t, got, before+1, tc.name)
			subject, text, htmlLang := readBack(t, got[before].Data)
			assert.Equal(t, w.subject, subject, "%s in %s", tc.name, lang)
			assert.Contains(t, text, w.text, "%s in %s", tc.name, lang)
			assert.Equal(t, string(lang), htmlLang, "%s in %s", tc.name, lang)
			if w.not != "" {
				assert.NotContains(t, text, w.not, "%s in %s: no English left", tc.name, lang)
			}
		}
	}
}

// An erasure warning or trial reminder queued before days were written
// as calendar days still reads as it was written.
func TestStaffNoticesQueuedBeforeCalendarDaysStillRead(t *testing.T) {
	d := delivery(domain.DeliveryErasureWarning, "head@example.org", "https://whisper.example.org/staff/", "Oakfield Primary")
	d.Body, d.Language = "WSP-AAAA-BBBB (erased from 11 July 2026)", domain.Welsh
	c, err := mail.Compose(d)
	require.NoError(t, err)
	assert.Contains(t, c.Text, "WSP-AAAA-BBBB (erased from 11 July 2026)\n")
	assert.Equal(t, "Oakfield Primary: bydd 1 adroddiad Whisper yn cael eu dileu cyn bo hir", c.Subject, "an uncounted warning counts one")

	d = delivery(domain.DeliveryTrialReminder, "head@example.org", "https://whisper.example.org/staff/", "Oakfield Primary")
	d.Body = "8 October 2026"
	c, err = mail.Compose(d)
	require.NoError(t, err)
	assert.Equal(t, "The Whisper trial of Oakfield Primary ends on 8 October 2026", c.Subject)
}

// readBack reads a message as a mail client would: its subject, its
// plain-text part and the language its HTML part declares.
func readBack(t *testing.T, data string) (subject, text, htmlLang string) {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(data))
	require.NoError(t, err)
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		var r io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			r = quotedprintable.NewReader(part)
		}
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		body := strings.ReplaceAll(string(b), "\r\n", "\n")
		switch ct := part.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			text = body
		case strings.HasPrefix(ct, "text/html"):
			if _, after, ok := strings.Cut(body, `<html lang="`); ok {
				htmlLang, _, _ = strings.Cut(after, `"`)
			}
		}
	}
	return subject, text, htmlLang
}
