// Package memstore is memkube's storage: an in-memory multi-version
// key-value store with etcd's semantics, and Storage, the k8s.io/apiserver
// storage.Interface over it.
//
// # The engine (Store)
//
// Modelled on etcd's server/storage/mvcc. Every write transaction that
// changes something takes the next Main revision (a fresh store is at 1, the
// first write at 2); changes inside it are numbered by Sub. A B-tree
// (k8s.io/utils/third_party/forked/golang/btree) maps each key to its
// keyIndex: generations of versions, a tombstone closing each generation.
// Values live with their revision in the key index, and every change is kept
// in a history log for watchers. Reads work at any revision from the
// compacted one on; Txn is compare-and-swap on mod revisions. Compact drops
// what no later read can see; CompactionInterval compacts periodically as
// kube-apiserver does.
//
// Watchers never block writers: a watcher whose buffer is full becomes a
// victim and then catches up from the history in bounded batches, whole
// revisions at a time; one whose history was compacted meanwhile is ended
// with ErrCompacted, never left with a gap. RequestProgress and periodic
// progress notifications report a revision only once everything before it
// was delivered.
//
// Snapshot is O(1): the key index is shared copy-on-write (a store epoch
// tells a writer when a key's entry is shared and must be copied). Restore
// writes a snapshot's contents back as one transaction, so revisions stay
// monotonic and watchers see ordinary events — the basis for fast per-test
// reset. Hooks inject faults into reads, writes and watches.
//
// # The adapter (Storage)
//
// Storage mirrors k8s.io/apiserver's etcd3 store: the same key layout,
// resourceVersion semantics, continue tokens, errors and messages
// (including 410 Gone after compaction and the corrupt object handling of
// AllowUnsafeMalformedObjectDeletion), watch events, sendInitialEvents with
// the k8s.io/initial-events-end bookmark, and TTLs (with etcd's 2s minimum).
// Many Storage views, one per resource, share one Store and its revisions.
// Upstream's storage conformance suite runs against it in
// TestUpstreamConformance (see memstoretest).
//
// # Known gaps
//
//   - Like etcd3, Storage sends bookmarks only as progress notifications
//     (ProgressNotify watches and RequestWatchProgress); bookmarks for
//     AllowWatchBookmarks come from kube-apiserver's watch cache above it.
//   - Watch events are decoded serially; the ConcurrentWatchObjectDecode
//     feature, an etcd3 throughput optimisation, does not change that.
//   - Compact holds the write lock while it walks every key (etcd compacts
//     in the background in batches): a compaction of a million keys pauses
//     writers for its duration.
//   - Without compaction the history grows without bound; servers should set
//     CompactionInterval (kube-apiserver compacts every 5 minutes).
//   - Restore does not restore TTLs.
//   - Storage metrics (apiserver_storage_*, etcd_request_*) are not recorded.
package memstore
