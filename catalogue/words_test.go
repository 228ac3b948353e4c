package catalogue_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/catalogue"
)

// said is one place where the code names words for a person.
type said struct {
	key string
	ok  bool   // whether key is known: a literal or a constant
	at  string // file:line
	fn  string // the function it is in
	// args is how many arguments come with the key, -1 when unknown (a
	// literal's fields, or args... passed on).
	args int
}

// wordsInCode finds every key the code outside the catalogue puts into
// domain.Words, an error's or a problem's safe words: the key argument of
// domain.Errorf and domain.Say, and the Key of a domain.Words literal.
// Tests and test helpers are left out.
func wordsInCode(t *testing.T, root string) []said {
	t.Helper()
	var out []said
	err := filepath.WalkDir(root, func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		switch name := d.Name(); {
		case dir != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules"),
			name == "catalogue", name == "e2e", name == "tools", strings.HasSuffix(name, "test"):
			return filepath.SkipDir
		}
		out = append(out, wordsInPackage(t, root, dir)...)
		return nil
	})
	require.NoError(t, err)
	return out
}

func wordsInPackage(t *testing.T, root, dir string) []said {
	fset := token.NewFileSet()
	var files []*ast.File
	entries, err := filepathGlob(dir)
	require.NoError(t, err)
	for _, name := range entries {
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		files = append(files, f)
	}
	// The package's string constants, for keys named by one.
	consts := map[string]string{}
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if s, ok := stringLit(vs.Values[i]); ok {
							consts[n.Name] = s
						}
					}
				}
			}
		}
	}
	var out []said
	for _, f := range files {
		inDomain := f.Name.Name == "domain"
		// isDomain reports whether e names domain's name.
		isDomain := func(e ast.Expr, name string) bool {
			if id, ok := e.(*ast.Ident); ok {
				return inDomain && id.Name == name
			}
			sel, ok := e.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != name {
				return false
			}
			x, ok := sel.X.(*ast.Ident)
			return ok && x.Name == "domain" && !inDomain
		}
		for _, decl := range f.Decls {
			fn := ""
			if fd, ok := decl.(*ast.FuncDecl); ok {
				fn = fd.Name.Name
			}
			ast.Inspect(decl, func(n ast.Node) bool {
				var key ast.Expr
				args := -1
				switch n := n.(type) {
				case *ast.CallExpr:
					switch {
					case isDomain(n.Fun, "Errorf") && len(n.Args) >= 2:
						key, args = n.Args[1], len(n.Args)-2
					case isDomain(n.Fun, "Say") && len(n.Args) >= 1:
						key, args = n.Args[0], len(n.Args)-1
					}
					if n.Ellipsis.IsValid() {
						args = -1
					}
				case *ast.CompositeLit:
					if isDomain(n.Type, "Words") {
						for _, el := range n.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								if id, ok := kv.Key.(*ast.Ident); ok && id.Name == "Key" {
									key = kv.Value
								}
							}
						}
					}
				}
				if key == nil {
					return true
				}
				s := said{at: relPos(root, fset.Position(key.Pos())), fn: fn, args: args}
				if lit, ok := stringLit(key); ok {
					s.key, s.ok = lit, true
				} else if id, ok := key.(*ast.Ident); ok {
					s.key = consts[id.Name]
					_, s.ok = consts[id.Name]
				}
				out = append(out, s)
				return true
			})
		}
	}
	return out
}

func filepathGlob(dir string) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	var out []string
	for _, n := range names {
		if !strings.HasSuffix(n, "_test.go") {
			out = append(out, n)
		}
	}
	return out, err
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func relPos(root string, p token.Position) string {
	name, err := filepath.Rel(root, p.Filename)
	if err != nil {
		name = p.Filename
	}
	return name + ":" + strconv.Itoa(p.Line)
}

// TestEveryWordInTheCodeIsInTheCatalogue: whatever words app, domain and
// the adapters give a person, an edge can say them in the reader's
// language only if the catalogue has their key.
func TestEveryWordInTheCodeIsInTheCatalogue(t *testing.T) {
	found := wordsInCode(t, "..")
	keys := map[string]bool{}
	for _, s := range found {
		if !s.ok {
			// Errorf and Say pass their caller's key on.
			if s.at[:strings.LastIndexByte(s.at, ':')] == filepath.Join("domain", "errors.go") && (s.fn == "Errorf" || s.fn == "Say") {
				continue
			}
			t.Errorf("%s: the key is not a string literal or constant, so this test cannot check it", s.at)
			continue
		}
		keys[s.key] = true
		if s.args >= 0 && s.args != arguments(s.key) {
			t.Errorf("%s: %q takes %d arguments, not %d", s.at, s.key, arguments(s.key), s.args)
		}
		if s.key == "" {
			continue // the kind's generic words
		}
		if _, ok := catalogue.Lookup(s.key); !ok {
			t.Errorf("%s: %q is not in the catalogue", s.at, s.key)
		}
	}
	// errors.gotext.json holds exactly the words the code says that have
	// no other section, so a translator is not asked for words no one reads.
	for _, sec := range catalogue.Sections() {
		if sec.File != "errors.gotext.json" {
			continue
		}
		for _, e := range sec.Entries {
			assert.True(t, keys[e.English], "errors.gotext.json: the code no longer says %q", e.English)
		}
	}
	// The scan must be looking in the right places.
	for _, k := range []string{"please write a message", "Not found.", "the form code %s is taken", "no such %s"} {
		assert.True(t, keys[k], "the scan did not find %q", k)
	}
}

// arguments is how many arguments a Sprintf format uses: its verbs, or its
// highest explicit index. (Errorf and Say are not printf wrappers to go
// vet, so this check stands in for vet's.)
func arguments(format string) int {
	n, highest := 0, 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0 {
			i++
		}
		if i < len(format) && format[i] == '%' {
			continue
		}
		if i < len(format) && format[i] == '[' {
			end := strings.IndexByte(format[i:], ']')
			if k, err := strconv.Atoi(format[i+1 : i+end]); err == nil {
				n = k - 1
			}
			i += end + 1
		}
		n++
		highest = max(highest, n)
	}
	return highest
}

func TestArguments(t *testing.T) {
	for format, want := range map[string]int{
		"plain": 0, "100%% sure": 0, "%d of %d": 2, "%[2]s then %[1]s": 2, "%-5.2f and %q": 2, "%[1]d, %[1]d": 1,
	} {
		assert.Equal(t, want, arguments(format), format)
	}
}
