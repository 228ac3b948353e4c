package http

import (
	nethttp "net/http"
	"net/url"

	"golang.org/x/text/language"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

// Reporter pages speak English or Welsh. Which one a page is in is decided
// in this order, first match wins:
//
//  1. ?lang=en or ?lang=cy on the request: the reporter chose. The choice
//     is remembered in the cookie below.
//  2. the lang field of a posted form: the language of the page the
//     reporter filled in, so that a form shown again with its problems,
//     and the email that follows a report, are in the same language.
//  3. the whisper_lang cookie: an earlier choice.
//  4. Accept-Language, when it names English or Welsh (en-GB, cy, …) among
//     the languages it prefers; a browser that asks only for, say, French
//     says nothing either way.
//  5. the form's own language (for a form and its conversations).
//  6. English.
//
// Most browsers in Wales send en-GB, so 4 means a form whose default is
// Welsh opens in English for them; every page links to the other language,
// and a choice is remembered.

// langCookie remembers a reporter's choice of language. It holds "en" or
// "cy" and nothing else, so it identifies no one.
const langCookie = "whisper_lang"

// langCookieAge is how long the choice is remembered: a year.
const langCookieAge = 365 * 24 * 60 * 60

// langMatcher matches Accept-Language against the two languages Whisper
// speaks.
var langMatcher = language.NewMatcher([]language.Tag{language.English, language.MustParse("cy")})

// withLanguage remembers a reporter's ?lang choice in a cookie, before any
// page is written.
func (s *Server) withLanguage(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if lang, ok := parseLang(r.URL.Query().Get("lang")); ok {
			nethttp.SetCookie(w, &nethttp.Cookie{
				Name: langCookie, Value: string(lang), Path: "/", MaxAge: langCookieAge,
				HttpOnly: true, Secure: s.secureCookies(), SameSite: nethttp.SameSiteLaxMode,
			})
		}
		next.ServeHTTP(w, r)
	})
}

// lang is the language of the page answering r; def is the form's own
// language, or "" when the page belongs to no form. A handler works it out
// once, when it knows the form, and hands the page's chrome to whatever
// renders. A report is the exception: its form is read by the use case,
// which is given chosenLang and answers with the language of both the
// page and the email with the reporter's link.
func lang(r *nethttp.Request, def domain.Language) domain.Language {
	if l, ok := chosenLang(r); ok {
		return l
	}
	if l, ok := parseLang(string(def)); ok {
		return l
	}
	return domain.English
}

// chosenLang is the language the visitor asked for, by link, form, cookie
// or browser, if any: lang without the form's default.
func chosenLang(r *nethttp.Request) (domain.Language, bool) {
	if l, ok := parseLang(r.URL.Query().Get("lang")); ok {
		return l, true
	}
	if r.Method == nethttp.MethodPost {
		// Only the form's own body: ParseForm has already run.
		if l, ok := parseLang(r.PostForm.Get("lang")); ok {
			return l, true
		}
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := parseLang(c.Value); ok {
			return l, true
		}
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

func acceptLanguage(header string) (domain.Language, bool) {
	if header == "" {
		return "", false
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return "", false
	}
	_, i, confidence := langMatcher.Match(tags...)
	if confidence < language.High {
		return "", false
	}
	if i == 1 {
		return domain.Welsh, true
	}
	return domain.English, true
}

// parseLang accepts exactly "en" or "cy".
func parseLang(s string) (domain.Language, bool) {
	switch l := domain.Language(s); l {
	case domain.English, domain.Welsh:
		return l, true
	}
	return "", false
}

// chrome is the layout of a reporter page in lang, for the school named
// school ("" for none).
func (s *Server) chrome(lang domain.Language, school string) chrome {
	c := chrome{Lang: lang, School: school, Switch: domain.Welsh, Notice: "/notice", ExitURL: s.cfg.ExitURL, p: catalogue.For(lang)}
	if lang == domain.Welsh {
		// Without it, the notice would open in the default language for
		// someone reading a Welsh form without having chosen Welsh.
		c.Switch, c.Notice = domain.English, "/notice?lang=cy"
	}
	c.SwitchName = catalogue.Name(c.Switch)
	return c
}

// onForm is c on a page of form f: its link to the notice names the form,
// so that the notice can link the school's own privacy notice.
// Like the plain link, it names the language only when it is Welsh.
func (c chrome) onForm(code domain.FormCode) chrome {
	if code == "" {
		return c
	}
	q := url.Values{"form": {string(code)}}
	if c.Lang == domain.Welsh {
		q.Set("lang", string(c.Lang))
	}
	c.Notice = "/notice?" + q.Encode()
	return c
}

// LinkPage is where a reporter asks for a fresh conversation link, in
// the page's language.
func (c chrome) LinkPage() string {
	if c.Lang == domain.Welsh {
		return "/link?lang=cy"
	}
	return "/link"
}

// problems are a form's problems in the page's language.
func (c chrome) problems(ps domain.Problems) fieldProblems { return sayProblems(c.p, ps) }

// english prints the staff portal and plain-text answers, which are in
// English.
var english = catalogue.For(domain.English)

// staffProblems are a form's problems on a page of a's, in their
// language.
func staffProblems(a *app.Actor, ps domain.Problems) fieldProblems {
	return sayProblems(catalogue.For(staffLang(a)), ps)
}

// fieldProblem is what is wrong with one field, as a page shows it: Safe
// is the problem's words in the page's language.
type fieldProblem struct{ Field, Safe string }

// fieldProblems are a form's problems as a page shows them.
type fieldProblems []fieldProblem

// Of returns the problem with field, or "".
func (ps fieldProblems) Of(field string) string {
	for _, p := range ps {
		if p.Field == field {
			return p.Safe
		}
	}
	return ""
}

func sayProblems(p *catalogue.Printer, ps domain.Problems) fieldProblems {
	if ps == nil {
		return nil
	}
	out := make(fieldProblems, len(ps))
	for i, fp := range ps {
		out[i] = fieldProblem{Field: fp.Field, Safe: p.Say(fp.Safe)}
	}
	return out
}
