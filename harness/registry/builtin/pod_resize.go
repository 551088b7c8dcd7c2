package builtin

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/memkube/memkube/harness/apis"
	"github.com/memkube/memkube/harness/apis/validation"
	"github.com/memkube/memkube/harness/registry"
)

// podResize serves pods/resize as upstream's podResizeStrategy with v1.37's
// gates (InPlacePodVerticalScaling and InPlacePodVerticalScalingInitContainers
// GA, InPlacePodLevelResourcesVerticalScaling beta and on,
// InPlacePodVerticalScalingMemoryBackedVolumes alpha and off): only the
// resources and resizePolicy of containers and init containers and the
// pod-level resources are taken from the request, and ValidatePodResize
// decides which of those changes are allowed. A changed spec bumps the
// generation.
var podResize = &registry.UpdateSubresource{
	Prepare: func(_ context.Context, obj, old runtime.Object) {
		pod, oldPod := obj.(*corev1.Pod), old.(*corev1.Pod)
		dropNonResizeUpdates(pod, oldPod)
		if pod.Spec.Resources == nil && oldPod.Spec.Resources != nil {
			// a client unaware of pod-level resources dropped them.
			pod.Spec.Resources = oldPod.Spec.Resources.DeepCopy()
		}
		if !apiequality.Semantic.DeepEqual(pod.Spec, oldPod.Spec) {
			pod.Generation++
		}
	},
	Validate: func(_ context.Context, obj, old runtime.Object) field.ErrorList {
		return validatePodResize(obj.(*corev1.Pod), old.(*corev1.Pod))
	},
	Owned: []string{"spec"},
}

// dropNonResizeUpdates keeps of pod's spec only what a resize may change;
// everything else is oldPod's. Added or removed containers leave the
// request as it is, a renamed or moved one its list: validation refuses them.
func dropNonResizeUpdates(pod, oldPod *corev1.Pod) {
	if len(pod.Spec.Containers) != len(oldPod.Spec.Containers) || len(pod.Spec.InitContainers) != len(oldPod.Spec.InitContainers) {
		return
	}
	resources := pod.Spec.Resources
	containers := resizedContainers(pod.Spec.Containers, oldPod.Spec.Containers)
	initContainers := resizedContainers(pod.Spec.InitContainers, oldPod.Spec.InitContainers)
	pod.Spec = *oldPod.Spec.DeepCopy()
	pod.Spec.Resources = resources
	pod.Status = *oldPod.Status.DeepCopy()
	metav1.ResetObjectMetaForStatus(&pod.ObjectMeta, &oldPod.ObjectMeta)
	pod.Spec.Containers = containers
	pod.Spec.InitContainers = initContainers
}

// resizedContainers is old with the resources and resize policies of new,
// or new as it is when a container was renamed or moved.
func resizedContainers(new, old []corev1.Container) []corev1.Container {
	if len(new) == 0 {
		return new
	}
	out := make([]corev1.Container, len(old))
	for i := range old {
		if old[i].Name != new[i].Name {
			return new
		}
		out[i] = *old[i].DeepCopy()
		out[i].Resources = new[i].Resources
		out[i].ResizePolicy = new[i].ResizePolicy
	}
	return out
}

// validatePodResize is upstream's ValidatePodResize (metadata is validated
// by the common strategy): the annotations and spec must be valid (with the
// old pod's allowances), static and Windows pods
// cannot be resized, the QoS class may not change, requests and limits may
// not be removed, and only CPU and memory may change.
func validatePodResize(pod, oldPod *corev1.Pod) field.ErrorList {
	errs := validation.PodResizeMetadataAndSpec(pod, oldPod)
	if _, ok := oldPod.Annotations[corev1.MirrorPodAnnotationKey]; ok {
		return field.ErrorList{field.Forbidden(field.NewPath(""), "static pods cannot be resized")}
	}
	if oldPod.Spec.OS != nil && oldPod.Spec.OS.Name == corev1.Windows {
		return field.ErrorList{field.Forbidden(field.NewPath(""), "windows pods cannot be resized")}
	}
	specPath := field.NewPath("spec")
	oldQOS := oldPod.Status.QOSClass
	if oldQOS == "" {
		oldQOS = apis.ComputePodQOS(oldPod)
	}
	if oldQOS != apis.ComputePodQOS(pod) {
		errs = append(errs, field.Invalid(specPath, pod.Status.QOSClass, "Pod QOS Class may not change as a result of resizing"))
	}
	if !resizeSupported(oldPod) {
		errs = append(errs, field.Forbidden(specPath, "Pod running on node without support for resize"))
	}

	// what the spec would be with cpu and memory changes undone: it must
	// then equal the old spec.
	undone := *pod.Spec.DeepCopy()
	if podLevelResourcesSet(oldPod) || podLevelResourcesSet(pod) {
		errs = append(errs, validatePodLevelResize(pod, oldPod, &undone, specPath)...)
	}

	if order := validateResizeContainerOrder(pod, oldPod, specPath); order != nil {
		return append(errs, order...)
	}
	// InPlacePodVerticalScalingInitContainers is GA: every init container
	// may be resized.
	for i := range oldPod.Spec.InitContainers {
		errs = append(errs, validateContainerResize(&pod.Spec.InitContainers[i].Resources, &oldPod.Spec.InitContainers[i].Resources,
			specPath.Child("initContainers").Index(i).Child("resources"))...)
	}
	for i := range oldPod.Spec.Containers {
		errs = append(errs, validateContainerResize(&pod.Spec.Containers[i].Resources, &oldPod.Spec.Containers[i].Resources,
			specPath.Child("containers").Index(i).Child("resources"))...)
	}

	for i := range undone.Containers {
		ctr := &undone.Containers[i]
		undoCPUMemory(ctr, &oldPod.Spec.Containers[i])
		if !apiequality.Semantic.DeepEqual(*ctr, oldPod.Spec.Containers[i]) {
			errs = append(errs, field.Forbidden(specPath, "only cpu and memory resources are mutable"))
		}
	}
	for i := range undone.InitContainers {
		ctr := &undone.InitContainers[i]
		old := &oldPod.Spec.InitContainers[i]
		modified := !apiequality.Semantic.DeepEqual(*ctr, *old)
		undoCPUMemory(ctr, old)
		if !apiequality.Semantic.DeepEqual(*ctr, *old) {
			errs = append(errs, field.Forbidden(specPath.Child("initContainers").Index(i), "only cpu and memory resources for init or sidecar containers are mutable"))
		}
		if modified && !restartableInitContainer(ctr) {
			for _, p := range ctr.ResizePolicy {
				if p.RestartPolicy == corev1.RestartContainer {
					errs = append(errs, field.Forbidden(specPath.Child("initContainers").Index(i), "non-sidecar init containers with a resize policy of RestartContainer cannot be resized"))
				}
			}
		}
	}

	// InPlacePodVerticalScalingMemoryBackedVolumes is off: volumes are
	// immutable (and Prepare keeps the old ones).
	if !apiequality.Semantic.DeepEqual(pod.Spec.Volumes, oldPod.Spec.Volumes) {
		errs = append(errs, field.Forbidden(specPath.Child("volumes"), "volumes are immutable on resize when InPlacePodVerticalScalingMemoryBackedVolumes feature gate is disabled"))
	}
	if len(errs) > 0 {
		return errs
	}
	if !apiequality.Semantic.DeepEqual(undone, oldPod.Spec) {
		errs = append(errs, field.Forbidden(specPath, "only cpu and memory resources are mutable"))
	}
	return errs
}

// resizeSupported is upstream's version-skew check: a pod whose first
// running container reports no resources is on a node that cannot resize.
func resizeSupported(pod *corev1.Pod) bool {
	for _, c := range pod.Status.ContainerStatuses {
		if c.State.Running != nil {
			return c.Resources != nil
		}
	}
	return true
}

func podLevelResourcesSet(pod *corev1.Pod) bool {
	r := pod.Spec.Resources
	return r != nil && len(r.Requests)+len(r.Limits) > 0
}

// validatePodLevelResize is upstream's validatePodLevelResourcesResize
// without the DRA node-allocatable check: pod-level requests and limits may
// not be removed and only their cpu and memory may change. It undoes those
// changes in undone.
func validatePodLevelResize(pod, oldPod *corev1.Pod, undone *corev1.PodSpec, specPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if oldPod.Spec.Resources != nil && pod.Spec.Resources == nil {
		return field.ErrorList{field.Forbidden(specPath.Child("resources"), "pod-level resources cannot be removed")}
	}
	if oldPod.Spec.Resources != nil {
		if resourcesRemoved(pod.Spec.Resources.Requests, oldPod.Spec.Resources.Requests) {
			errs = append(errs, field.Forbidden(specPath.Child("resources").Child("requests"), "pod-level resource requests cannot be removed"))
		}
		if resourcesRemoved(pod.Spec.Resources.Limits, oldPod.Spec.Resources.Limits) {
			errs = append(errs, field.Forbidden(specPath.Child("resources").Child("limits"), "pod-level resource limits cannot be removed"))
		}
	}
	undone.Resources = undoCPUMemoryRequirements(undone.Resources, oldPod.Spec.Resources)
	if !apiequality.Semantic.DeepEqual(undone.Resources, oldPod.Spec.Resources) {
		errs = append(errs, field.Forbidden(specPath, "only cpu and memory resources are mutable at pod-level"))
	}
	return errs
}

// validateResizeContainerOrder: containers may not be added, removed,
// reordered or renamed by a resize.
func validateResizeContainerOrder(pod, oldPod *corev1.Pod, specPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, list := range []struct {
		name     string
		new, old []corev1.Container
	}{
		{"containers", pod.Spec.Containers, oldPod.Spec.Containers},
		{"initContainers", pod.Spec.InitContainers, oldPod.Spec.InitContainers},
	} {
		if len(list.new) != len(list.old) {
			errs = append(errs, field.Forbidden(specPath.Child(list.name), list.name+" may not be added or removed on resize"))
			continue
		}
		for i := range list.old {
			if list.new[i].Name != list.old[i].Name {
				errs = append(errs, field.Forbidden(specPath.Child(list.name).Index(i).Child("name"), list.name+" may not be renamed or reordered on resize"))
			}
		}
	}
	return errs
}

// validateContainerResize: requests and limits may not be removed.
func validateContainerResize(r, old *corev1.ResourceRequirements, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if resourcesRemoved(r.Requests, old.Requests) {
		errs = append(errs, field.Forbidden(fldPath.Child("requests"), "resource requests cannot be removed"))
	}
	if resourcesRemoved(r.Limits, old.Limits) {
		errs = append(errs, field.Forbidden(fldPath.Child("limits"), "resource limits cannot be removed"))
	}
	return errs
}

// resourcesRemoved: some resource of old is not in list.
func resourcesRemoved(list, old corev1.ResourceList) bool {
	if len(old) > len(list) {
		return true
	}
	for name := range old {
		if _, ok := list[name]; !ok {
			return true
		}
	}
	return false
}

// undoCPUMemoryList is list with its cpu and memory as in old.
func undoCPUMemoryList(list, old corev1.ResourceList) corev1.ResourceList {
	var out corev1.ResourceList
	switch {
	case list == nil && old == nil:
		return nil
	case list == nil:
		out = corev1.ResourceList{}
	default:
		out = list.DeepCopy()
	}
	delete(out, corev1.ResourceCPU)
	delete(out, corev1.ResourceMemory)
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if q, ok := old[name]; ok {
			out[name] = q
		}
	}
	return out
}

// undoCPUMemory sets ctr's cpu and memory requests and limits to old's.
func undoCPUMemory(ctr, old *corev1.Container) {
	ctr.Resources = corev1.ResourceRequirements{
		Limits:   undoCPUMemoryList(ctr.Resources.Limits, old.Resources.Limits),
		Requests: undoCPUMemoryList(ctr.Resources.Requests, old.Resources.Requests),
		Claims:   ctr.Resources.Claims,
	}
}

// undoCPUMemoryRequirements is upstream's
// dropCPUMemoryResourceRequirementsUpdates: r with cpu and memory as in old,
// nil when old had none and nothing else is left.
func undoCPUMemoryRequirements(r, old *corev1.ResourceRequirements) *corev1.ResourceRequirements {
	if r == nil {
		return nil
	}
	var oldRequests, oldLimits corev1.ResourceList
	if old != nil {
		oldRequests, oldLimits = old.Requests, old.Limits
	}
	r.Requests = undoCPUMemoryList(r.Requests, oldRequests)
	r.Limits = undoCPUMemoryList(r.Limits, oldLimits)
	if old == nil && len(r.Requests) == 0 && len(r.Limits) == 0 && len(r.Claims) == 0 {
		return nil
	}
	return r
}

func restartableInitContainer(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}
