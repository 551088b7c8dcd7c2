package builtin

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	policyv1beta1 "k8s.io/api/policy/v1beta1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/util/wait"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/util/dryrun"

	"github.com/memkube/memkube/harness/registry"
)

// maxDisruptedPods is upstream's MaxDisruptedPodSize: an eviction is
// refused while a budget lists more pods evicted but not yet seen gone by
// the disruption controller.
const maxDisruptedPods = 2000

// evictionsRetry is upstream's EvictionsRetry: how often and how fast an
// eviction retries a conflict on the pod or the budget.
var evictionsRetry = wait.Backoff{Steps: 20, Duration: 500 * time.Millisecond, Factor: 1.0, Jitter: 0.1}

var evictionKind = policyv1.SchemeGroupVersion.WithKind("Eviction")

// podEviction serves pods/eviction as kube-apiserver v1.37's EvictionREST
// (pkg/registry/core/pod/storage/eviction.go): a pod that is terminal,
// pending or being deleted is deleted without looking at budgets; otherwise
// the one PodDisruptionBudget selecting the pod must allow a disruption,
// which the eviction takes (disruptionsAllowed - 1, the pod listed in
// disruptedPods) before the pod gets the DisruptionTarget condition and is
// deleted. It wraps the kind's Extra and Link, so it goes after podBinding.
func podEviction(k *registry.Kind) {
	e := &evictionREST{}
	addExtra(k, func(*genericregistry.Store) map[string]rest.Storage {
		return map[string]rest.Storage{"eviction": e}
	})
	addLink(k, e.link)
}

// evictionREST is pods/eviction; its registries are set by link once every
// built-in registry exists. Budgets are read and written through their
// registries, not a loopback client as upstream: the budget's status update
// passes no admission and records no managed fields.
type evictionREST struct {
	pods         podRegistry
	podStatus    rest.Updater
	budgets      budgetRegistry
	budgetStatus rest.Updater
}

type podRegistry interface {
	rest.Getter
	rest.GracefulDeleter
}

type budgetRegistry interface {
	rest.Getter
	rest.Lister
}

var (
	_ rest.NamedCreater             = &evictionREST{}
	_ rest.GroupVersionKindProvider = &evictionREST{}
	_ rest.GroupVersionAcceptor     = &evictionREST{}
)

func (e *evictionREST) link(storage map[schema.GroupVersion]map[string]rest.Storage) error {
	core, policy := storage[corev1.SchemeGroupVersion], storage[policyv1.SchemeGroupVersion]
	var ok [4]bool
	e.pods, ok[0] = core["pods"].(podRegistry)
	e.podStatus, ok[1] = core["pods/status"].(rest.Updater)
	e.budgets, ok[2] = policy["poddisruptionbudgets"].(budgetRegistry)
	e.budgetStatus, ok[3] = policy["poddisruptionbudgets/status"].(rest.Updater)
	if ok != [4]bool{true, true, true, true} {
		return errors.New("pods/eviction needs the pods, pods/status, poddisruptionbudgets and poddisruptionbudgets/status registries")
	}
	return nil
}

func (e *evictionREST) New() runtime.Object { return &policyv1.Eviction{} }

// Destroy does nothing: the registries are the pods' and budgets' own.
func (e *evictionREST) Destroy() {}

// GroupVersionKind is policy/v1 Eviction, as upstream's discovery says.
func (e *evictionREST) GroupVersionKind(schema.GroupVersion) schema.GroupVersionKind {
	return evictionKind
}

// AcceptsGroupVersion accepts policy/v1 and policy/v1beta1 Evictions, as
// upstream; memkube's scheme decodes policy/v1 only (policy/v1beta1 is not
// served), so a v1beta1 body fails to decode before it gets here.
func (e *evictionREST) AcceptsGroupVersion(gv schema.GroupVersion) bool {
	return gv == policyv1.SchemeGroupVersion || gv == policyv1beta1.SchemeGroupVersion
}

// Create evicts the pod named in the URL, as upstream's EvictionREST.Create.
func (e *evictionREST) Create(ctx context.Context, name string, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	eviction, ok := obj.(*policyv1.Eviction)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a Eviction object: %T", obj))
	}
	if name != eviction.Name {
		return nil, apierrors.NewBadRequest("name in URL does not match name in Eviction object")
	}
	if eviction.DeleteOptions != nil && eviction.DeleteOptions.IgnoreStoreReadErrorWithClusterBreakingPotential != nil && *eviction.DeleteOptions.IgnoreStoreReadErrorWithClusterBreakingPotential {
		return nil, apierrors.NewInvalid(evictionKind.GroupKind(), name, field.ErrorList{
			field.Invalid(field.NewPath("deleteOptions").Child("ignoreStoreReadErrorWithClusterBreakingPotential"), true, "can not be set for pod eviction, try after removing the option"),
		})
	}
	original, err := propagateDryRun(eviction, options)
	if err != nil {
		return nil, err
	}
	if createValidation != nil {
		if err := createValidation(ctx, eviction.DeepCopyObject()); err != nil {
			return nil, err
		}
	}

	// A pod whose eviction disrupts nothing more (terminal, pending, being
	// deleted) is deleted without looking at budgets.
	var pod *corev1.Pod
	deleted := false
	retriable := apierrors.IsConflict
	if !resourceVersionIsUnset(original) {
		// the caller's resourceVersion precondition is not retried.
		retriable = func(error) bool { return false }
	}
	err = retryOnError(ctx, retriable, func() error {
		if pod, err = e.getPod(ctx, name); err != nil {
			return err
		}
		if !canIgnoreBudgets(pod) {
			return nil
		}
		deleteOptions := original
		if shouldEnforceResourceVersion(pod) && resourceVersionIsUnset(original) {
			// not racing another disruption of a pod that turns ready.
			deleteOptions = deleteOptions.DeepCopy()
			setPreconditionsResourceVersion(deleteOptions, pod.ResourceVersion)
		}
		if err := e.addConditionAndDelete(ctx, name, deleteOptions); err != nil {
			return err
		}
		deleted = true
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case deleted:
		return &metav1.Status{Status: metav1.StatusSuccess}, nil
	}

	var multiple *metav1.Status
	var budgetName string
	updateDeleteOptions := false
	err = func() error {
		budgets, err := e.podBudgets(ctx, pod)
		if err != nil {
			return err
		}
		if len(budgets) > 1 {
			multiple = &metav1.Status{
				Status:  metav1.StatusFailure,
				Message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
				Code:    500,
			}
			return nil
		}
		if len(budgets) == 0 {
			return nil
		}
		pdb := &budgets[0]
		budgetName = pdb.Name
		if !podReady(pod) {
			if pdb.Spec.UnhealthyPodEvictionPolicy != nil && *pdb.Spec.UnhealthyPodEvictionPolicy == policyv1.AlwaysAllow {
				// an unready pod counts toward neither currentHealthy nor
				// desiredHealthy: no disruption is taken.
				updateDeleteOptions = true
				return nil
			}
			if pdb.Status.CurrentHealthy >= pdb.Status.DesiredHealthy && pdb.Status.DesiredHealthy > 0 {
				// IfHealthyBudget (the default): the application is not
				// disrupted now, deleting an unready pod does not disrupt it.
				updateDeleteOptions = true
				return nil
			}
		}
		refresh := false
		return retryOnError(ctx, apierrors.IsConflict, func() error {
			if refresh {
				got, err := e.budgets.Get(ctx, budgetName, &metav1.GetOptions{})
				if err != nil {
					return err
				}
				pdb = got.(*policyv1.PodDisruptionBudget)
			}
			if err := e.checkAndDecrement(ctx, pod.Name, pdb, dryrun.IsDryRun(original.DryRun)); err != nil {
				refresh = true
				return err
			}
			return nil
		})
	}()
	if wait.Interrupted(err) {
		err = apierrors.NewTimeoutError(fmt.Sprintf("couldn't update PodDisruptionBudget %q due to conflicts", budgetName), 10)
	}
	if err != nil {
		return nil, err
	}
	if multiple != nil {
		return multiple, nil
	}

	// No budget, a disruption taken, or an unready pod whose budget is
	// healthy: delete, unless an unready pod turned ready meanwhile.
	deleteOptions := original
	if updateDeleteOptions {
		deleteOptions = deleteOptions.DeepCopy()
		setPreconditionsResourceVersion(deleteOptions, pod.ResourceVersion)
	}
	if err := e.addConditionAndDelete(ctx, name, deleteOptions); err != nil {
		if apierrors.IsConflict(err) && updateDeleteOptions && resourceVersionIsUnset(original) {
			// the pod changed under us: tell the client to retry.
			return nil, tooManyRequests(budgetName)
		}
		return nil, err
	}
	return &metav1.Status{Status: metav1.StatusSuccess}, nil
}

// propagateDryRun reconciles the request's dry-run with the Eviction's
// deleteOptions: either may set it, both must agree.
func propagateDryRun(eviction *policyv1.Eviction, options *metav1.CreateOptions) (*metav1.DeleteOptions, error) {
	if eviction.DeleteOptions == nil {
		return &metav1.DeleteOptions{DryRun: options.DryRun}, nil
	}
	if len(eviction.DeleteOptions.DryRun) == 0 {
		eviction.DeleteOptions.DryRun = options.DryRun
		return eviction.DeleteOptions, nil
	}
	if len(options.DryRun) == 0 {
		return eviction.DeleteOptions, nil
	}
	if !reflect.DeepEqual(options.DryRun, eviction.DeleteOptions.DryRun) {
		return nil, fmt.Errorf("Non-matching dry-run options in request and content: %v and %v", options.DryRun, eviction.DeleteOptions.DryRun)
	}
	return eviction.DeleteOptions, nil
}

// retryOnError is client-go's retry.OnError over evictionsRetry that
// also stops when the request ends: the last retriable error is returned
// when the retries run out.
func retryOnError(ctx context.Context, retriable func(error) bool, fn func() error) error {
	var last error
	err := wait.ExponentialBackoffWithContext(ctx, evictionsRetry, func(context.Context) (bool, error) {
		switch err := fn(); {
		case err == nil:
			return true, nil
		case retriable(err):
			last = err
			return false, nil
		default:
			return false, err
		}
	})
	if wait.Interrupted(err) && last != nil {
		err = last
	}
	return err
}

func (e *evictionREST) getPod(ctx context.Context, name string) (*corev1.Pod, error) {
	obj, err := e.pods.Get(ctx, name, &metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return obj.(*corev1.Pod), nil
}

// canIgnoreBudgets: a terminal or pending pod, or one being deleted, is
// deleted without a budget check.
func canIgnoreBudgets(pod *corev1.Pod) bool {
	switch pod.Status.Phase {
	case corev1.PodSucceeded, corev1.PodFailed, corev1.PodPending:
		return true
	}
	return pod.DeletionTimestamp != nil
}

// shouldEnforceResourceVersion: deleting a pending pod must not race the
// pod becoming ready; a terminal pod or one being deleted cannot.
func shouldEnforceResourceVersion(pod *corev1.Pod) bool {
	switch pod.Status.Phase {
	case corev1.PodSucceeded, corev1.PodFailed:
		return false
	}
	return pod.DeletionTimestamp == nil
}

func resourceVersionIsUnset(options *metav1.DeleteOptions) bool {
	return options.Preconditions == nil || options.Preconditions.ResourceVersion == nil
}

func setPreconditionsResourceVersion(options *metav1.DeleteOptions, rv string) {
	if options.Preconditions == nil {
		options.Preconditions = &metav1.Preconditions{}
	}
	options.Preconditions.ResourceVersion = &rv
}

// podReady is upstream's IsPodReady: the Ready condition is True.
func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// addConditionAndDelete gives the pod the DisruptionTarget condition
// (through pods/status, checking the preconditions against the latest pod)
// and deletes it; a dry run only deletes, dry.
func (e *evictionREST) addConditionAndDelete(ctx context.Context, name string, options *metav1.DeleteOptions) error {
	if !dryrun.IsDryRun(options.DryRun) {
		latest := func(_ context.Context, _, old runtime.Object) (runtime.Object, error) {
			pod := old.(*corev1.Pod).DeepCopy()
			if p := options.Preconditions; p != nil {
				if p.UID != nil && *p.UID != "" && *p.UID != pod.UID {
					return nil, apierrors.NewConflict(schema.GroupResource{Resource: "Pod"}, pod.Name,
						fmt.Errorf("the UID in the precondition (%s) does not match the UID in record (%s). The object might have been deleted and then recreated", *p.UID, pod.UID))
				}
				if p.ResourceVersion != nil && *p.ResourceVersion != "" && *p.ResourceVersion != pod.ResourceVersion {
					return nil, apierrors.NewConflict(schema.GroupResource{Resource: "Pod"}, pod.Name,
						fmt.Errorf("the ResourceVersion in the precondition (%s) does not match the ResourceVersion in record (%s). The object might have been modified", *p.ResourceVersion, pod.ResourceVersion))
				}
			}
			return pod, nil
		}
		condition := func(ctx context.Context, obj, _ runtime.Object) (runtime.Object, error) {
			pod := obj.(*corev1.Pod)
			updatePodCondition(&pod.Status, corev1.PodCondition{
				Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue,
				Reason: "EvictionByEvictionAPI", Message: "Eviction API: evicting",
			}, registry.Now(ctx))
			return pod, nil
		}
		updated, _, err := e.podStatus.Update(ctx, name, rest.DefaultUpdatedObjectInfo(nil, latest, condition),
			rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
		if err != nil {
			return err
		}
		if !resourceVersionIsUnset(options) {
			// the condition moved the pod on: the precondition follows.
			m, err := meta.Accessor(updated)
			if err != nil {
				return err
			}
			options = options.DeepCopy()
			rv := m.GetResourceVersion()
			options.Preconditions.ResourceVersion = &rv
		}
	}
	_, _, err := e.pods.Delete(ctx, name, rest.ValidateAllObjectFunc, options)
	return err
}

// updatePodCondition is upstream's UpdatePodCondition: the condition is
// added or replaced, its transition time moves only when its status does.
func updatePodCondition(status *corev1.PodStatus, c corev1.PodCondition, now metav1.Time) {
	c.LastTransitionTime = now
	for i, old := range status.Conditions {
		if old.Type != c.Type {
			continue
		}
		if old.Status == c.Status {
			c.LastTransitionTime = old.LastTransitionTime
		}
		status.Conditions[i] = c
		return
	}
	status.Conditions = append(status.Conditions, c)
}

// podBudgets are the budgets in the pod's namespace whose selector matches
// the pod; a budget with an invalid selector matches nothing. They may
// share memory with the registry's cache: they are read, never changed.
func (e *evictionREST) podBudgets(ctx context.Context, pod *corev1.Pod) ([]policyv1.PodDisruptionBudget, error) {
	obj, err := e.budgets.List(ctx, &metainternalversion.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []policyv1.PodDisruptionBudget
	for _, pdb := range obj.(*policyv1.PodDisruptionBudgetList).Items {
		if pdb.Namespace != pod.Namespace {
			continue
		}
		selector, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil || !selector.Matches(labels.Set(pod.Labels)) {
			continue
		}
		out = append(out, pdb)
	}
	return out, nil
}

// tooManyRequests is upstream's createTooManyRequestsError: the budget's
// status is behind its spec, or the pod changed while being evicted.
func tooManyRequests(budget string) error {
	err := apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 10)
	err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, metav1.StatusCause{
		Type: policyv1.DisruptionBudgetCause, Message: fmt.Sprintf("The disruption budget %s is still being processed by the server.", budget),
	})
	return err
}

// budgetForbidden is upstream's 403 for a budget that cannot be trusted.
func budgetForbidden(budget, reason, cause string) error {
	err := apierrors.NewForbidden(policyv1.Resource("poddisruptionbudget"), budget, errors.New(reason))
	err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, metav1.StatusCause{
		Type: policyv1.DisruptionBudgetCause, Message: fmt.Sprintf("The disruption budget %s does not allow evicting pods currently: %s", budget, cause),
	})
	return err
}

// checkAndDecrement takes one disruption from pdb for the pod, as
// upstream: 429 when the budget's status is stale or allows none, 403 when
// it is broken; a dry run writes nothing. pdb may be the registry's cached
// object: it is copied before it changes.
func (e *evictionREST) checkAndDecrement(ctx context.Context, podName string, cached *policyv1.PodDisruptionBudget, dryRun bool) error {
	pdb := *cached.DeepCopy()
	switch {
	case pdb.Status.ObservedGeneration < pdb.Generation:
		return tooManyRequests(pdb.Name)
	case pdb.Status.DisruptionsAllowed < 0:
		return budgetForbidden(pdb.Name, "pdb disruptions allowed is negative", "pdb disruptions allowed is negative")
	case len(pdb.Status.DisruptedPods) > maxDisruptedPods:
		return budgetForbidden(pdb.Name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller",
			"too many pending evictions not confirmed by PDB controller")
	case pdb.Status.DisruptionsAllowed == 0:
		err := apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0)
		err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, metav1.StatusCause{Type: policyv1.DisruptionBudgetCause, Message: noDisruptionMessage(&pdb)})
		return err
	}

	pdb.Status.DisruptionsAllowed--
	if pdb.Status.DisruptionsAllowed == 0 {
		setDisruptionAllowedCondition(&pdb, registry.Now(ctx))
	}
	if dryRun {
		return nil
	}
	if pdb.Status.DisruptedPods == nil {
		pdb.Status.DisruptedPods = map[string]metav1.Time{}
	}
	// the disruption controller counts the pod as gone from now on, and
	// forgets it if it is not deleted in time.
	pdb.Status.DisruptedPods[podName] = registry.Now(ctx)
	_, _, err := e.budgetStatus.Update(ctx, pdb.Name, rest.DefaultUpdatedObjectInfo(&pdb),
		rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	return err
}

// noDisruptionMessage says why a budget allows no disruption, as upstream.
func noDisruptionMessage(pdb *policyv1.PodDisruptionBudget) string {
	c := meta.FindStatusCondition(pdb.Status.Conditions, policyv1.DisruptionAllowedCondition)
	failed := c != nil && c.Status == metav1.ConditionFalse && c.Message != ""
	switch {
	// a failed sync makes desiredHealthy and currentHealthy untrustworthy.
	case failed && c.Reason == policyv1.SyncFailedReason:
		return fmt.Sprintf("The disruption budget %s does not allow evicting pods currently because it failed sync: %s", pdb.Name, c.Message)
	case pdb.Status.CurrentHealthy <= pdb.Status.DesiredHealthy:
		return fmt.Sprintf("The disruption budget %s needs %d healthy pods and has %d currently", pdb.Name, pdb.Status.DesiredHealthy, pdb.Status.CurrentHealthy)
	case failed:
		return fmt.Sprintf("The disruption budget %s does not allow evicting pods currently (%s): %s", pdb.Name, c.Reason, c.Message)
	}
	return fmt.Sprintf("The disruption budget %s does not allow evicting pods currently", pdb.Name)
}

// setDisruptionAllowedCondition is component-helpers'
// UpdateDisruptionAllowedCondition on the server's clock: True
// (SufficientPods) while disruptions are allowed, False (InsufficientPods)
// otherwise.
func setDisruptionAllowedCondition(pdb *policyv1.PodDisruptionBudget, now metav1.Time) {
	if pdb.Status.Conditions == nil {
		pdb.Status.Conditions = []metav1.Condition{}
	}
	c := metav1.Condition{
		Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionFalse, Reason: policyv1.InsufficientPodsReason,
		ObservedGeneration: pdb.Status.ObservedGeneration, LastTransitionTime: now,
	}
	if pdb.Status.DisruptionsAllowed > 0 {
		c.Status, c.Reason = metav1.ConditionTrue, policyv1.SufficientPodsReason
	}
	meta.SetStatusCondition(&pdb.Status.Conditions, c)
}
