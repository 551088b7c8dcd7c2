package memstoretest

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestUpstreamTestsCallEveryRunFunction fails when k8s.io/apiserver gains or
// loses a Run* test function that upstreamTests does not call, or when an
// entry's run does not call the function it is named after.
func TestUpstreamTestsCallEveryRunFunction(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go tool not found, cannot locate upstream sources: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-f", "{{.Dir}}", "k8s.io/apiserver/pkg/storage/testing").Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			t.Fatalf("go list k8s.io/apiserver/pkg/storage/testing: %v\n%s", err, exitErr.Stderr)
		}
		t.Fatalf("go list k8s.io/apiserver/pkg/storage/testing: %v", err)
	}
	dir := strings.TrimSpace(string(out))

	var upstream []string
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !fn.Name.IsExported() {
				continue
			}
			if name := fn.Name.Name; strings.HasPrefix(name, "Run") && !strings.HasPrefix(name, "RunBenchmark") {
				upstream = append(upstream, name)
			}
		}
	}

	// Which storagetesting function each entry's run literal calls.
	f, err := parser.ParseFile(fset, "conformance.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string][]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		var name string
		var run *ast.FuncLit
		for _, elt := range lit.Elts {
			kv, ok := elt.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			switch key, _ := kv.Key.(*ast.Ident); {
			case key == nil:
			case key.Name == "name":
				if b, ok := kv.Value.(*ast.BasicLit); ok {
					name, _ = strconv.Unquote(b.Value)
				}
			case key.Name == "run":
				run, _ = kv.Value.(*ast.FuncLit)
			}
		}
		if name == "" || run == nil {
			return true
		}
		ast.Inspect(run, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "storagetesting" && strings.HasPrefix(sel.Sel.Name, "Run") {
					calls[name] = append(calls[name], sel.Sel.Name)
				}
			}
			return true
		})
		return false
	})

	var wired []string
	for _, tc := range upstreamTests {
		wired = append(wired, tc.name)
		if !slices.Contains(calls[tc.name], tc.name) {
			t.Errorf("upstreamTests entry %s calls %v, want storagetesting.%s", tc.name, calls[tc.name], tc.name)
		}
	}
	slices.Sort(upstream)
	slices.Sort(wired)
	if !slices.Equal(upstream, wired) {
		for _, name := range upstream {
			if !slices.Contains(wired, name) {
				t.Errorf("upstream %s is not in upstreamTests", name)
			}
		}
		for _, name := range wired {
			if !slices.Contains(upstream, name) {
				t.Errorf("upstreamTests has %s, which upstream does not define", name)
			}
		}
		if len(wired) != len(slices.Compact(slices.Clone(wired))) {
			t.Errorf("upstreamTests has duplicate names: %v", wired)
		}
	}
	t.Logf("%d upstream Run* functions, %d wired", len(upstream), len(wired))
}
