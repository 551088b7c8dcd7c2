package validation_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/memkube/memkube/harness/apis/validation"
)

func TestResourceQuota(t *testing.T) {
	t.Parallel()
	valid := func() *corev1.ResourceQuota {
		return &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
			corev1.ResourcePods: resource.MustParse("10"), corev1.ResourceRequestsCPU: resource.MustParse("2"),
			"count/deployments.apps": resource.MustParse("5"),
		}}}
	}
	matchErrors(t, validation.ResourceQuota(valid()))
	for _, tc := range []struct {
		name   string
		change func(*corev1.ResourceQuota)
		want   []string
	}{
		{"unknown resource", func(q *corev1.ResourceQuota) { q.Spec.Hard["gpus"] = resource.MustParse("1") }, []string{
			`spec.hard[gpus]: Invalid value: "gpus": must be a standard resource type or fully qualified`,
			`spec.hard[gpus]: Invalid value: "gpus": must be a standard resource for quota`}},
		{"negative", func(q *corev1.ResourceQuota) { q.Spec.Hard[corev1.ResourcePods] = resource.MustParse("-1") },
			[]string{`spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0`}},
		{"fractional count", func(q *corev1.ResourceQuota) { q.Spec.Hard[corev1.ResourcePods] = resource.MustParse("1.5") },
			[]string{`spec.hard[pods]: Invalid value: "1500m": must be an integer`}},
		{"conflicting scopes", func(q *corev1.ResourceQuota) {
			q.Spec.Hard = corev1.ResourceList{corev1.ResourcePods: resource.MustParse("1")}
			q.Spec.Scopes = []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort, corev1.ResourceQuotaScopeNotBestEffort}
		}, []string{`spec.scopes: Invalid value: ["BestEffort","NotBestEffort"]: conflicting scopes`}},
		{"scope not for resource", func(q *corev1.ResourceQuota) {
			q.Spec.Hard = corev1.ResourceList{corev1.ResourceRequestsCPU: resource.MustParse("1")}
			q.Spec.Scopes = []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort}
		}, []string{`spec.scopes: Invalid value: ["BestEffort"]: unsupported scope applied to resource`}},
		{"selector operator", func(q *corev1.ResourceQuota) {
			q.Spec.Hard = corev1.ResourceList{corev1.ResourcePods: resource.MustParse("1")}
			q.Spec.ScopeSelector = &corev1.ScopeSelector{MatchExpressions: []corev1.ScopedResourceSelectorRequirement{
				{ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: corev1.ScopeSelectorOpIn}}}
		}, []string{"spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := valid()
			tc.change(q)
			matchErrors(t, validation.ResourceQuota(q), tc.want...)
		})
	}
	t.Run("scopes are immutable", func(t *testing.T) {
		t.Parallel()
		old := &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("1")}}}
		q := old.DeepCopy()
		q.Spec.Scopes = []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeTerminating}
		matchErrors(t, validation.ResourceQuotaUpdate(q, old), `spec.scopes: Invalid value: ["Terminating"]: field is immutable`)
	})
}

func TestLimitRange(t *testing.T) {
	t.Parallel()
	item := func(min, def, max string) corev1.LimitRangeItem {
		return corev1.LimitRangeItem{Type: corev1.LimitTypeContainer,
			Min:            corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(min)},
			Default:        corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(def)},
			DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(def)},
			Max:            corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(max)}}
	}
	for _, tc := range []struct {
		name   string
		limits []corev1.LimitRangeItem
		want   []string
	}{
		{"valid", []corev1.LimitRangeItem{item("100m", "500m", "1")}, nil},
		{"min above max", []corev1.LimitRangeItem{item("2", "1", "1")}, []string{
			`spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1`,
			`spec.limits[0].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1`,
			`spec.limits[0].default[cpu]: Invalid value: "2": min value 2 is greater than default value 1`}},
		{"default above max", []corev1.LimitRangeItem{item("100m", "2", "1")}, []string{
			`spec.limits[0].defaultRequest[cpu]: Invalid value: "2": default request value 2 is greater than max value 1`,
			`spec.limits[0].default[cpu]: Invalid value: "1": default value 2 is greater than max value 1`}},
		{"bad type", []corev1.LimitRangeItem{{Type: "Volume"}},
			[]string{`spec.limits[0].type: Invalid value: "Volume": must be a standard limit type or fully qualified`}},
		{"duplicate type", []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer}, {Type: corev1.LimitTypeContainer}},
			[]string{`spec.limits[1].type: Duplicate value: "Container"`}},
		{"pod default", []corev1.LimitRangeItem{{Type: corev1.LimitTypePod, Default: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}}},
			[]string{"spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"}},
		{"claim without storage", []corev1.LimitRangeItem{{Type: corev1.LimitTypePersistentVolumeClaim}},
			[]string{"spec.limits[0].limits: Required value: either minimum or maximum storage value is required, but neither was provided"}},
		{"ratio below 1", []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer, MaxLimitRequestRatio: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("500m")}}},
			[]string{`spec.limits[0].maxLimitRequestRatio[memory]: Invalid value: "500m": ratio 500m is less than 1`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			matchErrors(t, validation.LimitRange(&corev1.LimitRange{Spec: corev1.LimitRangeSpec{Limits: tc.limits}}), tc.want...)
		})
	}
}
