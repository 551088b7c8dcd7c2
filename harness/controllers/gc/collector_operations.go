package gc

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"
)

// scopedNamespace is namespace for a namespaced kind and "" otherwise.
func scopedNamespace(namespaced bool, namespace string) string {
	if namespaced {
		return namespace
	}
	return ""
}

// apiResource maps an apiVersion and kind to a resource and its scope.
func (c *Controller) apiResource(ctx context.Context, apiVersion, kind string) (schema.GroupVersionResource, bool, error) {
	gvk := schema.FromAPIVersionAndKind(apiVersion, kind)
	mapping, err := c.mapper.RESTMappingWithContext(ctx, gvk.GroupKind(), gvk.Version)
	if err != nil {
		return schema.GroupVersionResource{}, false, &restMappingError{kind: kind, version: apiVersion}
	}
	return mapping.Resource, mapping.Scope.Name() == meta.RESTScopeNameNamespace, nil
}

// deleteObject deletes item with its UID (and, if given, resourceVersion)
// as preconditions. A conflict on resourceVersion where the ownerReferences
// did not change is retried without it, so frequent unrelated updates do
// not starve collection.
func (c *Controller) deleteObject(ctx context.Context, item objectReference, resourceVersion string, ownersAtResourceVersion []metav1.OwnerReference, policy *metav1.DeletionPropagation) error {
	resource, namespaced, err := c.apiResource(ctx, item.APIVersion, item.Kind)
	if err != nil {
		return err
	}
	uid := item.UID
	preconditions := metav1.Preconditions{UID: &uid}
	if resourceVersion != "" {
		preconditions.ResourceVersion = &resourceVersion
	}
	client := c.metadata.Resource(resource).Namespace(scopedNamespace(namespaced, item.Namespace))
	err = client.Delete(ctx, item.Name, metav1.DeleteOptions{Preconditions: &preconditions, PropagationPolicy: policy})
	if apierrors.IsConflict(err) && resourceVersion != "" {
		live, liveErr := client.Get(ctx, item.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(liveErr) {
			return liveErr
		}
		if liveErr == nil && live.UID == item.UID && live.ResourceVersion != resourceVersion && reflect.DeepEqual(live.OwnerReferences, ownersAtResourceVersion) {
			return c.deleteObject(ctx, item, "", nil, policy)
		}
	}
	return err
}

// getObject reads item's metadata from the API server.
func (c *Controller) getObject(ctx context.Context, item objectReference) (*metav1.PartialObjectMetadata, error) {
	resource, namespaced, err := c.apiResource(ctx, item.APIVersion, item.Kind)
	if err != nil {
		return nil, err
	}
	if namespaced && item.Namespace == "" {
		// only a cluster-scoped dependent names a namespaced owner this way.
		return nil, errNamespacedOwnerOfClusterScoped
	}
	return c.metadata.Resource(resource).Namespace(scopedNamespace(namespaced, item.Namespace)).Get(ctx, item.Name, metav1.GetOptions{})
}

func (c *Controller) patchObject(ctx context.Context, item objectReference, patch []byte, pt types.PatchType) (*metav1.PartialObjectMetadata, error) {
	resource, namespaced, err := c.apiResource(ctx, item.APIVersion, item.Kind)
	if err != nil {
		return nil, err
	}
	return c.metadata.Resource(resource).Namespace(scopedNamespace(namespaced, item.Namespace)).Patch(ctx, item.Name, pt, patch, metav1.PatchOptions{})
}

// patch applies the strategic merge patch smp to item or, where the
// resource does not support SMP (custom resources), the JSON merge patch
// jmp builds.
func (c *Controller) patch(ctx context.Context, item *node, smp []byte, jmp func(*node) ([]byte, error)) (*metav1.PartialObjectMetadata, error) {
	out, err := c.patchObject(ctx, item.identity, smp, types.StrategicMergePatchType)
	if err == nil || !apierrors.IsUnsupportedMediaType(err) {
		return out, err
	}
	p, err := jmp(item)
	if err != nil {
		return nil, err
	}
	return c.patchObject(ctx, item.identity, p, types.MergePatchType)
}

// removeFinalizer removes finalizer from owner with a JSON merge patch
// carrying the resourceVersion read, retried on conflict.
func (c *Controller) removeFinalizer(ctx context.Context, owner *node, finalizer string) error {
	logger := klog.FromContext(ctx)
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		obj, err := c.getObject(ctx, owner.identity)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cannot finalize owner %s, because cannot get it: %w. The garbage collector will retry later", owner.identity, err)
		}
		if !slices.Contains(obj.Finalizers, finalizer) {
			logger.V(5).Info("finalizer already removed from object", "finalizer", finalizer, "object", owner.identity)
			return nil
		}
		var kept []string
		for _, f := range obj.Finalizers {
			if f != finalizer {
				kept = append(kept, f)
			}
		}
		patch, err := json.Marshal(objectPatch{Metadata: metadataPatch{ResourceVersion: obj.ResourceVersion, Finalizers: &kept}})
		if err != nil {
			return fmt.Errorf("unable to finalize %s due to an error serializing patch: %w", owner.identity, err)
		}
		_, err = c.patchObject(ctx, owner.identity, patch, types.MergePatchType)
		return err
	})
	if apierrors.IsConflict(err) {
		return fmt.Errorf("updateMaxRetries(%d) has reached. The garbage collector will retry later for owner %v", retry.DefaultBackoff.Steps, owner.identity)
	}
	return err
}

// getMetadata reads an object from its monitor's cache, or from the API
// server when there is no monitor or the cache lacks it.
func (c *Controller) getMetadata(ctx context.Context, ref objectReference) (metav1.Object, error) {
	resource, _, err := c.apiResource(ctx, ref.APIVersion, ref.Kind)
	if err != nil {
		return nil, err
	}
	c.monitorsMu.Lock()
	m := c.monitors[resource]
	c.monitorsMu.Unlock()
	if m != nil {
		key := ref.Name
		if ref.Namespace != "" {
			key = ref.Namespace + "/" + ref.Name
		}
		obj, ok, err := m.informer.GetStore().GetByKey(key)
		if err != nil {
			return nil, err
		}
		if ok {
			return meta.Accessor(obj)
		}
	}
	return c.metadata.Resource(resource).Namespace(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
}

// objectPatch is a JSON merge patch of metadata whose resourceVersion makes
// it conditional.
type objectPatch struct {
	Metadata metadataPatch `json:"metadata"`
}

type metadataPatch struct {
	ResourceVersion string `json:"resourceVersion"`
	// null (no finalizers/references left) removes the field.
	Finalizers      *[]string                `json:"finalizers,omitempty"`
	OwnerReferences *[]metav1.OwnerReference `json:"ownerReferences,omitempty"`
}

// deleteOwnerRefStrategicMergePatch removes the references to ownerUIDs; the
// dependent's uid makes it fail on another object of the same name.
func deleteOwnerRefStrategicMergePatch(dependentUID types.UID, ownerUIDs []types.UID) ([]byte, error) {
	refs := make([]map[string]string, 0, len(ownerUIDs))
	for _, uid := range ownerUIDs {
		refs = append(refs, map[string]string{"$patch": "delete", "uid": string(uid)})
	}
	return json.Marshal(map[string]any{"metadata": map[string]any{"uid": dependentUID, "ownerReferences": refs}})
}

// deleteOwnerRefJSONMergePatch writes item's ownerReferences without those
// to ownerUIDs, conditional on the resourceVersion they were read at.
func (c *Controller) deleteOwnerRefJSONMergePatch(ctx context.Context, item *node, ownerUIDs ...types.UID) ([]byte, error) {
	obj, err := c.getMetadata(ctx, item.identity)
	if err != nil {
		return nil, err
	}
	var kept []metav1.OwnerReference
	for _, r := range obj.GetOwnerReferences() {
		if !slices.Contains(ownerUIDs, r.UID) {
			kept = append(kept, r)
		}
	}
	return json.Marshal(objectPatch{Metadata: metadataPatch{ResourceVersion: obj.GetResourceVersion(), OwnerReferences: &kept}})
}

// unblockOwnerReferencesStrategicMergePatch sets blockOwnerDeletion=false
// on n's blocking references.
func unblockOwnerReferencesStrategicMergePatch(n *node) ([]byte, error) {
	refs := []metav1.OwnerReference{}
	for _, r := range n.getOwners() {
		if blocks(r) {
			r.BlockOwnerDeletion = ptr.To(false)
			refs = append(refs, r)
		}
	}
	return json.Marshal(map[string]any{"metadata": map[string]any{"uid": n.identity.UID, "ownerReferences": refs}})
}

// unblockOwnerReferencesJSONMergePatch sets blockOwnerDeletion=false on all
// of n's references, conditional on the cached resourceVersion.
func (c *Controller) unblockOwnerReferencesJSONMergePatch(ctx context.Context, n *node) ([]byte, error) {
	obj, err := c.getMetadata(ctx, n.identity)
	if err != nil {
		return nil, err
	}
	var refs []metav1.OwnerReference
	for _, r := range n.getOwners() {
		r.BlockOwnerDeletion = ptr.To(false)
		refs = append(refs, r)
	}
	return json.Marshal(objectPatch{Metadata: metadataPatch{ResourceVersion: obj.GetResourceVersion(), OwnerReferences: &refs}})
}
