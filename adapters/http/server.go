// Package http is Whisper's web edge: reporter pages, the staff portal,
// carrier webhooks and health. It translates requests into use cases of
// package app and errors into statuses (see errors.go); it holds no rules of
// its own. It never serves the metrics: whisperd serves them to operators
// on an address of their own (metrics.listen).
package http

import (
	"io/fs"
	"log/slog"
	nethttp "net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// Config is what the web edge needs to know about its deployment.
type Config struct {
	// PublicURL is the external base URL, e.g. https://whisper.example.org.
	PublicURL string
	// TrustedProxies are the proxies whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// SMSWebhook takes the carrier's inbound texts on POST at its path;
	// the SMS adapter owns it (sms.PlivoWebhook). nil turns SMS off.
	SMSWebhook Webhook
	// SMSNumber is the service's number that reporters text (E.164), shown
	// beside a form's SMS code wherever reporters and admins read it. ""
	// when SMS is off: then no page offers an SMS code or a number.
	SMSNumber string
	// Observe, when set, is told of every request's area, status and
	// duration.
	Observe func(area string, status int, d time.Duration)
	// Now is the clock for what the edge dates itself, such as an
	// export's file name; nil means time.Now.
	Now func() time.Time
	// RefusalDelay holds a report refused by a rate limit this long before
	// its answer (see slowDown); zero answers at once.
	RefusalDelay time.Duration
	// ForgotAnswerTime is the least time /staff/forgot and /link take to
	// answer (see answerNoSooner); zero answers as soon as the work is
	// done.
	ForgotAnswerTime time.Duration
	// Operator is who runs the service, as the user notice names them.
	Operator Operator
	// ExitURL is where every reporter page's "Exit this page" link goes;
	// empty means DefaultExitURL.
	ExitURL string
}

// DefaultExitURL is the neutral site a reporter page's quick exit leads to
// unless told otherwise: a weather forecast, which nobody looking over a
// child's shoulder would wonder about.
const DefaultExitURL = "https://www.bbc.co.uk/weather"

// Operator is who runs the service: the controller of reporters' contact
// and meta data, and who reporters write to about their rights. The zero
// value means not configured; the notice then sends reporters to their
// school.
type Operator struct {
	Name  string
	Email string
	// PostalAddress is one line with commas, or several lines.
	PostalAddress string
}

// Webhook is a carrier's callback that another adapter reads and checks.
// The server mounts it behind the checks every request passes, and answers
// its errors with the one table of statuses (errors.go), so the adapter
// owning it knows nothing of this one.
type Webhook interface {
	// Path is where the carrier posts, as the carrier was told.
	Path() string
	ServeWebhook(w nethttp.ResponseWriter, r *nethttp.Request) error
}

// RefusalDelay is how long whisperd holds a report refused by a rate
// limit. A client flooding one form then waits instead of taking the CPU
// other reporters need: each of its connections gets at most ten answers
// a second. A person who sees the refusal page barely notices.
const RefusalDelay = 100 * time.Millisecond

// ForgotAnswerTime is how long whisperd takes, at least, to answer a
// request for a reset link or a fresh conversation link: longer than
// queueing the emails takes, so that an address with an account or a
// conversation is not answered more slowly than one without.
const ForgotAnswerTime = 400 * time.Millisecond

// maxHeld bounds the refused requests held at once, each a goroutine and
// a connection; beyond it they are answered at once.
const maxHeld = 256

// Server routes requests to the use cases.
type Server struct {
	cfg   Config
	app   *app.App
	log   *slog.Logger
	pages pages
	// held counts the refused requests being held (see slowDown).
	held chan struct{}
}

// New returns the handler for every route Whisper serves. It fails only if
// its own templates do not parse.
func New(cfg Config, svc *app.App, log *slog.Logger) (nethttp.Handler, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ExitURL == "" {
		cfg.ExitURL = DefaultExitURL
	}
	var zone domain.Zone // UTC, for a server without use cases (a test of the templates)
	if svc != nil {
		zone = svc.Zone
	}
	pg, err := parsePages(cfg.SMSNumber, zone)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, app: svc, log: log, pages: pg,
		held: make(chan struct{}, maxHeld),
	}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}

	mux := nethttp.NewServeMux()
	mux.Handle("GET /healthz", s.handle(s.healthz))
	mux.Handle("GET /readyz", s.handle(s.readyz))
	mux.Handle("GET /static/", nethttp.StripPrefix("/static/", staticHandler(static)))
	// Carriers call the webhook server to server; its signature, not
	// cross-origin checks, is what proves where it came from. Without one,
	// SMS is off and its path is not found, like any other.
	if cfg.SMSWebhook != nil {
		mux.Handle("POST "+cfg.SMSWebhook.Path(), s.handle(cfg.SMSWebhook.ServeWebhook))
	}

	// Reporter pages and the staff portal. Cross-origin POSTs are refused
	// on both: no other site may submit reports in a visitor's name, or act
	// in a signed-in staff member's.
	reporter := nethttp.NewServeMux()
	reporter.Handle("GET /r/{code}", s.page(s.reportForm))
	reporter.Handle("POST /r/{code}", s.page(s.reportSubmit))
	reporter.Handle("GET /t/{token}", s.page(s.conversation))
	reporter.Handle("POST /t/{token}", s.page(s.conversationReply))
	reporter.Handle("GET /notice", s.page(s.notice))
	reporter.Handle("GET /link", s.page(s.linkForm))
	reporter.Handle("POST /link", s.page(s.linkAsk))
	reporter.Handle("GET /{$}", nethttp.RedirectHandler("/notice", nethttp.StatusSeeOther))
	reporter.Handle("GET /", s.page(s.notFound))

	// The staff portal. Each area registers its own routes.
	staff := nethttp.NewServeMux()
	s.authRoutes(staff)
	s.forgotRoutes(staff)
	s.interactionRoutes(staff)
	s.triageRoutes(staff)
	s.noteRoutes(staff)
	s.recordRoutes(staff)
	s.adminRoutes(staff)
	protect := nethttp.NewCrossOriginProtection()
	mux.Handle("/staff/", protect.Handler(staff))
	mux.Handle("/", protect.Handler(s.withLanguage(reporter)))

	return observed(cfg.Observe, securityHeaders(strings.HasPrefix(cfg.PublicURL, "https://"), s.wellFormed(mux))), nil
}

// handlerFunc is a handler that returns its error for one place to render.
type handlerFunc func(w nethttp.ResponseWriter, r *nethttp.Request) error

// handle serves a plain-text route, rendering errors as text.
func (s *Server) handle(h handlerFunc) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// page serves an HTML route, rendering errors as a page.
func (s *Server) page(h handlerFunc) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if err := h(w, r); err != nil {
			s.renderErrorPage(w, r, err)
		}
	})
}

// staticHandler serves the embedded stylesheet. It changes only with a new
// release, so browsers may keep it for a day.
func staticHandler(files fs.FS) nethttp.Handler {
	fileServer := nethttp.FileServerFS(files)
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fileServer.ServeHTTP(w, r)
	})
}

// hstsPolicy keeps browsers on HTTPS for two years after any answer, on
// this host and its subdomains (ASVS 5.0 3.4.1 asks at least a year, and
// subdomains at level 2): a pupil on a network that strips TLS cannot be
// shown a plain-HTTP copy of the form.
const hstsPolicy = "max-age=63072000; includeSubDomains"

// securityHeaders sets the headers every response carries. The policy lets
// pages load only this site's stylesheet and post forms only to this site:
// no scripts, no frames, nothing from other hosts. hsts, when the public
// URL is https, adds Strict-Transport-Security; a plain-HTTP site (a laptop
// trial) has no HTTPS to hold browsers to.
func securityHeaders(hsts bool, next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		h := w.Header()
		if hsts {
			h.Set("Strict-Transport-Security", hstsPolicy)
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		next.ServeHTTP(w, r)
	})
}
