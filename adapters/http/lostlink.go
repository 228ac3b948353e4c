package http

import (
	"context"
	nethttp "net/http"
	"time"

	"github.com/whisper-schools/whisper/app"
)

// linkPage asks a reporter who lost their conversation link for the email
// address they gave, or, once asked, says what happens next. The answer is
// one page for every address, so that nobody can learn from it whether an
// address wrote to Whisper.
type linkPage struct {
	chrome
	Asked bool
}

func (s *Server) linkForm(w nethttp.ResponseWriter, r *nethttp.Request) error {
	return s.render(w, nethttp.StatusOK, "link", linkPage{chrome: s.chrome(lang(r, ""), "")})
}

func (s *Server) linkAsk(w nethttp.ResponseWriter, r *nethttp.Request) error {
	start := time.Now()
	if err := parseAuthForm(w, r); err != nil {
		return err
	}
	chosen, _ := chosenLang(r)
	err := s.app.Reporting.RecoverLink(r.Context(), app.RecoverLink{
		Email: r.PostFormValue("email"), IP: clientIP(r, s.cfg.TrustedProxies), Language: chosen,
	})
	if err != nil {
		return err
	}
	answerNoSooner(r.Context(), start, s.cfg.ForgotAnswerTime)
	return s.render(w, nethttp.StatusOK, "link", linkPage{chrome: s.chrome(lang(r, ""), ""), Asked: true})
}

// answerNoSooner waits until least has passed since start, or the client
// gives up. A request whose answer must not tell whether an account or a
// conversation exists uses it: queueing an email is a write that an
// unknown address does not make, and every answer waits until the same
// moment, so both take as long.
func answerNoSooner(ctx context.Context, start time.Time, least time.Duration) {
	wait := least - time.Since(start)
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
