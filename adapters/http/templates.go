package http

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	nethttp "net/http"
	"path"
	"reflect"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

//go:embed templates
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pages are the parsed page templates, each joined with its layout, once
// for each language: a page's words come from the catalogue through the
// template functions T and TH, which are bound to one language when the
// templates are parsed. They are parsed once, at start, so a broken
// template stops whisperd at once rather than failing a reporter later.
type pages map[domain.Language]map[string]*template.Template

func parsePages(smsNumber string, z domain.Zone) (pages, error) {
	out := pages{}
	for _, lang := range []domain.Language{domain.English, domain.Welsh} {
		set, err := parsePageSet(templateFuncs(catalogue.For(lang), smsNumber, z))
		if err != nil {
			return nil, err
		}
		out[lang] = set
	}
	return out, nil
}

func parsePageSet(funcs template.FuncMap) (map[string]*template.Template, error) {
	layout, err := template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/layout/*.html")
	if err != nil {
		return nil, fmt.Errorf("http: parsing layout: %w", err)
	}
	out := map[string]*template.Template{}
	// Reporter pages are named by file ("form"); staff pages by folder and
	// file ("staff/list"), and render in the staff layout.
	for _, dir := range []string{"pages", "staff"} {
		names, err := fs.Glob(templateFiles, "templates/"+dir+"/*.html")
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			t, err := template.Must(layout.Clone()).ParseFS(templateFiles, name)
			if err != nil {
				return nil, fmt.Errorf("http: parsing %s: %w", name, err)
			}
			key := strings.TrimSuffix(path.Base(name), ".html")
			if dir == "staff" {
				key = "staff/" + key
			}
			out[key] = t
		}
	}
	return out, nil
}

// templateFuncs are the few helpers templates may call, in the language of
// p and the time zone z, with smsNumber the service's number that
// reporters text ("" when SMS is off):
//
//	{{T "Send report"}}              a message, as text
//	{{T "for %s" .School}}           with arguments formatted in
//	{{TH "<strong>Not</strong> …"}}  a message holding markup of its own;
//	                                 its arguments are escaped
//	{{when .At}}                     a date and time in z, the month named,
//	                                 marked GMT or BST
//	{{date .At}}                     the day alone, in z
//	{{month .Start}}                 a statistics month and its year;
//	                                 monthShort, the month alone, short
//	{{isotime .At}}                  for <time datetime>: ISO 8601 with
//	                                 z's offset
//	{{with smsNumber}}…{{end}}       the number reporters text, as they
//	                                 dial it; empty when SMS is off, and
//	                                 then no page offers a code to text
func templateFuncs(p *catalogue.Printer, smsNumber string, z domain.Zone) template.FuncMap {
	number := dialled(smsNumber)
	return template.FuncMap{
		"smsNumber": func() string { return number },
		"T":         p.T,
		// The catalogue's own markup is trusted; what goes into it is not.
		"TH":   func(key string, args ...any) template.HTML { return template.HTML(p.T(key, escapeArgs(args)...)) },
		"when": func(t time.Time) string { return p.DateTime(z, t) },
		"join": func(items []string) string { return strings.Join(items, ", ") },
		"date": func(t time.Time) string { return p.Date(z, t) },
		// A statistics month, named in the page's language ("Hydref 2026").
		"month":      p.Month,
		"monthShort": p.MonthShort,
		"isotime":    z.ISO,
	}
}

// escapeArgs escapes every string argument of a message that holds markup,
// so a school's name cannot add markup of its own; numbers stay numbers.
func escapeArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		v := reflect.ValueOf(a)
		switch {
		case a == nil:
			out[i] = a
		case v.Kind() == reflect.String:
			out[i] = template.HTMLEscapeString(v.String())
		case v.Kind() >= reflect.Int && v.Kind() <= reflect.Float64:
			out[i] = a
		default:
			out[i] = template.HTMLEscapeString(fmt.Sprint(a))
		}
	}
	return out
}

// chrome is what every reporter page's layout needs.
type chrome struct {
	// Lang is the page's language, en or cy; Switch is the other one, and
	// SwitchName its name in itself, for the link that switches to it.
	Lang       domain.Language
	Switch     domain.Language
	SwitchName string
	School     string
	// Notice is the link to the user notice, in the page's language, and
	// naming the page's form when there is one (chrome.onForm).
	Notice string
	// SwitchLink is the link to this page in the other language; empty
	// means "?lang=" and Switch.
	SwitchLink string
	// ExitURL is where the quick exit ("Exit this page") leads.
	ExitURL string
	// p prints the page's words in Go, e.g. its problems.
	p *catalogue.Printer
}

func (c chrome) language() domain.Language { return c.Lang }

// render writes a page with status. It renders into a buffer first, so a
// template failure becomes a clean 500 instead of half a page.
func (s *Server) render(w nethttp.ResponseWriter, status int, page string, view any) error {
	// Reporter pages are in their reader's language; staff pages in the
	// member's.
	lang := domain.English
	h := w.Header()
	if v, ok := view.(interface{ language() domain.Language }); ok {
		lang = v.language()
		h.Add("Vary", "Cookie, Accept-Language")
	} else if c, ok := staffChromeOf(view); ok && c.Lang != "" {
		lang = c.Lang
		if !c.SignedIn {
			// Before sign-in the language is the visitor's (publicStaffChrome).
			h.Add("Vary", "Cookie, Accept-Language")
		}
	}
	t, ok := s.pages[lang][page]
	if !ok {
		return fmt.Errorf("http: no page %q in %q", page, lang)
	}
	layout := "base"
	if strings.HasPrefix(page, "staff/") {
		layout = "staff"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, layout, view); err != nil {
		return fmt.Errorf("http: rendering %s: %w", page, err)
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages may hold report text; no cache, shared or private, may keep them.
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", string(lang))
	w.WriteHeader(status)
	if _, err := w.Write(buf.Bytes()); err != nil {
		s.log.Debug("writing a page failed", slog.String("page", page), slog.Any("error", err))
	}
	return nil
}

// staffChromeOf returns the Staff field of a staff page's view, which
// every staff page has (see staffChrome).
func staffChromeOf(view any) (staffChrome, bool) {
	v := reflect.Indirect(reflect.ValueOf(view))
	if v.Kind() != reflect.Struct {
		return staffChrome{}, false
	}
	f := v.FieldByName("Staff")
	if !f.IsValid() || !f.CanInterface() {
		return staffChrome{}, false
	}
	c, ok := f.Interface().(staffChrome)
	return c, ok
}

// messagePage is a page of a heading and a few paragraphs: errors and
// notices.
type messagePage struct {
	chrome
	Heading    string
	Paragraphs []string
	// Refused is set on a page that refuses a report or a reply: it ends
	// with Kept, what was typed, to copy, and help now (layout/kept.html).
	Refused bool
	Kept    string
}

// dialled is the service's number as a reporter dials it: a UK number
// (+44) the way UK phones show it, 07700 900000; any other as configured.
func dialled(e164 string) string {
	e164 = strings.TrimSpace(e164)
	national, ok := strings.CutPrefix(e164, "+44")
	if !ok || len(national) != 10 || strings.Trim(national, "0123456789") != "" {
		return e164
	}
	return "0" + national[:4] + " " + national[4:]
}
