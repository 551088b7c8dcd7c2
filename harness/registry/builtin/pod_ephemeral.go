package builtin

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/memkube/memkube/harness/apis/validation"
	"github.com/memkube/memkube/harness/registry"
)

// podEphemeralContainers serves pods/ephemeralcontainers as upstream's
// podEphemeralContainersStrategy: only spec.ephemeralContainers changes,
// containers are added and never changed or removed, and the fields an
// ephemeral container may not set are refused.
var podEphemeralContainers = &registry.UpdateSubresource{
	Prepare: func(_ context.Context, obj, old runtime.Object) {
		pod, oldPod := obj.(*corev1.Pod), old.(*corev1.Pod)
		ephemeral := pod.Spec.EphemeralContainers
		pod.Spec = oldPod.Spec
		pod.Status = oldPod.Status
		metav1.ResetObjectMetaForStatus(&pod.ObjectMeta, &oldPod.ObjectMeta)
		pod.Spec.EphemeralContainers = ephemeral
		if !apiequality.Semantic.DeepEqual(pod.Spec, oldPod.Spec) {
			pod.Generation = oldPod.Generation + 1
		}
	},
	Validate: func(_ context.Context, obj, old runtime.Object) field.ErrorList {
		return validation.PodEphemeralContainersUpdate(obj.(*corev1.Pod), old.(*corev1.Pod))
	},
	Owned: []string{"spec"},
}
