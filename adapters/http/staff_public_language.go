package http

import (
	nethttp "net/http"

	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

// Before signing in (sign-in, forgotten password, choosing a password,
// and their error pages) no member's choice of language is known, so a
// staff page is in the language the visitor chose or their browser asks
// for, as a reporter's page is (language.go), first match wins:
//
//  1. ?lang=en or ?lang=cy: the visitor chose; remembered in the
//     whisper_lang cookie (staffPublic).
//  2. the lang field of a posted form: the language of the page filled in.
//  3. the language of the member the page is for, when it is known: a
//     set-password link's.
//  4. the whisper_lang cookie.
//  5. Accept-Language, when it names English or Welsh.
//  6. English.
//
// Each such page links to itself in the other language.

// publicStaffChrome is the chrome of a staff page before sign-in, for r;
// member is the language of the member the page is for, or "".
func (s *Server) publicStaffChrome(r *nethttp.Request, member domain.Language) staffChrome {
	lang := publicStaffLang(r, member)
	other := otherLang(lang)
	return staffChrome{Lang: lang, Switch: other, SwitchName: catalogue.Name(other), SwitchLink: "?lang=" + string(other)}
}

// publicStaffLang is the language of a staff page before sign-in (see
// above).
func publicStaffLang(r *nethttp.Request, member domain.Language) domain.Language {
	if l, ok := parseLang(r.URL.Query().Get("lang")); ok {
		return l
	}
	if r.Method == nethttp.MethodPost && r.PostForm != nil {
		if l, ok := parseLang(r.PostForm.Get("lang")); ok {
			return l
		}
	}
	if l, ok := parseLang(string(member)); ok {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := parseLang(c.Value); ok {
			return l
		}
	}
	if l, ok := acceptLanguage(r.Header.Get("Accept-Language")); ok {
		return l
	}
	return domain.English
}

// refuseStaffBadBytes answers a staff request that is not text
// (wellformed.go) with a staff page: in the member's language when they
// are signed in, else the visitor's.
func (s *Server) refuseStaffBadBytes(w nethttp.ResponseWriter, r *nethttp.Request, status int, bad badBytes) error {
	c := s.publicStaffChrome(r, "")
	if a, err := s.actor(r); err == nil {
		c = s.staffChrome(a, "")
	}
	p := catalogue.For(c.Lang)
	return s.render(w, status, "staff/message", staffMessage{
		Staff:      c,
		Heading:    p.T("That could not be done"),
		Paragraphs: []string{bad.say(p)},
	})
}

// say is the refusal for staff and machines, in p's language (English
// for machines).
func (b badBytes) say(p *catalogue.Printer) string {
	if b.field == "" {
		return p.T("The web address holds a NUL byte or bytes that are not UTF-8 text; nothing was done.")
	}
	return p.T("The field “%s” holds a NUL byte or bytes that are not UTF-8 text; nothing was done.", fieldLabel(b.field))
}
