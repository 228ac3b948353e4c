package wire

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/whisper-schools/whisper/"

// imports returns, for each package directory under root (relative to the
// repository), the module's packages its non-test files import. Tests may
// stand up a whole site from several adapters; the code may not.
func imports(t *testing.T, root string) map[string][]string {
	t.Helper()
	repo := filepath.Join("..", "..", "..")
	out := map[string][]string{}
	err := filepath.WalkDir(filepath.Join(repo, root), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(repo, filepath.Dir(p))
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(rel)
		if _, seen := out[dir]; !seen {
			out[dir] = nil // a package importing nothing of the module is still counted
		}
		for _, spec := range f.Imports {
			if imp, _ := strconv.Unquote(spec.Path.Value); strings.HasPrefix(imp, module) {
				out[dir] = append(out[dir], strings.TrimPrefix(imp, module))
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, out, "no Go files under %s", root)
	return out
}

// adapterOf names the adapter a package belongs to: the first directory
// under adapters/, so that a store's seal and contract suite are the
// store's own.
func adapterOf(pkg string) string {
	rest, ok := strings.CutPrefix(pkg, "adapters/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// Adapters do not know each other: each meets the core through ports and
// app, and only the binaries (here, and cmd/) put them side by side. What
// several edges share, such as the message catalogue and the export
// formats, lives outside adapters/.
func TestAdaptersDoNotImportEachOther(t *testing.T) {
	for dir, imps := range imports(t, "adapters") {
		for _, imp := range imps {
			if other := adapterOf(imp); other != "" {
				assert.Equal(t, adapterOf(dir), other, "%s imports %s", dir, imp)
			}
		}
	}
}

// The shared packages outside adapters/ and the configuration lean on no
// adapter; the export formats take plain domain rows, not app's.
func TestSharedPackagesImportNoAdapter(t *testing.T) {
	for _, root := range []string{"catalogue", "export", "cmd/internal/config"} {
		for dir, imps := range imports(t, root) {
			for _, imp := range imps {
				assert.False(t, strings.HasPrefix(imp, "adapters/"), "%s imports %s", dir, imp)
				if root == "export" {
					assert.NotEqual(t, "app", imp, "%s imports %s", dir, imp)
				}
			}
		}
	}
}

// maxUseCases bounds a service's exported methods: past it, a service no
// longer says who acts, and wants splitting.
const maxUseCases = 25

// No type in app gathers every use case again: each has at most
// maxUseCases exported methods.
func TestAppTypesStaySmall(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "app")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	methods := map[string]int{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, e.Name()), nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() {
				continue
			}
			recv := fn.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			if id, ok := recv.(*ast.Ident); ok {
				methods[id.Name]++
			}
		}
	}
	require.NotEmpty(t, methods["Portal"], "the portal's use cases are methods of app.Portal")
	for typ, n := range methods {
		assert.LessOrEqual(t, n, maxUseCases, "app.%s has %d exported methods", typ, n)
	}
}
