package builtin

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/memkube/memkube/harness/registry"
)

// podStatusPrepare is the part of upstream's podStatusStrategy
// PrepareForUpdate beyond keeping the spec: pods/status may not touch owner
// references or the deletion timestamp, and what an old or careless client
// leaves out is kept — the QoS class (immutable, validation would refuse
// its clearing), resource claim statuses, and the observed generations of
// the status and its conditions.
func podStatusPrepare(k *registry.Kind) {
	k.PrepareForStatusUpdate = func(_ context.Context, obj, old runtime.Object) {
		pod, oldPod := obj.(*corev1.Pod), old.(*corev1.Pod)
		pod.DeletionTimestamp = nil
		pod.OwnerReferences = oldPod.OwnerReferences
		if pod.Status.QOSClass == "" {
			pod.Status.QOSClass = oldPod.Status.QOSClass
		}
		if pod.Status.ResourceClaimStatuses == nil && oldPod.Status.ResourceClaimStatuses != nil {
			pod.Status.ResourceClaimStatuses = oldPod.Status.ResourceClaimStatuses
		}
		if pod.Status.ExtendedResourceClaimStatus == nil && oldPod.Status.ExtendedResourceClaimStatus != nil {
			pod.Status.ExtendedResourceClaimStatus = oldPod.Status.ExtendedResourceClaimStatus
		}
		if pod.Status.ObservedGeneration == 0 {
			pod.Status.ObservedGeneration = oldPod.Status.ObservedGeneration
		}
		// per type, in order: validation allows several conditions of a type.
		generations := map[corev1.PodConditionType][]int64{}
		for _, c := range oldPod.Status.Conditions {
			generations[c.Type] = append(generations[c.Type], c.ObservedGeneration)
		}
		for i, c := range pod.Status.Conditions {
			var g int64
			if gs := generations[c.Type]; len(gs) > 0 {
				g, generations[c.Type] = gs[0], gs[1:]
			}
			if c.ObservedGeneration == 0 {
				pod.Status.Conditions[i].ObservedGeneration = g
			}
		}
	}
}
