package resourcequota

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	quota "k8s.io/apiserver/pkg/quota/v1"
	"k8s.io/apiserver/pkg/quota/v1/generic"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"

	memkubequota "github.com/memkube/memkube/harness/quota"
)

// rediscoverAfter is how soon after a discovery a quota naming an unknown
// resource may ask for another.
const rediscoverAfter = 500 * time.Millisecond

// monitorSyncTimeout bounds how long a quota's sync waits for a new
// monitor's first list before it is retried.
const monitorSyncTimeout = 10 * time.Second

// monitors are the informers on the resources quotas count, started when a
// quota first names their resource, and the resources discovery lists.
type monitors struct {
	c         *Controller
	factory   informers.SharedInformerFactory
	replenish func(schema.GroupResource, string)
	ignored   map[schema.GroupResource]struct{}

	// mu protects everything below.
	mu sync.Mutex
	// resources are the quotable resources discovery listed last, at
	// discovered.
	resources  map[schema.GroupResource]schema.GroupVersionResource
	discovered time.Time
	running    map[schema.GroupVersionResource]*monitor
	stopped    bool
	wg         sync.WaitGroup
}

// monitor is an informer on one resource: typed for the kinds client-go
// knows (the evaluators of pods, services and claims read their specs),
// metadata-only for the others (counted).
type monitor struct {
	informer cache.SharedIndexInformer
	cancel   context.CancelFunc
}

func newMonitors(c *Controller, factory informers.SharedInformerFactory, replenish func(schema.GroupResource, string)) *monitors {
	return &monitors{
		c: c, factory: factory, replenish: replenish,
		ignored: memkubequota.IgnoredResources(),
		running: map[schema.GroupVersionResource]*monitor{},
	}
}

// discover lists the quotable resources: namespaced, preferred version,
// with the create, list, watch and delete verbs, not ignored.
func (m *monitors) discover(context.Context) error {
	lists, err := discovery.ServerPreferredNamespacedResources(m.c.discovery)
	if err != nil && len(lists) == 0 {
		return fmt.Errorf("failed to discover resources: %w", err)
	}
	lists = discovery.FilteredBy(discovery.SupportsAllVerbs{Verbs: []string{"create", "list", "watch", "delete"}}, lists)
	gvrs, parseErr := discovery.GroupVersionResources(lists)
	if parseErr != nil {
		return fmt.Errorf("failed to parse resources: %w", parseErr)
	}
	resources := map[schema.GroupResource]schema.GroupVersionResource{}
	for gvr := range gvrs {
		if _, ok := m.ignored[gvr.GroupResource()]; !ok {
			resources[gvr.GroupResource()] = gvr
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil && m.resources != nil {
		// a group failed: keep what it had.
		var failed *discovery.ErrGroupDiscoveryFailed
		if errors.As(err, &failed) {
			for gr, gvr := range m.resources {
				if _, ok := failed.Groups[gvr.GroupVersion()]; ok {
					resources[gr] = gvr
				}
			}
		}
	}
	m.resources, m.discovered = resources, time.Now()
	return nil
}

// rediscover discovers again and stops the monitors of resources gone;
// changed says whether the resources changed.
func (m *monitors) rediscover(ctx context.Context) (changed bool, err error) {
	m.mu.Lock()
	before := maps.Clone(m.resources)
	m.mu.Unlock()
	if err := m.discover(ctx); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for gvr, mon := range m.running {
		if m.resources[gvr.GroupResource()] != gvr {
			mon.cancel()
			delete(m.running, gvr)
		}
	}
	return !maps.Equal(before, m.resources), nil
}

// ensure starts the monitors of the resources names count (adding object
// count evaluators to registry for resources that have none) and waits
// for their first list. unknown are the names no evaluator measures; if
// there are any, resources are rediscovered first (at most every
// rediscoverAfter).
func (m *monitors) ensure(ctx context.Context, registry quota.Registry, names []corev1.ResourceName) (unknown []corev1.ResourceName, err error) {
	needed, unknown := m.needed(registry, names)
	if len(unknown) > 0 {
		m.mu.Lock()
		stale := time.Since(m.discovered) > rediscoverAfter
		m.mu.Unlock()
		if stale {
			if _, err := m.rediscover(ctx); err != nil {
				return nil, err
			}
			needed, unknown = m.needed(registry, names)
		}
	}
	var started []*monitor
	for _, gvr := range needed {
		mon, err := m.start(gvr)
		if err != nil {
			return nil, err
		}
		started = append(started, mon)
	}
	// polled every 5ms: cache.WaitForCacheSync's 100ms would add that
	// to the first sync of every quota.
	err = wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, monitorSyncTimeout, true, func(context.Context) (bool, error) {
		for _, mon := range started {
			if !mon.informer.HasSynced() {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("resourcequota: waiting for the monitors of %v: %w", needed, err)
	}
	return unknown, nil
}

// needed returns the resources whose evaluators measure some of names,
// adding object count evaluators for resources that have none, and the
// names none measures.
func (m *monitors) needed(registry quota.Registry, names []corev1.ResourceName) (needed []schema.GroupVersionResource, unknown []corev1.ResourceName) {
	m.mu.Lock()
	resources := maps.Clone(m.resources)
	m.mu.Unlock()
	measured := map[corev1.ResourceName]bool{}
	for gr, gvr := range resources {
		e := registry.Get(gr)
		if e == nil {
			count := generic.NewObjectCountEvaluator(gr, generic.ListResourceUsingListerFunc(m.lister, gvr), "")
			if len(count.MatchingResources(names)) == 0 {
				continue
			}
			registry.Add(count)
			e = count
		}
		matched := e.MatchingResources(names)
		for _, name := range matched {
			measured[name] = true
		}
		if len(matched) > 0 {
			needed = append(needed, gvr)
		}
	}
	for _, name := range names {
		if !measured[name] {
			unknown = append(unknown, name)
		}
	}
	return needed, unknown
}

// start starts the monitor of gvr unless it runs.
func (m *monitors) start(gvr schema.GroupVersionResource) (*monitor, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if mon := m.running[gvr]; mon != nil {
		return mon, nil
	}
	if m.stopped {
		return nil, errors.New("resourcequota: stopped")
	}
	var informer cache.SharedIndexInformer
	if typed, err := m.factory.ForResource(gvr); err == nil {
		// not from the factory's cache of informers: this one is run and
		// stopped on its own.
		informer = typed.Informer()
	} else {
		informer = metadatainformer.NewFilteredMetadataInformer(m.c.metadata, gvr, metav1.NamespaceAll, 0, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}, nil).Informer()
	}
	gr := gvr.GroupResource()
	replenish := func(obj any) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		if accessor, err := meta.Accessor(obj); err == nil {
			m.replenish(gr, accessor.GetNamespace())
		}
	}
	releases := memkubequota.UpdateReleases(m.c.clock)
	if _, err := informer.AddEventHandlerWithResyncPeriod(cache.ResourceEventHandlerFuncs{
		// Upstream replenishes on deletes and releases only: admission
		// charges creates. But a sync that counted from this cache before it
		// saw a create (a quota retried while its resource was unknown, or
		// after a delete) writes the lower count over admission's charge,
		// and upstream's controller corrects it at its next full resync,
		// minutes later. Adds replenish too, so the count catches up as
		// soon as the cache does; when nothing lagged, the sync writes
		// nothing.
		AddFunc: replenish,
		UpdateFunc: func(oldObj, newObj any) {
			if releases(gvr, oldObj, newObj) {
				replenish(newObj)
			}
		},
		DeleteFunc: replenish,
	}, ResyncPeriod); err != nil {
		return nil, fmt.Errorf("resourcequota: monitor %s: %w", gvr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	mon := &monitor{informer: informer, cancel: cancel}
	m.running[gvr] = mon
	m.wg.Go(func() { informer.RunWithContext(ctx) })
	return mon, nil
}

// lister is the quota.ListerForResourceFunc of the evaluators: the
// monitor's cache, an error until it has listed.
func (m *monitors) lister(gvr schema.GroupVersionResource) (cache.GenericLister, error) {
	m.mu.Lock()
	mon := m.running[gvr]
	m.mu.Unlock()
	if mon == nil || !mon.informer.HasSynced() {
		return nil, fmt.Errorf("resourcequota: %s is not monitored yet", gvr)
	}
	return cache.NewGenericLister(mon.informer.GetIndexer(), gvr.GroupResource()), nil
}

// stop stops every monitor and waits for them; none starts after.
func (m *monitors) stop() {
	m.mu.Lock()
	m.stopped = true
	for _, mon := range m.running {
		mon.cancel()
	}
	m.running = nil
	m.mu.Unlock()
	m.wg.Wait()
}
