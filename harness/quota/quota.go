// Package quota measures what objects use of a ResourceQuota: the
// evaluators kube-apiserver's ResourceQuota admission plugin and
// kube-controller-manager's resource quota controller share, written from
// k8s.io/kubernetes pkg/quota/v1 (never imported) over k8s.io/apiserver's
// generic quota machinery (k8s.io/apiserver/pkg/quota/v1).
//
// Pods, services and persistent volume claims have evaluators of their own
// (compute resources, node ports and load balancers, storage, by storage
// class); configmaps, secrets, resourcequotas and replicationcontrollers
// are counted under their legacy names too. Every other resource is
// counted as count/<resource>.<group> by k8s.io/apiserver's object count
// evaluator, made when first needed.
//
// Known gaps: resourceclaims.resource.k8s.io are counted
// (count/resourceclaims.resource.k8s.io) but not measured by device class
// (<class>.deviceclass.resource.k8s.io/devices), and pods' requests of
// DRA extended resources are not charged.
package quota

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	quota "k8s.io/apiserver/pkg/quota/v1"
	"k8s.io/apiserver/pkg/quota/v1/generic"
	"k8s.io/utils/clock"
)

// legacyObjectCountAliases are the names object counts had before count/.
var legacyObjectCountAliases = map[schema.GroupVersionResource]corev1.ResourceName{
	corev1.SchemeGroupVersion.WithResource("configmaps"):             corev1.ResourceConfigMaps,
	corev1.SchemeGroupVersion.WithResource("resourcequotas"):         corev1.ResourceQuotas,
	corev1.SchemeGroupVersion.WithResource("replicationcontrollers"): corev1.ResourceReplicationControllers,
	corev1.SchemeGroupVersion.WithResource("secrets"):                corev1.ResourceSecrets,
}

// NewEvaluators returns the evaluators of the resources that have more than
// a count: pods, services, claims and the legacy object counts. list gives
// the listers their usage is summed from (UsageStats); admission passes
// nil, as it only measures the object at hand. A pod's deletion grace
// period is measured on clk.
func NewEvaluators(list quota.ListerForResourceFunc, clk clock.PassiveClock) []quota.Evaluator {
	evaluators := []quota.Evaluator{
		newPodEvaluator(list, clk),
		newServiceEvaluator(list),
		newPVCEvaluator(list),
	}
	for gvr, alias := range legacyObjectCountAliases {
		evaluators = append(evaluators, generic.NewObjectCountEvaluator(gvr.GroupResource(), generic.ListResourceUsingListerFunc(list, gvr), alias))
	}
	return evaluators
}

// NewConfiguration is kube-apiserver's quota configuration for admission
// (install.NewQuotaConfigurationForAdmission): NewEvaluators without
// listers, and the ignored resources.
func NewConfiguration(clk clock.PassiveClock) quota.Configuration {
	return generic.NewConfiguration(NewEvaluators(nil, clk), IgnoredResources())
}

// IgnoredResources are the resources quota never counts: the virtual ones,
// not stored, and events.
func IgnoredResources() map[schema.GroupResource]struct{} {
	return map[schema.GroupResource]struct{}{
		{Group: "", Resource: "bindings"}:                                      {},
		{Group: "", Resource: "componentstatuses"}:                             {},
		{Group: "authentication.k8s.io", Resource: "tokenreviews"}:             {},
		{Group: "authentication.k8s.io", Resource: "selfsubjectreviews"}:       {},
		{Group: "authorization.k8s.io", Resource: "subjectaccessreviews"}:      {},
		{Group: "authorization.k8s.io", Resource: "selfsubjectaccessreviews"}:  {},
		{Group: "authorization.k8s.io", Resource: "localsubjectaccessreviews"}: {},
		{Group: "authorization.k8s.io", Resource: "selfsubjectrulesreviews"}:   {},
		{Group: "", Resource: "events"}:                                        {},
		{Group: "events.k8s.io", Resource: "events"}:                           {},
	}
}

// UpdateReleases is the resource quota controller's update filter
// (install.DefaultUpdateFilter): whether an update of an object may have
// lowered what it uses, so that its namespace's quotas are recalculated.
// Creations are charged by admission; deletions always recalculate.
func UpdateReleases(clk clock.PassiveClock) func(resource schema.GroupVersionResource, oldObj, newObj any) bool {
	return func(resource schema.GroupVersionResource, oldObj, newObj any) bool {
		switch resource.GroupResource() {
		case corev1.Resource("pods"):
			oldPod, ok1 := oldObj.(*corev1.Pod)
			newPod, ok2 := newObj.(*corev1.Pod)
			if !ok1 || !ok2 {
				return false
			}
			// InPlacePodVerticalScaling is on in v1.37.
			if resourcesChanged(oldPod, newPod) || isTerminating(oldPod) != isTerminating(newPod) {
				return true
			}
			return chargedPod(oldPod, clk) && !chargedPod(newPod, clk)
		case corev1.Resource("services"):
			oldSvc, ok1 := oldObj.(*corev1.Service)
			newSvc, ok2 := newObj.(*corev1.Service)
			return ok1 && ok2 && quotaServiceType(oldSvc) != quotaServiceType(newSvc)
		case corev1.Resource("persistentvolumeclaims"):
			oldPVC, ok1 := oldObj.(*corev1.PersistentVolumeClaim)
			newPVC, ok2 := newObj.(*corev1.PersistentVolumeClaim)
			return ok1 && ok2 && requiresReplenish(newPVC, oldPVC)
		}
		return false
	}
}
