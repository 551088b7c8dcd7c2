package printers_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/memkube/memkube/harness/registry/builtin"
	"github.com/memkube/memkube/harness/registry/printers"
)

// Every built-in kind prints as upstream's: with its printer, or with the
// default table for the few whose upstream store keeps it.
func TestBuiltinKindsHaveTheirPrinters(t *testing.T) {
	t.Parallel()
	defaults := map[schema.GroupResource]bool{
		{Resource: "limitranges"}:                                      true,
		{Group: "rbac.authorization.k8s.io", Resource: "roles"}:        true,
		{Group: "rbac.authorization.k8s.io", Resource: "clusterroles"}: true,
		{Group: "storage.k8s.io", Resource: "csistoragecapacities"}:    true,
	}
	for _, k := range builtin.Kinds() {
		switch {
		case defaults[k.Resource] && k.Table != nil:
			t.Errorf("%s has a table, want the default NAME/CREATED AT", k.Resource)
		case !defaults[k.Resource] && k.Table == nil:
			t.Errorf("%s has no table, want upstream's printer", k.Resource)
		case !defaults[k.Resource] && k.Table != printers.For(k.Resource):
			t.Errorf("%s has its own table, want the printers package's", k.Resource)
		}
	}
}
