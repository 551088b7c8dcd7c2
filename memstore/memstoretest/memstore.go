package memstoretest

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/storage"

	"github.com/memkube/memkube/memstore"
)

// Memstore is the memstore backend: every Instance gets a fresh Store.
func Memstore() Backend { return memstoreBackend{} }

type memstoreBackend struct{}

func (memstoreBackend) Name() string { return "memstore" }

func (memstoreBackend) New(t testing.TB, cfg Config) Instance {
	store := memstore.New(memstore.Config{ProgressNotifyInterval: cfg.ProgressNotifyInterval})
	t.Cleanup(store.Close)
	s, err := memstore.NewStorage(store, memstore.StorageConfig{
		Codec:          cfg.Codec,
		Transformer:    cfg.Transformer,
		Prefix:         cfg.Prefix,
		ResourcePrefix: cfg.ResourcePrefix,
		GroupResource:  cfg.GroupResource,
		NewFunc:        cfg.NewFunc,
		NewListFunc:    cfg.NewListFunc,
	})
	if err != nil {
		t.Fatalf("memstore.NewStorage: %v", err)
	}
	return Instance{
		Storage: s,
		RawGet: func(ctx context.Context, key string) ([]byte, bool, error) {
			key, err := s.StorageKey(key)
			if err != nil {
				return nil, false, err
			}
			kv, _, err := store.Get(key, 0)
			if err != nil || kv == nil {
				return nil, false, err
			}
			return kv.Value, true, nil
		},
		Keys: s.Keys,
		Compact: func(ctx context.Context, t *testing.T, resourceVersion string) {
			rv, err := storage.APIObjectVersioner{}.ParseResourceVersion(resourceVersion)
			if err != nil {
				t.Fatal(err)
			}
			if err := store.CompactLikeAPIServer(int64(rv)); err != nil {
				t.Fatalf("Compact(%d): %v", rv, err)
			}
		},
		IncreaseRV: func(ctx context.Context, t *testing.T) int64 {
			rev, err := store.Put("increaseRV", []byte("ok"))
			if err != nil {
				t.Fatalf("Put(increaseRV): %v", err)
			}
			return rev
		},
	}
}

func (memstoreBackend) NewCorruptObjectError(err error) error {
	return memstore.NewCorruptObjectError(err)
}

func (memstoreBackend) WithUnsafeCorruptObjectDeletion(s storage.Interface, gr schema.GroupResource) storage.Interface {
	return memstore.NewStorageWithUnsafeCorruptObjectDeletion(s, gr)
}
