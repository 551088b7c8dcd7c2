package defaults_test

import (
	"testing"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"
)

func TestHorizontalPodAutoscalerV1Defaults(t *testing.T) {
	t.Parallel()
	target := autoscalingv1.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}
	runGolden(t, []goldenCase{
		{
			// The 80% CPU target is the v1 → v2 conversion's, not a default.
			name: "minimal",
			in:   &autoscalingv1.HorizontalPodAutoscaler{ObjectMeta: meta, Spec: autoscalingv1.HorizontalPodAutoscalerSpec{ScaleTargetRef: target, MaxReplicas: 5}},
			want: &autoscalingv1.HorizontalPodAutoscaler{ObjectMeta: meta, Spec: autoscalingv1.HorizontalPodAutoscalerSpec{
				ScaleTargetRef: target, MaxReplicas: 5, MinReplicas: ptr.To[int32](1),
			}},
		},
		{
			name: "list",
			in:   &autoscalingv1.HorizontalPodAutoscalerList{Items: []autoscalingv1.HorizontalPodAutoscaler{{Spec: autoscalingv1.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](2)}}, {}}},
			want: &autoscalingv1.HorizontalPodAutoscalerList{Items: []autoscalingv1.HorizontalPodAutoscaler{
				{Spec: autoscalingv1.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](2)}},
				{Spec: autoscalingv1.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1)}},
			}},
		},
	})
}

func TestHorizontalPodAutoscalerV2Defaults(t *testing.T) {
	t.Parallel()
	target := autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}
	cpu80 := []autoscalingv2.MetricSpec{{
		Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{
			Name:   corev1.ResourceCPU,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](80)},
		},
	}}
	memory := []autoscalingv2.MetricSpec{{
		Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{
			Name:   corev1.ResourceMemory,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: ptr.To(resource.MustParse("1Gi"))},
		},
	}}
	scaleUp := func() *autoscalingv2.HPAScalingRules {
		return &autoscalingv2.HPAScalingRules{
			StabilizationWindowSeconds: ptr.To[int32](0),
			SelectPolicy:               ptr.To(autoscalingv2.MaxChangePolicySelect),
			Policies: []autoscalingv2.HPAScalingPolicy{
				{Type: autoscalingv2.PodsScalingPolicy, Value: 4, PeriodSeconds: 15},
				{Type: autoscalingv2.PercentScalingPolicy, Value: 100, PeriodSeconds: 15},
			},
		}
	}
	scaleDown := func() *autoscalingv2.HPAScalingRules {
		return &autoscalingv2.HPAScalingRules{
			SelectPolicy: ptr.To(autoscalingv2.MaxChangePolicySelect),
			Policies:     []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PercentScalingPolicy, Value: 100, PeriodSeconds: 15}},
		}
	}
	hpa := func(spec autoscalingv2.HorizontalPodAutoscalerSpec) *autoscalingv2.HorizontalPodAutoscaler {
		spec.ScaleTargetRef, spec.MaxReplicas = target, 5
		return &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: meta, Spec: spec}
	}
	runGolden(t, []goldenCase{
		{
			name: "minimal: CPU 80%, no behavior",
			in:   hpa(autoscalingv2.HorizontalPodAutoscalerSpec{}),
			want: hpa(autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1), Metrics: cpu80}),
		},
		{
			name: "metrics kept",
			in:   hpa(autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](3), Metrics: memory}),
			want: hpa(autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](3), Metrics: memory}),
		},
		{
			name: "empty behavior gets both rules",
			in:   hpa(autoscalingv2.HorizontalPodAutoscalerSpec{Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{}}),
			want: hpa(autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1), Metrics: cpu80,
				Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleUp: scaleUp(), ScaleDown: scaleDown()}}),
		},
		{
			name: "partial rules completed",
			in: hpa(autoscalingv2.HorizontalPodAutoscalerSpec{Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleUp:   &autoscalingv2.HPAScalingRules{SelectPolicy: ptr.To(autoscalingv2.DisabledPolicySelect)},
				ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr.To[int32](60), Tolerance: ptr.To(resource.MustParse("50m"))},
			}}),
			want: hpa(autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1), Metrics: cpu80,
				Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
					ScaleUp: func() *autoscalingv2.HPAScalingRules {
						r := scaleUp()
						r.SelectPolicy = ptr.To(autoscalingv2.DisabledPolicySelect)
						return r
					}(),
					ScaleDown: func() *autoscalingv2.HPAScalingRules {
						r := scaleDown()
						r.StabilizationWindowSeconds = ptr.To[int32](60)
						r.Tolerance = ptr.To(resource.MustParse("50m"))
						return r
					}(),
				}}),
		},
		{
			name: "list",
			in:   &autoscalingv2.HorizontalPodAutoscalerList{Items: []autoscalingv2.HorizontalPodAutoscaler{{}}},
			want: &autoscalingv2.HorizontalPodAutoscalerList{Items: []autoscalingv2.HorizontalPodAutoscaler{{
				Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1), Metrics: cpu80},
			}}},
		},
	})
}
