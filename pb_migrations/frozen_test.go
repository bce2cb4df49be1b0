package migrations_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// liveSchema are the packages whose functions build today's schema: the
// collection builders, the print register, the vocabulary its select
// values come from, the form names.
var liveSchema = []string{"yuetan/collections", "yuetan/forms", "yuetan/workflow", "yuetan/pdf"}

// liveSchemaCalls lists where src calls a function of liveSchema (its
// constants, field and collection names, are fine).
func liveSchemaCalls(fset *token.FileSet, file string, src any) ([]string, error) {
	f, err := parser.ParseFile(fset, file, src, 0)
	if err != nil {
		return nil, err
	}
	local := map[string]string{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		for _, live := range liveSchema {
			if path != live {
				continue
			}
			name := path[strings.LastIndex(path, "/")+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			local[name] = path
		}
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if pkg, ok := sel.X.(*ast.Ident); ok && local[pkg.Name] != "" {
			out = append(out, fmt.Sprintf("%s: %s.%s", fset.Position(call.Pos()), pkg.Name, sel.Sel.Name))
		}
		return true
	})
	return out, nil
}

// TestMigrationsReadNoLiveSchema: no migration calls the code that builds
// today's schema (collections.Apply, a builder, forms.NewFormPrints, the
// vocabulary), since the migration would change in effect with it.
func TestMigrationsReadNoLiveSchema(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		calls, err := liveSchemaCalls(fset, file, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range calls {
			t.Errorf("%s reads today's schema: write the change out in the migration (a released migration never changes in effect)", c)
		}
	}
}

// TestLiveSchemaCallsSeesACall attacks the check with a migration that
// applies today's schema under another import name, and one that only
// names a collection.
func TestLiveSchemaCallsSeesACall(t *testing.T) {
	const bad = `package migrations
import (
	schema "yuetan/collections"
	"yuetan/forms"
)
func up(app any) error {
	_ = forms.FormPrintsID
	schema.NewIssues()
	return schema.Apply(app)
}`
	calls, err := liveSchemaCalls(token.NewFileSet(), "bad.go", bad)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(calls, "\n"); len(calls) != 2 || !strings.Contains(got, "schema.NewIssues") || !strings.Contains(got, "schema.Apply") {
		t.Fatalf("calls found: %v, want schema.NewIssues and schema.Apply", calls)
	}
	const good = `package migrations
import "yuetan/collections"
var name = collections.Issues`
	if calls, err := liveSchemaCalls(token.NewFileSet(), "good.go", good); err != nil || len(calls) != 0 {
		t.Fatalf("calls found in a migration naming a collection: %v (%v)", calls, err)
	}
}
