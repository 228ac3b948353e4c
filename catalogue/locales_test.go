package catalogue

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// readAll reads every section's file in every language, failing t for any
// that does not parse.
func readAll(t *testing.T) map[string][]*gotextFile {
	t.Helper()
	out := map[string][]*gotextFile{}
	for _, sf := range sectionFiles {
		for _, l := range languages {
			f, err := readFile(locales, l.dir, sf.file)
			require.NoError(t, err)
			out[sf.file] = append(out[sf.file], f)
		}
	}
	return out
}

// TestEveryFileIsRead: a file under locales that no section names would be
// translated and never shown.
func TestEveryFileIsRead(t *testing.T) {
	want := map[string]bool{}
	for _, sf := range sectionFiles {
		for _, l := range languages {
			want[path.Join("locales", l.dir, sf.file+".gotext.json")] = true
		}
	}
	err := fs.WalkDir(locales, "locales", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			assert.True(t, want[name], "%s is not a section's file", name)
			delete(want, name)
		}
		return err
	})
	require.NoError(t, err)
	assert.Empty(t, want, "missing files")
}

// TestBothLanguagesHaveEveryMessage: the Welsh file of a section lists
// exactly the English file's messages, with the same key and placeholders,
// so a translator sees every message, untranslated ones too.
func TestBothLanguagesHaveEveryMessage(t *testing.T) {
	for file, fs := range readAll(t) {
		en, cy := fs[0], fs[1]
		ids := func(f *gotextFile) []string {
			var out []string
			for _, m := range f.Messages {
				out = append(out, m.ID)
			}
			return out
		}
		assert.Equal(t, ids(en), ids(cy), "%s: the messages differ between en and cy", file)
		byID := map[string]gotextMessage{}
		for _, m := range cy.Messages {
			_, dup := byID[m.ID]
			assert.False(t, dup, "%s: %q is listed twice", file, m.ID)
			byID[m.ID] = m
		}
		for _, e := range en.Messages {
			c, ok := byID[e.ID]
			if !ok {
				continue
			}
			assert.Equal(t, e.key(), c.key(), "%s: %q: keys", file, e.ID)
			assert.Equal(t, e.Placeholders, c.Placeholders, "%s: %q: placeholders", file, e.ID)
			if !c.Message.empty() {
				assert.Equal(t, e.Message, c.Message, "%s: %q: the Welsh file's source text is out of date", file, e.ID)
			}
		}
	}
}

// TestEnglishIsTheKey: the English a message prints is the format its key
// names, so that a template reads as the English it prints.
func TestEnglishIsTheKey(t *testing.T) {
	for file, fs := range readAll(t) {
		for _, m := range fs[0].Messages {
			require.False(t, m.Translation.empty(), "%s: %q has no English", file, m.ID)
			require.Nil(t, m.Message.Select, "%s: %q: the message is plain text; its forms go in the translation", file, m.ID)
			other := m.Translation.Msg
			if m.Translation.Select != nil {
				other = m.Translation.Select.Cases["other"].Msg
			}
			assert.Equal(t, m.Message.Msg, other, "%s: %q: the English translation's (other) text is its message", file, m.ID)
			assert.Equal(t, m.Message.Msg, m.ID, "%s: the id is the message", file)

			for i, p := range m.Placeholders {
				assert.Equal(t, i+1, p.ArgNum, "%s: %q: {%s} is argument %d", file, m.ID, p.ID, i+1)
			}
			format, err := m.format(m.Message.Msg)
			require.NoError(t, err, "%s: %q", file, m.ID)
			args := samples(m.Placeholders)
			assert.Equal(t, fmt.Sprintf(m.key(), args...), fmt.Sprintf(format, args...), "%s: %q: the key and the message say different things", file, m.ID)
			if len(m.Placeholders) == 0 {
				assert.Empty(t, m.Key, "%s: %q: with no arguments, the id is the key", file, m.ID)
			}
		}
	}
}

// samples are arguments for placeholders, each different.
func samples(ps []placeholder) []any {
	var out []any
	for i, p := range ps {
		if p.Type == "int" {
			out = append(out, 1001+i)
		} else {
			out = append(out, fmt.Sprintf("«arg %d»", i+1))
		}
	}
	return out
}

// TestTranslationsUseTheirPlaceholders: every text of a translation, each
// plural form too, uses each of the message's placeholders, and no other.
func TestTranslationsUseTheirPlaceholders(t *testing.T) {
	for file, fs := range readAll(t) {
		for i, f := range fs {
			for _, m := range f.Messages {
				want := used(t, &m, m.Message.Msg)
				assert.ElementsMatch(t, slices.Collect(maps.Keys(want)), placeholderIDs(m.Placeholders), "%s: %q: every placeholder is in the message", file, m.ID)
				for _, text := range texts(m.Translation) {
					if text == "" && i > 0 {
						continue // no Welsh yet
					}
					assert.Equal(t, want, used(t, &m, text), "%s (%s): %q: placeholders of %q", file, f.Language, m.ID, text)
				}
				if s := m.Translation.Select; s != nil {
					p, _ := m.placeholder(s.Arg)
					assert.Equal(t, "int", p.Type, "%s: %q: a plural is chosen by a count", file, m.ID)
				}
			}
		}
	}
}

// TestEveryMessageHasWelshInItsFile: every section's file, the staff
// portal's and the errors' too, has a Welsh translation for every message,
// and for each of its plural forms.
func TestEveryMessageHasWelshInItsFile(t *testing.T) {
	all := readAll(t)
	for _, sf := range sectionFiles {
		for _, m := range all[sf.file][1].Messages {
			for _, text := range texts(m.Translation) {
				assert.NotEmpty(t, strings.TrimSpace(text), "%s: %q has no Welsh", sf.file, m.ID)
			}
		}
	}
}

func texts(t gotextText) []string {
	if t.Select == nil {
		return []string{t.Msg}
	}
	var out []string
	for _, c := range slices.Sorted(maps.Keys(t.Select.Cases)) {
		out = append(out, t.Select.Cases[c].Msg)
	}
	return out
}

func used(t *testing.T, m *gotextMessage, text string) map[string]int {
	t.Helper()
	n := map[string]int{}
	_, err := m.substitute(text, func(p placeholder) string { n[p.ID]++; return "" })
	require.NoError(t, err, "%q", m.ID)
	return n
}

func placeholderIDs(ps []placeholder) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// TestBrokenFilesAreRefused: what a slip in a file does is an error that
// names it, not a message quietly lost.
func TestBrokenFilesAreRefused(t *testing.T) {
	const good = `{"id": "Hello {Name}", "key": "Hello %s", "message": "Hello {Name}", "translation": "Hello {Name}",
		"placeholders": [{"id": "Name", "string": "%[1]s", "type": "string", "underlyingType": "string", "argNum": 1}]}`
	for name, welsh := range map[string]string{
		"not JSON":            `{`,
		"a misspelt field":    `{"language": "cy", "messages": [{"id": "x", "message": "x", "translaton": "y"}]}`,
		"the wrong language":  `{"language": "en", "messages": []}`,
		"unknown placeholder": `{"language": "cy", "messages": [{"id": "x", "message": "x", "translation": "Helo {Enw}"}]}`,
		"unclosed brace":      `{"language": "cy", "messages": [{"id": "x", "message": "x", "translation": "Helo {Name"}]}`,
		"no other case":       `{"language": "cy", "messages": [` + strings.Replace(good, `"translation": "Hello {Name}"`, `"translation": {"select": {"feature": "plural", "arg": "Name", "cases": {"one": "x"}}}`, 1) + `]}`,
		"unknown case":        `{"language": "cy", "messages": [` + strings.Replace(good, `"translation": "Hello {Name}"`, `"translation": {"select": {"feature": "plural", "arg": "Name", "cases": {"lots": "x", "other": "y"}}}`, 1) + `]}`,
		"gender":              `{"language": "cy", "messages": [` + strings.Replace(good, `"translation": "Hello {Name}"`, `"translation": {"select": {"feature": "gender", "arg": "Name", "cases": {"other": "y"}}}`, 1) + `]}`,
	} {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, sf := range sectionFiles {
				fsys[path.Join("locales/en", sf.file+".gotext.json")] = &fstest.MapFile{Data: []byte(`{"language": "en", "messages": [` + good + `]}`)}
				fsys[path.Join("locales/cy", sf.file+".gotext.json")] = &fstest.MapFile{Data: []byte(`{"language": "cy", "messages": []}`)}
			}
			_, err := load(fsys, catalog.NewBuilder(catalog.Fallback(language.English)))
			require.NoError(t, err, "the good files load")
			fsys["locales/cy/pages.gotext.json"] = &fstest.MapFile{Data: []byte(welsh)}
			_, err = load(fsys, catalog.NewBuilder(catalog.Fallback(language.English)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "pages.gotext.json")
		})
	}
}

// TestWelshPluralForms: a Welsh translation can choose among Welsh's own
// plural forms, and among exact counts, where the English has two.
func TestWelshPluralForms(t *testing.T) {
	const en = `{"language": "en", "messages": [{"id": "{Count} reports", "key": "%d reports", "message": "{Count} reports",
		"translation": {"select": {"feature": "plural", "arg": "Count", "cases": {"one": "{Count} report", "other": "{Count} reports"}}},
		"placeholders": [{"id": "Count", "string": "%[1]d", "type": "int", "underlyingType": "int", "argNum": 1}]}]}`
	cy := strings.Replace(strings.Replace(en, `"en"`, `"cy"`, 1), `{"one": "{Count} report", "other": "{Count} reports"}`,
		`{"=0": "dim adroddiad", "two": "{Count} adroddiad (dau)", "other": "{Count} adroddiad"}`, 1)
	fsys := fstest.MapFS{}
	for _, sf := range sectionFiles {
		fsys[path.Join("locales/en", sf.file+".gotext.json")] = &fstest.MapFile{Data: []byte(`{"language": "en", "messages": []}`)}
		fsys[path.Join("locales/cy", sf.file+".gotext.json")] = &fstest.MapFile{Data: []byte(`{"language": "cy", "messages": []}`)}
	}
	fsys["locales/en/staff.gotext.json"] = &fstest.MapFile{Data: []byte(en)}
	fsys["locales/cy/staff.gotext.json"] = &fstest.MapFile{Data: []byte(cy)}
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	_, err := load(fsys, b)
	require.NoError(t, err)
	enp, cyp := message.NewPrinter(language.English, message.Catalog(b)), message.NewPrinter(welsh, message.Catalog(b))
	assert.Equal(t, "1 report", enp.Sprintf("%d reports", 1))
	assert.Equal(t, "1,001 reports", enp.Sprintf("%d reports", 1001))
	assert.Equal(t, "dim adroddiad", cyp.Sprintf("%d reports", 0))
	assert.Equal(t, "2 adroddiad (dau)", cyp.Sprintf("%d reports", 2))
	assert.Equal(t, "3 adroddiad", cyp.Sprintf("%d reports", 3))
}
