package defaults_test

import (
	"testing"
	"time"

	resourcev1 "k8s.io/api/resource/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestResourceDefaults(t *testing.T) {
	t.Parallel()
	stamped := &metav1.Time{Time: now.Truncate(time.Second)}
	earlier := &metav1.Time{Time: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	requests := func(defaulted bool) []resourcev1.DeviceRequest {
		exact := &resourcev1.ExactDeviceRequest{DeviceClassName: "gpu", Tolerations: []resourcev1.DeviceToleration{{Key: "k"}}}
		all := &resourcev1.ExactDeviceRequest{DeviceClassName: "gpu", AllocationMode: resourcev1.DeviceAllocationModeAll}
		sub := resourcev1.DeviceSubRequest{Name: "small", DeviceClassName: "gpu", Tolerations: []resourcev1.DeviceToleration{{Key: "k", Operator: resourcev1.DeviceTolerationOpExists}}}
		if defaulted {
			exact.AllocationMode, exact.Count, exact.Tolerations[0].Operator = resourcev1.DeviceAllocationModeExactCount, 1, resourcev1.DeviceTolerationOpEqual
			sub.AllocationMode, sub.Count = resourcev1.DeviceAllocationModeExactCount, 1
		}
		return []resourcev1.DeviceRequest{
			{Name: "one", Exactly: exact},
			{Name: "all", Exactly: all},
			{Name: "any", FirstAvailable: []resourcev1.DeviceSubRequest{sub}},
		}
	}
	claimSpec := func(defaulted bool) resourcev1.ResourceClaimSpec {
		return resourcev1.ResourceClaimSpec{Devices: resourcev1.DeviceClaim{Requests: requests(defaulted)}}
	}
	taints := func(defaulted bool) []resourcev1.DeviceTaint {
		t := []resourcev1.DeviceTaint{{Key: "a", Effect: resourcev1.DeviceTaintEffectNoSchedule}, {Key: "b", Effect: resourcev1.DeviceTaintEffectNoExecute, TimeAdded: earlier}}
		if defaulted {
			t[0].TimeAdded = stamped
		}
		return t
	}
	runGolden(t, []goldenCase{
		{
			name: "ResourceClaim",
			in: &resourcev1.ResourceClaim{ObjectMeta: meta, Spec: claimSpec(false), Status: resourcev1.ResourceClaimStatus{
				Allocation: &resourcev1.AllocationResult{Devices: resourcev1.DeviceAllocationResult{Results: []resourcev1.DeviceRequestAllocationResult{{
					Request: "one", Driver: "d", Pool: "p", Device: "x", Tolerations: []resourcev1.DeviceToleration{{Key: "k"}},
				}}}},
			}},
			want: &resourcev1.ResourceClaim{ObjectMeta: meta, Spec: claimSpec(true), Status: resourcev1.ResourceClaimStatus{
				Allocation: &resourcev1.AllocationResult{Devices: resourcev1.DeviceAllocationResult{Results: []resourcev1.DeviceRequestAllocationResult{{
					Request: "one", Driver: "d", Pool: "p", Device: "x", Tolerations: []resourcev1.DeviceToleration{{Key: "k", Operator: resourcev1.DeviceTolerationOpEqual}},
				}}}},
			}},
		},
		{
			name: "ResourceClaim list",
			in:   &resourcev1.ResourceClaimList{Items: []resourcev1.ResourceClaim{{Spec: claimSpec(false)}}},
			want: &resourcev1.ResourceClaimList{Items: []resourcev1.ResourceClaim{{Spec: claimSpec(true)}}},
		},
		{
			name: "ResourceClaimTemplate",
			in:   &resourcev1.ResourceClaimTemplate{ObjectMeta: meta, Spec: resourcev1.ResourceClaimTemplateSpec{Spec: claimSpec(false)}},
			want: &resourcev1.ResourceClaimTemplate{ObjectMeta: meta, Spec: resourcev1.ResourceClaimTemplateSpec{Spec: claimSpec(true)}},
		},
		{
			name: "ResourceClaimTemplate list",
			in:   &resourcev1.ResourceClaimTemplateList{Items: []resourcev1.ResourceClaimTemplate{{Spec: resourcev1.ResourceClaimTemplateSpec{Spec: claimSpec(false)}}}},
			want: &resourcev1.ResourceClaimTemplateList{Items: []resourcev1.ResourceClaimTemplate{{Spec: resourcev1.ResourceClaimTemplateSpec{Spec: claimSpec(true)}}}},
		},
		{
			name: "ResourceSlice device taints stamped",
			in: &resourcev1.ResourceSlice{Spec: resourcev1.ResourceSliceSpec{Driver: "d", Devices: []resourcev1.Device{
				{Name: "x", Taints: taints(false)}, {Name: "y"},
			}}},
			want: &resourcev1.ResourceSlice{Spec: resourcev1.ResourceSliceSpec{Driver: "d", Devices: []resourcev1.Device{
				{Name: "x", Taints: taints(true)}, {Name: "y"},
			}}},
		},
		{
			name: "ResourceSlice list",
			in:   &resourcev1.ResourceSliceList{Items: []resourcev1.ResourceSlice{{Spec: resourcev1.ResourceSliceSpec{Devices: []resourcev1.Device{{Taints: taints(false)}}}}}},
			want: &resourcev1.ResourceSliceList{Items: []resourcev1.ResourceSlice{{Spec: resourcev1.ResourceSliceSpec{Devices: []resourcev1.Device{{Taints: taints(true)}}}}}},
		},
		{
			name: "DeviceTaintRule",
			in:   &resourcev1.DeviceTaintRule{Spec: resourcev1.DeviceTaintRuleSpec{Taint: resourcev1.DeviceTaint{Key: "a", Effect: resourcev1.DeviceTaintEffectNoSchedule}}},
			want: &resourcev1.DeviceTaintRule{Spec: resourcev1.DeviceTaintRuleSpec{Taint: resourcev1.DeviceTaint{Key: "a", Effect: resourcev1.DeviceTaintEffectNoSchedule, TimeAdded: stamped}}},
		},
		{
			name: "DeviceTaintRule list, time kept",
			in:   &resourcev1.DeviceTaintRuleList{Items: []resourcev1.DeviceTaintRule{{Spec: resourcev1.DeviceTaintRuleSpec{Taint: resourcev1.DeviceTaint{TimeAdded: earlier}}}}},
			want: &resourcev1.DeviceTaintRuleList{Items: []resourcev1.DeviceTaintRule{{Spec: resourcev1.DeviceTaintRuleSpec{Taint: resourcev1.DeviceTaint{TimeAdded: earlier}}}}},
		},
	})
}
