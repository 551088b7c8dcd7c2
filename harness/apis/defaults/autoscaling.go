package defaults

import (
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// addAutoscaling registers the autoscaling/v1 and autoscaling/v2 defaulters
// (pkg/apis/autoscaling/v1 and v2).
func addAutoscaling(s *runtime.Scheme) {
	register(s, setHorizontalPodAutoscalerV1)
	register(s, func(l *autoscalingv1.HorizontalPodAutoscalerList) { each(l.Items, setHorizontalPodAutoscalerV1) })
	register(s, setHorizontalPodAutoscalerV2)
	register(s, func(l *autoscalingv2.HorizontalPodAutoscalerList) { each(l.Items, setHorizontalPodAutoscalerV2) })
}

// setHorizontalPodAutoscalerV1 defaults minReplicas only; the 80% CPU target
// of a v1 HPA without one comes from the v1 → v2 conversion.
func setHorizontalPodAutoscalerV1(hpa *autoscalingv1.HorizontalPodAutoscaler) {
	if hpa.Spec.MinReplicas == nil {
		hpa.Spec.MinReplicas = ptr.To[int32](1)
	}
}

// setHorizontalPodAutoscalerV2 defaults minReplicas 1, an 80% average CPU
// utilization target when no metric is given, and, when behavior is set, every
// unset field of both its scaling rules.
func setHorizontalPodAutoscalerV2(hpa *autoscalingv2.HorizontalPodAutoscaler) {
	spec := &hpa.Spec
	if spec.MinReplicas == nil {
		spec.MinReplicas = ptr.To[int32](1)
	}
	if len(spec.Metrics) == 0 {
		spec.Metrics = []autoscalingv2.MetricSpec{{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{
				Name: corev1.ResourceCPU,
				Target: autoscalingv2.MetricTarget{
					Type:               autoscalingv2.UtilizationMetricType,
					AverageUtilization: ptr.To[int32](80), // upstream autoscaling.DefaultCPUUtilization
				},
			},
		}}
	}
	if b := spec.Behavior; b != nil {
		b.ScaleUp = mergeScalingRules(b.ScaleUp, defaultScaleUpRules())
		b.ScaleDown = mergeScalingRules(b.ScaleDown, defaultScaleDownRules())
	}
}

// defaultScaleUpRules is the scale-up behavior of an HPA without one: no
// stabilization, and per 15s the larger of 4 pods and 100%.
func defaultScaleUpRules() *autoscalingv2.HPAScalingRules {
	return &autoscalingv2.HPAScalingRules{
		StabilizationWindowSeconds: ptr.To[int32](0),
		SelectPolicy:               ptr.To(autoscalingv2.MaxChangePolicySelect),
		Policies: []autoscalingv2.HPAScalingPolicy{
			{Type: autoscalingv2.PodsScalingPolicy, Value: 4, PeriodSeconds: 15},
			{Type: autoscalingv2.PercentScalingPolicy, Value: 100, PeriodSeconds: 15},
		},
	}
}

// defaultScaleDownRules is the scale-down behavior of an HPA without one:
// 100% per 15s. Its stabilization window stays unset because the controller's
// --horizontal-pod-autoscaler-downscale-stabilization flag supplies it.
func defaultScaleDownRules() *autoscalingv2.HPAScalingRules {
	return &autoscalingv2.HPAScalingRules{
		SelectPolicy: ptr.To(autoscalingv2.MaxChangePolicySelect),
		Policies: []autoscalingv2.HPAScalingPolicy{
			{Type: autoscalingv2.PercentScalingPolicy, Value: 100, PeriodSeconds: 15},
		},
	}
}

// mergeScalingRules returns def with every field set in rules copied over.
func mergeScalingRules(rules, def *autoscalingv2.HPAScalingRules) *autoscalingv2.HPAScalingRules {
	if rules == nil {
		return def
	}
	if rules.SelectPolicy != nil {
		def.SelectPolicy = rules.SelectPolicy
	}
	if rules.StabilizationWindowSeconds != nil {
		def.StabilizationWindowSeconds = rules.StabilizationWindowSeconds
	}
	if rules.Policies != nil {
		def.Policies = rules.Policies
	}
	if rules.Tolerance != nil {
		def.Tolerance = rules.Tolerance
	}
	return def
}
