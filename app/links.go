package app

import (
	"html"
	"net/url"
	"strings"

	"github.com/whisper-schools/whisper/domain"
)

// Links are the addresses Whisper hands out: in emails, texts, the pages
// and the snippet a school pastes into its website. They all start at the
// public URL, so that a link works from outside whatever the request came
// through.
type Links struct {
	base string // the public URL, no trailing slash
}

// NewLinks returns the links under publicURL.
func NewLinks(publicURL string) Links { return Links{base: strings.TrimRight(publicURL, "/")} }

// Link joins path segments onto the public URL, escaping each.
func (l Links) Link(segments ...string) string {
	escaped := make([]string, len(segments))
	for i, seg := range segments {
		escaped[i] = url.PathEscape(seg)
	}
	return l.base + "/" + strings.Join(escaped, "/")
}

// FormURL is the public address of a form.
func (l Links) FormURL(code domain.FormCode) string { return l.Link("r", string(code)) }

// ConversationURL is a reporter's secret conversation link.
func (l Links) ConversationURL(token domain.Token) string { return l.Link("t", string(token)) }

// InteractionURL is where staff open an interaction in the portal.
func (l Links) InteractionURL(ref domain.Reference) string {
	return l.Link("staff", "interactions", string(ref))
}

// FormSnippet is the HTML a school pastes into its own website to link to
// its form.
func (l Links) FormSnippet(f *domain.Form) string {
	return `<a href="` + html.EscapeString(l.FormURL(f.Code)) + `" rel="noopener">` +
		html.EscapeString("Report a worry to "+f.Name+" – you can stay anonymous") + `</a>`
}
