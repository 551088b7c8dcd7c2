package conversion

import (
	"encoding/json"
	"fmt"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Annotations under which autoscaling/v1 carries the HorizontalPodAutoscaler
// fields it has no field for, with upstream's keys
// (k8s.io/kubernetes/pkg/apis/autoscaling/annotations.go).
const (
	// MetricSpecsAnnotation holds spec.metrics, as a JSON []autoscaling/v1
	// MetricSpec, less the CPU-utilization targets that v1 has
	// spec.targetCPUUtilizationPercentage for.
	MetricSpecsAnnotation = "autoscaling.alpha.kubernetes.io/metrics"
	// MetricStatusesAnnotation holds all of status.currentMetrics, as a JSON
	// []autoscaling/v1 MetricStatus, CPU included.
	MetricStatusesAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics"
	// HorizontalPodAutoscalerConditionsAnnotation holds status.conditions, as a
	// JSON []autoscaling/v1 HorizontalPodAutoscalerCondition.
	HorizontalPodAutoscalerConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions"
	// BehaviorSpecsAnnotation holds spec.behavior, encoded as upstream encodes
	// its internal type: Go field names, no omitempty, e.g.
	// {"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":60,"SelectPolicy":null,"Policies":null,"Tolerance":null}}.
	BehaviorSpecsAnnotation = "autoscaling.alpha.kubernetes.io/behavior"
	// ToleranceScaleDownAnnotation and ToleranceScaleUpAnnotation are not
	// written by the v1 conversion (tolerance travels inside
	// BehaviorSpecsAnnotation) but are dropped with the others, as upstream
	// does.
	ToleranceScaleDownAnnotation = "autoscaling.alpha.kubernetes.io/scale-down-tolerance"
	ToleranceScaleUpAnnotation   = "autoscaling.alpha.kubernetes.io/scale-up-tolerance"
)

// defaultCPUUtilization is the target a v1 HPA without any metric gets on
// conversion (upstream autoscaling.DefaultCPUUtilization).
const defaultCPUUtilization = 80

var roundTripAnnotations = []string{
	MetricSpecsAnnotation,
	BehaviorSpecsAnnotation,
	ToleranceScaleDownAnnotation,
	ToleranceScaleUpAnnotation,
	MetricStatusesAnnotation,
	HorizontalPodAutoscalerConditionsAnnotation,
}

// DropRoundTripAnnotations returns annotations without the keys v1 uses to
// round-trip v2 fields. It never modifies its argument: when a key is present
// it returns a copy, otherwise the argument itself.
//
// Upstream applies this when an HPA converts from autoscaling/v2 to internal;
// memkube's v2 is its internal version and converts by copying, so a v2
// strategy must call it to store what kube-apiserver stores.
func DropRoundTripAnnotations(annotations map[string]string) map[string]string {
	out, _ := dropRoundTripAnnotations(annotations)
	return out
}

// dropRoundTripAnnotations is upstream's
// DropRoundTripHorizontalPodAutoscalerAnnotations: copied reports whether out
// is a fresh copy the caller may write to.
func dropRoundTripAnnotations(in map[string]string) (out map[string]string, copied bool) {
	for _, key := range roundTripAnnotations {
		if _, ok := in[key]; !ok {
			continue
		}
		out = copyAnnotations(in)
		for _, key := range roundTripAnnotations {
			delete(out, key)
		}
		return out, true
	}
	return in, false
}

// copyAnnotations copies in; unlike maps.Clone it returns an empty map for
// nil, so the result can be written to.
func copyAnnotations(in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// horizontalPodAutoscalerV2ToV1 is upstream's
// Convert_autoscaling_HorizontalPodAutoscaler_To_v1_HorizontalPodAutoscaler:
// the first CPU-utilization target becomes spec.targetCPUUtilizationPercentage
// and the rest of spec.metrics, all of status.currentMetrics, spec.behavior and
// status.conditions go to annotations, replacing any stale ones in the input.
// Every CPU-utilization target is left out of the metrics annotation, so a
// second one is lost (as upstream).
func horizontalPodAutoscalerV2ToV1(in *autoscalingv2.HorizontalPodAutoscaler, out *autoscalingv1.HorizontalPodAutoscaler) error {
	out.ObjectMeta = in.ObjectMeta
	specV2ToV1(&in.Spec, &out.Spec)
	statusV2ToV1(&in.Status, &out.Status)

	// Drop stale round-trip annotations so the only ones set are those produced here.
	annotations, copied := dropRoundTripAnnotations(out.Annotations)
	out.Annotations = annotations
	annotate := func(key string, v any) error {
		enc, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode annotation %s: %w", key, err)
		}
		if !copied { // the map may be the input's
			out.Annotations = copyAnnotations(out.Annotations)
			copied = true
		}
		out.Annotations[key] = string(enc)
		return nil
	}

	otherMetrics := make([]autoscalingv1.MetricSpec, 0, len(in.Spec.Metrics))
	for i := range in.Spec.Metrics {
		if isCPUUtilizationTarget(&in.Spec.Metrics[i]) {
			continue
		}
		otherMetrics = append(otherMetrics, metricSpecV2ToV1(&in.Spec.Metrics[i]))
	}
	// Every status, CPU utilization included, is kept: v1's
	// currentCPUUtilizationPercentage cannot hold the raw value.
	currentMetrics := make([]autoscalingv1.MetricStatus, len(in.Status.CurrentMetrics))
	for i := range in.Status.CurrentMetrics {
		currentMetrics[i] = metricStatusV2ToV1(&in.Status.CurrentMetrics[i])
	}
	conditions := make([]autoscalingv1.HorizontalPodAutoscalerCondition, len(in.Status.Conditions))
	for i := range in.Status.Conditions {
		conditions[i] = conditionV2ToV1(&in.Status.Conditions[i])
	}

	if len(otherMetrics) > 0 {
		if err := annotate(MetricSpecsAnnotation, otherMetrics); err != nil {
			return err
		}
	}
	if len(currentMetrics) > 0 {
		if err := annotate(MetricStatusesAnnotation, currentMetrics); err != nil {
			return err
		}
	}
	if in.Spec.Behavior != nil {
		if err := annotate(BehaviorSpecsAnnotation, behaviorToAnnotation(in.Spec.Behavior)); err != nil {
			return err
		}
	}
	if len(conditions) > 0 {
		if err := annotate(HorizontalPodAutoscalerConditionsAnnotation, conditions); err != nil {
			return err
		}
	}
	return nil
}

// horizontalPodAutoscalerV1ToV2 is upstream's
// Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler:
// spec.metrics is the metrics annotation followed by the
// targetCPUUtilizationPercentage target, or a CPU-utilization target of 80%
// when both are absent; status.currentMetrics comes from its annotation when
// present (it has more than currentCPUUtilizationPercentage); behavior and
// conditions come from theirs. An annotation that does not decode is ignored.
// The round-trip annotations are dropped from the result.
func horizontalPodAutoscalerV1ToV2(in *autoscalingv1.HorizontalPodAutoscaler, out *autoscalingv2.HorizontalPodAutoscaler) error {
	out.ObjectMeta = in.ObjectMeta
	specV1ToV2(&in.Spec, &out.Spec)
	statusV1ToV2(&in.Status, &out.Status)

	if enc, ok := out.Annotations[MetricSpecsAnnotation]; ok {
		var otherMetrics []autoscalingv1.MetricSpec
		if err := json.Unmarshal([]byte(enc), &otherMetrics); err == nil {
			// The spec conversion set at most the CPU target; it goes last.
			metrics := make([]autoscalingv2.MetricSpec, len(otherMetrics), len(otherMetrics)+len(out.Spec.Metrics))
			for i := range otherMetrics {
				metrics[i] = metricSpecV1ToV2(&otherMetrics[i])
			}
			if out.Spec.Metrics != nil {
				metrics = append(metrics, out.Spec.Metrics[0])
			}
			out.Spec.Metrics = metrics
		}
	}

	if enc, ok := out.Annotations[BehaviorSpecsAnnotation]; ok {
		var behavior behaviorAnnotation
		if err := json.Unmarshal([]byte(enc), &behavior); err == nil && behavior != (behaviorAnnotation{}) {
			out.Spec.Behavior = behaviorFromAnnotation(&behavior)
		}
	}

	if enc, ok := out.Annotations[MetricStatusesAnnotation]; ok {
		var currentMetrics []autoscalingv1.MetricStatus
		if err := json.Unmarshal([]byte(enc), &currentMetrics); err == nil {
			out.Status.CurrentMetrics = make([]autoscalingv2.MetricStatus, len(currentMetrics))
			for i := range currentMetrics {
				out.Status.CurrentMetrics[i] = metricStatusV1ToV2(&currentMetrics[i])
			}
		}
	}

	// autoscaling/v1 once defaulted CPU utilization in the controller; v2 makes
	// it explicit, here, where the metrics annotation has been seen.
	if len(out.Spec.Metrics) == 0 {
		out.Spec.Metrics = []autoscalingv2.MetricSpec{cpuUtilizationTarget(defaultCPUUtilization)}
	}

	if enc, ok := out.Annotations[HorizontalPodAutoscalerConditionsAnnotation]; ok {
		var conditions []autoscalingv1.HorizontalPodAutoscalerCondition
		if err := json.Unmarshal([]byte(enc), &conditions); err == nil {
			out.Status.Conditions = make([]autoscalingv2.HorizontalPodAutoscalerCondition, len(conditions))
			for i := range conditions {
				out.Status.Conditions[i] = conditionV1ToV2(&conditions[i])
			}
		}
	}

	out.Annotations, _ = dropRoundTripAnnotations(out.Annotations)
	return nil
}

// horizontalPodAutoscalerListV2ToV1 converts each item with
// horizontalPodAutoscalerV2ToV1; a nil Items stays nil.
func horizontalPodAutoscalerListV2ToV1(in *autoscalingv2.HorizontalPodAutoscalerList, out *autoscalingv1.HorizontalPodAutoscalerList) error {
	out.ListMeta = in.ListMeta
	out.Items = nil
	if in.Items == nil {
		return nil
	}
	out.Items = make([]autoscalingv1.HorizontalPodAutoscaler, len(in.Items))
	for i := range in.Items {
		if err := horizontalPodAutoscalerV2ToV1(&in.Items[i], &out.Items[i]); err != nil {
			return err
		}
	}
	return nil
}

// horizontalPodAutoscalerListV1ToV2 converts each item with
// horizontalPodAutoscalerV1ToV2; a nil Items stays nil.
func horizontalPodAutoscalerListV1ToV2(in *autoscalingv1.HorizontalPodAutoscalerList, out *autoscalingv2.HorizontalPodAutoscalerList) error {
	out.ListMeta = in.ListMeta
	out.Items = nil
	if in.Items == nil {
		return nil
	}
	out.Items = make([]autoscalingv2.HorizontalPodAutoscaler, len(in.Items))
	for i := range in.Items {
		if err := horizontalPodAutoscalerV1ToV2(&in.Items[i], &out.Items[i]); err != nil {
			return err
		}
	}
	return nil
}

// specV2ToV1 sets targetCPUUtilizationPercentage from the first
// CPU-utilization target. Like upstream it leaves that field alone when there
// is none, which matters only for an out that is not zero.
func specV2ToV1(in *autoscalingv2.HorizontalPodAutoscalerSpec, out *autoscalingv1.HorizontalPodAutoscalerSpec) {
	out.ScaleTargetRef = autoscalingv1.CrossVersionObjectReference(in.ScaleTargetRef)
	out.MinReplicas = in.MinReplicas
	out.MaxReplicas = in.MaxReplicas
	for i := range in.Metrics {
		if isCPUUtilizationTarget(&in.Metrics[i]) {
			utilization := *in.Metrics[i].Resource.Target.AverageUtilization
			out.TargetCPUUtilizationPercentage = &utilization
			break
		}
	}
}

func specV1ToV2(in *autoscalingv1.HorizontalPodAutoscalerSpec, out *autoscalingv2.HorizontalPodAutoscalerSpec) {
	out.ScaleTargetRef = autoscalingv2.CrossVersionObjectReference(in.ScaleTargetRef)
	out.MinReplicas = in.MinReplicas
	out.MaxReplicas = in.MaxReplicas
	if in.TargetCPUUtilizationPercentage != nil {
		out.Metrics = []autoscalingv2.MetricSpec{cpuUtilizationTarget(*in.TargetCPUUtilizationPercentage)}
	}
}

// statusV2ToV1 sets currentCPUUtilizationPercentage from the last CPU status
// with a utilization (upstream does not stop at the first).
func statusV2ToV1(in *autoscalingv2.HorizontalPodAutoscalerStatus, out *autoscalingv1.HorizontalPodAutoscalerStatus) {
	out.ObservedGeneration = in.ObservedGeneration
	out.LastScaleTime = in.LastScaleTime
	out.CurrentReplicas = in.CurrentReplicas
	out.DesiredReplicas = in.DesiredReplicas
	for _, metric := range in.CurrentMetrics {
		if metric.Type == autoscalingv2.ResourceMetricSourceType && metric.Resource != nil &&
			metric.Resource.Name == corev1.ResourceCPU && metric.Resource.Current.AverageUtilization != nil {
			utilization := *metric.Resource.Current.AverageUtilization
			out.CurrentCPUUtilizationPercentage = &utilization
		}
	}
}

func statusV1ToV2(in *autoscalingv1.HorizontalPodAutoscalerStatus, out *autoscalingv2.HorizontalPodAutoscalerStatus) {
	out.ObservedGeneration = in.ObservedGeneration
	out.LastScaleTime = in.LastScaleTime
	out.CurrentReplicas = in.CurrentReplicas
	out.DesiredReplicas = in.DesiredReplicas
	if in.CurrentCPUUtilizationPercentage != nil {
		utilization := *in.CurrentCPUUtilizationPercentage
		out.CurrentMetrics = []autoscalingv2.MetricStatus{{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricStatus{
				Name:    corev1.ResourceCPU,
				Current: autoscalingv2.MetricValueStatus{AverageUtilization: &utilization},
			},
		}}
	}
}

// isCPUUtilizationTarget reports whether m is what v1's
// targetCPUUtilizationPercentage expresses.
func isCPUUtilizationTarget(m *autoscalingv2.MetricSpec) bool {
	return m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil &&
		m.Resource.Name == corev1.ResourceCPU && m.Resource.Target.AverageUtilization != nil
}

func cpuUtilizationTarget(utilization int32) autoscalingv2.MetricSpec {
	return autoscalingv2.MetricSpec{
		Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{
			Name: corev1.ResourceCPU,
			Target: autoscalingv2.MetricTarget{
				Type:               autoscalingv2.UtilizationMetricType,
				AverageUtilization: &utilization,
			},
		},
	}
}

// metricSpecV2ToV1 flattens a v2 MetricTarget into v1's per-source fields. A
// v2 target's type is not kept; metricSpecV1ToV2 infers it again.
func metricSpecV2ToV1(in *autoscalingv2.MetricSpec) autoscalingv1.MetricSpec {
	out := autoscalingv1.MetricSpec{Type: autoscalingv1.MetricSourceType(in.Type)}
	if in := in.Object; in != nil {
		out.Object = &autoscalingv1.ObjectMetricSource{
			Target:       autoscalingv1.CrossVersionObjectReference(in.DescribedObject),
			MetricName:   in.Metric.Name,
			Selector:     in.Metric.Selector,
			AverageValue: in.Target.AverageValue,
		}
		if in.Target.Value != nil {
			out.Object.TargetValue = *in.Target.Value
		}
	}
	if in := in.Pods; in != nil {
		out.Pods = &autoscalingv1.PodsMetricSource{
			MetricName: in.Metric.Name,
			Selector:   in.Metric.Selector,
		}
		if in.Target.AverageValue != nil {
			out.Pods.TargetAverageValue = *in.Target.AverageValue
		}
	}
	if in := in.Resource; in != nil {
		out.Resource = &autoscalingv1.ResourceMetricSource{
			Name:                     in.Name,
			TargetAverageUtilization: in.Target.AverageUtilization,
			TargetAverageValue:       in.Target.AverageValue,
		}
	}
	if in := in.ContainerResource; in != nil {
		out.ContainerResource = &autoscalingv1.ContainerResourceMetricSource{
			Name:                     in.Name,
			TargetAverageUtilization: in.Target.AverageUtilization,
			TargetAverageValue:       in.Target.AverageValue,
			Container:                in.Container,
		}
	}
	if in := in.External; in != nil {
		out.External = &autoscalingv1.ExternalMetricSource{
			MetricName:         in.Metric.Name,
			MetricSelector:     in.Metric.Selector,
			TargetValue:        in.Target.Value,
			TargetAverageValue: in.Target.AverageValue,
		}
	}
	return out
}

// metricSpecV1ToV2 infers each target's type from which v1 fields are set.
func metricSpecV1ToV2(in *autoscalingv1.MetricSpec) autoscalingv2.MetricSpec {
	out := autoscalingv2.MetricSpec{Type: autoscalingv2.MetricSourceType(in.Type)}
	if in := in.Object; in != nil {
		target := autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType, AverageValue: in.AverageValue}
		if in.AverageValue == nil {
			target.Value = quantity(in.TargetValue)
		} else {
			target.Type = autoscalingv2.AverageValueMetricType
			// v1 cannot omit targetValue and sends "0", which would fail
			// validation on the way back; keep it only when not zero.
			if !in.TargetValue.IsZero() {
				target.Value = quantity(in.TargetValue)
			}
		}
		out.Object = &autoscalingv2.ObjectMetricSource{
			DescribedObject: autoscalingv2.CrossVersionObjectReference(in.Target),
			Target:          target,
			Metric:          autoscalingv2.MetricIdentifier{Name: in.MetricName, Selector: in.Selector},
		}
	}
	if in := in.Pods; in != nil {
		out.Pods = &autoscalingv2.PodsMetricSource{
			Metric: autoscalingv2.MetricIdentifier{Name: in.MetricName, Selector: in.Selector},
			Target: autoscalingv2.MetricTarget{
				Type:         autoscalingv2.AverageValueMetricType,
				AverageValue: quantity(in.TargetAverageValue),
			},
		}
	}
	if in := in.Resource; in != nil {
		out.Resource = &autoscalingv2.ResourceMetricSource{
			Name:   in.Name,
			Target: resourceTarget(in.TargetAverageUtilization, in.TargetAverageValue),
		}
	}
	if in := in.ContainerResource; in != nil {
		out.ContainerResource = &autoscalingv2.ContainerResourceMetricSource{
			Name:      in.Name,
			Target:    resourceTarget(in.TargetAverageUtilization, in.TargetAverageValue),
			Container: in.Container,
		}
	}
	if in := in.External; in != nil {
		target := autoscalingv2.MetricTarget{
			Type:         autoscalingv2.ValueMetricType,
			Value:        in.TargetValue,
			AverageValue: in.TargetAverageValue,
		}
		if in.TargetValue == nil {
			target.Type = autoscalingv2.AverageValueMetricType
		}
		out.External = &autoscalingv2.ExternalMetricSource{
			Metric: autoscalingv2.MetricIdentifier{Name: in.MetricName, Selector: in.MetricSelector},
			Target: target,
		}
	}
	return out
}

// resourceTarget is the target of a v1 (container) resource metric: a
// utilization when one is given, an average value otherwise.
func resourceTarget(utilization *int32, averageValue *resource.Quantity) autoscalingv2.MetricTarget {
	target := autoscalingv2.MetricTarget{
		Type:               autoscalingv2.AverageValueMetricType,
		AverageValue:       averageValue,
		AverageUtilization: utilization,
	}
	if utilization != nil {
		target.Type = autoscalingv2.UtilizationMetricType
	}
	return target
}

func metricStatusV2ToV1(in *autoscalingv2.MetricStatus) autoscalingv1.MetricStatus {
	out := autoscalingv1.MetricStatus{Type: autoscalingv1.MetricSourceType(in.Type)}
	if in := in.Object; in != nil {
		out.Object = &autoscalingv1.ObjectMetricStatus{
			Target:       autoscalingv1.CrossVersionObjectReference(in.DescribedObject),
			MetricName:   in.Metric.Name,
			Selector:     in.Metric.Selector,
			AverageValue: in.Current.AverageValue,
		}
		if in.Current.Value != nil {
			out.Object.CurrentValue = *in.Current.Value
		}
	}
	if in := in.Pods; in != nil {
		out.Pods = &autoscalingv1.PodsMetricStatus{
			MetricName: in.Metric.Name,
			Selector:   in.Metric.Selector,
		}
		if in.Current.AverageValue != nil {
			out.Pods.CurrentAverageValue = *in.Current.AverageValue
		}
	}
	if in := in.Resource; in != nil {
		out.Resource = &autoscalingv1.ResourceMetricStatus{
			Name:                      in.Name,
			CurrentAverageUtilization: in.Current.AverageUtilization,
		}
		if in.Current.AverageValue != nil {
			out.Resource.CurrentAverageValue = *in.Current.AverageValue
		}
	}
	if in := in.ContainerResource; in != nil {
		out.ContainerResource = &autoscalingv1.ContainerResourceMetricStatus{
			Name:                      in.Name,
			CurrentAverageUtilization: in.Current.AverageUtilization,
			Container:                 in.Container,
		}
		if in.Current.AverageValue != nil {
			out.ContainerResource.CurrentAverageValue = *in.Current.AverageValue
		}
	}
	if in := in.External; in != nil {
		out.External = &autoscalingv1.ExternalMetricStatus{
			MetricName:          in.Metric.Name,
			MetricSelector:      in.Metric.Selector,
			CurrentAverageValue: in.Current.AverageValue,
		}
		if in.Current.Value != nil {
			out.External.CurrentValue = *in.Current.Value
		}
	}
	return out
}

// metricStatusV1ToV2 sets every value v1 cannot omit (currentValue,
// currentAverageValue), even when it is zero, as upstream does.
func metricStatusV1ToV2(in *autoscalingv1.MetricStatus) autoscalingv2.MetricStatus {
	out := autoscalingv2.MetricStatus{Type: autoscalingv2.MetricSourceType(in.Type)}
	if in := in.Object; in != nil {
		out.Object = &autoscalingv2.ObjectMetricStatus{
			Metric:          autoscalingv2.MetricIdentifier{Name: in.MetricName, Selector: in.Selector},
			Current:         autoscalingv2.MetricValueStatus{Value: quantity(in.CurrentValue), AverageValue: in.AverageValue},
			DescribedObject: autoscalingv2.CrossVersionObjectReference(in.Target),
		}
	}
	if in := in.Pods; in != nil {
		out.Pods = &autoscalingv2.PodsMetricStatus{
			Metric:  autoscalingv2.MetricIdentifier{Name: in.MetricName, Selector: in.Selector},
			Current: autoscalingv2.MetricValueStatus{AverageValue: quantity(in.CurrentAverageValue)},
		}
	}
	if in := in.Resource; in != nil {
		out.Resource = &autoscalingv2.ResourceMetricStatus{
			Name: in.Name,
			Current: autoscalingv2.MetricValueStatus{
				AverageValue:       quantity(in.CurrentAverageValue),
				AverageUtilization: in.CurrentAverageUtilization,
			},
		}
	}
	if in := in.ContainerResource; in != nil {
		out.ContainerResource = &autoscalingv2.ContainerResourceMetricStatus{
			Name: in.Name,
			Current: autoscalingv2.MetricValueStatus{
				AverageValue:       quantity(in.CurrentAverageValue),
				AverageUtilization: in.CurrentAverageUtilization,
			},
			Container: in.Container,
		}
	}
	if in := in.External; in != nil {
		out.External = &autoscalingv2.ExternalMetricStatus{
			Metric:  autoscalingv2.MetricIdentifier{Name: in.MetricName, Selector: in.MetricSelector},
			Current: autoscalingv2.MetricValueStatus{Value: quantity(in.CurrentValue), AverageValue: in.CurrentAverageValue},
		}
	}
	return out
}

// quantity returns a pointer to a copy of q. Upstream points into its input
// instead; a copy is equal and keeps out from aliasing a value field of in.
func quantity(q resource.Quantity) *resource.Quantity { return &q }

func conditionV2ToV1(in *autoscalingv2.HorizontalPodAutoscalerCondition) autoscalingv1.HorizontalPodAutoscalerCondition {
	return autoscalingv1.HorizontalPodAutoscalerCondition{
		Type:               autoscalingv1.HorizontalPodAutoscalerConditionType(in.Type),
		Status:             in.Status,
		LastTransitionTime: in.LastTransitionTime,
		Reason:             in.Reason,
		Message:            in.Message,
		ObservedGeneration: in.ObservedGeneration,
	}
}

func conditionV1ToV2(in *autoscalingv1.HorizontalPodAutoscalerCondition) autoscalingv2.HorizontalPodAutoscalerCondition {
	return autoscalingv2.HorizontalPodAutoscalerCondition{
		Type:               autoscalingv2.HorizontalPodAutoscalerConditionType(in.Type),
		Status:             in.Status,
		LastTransitionTime: in.LastTransitionTime,
		Reason:             in.Reason,
		Message:            in.Message,
		ObservedGeneration: in.ObservedGeneration,
	}
}

// behaviorAnnotation mirrors upstream's internal
// autoscaling.HorizontalPodAutoscalerBehavior, which has no JSON tags:
// upstream marshals that type into BehaviorSpecsAnnotation, so the mirror
// keeps its field names and order and omits nothing. Decoding is
// case-insensitive, as upstream's is.
type behaviorAnnotation struct {
	ScaleUp   *scalingRulesAnnotation
	ScaleDown *scalingRulesAnnotation
}

type scalingRulesAnnotation struct {
	StabilizationWindowSeconds *int32
	SelectPolicy               *autoscalingv2.ScalingPolicySelect
	Policies                   []scalingPolicyAnnotation
	Tolerance                  *resource.Quantity
}

type scalingPolicyAnnotation struct {
	Type          autoscalingv2.HPAScalingPolicyType
	Value         int32
	PeriodSeconds int32
}

func behaviorToAnnotation(in *autoscalingv2.HorizontalPodAutoscalerBehavior) behaviorAnnotation {
	return behaviorAnnotation{ScaleUp: rulesToAnnotation(in.ScaleUp), ScaleDown: rulesToAnnotation(in.ScaleDown)}
}

func rulesToAnnotation(in *autoscalingv2.HPAScalingRules) *scalingRulesAnnotation {
	if in == nil {
		return nil
	}
	out := &scalingRulesAnnotation{
		StabilizationWindowSeconds: in.StabilizationWindowSeconds,
		SelectPolicy:               in.SelectPolicy,
		Tolerance:                  in.Tolerance,
	}
	if in.Policies != nil {
		out.Policies = make([]scalingPolicyAnnotation, len(in.Policies))
		for i, p := range in.Policies {
			out.Policies[i] = scalingPolicyAnnotation(p)
		}
	}
	return out
}

func behaviorFromAnnotation(in *behaviorAnnotation) *autoscalingv2.HorizontalPodAutoscalerBehavior {
	return &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleUp: rulesFromAnnotation(in.ScaleUp), ScaleDown: rulesFromAnnotation(in.ScaleDown)}
}

func rulesFromAnnotation(in *scalingRulesAnnotation) *autoscalingv2.HPAScalingRules {
	if in == nil {
		return nil
	}
	out := &autoscalingv2.HPAScalingRules{
		StabilizationWindowSeconds: in.StabilizationWindowSeconds,
		SelectPolicy:               in.SelectPolicy,
		Tolerance:                  in.Tolerance,
	}
	if in.Policies != nil {
		out.Policies = make([]autoscalingv2.HPAScalingPolicy, len(in.Policies))
		for i, p := range in.Policies {
			out.Policies[i] = autoscalingv2.HPAScalingPolicy(p)
		}
	}
	return out
}
