package disruption

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// StalePodDisruptionTimeout is how long a pod not being deleted keeps a
// True DisruptionTarget condition (an eviction whose delete did not
// happen) before the controller sets it False.
const StalePodDisruptionTimeout = 2 * time.Minute

// staleDisruption is upstream's nonTerminatingPodHasStaleDisruptionCondition:
// whether the pod has a DisruptionTarget condition that will be stale, and
// in how long. The kubelet's and terminal pods' conditions never are.
func (r *run) staleDisruption(pod *corev1.Pod) (bool, time.Duration) {
	if pod.DeletionTimestamp != nil {
		return false, 0
	}
	c := podCondition(pod, corev1.DisruptionTarget)
	if c == nil || c.Status != corev1.ConditionTrue || c.Reason == corev1.PodReasonTerminationByKubelet ||
		pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return false, 0
	}
	return true, max(StalePodDisruptionTimeout-r.c.clock.Since(c.LastTransitionTime.Time), 0)
}

// queueStale queues a pod whose DisruptionTarget condition is or will be
// stale, for when it is.
func (r *run) queueStale(pod *corev1.Pod) {
	if stale, after := r.staleDisruption(pod); stale {
		r.stale.AddAfter(pod.Namespace+"/"+pod.Name, after)
	}
}

// syncStale is upstream's syncStalePodDisruption: a stale condition turns
// False (observed at the pod's generation: PodObservedGenerationTracking is
// GA), through pods/status.
func (r *run) syncStale(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	pod, err := r.pods.Pods(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	stale, after := r.staleDisruption(pod)
	if !stale {
		return nil
	}
	if after > 0 {
		r.stale.AddAfter(key, after)
		return nil
	}
	updated := pod.DeepCopy()
	c := podCondition(updated, corev1.DisruptionTarget)
	c.Status, c.Reason, c.Message = corev1.ConditionFalse, "", ""
	c.ObservedGeneration = updated.Generation
	c.LastTransitionTime = metav1.NewTime(r.c.clock.Now())
	c.LastProbeTime = metav1.Time{}
	_, err = r.c.client.CoreV1().Pods(namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	return err
}

func podCondition(pod *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == t {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}
