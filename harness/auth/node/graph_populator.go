package node

import (
	"fmt"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"
)

// populate keeps g up to date from the informers of factory, as upstream's
// AddGraphEventHandlers: pods, persistent volumes, volume attachments,
// resource slices and pod certificate requests (DynamicResourceAllocation
// and PodCertificateRequest are on in v1.37). It registers the handlers;
// factory.Start starts the informers. The returned functions report
// whether each handler has seen its informer's initial list. It starts no
// goroutine (upstream's waits for the sync with wait.NeverStop, past its
// server's end).
func populate(g *Graph, factory informers.SharedInformerFactory) ([]cache.InformerSynced, error) {
	handlers := []struct {
		informer cache.SharedIndexInformer
		funcs    cache.ResourceEventHandlerFuncs
	}{
		{factory.Core().V1().Pods().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { updatePod(g, nil, obj) },
			UpdateFunc: func(old, obj any) { updatePod(g, old, obj) },
			DeleteFunc: func(obj any) {
				if pod, ok := deleted[*corev1.Pod](obj); ok && pod.Spec.NodeName != "" {
					g.DeletePod(pod.Name, pod.Namespace)
				}
			},
		}},
		{factory.Core().V1().PersistentVolumes().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { g.AddPV(obj.(*corev1.PersistentVolume)) },
			UpdateFunc: func(_, obj any) { g.AddPV(obj.(*corev1.PersistentVolume)) },
			DeleteFunc: func(obj any) {
				if pv, ok := deleted[*corev1.PersistentVolume](obj); ok {
					g.DeletePV(pv.Name)
				}
			},
		}},
		{factory.Storage().V1().VolumeAttachments().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc: func(obj any) {
				va := obj.(*storagev1.VolumeAttachment)
				g.AddVolumeAttachment(va.Name, va.Spec.NodeName)
			},
			UpdateFunc: func(old, obj any) {
				va := obj.(*storagev1.VolumeAttachment)
				if old.(*storagev1.VolumeAttachment).Spec.NodeName != va.Spec.NodeName {
					g.AddVolumeAttachment(va.Name, va.Spec.NodeName)
				}
			},
			DeleteFunc: func(obj any) {
				if va, ok := deleted[*storagev1.VolumeAttachment](obj); ok {
					g.DeleteVolumeAttachment(va.Name)
				}
			},
		}},
		// a slice's node and a request's spec are immutable: no updates.
		{factory.Resource().V1().ResourceSlices().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc: func(obj any) {
				s := obj.(*resourcev1.ResourceSlice)
				g.AddResourceSlice(s.Name, ptr.Deref(s.Spec.NodeName, ""))
			},
			DeleteFunc: func(obj any) {
				if s, ok := deleted[*resourcev1.ResourceSlice](obj); ok {
					g.DeleteResourceSlice(s.Name)
				}
			},
		}},
		{factory.Certificates().V1().PodCertificateRequests().Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc: func(obj any) {
				r := obj.(*certificatesv1.PodCertificateRequest)
				g.AddPodCertificateRequest(r.Namespace, r.Name, string(r.Spec.NodeName))
			},
			DeleteFunc: func(obj any) {
				if r, ok := deleted[*certificatesv1.PodCertificateRequest](obj); ok {
					g.DeletePodCertificateRequest(r.Namespace, r.Name)
				}
			},
		}},
	}
	synced := make([]cache.InformerSynced, 0, len(handlers))
	for _, h := range handlers {
		reg, err := h.informer.AddEventHandler(h.funcs)
		if err != nil {
			return nil, fmt.Errorf("node authorizer graph: %w", err)
		}
		synced = append(synced, reg.HasSynced)
	}
	return synced, nil
}

// updatePod records a pod once it is bound, and again when what it grants
// its node may have changed: another node or uid (a pod deleted and
// created again under its name), ephemeral containers added (they can
// reference secrets and config maps), or its resource claims' status.
// Everything else a pod references is immutable.
func updatePod(g *Graph, oldObj, obj any) {
	pod := obj.(*corev1.Pod)
	if pod.Spec.NodeName == "" {
		return
	}
	if old, ok := oldObj.(*corev1.Pod); ok && old != nil &&
		old.Spec.NodeName == pod.Spec.NodeName && old.UID == pod.UID &&
		len(pod.Spec.EphemeralContainers) <= len(old.Spec.EphemeralContainers) &&
		apiequality.Semantic.DeepEqual(old.Status.ResourceClaimStatuses, pod.Status.ResourceClaimStatuses) &&
		apiequality.Semantic.DeepEqual(old.Status.ExtendedResourceClaimStatus, pod.Status.ExtendedResourceClaimStatus) {
		return
	}
	g.AddPod(pod)
}

// deleted is the object of a delete event, unwrapping the last state an
// informer knew of an object whose deletion it missed.
func deleted[T any](obj any) (T, bool) {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	t, ok := obj.(T)
	return t, ok
}
