package memstore_test

import (
	"fmt"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/apiserver/pkg/storage"
	storagetesting "k8s.io/apiserver/pkg/storage/testing"
	"k8s.io/klog/v2"

	"github.com/memkube/memkube/memstore/memstoretest"
)

// benchDimensions is the shape of the data a storage benchmark precreates:
// Namespaces × PodsPerNamespace pods spread round-robin over Nodes.
type benchDimensions struct {
	namespaces, podsPerNamespace, nodes int
}

// name is upstream's sub-benchmark name for d (Pods is the total).
func (d benchDimensions) name() string {
	return fmt.Sprintf("Namespaces=%d/Pods=%d/Nodes=%d", d.namespaces, d.namespaces*d.podsPerNamespace, d.nodes)
}

// benchBackends are compared side by side in one run, so that their ratio holds
// on a noisy machine.
//
// The leaf benchmarks are upstream's; they do not call b.ReportAllocs, and a
// parent's call does not reach its sub-benchmarks, so run with -benchmem. The
// figure to compare is writes/s (or list-objs/s): ns/op of a RunParallel
// benchmark is wall time divided by the operations of all its goroutines.
// Allocations and CPU include the embedded etcd server, which runs in the
// benchmark's process. See docs/benchmarks.md for the command and figures.
var benchBackends = []memstoretest.Backend{memstoretest.Memstore(), memstoretest.Etcd()}

// BenchmarkStoreWriteThroughput runs upstream's write-throughput benchmark
// (k8s.io/apiserver/pkg/storage/testing.RunBenchmarkWriteThroughput, as
// pkg/storage/etcd3's BenchmarkStoreWriteThroughput calls it) against memstore
// and against etcd3 over an embedded etcd, over the same pods.
//
// Upstream precreates 150,000 pods (Namespaces=50, 3,000 each, Nodes=5000).
// Its background listers list every pod every 10ms, so a list's cost grows
// with the pod count and, at 150k pods, precreation and the 12 sub-benchmarks
// per backend take far longer than the few minutes this comparison should
// take on a 2-core machine. 1,000 pods keep the whole run to a few minutes; the
// write path (one key per write) does not depend on the pod count.
func BenchmarkStoreWriteThroughput(b *testing.B) {
	klog.SetLogger(logr.Discard()) // as upstream: process-global, but only benchmarks run in this mode
	for _, dims := range []benchDimensions{
		{namespaces: 10, podsPerNamespace: 100, nodes: 100},
	} {
		b.Run(dims.name(), func(b *testing.B) {
			data := storagetesting.PrepareBenchmarkData(dims.namespaces, dims.podsPerNamespace, dims.nodes)
			for _, backend := range benchBackends {
				for _, cached := range []bool{false, true} {
					b.Run(fmt.Sprintf("Backend=%s/WatchCache=%v", backend.Name(), cached), func(b *testing.B) {
						store := newBenchStorage(b, backend)
						if cached {
							// the stack kube-apiserver runs: reads from the cache, and
							// updates start from the cached object.
							store = memstoretest.NewWatchCache(b, store)
						}
						b.ResetTimer()
						storagetesting.RunBenchmarkWriteThroughput(b.Context(), b, store, data, false, nil)
					})
				}
			}
		})
	}
}

// BenchmarkStoreList runs upstream's list benchmark
// (storagetesting.RunBenchmarkStoreList, as pkg/storage/etcd3's
// BenchmarkStoreList calls it) against memstore and etcd3 over the same pods.
//
// Upstream's dimensions hold 110,000-150,000 pods; these hold 1,000 and
// 10,000, for the reason given at BenchmarkStoreWriteThroughput. Upstream also
// runs each dimension with SizeBasedListCostEstimate on and off; the gate only
// changes which metrics etcd3 records, and memstore does not read it, so this
// runs at the gate's default (on).
func BenchmarkStoreList(b *testing.B) {
	klog.SetLogger(logr.Discard())
	for _, dims := range []benchDimensions{
		{namespaces: 10, podsPerNamespace: 100, nodes: 100},
		{namespaces: 100, podsPerNamespace: 100, nodes: 1_000},
	} {
		b.Run(dims.name(), func(b *testing.B) {
			data := storagetesting.PrepareBenchmarkData(dims.namespaces, dims.podsPerNamespace, dims.nodes)
			for _, backend := range benchBackends {
				b.Run("Backend="+backend.Name(), func(b *testing.B) {
					store := newBenchStorage(b, backend)
					if err := storagetesting.PrecreateBenchmarkPods(b.Context(), store, data); err != nil {
						b.Fatal(err)
					}
					b.ResetTimer()
					storagetesting.RunBenchmarkStoreList(b.Context(), b, store, data, false)
				})
			}
		})
	}
}

// newBenchStorage returns a fresh, empty pod storage of backend, configured as
// memstoretest's conformance suite and upstream's etcd3 tests configure theirs
// (memstoretest.DefaultConfig).
func newBenchStorage(b *testing.B, backend memstoretest.Backend) storage.Interface {
	b.Helper()
	return backend.New(b, memstoretest.DefaultConfig()).Storage
}
