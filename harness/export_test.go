package harness

import (
	"context"
	"errors"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// EnsureFlowControlBootstrap runs the APF bootstrap ensurer once, as Start
// does every minute.
func (s *Server) EnsureFlowControlBootstrap(ctx context.Context) error {
	return s.apfBootstrap.ensure(ctx)
}

// ObjectCount is what APF's work estimator knows of a resource's object
// count ("configmaps", "widgets.example.com"); an error if it knows
// nothing (APF off, or no poll yet).
func (s *Server) ObjectCount(resource string) (int64, error) {
	if s.objectCounts == nil {
		return 0, errors.New("API Priority and Fairness is off")
	}
	stats, err := s.objectCounts.Get(resource)
	return stats.ObjectCount, err
}

// EquivalentResources are the resources the server treats as resource,
// in the order it registered them.
func (s *Server) EquivalentResources(resource schema.GroupVersionResource) []schema.GroupVersionResource {
	return s.generic.EquivalentResourceRegistry.EquivalentResourcesFor(resource, "")
}

// MayStream reports whether the in-process transport streams r's response.
var MayStream = mayStream
