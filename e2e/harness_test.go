package e2e

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	nethttp "net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	httpadapter "github.com/whisper-schools/whisper/adapters/http"
	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/adapters/swearing"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var ctx = context.Background()

// The seeded accounts. Every test site has the same people.
const (
	adminEmail    = "head@oakfield.example"
	staffEmail    = "dsl@oakfield.example"
	staffPassword = "correct horse battery staple"
)

// clock runs from a fixed morning at real speed, so that pages and
// screenshots show the same dates on every run while sessions, throttles
// and message order still see time pass.
type clock struct{ start time.Time }

func (c clock) Now() time.Time {
	return time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC).Add(time.Since(c.start))
}

// site is whisperd's web edge, the production handler over the real app and
// an embedded store, served on 127.0.0.1, with one organisation (Oakfield
// Primary), its open form OAK with two inboxes, a closed form SHUT, an admin
// (Hana) and a staff member (Dev) assigned to OAK's General inbox.
type site struct {
	t   testing.TB
	URL string
	svc *app.App
	st  ports.Store

	org           *domain.Organisation
	form, closed  *domain.Form
	general       *domain.Inbox
	online        *domain.Inbox
	admin, member *domain.Staff
}

type siteOptions struct {
	// reportsPerIP caps new reports an hour from one address; 0 is no cap.
	reportsPerIP int
	// linkURL, when set, is the base of the links the app hands out (a
	// conversation's link, a form's address) instead of the test server's,
	// for screenshots that show a real-looking address.
	linkURL string
	// repliesPerConversation caps a reporter's replies an hour; 0 is no cap.
	repliesPerConversation int
	// exitURL is where the quick exit leads; "" is the default.
	exitURL string
}

func newSite(t testing.TB, opt siteOptions) *site {
	t.Helper()
	st := storetest.OpenSQLite(t)
	// The public URL is the test server's own, over plain HTTP, so the
	// session cookie is not Secure and the browser keeps it.
	srv := httptest.NewUnstartedServer(nil)
	publicURL := "http://" + srv.Listener.Addr().String()
	clk := clock{start: time.Now()}
	linkURL := publicURL
	if opt.linkURL != "" {
		linkURL = opt.linkURL
	}
	svc := app.New(app.Deps{
		Store: st, Clock: clk, Random: rand.Reader, Hasher: passhash.New(passhash.TestParams(), 1),
		Swearing: swearing.New(), PublicURL: linkURL, Limits: app.Limits{ReportsPerIP: opt.reportsPerIP, RepliesPerConversation: opt.repliesPerConversation},
	})
	h, err := httpadapter.New(httpadapter.Config{
		PublicURL: publicURL, Now: clk.Now, ExitURL: opt.exitURL,
	}, svc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)

	s := &site{t: t, URL: srv.URL, svc: svc, st: st}
	s.org, err = svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Oakfield Primary"})
	require.NoError(t, err)
	fc, err := svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: s.org.ID, Name: "Oakfield Primary", Code: "OAK"})
	require.NoError(t, err)
	s.form, s.general = fc.Form, fc.Inbox
	s.online, err = svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: s.form.ID, Name: "Online worries"})
	require.NoError(t, err)

	fc, err = svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: s.org.ID, Name: "Oakfield Nursery", Code: "SHUT"})
	require.NoError(t, err)
	s.closed = fc.Form
	s.closed.Open, s.closed.OutOfHours = false, "We are closed for the holidays until 4 January."
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.closed) }))

	s.admin = s.person(adminEmail, "Hana", domain.RoleAdmin)
	s.member = s.person(staffEmail, "Dev", domain.RoleStaff, s.general.ID)
	return s
}

func (s *site) person(email, first string, role domain.Role, inboxes ...domain.InboxID) *domain.Staff {
	s.t.Helper()
	out, err := s.svc.Operations.CreateStaff(ctx, app.CreateStaff{
		OrgID: s.org.ID, Email: email, FirstName: first, LastName: "Tester", Role: role,
		InboxIDs: inboxes, Password: staffPassword,
	})
	require.NoError(s.t, err)
	return out.Staff
}

// report files a report through the app, as a reporter on another device
// would, and returns its reference and conversation link.
func (s *site) report(inbox *domain.Inbox, name, body string) app.Receipt {
	s.t.Helper()
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{
		FormCode: "OAK", InboxID: string(inbox.ID), Name: name, Body: body,
		IP: netip.MustParseAddr("192.0.2.10"),
	})
	require.NoError(s.t, err)
	return rc.Receipt
}

// actor signs email in through the app, for seeding staff replies.
func (s *site) actor(email string) *app.Actor {
	s.t.Helper()
	signedIn, err := s.svc.Portal.SignIn(ctx, app.SignIn{Email: email, Password: staffPassword, IP: netip.MustParseAddr("192.0.2.20")})
	require.NoError(s.t, err)
	a, err := s.svc.Portal.Authenticate(ctx, string(signedIn.Token))
	require.NoError(s.t, err)
	return a
}

// staffReply answers a report as the staff member with email.
func (s *site) staffReply(email string, ref domain.Reference, body string) {
	s.t.Helper()
	_, err := s.svc.Portal.StaffReply(ctx, s.actor(email), string(ref), body, netip.MustParseAddr("192.0.2.20"))
	require.NoError(s.t, err)
}

// get fetches path with a plain HTTP client, for byte counts and headers.
func (s *site) get(path string) (int, []byte) {
	s.t.Helper()
	resp, err := nethttp.Get(s.URL + path)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	return resp.StatusCode, body
}

// Browser and axe-core: found once per test binary.

// requireBrowser is set in CI: a missing browser or axe-core fails the
// tests instead of skipping them.
func requireBrowser() bool { return os.Getenv("WHISPER_REQUIRE_BROWSER") == "1" }

// unavailable skips t, or fails it when the browser is required.
func unavailable(t testing.TB, reason string) {
	t.Helper()
	if requireBrowser() {
		t.Fatalf("%s (WHISPER_REQUIRE_BROWSER=1)", reason)
	}
	t.Skip(reason + "; set WHISPER_REQUIRE_BROWSER=1 to make this a failure")
}

// findBrowser returns the chromium to drive: $WHISPER_BROWSER, else
// Debian's /usr/bin/chromium, else chromium on PATH.
func findBrowser() (string, error) {
	if p := os.Getenv("WHISPER_BROWSER"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("WHISPER_BROWSER=%s is not an executable: %w", p, err)
		}
		return p, nil
	}
	if _, err := exec.LookPath("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", errors.New("no browser: set WHISPER_BROWSER, or install chromium (apt-get install chromium)")
}

// axePath is axe-core as "npm ci" in testdata installs it.
var axePath = filepath.Join("testdata", "node_modules", "axe-core", "axe.min.js")

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axeScript returns axe-core's source, or skips t without it.
func axeScript(t testing.TB) string {
	t.Helper()
	axeOnce.Do(func() {
		b, err := os.ReadFile(axePath)
		if err != nil {
			axeErr = fmt.Errorf("no axe-core at e2e/%s: run \"npm ci\" in e2e/testdata (%w)", axePath, err)
			return
		}
		axeSource = string(b)
	})
	if axeErr != nil {
		unavailable(t, axeErr.Error())
	}
	return axeSource
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}
