// Package cataloguetest finds the messages that templates and Go code ask
// the catalogue for, so that each adapter's tests can check that every one
// of them is in the catalogue, and in Welsh where a reporter reads it.
package cataloguetest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
	"text/template/parse"

	"github.com/whisper-schools/whisper/catalogue"
)

// funcs are the template functions and methods that take a message key as
// their first argument.
var funcs = map[string]bool{"T": true, "TH": true}

// TemplateKeys returns the keys of every {{T "…"}} and {{TH "…"}} in the
// parse trees, in order, without repeats.
func TemplateKeys(trees ...*parse.Tree) []string {
	var keys []string
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, t := range trees {
		if t != nil && t.Root != nil {
			walk(t.Root, add)
		}
	}
	return keys
}

func walk(n parse.Node, add func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, add)
		}
	case *parse.ActionNode:
		walk(n.Pipe, add)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, add)
		}
	case *parse.CommandNode:
		if len(n.Args) >= 2 {
			if id, ok := n.Args[0].(*parse.IdentifierNode); ok && funcs[id.Ident] {
				if s, ok := n.Args[1].(*parse.StringNode); ok {
					add(s.Text)
				}
			}
		}
		for _, a := range n.Args {
			walk(a, add)
		}
	case *parse.IfNode:
		walk(n.Pipe, add)
		walk(n.List, add)
		walk(n.ElseList, add)
	case *parse.RangeNode:
		walk(n.Pipe, add)
		walk(n.List, add)
		walk(n.ElseList, add)
	case *parse.WithNode:
		walk(n.Pipe, add)
		walk(n.List, add)
		walk(n.ElseList, add)
	case *parse.TemplateNode:
		walk(n.Pipe, add)
	}
}

// GoKeys returns the keys of every call x.T("…", …) with a literal key in
// the Go files named.
func GoKeys(t testing.TB, files ...string) []string {
	t.Helper()
	var keys []string
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatalf("cataloguetest: %v", err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !funcs[sel.Sel.Name] {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if k, err := strconv.Unquote(lit.Value); err == nil {
					keys = append(keys, k)
				}
			}
			return true
		})
	}
	return keys
}

// RequireWelsh fails t for every key that is not a reporter message of the
// catalogue with its Welsh: a reporter would read it in English on a Welsh
// page.
func RequireWelsh(t testing.TB, where string, keys []string) {
	t.Helper()
	if len(keys) == 0 {
		t.Errorf("%s: no messages found; is the scan looking in the right place?", where)
	}
	for _, k := range keys {
		e, ok := catalogue.Lookup(k)
		switch {
		case !ok:
			t.Errorf("%s: %q is not in the catalogue", where, k)
		case !catalogue.ForReporters(k):
			t.Errorf("%s: %q is a staff message; a reporter sees it, so move it to a reporter section", where, k)
		case e.Welsh == "":
			t.Errorf("%s: %q has no Welsh", where, k)
		}
	}
}

// RequireEnglish fails t for every key that is not in the catalogue at
// all, Welsh or not.
func RequireEnglish(t testing.TB, where string, keys []string) {
	t.Helper()
	if len(keys) == 0 {
		t.Errorf("%s: no messages found; is the scan looking in the right place?", where)
	}
	for _, k := range keys {
		if _, ok := catalogue.Lookup(k); !ok {
			t.Errorf("%s: %q is not in the catalogue", where, k)
		}
	}
}
