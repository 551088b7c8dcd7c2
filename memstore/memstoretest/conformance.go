package memstoretest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/apitesting"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apiserver/pkg/apis/example"
	examplev1 "k8s.io/apiserver/pkg/apis/example/v1"
	"k8s.io/apiserver/pkg/features"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/cacher"
	etcdfeature "k8s.io/apiserver/pkg/storage/feature"
	storagetesting "k8s.io/apiserver/pkg/storage/testing"
	"k8s.io/apiserver/pkg/storage/value"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	featuregatetesting "k8s.io/component-base/featuregate/testing"
	"k8s.io/utils/clock"
)

// storedPrefix is what the suite's transformer puts in front of every stored
// value (upstream's defaultTestPrefix).
const storedPrefix = "test!"

// etcdMaxPageLimit is etcd3's maxLimit: the page size it grows list requests to
// at most when a filtered page comes back short.
const etcdMaxPageLimit = 10000

// upstreamTest wires one Run* function of k8s.io/apiserver/pkg/storage/testing.
type upstreamTest struct {
	// name is the Run* function's name, and the subtest's.
	name string
	// sequential keeps the test out of the parallel phase because it
	//   - sets feature gates, directly or inside the Run* function: gates are
	//     process-global and featuregatetesting fails a test that sets one
	//     while another test has it set; or
	//   - has parallel subtests that must start promptly after its body
	//     returns, which they would not do queued behind the other parallel
	//     tests for one of the -test.parallel slots.
	sequential bool
	run        func(t *testing.T, s *suite)
}

// RunUpstreamConformance runs every exported Run* test function of
// k8s.io/apiserver/pkg/storage/testing (the RunBenchmark* functions excepted)
// against b, each in a subtest named after the function, wired the way
// upstream's own etcd3 tests (pkg/storage/etcd3/store_test.go and
// watcher_test.go) wire them: the same defaults, the same feature gates and
// the same variants, as nested subtests.
//
// Most subtests are parallel. Those that set feature gates (or cannot wait for
// a parallel slot, see upstreamTest.sequential) run sequentially inside
// RunUpstreamConformance, and the parallel ones once the calling test function
// has returned, so that no test reads a gate another test is changing. For the
// same reason the caller must not be a parallel test.
func RunUpstreamConformance(t *testing.T, b Backend) {
	s := &suite{backend: b}
	for _, tc := range upstreamTests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.sequential {
				t.Parallel()
			}
			tc.run(t, s)
		})
	}
}

var upstreamTests = []upstreamTest{
	// store_tests.go, in file order.
	{name: "RunTestCreate", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t)
		storagetesting.RunTestCreate(t.Context(), t, in.Storage, in.checkStorageInvariants)
	}},
	{name: "RunTestCreateWithTTL", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestCreateWithTTL(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestCreateWithKeyExist", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestCreateWithKeyExist(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestGet", sequential: true, run: func(t *testing.T, s *suite) {
		// The object its parallel subtests read lives for a 1s TTL.
		storagetesting.RunTestGet(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestUnconditionalDelete", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestUnconditionalDelete(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestConditionalDelete", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestConditionalDelete(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestDeleteWithSuggestion", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestDeleteWithSuggestion(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestDeleteWithSuggestionAndConflict", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestDeleteWithSuggestionAndConflict(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestDeleteWithConflict", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestDeleteWithConflict(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestDeleteWithSuggestionOfDeletedObject", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestDeleteWithSuggestionOfDeletedObject(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestValidateDeletionWithSuggestion", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestValidateDeletionWithSuggestion(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestValidateDeletionWithOnlySuggestionValid", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestValidateDeletionWithOnlySuggestionValid(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestPreconditionalDeleteWithSuggestion", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestPreconditionalDeleteWithSuggestion(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestPreconditionalDeleteWithOnlySuggestionPass", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestPreconditionalDeleteWithOnlySuggestionPass(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestList", sequential: true, run: func(t *testing.T, s *suite) {
		forEachRangeStream(t, "rangeStream", func(t *testing.T) {
			in := s.newInstance(t)
			// watchCacheEnabled is false, so the etcd request recorder is never read.
			storagetesting.RunTestList(t.Context(), t, in.Storage, in.Compact, false, nil)
		})
	}},
	{name: "RunTestDeleteWithConflictAndMissingExpectedTransformOrDecodeError", sequential: true, run: func(t *testing.T, s *suite) {
		featuregatetesting.SetFeatureGateDuringTest(t, utilfeature.DefaultFeatureGate, features.AllowUnsafeMalformedObjectDeletion, true)
		codec := &failingCodec{Codec: NewCodec()}
		in := s.newInstance(t, withCodec(codec))
		storagetesting.RunTestDeleteWithConflictAndMissingExpectedTransformOrDecodeError(t.Context(), t, in.Storage, codec.setFailing)
	}},
	{name: "RunTestDeleteExpectedTransformOrDecodeError", sequential: true, run: func(t *testing.T, s *suite) {
		// Upstream: TestDeleteWithConflictAndExpectedTransformError and
		// TestDeleteWithConflictAndExpectedDecodeError.
		t.Run("TransformError", func(t *testing.T) {
			featuregatetesting.SetFeatureGateDuringTest(t, utilfeature.DefaultFeatureGate, features.AllowUnsafeMalformedObjectDeletion, true)
			transformer := &failingTransformer{Transformer: newPrefixTransformer()}
			in := s.newInstance(t, withTransformer(transformer))
			storagetesting.RunTestDeleteExpectedTransformOrDecodeError(t.Context(), t, in.Storage, transformer.setFailing)
		})
		t.Run("DecodeError", func(t *testing.T) {
			featuregatetesting.SetFeatureGateDuringTest(t, utilfeature.DefaultFeatureGate, features.AllowUnsafeMalformedObjectDeletion, true)
			codec := &failingCodec{Codec: NewCodec()}
			in := s.newInstance(t, withCodec(codec))
			storagetesting.RunTestDeleteExpectedTransformOrDecodeError(t.Context(), t, in.Storage, codec.setFailing)
		})
	}},
	{name: "RunTestDeleteWithSuggestionAndMissingExpectedTransformOrDecodeError", sequential: true, run: func(t *testing.T, s *suite) {
		featuregatetesting.SetFeatureGateDuringTest(t, utilfeature.DefaultFeatureGate, features.AllowUnsafeMalformedObjectDeletion, true)
		storagetesting.RunTestDeleteWithSuggestionAndMissingExpectedTransformOrDecodeError(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestConsistentList", sequential: true, run: func(t *testing.T, s *suite) {
		forEachRangeStream(t, "rangeStream", func(t *testing.T) {
			in := s.newInstance(t)
			// Not a cache, consistent reads supported, no list from cache snapshot.
			storagetesting.RunTestConsistentList(t.Context(), t, in.Storage, in.IncreaseRV, false, true, false)
		})
	}},
	{name: "RunTestGetListNonRecursive", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t)
		storagetesting.RunTestGetListNonRecursive(t.Context(), t, in.IncreaseRV, in.Storage)
	}},
	{name: "RunTestGetListRecursivePrefix", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestGetListRecursivePrefix(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestGetListWithErrorAggregation", sequential: true, run: func(t *testing.T, s *suite) {
		featuregatetesting.SetFeatureGateDuringTest(t, utilfeature.DefaultFeatureGate, features.AllowUnsafeMalformedObjectDeletion, true)
		in := s.newInstance(t)
		store := s.backend.WithUnsafeCorruptObjectDeletion(in.Storage, in.groupResource)
		corruptErr := s.backend.NewCorruptObjectError(errors.New("bits flipped"))
		storagetesting.RunTestGetListWithErrorAggregation(t.Context(), t, in.withTransformerHooks(store), corruptErr)
	}},
	{name: "RunTestGetListWithoutErrorAggregation", sequential: true, run: func(t *testing.T, s *suite) {
		featuregatetesting.SetFeatureGateDuringTest(t, utilfeature.DefaultFeatureGate, features.AllowUnsafeMalformedObjectDeletion, false)
		in := s.newInstance(t)
		corruptErr := s.backend.NewCorruptObjectError(errors.New("bits flipped"))
		storagetesting.RunTestGetListWithoutErrorAggregation(t.Context(), t, in.withTransformerHooks(in.Storage), corruptErr)
	}},
	{name: "RunTestListContinuation", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t)
		storagetesting.RunTestListContinuation(t.Context(), t, in.Storage, in.checkStorageCalls)
	}},
	{name: "RunTestListPaginationRareObject", sequential: true, run: func(t *testing.T, s *suite) {
		// Upstream: ListFromCacheSnapshot makes etcd3 read the compact key too,
		// which the call validation would count.
		featuregatetesting.SetFeatureGateDuringTest(t, utilfeature.DefaultFeatureGate, features.ListFromCacheSnapshot, false)
		in := s.newInstance(t)
		storagetesting.RunTestListPaginationRareObject(t.Context(), t, in.Storage, in.checkStorageCalls)
	}},
	{name: "RunTestListContinuationWithFilter", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t)
		storagetesting.RunTestListContinuationWithFilter(t.Context(), t, in.Storage, in.checkStorageCalls)
	}},
	{name: "RunTestListInconsistentContinuation", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t)
		storagetesting.RunTestListInconsistentContinuation(t.Context(), t, in.Storage, in.Compact)
	}},
	{name: "RunTestListResourceVersionMatch", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t)
		storagetesting.RunTestListResourceVersionMatch(t.Context(), t, in.withTransformerHooks(in.Storage))
	}},
	{name: "RunTestGuaranteedUpdate", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t)
		storagetesting.RunTestGuaranteedUpdate(t.Context(), t, in.withTransformerHooks(in.Storage), in.checkStorageInvariants)
	}},
	{name: "RunTestGuaranteedUpdateWithTTL", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestGuaranteedUpdateWithTTL(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestGuaranteedUpdateChecksStoredData", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t)
		storagetesting.RunTestGuaranteedUpdateChecksStoredData(t.Context(), t, in.withTransformerHooks(in.Storage))
	}},
	{name: "RunTestGuaranteedUpdateWithConflict", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestGuaranteedUpdateWithConflict(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestGuaranteedUpdateWithSuggestionAndConflict", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestGuaranteedUpdateWithSuggestionAndConflict(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestTransformationFailure", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t)
		storagetesting.RunTestTransformationFailure(t.Context(), t, in.withTransformerHooks(in.Storage))
	}},
	{name: "RunTestStats", run: func(t *testing.T, s *suite) {
		// Upstream names the variants after the SizeBasedListCostEstimate gate
		// but does not set it: the variant is whether size estimation is on.
		for _, sizeEnabled := range []bool{true, false} {
			t.Run(fmt.Sprintf("SizeBasedListCostEstimate=%v", sizeEnabled), func(t *testing.T) {
				t.Parallel()
				in := s.newInstance(t)
				if sizeEnabled {
					if err := in.Storage.EnableResourceSizeEstimation(in.Keys); err != nil {
						t.Fatalf("EnableResourceSizeEstimation: %v", err)
					}
				}
				storagetesting.RunTestStats(t.Context(), t, in.Storage, in.codec, in.transformer, sizeEnabled)
			})
		}
	}},
	{name: "RunTestListPaging", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestListPaging(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestNamespaceScopedList", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestNamespaceScopedList(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestCompactRevision", sequential: true, run: func(t *testing.T, s *suite) {
		// Upstream: etcd3 follows compactions made by others only through the
		// compact-key watch that ListFromCacheSnapshot turns on.
		featuregatetesting.SetFeatureGateDuringTest(t, utilfeature.DefaultFeatureGate, features.ListFromCacheSnapshot, true)
		in := s.newInstance(t)
		storagetesting.RunTestCompactRevision(t.Context(), t, in.Storage, in.IncreaseRV, in.Compact)
	}},
	{name: "RunTestKeySchema", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestKeySchema(t.Context(), t, s.newInstance(t).Storage)
	}},

	// watcher_tests.go, in file order.
	{name: "RunTestWatch", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestWatch(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestWatchFromZero", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t)
		storagetesting.RunTestWatchFromZero(t.Context(), t, in.Storage, in.Compact)
	}},
	{name: "RunTestDeleteTriggerWatch", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestDeleteTriggerWatch(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestWatchFromNonZero", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestWatchFromNonZero(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestDelayedWatchDelivery", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestDelayedWatchDelivery(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestWatchError", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t)
		storagetesting.RunTestWatchError(t.Context(), t, in.withTransformerHooks(in.Storage))
	}},
	{name: "RunTestWatchWithUnsafeDelete", sequential: true, run: func(t *testing.T, s *suite) {
		featuregatetesting.SetFeatureGateDuringTest(t, utilfeature.DefaultFeatureGate, features.AllowUnsafeMalformedObjectDeletion, true)
		in := s.newInstance(t)
		corruptErr := s.backend.NewCorruptObjectError(errors.New("bits flipped"))
		storagetesting.RunTestWatchWithUnsafeDelete(t.Context(), t, in.withTransformerHooks(in.Storage), corruptErr)
	}},
	{name: "RunTestWatchContextCancel", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestWatchContextCancel(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestWatcherTimeout", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestWatcherTimeout(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestWatchDeleteEventObjectHaveLatestRV", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestWatchDeleteEventObjectHaveLatestRV(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestWatchInitializationSignal", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestWatchInitializationSignal(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunOptionalTestProgressNotify", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t, withProgressNotify(time.Second))
		storagetesting.RunOptionalTestProgressNotify(t.Context(), t, in.Storage, in.IncreaseRV)
	}},
	{name: "RunTestClusterScopedWatch", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestClusterScopedWatch(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestNamespaceScopedWatch", run: func(t *testing.T, s *suite) {
		storagetesting.RunTestNamespaceScopedWatch(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunTestWatchDispatchBookmarkEvents", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t, withProgressNotify(time.Second))
		storagetesting.RunTestWatchDispatchBookmarkEvents(t.Context(), t, in.Storage, in.WatchBookmarks)
	}},
	{name: "RunTestOptionalWatchBookmarksWithCorrectResourceVersion", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t)
		store := in.Storage
		if !in.WatchBookmarks {
			// Bookmarks for AllowWatchBookmarks come from the watch cache, as in
			// kube-apiserver (upstream runs this test in cacher_test.go only):
			// run it through a cacher over the backend.
			store = NewWatchCache(t, store)
		}
		storagetesting.RunTestOptionalWatchBookmarksWithCorrectResourceVersion(t.Context(), t, store)
	}},
	{name: "RunSendInitialEventsBackwardCompatibility", run: func(t *testing.T, s *suite) {
		storagetesting.RunSendInitialEventsBackwardCompatibility(t.Context(), t, s.newInstance(t).Storage)
	}},
	{name: "RunWatchSemantics", sequential: true, run: func(t *testing.T, s *suite) {
		forEachRangeStream(t, "RangeStream", func(t *testing.T) {
			// Upstream runs the plain variant at the gate's default, which
			// v0.37 turned on; set both values so both decoders are covered.
			for _, concurrentDecode := range []bool{false, true} {
				t.Run(fmt.Sprintf("ConcurrentWatchObjectDecode=%v", concurrentDecode), func(t *testing.T) {
					featuregatetesting.SetFeatureGateDuringTest(t, utilfeature.DefaultFeatureGate, features.ConcurrentWatchObjectDecode, concurrentDecode)
					storagetesting.RunWatchSemantics(t.Context(), t, s.newInstance(t).Storage)
				})
			}
		})
	}},
	{name: "RunWatchSemanticInitialEventsExtended", sequential: true, run: func(t *testing.T, s *suite) {
		forEachRangeStream(t, "RangeStream", func(t *testing.T) {
			storagetesting.RunWatchSemanticInitialEventsExtended(t.Context(), t, s.newInstance(t).Storage)
		})
	}},
	{name: "RunWatchListMatchSingle", sequential: true, run: func(t *testing.T, s *suite) {
		forEachRangeStream(t, "RangeStream", func(t *testing.T) {
			storagetesting.RunWatchListMatchSingle(t.Context(), t, s.newInstance(t).Storage)
		})
	}},
	{name: "RunWatchErrorIsBlockingFurtherEvents", run: func(t *testing.T, s *suite) {
		in := s.newInstance(t)
		storagetesting.RunWatchErrorIsBlockingFurtherEvents(t.Context(), t, in.withTransformerHooks(in.Storage))
	}},
}

// forEachRangeStream runs f in subtests "<label>=false" and "<label>=true" with
// the EtcdRangeStream gate set accordingly, as upstream's etcd3 tests do for
// lists and watch-lists. It is a no-op knob for a backend other than etcd3.
func forEachRangeStream(t *testing.T, label string, f func(t *testing.T)) {
	for _, rangeStream := range []bool{false, true} {
		t.Run(fmt.Sprintf("%s=%v", label, rangeStream), func(t *testing.T) {
			featuregatetesting.SetFeatureGateDuringTest(t, utilfeature.DefaultFeatureGate, features.EtcdRangeStream, rangeStream)
			resetEtcdFeatureSupportChecker(t)
			f(t)
		})
	}
}

// resetEtcdFeatureSupportChecker gives t a fresh etcdfeature.DefaultFeatureSupportChecker,
// which caches per process whether etcd supports RangeStream (upstream's
// resetFeatureSupportCheckerDuringTest). Callers set gates, so t is not parallel.
func resetEtcdFeatureSupportChecker(t *testing.T) {
	orig := etcdfeature.DefaultFeatureSupportChecker
	etcdfeature.DefaultFeatureSupportChecker = etcdfeature.NewDefaultFeatureSupportChecker()
	t.Cleanup(func() { etcdfeature.DefaultFeatureSupportChecker = orig })
}

// suite makes the Instances of one RunUpstreamConformance.
type suite struct {
	backend Backend
}

// instance is an Instance plus what the suite's hooks need to reach.
type instance struct {
	Instance
	codec         runtime.Codec
	groupResource schema.GroupResource
	// transformer is the Config.Transformer the backend was given.
	transformer *transformerSwitch
	// reads counts TransformFromStorage calls when the initial transformer is
	// the default PrefixTransformer; nil otherwise.
	reads *storagetesting.PrefixTransformer
}

type option func(*Config)

func withCodec(c runtime.Codec) option { return func(cfg *Config) { cfg.Codec = c } }

func withTransformer(tr value.Transformer) option { return func(cfg *Config) { cfg.Transformer = tr } }

func withProgressNotify(d time.Duration) option {
	return func(cfg *Config) { cfg.ProgressNotifyInterval = d }
}

// newInstance returns a fresh Instance configured like upstream's withDefaults,
// modified by opts. The transformer the backend sees is a transformerSwitch over
// the configured one, so the suite can swap it for any backend.
func (s *suite) newInstance(t *testing.T, opts ...option) *instance {
	t.Helper()
	cfg := DefaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	reads, _ := cfg.Transformer.(*storagetesting.PrefixTransformer)
	sw := newTransformerSwitch(cfg.Transformer)
	cfg.Transformer = sw
	in := &instance{
		Instance:      s.backend.New(t, cfg),
		codec:         cfg.Codec,
		groupResource: cfg.GroupResource,
		transformer:   sw,
		reads:         reads,
	}
	if in.Storage == nil {
		t.Fatalf("%s backend returned an Instance without Storage", s.backend.Name())
	}
	return in
}

// checkStorageInvariants is upstream's KeyValidation: the stored bytes of key
// carry the transformer's prefix and decode to an object without
// resourceVersion or selfLink.
func (in *instance) checkStorageInvariants(ctx context.Context, t *testing.T, key string) {
	t.Helper()
	data, ok, err := in.RawGet(ctx, key)
	if err != nil {
		t.Fatalf("RawGet(%q): %v", key, err)
	}
	if !ok {
		t.Fatalf("RawGet(%q): key not found, want a stored object", key)
	}
	if !bytes.HasPrefix(data, []byte(storedPrefix)) {
		t.Fatalf("stored value of %q does not start with %q: %q", key, storedPrefix, data)
	}
	decoded, err := runtime.Decode(in.codec, data[len(storedPrefix):])
	if err != nil {
		t.Fatalf("decode stored value of %q: %v\n%s", key, err, data)
	}
	obj, err := apimeta.Accessor(decoded)
	if err != nil {
		t.Fatalf("stored value of %q: %v", key, err)
	}
	if rv := obj.GetResourceVersion(); rv != "" {
		t.Errorf("stored object %q has resourceVersion %q, want empty", key, rv)
	}
	if link := obj.GetSelfLink(); link != "" {
		t.Errorf("stored object %q has selfLink %q, want empty", key, link)
	}
}

// checkStorageCalls is upstream's checkStorageCallsInvariants: a list must
// transform exactly the objects it processed and, where the backend counts its
// read requests, page through etcd doubling the page size up to etcd3's maximum.
func (in *instance) checkStorageCalls(t *testing.T, pageSize, estimatedProcessedObjects uint64) {
	t.Helper()
	if in.reads == nil {
		t.Fatal("checkStorageCalls needs the default PrefixTransformer")
	}
	if reads := in.reads.GetReadsAndReset(); reads != estimatedProcessedObjects {
		t.Errorf("got %d transformer reads, want %d", reads, estimatedProcessedObjects)
	}
	if in.ReadCalls == nil {
		return
	}
	estimatedGetCalls := uint64(1)
	if pageSize != 0 {
		// The store doubles the page size after a short (filtered) page, so
		// it needs n+1 requests for the smallest n with
		// pageSize + 2*pageSize + ... + 2^n*pageSize >= processed objects.
		currLimit := pageSize
		for sum := uint64(1); sum < estimatedProcessedObjects; {
			currLimit = min(currLimit*2, etcdMaxPageLimit)
			sum += currLimit
			estimatedGetCalls++
		}
	}
	if calls := in.ReadCalls(); calls != estimatedGetCalls {
		t.Fatalf("got %d backend read requests, want %d", calls, estimatedGetCalls)
	}
}

// withTransformerHooks returns s with UpdatePrefixTransformer and
// UpdateTransformer acting on in's transformer.
func (in *instance) withTransformerHooks(s storage.Interface) *hookedStore {
	return &hookedStore{Interface: s, transformer: in.transformer}
}

// hookedStore implements upstream's InterfaceWithPrefixTransformer and
// InterfaceWithTransformerOverride over any backend.
type hookedStore struct {
	storage.Interface
	transformer *transformerSwitch
}

var (
	_ storagetesting.InterfaceWithPrefixTransformer   = (*hookedStore)(nil)
	_ storagetesting.InterfaceWithTransformerOverride = (*hookedStore)(nil)
)

// UpdatePrefixTransformer hands modifier a copy of the current
// PrefixTransformer, as upstream's etcd3 test does, and installs the result.
func (h *hookedStore) UpdatePrefixTransformer(modifier storagetesting.PrefixTransformerModifier) func() {
	orig := h.transformer.get()
	prefix, ok := orig.(*storagetesting.PrefixTransformer)
	if !ok {
		panic(fmt.Sprintf("memstoretest: UpdatePrefixTransformer needs a *PrefixTransformer, the instance has %T", orig))
	}
	cp := *prefix
	h.transformer.set(modifier(&cp))
	return func() { h.transformer.set(orig) }
}

// UpdateTransformer installs modifier(current transformer).
func (h *hookedStore) UpdateTransformer(modifier storagetesting.TransformerModifier) func() {
	orig := h.transformer.get()
	h.transformer.set(modifier(orig))
	return func() { h.transformer.set(orig) }
}

// transformerSwitch is the value.Transformer given to a backend. It delegates to
// a transformer the suite can replace at any time, as upstream's etcd3 tests
// replace the store's transformer field.
type transformerSwitch struct {
	current atomic.Pointer[transformerBox]
}

// transformerBox lets atomic.Pointer hold an interface value.
type transformerBox struct{ value.Transformer }

var _ value.Transformer = (*transformerSwitch)(nil)

func newTransformerSwitch(tr value.Transformer) *transformerSwitch {
	sw := &transformerSwitch{}
	sw.set(tr)
	return sw
}

func (sw *transformerSwitch) get() value.Transformer { return sw.current.Load().Transformer }

func (sw *transformerSwitch) set(tr value.Transformer) { sw.current.Store(&transformerBox{tr}) }

func (sw *transformerSwitch) TransformFromStorage(ctx context.Context, data []byte, dataCtx value.Context) ([]byte, bool, error) {
	return sw.get().TransformFromStorage(ctx, data, dataCtx)
}

func (sw *transformerSwitch) TransformToStorage(ctx context.Context, data []byte, dataCtx value.Context) ([]byte, error) {
	return sw.get().TransformToStorage(ctx, data, dataCtx)
}

// failingTransformer fails every read while failing is set (upstream's testTransformer).
type failingTransformer struct {
	value.Transformer
	fail atomic.Bool
}

func (f *failingTransformer) setFailing(fail bool) { f.fail.Store(fail) }

func (f *failingTransformer) TransformFromStorage(ctx context.Context, data []byte, dataCtx value.Context) ([]byte, bool, error) {
	if f.fail.Load() {
		return nil, false, errors.New("synthetic error")
	}
	return f.Transformer.TransformFromStorage(ctx, data, dataCtx)
}

// failingCodec fails every decode while failing is set (upstream's testCodec).
type failingCodec struct {
	runtime.Codec
	fail atomic.Bool
}

func (f *failingCodec) setFailing(fail bool) { f.fail.Store(fail) }

func (f *failingCodec) Decode(data []byte, defaults *schema.GroupVersionKind, into runtime.Object) (runtime.Object, *schema.GroupVersionKind, error) {
	if f.fail.Load() {
		return nil, nil, errors.New("synthetic error")
	}
	return f.Codec.Decode(data, defaults, into)
}

// codecs serves the example API group, as in upstream's etcd3 tests. It is
// built once: a scheme is safe for concurrent use once registration is done.
var codecs = func() serializer.CodecFactory {
	scheme := runtime.NewScheme()
	metav1.AddToGroupVersion(scheme, metav1.SchemeGroupVersion)
	utilruntime.Must(example.AddToScheme(scheme))
	utilruntime.Must(examplev1.AddToScheme(scheme))
	return serializer.NewCodecFactory(scheme)
}()

// DefaultConfig is the suite's storage of example.Pods, as upstream's etcd3
// tests configure theirs: the example API codec, the "test!" prefix
// transformer, resource prefix "/pods/", no path prefix.
func DefaultConfig() Config {
	return Config{
		Codec:          NewCodec(),
		Transformer:    newPrefixTransformer(),
		ResourcePrefix: "/pods/",
		GroupResource:  schema.GroupResource{Resource: "pods"},
		NewFunc:        func() runtime.Object { return &example.Pod{} },
		NewListFunc:    func() runtime.Object { return &example.PodList{} },
	}
}

// NewCodec returns the codec the suite stores example.Pods with (upstream's
// test codec for the example API group).
func NewCodec() runtime.Codec {
	return apitesting.TestCodec(codecs, examplev1.SchemeGroupVersion)
}

func newPrefixTransformer() *storagetesting.PrefixTransformer {
	return storagetesting.NewPrefixTransformer([]byte(storedPrefix), false)
}

// NewWatchCache returns kube-apiserver's watch cache over s (a storage of
// example.Pods under "/pods/"), configured like upstream's newTestCacher
// (pkg/storage/cacher), once it is ready. It stops at the end of the test.
func NewWatchCache(t testing.TB, s storage.Interface) storage.Interface {
	t.Helper()
	const prefix = "/pods/"
	c, err := cacher.NewCacherFromConfig(cacher.Config{
		Storage:             s,
		Versioner:           storage.APIObjectVersioner{},
		GroupResource:       schema.GroupResource{Resource: "pods"},
		EventsHistoryWindow: cacher.DefaultEventFreshDuration,
		ResourcePrefix:      prefix,
		KeyFunc:             func(obj runtime.Object) (string, error) { return storage.NamespaceKeyFunc(prefix, obj) },
		GetAttrsFunc:        podAttrs,
		NewFunc:             func() runtime.Object { return &example.Pod{} },
		NewListFunc:         func() runtime.Object { return &example.PodList{} },
		Codec:               codecs.LegacyCodec(examplev1.SchemeGroupVersion),
		Clock:               clock.RealClock{},
	})
	if err != nil {
		t.Fatalf("NewCacherFromConfig: %v", err)
	}
	d := cacher.NewCacheDelegator(c, s)
	t.Cleanup(func() {
		d.Stop() // stops the delegator only
		c.Stop()
	})
	if err := c.Wait(t.Context()); err != nil {
		t.Fatalf("cacher did not become ready: %v", err)
	}
	return d
}

// podAttrs are the selectable fields of an example.Pod, as upstream's cacher
// tests define them: metadata.name, metadata.namespace and spec.nodeName.
func podAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	labelsSet, fieldsSet, err := storage.DefaultNamespaceScopedAttr(obj)
	if err != nil {
		return nil, nil, err
	}
	if pod, ok := obj.(*example.Pod); ok {
		fieldsSet["spec.nodeName"] = pod.Spec.NodeName
	}
	return labelsSet, fieldsSet, nil
}
