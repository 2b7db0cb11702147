package sqlite_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// errorMakers are forum's constructors of errors for people. A store that calls one is
// phrasing a refusal itself, and a second store would phrase it again, differently: the
// rules and their words live in forum (DESIGN.md "Rules live in forum"), and the store
// returns what forum's checks and NotFound helpers return.
var errorMakers = map[string]bool{"Errorf": true, "Coded": true, "Invalid": true, "RateLimited": true}

// phrasedErrors lists each place in src that makes a forum error itself: a call of one of
// errorMakers, or a forum.Error literal.
func phrasedErrors(fset *token.FileSet, f *ast.File) []string {
	var out []string
	isForum := func(e ast.Expr, names func(string) bool) bool {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		pkg, ok := sel.X.(*ast.Ident)
		return ok && pkg.Name == "forum" && names(sel.Sel.Name)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if isForum(n.Fun, func(name string) bool { return errorMakers[name] }) {
				out = append(out, fset.Position(n.Pos()).String())
			}
		case *ast.CompositeLit:
			if isForum(n.Type, func(name string) bool { return name == "Error" }) {
				out = append(out, fset.Position(n.Pos()).String())
			}
		}
		return true
	})
	return out
}

// TestNoRuleWordedHere fails when a non-test file of this package makes a forum error
// itself instead of calling forum (a rule check, or a NotFound helper).
func TestNoRuleWordedHere(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, at := range phrasedErrors(fset, f) {
			t.Errorf("%s: the store words a refusal itself; put the rule and its message in forum and call it", at)
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d files: is the test running in the package's folder?", checked)
	}
}

// TestPhrasedErrorsFindsThem: the check above would notice each way of wording an error.
func TestPhrasedErrorsFindsThem(t *testing.T) {
	for _, src := range []string{
		`return forum.Coded(forum.EForbidden, "self_vote", "You cannot vote on your own post.")`,
		`return forum.Errorf(forum.ENotFound, "There is no post %d.", id)`,
		`return forum.Invalid("parent_id", "bad_parent", "No.")`,
		`return forum.RateLimited(time.Second, "Slow down.")`,
		`return &forum.Error{Kind: forum.EConflict, Message: "Taken."}`,
	} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "x.go", "package x\nfunc f() error {\n"+src+"\n}\n", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(phrasedErrors(fset, f)) != 1 {
			t.Errorf("not found in %s", src)
		}
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", "package x\nfunc f() error { return forum.NotFoundPost(1) }\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := phrasedErrors(fset, f); len(got) != 0 {
		t.Errorf("a NotFound helper counted as wording: %v", got)
	}
}
