package http

import (
	nethttp "net/http"
	"time"

	"github.com/whisper-schools/whisper/app"
)

// forgotRoutes registers the page where a member asks for a link to
// choose a new password.
func (s *Server) forgotRoutes(mux *nethttp.ServeMux) {
	mux.Handle("GET /staff/forgot", s.staffPublic(s.forgotForm))
	mux.Handle("POST /staff/forgot", s.staffPublic(s.forgot))
}

// forgotPage asks for an address, or, once asked, says what happens next.
// The answer is one page for every address, so that nobody can learn from
// it who has an account.
type forgotPage struct {
	Staff staffChrome
	Asked bool
}

func (s *Server) forgotForm(w nethttp.ResponseWriter, r *nethttp.Request) error {
	return s.render(w, nethttp.StatusOK, "staff/forgot", forgotPage{Staff: s.publicStaffChrome(r, "")})
}

func (s *Server) forgot(w nethttp.ResponseWriter, r *nethttp.Request) error {
	start := time.Now()
	if err := parseAuthForm(w, r); err != nil {
		return err
	}
	err := s.app.Portal.ForgotPassword(r.Context(), app.ForgotPassword{
		Email: r.PostFormValue("email"), IP: clientIP(r, s.cfg.TrustedProxies),
	})
	if err != nil {
		return err
	}
	answerNoSooner(r.Context(), start, s.cfg.ForgotAnswerTime)
	return s.render(w, nethttp.StatusOK, "staff/forgot", forgotPage{Staff: s.publicStaffChrome(r, ""), Asked: true})
}
