package vapstatus_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/memkube/memkube/harness/controllers/vapstatus"
)

// BenchmarkBuiltinSchemas is what the first policy checked in a process
// pays once (Build) and what each checked kind then costs (Resolve).
func BenchmarkBuiltinSchemas(b *testing.B) {
	b.Run("Op=Build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			vapstatus.NewBuiltinSchemas()
		}
	})
	b.Run("Op=Resolve/Kind=Deployment", func(b *testing.B) {
		schemas := vapstatus.NewBuiltinSchemas()
		gvk := schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := schemas.ResolveSchema(gvk); err != nil {
				b.Fatal(err)
			}
		}
	})
}
