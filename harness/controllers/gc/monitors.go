package gc

import (
	"context"
	"maps"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

// monitor is a metadata-only informer on one resource, feeding graphChanges.
type monitor struct {
	informer cache.SharedIndexInformer
	// cancel stops the informer; nil until it is started.
	cancel context.CancelFunc
}

// crdResource is the resource whose changes trigger a prompt rediscovery.
var crdResource = schema.GroupResource{Group: "apiextensions.k8s.io", Resource: "customresourcedefinitions"}

// expectationTimeout bounds how long the sync loop polls discovery for a
// CRD change to show (a CRD whose names are not accepted never shows).
const expectationTimeout = 10 * time.Second

// expectation is a resource discovery should soon list (present) or stop
// listing.
type expectation struct {
	present  bool
	deadline time.Time
}

// newMonitor returns an informer (not started) on resource, whose objects
// are of kind.
func (c *Controller) newMonitor(logger klog.Logger, resource schema.GroupVersionResource, kind schema.GroupVersionKind) *monitor {
	informer := metadatainformer.NewFilteredMetadataInformer(c.metadata, resource, metav1.NamespaceAll, 0, cache.Indexers{}, nil).Informer()
	// managedFields are most of an object's metadata and never read here.
	if err := informer.SetTransform(dropManagedFields); err != nil {
		panic("gc: transform of an informer not started: " + err.Error())
	}
	add := func(t eventType, obj, oldObj any) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		accessor, err := meta.Accessor(obj)
		if err != nil {
			logger.V(2).Info("cannot access obj", "resource", resource, "err", err)
			return
		}
		e := &event{eventType: t, obj: accessor, gvk: kind}
		if oldObj != nil {
			if old, err := meta.Accessor(oldObj); err == nil {
				e.oldObj = old
			}
		}
		c.graphChanges.Add(e)
	}
	handlers := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { add(addEvent, obj, nil) },
		UpdateFunc: func(oldObj, newObj any) { add(updateEvent, newObj, oldObj) },
		DeleteFunc: func(obj any) { add(deleteEvent, obj, nil) },
	}
	if _, err := informer.AddEventHandler(handlers); err != nil {
		panic("gc: handler on an informer not started: " + err.Error())
	}
	if resource.GroupResource() == crdResource {
		crdHandlers := cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { c.expectCRD(obj, true) },
			UpdateFunc: func(_, obj any) { c.expectCRD(obj, true) },
			DeleteFunc: func(obj any) { c.expectCRD(obj, false) },
		}
		if _, err := informer.AddEventHandler(crdHandlers); err != nil {
			panic("gc: handler on an informer not started: " + err.Error())
		}
	}
	return &monitor{informer: informer}
}

func dropManagedFields(obj any) (any, error) {
	if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
		m.ManagedFields = nil
	}
	return obj, nil
}

// expectCRD records that the resource a CRD defines should appear in (or,
// for a deleted CRD, leave) discovery, and asks for a resync. A CRD's name
// is <plural>.<group>.
func (c *Controller) expectCRD(obj any, present bool) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return
	}
	plural, group, ok := strings.Cut(accessor.GetName(), ".")
	if ok && (!present || accessor.GetDeletionTimestamp() == nil) {
		c.expectMu.Lock()
		c.expectations[schema.GroupResource{Group: group, Resource: plural}] = expectation{present: present, deadline: time.Now().Add(expectationTimeout)}
		c.expectMu.Unlock()
	}
	c.crdChanged.Store(true)
	select {
	case c.resync <- struct{}{}:
	default:
	}
}

// settleExpectations drops the expectations discovered meets or that timed
// out, and reports whether any remain.
func (c *Controller) settleExpectations(discovered map[schema.GroupResource]bool) bool {
	c.expectMu.Lock()
	defer c.expectMu.Unlock()
	now := time.Now()
	for gr, e := range c.expectations {
		if discovered[gr] == e.present || now.After(e.deadline) {
			delete(c.expectations, gr)
		}
	}
	return len(c.expectations) > 0
}

// syncResources keeps one monitor per deletable resource: it rediscovers
// every resyncPeriod, when a CRD changes, and every few milliseconds
// (backing off to a second) while a CRD change has not shown in discovery
// yet or discovery has not answered.
func (c *Controller) syncResources(ctx context.Context) {
	logger := klog.FromContext(ctx)
	var current map[schema.GroupVersionResource]schema.GroupVersionKind
	const minPoll, maxPoll = 10 * time.Millisecond, time.Second
	poll := minPoll
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.resync:
		case <-timer.C:
		}
		found, err := deletableResources(ctx, c.discovery)
		if err != nil && ctx.Err() == nil {
			logger.V(2).Info("discovery failed, the garbage collector keeps the monitors of the groups that failed", "err", err)
		}
		if len(found) > 0 {
			if failed, ok := discovery.GroupDiscoveryFailedErrorGroups(err); ok {
				// keep what was synced for groups that failed this time.
				for r, kind := range current {
					if _, f := failed[r.GroupVersion()]; f && c.isResourceSynced(r) {
						found[r] = kind
					}
				}
			}
			// A CRD change may add a version that is not preferred, which
			// the monitors do not show but references may use.
			crdChanged := c.crdChanged.Swap(false)
			if changed := !maps.Equal(current, found); changed || crdChanged {
				c.mapper.ResetWithContext(ctx)
				if changed {
					logger.V(2).Info("syncing garbage collector with updated resources from discovery", "resources", len(found))
					c.syncMonitors(logger, found)
					current = found
				}
				c.requeueUnmapped()
			}
		}
		discovered := map[schema.GroupResource]bool{}
		for r := range found {
			discovered[r.GroupResource()] = true
		}
		next := resyncPeriod
		// Poll while a CRD change has not shown, and while there is nothing
		// to monitor yet (the server is not ready): not once in 30s.
		if pending := c.settleExpectations(discovered); pending || len(current) == 0 {
			next, poll = poll, min(2*poll, maxPoll)
		} else {
			poll = minPoll
		}
		timer.Reset(next)
	}
}

// deletableResources are the preferred versions of the resources that
// support delete, list and watch, with their kinds. On a partial discovery
// failure it returns what it found and the error.
func deletableResources(ctx context.Context, d *discovery.DiscoveryClient) (map[schema.GroupVersionResource]schema.GroupVersionKind, error) {
	lists, err := d.ServerPreferredResourcesWithContext(ctx)
	found := map[schema.GroupVersionResource]schema.GroupVersionKind{}
	for _, list := range discovery.FilteredBy(discovery.SupportsAllVerbs{Verbs: []string{"delete", "list", "watch"}}, lists) {
		gv, perr := schema.ParseGroupVersion(list.GroupVersion)
		if perr != nil {
			continue
		}
		for _, r := range list.APIResources {
			found[gv.WithResource(r.Name)] = gv.WithKind(r.Kind)
		}
	}
	return found, err
}

// syncMonitors makes the monitors those of resources (less the ignored
// ones): it keeps existing ones, creates and, while Run runs, starts new
// ones, and stops those of resources no longer listed.
func (c *Controller) syncMonitors(logger klog.Logger, resources map[schema.GroupVersionResource]schema.GroupVersionKind) {
	c.monitorsMu.Lock()
	defer c.monitorsMu.Unlock()
	stale := c.monitors
	current := make(map[schema.GroupVersionResource]*monitor, len(resources))
	added := 0
	for r, kind := range resources {
		if _, ok := ignoredResources[r.GroupResource()]; ok {
			continue
		}
		if m, ok := stale[r]; ok {
			current[r] = m
			delete(stale, r)
			continue
		}
		current[r] = c.newMonitor(logger, r, kind)
		added++
	}
	for _, m := range stale {
		if m.cancel != nil {
			m.cancel()
		}
	}
	c.monitors = current
	if c.running {
		for _, m := range current {
			if m.cancel == nil {
				ctx, cancel := context.WithCancel(c.monitorCtx)
				m.cancel = cancel
				c.monitorWG.Go(func() { m.informer.RunWithContext(ctx) })
			}
		}
	}
	logger.V(4).Info("synced monitors", "added", added, "kept", len(current)-added, "removed", len(stale))
}

// stopMonitors stops every monitor and waits for them; no monitor starts
// after it.
func (c *Controller) stopMonitors() {
	c.monitorsMu.Lock()
	c.running = false
	for _, m := range c.monitors {
		if m.cancel != nil {
			m.cancel()
		}
	}
	c.monitors = map[schema.GroupVersionResource]*monitor{}
	c.monitorsMu.Unlock()
	c.monitorWG.Wait()
}

func (c *Controller) isResourceSynced(r schema.GroupVersionResource) bool {
	c.monitorsMu.Lock()
	defer c.monitorsMu.Unlock()
	m, ok := c.monitors[r]
	return ok && m.informer.HasSynced()
}

// requeueUnmapped queues again the items that failed on an unknown kind.
func (c *Controller) requeueUnmapped() {
	c.unmappedMu.Lock()
	nodes := c.unmapped
	c.unmapped = map[*node]struct{}{}
	c.unmappedMu.Unlock()
	for n := range nodes {
		c.attemptToDelete.Add(n)
	}
}
