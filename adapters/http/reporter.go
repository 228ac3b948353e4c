package http

import (
	"context"
	"errors"
	"log/slog"
	nethttp "net/http"
	"net/url"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// maxFormBytes bounds a POST that carries free text: a reporter's message
// (at most domain.MaxMessage, 10,000 characters) in the widest UTF-8,
// form-encoded, fits several times over. The staff portal's forms share
// the bound; their longest text is far shorter (a staff reply is at most
// domain.MaxStaffReply, 1,600 characters).
const maxFormBytes = 256 << 10

// formPage is the report form, fresh or shown again with problems.
type formPage struct {
	chrome
	Form     *domain.Form
	Inboxes  []*domain.Inbox
	Values   reportValues
	Problems fieldProblems
	// General is a problem with the report as a whole, not one field.
	General string
	// Refused is set when the report was refused as a whole or for its
	// message, not for another field: the page then also shows the
	// message to copy, and help now (layout/kept.html).
	Refused bool
}

// reportValues are what the reporter typed, kept when the form comes back.
type reportValues struct {
	Name, Email, Message, Category string
}

// closedPage is shown instead of a form that takes no reports, and for a
// reply its organisation does not take now.
type closedPage struct {
	chrome
	// Name and OutOfHours are the form's.
	Name, OutOfHours string
	// Kept is a reply that was not sent, shown back so it is not lost;
	// Token leads back to its conversation, which can still be read.
	Kept, Token string
}

func closedForm(c chrome, f *domain.Form) closedPage {
	return closedPage{chrome: c, Name: f.Name, OutOfHours: f.In(c.Lang).OutOfHours}
}

// formIn is a form page's form and inboxes in the page's language: the
// school's own words as it wrote them in that language, if it did.
func formIn(c chrome, rf app.ReportForm) (*domain.Form, []*domain.Inbox) {
	inboxes := make([]*domain.Inbox, len(rf.Inboxes))
	for i, ib := range rf.Inboxes {
		inboxes[i] = ib.In(c.Lang)
	}
	return rf.Form.In(c.Lang), inboxes
}

// conversationPage is a reporter's conversation.
type conversationPage struct {
	chrome
	Conversation app.ReporterInteraction
	Token        string
	Link         string
	Reply        string
	Problems     fieldProblems
	// Limited, when set, says the reply was refused by the hourly limit;
	// Reply keeps what was typed.
	Limited *replyLimit
	// Refused is set when the reply was refused by the limit or for its
	// message: the page then also shows it to copy, and help now.
	Refused bool
}

// replyLimit is the hourly reply limit a refused reply ran into, and when
// the reporter can write again, in the page's words.
type replyLimit struct {
	Limit int
	Until string
}

func (s *Server) reportForm(w nethttp.ResponseWriter, r *nethttp.Request) error {
	rf, err := s.app.Reporting.ReportForm(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	c := s.chrome(lang(r, rf.Form.Language), rf.Form.Name).onForm(rf.Form.Code)
	if !rf.Accepting {
		return s.render(w, nethttp.StatusGone, "closed", closedForm(c, rf.Form))
	}
	form, inboxes := formIn(c, rf)
	return s.render(w, nethttp.StatusOK, "form", formPage{chrome: c, Form: form, Inboxes: inboxes})
}

func (s *Server) reportSubmit(w nethttp.ResponseWriter, r *nethttp.Request) error {
	r.Body = nethttp.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.tooLarge(w, r, err)
	}
	values := reportValues{
		Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		Message: r.PostFormValue("message"), Category: r.PostFormValue("category"),
	}
	chosen, _ := chosenLang(r)
	answer, err := s.app.Reporting.SubmitReport(r.Context(), app.SubmitReport{
		FormCode: r.PathValue("code"), InboxID: values.Category,
		Name: values.Name, Email: values.Email, Body: values.Message,
		Trap: r.PostFormValue("website"), IP: clientIP(r, s.cfg.TrustedProxies), Language: chosen,
	})
	if answer.Limited {
		s.slowDown(r.Context())
	}
	switch {
	case err == nil:
		nethttp.Redirect(w, r, "/t/"+string(answer.Token), nethttp.StatusSeeOther)
		return nil
	case answer.Form.Form == nil:
		// No form to show anything on: an unknown code, or a failure.
		return unsent{err, values.Message}
	}
	// The page is in the language the answer says the reporter reads,
	// like the email with their link.
	c := s.chrome(answer.Language, answer.Form.Form.Name).onForm(answer.Form.Form.Code)
	if errors.Is(err, app.ErrTooMany) {
		return s.render(w, nethttp.StatusTooManyRequests, "message", messagePage{
			chrome:  c,
			Heading: c.p.T("Too many reports right now"),
			Paragraphs: []string{
				c.p.T("Lots of reports have been sent from here in the last hour, so we cannot take another one just now. Please try again later."),
			},
			Refused: true, Kept: values.Message,
		})
	}
	if domain.ProblemsOf(err) != nil || errors.Is(err, app.ErrRobot) || errors.Is(err, app.ErrRefused) || errors.Is(err, app.ErrNotAccepting) {
		return s.showFormAgain(w, c, answer.Form, values, err)
	}
	return unsent{err, values.Message}
}

// unsent is the error of a report or a reply that was not stored, with
// what was typed: the error page gives it back to copy, as every refusal
// does. A link that does not exist and one that is refused still answer
// alike, since both give back only what the reporter sent.
type unsent struct {
	err  error
	text string
}

func (u unsent) Error() string { return u.err.Error() }
func (u unsent) Unwrap() error { return u.err }

// LogValue keeps the text out of any log that names the error.
func (u unsent) LogValue() slog.Value { return slog.StringValue(u.err.Error()) }

// refusesMessage reports whether problems refuse the message itself (the
// swear-word filter, a message too long), rather than another field: the
// reporter then has to change what they wrote, and may want it as it was.
func refusesMessage(problems domain.Problems) bool {
	return problems.Of(app.FieldMessage) != ""
}

// slowDown holds a request that a rate limit refused for
// Config.RefusalDelay, or until the client gives up, unless maxHeld are
// held already. Held, a request costs a goroutine and no CPU; answered at
// once, a flood's refusals come as fast as they can be answered.
func (s *Server) slowDown(ctx context.Context) {
	if s.cfg.RefusalDelay <= 0 {
		return
	}
	select {
	case s.held <- struct{}{}:
		defer func() { <-s.held }()
	default:
		return
	}
	t := time.NewTimer(s.cfg.RefusalDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// showFormAgain answers a report that was not stored: the form again,
// with what was typed and what is wrong, or the closed page when the form
// takes no reports.
func (s *Server) showFormAgain(w nethttp.ResponseWriter, c chrome, rf app.ReportForm, values reportValues, why error) error {
	if !rf.Accepting || errors.Is(why, app.ErrNotAccepting) {
		closed := closedForm(c, rf.Form)
		closed.Kept = values.Message
		return s.render(w, nethttp.StatusGone, "closed", closed)
	}
	form, inboxes := formIn(c, rf)
	page := formPage{chrome: c, Form: form, Inboxes: inboxes, Values: values, Refused: true}
	status := nethttp.StatusUnprocessableEntity
	switch {
	case errors.Is(why, app.ErrRobot):
		// A robot learns nothing useful, and nothing was stored.
		page.General = c.p.T("We could not send this report. Please try again.")
	case errors.Is(why, app.ErrRefused):
		// A blocked sender reads what anyone refused reads; the block is
		// not confirmed, but what they wrote is not lost either.
		status, page.General = nethttp.StatusForbidden, c.p.Say(domain.SafeWords(why))
	default:
		problems := domain.ProblemsOf(why)
		page.Problems, page.Refused = c.problems(problems), refusesMessage(problems)
	}
	return s.render(w, status, "form", page)
}

func (s *Server) conversation(w nethttp.ResponseWriter, r *nethttp.Request) error {
	token := r.PathValue("token")
	conv, err := s.app.Reporting.Follow(r.Context(), token)
	if err != nil {
		return err
	}
	c := s.chrome(lang(r, conv.Language), conv.FormName).onForm(conv.FormCode)
	return s.render(w, nethttp.StatusOK, "conversation", s.conversationPage(c, conv, token))
}

func (s *Server) conversationPage(c chrome, conv app.ReporterInteraction, token string) conversationPage {
	return conversationPage{
		chrome: c, Conversation: conv, Token: token,
		Link: s.app.Links.ConversationURL(domain.Token(token)),
	}
}

func (s *Server) conversationReply(w nethttp.ResponseWriter, r *nethttp.Request) error {
	r.Body = nethttp.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.tooLarge(w, r, err)
	}
	token := r.PathValue("token")
	body := r.PostFormValue("message")
	conv, err := s.app.Reporting.ReporterReply(r.Context(), app.ReporterReply{Token: token, Body: body, IP: clientIP(r, s.cfg.TrustedProxies)})
	if err == nil {
		nethttp.Redirect(w, r, "/t/"+token, nethttp.StatusSeeOther)
		return nil
	}
	if errors.Is(err, app.ErrNotAccepting) {
		// Suspended, ended or past its trial: the same page as the form,
		// with help now, the reply shown back, and the way to the
		// conversation, which can still be read.
		c := s.chrome(lang(r, conv.Language), conv.FormName).onForm(conv.FormCode)
		return s.render(w, nethttp.StatusGone, "closed", closedPage{chrome: c,
			Name: conv.FormName, OutOfHours: domain.InLanguage(c.Lang, conv.OutOfHours, conv.OutOfHoursCy), Kept: body, Token: token})
	}
	problems := domain.ProblemsOf(err)
	var limited *domain.RepliesLimited
	if problems == nil && !errors.As(err, &limited) {
		return unsent{err, body}
	}
	// Nothing was stored: the conversation, as the answer brings it back,
	// comes with the text kept in the reply box, and what was wrong above
	// it.
	page := s.conversationPage(s.chrome(lang(r, conv.Language), conv.FormName).onForm(conv.FormCode), conv, token)
	page.Reply, page.Problems = body, page.problems(problems)
	page.Refused = limited != nil || refusesMessage(problems)
	status := nethttp.StatusUnprocessableEntity
	if limited != nil {
		// Logged without the conversation or its words: only that the
		// limit was met.
		s.log.Info("reply refused: the conversation's hourly reply limit is reached")
		status = nethttp.StatusTooManyRequests
		page.Limited = &replyLimit{Limit: limited.Limit, Until: page.p.DateTime(s.app.Zone, limited.Until)}
	}
	return s.render(w, status, "conversation", page)
}

// noticePage is the user notice: who runs the service, and, when the
// reader came from a form, that school's own privacy notice.
type noticePage struct {
	chrome
	Operator Operator
	// Address is the operator's postal address, a line each.
	Address []string
	// Form is the form the reader came from (?form=CODE), or nil.
	Form *domain.Form
}

func (s *Server) notice(w nethttp.ResponseWriter, r *nethttp.Request) error {
	page := noticePage{Operator: s.cfg.Operator, Address: addressLines(s.cfg.Operator.PostalAddress)}
	if code := r.URL.Query().Get("form"); code != "" {
		// A code that names no form leaves the notice as it is for
		// everyone: the notice itself is never missing.
		rf, err := s.app.Reporting.ReportForm(r.Context(), code)
		switch {
		case err == nil:
			page.Form = rf.Form
		case domain.KindOf(err) != domain.KindNotFound:
			return err
		}
	}
	if f := page.Form; f != nil {
		page.chrome = s.chrome(lang(r, f.Language), f.Name).onForm(f.Code)
		page.SwitchLink = "?" + url.Values{"form": {string(f.Code)}, "lang": {string(page.Switch)}}.Encode()
	} else {
		page.chrome = s.chrome(lang(r, ""), "")
	}
	return s.render(w, nethttp.StatusOK, "notice", page)
}

// addressLines splits a postal address into its lines: at line breaks when
// it has them, else at commas.
func addressLines(address string) []string {
	sep := "\n"
	if !strings.Contains(address, sep) {
		sep = ","
	}
	var lines []string
	for line := range strings.SplitSeq(address, sep) {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

func (s *Server) notFound(w nethttp.ResponseWriter, r *nethttp.Request) error {
	return &domain.Error{Kind: domain.KindNotFound}
}

func (s *Server) tooLarge(w nethttp.ResponseWriter, r *nethttp.Request, err error) error {
	var tooBig *nethttp.MaxBytesError
	if errors.As(err, &tooBig) {
		c := s.chrome(lang(r, ""), "")
		return s.render(w, nethttp.StatusRequestEntityTooLarge, "message", messagePage{
			chrome:     c,
			Heading:    c.p.T("That was too long to send"),
			Paragraphs: []string{c.p.T("A message can be up to 10,000 characters. Please go back, shorten it and send it again.")},
		})
	}
	return domain.Errorf(domain.KindInvalid, "the form could not be read")
}
