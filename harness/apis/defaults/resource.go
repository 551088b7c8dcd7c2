package defaults

import (
	"time"

	resourcev1 "k8s.io/api/resource/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/clock"
)

// addResource registers the resource.k8s.io/v1 defaulters
// (pkg/apis/resource/v1). Device taints without a timeAdded get clk's time,
// truncated to the second.
func addResource(s *runtime.Scheme, clk clock.PassiveClock) {
	setTaint := func(t *resourcev1.DeviceTaint) {
		if t.TimeAdded == nil {
			t.TimeAdded = &metav1.Time{Time: clk.Now().Truncate(time.Second)}
		}
	}
	setSlice := func(rs *resourcev1.ResourceSlice) {
		for i := range rs.Spec.Devices {
			each(rs.Spec.Devices[i].Taints, setTaint)
		}
	}
	setRule := func(r *resourcev1.DeviceTaintRule) { setTaint(&r.Spec.Taint) }

	register(s, setResourceClaim)
	register(s, func(l *resourcev1.ResourceClaimList) { each(l.Items, setResourceClaim) })
	register(s, setResourceClaimTemplate)
	register(s, func(l *resourcev1.ResourceClaimTemplateList) { each(l.Items, setResourceClaimTemplate) })
	register(s, setSlice)
	register(s, func(l *resourcev1.ResourceSliceList) { each(l.Items, setSlice) })
	register(s, setRule)
	register(s, func(l *resourcev1.DeviceTaintRuleList) { each(l.Items, setRule) })
}

func setResourceClaim(c *resourcev1.ResourceClaim) {
	setResourceClaimSpec(&c.Spec)
	if a := c.Status.Allocation; a != nil {
		for i := range a.Devices.Results {
			setTolerations(a.Devices.Results[i].Tolerations)
		}
	}
}

func setResourceClaimTemplate(t *resourcev1.ResourceClaimTemplate) {
	setResourceClaimSpec(&t.Spec.Spec)
}

// setResourceClaimSpec defaults each device request, exact or each of its
// firstAvailable alternatives: allocationMode ExactCount, count 1 for
// ExactCount, toleration operator Equal.
func setResourceClaimSpec(spec *resourcev1.ResourceClaimSpec) {
	for i := range spec.Devices.Requests {
		r := &spec.Devices.Requests[i]
		if e := r.Exactly; e != nil {
			setAllocationMode(&e.AllocationMode, &e.Count)
			setTolerations(e.Tolerations)
		}
		for j := range r.FirstAvailable {
			sub := &r.FirstAvailable[j]
			setAllocationMode(&sub.AllocationMode, &sub.Count)
			setTolerations(sub.Tolerations)
		}
	}
}

func setAllocationMode(mode *resourcev1.DeviceAllocationMode, count *int64) {
	if *mode == "" {
		*mode = resourcev1.DeviceAllocationModeExactCount
	}
	if *mode == resourcev1.DeviceAllocationModeExactCount && *count == 0 {
		*count = 1
	}
}

func setTolerations(ts []resourcev1.DeviceToleration) {
	for i := range ts {
		if ts[i].Operator == "" {
			ts[i].Operator = resourcev1.DeviceTolerationOpEqual
		}
	}
}
