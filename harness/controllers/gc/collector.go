// Package gc is kube-controller-manager's garbage collector, for memkube:
// the controller that deletes objects whose owners are gone and carries out
// foreground and orphan deletion. It is a rewrite of
// k8s.io/kubernetes/pkg/controller/garbagecollector (v1.37), which memkube
// does not import, and talks to any API server through a rest.Config.
//
// As upstream, it keeps metadata-only informers ("monitors") on every
// resource discovery lists with the list, watch and delete verbs (except
// core and events.k8s.io events), feeds their events to a single goroutine
// that maintains a graph of owner → dependents by UID, and runs workers on
// two queues:
//
//   - attemptToDelete: an object whose owners may all be gone. A worker asks
//     the API server for each owner (by name, then compares the UID; absent
//     owners are remembered in an LRU cache) and deletes the object with a
//     UID precondition and the propagation policy upstream uses (Foreground
//     when an owner is deleting in the foreground and the object has
//     dependents of its own; otherwise its own orphan/foregroundDeletion
//     finalizer's policy, or Background). Owners deleting in the foreground
//     are queued here too: once no dependent with blockOwnerDeletion=true
//     remains, the foregroundDeletion finalizer is removed.
//   - attemptToOrphan: an owner being deleted with the orphan finalizer. A
//     worker removes the references to it from its dependents (strategic
//     merge patch, or JSON merge patch where SMP is unsupported, as for
//     custom resources), then removes the finalizer.
//
// Owners named in references but not (yet) seen by an informer are virtual
// nodes that a worker verifies against the API server, so dangling
// references, and owners deleted before the collector saw them, are handled
// as upstream does; so are references whose coordinates (apiVersion, kind,
// name, namespace) disagree with the observed owner, including a namespaced
// dependent naming an owner in another namespace (an OwnerRefInvalidNamespace
// warning event) and a cluster-scoped dependent naming a namespaced kind
// (ignored, never retried).
//
// Unlike upstream, which rediscovers resources every 30 seconds, the
// collector also rediscovers whenever a CustomResourceDefinition changes
// (and until discovery first answers), polling briefly until the change
// shows, so monitors for a new CRD start within milliseconds; items that
// failed because their owner's kind was not yet known are requeued as soon
// as discovery changes instead of waiting out their backoff; and workers
// wait at most 5s (not 30s) for the monitors' first list.
//
// The API server must set the finalizers: with a genericregistry.Store's
// EnableGarbageCollection false, a delete with propagationPolicy Orphan or
// Foreground removes the object at once and the collector never sees the
// finalizer. Objects that carry the finalizers already (set by a client)
// are finalized either way.
//
// Cost: one informer per resource (about 60 on a memkube server), about 650
// goroutines between client and server, 30-50ms of CPU to list them all at
// start, and nothing measurable when idle (one discovery request every 30s).
//
// Known gaps: no metrics and no /debug graph dump (upstream's dump.go); the
// ignored resources are upstream's defaults and not configurable; as
// upstream, nodes of a resource whose monitor stops (its CRD is gone) stay
// in the graph; the controller's clients are not throttled when the config
// sets no QPS (client-go's default 5 QPS would make collection in tests
// visibly slow), where kube-controller-manager defaults to 20 QPS.
package gc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/kubernetes/scheme"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"k8s.io/utils/lru"
)

// resyncPeriod is how often the collector rediscovers resources when no
// CustomResourceDefinition changes: kube-controller-manager's period.
const resyncPeriod = 30 * time.Second

// initialSyncTimeout bounds how long Run waits for the monitors' first
// list before starting workers anyway: as upstream, a monitor that cannot
// sync must not stop collection. Shorter than kube-controller-manager's
// (its sync period, 30s): a test server's monitors list in milliseconds.
const initialSyncTimeout = 5 * time.Second

// absentOwnerCacheSize is upstream's size of the absent owner cache.
const absentOwnerCacheSize = 500

// ignoredResources are never monitored: upstream's defaults.
var ignoredResources = map[schema.GroupResource]struct{}{
	{Group: "", Resource: "events"}:              {},
	{Group: "events.k8s.io", Resource: "events"}: {},
}

// Controller is a garbage collector. Create it with New and run it once
// with Run.
type Controller struct {
	metadata metadata.Interface
	// discovery lists resources for monitors. It is not the mapper's client:
	// resetting the mapper must not invalidate it (as upstream).
	discovery *discovery.DiscoveryClient
	mapper    *restmapper.DeferredDiscoveryRESTMapper
	events    corev1client.EventsGetter

	graph           *uidToNode
	graphChanges    workqueue.TypedInterface[*event]
	attemptToDelete workqueue.TypedRateLimitingInterface[*node]
	attemptToOrphan workqueue.TypedRateLimitingInterface[*node]
	// absentOwners holds the coordinates (objectReference) of owners the API
	// server said do not exist. lru.Cache locks itself.
	absentOwners *lru.Cache
	// recorder is set by Run before any goroutine that uses it starts.
	recorder record.EventRecorder

	// monitorsMu protects monitors, running and monitorCtx. It is never
	// held while expectMu or unmappedMu is taken.
	monitorsMu sync.Mutex
	monitors   map[schema.GroupVersionResource]*monitor
	// running is true while Run accepts new monitors.
	running    bool
	monitorCtx context.Context
	// monitorWG counts the running informers.
	monitorWG sync.WaitGroup

	// resync asks the resource sync loop to rediscover now.
	resync chan struct{}
	// expectMu protects expectations: CRD resources discovery should show
	// (or stop showing) soon, with the time to give up.
	expectMu     sync.Mutex
	expectations map[schema.GroupResource]expectation
	// crdChanged: a CRD changed since the last resync; the REST mapper must
	// forget what it knows.
	crdChanged atomic.Bool

	// unmappedMu protects unmapped: nodes that failed because a kind was
	// not in the REST mapper, requeued when discovery changes.
	unmappedMu sync.Mutex
	unmapped   map[*node]struct{}

	// ran is set by the first Run.
	ran atomic.Bool
}

// New returns a garbage collector for the API server config points to.
// The config is copied; if it sets neither QPS nor a rate limiter, the
// collector's requests are not throttled.
func New(config *rest.Config) (*Controller, error) {
	config = rest.CopyConfig(config)
	if config.QPS == 0 && config.RateLimiter == nil {
		config.QPS = -1
	}
	if config.UserAgent == "" {
		config.UserAgent = "memkube/garbage-collector"
	}
	httpClient, err := rest.HTTPClientFor(config)
	if err != nil {
		return nil, fmt.Errorf("gc: http client: %w", err)
	}
	md, err := metadata.NewForConfigAndClient(config, httpClient)
	if err != nil {
		return nil, fmt.Errorf("gc: metadata client: %w", err)
	}
	resources, err := discovery.NewDiscoveryClientForConfigAndClient(config, httpClient)
	if err != nil {
		return nil, fmt.Errorf("gc: discovery client: %w", err)
	}
	mapperDiscovery, err := discovery.NewDiscoveryClientForConfigAndClient(config, httpClient)
	if err != nil {
		return nil, fmt.Errorf("gc: discovery client: %w", err)
	}
	core, err := corev1client.NewForConfigAndClient(config, httpClient)
	if err != nil {
		return nil, fmt.Errorf("gc: core client: %w", err)
	}
	// Queue names stay empty: a name turns on workqueue metrics, whose
	// goroutine ticks every 500ms per queue even when idle.
	return &Controller{
		metadata:        md,
		discovery:       resources,
		mapper:          restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(mapperDiscovery)),
		events:          core,
		graph:           &uidToNode{nodes: map[types.UID]*node{}},
		graphChanges:    workqueue.NewTyped[*event](),
		attemptToDelete: workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[*node]()),
		attemptToOrphan: workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[*node]()),
		absentOwners:    lru.New(absentOwnerCacheSize),
		monitors:        map[schema.GroupVersionResource]*monitor{},
		resync:          make(chan struct{}, 1),
		expectations:    map[schema.GroupResource]expectation{},
		unmapped:        map[*node]struct{}{},
	}, nil
}

// Run collects garbage with workers workers on each queue (at least one)
// until ctx ends, then stops every goroutine and informer it started and
// returns. Run may be called once.
func (c *Controller) Run(ctx context.Context, workers int) {
	if !c.ran.CompareAndSwap(false, true) {
		panic("gc: Controller.Run called twice")
	}
	workers = max(workers, 1)
	logger := klog.FromContext(ctx)
	logger.Info("Starting controller", "controller", "garbagecollector")
	defer logger.Info("Shutting down controller", "controller", "garbagecollector")

	// No WithContext: that starts a goroutine nobody waits for; Shutdown below.
	broadcaster := record.NewBroadcaster()
	defer broadcaster.Shutdown()
	broadcaster.StartRecordingToSink(&corev1client.EventSinkImpl{Interface: c.events.Events("")})
	c.recorder = broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "garbage-collector-controller"})

	c.monitorsMu.Lock()
	c.running, c.monitorCtx = true, ctx
	c.monitorsMu.Unlock()

	var wg sync.WaitGroup
	wg.Go(func() { c.runGraphBuilder(ctx) })
	wg.Go(func() { c.syncResources(ctx) })

	// As upstream: workers start once the monitors have listed (fewer
	// virtual nodes to verify), or after a timeout anyway.
	err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, initialSyncTimeout, true, func(context.Context) (bool, error) {
		return c.HasSynced(), nil
	})
	if err != nil && ctx.Err() == nil {
		logger.Info("Garbage collector: not all resource monitors could be synced, proceeding anyways")
	}
	for range workers {
		wg.Go(func() {
			for c.processAttemptToDelete(ctx) {
			}
		})
		wg.Go(func() {
			for c.processAttemptToOrphan(ctx) {
			}
		})
	}
	<-ctx.Done()

	c.graphChanges.ShutDown()
	c.attemptToDelete.ShutDown()
	c.attemptToOrphan.ShutDown()
	wg.Wait()
	c.stopMonitors()
}

// HasSynced reports whether the collector has monitors and every one has
// listed its resource once. It may turn false again when discovery adds
// resources.
func (c *Controller) HasSynced() bool {
	c.monitorsMu.Lock()
	defer c.monitorsMu.Unlock()
	if len(c.monitors) == 0 {
		return false
	}
	for _, m := range c.monitors {
		if !m.informer.HasSynced() {
			return false
		}
	}
	return true
}

// errVirtualDeleteQueued: the item does not exist; a virtual delete event
// will remove it from the graph, so the item is not retried.
var errVirtualDeleteQueued = errors.New("gc: enqueued virtual delete event")

// errNamespacedOwnerOfClusterScoped: a cluster-scoped object names an owner
// of a namespaced kind. Retrying cannot help; upstream drops the item.
var errNamespacedOwnerOfClusterScoped = errors.New("gc: cluster-scoped objects cannot refer to namespaced owners")

// restMappingError: a reference's apiVersion/kind is not (yet) served.
type restMappingError struct {
	kind, version string
}

func (e *restMappingError) Error() string {
	return fmt.Sprintf("unable to get REST mapping for %s/%s.", e.version, e.kind)
}
