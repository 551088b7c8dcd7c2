package gc

import (
	"context"
	"errors"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
)

// processAttemptToDelete handles one item of attemptToDelete; false when
// the queue has shut down.
func (c *Controller) processAttemptToDelete(ctx context.Context) bool {
	n, quit := c.attemptToDelete.Get()
	if quit {
		return false
	}
	defer c.attemptToDelete.Done(n)
	if c.attemptToDeleteNode(ctx, n) {
		c.attemptToDelete.AddRateLimited(n)
	} else {
		c.attemptToDelete.Forget(n)
	}
	return true
}

// attemptToDeleteNode processes n and reports whether to retry it.
func (c *Controller) attemptToDeleteNode(ctx context.Context, n *node) (retry bool) {
	logger := klog.FromContext(ctx)
	if !n.isObserved() {
		current, ok := c.graph.read(n.identity.UID)
		if !ok {
			// a requeued virtual node whose object was deleted meanwhile.
			logger.V(5).Info("item no longer in the graph, skipping attemptToDeleteItem", "item", n.identity)
			return false
		}
		if current.isObserved() {
			// a requeued virtual node whose object was observed meanwhile.
			logger.V(5).Info("item no longer virtual in the graph, skipping attemptToDeleteItem on virtual node", "item", n.identity)
			return false
		}
	}
	err := c.attemptToDeleteItem(ctx, n)
	var mappingErr *restMappingError
	switch {
	case errors.Is(err, errVirtualDeleteQueued), errors.Is(err, errNamespacedOwnerOfClusterScoped):
		return false
	case errors.As(err, &mappingErr):
		// A kind not served yet (a CRD on its way) or never: retry, and
		// again as soon as discovery changes.
		logger.V(5).Info("error syncing item", "item", n.identity, "err", err)
		c.unmappedMu.Lock()
		c.unmapped[n] = struct{}{}
		c.unmappedMu.Unlock()
		return true
	case err != nil:
		if ctx.Err() == nil {
			logger.V(2).Info("error syncing item, will retry", "item", n.identity, "err", err)
		}
		return true
	case !n.isObserved():
		// Keep verifying a virtual node until an informer reports the
		// object or it is found absent, else a node for an object added and
		// removed while a watch was down stays forever (kubernetes#56121).
		logger.V(5).Info("item hasn't been observed via informer yet", "item", n.identity)
		return true
	}
	return false
}

// attemptToDeleteItem looks the object up and deletes it if all its owners
// are absent; it finalizes an owner deleting in the foreground, and removes
// dangling references from an object that still has a live owner. An object
// the API server does not have (or has with another UID) gets a virtual
// delete event and errVirtualDeleteQueued.
func (c *Controller) attemptToDeleteItem(ctx context.Context, item *node) error {
	logger := klog.FromContext(ctx)
	logger.V(2).Info("Processing item", "item", item.identity, "virtual", !item.isObserved())

	// being deleted is a one-way trip: wait for the deletion, then its dependents' turn comes.
	if item.isBeingDeleted() && !item.isDeletingDependents() {
		logger.V(5).Info("processing item returned at once, because its DeletionTimestamp is non-nil", "item", item.identity)
		return nil
	}
	latest, err := c.getObject(ctx, item.identity)
	switch {
	case apierrors.IsNotFound(err):
		logger.V(5).Info("item not found, generating a virtual delete event", "item", item.identity)
		c.enqueueVirtualDeleteEvent(item.identity)
		return errVirtualDeleteQueued
	case err != nil:
		return err
	}
	if latest.GetUID() != item.identity.UID {
		logger.V(5).Info("UID doesn't match, item not found, generating a virtual delete event", "item", item.identity)
		c.enqueueVirtualDeleteEvent(item.identity)
		return errVirtualDeleteQueued
	}
	if item.isDeletingDependents() {
		return c.processDeletingDependentsItem(ctx, item)
	}

	refs := latest.GetOwnerReferences()
	if len(refs) == 0 {
		logger.V(2).Info("item doesn't have an owner, continue on next item", "item", item.identity)
		return nil
	}
	solid, dangling, waiting, err := c.classifyReferences(ctx, item, refs)
	if err != nil {
		return err
	}
	logger.V(5).Info("classify item's references", "item", item.identity, "solid", solid, "dangling", dangling, "waitingForDependentsDeletion", waiting)

	switch {
	case len(solid) != 0:
		logger.V(2).Info("item has at least one existing owner, will not garbage collect", "item", item.identity, "owner", solid)
		if len(dangling) == 0 && len(waiting) == 0 {
			return nil
		}
		// References to owners waiting for their dependents go too, or those
		// owners would wait forever on this object.
		logger.V(2).Info("remove dangling references and waiting references for item", "item", item.identity, "dangling", dangling, "waitingForDependentsDeletion", waiting)
		uids := append(referenceUIDs(dangling), referenceUIDs(waiting)...)
		smp, err := deleteOwnerRefStrategicMergePatch(item.identity.UID, uids)
		if err != nil {
			return err
		}
		_, err = c.patch(ctx, item, smp, func(n *node) ([]byte, error) {
			return c.deleteOwnerRefJSONMergePatch(ctx, n, uids...)
		})
		return err
	case len(waiting) != 0 && item.dependentsLength() != 0:
		for _, dep := range item.getDependents() {
			if dep.isDeletingDependents() {
				// A possible cycle (the detection has false positives, as
				// upstream's): stop blocking the owners, then delete in the
				// foreground.
				logger.V(2).Info("processing item, some of its owners and its dependent have FinalizerDeletingDependents, to prevent potential cycle, its ownerReferences are going to be modified to be non-blocking, then the item is going to be deleted with Foreground",
					"item", item.identity, "dependent", dep.identity)
				smp, err := unblockOwnerReferencesStrategicMergePatch(item)
				if err != nil {
					return err
				}
				if _, err := c.patch(ctx, item, smp, func(n *node) ([]byte, error) {
					return c.unblockOwnerReferencesJSONMergePatch(ctx, n)
				}); err != nil {
					return err
				}
				break
			}
		}
		logger.V(2).Info("at least one owner of item has FinalizerDeletingDependents, and the item itself has dependents, so it is going to be deleted in Foreground", "item", item.identity)
		// the graph sees the deletion start and processes the item again as
		// deletingDependents.
		return c.deleteItem(ctx, item, latest, metav1.DeletePropagationForeground)
	default:
		// No live owner, and none waiting for dependents: the item's own
		// finalizers decide how its dependents go.
		policy := metav1.DeletePropagationBackground
		switch {
		case hasFinalizer(latest, metav1.FinalizerOrphanDependents):
			policy = metav1.DeletePropagationOrphan
		case hasFinalizer(latest, metav1.FinalizerDeleteDependents):
			policy = metav1.DeletePropagationForeground
		}
		logger.V(2).Info("Deleting item", "item", item.identity, "propagationPolicy", policy)
		return c.deleteItem(ctx, item, latest, policy)
	}
}

// deleteItem deletes item as it was at latest.
func (c *Controller) deleteItem(ctx context.Context, item *node, latest *metav1.PartialObjectMetadata, policy metav1.DeletionPropagation) error {
	err := c.deleteObject(ctx, item.identity, latest.ResourceVersion, latest.OwnerReferences, &policy)
	if apierrors.IsNotFound(err) {
		c.enqueueVirtualDeleteEvent(item.identity)
		return errVirtualDeleteQueued
	}
	return err
}

// processDeletingDependentsItem finalizes an owner deleting in the
// foreground once nothing blocks it, else queues its blocking dependents.
func (c *Controller) processDeletingDependentsItem(ctx context.Context, item *node) error {
	logger := klog.FromContext(ctx)
	blocking := item.blockingDependents()
	if len(blocking) == 0 {
		logger.V(2).Info("remove DeleteDependents finalizer for item", "item", item.identity)
		return c.removeFinalizer(ctx, item, metav1.FinalizerDeleteDependents)
	}
	for _, dep := range blocking {
		if !dep.isDeletingDependents() {
			logger.V(2).Info("adding dependent to attemptToDelete, because its owner is deletingDependents", "item", item.identity, "dependent", dep.identity)
			c.attemptToDelete.Add(dep)
		}
	}
	return nil
}

// isDangling reports whether reference names an owner that does not exist
// (by UID); when it asked the API server, it returns the owner it found.
func (c *Controller) isDangling(ctx context.Context, reference metav1.OwnerReference, item *node) (bool, *metav1.PartialObjectMetadata, error) {
	logger := klog.FromContext(ctx)
	key := refTo(reference, "")
	if _, ok := c.absentOwners.Get(key); ok {
		logger.V(5).Info("according to the absentOwnerCache, item's owner does not exist", "item", item.identity, "owner", reference)
		return true, nil, nil
	}
	key.Namespace = item.identity.Namespace
	if _, ok := c.absentOwners.Get(key); ok {
		logger.V(5).Info("according to the absentOwnerCache, item's owner does not exist in namespace", "item", item.identity, "owner", reference)
		return true, nil, nil
	}
	resource, namespaced, err := c.apiResource(ctx, reference.APIVersion, reference.Kind)
	if err != nil {
		return false, nil, err
	}
	if !namespaced {
		key.Namespace = ""
	}
	if item.identity.Namespace == "" && namespaced {
		logger.V(2).Info("item is cluster-scoped, but refers to a namespaced owner", "item", item.identity, "owner", reference)
		return false, nil, errNamespacedOwnerOfClusterScoped
	}
	owner, err := c.metadata.Resource(resource).Namespace(scopedNamespace(namespaced, item.identity.Namespace)).Get(ctx, reference.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		c.absentOwners.Add(key, nil)
		logger.V(5).Info("item's owner is not found", "item", item.identity, "owner", reference)
		return true, nil, nil
	case err != nil:
		return false, nil, err
	}
	if owner.GetUID() != reference.UID {
		logger.V(5).Info("item's owner is not found, UID mismatch", "item", item.identity, "owner", reference)
		c.absentOwners.Add(key, nil)
		return true, nil, nil
	}
	return false, owner, nil
}

// classifyReferences splits references into solid (the owner exists and is
// not deleting in the foreground), dangling (the owner does not exist) and
// waiting (the owner is being deleted with the foregroundDeletion finalizer).
func (c *Controller) classifyReferences(ctx context.Context, item *node, references []metav1.OwnerReference) (solid, dangling, waiting []metav1.OwnerReference, err error) {
	for _, r := range references {
		isDangling, owner, err := c.isDangling(ctx, r, item)
		if err != nil {
			return nil, nil, nil, err
		}
		switch {
		case isDangling:
			dangling = append(dangling, r)
		case beingDeleted(owner) && hasFinalizer(owner, metav1.FinalizerDeleteDependents):
			waiting = append(waiting, r)
		default:
			solid = append(solid, r)
		}
	}
	return solid, dangling, waiting, nil
}

func referenceUIDs(refs []metav1.OwnerReference) []types.UID {
	uids := make([]types.UID, 0, len(refs))
	for _, r := range refs {
		uids = append(uids, r.UID)
	}
	return uids
}

// enqueueVirtualDeleteEvent tells the graph builder the API server does not
// have ref.
func (c *Controller) enqueueVirtualDeleteEvent(ref objectReference) {
	gv, _ := schema.ParseGroupVersion(ref.APIVersion)
	obj := &metav1.PartialObjectMetadata{
		TypeMeta:   metav1.TypeMeta{APIVersion: ref.APIVersion, Kind: ref.Kind},
		ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, UID: ref.UID, Name: ref.Name},
	}
	c.graphChanges.Add(&event{virtual: true, eventType: deleteEvent, obj: obj, gvk: gv.WithKind(ref.Kind)})
}
