package app_test

import (
	"crypto/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/adapters/swearing"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// The reporter's link email is in the language of the page they wrote on,
// else the form's.
func TestTheLinkEmailIsInTheReportersLanguage(t *testing.T) {
	s := newSchool(t)
	for _, c := range []struct {
		page, want domain.Language
	}{{domain.Welsh, domain.Welsh}, {domain.English, domain.English}, {"", domain.English}} {
		rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Email: "kim@example.org", Body: "Help", Language: c.page})
		require.NoError(t, err)
		var langs []domain.Language
		for _, d := range s.deliveries(t, rc.Ref) {
			if d.Kind == domain.DeliveryReporterLink {
				langs = append(langs, d.Language)
			}
		}
		assert.Equal(t, []domain.Language{c.want}, langs, "page %q", c.page)
	}

	conv, err := s.svc.Reporting.Follow(ctx, "not a token")
	assert.Error(t, err)
	assert.Empty(t, conv.Language)
}

// Texts back to a texter are in the form's language: the link, the
// closed-form text and the swear-word filter's words.
func TestTextsBackAreInTheFormsLanguage(t *testing.T) {
	s := newSchool(t)
	s.svc = app.New(app.Deps{Store: s.store, Clock: s.clock, Random: rand.Reader, Hasher: s.hasher, Swearing: swearing.New(), PublicURL: "https://whisper.example.org/"})
	s.form.Language, s.form.SwearPolicy = domain.Welsh, domain.SwearBlock
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.form) }))

	s.text(t, "u1", "OAK you are shit")
	s.text(t, "u2", "OAK help")
	s.form.Open = false
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.form) }))
	s.text(t, "u3", "OAK help again")

	kinds := map[domain.DeliveryKind]domain.Language{}
	for _, d := range s.texts(t) {
		kinds[d.Kind] = d.Language
	}
	assert.Equal(t, map[domain.DeliveryKind]domain.Language{
		domain.DeliveryReporterSMS:  domain.Welsh, // the swear-word filter's words
		domain.DeliveryReporterLink: domain.Welsh,
		domain.DeliverySMSClosed:    domain.Welsh,
	}, kinds)
}
