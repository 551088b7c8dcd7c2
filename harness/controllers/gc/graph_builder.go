package gc

import (
	"context"
	"reflect"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
)

type eventType int

const (
	addEvent eventType = iota
	updateEvent
	deleteEvent
)

func (e eventType) String() string {
	switch e {
	case addEvent:
		return "add"
	case updateEvent:
		return "update"
	default:
		return "delete"
	}
}

// event is a change to the graph: an informer's notification, or a virtual
// delete the workers produce when the API server says an object the graph
// holds does not exist.
type event struct {
	virtual   bool
	eventType eventType
	obj       metav1.Object
	// oldObj is the previous state of an update; nil otherwise.
	oldObj metav1.Object
	gvk    schema.GroupVersionKind
}

func identityFromEvent(e *event) objectReference {
	return objectReference{
		APIVersion: e.gvk.GroupVersion().String(),
		Kind:       e.gvk.Kind,
		Name:       e.obj.GetName(),
		UID:        e.obj.GetUID(),
		Namespace:  e.obj.GetNamespace(),
	}
}

// runGraphBuilder applies graph changes one at a time until the queue shuts
// down. It is the graph's only writer.
func (c *Controller) runGraphBuilder(ctx context.Context) {
	logger := klog.FromContext(ctx)
	for c.processGraphChange(logger) {
	}
}

// processGraphChange updates the graph with one event and queues the nodes
// the change may make collectable (attemptToDelete) or orphanable
// (attemptToOrphan), as kube-controller-manager's GraphBuilder does.
func (c *Controller) processGraphChange(logger klog.Logger) bool {
	e, quit := c.graphChanges.Get()
	if quit {
		return false
	}
	defer c.graphChanges.Done(e)
	uid := e.obj.GetUID()
	logger.V(5).Info("GraphBuilder process object", "apiVersion", e.gvk.GroupVersion().String(), "kind", e.gvk.Kind,
		"object", klog.KObj(e.obj), "uid", uid, "eventType", e.eventType, "virtual", e.virtual)

	existing, found := c.graph.read(uid)
	if found && !e.virtual && !existing.isObserved() {
		// An informer reports an object the graph knew only from references:
		// dependents that named it by other coordinates may be wrong.
		observed := identityFromEvent(e)
		if observed != existing.identity {
			_, mismatched := partitionDependents(existing.getDependents(), observed)
			for _, dep := range mismatched {
				if observed.Namespace != "" && dep.identity.Namespace != observed.Namespace {
					logger.V(2).Info("item references an owner but does not match namespaces", "item", dep.identity, "owner", observed)
					c.reportInvalidNamespaceOwnerRef(dep, observed.UID)
				}
				c.attemptToDelete.Add(dep)
			}
			logger.V(2).Info("replacing virtual item with observed item", "virtual", existing.identity, "observed", observed)
			// workers may hold the old node: replace it rather than mutate identity.
			existing = existing.clone()
			existing.identity = observed
			c.graph.write(existing)
		}
		existing.markObserved()
	}

	switch {
	case (e.eventType == addEvent || e.eventType == updateEvent) && !found:
		n := newNode(identityFromEvent(e))
		n.owners = e.obj.GetOwnerReferences()
		n.beingDeleted = beingDeleted(e.obj)
		n.deletingDependents = n.beingDeleted && hasFinalizer(e.obj, metav1.FinalizerDeleteDependents)
		c.graph.write(n)
		c.addDependentToOwners(logger, n, n.owners)
		// the informer may have folded a creation and an update into one event.
		c.processTransitions(logger, e.oldObj, e.obj, n)
	case e.eventType == addEvent || e.eventType == updateEvent:
		added, removed, changed := referencesDiffs(existing.getOwners(), e.obj.GetOwnerReferences())
		if len(added) != 0 || len(removed) != 0 || len(changed) != 0 {
			// owners waiting on this dependent may be unblocked now.
			c.addUnblockedOwnersToDeleteQueue(logger, removed, changed)
			existing.setOwners(e.obj.GetOwnerReferences())
			c.addDependentToOwners(logger, existing, added)
			c.removeDependentFromOwners(existing, removed)
		}
		if beingDeleted(e.obj) {
			existing.markBeingDeleted()
		}
		c.processTransitions(logger, e.oldObj, e.obj, existing)
	default: // deleteEvent
		if !found {
			logger.V(5).Info("item doesn't exist in the graph, this shouldn't happen", "item", uid)
			return true
		}
		if e.virtual && !c.virtualDeleteRemoves(existing, identityFromEvent(e)) {
			return true
		}
		c.removeNode(existing)
		deps := existing.getDependents()
		if len(deps) > 0 {
			c.absentOwners.Add(identityFromEvent(e), nil)
		}
		for _, dep := range deps {
			c.attemptToDelete.Add(dep)
		}
		for _, owner := range existing.getOwners() {
			// an owner deleting in the foreground may have waited for this one.
			if ownerNode, ok := c.graph.read(owner.UID); ok && ownerNode.isDeletingDependents() {
				c.attemptToDelete.Add(ownerNode)
			}
		}
	}
	return true
}

// virtualDeleteRemoves handles a virtual delete event (the API server does
// not have deleted): it reports whether existing leaves the graph. When
// dependents disagree on the coordinates of the owner UID, only the
// dependents naming the verified-absent coordinates are collected, and a
// virtual owner takes the next identity its dependents give it, to be
// verified in turn.
func (c *Controller) virtualDeleteRemoves(existing *node, deleted objectReference) bool {
	if !existing.isObserved() {
		matching, mismatched := partitionDependents(existing.getDependents(), deleted)
		if len(mismatched) == 0 {
			return true
		}
		if len(matching) > 0 {
			c.absentOwners.Add(deleted, nil)
			for _, dep := range matching {
				c.attemptToDelete.Add(dep)
			}
		}
		if existing.identity == deleted {
			if alt := alternateOwnerIdentity(mismatched, deleted); alt != nil {
				replacement := existing.clone()
				replacement.identity = *alt
				c.graph.write(replacement)
				c.attemptToDelete.AddRateLimited(replacement)
			}
		}
		return false
	}
	if existing.identity == deleted {
		return true
	}
	// an observed object is not removed on the word of a virtual event for
	// other coordinates; dependents naming those coordinates are dangling.
	matching, _ := partitionDependents(existing.getDependents(), deleted)
	if len(matching) > 0 {
		c.absentOwners.Add(deleted, nil)
		for _, dep := range matching {
			c.attemptToDelete.Add(dep)
		}
	}
	return false
}

// addDependentToOwners adds n to its owners' dependents. An owner not in
// the graph gets a virtual node, queued for attemptToDelete so a worker asks
// the API server whether it exists. A dependent whose reference disagrees
// with an owner already in the graph (namespace, coordinates) is queued so
// a worker verifies its references.
func (c *Controller) addDependentToOwners(logger klog.Logger, n *node, owners []metav1.OwnerReference) {
	suspect := false
	for _, owner := range owners {
		ownerNode, ok := c.graph.read(owner.UID)
		if !ok {
			ownerNode = newNode(refTo(owner, n.identity.Namespace))
			ownerNode.virtual = true
			logger.V(5).Info("add virtual item", "identity", ownerNode.identity)
			c.graph.write(ownerNode)
		}
		ownerNode.addDependent(n)
		if !ok {
			c.attemptToDelete.Add(ownerNode)
			continue
		}
		if suspect {
			continue
		}
		ownerNamespaced := ownerNode.identity.Namespace != ""
		switch {
		case ownerNamespaced && ownerNode.identity.Namespace != n.identity.Namespace:
			if ownerNode.isObserved() {
				// a namespaced owner must be in the dependent's namespace;
				// cluster-scoped owners may be named from anywhere.
				logger.V(2).Info("item references an owner but does not match namespaces", "item", n.identity, "owner", ownerNode.identity)
				c.reportInvalidNamespaceOwnerRef(n, owner.UID)
			}
			suspect = true
		case !ownerNode.identity.matches(owner):
			if ownerNode.isObserved() {
				logger.V(2).Info("item references an owner with coordinates that do not match the observed identity", "item", n.identity, "owner", ownerNode.identity)
			}
			suspect = true
		case !ownerNamespaced && ownerNode.identity.Namespace != n.identity.Namespace && !ownerNode.isObserved():
			// a virtual cluster-scoped owner named from a namespace: it may be
			// a missing namespaced object named by a cluster-scoped dependent.
			suspect = true
		}
	}
	if suspect {
		c.attemptToDelete.Add(n)
	}
}

// reportInvalidNamespaceOwnerRef records upstream's OwnerRefInvalidNamespace
// warning event on n.
func (c *Controller) reportInvalidNamespaceOwnerRef(n *node, ownerUID types.UID) {
	i := slices.IndexFunc(n.getOwners(), func(r metav1.OwnerReference) bool { return r.UID == ownerUID })
	if i < 0 {
		return
	}
	invalid := refTo(n.getOwners()[i], n.identity.Namespace)
	ref := &corev1.ObjectReference{Kind: n.identity.Kind, APIVersion: n.identity.APIVersion, Namespace: n.identity.Namespace, Name: n.identity.Name, UID: n.identity.UID}
	c.recorder.Eventf(ref, corev1.EventTypeWarning, "OwnerRefInvalidNamespace", "ownerRef %s does not exist in namespace %q", invalid, n.identity.Namespace)
}

// removeDependentFromOwners removes n from the dependents of owners.
func (c *Controller) removeDependentFromOwners(n *node, owners []metav1.OwnerReference) {
	for _, owner := range owners {
		if ownerNode, ok := c.graph.read(owner.UID); ok {
			ownerNode.deleteDependent(n)
		}
	}
}

// removeNode removes n from the graph and from its owners' dependents.
func (c *Controller) removeNode(n *node) {
	c.graph.delete(n.identity.UID)
	c.removeDependentFromOwners(n, n.getOwners())
}

type ownerRefPair struct {
	oldRef, newRef metav1.OwnerReference
}

// referencesDiffs compares two ownerReferences lists by UID.
func referencesDiffs(old, current []metav1.OwnerReference) (added, removed []metav1.OwnerReference, changed []ownerRefPair) {
	oldByUID := make(map[types.UID]metav1.OwnerReference, len(old))
	for _, r := range old {
		oldByUID[r.UID] = r
	}
	for _, r := range current {
		o, ok := oldByUID[r.UID]
		if !ok {
			added = append(added, r)
			continue
		}
		if !reflect.DeepEqual(o, r) {
			changed = append(changed, ownerRefPair{oldRef: o, newRef: r})
		}
		delete(oldByUID, r.UID)
	}
	for _, r := range oldByUID {
		removed = append(removed, r)
	}
	return added, removed, changed
}

// addUnblockedOwnersToDeleteQueue queues the owners a dependent stopped
// blocking (reference removed, or blockOwnerDeletion no longer true).
func (c *Controller) addUnblockedOwnersToDeleteQueue(logger klog.Logger, removed []metav1.OwnerReference, changed []ownerRefPair) {
	queue := func(uid types.UID) {
		n, ok := c.graph.read(uid)
		if !ok {
			logger.V(5).Info("cannot find uid in uidToNode", "uid", uid)
			return
		}
		c.attemptToDelete.Add(n)
	}
	for _, r := range removed {
		if blocks(r) {
			queue(r.UID)
		}
	}
	for _, p := range changed {
		if blocks(p.oldRef) && !blocks(p.newRef) {
			queue(p.newRef.UID)
		}
	}
}

func blocks(r metav1.OwnerReference) bool {
	return r.BlockOwnerDeletion != nil && *r.BlockOwnerDeletion
}

// processTransitions queues n when its deletion starts waiting on the orphan
// or foregroundDeletion finalizer.
func (c *Controller) processTransitions(logger klog.Logger, oldObj, newObj metav1.Object, n *node) {
	if deletionStartsWithFinalizer(oldObj, newObj, metav1.FinalizerOrphanDependents) {
		logger.V(5).Info("add item to attemptToOrphan", "item", n.identity)
		c.attemptToOrphan.Add(n)
		return
	}
	if deletionStartsWithFinalizer(oldObj, newObj, metav1.FinalizerDeleteDependents) {
		logger.V(2).Info("add item to attemptToDelete, because it's waiting for its dependents to be deleted", "item", n.identity)
		// a node first added as virtual has not had this set.
		n.markDeletingDependents()
		for _, dep := range n.getDependents() {
			c.attemptToDelete.Add(dep)
		}
		c.attemptToDelete.Add(n)
	}
}

// deletionStartsWithFinalizer reports whether newObj is being deleted with
// finalizer and oldObj (nil for an add) was not.
func deletionStartsWithFinalizer(oldObj, newObj metav1.Object, finalizer string) bool {
	if !beingDeleted(newObj) || !hasFinalizer(newObj, finalizer) {
		return false
	}
	return oldObj == nil || !beingDeleted(oldObj) || !hasFinalizer(oldObj, finalizer)
}

func beingDeleted(obj metav1.Object) bool { return obj.GetDeletionTimestamp() != nil }

func hasFinalizer(obj metav1.Object, finalizer string) bool {
	return slices.Contains(obj.GetFinalizers(), finalizer)
}

// partitionDependents splits dependents into those with a reference to
// owner.UID that matches owner's coordinates and those with one that does
// not (a dependent with several references to the UID may be in both). A
// dependent outside a namespaced owner's namespace never matches.
func partitionDependents(dependents []*node, owner objectReference) (matching, mismatched []*node) {
	for _, dep := range dependents {
		match, mismatch := false, false
		if owner.Namespace != "" && owner.Namespace != dep.identity.Namespace {
			mismatch = true
		} else {
			for _, r := range dep.getOwners() {
				if r.UID != owner.UID {
					continue
				}
				if owner.matches(r) {
					match = true
				} else {
					mismatch = true
				}
			}
		}
		if match {
			matching = append(matching, dep)
		}
		if mismatch {
			mismatched = append(mismatched, dep)
		}
	}
	return matching, mismatched
}

// referenceLess orders identities by kind, apiVersion, namespace, name, uid.
func referenceLess(a, b objectReference) bool {
	switch {
	case a.Kind != b.Kind:
		return a.Kind < b.Kind
	case a.APIVersion != b.APIVersion:
		return a.APIVersion < b.APIVersion
	case a.Namespace != b.Namespace:
		return a.Namespace < b.Namespace
	case a.Name != b.Name:
		return a.Name < b.Name
	}
	return a.UID < b.UID
}

// alternateOwnerIdentity finds, among deps' references to absent.UID, the
// coordinates other than absent's: the first after absent in referenceLess
// order, else the first; nil when there are none. Trying them in this order
// visits each candidate once.
func alternateOwnerIdentity(deps []*node, absent objectReference) *objectReference {
	clusterScoped := absent.Namespace == ""
	seen := map[objectReference]bool{absent: true}
	var first, firstAfter *objectReference
	for _, dep := range deps {
		for _, r := range dep.getOwners() {
			if r.UID != absent.UID {
				continue
			}
			if absent.matches(r) && (clusterScoped || absent.Namespace == dep.identity.Namespace) {
				continue
			}
			ref := refTo(r, dep.identity.Namespace)
			if clusterScoped && ref.APIVersion == absent.APIVersion && ref.Kind == absent.Kind {
				// absent shows this kind is cluster-scoped.
				ref.Namespace = ""
			}
			if seen[ref] {
				continue
			}
			seen[ref] = true
			if first == nil || referenceLess(ref, *first) {
				first = &ref
			}
			if referenceLess(absent, ref) && (firstAfter == nil || referenceLess(ref, *firstAfter)) {
				firstAfter = &ref
			}
		}
	}
	if firstAfter != nil {
		return firstAfter
	}
	return first
}
