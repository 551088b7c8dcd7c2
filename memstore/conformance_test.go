package memstore_test

import (
	"testing"

	"github.com/memkube/memkube/memstore/memstoretest"
)

// TestUpstreamConformance runs k8s.io/apiserver's storage conformance suite
// against memstore; memstoretest runs the same suite against embedded etcd.
func TestUpstreamConformance(t *testing.T) {
	memstoretest.RunUpstreamConformance(t, memstoretest.Memstore())
}
