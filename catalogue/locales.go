package catalogue

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"
)

// The messages live in locales/<language>/<section>.gotext.json, in the
// JSON format of golang.org/x/text's gotext tool, which translation tools
// such as Weblate read and write. English is the base: every message is in
// its file, and the Welsh file of the same section lists the same messages,
// with an empty translation where there is no Welsh yet.
//
//go:embed locales
var locales embed.FS

// sectionFiles are the sections, in the order Sections returns them.
var sectionFiles = []struct {
	file, name string
	reporter   bool
}{
	{"pages", "reporter pages", true},
	{"problems", "reporter problems", true},
	{"notice", "notice", true},
	{"emails", "reporter emails", true},
	{"texts", "reporter texts", true},
	{"staff", "staff portal", false},
	{"errors", "staff and operator errors", false},
	{"notices", "staff notices and emails to admins", false},
}

// languages are the languages of the files, the first the base.
var languages = []struct {
	dir string
	tag language.Tag
}{
	{"en", language.English},
	{"cy", welsh},
}

// gotextFile is a messages file as gotext writes it (its Messages type in
// golang.org/x/text/message/pipeline, which is not imported because it
// brings the whole extraction tool with it).
type gotextFile struct {
	Language string          `json:"language"`
	Messages []gotextMessage `json:"messages"`
}

// gotextMessage is one message. ID is the English with named placeholders
// ("for {School}"), which is what a translator sees; Key, when the message
// has arguments, is the Sprintf format the code asks for ("for %s"), and
// otherwise the ID is the key.
type gotextMessage struct {
	ID                string        `json:"id"`
	Key               string        `json:"key"`
	Meaning           string        `json:"meaning"`
	Message           gotextText    `json:"message"`
	Translation       gotextText    `json:"translation"`
	Comment           string        `json:"comment"`
	TranslatorComment string        `json:"translatorComment"`
	Placeholders      []placeholder `json:"placeholders"`
	Fuzzy             bool          `json:"fuzzy"`
	Position          string        `json:"position"`
}

// placeholder stands for one argument: {ID} in a text is String ("%[1]s")
// in the format it is built into.
type placeholder struct {
	ID             string `json:"id"`
	String         string `json:"string"`
	Type           string `json:"type"`
	UnderlyingType string `json:"underlyingType"`
	ArgNum         int    `json:"argNum"`
	Expr           string `json:"expr"`
	Comment        string `json:"comment"`
	Example        string `json:"example"`
}

// gotextText is a text: a plain string, or a choice between texts by the
// plural form of an argument.
type gotextText struct {
	Msg     string        `json:"msg"`
	Select  *gotextSelect `json:"select"`
	Example string        `json:"example"`
}

type gotextSelect struct {
	Feature string                `json:"feature"`
	Arg     string                `json:"arg"`
	Cases   map[string]gotextText `json:"cases"`
}

// UnmarshalJSON reads a text written as a string or as an object.
func (t *gotextText) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &t.Msg)
	}
	type raw gotextText // without this method
	return decodeStrict(b, (*raw)(t))
}

// decodeStrict decodes JSON that must hold only the fields v has, so that
// a misspelt field is an error rather than a message silently lost.
func decodeStrict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

func (t gotextText) empty() bool { return t.Msg == "" && t.Select == nil }

// key is the message's key.
func (m *gotextMessage) key() string {
	if m.Key != "" {
		return m.Key
	}
	return m.ID
}

func (m *gotextMessage) placeholder(id string) (placeholder, bool) {
	for _, p := range m.Placeholders {
		if p.ID == id {
			return p, true
		}
	}
	return placeholder{}, false
}

// format turns a text's placeholders into its Sprintf format:
// "ar gyfer {School}" becomes "ar gyfer %[1]s".
func (m *gotextMessage) format(text string) (string, error) {
	return m.substitute(text, func(p placeholder) string { return p.String })
}

// plainFormat is format without the argument indexes when they say no more
// than the order does ("ar gyfer %s"), as the code writes its keys.
func (m *gotextMessage) plainFormat(text string) (string, error) {
	var used []placeholder
	if _, err := m.substitute(text, func(p placeholder) string { used = append(used, p); return "" }); err != nil {
		return "", err
	}
	for i, p := range used {
		if p.ArgNum != i+1 || !strings.HasPrefix(p.String, fmt.Sprintf("%%[%d]", i+1)) {
			return m.format(text)
		}
	}
	return m.substitute(text, func(p placeholder) string { return "%" + p.String[strings.IndexByte(p.String, ']')+1:] })
}

// substitute replaces each {ID} in text with by(its placeholder).
func (m *gotextMessage) substitute(text string, by func(placeholder) string) (string, error) {
	var b strings.Builder
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			if strings.IndexByte(text, '}') >= 0 {
				return "", fmt.Errorf("a } with no { in %q", text)
			}
			b.WriteString(text)
			return b.String(), nil
		}
		end := strings.IndexByte(text[open:], '}')
		if end < 0 {
			return "", fmt.Errorf("a { with no } in %q", text)
		}
		if strings.IndexByte(text[:open], '}') >= 0 {
			return "", fmt.Errorf("a } with no { in %q", text)
		}
		id := strings.TrimSpace(text[open+1 : open+end])
		p, ok := m.placeholder(id)
		if !ok {
			return "", fmt.Errorf("no placeholder {%s} in the message's placeholders", id)
		}
		b.WriteString(text[:open])
		b.WriteString(by(p))
		text = text[open+end+1:]
	}
}

// pluralCases are the plural forms in the order they are tried; exact
// values ("=0") go before them and "other" comes last.
var pluralCases = []string{"zero", "one", "two", "few", "many"}

// compile builds t into a catalogue message.
func (m *gotextMessage) compile(t gotextText) (catalog.Message, error) {
	if t.Select == nil {
		s, err := m.format(t.Msg)
		return catalog.String(s), err
	}
	sel := t.Select
	if sel.Feature != "plural" {
		return nil, fmt.Errorf("select by %q: only plural is supported", sel.Feature)
	}
	p, ok := m.placeholder(sel.Arg)
	if !ok {
		return nil, fmt.Errorf("select by {%s}, which is not a placeholder", sel.Arg)
	}
	if _, ok := sel.Cases["other"]; !ok {
		return nil, fmt.Errorf("select by {%s} has no \"other\" case", sel.Arg)
	}
	names := make([]string, 0, len(sel.Cases))
	for c := range sel.Cases {
		names = append(names, c)
	}
	slices.SortFunc(names, func(a, b string) int { return caseOrder(a) - caseOrder(b) })
	var cases []any
	for _, c := range names {
		if caseOrder(c) < 0 {
			return nil, fmt.Errorf("select by {%s}: unknown case %q", sel.Arg, c)
		}
		ct := sel.Cases[c]
		if ct.Select != nil {
			return nil, fmt.Errorf("select by {%s}: case %q selects again, which is not supported", sel.Arg, c)
		}
		s, err := m.format(ct.Msg)
		if err != nil {
			return nil, err
		}
		cases = append(cases, c, s)
	}
	return plural.Selectf(p.ArgNum, p.String, cases...), nil
}

// caseOrder ranks a plural case, -1 when it is not one.
func caseOrder(c string) int {
	switch {
	case strings.HasPrefix(c, "=") || strings.HasPrefix(c, "<"):
		return 0
	case c == "other":
		return len(pluralCases) + 1
	}
	if i := slices.Index(pluralCases, c); i >= 0 {
		return i + 1
	}
	return -1
}

// cases returns the texts of t in plain Sprintf form: its "one" and
// "other" cases when it selects, or other alone.
func (m *gotextMessage) cases(t gotextText) (one, other string, err error) {
	if t.Select == nil {
		other, err = m.plainFormat(t.Msg)
		return "", other, err
	}
	if c, ok := t.Select.Cases["one"]; ok {
		if one, err = m.plainFormat(c.Msg); err != nil {
			return "", "", err
		}
	}
	other, err = m.plainFormat(t.Select.Cases["other"].Msg)
	return one, other, err
}

// readFile reads one messages file.
func readFile(fsys fs.FS, dir, file string) (*gotextFile, error) {
	name := path.Join("locales", dir, file+".gotext.json")
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var f gotextFile
	if err := decodeStrict(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if f.Language != dir {
		return nil, fmt.Errorf("%s: its language is %q", name, f.Language)
	}
	return &f, nil
}

// load reads every file into b and returns the sections they make.
func load(fsys fs.FS, b *catalog.Builder) ([]Section, error) {
	var sections []Section
	for _, sf := range sectionFiles {
		s := Section{Name: sf.name, File: sf.file + ".gotext.json", Reporter: sf.reporter}
		byLang := make([]map[string]*gotextMessage, len(languages))
		var base *gotextFile
		for i, l := range languages {
			f, err := readFile(fsys, l.dir, sf.file)
			if err != nil {
				return nil, err
			}
			if i == 0 {
				base = f
			}
			byLang[i] = map[string]*gotextMessage{}
			for j := range f.Messages {
				m := &f.Messages[j]
				if m.Translation.empty() {
					continue
				}
				msg, err := m.compile(m.Translation)
				if err == nil {
					err = b.Set(l.tag, m.key(), msg)
				}
				if err != nil {
					return nil, fmt.Errorf("locales/%s/%s: %q: %w", l.dir, s.File, m.ID, err)
				}
				byLang[i][m.ID] = m
			}
		}
		for j := range base.Messages {
			m := &base.Messages[j]
			e := Entry{English: m.key()}
			var err error
			if e.One, _, err = m.cases(m.Translation); err == nil {
				if cy, ok := byLang[1][m.ID]; ok {
					e.WelshOne, e.Welsh, err = cy.cases(cy.Translation)
				}
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %q: %w", s.File, m.ID, err)
			}
			s.Entries = append(s.Entries, e)
		}
		sections = append(sections, s)
	}
	return sections, nil
}
