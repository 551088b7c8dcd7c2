package disruption

import (
	"context"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/scale"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

// sync is upstream's sync: a failed sync other than a conflict sets the
// budget to allow no disruption (failSafe).
func (r *run) sync(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	pdb, err := r.budgets.PodDisruptionBudgets(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	err = r.trySync(ctx, pdb)
	if err == nil || apierrors.IsConflict(err) {
		return err
	}
	klog.FromContext(ctx).Error(err, "Failed to sync PDB", "podDisruptionBudget", klog.KRef(namespace, name))
	return r.failSafe(ctx, pdb, err)
}

func (r *run) trySync(ctx context.Context, pdb *policyv1.PodDisruptionBudget) error {
	pods, err := r.podsOf(pdb)
	if err != nil {
		r.recorder.Eventf(pdb, corev1.EventTypeWarning, "NoPods", "Failed to get pods: %v", err)
		return err
	}
	if len(pods) == 0 {
		r.recorder.Eventf(pdb, corev1.EventTypeNormal, "NoPods", "No matching pods found")
	}
	expected, desired, unmanaged, err := r.expectedPodCount(ctx, pdb, pods)
	if err != nil {
		r.recorder.Eventf(pdb, corev1.EventTypeWarning, "CalculateExpectedPodCountFailed", "Failed to calculate the number of expected pods: %v", err)
		return err
	}
	if unmanaged {
		r.recorder.Eventf(pdb, corev1.EventTypeWarning, "UnmanagedPods", "Pods selected by this PodDisruptionBudget (selector: %v) were found "+
			"to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. "+
			"To account for these pods please set \".spec.minAvailable\" "+
			"field of the PDB to an integer value.", pdb.Spec.Selector)
	}
	now := r.c.clock.Now()
	disrupted, recheck := r.disruptedPods(pods, pdb, now)
	healthy := countHealthyPods(pods, disrupted, now)
	if err := r.updateStatus(ctx, pdb, healthy, desired, expected, disrupted); err != nil {
		return err
	}
	if recheck != nil {
		r.recheck.AddAfter(pdb.Namespace+"/"+pdb.Name, recheck.Sub(now))
	}
	return nil
}

func (r *run) podsOf(pdb *policyv1.PodDisruptionBudget) ([]*corev1.Pod, error) {
	selector, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		return nil, err
	}
	return r.pods.Pods(pdb.Namespace).List(selector)
}

// expectedPodCount is upstream's getExpectedPodCount: an integer
// minAvailable counts the selected pods; a percentage and maxUnavailable
// scale against the pods' controllers' replicas.
func (r *run) expectedPodCount(ctx context.Context, pdb *policyv1.PodDisruptionBudget, pods []*corev1.Pod) (expected, desired int32, unmanaged bool, err error) {
	switch {
	case pdb.Spec.MaxUnavailable != nil:
		if expected, unmanaged, err = r.expectedScale(ctx, pods); err != nil {
			return 0, 0, false, err
		}
		maxUnavailable, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MaxUnavailable, int(expected), true)
		if err != nil {
			return 0, 0, false, err
		}
		return expected, max(expected-int32(maxUnavailable), 0), unmanaged, nil
	case pdb.Spec.MinAvailable != nil && pdb.Spec.MinAvailable.Type == intstr.Int:
		return int32(len(pods)), pdb.Spec.MinAvailable.IntVal, false, nil
	case pdb.Spec.MinAvailable != nil && pdb.Spec.MinAvailable.Type == intstr.String:
		if expected, unmanaged, err = r.expectedScale(ctx, pods); err != nil {
			return 0, 0, false, err
		}
		minAvailable, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MinAvailable, int(expected), true)
		if err != nil {
			return 0, 0, false, err
		}
		return expected, int32(minAvailable), unmanaged, nil
	}
	return 0, 0, false, nil
}

// expectedScale is upstream's getExpectedScale: the sum of the replicas
// of the controllers of the pods; pods without a controller do not count
// (unmanaged says there were some).
func (r *run) expectedScale(ctx context.Context, pods []*corev1.Pod) (expected int32, unmanaged bool, err error) {
	scales := map[types.UID]int32{}
	for _, pod := range pods {
		ref := metav1.GetControllerOf(pod)
		if ref == nil {
			unmanaged = true
			continue
		}
		if _, ok := scales[ref.UID]; ok {
			continue
		}
		found := false
		for _, finder := range []func(context.Context, *metav1.OwnerReference, string) (*controllerScale, error){
			r.replicationController, r.deployment, r.replicaSet, r.statefulSet, r.scaleController,
		} {
			s, err := finder(ctx, ref, pod.Namespace)
			if err != nil {
				return 0, false, err
			}
			if s != nil {
				scales[s.uid] = s.replicas
				found = true
				break
			}
		}
		if !found {
			return 0, false, fmt.Errorf("found no controllers for pod %q", pod.Name)
		}
	}
	for _, n := range scales {
		expected += n
	}
	return expected, unmanaged, nil
}

// controllerScale is a pod's controller and its desired replicas.
type controllerScale struct {
	uid      types.UID
	replicas int32
}

// isKind: ref is kind in one of groups.
func isKind(ref *metav1.OwnerReference, kind string, groups ...string) (bool, error) {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return false, err
	}
	return ref.Kind == kind && slices.Contains(groups, gv.Group), nil
}

func replicas(n *int32) int32 {
	if n == nil {
		return 0
	}
	return *n
}

func (r *run) replicationController(_ context.Context, ref *metav1.OwnerReference, namespace string) (*controllerScale, error) {
	if ok, err := isKind(ref, "ReplicationController", ""); !ok || err != nil {
		return nil, err
	}
	rc, err := r.rcs.ReplicationControllers(namespace).Get(ref.Name)
	if err != nil || rc.UID != ref.UID {
		return nil, nil
	}
	return &controllerScale{rc.UID, replicas(rc.Spec.Replicas)}, nil
}

// replicaSet finds a ReplicaSet that no Deployment controls.
func (r *run) replicaSet(_ context.Context, ref *metav1.OwnerReference, namespace string) (*controllerScale, error) {
	if ok, err := isKind(ref, "ReplicaSet", "apps", "extensions"); !ok || err != nil {
		return nil, err
	}
	rs, err := r.replicaSets.ReplicaSets(namespace).Get(ref.Name)
	if err != nil || rs.UID != ref.UID {
		return nil, nil
	}
	if owner := metav1.GetControllerOf(rs); owner != nil && owner.Kind == "Deployment" {
		return nil, nil
	}
	return &controllerScale{rs.UID, replicas(rs.Spec.Replicas)}, nil
}

// deployment finds the Deployment controlling the pod's ReplicaSet.
func (r *run) deployment(_ context.Context, ref *metav1.OwnerReference, namespace string) (*controllerScale, error) {
	if ok, err := isKind(ref, "ReplicaSet", "apps", "extensions"); !ok || err != nil {
		return nil, err
	}
	rs, err := r.replicaSets.ReplicaSets(namespace).Get(ref.Name)
	if err != nil || rs.UID != ref.UID {
		return nil, nil
	}
	owner := metav1.GetControllerOf(rs)
	if owner == nil {
		return nil, nil
	}
	if ok, err := isKind(owner, "Deployment", "apps", "extensions"); !ok || err != nil {
		return nil, err
	}
	d, err := r.deployments.Deployments(rs.Namespace).Get(owner.Name)
	if err != nil || d.UID != owner.UID {
		return nil, nil
	}
	return &controllerScale{d.UID, replicas(d.Spec.Replicas)}, nil
}

func (r *run) statefulSet(_ context.Context, ref *metav1.OwnerReference, namespace string) (*controllerScale, error) {
	if ok, err := isKind(ref, "StatefulSet", "apps"); !ok || err != nil {
		return nil, err
	}
	ss, err := r.statefulSets.StatefulSets(namespace).Get(ref.Name)
	if err != nil || ss.UID != ref.UID {
		return nil, nil
	}
	return &controllerScale{ss.UID, replicas(ss.Spec.Replicas)}, nil
}

// scaleController reads any other controller's scale subresource; a kind
// without one is an error.
func (r *run) scaleController(ctx context.Context, ref *metav1.OwnerReference, namespace string) (*controllerScale, error) {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return nil, err
	}
	mapping, err := r.c.mapper.RESTMapping(schema.GroupKind{Group: gv.Group, Kind: ref.Kind}, gv.Version)
	if err != nil {
		return nil, err
	}
	gr := mapping.Resource.GroupResource()
	s, err := r.c.scales.Scales(namespace).Get(ctx, gr, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		// the controller is gone, or its kind has no scale subresource.
		ok, err := r.implementsScale(mapping.Resource)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%s does not implement the scale subresource", gr.String())
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if s.UID != ref.UID {
		return nil, nil
	}
	return &controllerScale{s.UID, s.Spec.Replicas}, nil
}

func (r *run) implementsScale(gvr schema.GroupVersionResource) (bool, error) {
	list, err := r.c.discovery.ServerResourcesForGroupVersion(gvr.GroupVersion().String())
	if err != nil {
		return false, err
	}
	versions := scale.NewScaleConverter().ScaleVersions()
	for _, res := range list.APIResources {
		if res.Name == gvr.Resource+"/scale" && res.Kind == "Scale" && slices.Contains(versions, schema.GroupVersion{Group: res.Group, Version: res.Version}) {
			return true, nil
		}
	}
	return false, nil
}

// countHealthyPods counts the Ready pods neither being deleted nor evicted
// less than DeletionTimeout ago.
func countHealthyPods(pods []*corev1.Pod, disrupted map[string]metav1.Time, now time.Time) int32 {
	var healthy int32
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil {
			continue
		}
		if at, ok := disrupted[pod.Name]; ok && at.Add(DeletionTimeout).After(now) {
			continue
		}
		if podReady(pod) {
			healthy++
		}
	}
	return healthy
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// disruptedPods is upstream's buildDisruptedPodMap: the budget's
// disruptedPods without pods gone, being deleted, or evicted
// DeletionTimeout ago and still there (a NotDeleted warning on the pod);
// and when the earliest remaining entry expires.
func (r *run) disruptedPods(pods []*corev1.Pod, pdb *policyv1.PodDisruptionBudget, now time.Time) (map[string]metav1.Time, *time.Time) {
	out := map[string]metav1.Time{}
	var recheck *time.Time
	if pdb.Status.DisruptedPods == nil {
		return out, nil
	}
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil {
			continue
		}
		at, ok := pdb.Status.DisruptedPods[pod.Name]
		if !ok {
			continue
		}
		expiry := at.Add(DeletionTimeout)
		if expiry.Before(now) {
			// upstream names the budget namespace/namespace.
			r.recorder.Eventf(pod, corev1.EventTypeWarning, "NotDeleted", "Pod was expected by PDB %s/%s to be deleted but it wasn't", pdb.Namespace, pdb.Namespace)
			continue
		}
		if recheck == nil || expiry.Before(*recheck) {
			recheck = &expiry
		}
		out[pod.Name] = at
	}
	return out, recheck
}

// failSafe allows no disruption, saying why in the condition.
func (r *run) failSafe(ctx context.Context, pdb *policyv1.PodDisruptionBudget, err error) error {
	updated := pdb.DeepCopy()
	updated.Status.DisruptionsAllowed = 0
	if updated.Status.Conditions == nil {
		updated.Status.Conditions = []metav1.Condition{}
	}
	meta.SetStatusCondition(&updated.Status.Conditions, metav1.Condition{
		Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionFalse, Reason: policyv1.SyncFailedReason,
		Message: err.Error(), ObservedGeneration: updated.Status.ObservedGeneration,
		LastTransitionTime: metav1.NewTime(r.c.clock.Now()),
	})
	return r.writeStatus(ctx, updated)
}

// updateStatus writes the budget's status unless it is up to date already.
// A budget that expects no pods allows no disruption: its first pods may
// come before its next sync.
func (r *run) updateStatus(ctx context.Context, pdb *policyv1.PodDisruptionBudget, healthy, desired, expected int32, disrupted map[string]metav1.Time) error {
	allowed := healthy - desired
	if expected <= 0 || allowed <= 0 {
		allowed = 0
	}
	s := &pdb.Status
	if s.CurrentHealthy == healthy && s.DesiredHealthy == desired && s.ExpectedPods == expected && s.DisruptionsAllowed == allowed &&
		apiequality.Semantic.DeepEqual(s.DisruptedPods, disrupted) && s.ObservedGeneration == pdb.Generation && conditionUpToDate(pdb) {
		return nil
	}
	updated := pdb.DeepCopy()
	updated.Status = policyv1.PodDisruptionBudgetStatus{
		CurrentHealthy: healthy, DesiredHealthy: desired, ExpectedPods: expected, DisruptionsAllowed: allowed,
		DisruptedPods: disrupted, ObservedGeneration: pdb.Generation, Conditions: updated.Status.Conditions,
	}
	if updated.Status.Conditions == nil {
		updated.Status.Conditions = []metav1.Condition{}
	}
	c := metav1.Condition{
		Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionFalse, Reason: policyv1.InsufficientPodsReason,
		ObservedGeneration: updated.Status.ObservedGeneration, LastTransitionTime: metav1.NewTime(r.c.clock.Now()),
	}
	if allowed > 0 {
		c.Status, c.Reason = metav1.ConditionTrue, policyv1.SufficientPodsReason
	}
	meta.SetStatusCondition(&updated.Status.Conditions, c)
	return r.writeStatus(ctx, updated)
}

// conditionUpToDate is component-helpers' ConditionsAreUpToDate.
func conditionUpToDate(pdb *policyv1.PodDisruptionBudget) bool {
	c := meta.FindStatusCondition(pdb.Status.Conditions, policyv1.DisruptionAllowedCondition)
	if c == nil || pdb.Status.ObservedGeneration != pdb.Generation {
		return false
	}
	if pdb.Status.DisruptionsAllowed > 0 {
		return c.Status == metav1.ConditionTrue && c.Reason == policyv1.SufficientPodsReason
	}
	return c.Status == metav1.ConditionFalse && c.Reason == policyv1.InsufficientPodsReason
}

// writeStatus is not retried here: a failure requeues the budget.
func (r *run) writeStatus(ctx context.Context, pdb *policyv1.PodDisruptionBudget) error {
	_, err := r.c.client.PolicyV1().PodDisruptionBudgets(pdb.Namespace).UpdateStatus(ctx, pdb, metav1.UpdateOptions{})
	return err
}
