package storageprotection

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// syncPVC is upstream's processPVC: the Unused condition of a Bound claim,
// then its finalizer.
func (r *run) syncPVC(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	pvc, err := r.pvcs.PersistentVolumeClaims(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if pvc.DeletionTimestamp == nil && pvc.Status.Phase == corev1.ClaimBound {
		used, err := r.claimUsed(ctx, pvc, usesForUnused)
		if err != nil {
			return err
		}
		if pvc, err = r.setUnused(ctx, pvc, !used); err != nil {
			return err
		}
	}
	if deletionCandidate(&pvc.ObjectMeta, PVCProtectionFinalizer) {
		used, err := r.claimUsed(ctx, pvc, usesForDeletion)
		if err != nil || used {
			return err
		}
		updated := pvc.DeepCopy()
		updated.Finalizers = withoutFinalizer(updated.Finalizers, PVCProtectionFinalizer)
		_, err = r.c.pvcClient.CoreV1().PersistentVolumeClaims(namespace).Update(ctx, updated, metav1.UpdateOptions{})
		return ignoreNotFound(err)
	}
	if needsFinalizer(&pvc.ObjectMeta, PVCProtectionFinalizer) {
		updated := pvc.DeepCopy()
		updated.Finalizers = append(updated.Finalizers, PVCProtectionFinalizer)
		_, err := r.c.pvcClient.CoreV1().PersistentVolumeClaims(namespace).Update(ctx, updated, metav1.UpdateOptions{})
		return ignoreNotFound(err)
	}
	return nil
}

// claimUsed says whether a pod uses the claim: from the informer, and if it
// has none, from a live list of the namespace's pods (the informer may
// not have a new pod yet).
func (r *run) claimUsed(ctx context.Context, pvc *corev1.PersistentVolumeClaim, uses func(*corev1.Pod, *corev1.PersistentVolumeClaim) bool) (bool, error) {
	objs, err := r.pods.ByIndex(podPVCIndex, pvc.Namespace+"/"+pvc.Name)
	if err != nil {
		return false, err
	}
	for _, obj := range objs {
		if pod, ok := obj.(*corev1.Pod); ok && uses(pod, pvc) {
			return true, nil
		}
	}
	list, err := r.c.pvcClient.CoreV1().Pods(pvc.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return false, err
	}
	for i := range list.Items {
		if uses(&list.Items[i], pvc) {
			return true, nil
		}
	}
	return false, nil
}

// usesForDeletion is upstream's podUsesPVCForDeletion: a scheduled pod
// names the claim, or has it as a generic ephemeral volume and is not
// shut down (a deleted pod with no grace period left is done with it).
func usesForDeletion(pod *corev1.Pod, pvc *corev1.PersistentVolumeClaim) bool {
	if pod.Spec.NodeName == "" {
		return false
	}
	shutDown := pod.DeletionTimestamp != nil && pod.DeletionGracePeriodSeconds != nil && *pod.DeletionGracePeriodSeconds == 0
	return namesClaim(pod, pvc, !shutDown)
}

// usesForUnused is upstream's podUsesPVCForUnusedSince: a pod that has not
// terminated names the claim.
func usesForUnused(pod *corev1.Pod, pvc *corev1.PersistentVolumeClaim) bool {
	return !podTerminated(pod) && namesClaim(pod, pvc, true)
}

func namesClaim(pod *corev1.Pod, pvc *corev1.PersistentVolumeClaim, ephemeral bool) bool {
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == pvc.Name {
			return true
		}
		// a generic ephemeral volume's claim is <pod>-<volume>, controlled by the pod.
		if ephemeral && v.Ephemeral != nil && pod.Name+"-"+v.Name == pvc.Name && pvc.Namespace == pod.Namespace && metav1.IsControlledBy(pvc, pod) {
			return true
		}
	}
	return false
}

// podTerminated is upstream's IsPodTerminated.
func podTerminated(pod *corev1.Pod) bool {
	if pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded {
		return true
	}
	notRunning := func(statuses []corev1.ContainerStatus) bool {
		return !slices.ContainsFunc(statuses, func(s corev1.ContainerStatus) bool { return s.State.Terminated == nil && s.State.Waiting == nil })
	}
	return pod.DeletionTimestamp != nil && notRunning(pod.Status.InitContainerStatuses) &&
		notRunning(pod.Status.ContainerStatuses) && notRunning(pod.Status.EphemeralContainerStatuses)
}

// setUnused sets the claim's Unused condition if it says otherwise and
// returns the claim as it is now.
func (r *run) setUnused(ctx context.Context, pvc *corev1.PersistentVolumeClaim, unused bool) (*corev1.PersistentVolumeClaim, error) {
	existing := unusedCondition(pvc)
	status, reason, message := corev1.ConditionFalse, "PodUsingPVC", "A pod is currently referencing this PVC"
	if unused {
		status, reason, message = corev1.ConditionTrue, "NoPodsUsingPVC", "No pods are currently referencing this PVC"
	}
	// upstream rewrites a False condition only when it is missing or was
	// True, and a True one when it is missing or was not True.
	if existing != nil && (unused == (existing.Status == corev1.ConditionTrue)) {
		return pvc, nil
	}
	updated := pvc.DeepCopy()
	condition := corev1.PersistentVolumeClaimCondition{
		Type: corev1.PersistentVolumeClaimUnused, Status: status, Reason: reason, Message: message,
		LastTransitionTime: metav1.NewTime(r.c.clock.Now()),
	}
	if c := unusedCondition(updated); c != nil {
		*c = condition
	} else {
		updated.Status.Conditions = append(updated.Status.Conditions, condition)
	}
	return r.c.pvcClient.CoreV1().PersistentVolumeClaims(pvc.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{})
}

// syncPV is upstream's processPV: a volume being deleted keeps its
// finalizer while it is Bound.
func (r *run) syncPV(ctx context.Context, name string) error {
	pv, err := r.pvs.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var finalizers []string
	switch {
	case deletionCandidate(&pv.ObjectMeta, PVProtectionFinalizer):
		if pv.Status.Phase == corev1.VolumeBound {
			return nil
		}
		finalizers = withoutFinalizer(pv.Finalizers, PVProtectionFinalizer)
	case needsFinalizer(&pv.ObjectMeta, PVProtectionFinalizer):
		finalizers = append(slices.Clone(pv.Finalizers), PVProtectionFinalizer)
	default:
		return nil
	}
	updated := pv.DeepCopy()
	updated.Finalizers = finalizers
	_, err = r.c.pvClient.CoreV1().PersistentVolumes().Update(ctx, updated, metav1.UpdateOptions{})
	return ignoreNotFound(err)
}

// syncVAC is upstream's processVAC: a class being deleted keeps its
// finalizer while a volume or claim names it.
func (r *run) syncVAC(ctx context.Context, name string) error {
	vac, err := r.vacs.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var finalizers []string
	switch {
	case deletionCandidate(&vac.ObjectMeta, VACProtectionFinalizer):
		for _, indexer := range []cache.Indexer{r.pvIndexer, r.pvcIndexer} {
			users, err := indexer.ByIndex(vacIndex, name)
			if err != nil || len(users) > 0 {
				return err
			}
		}
		finalizers = withoutFinalizer(vac.Finalizers, VACProtectionFinalizer)
	case needsFinalizer(&vac.ObjectMeta, VACProtectionFinalizer):
		finalizers = append(slices.Clone(vac.Finalizers), VACProtectionFinalizer)
	default:
		return nil
	}
	updated := vac.DeepCopy()
	updated.Finalizers = finalizers
	_, err = r.c.vacClient.StorageV1().VolumeAttributesClasses().Update(ctx, updated, metav1.UpdateOptions{})
	return ignoreNotFound(err)
}
