package faults

import (
	"errors"
	"fmt"

	"github.com/memkube/memkube/memstore"
)

// StorageOps selects the storage operations a StorageRule fails.
type StorageOps uint8

const (
	// StorageReads are reads of the store: gets and lists that reach it
	// (not those the watch cache answers), and the watch cache's reads of
	// the current revision for consistent lists.
	StorageReads StorageOps = 1 << iota
	// StorageWrites are write transactions: creates, updates, deletes,
	// and the compactor's bookkeeping write.
	StorageWrites
	// StorageWatches are watches started on the store (the watch cache's
	// own, after its list; clients' watches are served from the cache).
	StorageWatches
	// StorageAll is every operation: the store is down.
	StorageAll = StorageReads | StorageWrites | StorageWatches
)

// ErrStorageUnavailable is the default error of storage faults. Its text
// is etcd's client error when etcd cannot serve a request (rpctypes.ErrTimeout,
// e.g. without a quorum), which kube-apiserver passes on to clients as a
// 500 with that message.
var ErrStorageUnavailable = errors.New("etcdserver: request timed out")

// ErrNoStore is the error of storage faults and Compact on an injector
// without a store (Attach): storage faults need the memory backend.
var ErrNoStore = errors.New("faults: no store attached (storage faults need the memory backend)")

// StorageRule is a storage fault: operations on the attached memstore
// fail with Err before they change anything, as when etcd is down or
// refuses writes. The watch cache keeps answering what it can from
// memory, as kube-apiserver's does while etcd is away.
type StorageRule struct {
	// Ops are the operations that fail; zero means StorageAll.
	Ops StorageOps
	// Count and Probability are as in Rule, counted in storage operations.
	Count       int
	Probability float64
	// Err is the operations' error; nil means ErrStorageUnavailable.
	Err error
}

func (r StorageRule) ops() StorageOps {
	if r.Ops == 0 {
		return StorageAll
	}
	return r.Ops
}

func (r StorageRule) err() error {
	if r.Err == nil {
		return ErrStorageUnavailable
	}
	return r.Err
}

// Attach gives the injector the memstore its storage faults act on.
// While storage faults are active, the injector owns the store's hooks
// (memstore.Store.SetHooks): hooks a test sets itself are replaced then,
// and removed when the last storage fault goes. Without storage faults
// the store runs without hooks, so attaching costs nothing.
func (inj *Injector) Attach(store *memstore.Store) {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	if inj.store != nil && inj.store != store && inj.hooked != 0 {
		inj.store.SetHooks(nil)
	}
	inj.store, inj.hooked = store, 0
	inj.installHooksLocked()
}

// AddStorage adds a storage fault, which fires until it has fired
// r.Count times or is removed. It panics on an invalid rule (see Add) and
// when no store is attached: storage faults need the memory backend.
func (inj *Injector) AddStorage(r StorageRule) *Fault {
	f, err := inj.addStorage(r, false)
	switch {
	case errors.Is(err, ErrNoStore):
		panic(err.Error())
	case err != nil:
		panic("faults: " + err.Error())
	}
	return f
}

// addStorage is AddStorage, with an error for an invalid rule or without
// a store; keep is Fault.keep.
func (inj *Injector) addStorage(r StorageRule, keep bool) (*Fault, error) {
	if err := validateCountAndProbability(r.Count, r.Probability); err != nil {
		return nil, err
	}
	if r.Ops&^StorageAll != 0 {
		return nil, fmt.Errorf("unknown StorageOps %#x", uint8(r.Ops))
	}
	f := &Fault{inj: inj, storageRule: r, isStorage: true, keep: keep, done: make(chan struct{}), left: limit(r.Count), active: true}
	inj.mu.Lock()
	defer inj.mu.Unlock()
	if inj.store == nil {
		return nil, ErrNoStore
	}
	inj.addLocked(&inj.storage, f)
	inj.installHooksLocked()
	return f, nil
}

// StorageUnavailable makes every storage operation fail with
// ErrStorageUnavailable until the fault is removed, as when etcd is down:
// writes and reads that reach storage get a 500 "etcdserver: request timed
// out"; lists the watch cache answers still work, and consistent ones fail.
func (inj *Injector) StorageUnavailable() *Fault {
	return inj.AddStorage(StorageRule{})
}

// installHooksLocked sets the store's hooks to those the active storage
// faults need, or none.
func (inj *Injector) installHooksLocked() {
	var ops StorageOps
	if faults := inj.storage.Load(); faults != nil {
		for _, f := range *faults {
			ops |= f.storageRule.ops()
		}
	}
	if inj.store == nil || ops == inj.hooked {
		return
	}
	inj.hooked = ops
	if ops == 0 {
		inj.store.SetHooks(nil)
		return
	}
	// Only the hooks needed: memstore copies a transaction's operations
	// for its Write hook.
	h := &memstore.Hooks{}
	if ops&StorageReads != 0 {
		h.Read = func(string) error { return inj.storageFault(StorageReads) }
	}
	if ops&StorageWrites != 0 {
		h.Write = func([]memstore.Op) error { return inj.storageFault(StorageWrites) }
	}
	if ops&StorageWatches != 0 {
		h.Watch = func(memstore.WatchOptions) error { return inj.storageFault(StorageWatches) }
	}
	inj.store.SetHooks(h)
}

// storageFault is the error of the first storage fault that fires on an
// operation, or nil.
func (inj *Injector) storageFault(op StorageOps) error {
	faults := inj.storage.Load()
	if faults == nil {
		return nil
	}
	inj.mu.Lock()
	defer inj.mu.Unlock()
	for _, f := range *faults {
		if f.storageRule.ops()&op != 0 && inj.fireLocked(f, f.storageRule.Probability) {
			return f.storageRule.err()
		}
	}
	return nil
}

// Compact compacts the attached store at its current revision and ends
// every watch on it, and returns that revision: what a test sees when
// kube-apiserver's compactor has just run and every watch had fallen
// behind it. The watch cache lists again, clients' watches end, and
// clients that watch or list again from a resourceVersion at or below the
// revision get 410 Gone ("too old resource version") and list afresh, as
// client-go's reflector does.
//
// As the compactor, it first writes the compacted revision to
// memstore.CompactKey (so the revision advances by one), which an active
// StorageWrites fault fails.
func (inj *Injector) Compact() (int64, error) {
	inj.mu.Lock()
	store := inj.store
	inj.mu.Unlock()
	if store == nil {
		return 0, ErrNoStore
	}
	rev := store.Rev()
	if err := store.CompactLikeAPIServer(rev); err != nil {
		return 0, fmt.Errorf("compact at %d: %w", rev, err)
	}
	store.EndWatches()
	return rev, nil
}
