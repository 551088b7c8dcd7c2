package harness_test

import (
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestEquivalentResourceOrder: the group versions are built in parallel but
// registered in upstream's order (core first, then each group's versions by
// priority), which decides the version a matchPolicy Equivalent webhook is
// sent.
func TestEquivalentResourceOrder(t *testing.T) {
	s := harnesstest.Start(t, harness.Options{})
	for _, c := range []struct {
		resource schema.GroupVersionResource
		want     []schema.GroupVersionResource
	}{{
		resource: schema.GroupVersionResource{Version: "v1", Resource: "events"},
		want: []schema.GroupVersionResource{
			{Version: "v1", Resource: "events"},
			{Group: "events.k8s.io", Version: "v1", Resource: "events"},
		},
	}, {
		resource: schema.GroupVersionResource{Group: "autoscaling", Version: "v1", Resource: "horizontalpodautoscalers"},
		want: []schema.GroupVersionResource{
			{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"},
			{Group: "autoscaling", Version: "v1", Resource: "horizontalpodautoscalers"},
		},
	}} {
		if got := s.EquivalentResources(c.resource); !slices.Equal(got, c.want) {
			t.Errorf("equivalents of %v: %v, want %v", c.resource, got, c.want)
		}
	}
}
