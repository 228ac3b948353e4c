package http

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	nethttp "net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/domain"
)

// Every value a request carries must be text before any handler sees it: a
// NUL byte or bytes that are not UTF-8, in the path, the query or any field
// of a form, are answered 422 naming where they were, and nothing runs.
// PostgreSQL refuses a NUL in any text column, so without this one check a
// stray byte in a form's name was a 500, and each handler would have had to
// remember it. The check sits at the edge, before routing, so none can
// forget.

// badBytes says where a request held something that is not text.
type badBytes struct {
	// field names the form field or query parameter; "" is the path.
	field string
}

// wellFormed refuses requests whose path, query or form holds a NUL or
// bytes that are not UTF-8, before next sees them.
func (s *Server) wellFormed(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		bad, ok := checkRequest(w, r)
		if !ok {
			s.refuseBadBytes(w, r, bad)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkRequest checks r's path, query and form body. It leaves r.Body as
// it found it for the handler to read, and never lets the handler read more
// of it than was checked.
func checkRequest(w nethttp.ResponseWriter, r *nethttp.Request) (badBytes, bool) {
	if !domain.IsText(r.URL.Path) {
		return badBytes{}, false
	}
	// url.ParseQuery keeps the pairs it could read when others were
	// malformed, as ParseForm does: the handler would see those.
	query, _ := url.ParseQuery(r.URL.RawQuery)
	if field, ok := checkValues(query); !ok {
		return badBytes{field: field}, false
	}
	switch r.Method {
	case nethttp.MethodPost, nethttp.MethodPut, nethttp.MethodPatch:
	default:
		return badBytes{}, true
	}
	form, ok := readForm(w, r)
	if !ok {
		return badBytes{}, true // too large or unreadable: the handler refuses it as before
	}
	if field, ok := checkValues(form); !ok {
		return badBytes{field: field}, false
	}
	return badBytes{}, true
}

// readForm reads the fields of r's body when it is a form, and puts the
// body back for the handler. A body larger than any form Whisper takes
// (maxFormBytes) is not read here; the handler is given it bounded to that
// size, so it refuses it as too large rather than read what was not
// checked. ok is false when there is no form to check.
func readForm(w nethttp.ResponseWriter, r *nethttp.Request) (url.Values, bool) {
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mediaType != "application/x-www-form-urlencoded" && mediaType != "multipart/form-data") {
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFormBytes+1))
	if err != nil || len(body) > maxFormBytes {
		r.Body = nethttp.MaxBytesReader(w, struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}, maxFormBytes)
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if mediaType == "multipart/form-data" {
		return multipartValues(body, params["boundary"]), true
	}
	form, _ := url.ParseQuery(string(body))
	return form, true
}

// multipartValues returns the fields of a multipart form, up to the first
// part it cannot read (Go's own parser refuses the whole form there, so a
// handler sees none of it). A file's name is checked; its content is not
// text and no handler takes files.
func multipartValues(body []byte, boundary string) url.Values {
	form := url.Values{}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if err != nil {
			return form
		}
		name := part.FormName()
		if part.FileName() != "" {
			form.Add(name, part.FileName())
			continue
		}
		value, err := io.ReadAll(part)
		if err != nil {
			return form
		}
		form.Add(name, string(value))
	}
}

// checkValues returns the first field, in name order, whose name or any
// value is not text.
func checkValues(values url.Values) (string, bool) {
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for name := range values {
			if !yield(name) {
				return
			}
		}
	}) {
		if !domain.IsText(name) {
			return name, false
		}
		for _, v := range values[name] {
			if !domain.IsText(v) {
				return name, false
			}
		}
	}
	return "", true
}

// maxFieldName is the longest field name a refusal repeats, in bytes.
const maxFieldName = 40

// fieldLabel is name as a refusal may show it: short, and with anything
// that is not printable text written as an escape (\x00, \xff).
func fieldLabel(name string) string {
	cut := len(name) > maxFieldName
	if cut {
		name = name[:maxFieldName]
		// Back off to a rune's start, so as not to cut through one.
		for i := 0; i < utf8.UTFMax && !utf8.ValidString(name); i++ {
			name = name[:len(name)-1]
		}
	}
	if !domain.IsText(name) || strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		quoted := strconv.QuoteToASCII(name)
		name = quoted[1 : len(quoted)-1]
	}
	if cut {
		name += "…"
	}
	return name
}

// refuseBadBytes answers 422 in the manner of the route: a reporter page
// in the reporter's language, a staff page, or plain text for the webhook
// and the health routes.
func (s *Server) refuseBadBytes(w nethttp.ResponseWriter, r *nethttp.Request, bad badBytes) {
	const status = nethttp.StatusUnprocessableEntity
	path := r.URL.Path
	if !domain.IsText(path) {
		path = "/" // the path itself is the problem; any route's manner will do
	}
	var err error
	switch {
	case strings.HasPrefix(path, "/staff/"):
		err = s.refuseStaffBadBytes(w, r, status, bad)
	case plainTextRoute(path):
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_, err = io.WriteString(w, bad.say(english)+"\n")
	default:
		c := s.chrome(lang(r, ""), "")
		paragraph := c.p.T("The web address has something in it that Whisper cannot read. Please check it and try again.")
		if bad.field != "" {
			paragraph = c.p.T("The field “%s” has something in it that Whisper cannot read. Please go back, take it out and send it again.", fieldLabel(bad.field))
		}
		err = s.render(w, status, "message", messagePage{
			chrome:     c,
			Heading:    c.p.T("We could not read what was sent"),
			Paragraphs: []string{paragraph, c.p.T("If someone is in danger right now, call 999.")},
		})
	}
	if err != nil {
		s.logFailure(r, status, err)
	}
}

// plainTextRoute says whether path is served as plain text, not pages.
func plainTextRoute(path string) bool {
	for _, prefix := range []string{"/sms/", "/healthz", "/readyz", "/static/"} {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}
