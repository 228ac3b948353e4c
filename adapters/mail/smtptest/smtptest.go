// Package smtptest runs a real SMTP server (emersion/go-smtp) inside a test,
// so mail is delivered over a socket exactly as in production, and can be
// stopped and started again to play an outage.
package smtptest

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted.
type Received struct {
	From string
	To   []string
	Data string
	// Mechanism is the SASL mechanism the client signed in with, or ""
	// when it sent without signing in.
	Mechanism string
	// Helo is the name the client gave in EHLO.
	Helo string
}

// Options describe the server to start.
type Options struct {
	// Addr is where to listen; "127.0.0.1:0" when empty. Another loopback
	// address (127.0.0.2) plays a remote server, to which a client must not
	// send a password without TLS.
	Addr string
	// Username and Password, when Username is set, are the credentials
	// PLAIN and LOGIN accept, and Username the user XOAUTH2 accepts.
	Username string
	Password string
	// Mechanisms are the SASL mechanisms offered: any of "PLAIN", "LOGIN"
	// and "XOAUTH2". With Username set and none given, PLAIN.
	Mechanisms []string
	// Token, with XOAUTH2 offered, says whether a bearer token is valid.
	Token func(token string) bool
	// TLS, when set, makes the server offer STARTTLS with this
	// configuration.
	TLS *tls.Config
}

// Server is an SMTP server on 127.0.0.1 that keeps what it receives.
type Server struct {
	t    testing.TB
	addr string
	opts Options

	mu       sync.Mutex
	srv      *smtp.Server
	ln       net.Listener
	received []Received
	refusals map[string]*smtp.SMTPError
}

// Start runs a server on a free port, stopped when t ends. With username
// set, it requires PLAIN authentication with that password.
func Start(t testing.TB, username, password string) *Server {
	t.Helper()
	return StartWith(t, Options{Username: username, Password: password})
}

// StartWith runs a server described by opts, stopped when t ends. A
// server offering mechanisms requires a client to sign in before MAIL.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Username != "" && len(opts.Mechanisms) == 0 {
		opts.Mechanisms = []string{sasl.Plain}
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		t.Fatalf("smtptest: %v", err)
	}
	s := &Server{t: t, addr: ln.Addr().String(), opts: opts}
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// Host and Port split Addr.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.addr); return h }

// Port is the server's port number.
func (s *Server) Port() int { return s.Listener().Port }

// Listener describes where the server listens.
func (s *Server) Listener() *net.TCPAddr {
	a, _ := net.ResolveTCPAddr("tcp", s.addr)
	return a
}

func (s *Server) serve(ln net.Listener) {
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.TLSConfig = s.opts.TLS
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	// Clients that vanish mid-message (a killed whisperd) are expected here.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go srv.Serve(ln)
}

// Stop closes the server, as if the mail host went down.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
		// A server stopped before Serve has taken up its listener would
		// otherwise start serving after Stop returned.
		ln.Close()
	}
}

// Restart listens again on the same address after Stop.
func (s *Server) Restart() {
	s.t.Helper()
	var ln net.Listener
	var err error
	// The port was just released; the kernel may need a moment.
	for range 50 {
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("smtptest: restarting on %s: %v", s.addr, err)
	}
	s.serve(ln)
}

// Messages returns what the server has received so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received{}, s.received...)
}

// Refuse makes the server answer RCPT TO for the address with code and
// text, as a real server refuses a recipient: 550 for a permanent refusal
// ("5.7.1 <to@example.org>: Relaying denied"), 451 for a transient one.
// The text is sent as given, after the code, so it may quote the address
// back as real servers do. A code of 0 accepts the address again.
func (s *Server) Refuse(to string, code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refusals == nil {
		s.refusals = map[string]*smtp.SMTPError{}
	}
	if code == 0 {
		delete(s.refusals, to)
		return
	}
	s.refusals[to] = &smtp.SMTPError{Code: code, EnhancedCode: smtp.NoEnhancedCode, Message: text}
}

func (s *Server) refusal(to string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.refusals[to]; ok {
		return r
	}
	return nil
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s      *Server
	conn   *smtp.Conn
	authed string // the mechanism signed in with
	msg    Received
}

var errAuth = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}

func (se *session) AuthMechanisms() []string { return se.s.opts.Mechanisms }

func (se *session) Auth(mech string) (sasl.Server, error) {
	o := se.s.opts
	check := func(username, password string) error {
		if o.Username == "" || username != o.Username || password != o.Password {
			return errAuth
		}
		se.authed = mech
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, username, password string) error { return check(username, password) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	case "XOAUTH2":
		return &xoauth2Server{check: func(user, token string) error {
			if user != o.Username || o.Token == nil || !o.Token(token) {
				return errAuth
			}
			se.authed = mech
			return nil
		}}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// loginServer is the server side of LOGIN, which go-sasl no longer has:
// it asks for the user name, then the password.
type loginServer struct {
	check    func(username, password string) error
	step     int
	username string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if len(response) > 0 { // an initial response carries the user name
			l.username = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.username = string(response)
		return []byte("Password:"), false, nil
	case 3:
		return nil, true, l.check(l.username, string(response))
	}
	return nil, false, errAuth
}

// xoauth2Server is the server side of XOAUTH2 as Microsoft and Google
// speak it: "user=U^Aauth=Bearer T^A^A" in; on a bad token, a JSON
// challenge, an empty answer, then 535.
type xoauth2Server struct {
	check  func(user, token string) error
	failed bool
}

func (x *xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, true, errAuth
	}
	if response == nil {
		return []byte{}, false, nil // ask for the initial response
	}
	var user, token string
	for f := range strings.SplitSeq(string(response), "\x01") {
		if v, ok := strings.CutPrefix(f, "user="); ok {
			user = v
		}
		if v, ok := strings.CutPrefix(f, "auth=Bearer "); ok {
			token = v
		}
	}
	if err := x.check(user, token); err != nil {
		x.failed = true
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.example/"}`), false, nil
	}
	return nil, true, nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if len(se.s.opts.Mechanisms) > 0 && se.authed == "" {
		return smtp.ErrAuthRequired
	}
	se.msg = Received{From: from, Mechanism: se.authed, Helo: se.conn.Hostname()}
	return nil
}
func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := se.s.refusal(to); err != nil {
		return err
	}
	se.msg.To = append(se.msg.To, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	se.msg.Data = string(b)
	se.s.mu.Lock()
	se.s.received = append(se.s.received, se.msg)
	se.s.mu.Unlock()
	return nil
}

func (se *session) Reset()        { se.msg = Received{} }
func (se *session) Logout() error { return nil }
