package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	texttemplate "text/template"

	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
)

//go:embed templates
var templateFiles embed.FS

// Composed is an email ready to send: a subject, a plain-text body and the
// same words as simple HTML.
type Composed struct {
	Subject string
	Text    string
	HTML    string
}

var (
	// byKind holds each kind's "subject" and "text" templates, parsed once
	// for each language. A template's words come from the catalogue
	// through {{T "…"}}, bound to the language when it is parsed, and an
	// email is in English or Welsh by the delivery's language: the
	// reporter's, or the staff member's own choice (an invitation's is the
	// one the inviting admin gave the new member); an address that is no
	// member's, such as an organisation's contact, is written to in
	// English.
	byKind = map[domain.Language]map[domain.DeliveryKind]*texttemplate.Template{
		domain.English: parseKinds(catalogue.For(domain.English), domain.English),
		domain.Welsh:   parseKinds(catalogue.For(domain.Welsh), domain.Welsh),
	}
	htmlLayout = htmltemplate.Must(htmltemplate.ParseFS(templateFiles, "templates/layout.html"))
)

func parseKinds(p *catalogue.Printer, lang domain.Language) map[domain.DeliveryKind]*texttemplate.Template {
	names, err := fs.Glob(templateFiles, "templates/*.txt")
	if err != nil {
		panic(err)
	}
	out := map[domain.DeliveryKind]*texttemplate.Template{}
	for _, name := range names {
		kind := domain.DeliveryKind(strings.TrimSuffix(path.Base(name), ".txt"))
		funcs := texttemplate.FuncMap{
			"T": p.T, "lostLink": func(link string) string { return lostLinkPage(link, lang) },
			"day": func(iso string) string { return day(p, iso) }, "erasureLines": erasureLines, "count": count,
			"digest": domain.DecodeDigest,
		}
		out[kind] = texttemplate.Must(texttemplate.New("").Funcs(funcs).ParseFS(templateFiles, name))
	}
	return out
}

// Compose writes the email for a delivery. The words come from the kind's
// template; the delivery supplies only its subject line and one link, so no
// email can carry more than its delivery holds.
func Compose(d *domain.Delivery) (Composed, error) {
	if d.Channel != domain.DeliveryEmail {
		return Composed{}, fmt.Errorf("mail: delivery %s is not an email", d.ID)
	}
	// Any language Whisper does not speak is English.
	lang := domain.English
	if d.Language == domain.Welsh {
		lang = domain.Welsh
	}
	t, ok := byKind[lang][d.Kind]
	if !ok {
		return Composed{}, fmt.Errorf("mail: no email for deliveries of kind %q", d.Kind)
	}
	d = inNewShape(d)
	var subject, text bytes.Buffer
	if err := t.ExecuteTemplate(&subject, "subject", d); err != nil {
		return Composed{}, fmt.Errorf("mail: writing the subject: %w", err)
	}
	if err := t.ExecuteTemplate(&text, "text", d); err != nil {
		return Composed{}, fmt.Errorf("mail: writing the text: %w", err)
	}
	c := Composed{Subject: headerSafe(subject.String()), Text: text.String()}
	var html bytes.Buffer
	err := htmlLayout.ExecuteTemplate(&html, "html", struct {
		Language, Subject, Link string
		Paragraphs              []string
	}{string(lang), c.Subject, d.Link, paragraphsWithout(c.Text, d.Link)})
	if err != nil {
		return Composed{}, fmt.Errorf("mail: writing the HTML: %w", err)
	}
	c.HTML = html.String()
	return c, nil
}

// oldSubjects are the subjects that emails queued before their words
// moved into their templates (and into the reader's language) were
// queued with, always in English: the subject was then the whole
// sentence, where it is now the inbox's or the organisation's name alone.
// Each pattern's first group is that name; an erasure warning's count
// was in the sentence, and is now a field of its own.
var oldSubjects = map[domain.DeliveryKind]*regexp.Regexp{
	domain.DeliveryStaffNewReport: regexp.MustCompile(`^New report in (.+)$`),
	domain.DeliveryStaffInvite:    regexp.MustCompile(`^You have been invited to Whisper by (.+)$`),
	domain.DeliveryErasureWarning: regexp.MustCompile(`^(\d+) Whisper reports of (.+) will be erased soon$`),
	domain.DeliverySubjectAccess:  regexp.MustCompile(`^A subject access request concerns Whisper reports of (.+)$`),
}

// inNewShape returns a delivery queued by an older version as the current
// one would queue it, so that an email waiting in the outbox across an
// upgrade reads "New report in Inbox (Form)" and not "New report in New
// report in …". d is not changed.
func inNewShape(d *domain.Delivery) *domain.Delivery {
	old, ok := oldSubjects[d.Kind]
	if !ok || d.Language != domain.English {
		return d
	}
	m := old.FindStringSubmatch(d.Subject)
	if m == nil {
		return d
	}
	c := *d
	c.Subject = m[len(m)-1]
	if d.Kind == domain.DeliveryErasureWarning {
		c.Count, _ = strconv.Atoi(m[1])
	}
	return &c
}

// headerSafe keeps a header value on one line: CR and LF are what header
// injection needs, and nothing legitimate in a subject uses them.
func headerSafe(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}

// paragraphsWithout splits the text into paragraphs for the HTML version,
// leaving out the link, which the layout shows as a link.
func paragraphsWithout(text, link string) []string {
	var out []string
	for _, p := range strings.Split(strings.TrimSpace(text), "\n\n") {
		p = strings.TrimSpace(strings.ReplaceAll(p, link, ""))
		if p != "" {
			out = append(out, strings.ReplaceAll(p, "\n", " "))
		}
	}
	return out
}

// lostLinkPage is where a reporter asks for a fresh link, on the site that
// serves their conversation link: the public URL, which the link starts
// with, then /link, in the email's language.
func lostLinkPage(conversationLink string, lang domain.Language) string {
	base := conversationLink
	if i := strings.LastIndex(base, "/t/"); i >= 0 {
		base = base[:i]
	}
	if lang == domain.Welsh {
		return base + "/link?lang=cy"
	}
	return base + "/link"
}
