package validation_test

import (
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

func validHPA() *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			MinReplicas:    ptr.To[int32](1),
			MaxReplicas:    5,
			Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
				Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](80)},
			}}},
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleDown: &autoscalingv2.HPAScalingRules{
				StabilizationWindowSeconds: ptr.To[int32](300),
				SelectPolicy:               ptr.To(autoscalingv2.MaxChangePolicySelect),
				Policies:                   []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PercentScalingPolicy, Value: 100, PeriodSeconds: 15}},
			}},
		},
	}
}

func TestHorizontalPodAutoscaler(t *testing.T) {
	t.Parallel()
	runGroupCases(t, validHPA, validation.HorizontalPodAutoscaler, []groupCase[*autoscalingv2.HorizontalPodAutoscaler]{
		{"max below min", func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.MinReplicas = ptr.To[int32](6) },
			[]string{"spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`"}},
		{"no maxReplicas", func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.MaxReplicas = 0 },
			[]string{"spec.maxReplicas: Required value: must be set and greater than 0", "spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`"}},
		{"negative minReplicas", func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.MinReplicas = ptr.To[int32](-1) },
			[]string{"spec.minReplicas: Invalid value: -1: must be greater than or equal to 0"}},
		{"scale to zero on CPU", func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.MinReplicas = ptr.To[int32](0) },
			[]string{"spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas"}},
		{"target without group", func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.ScaleTargetRef.APIVersion = "v1" },
			[]string{`spec.scaleTargetRef.apiVersion: Invalid value: "v1": apiVersion must specify API group`}},
		{"target without kind and name", func(h *autoscalingv2.HorizontalPodAutoscaler) {
			h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name = "", ""
		},
			[]string{"spec.scaleTargetRef.kind: Required value", "spec.scaleTargetRef.name: Required value"}},
		{"resource metric without target", func(h *autoscalingv2.HorizontalPodAutoscaler) {
			h.Spec.Metrics[0].Resource.Target = autoscalingv2.MetricTarget{}
		},
			[]string{
				"spec.metrics[0].resource.target.type: Required value: must specify a metric target type",
				`spec.metrics[0].resource.target.type: Invalid value: "": must be either Utilization, Value, or AverageValue`,
				"spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization",
			}},
		{"type without its source", func(h *autoscalingv2.HorizontalPodAutoscaler) {
			h.Spec.Metrics[0].Type = autoscalingv2.PodsMetricSourceType
		},
			[]string{"spec.metrics[0].pods: Required value: must populate information for the given metric source"}},
		{"two sources", func(h *autoscalingv2.HorizontalPodAutoscaler) {
			h.Spec.Metrics[0].External = &autoscalingv2.ExternalMetricSource{Metric: autoscalingv2.MetricIdentifier{Name: "queue"},
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType, Value: ptr.To(resource.MustParse("10"))}}
		}, []string{"spec.metrics[0].external: Forbidden: must populate the given metric source only"}},
		{"unknown metric type", func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.Metrics[0].Type = "Custom" },
			[]string{
				// upstream reports the type twice.
				`spec.metrics[0].type: Unsupported value: "Custom": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"`,
				`spec.metrics[0].type: Unsupported value: "Custom": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"`,
			}},
		{"container resource", func(h *autoscalingv2.HorizontalPodAutoscaler) {
			h.Spec.Metrics[0] = autoscalingv2.MetricSpec{Type: autoscalingv2.ContainerResourceMetricSourceType, ContainerResource: &autoscalingv2.ContainerResourceMetricSource{
				Name: "pods", Container: "App", Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: ptr.To(resource.MustParse("-1"))},
			}}
		}, []string{
			`spec.metrics[0].containerResource.name: Invalid value: "pods": must be a standard resource for containers`,
			`spec.metrics[0].containerResource.container: Invalid value: "App": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
			`spec.metrics[0].containerResource.target.averageValue: Invalid value: "-1": must be positive`,
		}},
		{"behavior policies", func(h *autoscalingv2.HorizontalPodAutoscaler) {
			r := h.Spec.Behavior.ScaleDown
			r.StabilizationWindowSeconds = ptr.To[int32](4000)
			r.SelectPolicy = ptr.To(autoscalingv2.ScalingPolicySelect("Any"))
			r.Policies[0] = autoscalingv2.HPAScalingPolicy{Type: "Nodes", PeriodSeconds: 2000}
		}, []string{
			"spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600",
			`spec.behavior.scaleDown.selectPolicy: Unsupported value: "Any": supported values: "Disabled", "Max", "Min"`,
			`spec.behavior.scaleDown.policies[0].type: Unsupported value: "Nodes": supported values: "Percent", "Pods"`,
			"spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero",
			"spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 2000: must be less than or equal to 1800",
		}},
		{"no policies", func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.Behavior.ScaleDown.Policies = nil },
			[]string{"spec.behavior.scaleDown.policies: Required value: must specify at least one Policy"}},
	})

	// scaling to zero on an external metric is allowed (HPAScaleToZero is on).
	zero := validHPA()
	zero.Spec.MinReplicas = ptr.To[int32](0)
	zero.Spec.Metrics = []autoscalingv2.MetricSpec{{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricSource{
		Metric: autoscalingv2.MetricIdentifier{Name: "queue"}, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: ptr.To(resource.MustParse("10"))},
	}}}
	assertErrors(t, validation.HorizontalPodAutoscaler(zero), nil)

	// an unchanged target's invalid apiVersion may stay.
	old := validHPA()
	old.Spec.ScaleTargetRef.APIVersion = "v1"
	update := old.DeepCopy()
	update.Spec.MaxReplicas = 7
	assertErrors(t, validation.HorizontalPodAutoscalerUpdate(update, old), nil)

	status := validHPA()
	status.Status.DesiredReplicas = -2
	assertErrors(t, validation.HorizontalPodAutoscalerStatusUpdate(status, validHPA()), []string{"status.desiredReplicas: Invalid value: -2: must be greater than or equal to 0"})
}
