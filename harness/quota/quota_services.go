package quota

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	quota "k8s.io/apiserver/pkg/quota/v1"
	"k8s.io/apiserver/pkg/quota/v1/generic"
)

var serviceObjectCountName = generic.ObjectCountQuotaResourceNameFor(corev1.Resource("services"))

var serviceResources = []corev1.ResourceName{
	serviceObjectCountName,
	corev1.ResourceServices,
	corev1.ResourceServicesNodePorts,
	corev1.ResourceServicesLoadBalancers,
}

// serviceEvaluator is upstream's: a service uses services: 1, node ports
// (one per port of a NodePort or LoadBalancer service, or those with an
// explicit nodePort when a load balancer allocates none) and load
// balancers.
type serviceEvaluator struct {
	list generic.ListFuncByNamespace
}

var _ quota.Evaluator = (*serviceEvaluator)(nil)

func newServiceEvaluator(list quota.ListerForResourceFunc) *serviceEvaluator {
	return &serviceEvaluator{list: generic.ListResourceUsingListerFunc(list, corev1.SchemeGroupVersion.WithResource("services"))}
}

func (*serviceEvaluator) GroupResource() schema.GroupResource { return corev1.Resource("services") }

func (*serviceEvaluator) Constraints([]corev1.ResourceName, runtime.Object) error { return nil }

// Handles creations and updates (the type may change).
func (*serviceEvaluator) Handles(a admission.Attributes) bool {
	op := a.GetOperation()
	return a.GetSubresource() == "" && (op == admission.Create || op == admission.Update)
}

func (s *serviceEvaluator) Matches(q *corev1.ResourceQuota, item runtime.Object) (bool, error) {
	return generic.Matches(q, item, s.MatchingResources, generic.MatchesNoScopeFunc)
}

func (*serviceEvaluator) MatchingResources(input []corev1.ResourceName) []corev1.ResourceName {
	return quota.Intersection(input, serviceResources)
}

func (*serviceEvaluator) MatchingScopes(runtime.Object, []corev1.ScopedResourceSelectorRequirement) ([]corev1.ScopedResourceSelectorRequirement, error) {
	return []corev1.ScopedResourceSelectorRequirement{}, nil
}

func (*serviceEvaluator) UncoveredQuotaScopes(_, _ []corev1.ScopedResourceSelectorRequirement) ([]corev1.ScopedResourceSelectorRequirement, error) {
	return []corev1.ScopedResourceSelectorRequirement{}, nil
}

func (*serviceEvaluator) Usage(item runtime.Object) (corev1.ResourceList, error) {
	svc, ok := item.(*corev1.Service)
	if !ok {
		return corev1.ResourceList{}, fmt.Errorf("expect *api.Service or *v1.Service, got %v", item)
	}
	one := *resource.NewQuantity(1, resource.DecimalSI)
	ports := *resource.NewQuantity(int64(len(svc.Spec.Ports)), resource.DecimalSI)
	result := corev1.ResourceList{
		serviceObjectCountName:               one,
		corev1.ResourceServices:              one,
		corev1.ResourceServicesLoadBalancers: {Format: resource.DecimalSI},
		corev1.ResourceServicesNodePorts:     {Format: resource.DecimalSI},
	}
	switch svc.Spec.Type {
	case corev1.ServiceTypeNodePort:
		result[corev1.ResourceServicesNodePorts] = ports
	case corev1.ServiceTypeLoadBalancer:
		// node ports are not allocated yet: count what the service asks.
		if a := svc.Spec.AllocateLoadBalancerNodePorts; a != nil && !*a {
			explicit := 0
			for _, p := range svc.Spec.Ports {
				if p.NodePort != 0 {
					explicit++
				}
			}
			result[corev1.ResourceServicesNodePorts] = *resource.NewQuantity(int64(explicit), resource.DecimalSI)
		} else {
			result[corev1.ResourceServicesNodePorts] = ports
		}
		result[corev1.ResourceServicesLoadBalancers] = one
	}
	return result, nil
}

func (s *serviceEvaluator) UsageStats(options quota.UsageStatsOptions) (quota.UsageStats, error) {
	return generic.CalculateUsageStats(options, s.list, generic.MatchesNoScopeFunc, s.Usage)
}

// quotaServiceType is the type of a service when quota counts it apart.
func quotaServiceType(svc *corev1.Service) corev1.ServiceType {
	switch svc.Spec.Type {
	case corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
		return svc.Spec.Type
	}
	return ""
}
