package e2e

import (
	nethttp "net/http"
	"net/netip"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
)

// TestScreenshots writes full-page PNGs of the reporter form, a
// conversation, the staff list (with urgent, assigned and overdue
// reports) and a staff interaction view, at a phone's
// and a desktop's width, into $WHISPER_SCREENSHOTS. "go generate ./e2e"
// runs it to refresh docs/screenshots.
func TestScreenshots(t *testing.T) {
	if os.Getenv("WHISPER_SCREENSHOTS") == "" {
		t.Skip("set WHISPER_SCREENSHOTS to a directory to write screenshots (go generate ./e2e)")
	}
	s := newSite(t, siteOptions{linkURL: "https://whisper.example.org"})
	s.report(s.online, "", "Someone made a group chat about me and keeps adding people from our class.")
	s.report(s.general, "Aled", "I saw an older boy taking a younger boy's bag on the way home.")
	closed := s.report(s.general, "", "The lock on the girls' toilets is broken.")
	s.staffReply(staffEmail, closed.Ref, "Thank you. The caretaker has fixed it today.")
	require.NoError(t, s.svc.Portal.SetInteractionStatus(ctx, s.actor(staffEmail), string(closed.Ref), "closed"))
	conv := s.report(s.general, "", "Someone in Year 8 keeps taking my lunch money at break. It has happened every day this week and I am scared to tell anyone.")
	s.staffReply(staffEmail, conv.Ref, "Thank you for telling us. You did the right thing. Can you tell us where it happens, so that a teacher can be there at break tomorrow?")
	_, err := s.svc.Reporting.ReporterReply(ctx, app.ReporterReply{
		Token: string(conv.Token), Body: "By the benches near the sports hall.", IP: netip.MustParseAddr("192.0.2.10"),
	})
	require.NoError(t, err)
	// Triage: an urgent report, an assigned one and one whose reporter
	// has waited past the response target.
	triageStates(t, s)

	for _, w := range []struct {
		width int
		name  string
	}{{phone, "phone"}, {desktop, "desktop"}} {
		reporter := s.newTab(t, w.width)
		require.Equal(t, nethttp.StatusOK, reporter.open("/r/OAK?lang=en"))
		reporter.screenshot("reporter-form-" + w.name)
		require.Equal(t, nethttp.StatusOK, reporter.open("/t/"+string(conv.Token)))
		reporter.screenshot("conversation-" + w.name)

		staff := s.newTab(t, w.width)
		signIn(t, staff, adminEmail)
		staff.screenshot("staff-list-" + w.name)
		require.Equal(t, nethttp.StatusOK, staff.open("/staff/interactions/"+string(conv.Ref)))
		staff.screenshot("staff-interaction-" + w.name)
	}
}
