package harness

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/apiserver/pkg/storage/storagebackend/factory"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/clock"
)

// The server clock (Options.Clock) reaches what the server dates:
//   - creationTimestamp and deletionTimestamp, which k8s.io/apiserver's
//     generic store stamps from the real clock, are restamped where objects
//     are written (clockedStorage), for built-ins, CRDs and custom resources
//     alike; built-in registries also stamp creationTimestamp before a dry
//     run returns;
//   - times registries write (pod conditions) and the namespace
//     controller's conditions and grace periods, through the request's
//     context (withServer);
//   - TTLs (events' one hour) in memstore.
// Timers that pace the server (compaction, progress notifications, watch
// timeouts, controllers' retries) keep real time, so a frozen clock never
// stalls the server.

// clockedDecorator wraps the storage decorator's storage in clockedStorage.
func clockedDecorator(d generic.StorageDecorator, c clock.PassiveClock) generic.StorageDecorator {
	return func(config *storagebackend.ConfigForResource, resourcePrefix string, keyFunc func(obj runtime.Object) (string, error),
		newFunc, newListFunc func() runtime.Object, getAttrsFunc storage.AttrFunc, triggerFuncs storage.IndexerFuncs, indexers *cache.Indexers) (storage.Interface, factory.DestroyFunc, error) {
		s, destroy, err := d(config, resourcePrefix, keyFunc, newFunc, newListFunc, getAttrsFunc, triggerFuncs, indexers)
		if err != nil {
			return s, destroy, err
		}
		return clockedStorage{Interface: s, clock: c}, destroy, nil
	}
}

// clockedStorage restamps the system times the generic store set from the
// real clock with the server clock's: creationTimestamp when an object is
// created, deletionTimestamp (now plus the grace period) when it starts
// being deleted.
type clockedStorage struct {
	storage.Interface
	clock clock.PassiveClock
}

func (s clockedStorage) Create(ctx context.Context, key string, obj, out runtime.Object, ttl uint64) error {
	if m, err := meta.Accessor(obj); err == nil {
		m.SetCreationTimestamp(metav1.NewTime(s.clock.Now()))
	}
	return s.Interface.Create(ctx, key, obj, out, ttl)
}

func (s clockedStorage) GuaranteedUpdate(ctx context.Context, key string, destination runtime.Object, ignoreNotFound bool,
	preconditions *storage.Preconditions, tryUpdate storage.UpdateFunc, cachedExistingObject runtime.Object) error {
	return s.Interface.GuaranteedUpdate(ctx, key, destination, ignoreNotFound, preconditions, func(input runtime.Object, res storage.ResponseMeta) (runtime.Object, *uint64, error) {
		// read before tryUpdate: it often changes input in place and returns it.
		var existed, deleting bool
		if m, err := meta.Accessor(input); err == nil {
			existed, deleting = !m.GetCreationTimestamp().Time.IsZero(), m.GetDeletionTimestamp() != nil
		}
		out, ttl, err := tryUpdate(input, res)
		if err != nil || out == nil {
			return out, ttl, err
		}
		m, merr := meta.Accessor(out)
		if merr != nil {
			return out, ttl, nil
		}
		now := s.clock.Now()
		if !existed && !m.GetCreationTimestamp().Time.IsZero() {
			// a PUT that creates (AllowCreateOnUpdate).
			m.SetCreationTimestamp(metav1.NewTime(now))
		}
		if !deleting && m.GetDeletionTimestamp() != nil {
			var grace time.Duration
			if g := m.GetDeletionGracePeriodSeconds(); g != nil {
				grace = time.Duration(*g) * time.Second
			}
			t := metav1.NewTime(now.Add(grace))
			m.SetDeletionTimestamp(&t)
		}
		return out, ttl, nil
	}, cachedExistingObject)
}

// storeClock is memstore's clock under a server clock: TTL expiry follows
// the server clock, while compaction and progress notifications (tickers)
// keep real time.
type storeClock struct {
	clock.Clock
}

func (storeClock) NewTicker(d time.Duration) clock.Ticker { return clock.RealClock{}.NewTicker(d) }
