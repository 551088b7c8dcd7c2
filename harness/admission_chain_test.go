package harness

import (
	"context"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
)

// TestLateAdmissionBeforeBuilt: a request whose context ends before the
// chain exists is refused with upstream's 403, and one after goes through.
func TestLateAdmissionBeforeBuilt(t *testing.T) {
	l := newLateAdmission()
	a := admission.NewAttributesRecord(nil, nil, schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, "default", "c",
		schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, "", admission.Create, nil, false, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := l.Admit(ctx, a, nil)
	if want := `configmaps "c" is forbidden: not yet ready to handle request`; !apierrors.IsForbidden(err) || err.Error() != want {
		t.Fatalf("before the chain: %v, want 403 %q", err, want)
	}
	l.set(admission.NewChainHandler())
	if err := l.Validate(t.Context(), a, nil); err != nil {
		t.Fatalf("after the chain: %v", err)
	}
}
