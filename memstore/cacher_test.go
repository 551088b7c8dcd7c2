package memstore_test

import (
	"context"
	"fmt"
	"testing"

	"k8s.io/apiserver/pkg/features"
	"k8s.io/apiserver/pkg/storage"
	storagetesting "k8s.io/apiserver/pkg/storage/testing"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	featuregatetesting "k8s.io/component-base/featuregate/testing"

	"github.com/memkube/memkube/memstore/memstoretest"
)

// TestWatchCacheOverMemstore runs the upstream functions that exercise the
// contract between kube-apiserver's watch cache and its storage — consistent
// reads served from the cache after a progress request, bookmarks, watch
// resumption — through the cacher over memstore, wired as upstream's
// pkg/storage/cacher tests wire them over etcd. This is the stack a memkube
// server runs.
func TestWatchCacheOverMemstore(t *testing.T) {
	newCache := func(t *testing.T) (*memstoretest.Instance, context.Context) {
		in := memstoretest.Memstore().New(t, memstoretest.DefaultConfig())
		in.Storage = memstoretest.NewWatchCache(t, in.Storage)
		return &in, t.Context()
	}
	for _, snapshot := range []bool{false, true} {
		t.Run(fmt.Sprintf("ListFromCacheSnapshot=%v", snapshot), func(t *testing.T) {
			featuregatetesting.SetFeatureGateDuringTest(t, utilfeature.DefaultFeatureGate, features.ListFromCacheSnapshot, snapshot)
			t.Run("RunTestConsistentList", func(t *testing.T) {
				in, ctx := newCache(t)
				storagetesting.RunTestConsistentList(ctx, t, in.Storage, in.IncreaseRV, true, true, snapshot)
			})
			t.Run("RunTestGetListNonRecursive", func(t *testing.T) {
				in, ctx := newCache(t)
				storagetesting.RunTestGetListNonRecursive(ctx, t, in.IncreaseRV, in.Storage)
			})
		})
	}
	// these set feature gates (WatchList) themselves: not in parallel.
	for name, run := range map[string]func(context.Context, *testing.T, storage.Interface){
		"RunWatchSemantics":                         storagetesting.RunWatchSemantics,
		"RunWatchSemanticInitialEventsExtended":     storagetesting.RunWatchSemanticInitialEventsExtended,
		"RunWatchListMatchSingle":                   storagetesting.RunWatchListMatchSingle,
		"RunSendInitialEventsBackwardCompatibility": storagetesting.RunSendInitialEventsBackwardCompatibility,
	} {
		t.Run(name, func(t *testing.T) {
			in, ctx := newCache(t)
			run(ctx, t, in.Storage)
		})
	}
	for name, run := range map[string]func(context.Context, *testing.T, *memstoretest.Instance){
		"RunTestWatch": func(ctx context.Context, t *testing.T, in *memstoretest.Instance) {
			storagetesting.RunTestWatch(ctx, t, in.Storage)
		},
		"RunTestDelayedWatchDelivery": func(ctx context.Context, t *testing.T, in *memstoretest.Instance) {
			storagetesting.RunTestDelayedWatchDelivery(ctx, t, in.Storage)
		},
		"RunTestWatchFromNonZero": func(ctx context.Context, t *testing.T, in *memstoretest.Instance) {
			storagetesting.RunTestWatchFromNonZero(ctx, t, in.Storage)
		},
		"RunTestNamespaceScopedWatch": func(ctx context.Context, t *testing.T, in *memstoretest.Instance) {
			storagetesting.RunTestNamespaceScopedWatch(ctx, t, in.Storage)
		},
		"RunTestWatchDispatchBookmarkEvents": func(ctx context.Context, t *testing.T, in *memstoretest.Instance) {
			storagetesting.RunTestWatchDispatchBookmarkEvents(ctx, t, in.Storage, true)
		},
		"RunTestListPaging": func(ctx context.Context, t *testing.T, in *memstoretest.Instance) {
			storagetesting.RunTestListPaging(ctx, t, in.Storage)
		},
		"RunTestNamespaceScopedList": func(ctx context.Context, t *testing.T, in *memstoretest.Instance) {
			storagetesting.RunTestNamespaceScopedList(ctx, t, in.Storage)
		},
		"RunTestGuaranteedUpdateWithConflict": func(ctx context.Context, t *testing.T, in *memstoretest.Instance) {
			storagetesting.RunTestGuaranteedUpdateWithConflict(ctx, t, in.Storage)
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in, ctx := newCache(t)
			run(ctx, t, in)
		})
	}
}
