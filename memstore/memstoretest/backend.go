// Package memstoretest runs k8s.io/apiserver's storage conformance suite
// (k8s.io/apiserver/pkg/storage/testing) against any storage.Interface backend:
// memstore, and upstream's etcd3 store over an embedded etcd as the reference.
//
// RunUpstreamConformance calls every Run* function of the suite, wired as
// upstream's etcd3 tests wire them. Known gaps:
//   - RunTestOptionalWatchBookmarksWithCorrectResourceVersion runs through
//     kube-apiserver's watch cache over the backend when the backend itself
//     sends no bookmarks (Instance.WatchBookmarks false, etcd3 and memstore):
//     bookmarks come from the cache, and upstream runs it only there too.
//   - The RangeStream variants (EtcdRangeStream gate) exercise etcd3's streamed
//     list path; for any other backend they run the same code twice.
//   - The paging arithmetic of upstream's call validation is checked only for
//     a backend that counts its read requests (Instance.ReadCalls); every
//     backend must transform exactly the objects a list processed.
//   - The per-Run* extras of upstream's etcd3 tests that inspect etcd3
//     internals (e.g. TestList counting RangeStream requests) are not run.
package memstoretest

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/value"
)

// Config is what the suite asks of a backend for one storage.Interface view.
// It mirrors the arguments of upstream's etcd3.New.
type Config struct {
	Codec          runtime.Codec
	Transformer    value.Transformer
	Prefix         string // path prefix of every key ("" in upstream's tests)
	ResourcePrefix string // e.g. "/pods/"
	GroupResource  schema.GroupResource
	NewFunc        func() runtime.Object
	NewListFunc    func() runtime.Object

	// ProgressNotifyInterval, when non-zero, makes the backend send progress
	// notifications to watchers that asked for them (etcd's
	// --experimental-watch-progress-notify-interval).
	ProgressNotifyInterval time.Duration
}

// Instance is one storage.Interface over fresh, empty data plus the raw
// access the suite's hooks need. It is torn down by t.Cleanup. Every field but
// ReadCalls and WatchBookmarks is required.
type Instance struct {
	Storage storage.Interface

	// RawGet returns the bytes stored for key, as written by the transformer;
	// ok is false when the key does not exist. key is as given to Storage
	// ("/pods/ns/name"): RawGet adds the path prefix.
	RawGet func(ctx context.Context, key string) (data []byte, ok bool, err error)
	// Keys lists the full keys under the resource prefix (EnableResourceSizeEstimation).
	Keys storage.KeysFunc
	// Compact compacts the backend at resourceVersion and, where Storage tracks
	// it, waits until Storage.CompactRevision() reports it. (etcd3 tracks it only
	// with ListFromCacheSnapshot on, which RunTestCompactRevision turns on.)
	// Compacting must advance the current revision by exactly one, as
	// kube-apiserver's compactor does by writing its compact key first:
	// RunTestList expects the revision after a compaction to be one more than
	// the last write before it.
	Compact func(ctx context.Context, t *testing.T, resourceVersion string)
	// IncreaseRV writes a key outside the resource prefix and returns the new
	// revision. The suite expects each call to advance the revision that
	// Storage reports (e.g. in a consistent list of the resource) by exactly one.
	IncreaseRV func(ctx context.Context, t *testing.T) int64
	// ReadCalls, if not nil, returns how many backend read requests the storage made
	// since the previous call (upstream checks etcd's paging arithmetic with it).
	ReadCalls func() uint64
	// WatchBookmarks reports whether Storage.Watch sends bookmark events to a
	// watcher that sets only AllowWatchBookmarks, as the watch cache does. etcd3
	// does not: its bookmarks are etcd progress notifications, sent only to
	// watchers that set ProgressNotify.
	WatchBookmarks bool
}

// Backend makes Instances.
type Backend interface {
	Name() string
	New(t testing.TB, cfg Config) Instance
	// NewCorruptObjectError wraps err as the backend's "corrupt object" error
	// (the one its list error aggregation collects instead of aborting).
	NewCorruptObjectError(err error) error
	// WithUnsafeCorruptObjectDeletion wraps s as kube-apiserver does when the
	// AllowUnsafeMalformedObjectDeletion feature is on.
	WithUnsafeCorruptObjectDeletion(s storage.Interface, gr schema.GroupResource) storage.Interface
}
