// Package backend provides the storage behind a server's registries: the
// storage decorators that put each resource into memstore (the default) or
// etcd, behind kube-apiserver's watch cache.
package backend

import (
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/features"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/storage"
	cacherstorage "k8s.io/apiserver/pkg/storage/cacher"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/apiserver/pkg/storage/storagebackend/factory"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/tools/cache"

	"github.com/memkube/memkube/memstore"
)

var _ generic.StorageDecorator = MemstoreDecorator(nil)

// MemstoreDecorator returns the generic.StorageDecorator that keeps every
// resource in store, behind kube-apiserver's watch cache: what
// genericregistry.StorageWithCacher builds over etcd, with a memstore.Storage
// view in place of the etcd3 store (upstream's factory knows only etcd3).
// The resource's codec, transformer and path prefix come from the
// storagebackend config, as they would for etcd. Destroying a resource's
// storage stops its cache and ends its watches; the data stays in store.
func MemstoreDecorator(store *memstore.Store) generic.StorageDecorator {
	return func(
		config *storagebackend.ConfigForResource,
		resourcePrefix string,
		keyFunc func(obj runtime.Object) (string, error),
		newFunc func() runtime.Object,
		newListFunc func() runtime.Object,
		getAttrsFunc storage.AttrFunc,
		triggerFuncs storage.IndexerFuncs,
		indexers *cache.Indexers) (storage.Interface, factory.DestroyFunc, error) {

		unsafeDeletion := utilfeature.DefaultFeatureGate.Enabled(features.AllowUnsafeMalformedObjectDeletion)
		view, err := memstore.NewStorage(store, memstore.StorageConfig{
			Codec:               config.Codec,
			Transformer:         config.Transformer,
			Prefix:              config.Prefix,
			ResourcePrefix:      resourcePrefix,
			GroupResource:       config.GroupResource,
			NewFunc:             newFunc,
			NewListFunc:         newListFunc,
			CorruptObjectErrors: unsafeDeletion,
		})
		if err != nil {
			return nil, func() {}, err
		}
		// as kube-apiserver's etcd3 factory wraps its store.
		var s storage.Interface = view
		if unsafeDeletion {
			s = memstore.NewStorageWithUnsafeCorruptObjectDeletion(view, config.GroupResource)
		}

		historyWindow := config.EventsHistoryWindow
		if historyWindow == 0 {
			historyWindow = cacherstorage.DefaultEventFreshDuration
		}
		cacher, err := cacherstorage.NewCacherFromConfig(cacherstorage.Config{
			Storage:             s,
			Versioner:           storage.APIObjectVersioner{},
			GroupResource:       config.GroupResource,
			EventsHistoryWindow: historyWindow,
			ResourcePrefix:      resourcePrefix,
			KeyFunc:             keyFunc,
			NewFunc:             newFunc,
			NewListFunc:         newListFunc,
			GetAttrsFunc:        getAttrsFunc,
			IndexerFuncs:        triggerFuncs,
			Indexers:            indexers,
			Codec:               config.Codec,
		})
		if err != nil {
			view.Destroy()
			return nil, func() {}, err
		}
		delegator := cacherstorage.NewCacheDelegator(cacher, s)
		var once sync.Once
		destroy := func() {
			once.Do(func() {
				// CacheDelegator.Stop does not stop the cacher: both, as upstream.
				delegator.Stop()
				cacher.Stop()
				view.Destroy()
			})
		}
		return delegator, destroy, nil
	}
}
