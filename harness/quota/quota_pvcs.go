package quota

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/admission"
	quota "k8s.io/apiserver/pkg/quota/v1"
	"k8s.io/apiserver/pkg/quota/v1/generic"
	storagehelpers "k8s.io/component-helpers/storage/volume"
	"k8s.io/utils/ptr"
)

var pvcObjectCountName = generic.ObjectCountQuotaResourceNameFor(corev1.Resource("persistentvolumeclaims"))

// pvcResources are the claim resources, also quota-able per storage class
// as <class>.storageclass.storage.k8s.io/<resource>.
var pvcResources = []corev1.ResourceName{corev1.ResourcePersistentVolumeClaims, corev1.ResourceRequestsStorage}

const storageClassSuffix = ".storageclass.storage.k8s.io/"

// pvcEvaluator is upstream's: a claim uses persistentvolumeclaims: 1 and
// its storage request (or allocated storage, if larger), also under its
// storage class; quotas may scope claims by VolumeAttributesClass.
type pvcEvaluator struct {
	list generic.ListFuncByNamespace
}

var _ quota.Evaluator = (*pvcEvaluator)(nil)

func newPVCEvaluator(list quota.ListerForResourceFunc) *pvcEvaluator {
	return &pvcEvaluator{list: generic.ListResourceUsingListerFunc(list, corev1.SchemeGroupVersion.WithResource("persistentvolumeclaims"))}
}

func (*pvcEvaluator) GroupResource() schema.GroupResource {
	return corev1.Resource("persistentvolumeclaims")
}

func (*pvcEvaluator) Constraints([]corev1.ResourceName, runtime.Object) error { return nil }

// Handles creations and updates, and status updates that may change the
// allocated storage or attributes class.
func (*pvcEvaluator) Handles(a admission.Attributes) bool {
	op := a.GetOperation()
	switch a.GetSubresource() {
	case "":
		return op == admission.Create || op == admission.Update
	case "status":
		pvc, err1 := toPVC(a.GetObject())
		old, err2 := toPVC(a.GetOldObject())
		return err1 == nil && err2 == nil && requiresReplenish(pvc, old)
	}
	return false
}

func (p *pvcEvaluator) Matches(q *corev1.ResourceQuota, item runtime.Object) (bool, error) {
	return generic.Matches(q, item, p.MatchingResources, pvcMatchesScope)
}

func (*pvcEvaluator) MatchingScopes(item runtime.Object, selectors []corev1.ScopedResourceSelectorRequirement) ([]corev1.ScopedResourceSelectorRequirement, error) {
	matched := []corev1.ScopedResourceSelectorRequirement{}
	for _, s := range selectors {
		match, err := pvcMatchesScope(s, item)
		if err != nil {
			return []corev1.ScopedResourceSelectorRequirement{}, fmt.Errorf("error on matching scope %v: %w", s, err)
		}
		if match {
			matched = append(matched, s)
		}
	}
	return matched, nil
}

func (*pvcEvaluator) UncoveredQuotaScopes(limited, matched []corev1.ScopedResourceSelectorRequirement) ([]corev1.ScopedResourceSelectorRequirement, error) {
	return uncoveredScopes(limited, matched), nil
}

func (*pvcEvaluator) MatchingResources(items []corev1.ResourceName) []corev1.ResourceName {
	result := []corev1.ResourceName{}
	for _, item := range items {
		if item == pvcObjectCountName || quota.Contains(pvcResources, item) {
			result = append(result, item)
			continue
		}
		for _, r := range pvcResources {
			if strings.HasSuffix(string(item), storageClassSuffix+string(r)) {
				result = append(result, item)
				break
			}
		}
	}
	return result
}

func (*pvcEvaluator) Usage(item runtime.Object) (corev1.ResourceList, error) {
	pvc, err := toPVC(item)
	if err != nil {
		return corev1.ResourceList{}, err
	}
	one := *resource.NewQuantity(1, resource.DecimalSI)
	result := corev1.ResourceList{corev1.ResourcePersistentVolumeClaims: one, pvcObjectCountName: one}
	class := storagehelpers.GetPersistentVolumeClaimClass(pvc)
	if class != "" {
		result[corev1.ResourceName(class+storageClassSuffix+string(corev1.ResourcePersistentVolumeClaims))] = one
	}
	if storage := storageUsage(pvc); storage != nil {
		result[corev1.ResourceRequestsStorage] = *storage
		if class != "" {
			result[corev1.ResourceName(class+storageClassSuffix+string(corev1.ResourceRequestsStorage))] = *storage
		}
	}
	return result, nil
}

func (p *pvcEvaluator) UsageStats(options quota.UsageStatsOptions) (quota.UsageStats, error) {
	return generic.CalculateUsageStats(options, p.list, pvcMatchesScope, p.Usage)
}

// storageUsage is the claim's storage request in whole bytes, or its
// allocated storage if larger (RecoverVolumeExpansionFailure is GA).
func storageUsage(pvc *corev1.PersistentVolumeClaim) *resource.Quantity {
	roundUp := func(q resource.Quantity) *resource.Quantity {
		r := q.DeepCopy()
		r.RoundUp(0)
		return &r
	}
	request, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	if !ok {
		return nil
	}
	result := roundUp(request)
	if allocated, ok := pvc.Status.AllocatedResources[corev1.ResourceStorage]; ok && allocated.Cmp(*result) > 0 {
		result = roundUp(allocated)
	}
	return result
}

// requiresReplenish is upstream's RequiresQuotaReplenish, which is always
// true: it compares the old and new allocated storage as
// ResourceList.Storage() pointers, fresh copies that always differ (before
// looking at the attributes classes). Matched, so that every status update
// of a claim is admitted against quota, as in kube-apiserver.
func requiresReplenish(_, _ *corev1.PersistentVolumeClaim) bool {
	return true
}

func pvcMatchesScope(s corev1.ScopedResourceSelectorRequirement, item runtime.Object) (bool, error) {
	pvc, err := toPVC(item)
	if err != nil {
		return false, err
	}
	if s.ScopeName != corev1.ResourceQuotaScopeVolumeAttributesClass {
		return false, nil
	}
	classes := attributesClasses(pvc)
	if s.Operator == corev1.ScopeSelectorOpExists {
		return classes.Len() != 0, nil
	}
	if classes.Len() == 0 {
		return selectorMatches(s, labels.Set{})
	}
	for class := range classes {
		if ok, err := selectorMatches(s, labels.Set{string(corev1.ResourceQuotaScopeVolumeAttributesClass): class}); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// attributesClasses are the VolumeAttributesClasses a claim names: in its
// spec, current and target status.
func attributesClasses(pvc *corev1.PersistentVolumeClaim) sets.Set[string] {
	names := sets.New[string]()
	if name := ptr.Deref(pvc.Spec.VolumeAttributesClassName, ""); name != "" {
		names.Insert(name)
	}
	if name := ptr.Deref(pvc.Status.CurrentVolumeAttributesClassName, ""); name != "" {
		names.Insert(name)
	}
	if m := pvc.Status.ModifyVolumeStatus; m != nil && m.TargetVolumeAttributesClassName != "" {
		names.Insert(m.TargetVolumeAttributesClassName)
	}
	return names
}

func toPVC(obj runtime.Object) (*corev1.PersistentVolumeClaim, error) {
	pvc, ok := obj.(*corev1.PersistentVolumeClaim)
	if !ok {
		return nil, fmt.Errorf("expect *api.PersistentVolumeClaim or *v1.PersistentVolumeClaim, got %v", obj)
	}
	return pvc, nil
}
