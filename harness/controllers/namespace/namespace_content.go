package namespace

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/discovery"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/metadata"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

// finalizerEstimateSeconds is upstream's guess of how long finalizers on
// remaining content take.
const finalizerEstimateSeconds = int64(15)

// podsResource is deleted before everything else.
var podsResource = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// contentDeleter empties a namespace and then finalizes it: upstream's
// namespacedResourcesDeleter.
type contentDeleter struct {
	namespaces corev1client.NamespaceInterface
	pods       corev1client.PodsGetter
	metadata   metadata.Interface
	// discover returns the namespaced resources at their preferred versions.
	discover func(context.Context) ([]*metav1.APIResourceList, error)
	// finalizerToken is the spec finalizer removed once the namespace is empty.
	finalizerToken corev1.FinalizerName
	// clock is the server's: condition times, pods' grace periods.
	clock clock.PassiveClock
}

// leftover is a collection a sync left objects in, with the resourceVersion
// of the list that saw them.
type leftover struct {
	resource        schema.GroupVersionResource
	resourceVersion string
}

// resourcesRemainingError says that content is being deleted but is not
// gone yet (finalizers, graceful deletion): upstream's ResourcesRemainingError.
type resourcesRemainingError struct {
	// estimate is how many seconds the rest should take.
	estimate int64
}

func (e *resourcesRemainingError) Error() string {
	return fmt.Sprintf("some content remains in the namespace, estimate %d seconds before it is removed", e.estimate)
}

// deletable is a resource discovery reports with the delete verb.
type deletable struct {
	resource schema.GroupVersionResource
	// list and deleteCollection say whether discovery lists those verbs.
	list, deleteCollection bool
}

// delete empties the namespace name if it is being deleted, then removes
// the finalizer token from its spec. It returns the collections that still
// hold objects, and a *resourcesRemainingError when they are expected to go
// (finalizers, grace periods). Callers call it until it returns nil.
func (d *contentDeleter) delete(ctx context.Context, name string) ([]leftover, error) {
	// Other controllers may edit the namespace: start from its latest state.
	ns, err := d.namespaces.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	if ns.DeletionTimestamp == nil {
		return nil, nil
	}
	ns, err = d.retryOnConflict(ctx, ns, d.updatePhase)
	if err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	if ns.DeletionTimestamp.IsZero() || len(ns.Spec.Finalizers) == 0 {
		return nil, nil
	}
	estimate, left, err := d.deleteAllContent(ctx, ns)
	if err != nil {
		return left, err
	}
	if estimate > 0 {
		return left, &resourcesRemainingError{estimate: estimate}
	}
	if _, err := d.retryOnConflict(ctx, ns, d.finalize); err != nil && !apierrors.IsNotFound(err) {
		// not found: another controller with the same token finished first.
		return nil, err
	}
	return nil, nil
}

// retryOnConflict calls update until it does not conflict, with the latest
// namespace each time; the namespace must keep its uid.
func (d *contentDeleter) retryOnConflict(ctx context.Context, ns *corev1.Namespace, update func(context.Context, *corev1.Namespace) (*corev1.Namespace, error)) (*corev1.Namespace, error) {
	for {
		result, err := update(ctx, ns)
		if err == nil {
			return result, nil
		}
		if !apierrors.IsConflict(err) {
			return nil, err
		}
		latest, err := d.namespaces.Get(ctx, ns.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		if latest.UID != ns.UID {
			return nil, errors.New("namespace uid has changed across retries")
		}
		ns = latest
	}
}

// updatePhase sets phase Terminating on a namespace being deleted.
func (d *contentDeleter) updatePhase(ctx context.Context, ns *corev1.Namespace) (*corev1.Namespace, error) {
	if ns.DeletionTimestamp.IsZero() || ns.Status.Phase == corev1.NamespaceTerminating {
		return ns, nil
	}
	ns = ns.DeepCopy()
	ns.Status.Phase = corev1.NamespaceTerminating
	return d.namespaces.UpdateStatus(ctx, ns, metav1.UpdateOptions{})
}

// finalize removes the finalizer token from spec.finalizers (the others
// sorted, as upstream) through namespaces/finalize.
func (d *contentDeleter) finalize(ctx context.Context, ns *corev1.Namespace) (*corev1.Namespace, error) {
	rest := sets.New[string]()
	for _, f := range ns.Spec.Finalizers {
		if f != d.finalizerToken {
			rest.Insert(string(f))
		}
	}
	finalize := corev1.Namespace{ObjectMeta: ns.ObjectMeta, Spec: ns.Spec}
	finalize.Spec.Finalizers = make([]corev1.FinalizerName, 0, rest.Len())
	for _, f := range sets.List(rest) {
		finalize.Spec.Finalizers = append(finalize.Spec.Finalizers, corev1.FinalizerName(f))
	}
	out, err := d.namespaces.Finalize(ctx, &finalize, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return out, nil
	}
	return out, err
}

// deleteAllContent deletes every namespaced object in ns, pods first, and
// records the outcome in the namespace's conditions. It returns how many
// seconds the remaining content should take to go (0: none remains or it
// is unexpected) and the collections that still hold objects.
func (d *contentDeleter) deleteAllContent(ctx context.Context, ns *corev1.Namespace) (int64, []leftover, error) {
	logger := klog.FromContext(ctx)
	namespace, deletedAt := ns.Name, *ns.DeletionTimestamp
	var errs []error
	conditions := conditionUpdater{now: metav1.NewTime(d.clock.Now())}
	resources, err := d.discover(ctx)
	if err != nil {
		// not fatal: the resources of the groups that answered are there.
		errs = append(errs, err)
		conditions.processDiscoverResourcesErr(err)
	}
	deletables, err := deletableResources(resources)
	if err != nil {
		errs = append(errs, err)
		conditions.processGroupVersionErr(err)
	}

	var estimate int64
	var left []leftover
	totals := contentTotals{byResource: map[schema.GroupVersionResource]int{}, byFinalizer: map[string]int{}}
	add := func(r deletable, m remainingContent) {
		estimate = max(estimate, m.estimate)
		if m.count == 0 {
			return
		}
		totals.byResource[r.resource] = m.count
		for f, n := range m.byFinalizer {
			totals.byFinalizer[f] += n
		}
		left = append(left, leftover{resource: r.resource, resourceVersion: m.resourceVersion})
	}
	if i := slices.IndexFunc(deletables, func(r deletable) bool { return r.resource == podsResource }); i >= 0 {
		pods := deletables[i]
		deletables = slices.Delete(deletables, i, i+1)
		m, err := d.deleteCollectionContent(ctx, pods, namespace, deletedAt)
		if err != nil {
			errs = append(errs, fmt.Errorf("failed to delete pods for namespace: %s, err: %w", namespace, err))
			conditions.processDeleteContentErr(err)
		}
		add(pods, m)
		if m.count > 0 {
			logger.V(5).Info("Pods still remain, delaying deletion of other resources", "namespace", namespace)
			d.updateConditions(ctx, ns, &conditions)
			return estimate, left, utilerrors.NewAggregate(errs)
		}
	}
	for _, r := range deletables {
		m, err := d.deleteCollectionContent(ctx, r, namespace, deletedAt)
		if err != nil {
			// go on with the other resources.
			errs = append(errs, err)
			conditions.processDeleteContentErr(err)
		}
		add(r, m)
	}
	conditions.processContentTotals(totals)
	// always: a condition that said "it failed" must come to say "it worked".
	d.updateConditions(ctx, ns, &conditions)
	return estimate, left, utilerrors.NewAggregate(errs)
}

// updateConditions writes the namespace's conditions if they changed; a
// failure is logged, not returned, as upstream.
func (d *contentDeleter) updateConditions(ctx context.Context, ns *corev1.Namespace, conditions *conditionUpdater) {
	if !conditions.update(ns) {
		return
	}
	if _, err := d.namespaces.UpdateStatus(ctx, ns, metav1.UpdateOptions{}); err != nil && ctx.Err() == nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Couldn't update status condition for namespace", "namespace", ns.Name)
	}
}

// deletableResources is discovery's resources that support delete, sorted.
// A group version that does not parse fails them all, as upstream
// (discovery.GroupVersionResources).
func deletableResources(lists []*metav1.APIResourceList) ([]deletable, error) {
	lists = discovery.FilteredBy(discovery.SupportsAllVerbs{Verbs: []string{"delete"}}, lists)
	if _, err := discovery.GroupVersionResources(lists); err != nil {
		return nil, err
	}
	var out []deletable
	for _, l := range lists {
		gv, _ := schema.ParseGroupVersion(l.GroupVersion)
		for _, r := range l.APIResources {
			verbs := sets.New[string](r.Verbs...)
			out = append(out, deletable{
				resource:         gv.WithResource(r.Name),
				list:             verbs.Has("list"),
				deleteCollection: verbs.Has("deletecollection"),
			})
		}
	}
	slices.SortFunc(out, func(a, b deletable) int {
		return cmp.Or(
			cmp.Compare(a.resource.Group, b.resource.Group),
			cmp.Compare(a.resource.Version, b.resource.Version),
			cmp.Compare(a.resource.Resource, b.resource.Resource))
	})
	return slices.CompactFunc(out, func(a, b deletable) bool { return a.resource == b.resource }), nil
}

// remainingContent is what deleting one resource's collection left.
type remainingContent struct {
	// estimate is how many seconds the rest should take; zero means no
	// estimate, not that nothing remains.
	estimate int64
	// count is how many objects remain.
	count int
	// byFinalizer counts the remaining objects per finalizer they carry.
	byFinalizer map[string]int
	// resourceVersion is that of the list that counted them.
	resourceVersion string
}

// deleteCollectionContent deletes every object of r in namespace and
// reports what remains; remaining objects without a finalizer or a grace
// period are an error.
func (d *contentDeleter) deleteCollectionContent(ctx context.Context, r deletable, namespace string, deletedAt metav1.Time) (remainingContent, error) {
	// Upstream deletes every collection blind and then lists it. Most
	// collections of a namespace are empty: listing first and leaving those
	// alone halves the requests of a sync, with the same outcome.
	if list, supported, err := d.listCollection(ctx, r, namespace); err != nil {
		return remainingContent{}, err
	} else if supported && len(list.Items) == 0 {
		return remainingContent{}, nil
	}
	estimate, err := d.estimateGracefulTermination(ctx, r.resource, namespace, deletedAt)
	if err != nil {
		return remainingContent{}, err
	}
	supported, err := d.deleteCollection(ctx, r, namespace)
	if err != nil {
		return remainingContent{estimate: estimate}, err
	}
	if !supported {
		if err := d.deleteEachItem(ctx, r, namespace); err != nil {
			return remainingContent{estimate: estimate}, err
		}
	}
	list, supported, err := d.listCollection(ctx, r, namespace)
	if err != nil || !supported {
		return remainingContent{estimate: estimate}, err
	}
	if len(list.Items) == 0 {
		return remainingContent{}, nil
	}
	m := remainingContent{estimate: estimate, count: len(list.Items), byFinalizer: map[string]int{}, resourceVersion: list.ResourceVersion}
	for _, item := range list.Items {
		for _, f := range item.GetFinalizers() {
			m.byFinalizer[f]++
		}
	}
	if estimate != 0 {
		return m, nil
	}
	if len(m.byFinalizer) > 0 {
		// finalizers are normal: give them time to finish.
		m.estimate = finalizerEstimateSeconds
		return m, nil
	}
	m.byFinalizer = nil
	return m, fmt.Errorf("unexpected items still remain in namespace: %s for gvr: %v", namespace, r.resource)
}

// backgroundDeletion keeps the garbage collector from orphaning dependents:
// the namespace goes only once all its content has.
func backgroundDeletion() metav1.DeleteOptions {
	background := metav1.DeletePropagationBackground
	return metav1.DeleteOptions{PropagationPolicy: &background}
}

// deleteCollection deletes r's collection in namespace; false means the
// resource does not support it.
func (d *contentDeleter) deleteCollection(ctx context.Context, r deletable, namespace string) (bool, error) {
	if !r.deleteCollection {
		return false, nil
	}
	err := d.metadata.Resource(r.resource).Namespace(namespace).DeleteCollection(ctx, backgroundDeletion(), metav1.ListOptions{})
	// upstream's special case: a resource with no top-level verbs answers
	// 404 rather than 405.
	if apierrors.IsMethodNotSupported(err) || apierrors.IsNotFound(err) {
		return false, nil
	}
	return true, err
}

// listCollection lists r's collection in namespace; false means the
// resource does not support it.
func (d *contentDeleter) listCollection(ctx context.Context, r deletable, namespace string) (*metav1.PartialObjectMetadataList, bool, error) {
	if !r.list {
		return nil, false, nil
	}
	list, err := d.metadata.Resource(r.resource).Namespace(namespace).List(ctx, metav1.ListOptions{})
	if err == nil {
		return list, true, nil
	}
	if apierrors.IsMethodNotSupported(err) || apierrors.IsNotFound(err) {
		return nil, false, nil
	}
	return nil, true, err
}

// deleteEachItem lists r's collection in namespace and deletes its objects
// one by one.
func (d *contentDeleter) deleteEachItem(ctx context.Context, r deletable, namespace string) error {
	list, supported, err := d.listCollection(ctx, r, namespace)
	if err != nil || !supported {
		return err
	}
	for _, item := range list.Items {
		err := d.metadata.Resource(r.resource).Namespace(namespace).Delete(ctx, item.GetName(), backgroundDeletion())
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsMethodNotSupported(err) {
			return err
		}
	}
	return nil
}

// estimateGracefulTermination is how many seconds the objects of resource
// in namespace may take to terminate gracefully: for pods the longest
// terminationGracePeriodSeconds of those not yet terminal, zero for other
// resources, and zero once the namespace has been deleting for that long.
//
// memkube runs no kubelet, but the estimate is kept as upstream: it only
// decides how remaining pods are reported (content remaining, not a
// failure) and the fallback requeue; the watch on the pods collection
// reacts as soon as they go.
func (d *contentDeleter) estimateGracefulTermination(ctx context.Context, resource schema.GroupVersionResource, namespace string, deletedAt metav1.Time) (int64, error) {
	if resource.GroupResource() != podsResource.GroupResource() {
		return 0, nil
	}
	pods, err := d.pods.Pods(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return 0, err
	}
	var estimate int64
	for _, pod := range pods.Items {
		if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
			continue
		}
		if g := pod.Spec.TerminationGracePeriodSeconds; g != nil && *g > estimate {
			estimate = *g
		}
	}
	if d.clock.Since(deletedAt.Time) >= time.Duration(estimate)*time.Second {
		return 0, nil
	}
	return estimate, nil
}
