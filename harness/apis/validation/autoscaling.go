package validation

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Upstream's bounds on scaling behavior.
const (
	maxPeriodSeconds              int32 = 1800
	maxStabilizationWindowSeconds int32 = 3600
)

var (
	validSelectPolicies = sets.New(string(autoscalingv2.MaxChangePolicySelect), string(autoscalingv2.MinChangePolicySelect), string(autoscalingv2.DisabledPolicySelect))
	validScalingPolicy  = sets.New(string(autoscalingv2.PodsScalingPolicy), string(autoscalingv2.PercentScalingPolicy))
	validMetricSources  = sets.New(string(autoscalingv2.ObjectMetricSourceType), string(autoscalingv2.PodsMetricSourceType),
		string(autoscalingv2.ResourceMetricSourceType), string(autoscalingv2.ExternalMetricSourceType), string(autoscalingv2.ContainerResourceMetricSourceType))
)

// crossVersionRefOptions are upstream's
// CrossVersionObjectReferenceValidationOptions.
type crossVersionRefOptions struct {
	allowEmptyAPIGroup, allowInvalidAPIVersion bool
}

// hpaOptions are upstream's HorizontalPodAutoscalerSpecValidationOptions.
// HPAScaleToZero is beta and on in v1.37, so minReplicas may be 0 (with an
// Object or External metric).
type hpaOptions struct {
	scaleTargetRef, objectMetrics crossVersionRefOptions
}

// HorizontalPodAutoscaler validates the stored autoscaling/v2 object (v1
// converts to it), as upstream's ValidateHorizontalPodAutoscaler validates
// its internal one.
func HorizontalPodAutoscaler(hpa *autoscalingv2.HorizontalPodAutoscaler) field.ErrorList {
	return hpaSpec(&hpa.Spec, hpaValidationOptions(hpa, nil), field.NewPath("spec"))
}

// HorizontalPodAutoscalerUpdate is upstream's
// ValidateHorizontalPodAutoscalerUpdate: an unchanged target's apiVersion,
// and an object metric's invalid apiVersion the stored HPA had, may stay.
func HorizontalPodAutoscalerUpdate(hpa, old *autoscalingv2.HorizontalPodAutoscaler) field.ErrorList {
	return hpaSpec(&hpa.Spec, hpaValidationOptions(hpa, old), field.NewPath("spec"))
}

// HorizontalPodAutoscalerStatusUpdate is upstream's
// ValidateHorizontalPodAutoscalerStatusUpdate.
func HorizontalPodAutoscalerStatusUpdate(hpa, _ *autoscalingv2.HorizontalPodAutoscaler) field.ErrorList {
	var errs field.ErrorList
	for i, c := range hpa.Status.Conditions {
		if c.ObservedGeneration != nil {
			errs = append(errs, nonNegative(*c.ObservedGeneration, field.NewPath("status").Child("conditions").Index(i).Child("observedGeneration"))...)
		}
	}
	errs = append(errs, nonNegative(int64(hpa.Status.CurrentReplicas), field.NewPath("status", "currentReplicas"))...)
	return append(errs, nonNegative(int64(hpa.Status.DesiredReplicas), field.NewPath("status", "desiredReplicas"))...)
}

func hpaValidationOptions(hpa, old *autoscalingv2.HorizontalPodAutoscaler) hpaOptions {
	opts := hpaOptions{objectMetrics: crossVersionRefOptions{allowEmptyAPIGroup: true}}
	switch {
	case old != nil && old.Spec.ScaleTargetRef.APIVersion == hpa.Spec.ScaleTargetRef.APIVersion && old.Spec.ScaleTargetRef.Kind == hpa.Spec.ScaleTargetRef.Kind:
		opts.scaleTargetRef.allowInvalidAPIVersion = true
	case hpa.Spec.ScaleTargetRef.Kind == "ReplicationController":
		opts.scaleTargetRef.allowEmptyAPIGroup = true
	}
	if old != nil {
		for _, m := range old.Spec.Metrics {
			if m.Type == autoscalingv2.ObjectMetricSourceType && m.Object != nil && refAPIVersion(m.Object.DescribedObject.APIVersion, opts.objectMetrics) != nil {
				opts.objectMetrics.allowInvalidAPIVersion = true
				break
			}
		}
	}
	return opts
}

func hpaSpec(spec *autoscalingv2.HorizontalPodAutoscalerSpec, opts hpaOptions, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.MinReplicas != nil && *spec.MinReplicas < 0 {
		errs = append(errs, field.Invalid(path.Child("minReplicas"), *spec.MinReplicas, "must be greater than or equal to 0").WithOrigin("minimum"))
	}
	if spec.MaxReplicas == 0 {
		errs = append(errs, field.Required(path.Child("maxReplicas"), "must be set and greater than 0"))
	} else if spec.MaxReplicas < 0 {
		errs = append(errs, field.Invalid(path.Child("maxReplicas"), spec.MaxReplicas, "must be greater than or equal to 1").WithOrigin("minimum"))
	}
	if spec.MinReplicas != nil && spec.MaxReplicas < *spec.MinReplicas {
		errs = append(errs, field.Invalid(path.Child("maxReplicas"), spec.MaxReplicas, "must be greater than or equal to `minReplicas`"))
	}
	ref := spec.ScaleTargetRef
	errs = append(errs, crossVersionRef(ref.Kind, ref.Name, ref.APIVersion, opts.scaleTargetRef, path.Child("scaleTargetRef"))...)
	errs = append(errs, hpaMetrics(spec.Metrics, spec.MinReplicas, opts.objectMetrics, path.Child("metrics"))...)
	if b := spec.Behavior; b != nil {
		errs = append(errs, scalingRules(b.ScaleUp, path.Child("behavior", "scaleUp"))...)
		errs = append(errs, scalingRules(b.ScaleDown, path.Child("behavior", "scaleDown"))...)
	}
	return errs
}

// crossVersionRef is upstream's ValidateCrossVersionObjectReference.
func crossVersionRef(kind, name, apiVersion string, opts crossVersionRefOptions, path *field.Path) field.ErrorList {
	errs := requiredPathSegment(kind, path.Child("kind"))
	errs = append(errs, requiredPathSegment(name, path.Child("name"))...)
	if err := refAPIVersion(apiVersion, opts); err != nil {
		errs = append(errs, field.Invalid(path.Child("apiVersion"), apiVersion, err.Error()))
	}
	return errs
}

// refAPIVersion is upstream's ValidateAPIVersion.
func refAPIVersion(apiVersion string, opts crossVersionRefOptions) error {
	if opts.allowInvalidAPIVersion {
		return nil
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return err
	}
	if !opts.allowEmptyAPIGroup && gv.Group == "" {
		return fmt.Errorf("apiVersion must specify API group")
	}
	return nil
}

func hpaMetrics(metrics []autoscalingv2.MetricSpec, minReplicas *int32, opts crossVersionRefOptions, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	objectOrExternal := false
	for i := range metrics {
		errs = append(errs, metricSpec(&metrics[i], opts, path.Index(i))...)
		t := metrics[i].Type
		objectOrExternal = objectOrExternal || t == autoscalingv2.ObjectMetricSourceType || t == autoscalingv2.ExternalMetricSourceType
	}
	if minReplicas != nil && *minReplicas == 0 && !objectOrExternal {
		errs = append(errs, field.Forbidden(path, "must specify at least one Object or External metric to support scaling to zero replicas"))
	}
	return errs
}

func scalingRules(rules *autoscalingv2.HPAScalingRules, path *field.Path) field.ErrorList {
	if rules == nil {
		return nil
	}
	var errs field.ErrorList
	if w := rules.StabilizationWindowSeconds; w != nil && *w < 0 {
		errs = append(errs, field.Invalid(path.Child("stabilizationWindowSeconds"), w, "must be greater than or equal to zero"))
	}
	if w := rules.StabilizationWindowSeconds; w != nil && *w > maxStabilizationWindowSeconds {
		errs = append(errs, field.Invalid(path.Child("stabilizationWindowSeconds"), w, fmt.Sprintf("must be less than or equal to %v", maxStabilizationWindowSeconds)))
	}
	if p := rules.SelectPolicy; p != nil && !validSelectPolicies.Has(string(*p)) {
		errs = append(errs, field.NotSupported(path.Child("selectPolicy"), p, sets.List(validSelectPolicies)))
	}
	if len(rules.Policies) == 0 {
		errs = append(errs, field.Required(path.Child("policies"), "must specify at least one Policy"))
	}
	for i, p := range rules.Policies {
		pPath := path.Child("policies").Index(i)
		if !validScalingPolicy.Has(string(p.Type)) {
			errs = append(errs, field.NotSupported(pPath.Child("type"), p.Type, sets.List(validScalingPolicy)))
		}
		if p.Value <= 0 {
			errs = append(errs, field.Invalid(pPath.Child("value"), p.Value, "must be greater than zero"))
		}
		if p.PeriodSeconds <= 0 {
			errs = append(errs, field.Invalid(pPath.Child("periodSeconds"), p.PeriodSeconds, "must be greater than zero"))
		}
		if p.PeriodSeconds > maxPeriodSeconds {
			errs = append(errs, field.Invalid(pPath.Child("periodSeconds"), p.PeriodSeconds, fmt.Sprintf("must be less than or equal to %v", maxPeriodSeconds)))
		}
	}
	if rules.Tolerance != nil {
		errs = append(errs, nonNegativeQuantity(*rules.Tolerance, path.Child("tolerance"))...)
	}
	return errs
}

// metricSpec is upstream's validateMetricSpec: the source named by type is
// set, and no other.
func metricSpec(spec *autoscalingv2.MetricSpec, opts crossVersionRefOptions, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.Type == "" {
		errs = append(errs, field.Required(path.Child("type"), "must specify a metric source type"))
	}
	if !validMetricSources.Has(string(spec.Type)) {
		errs = append(errs, field.NotSupported(path.Child("type"), spec.Type, sets.List(validMetricSources)))
	}
	// present keeps upstream's order: only the first source set is validated.
	var present []string
	if spec.Object != nil {
		if present = append(present, "object"); len(present) == 1 {
			errs = append(errs, objectMetric(spec.Object, opts, path.Child("object"))...)
		}
	}
	if spec.External != nil {
		if present = append(present, "external"); len(present) == 1 {
			errs = append(errs, externalMetric(spec.External, path.Child("external"))...)
		}
	}
	if spec.Pods != nil {
		if present = append(present, "pods"); len(present) == 1 {
			errs = append(errs, podsMetric(spec.Pods, path.Child("pods"))...)
		}
	}
	if spec.Resource != nil {
		if present = append(present, "resource"); len(present) == 1 {
			errs = append(errs, resourceMetric(string(spec.Resource.Name), spec.Resource.Target, path.Child("resource"))...)
		}
	}
	if spec.ContainerResource != nil {
		if present = append(present, "containerResource"); len(present) == 1 {
			errs = append(errs, containerResourceMetric(spec.ContainerResource, path.Child("containerResource"))...)
		}
	}
	expected := ""
	switch spec.Type {
	case autoscalingv2.ObjectMetricSourceType:
		expected = "object"
		if spec.Object == nil {
			errs = append(errs, field.Required(path.Child("object"), "must populate information for the given metric source"))
		}
	case autoscalingv2.PodsMetricSourceType:
		expected = "pods"
		if spec.Pods == nil {
			errs = append(errs, field.Required(path.Child("pods"), "must populate information for the given metric source"))
		}
	case autoscalingv2.ResourceMetricSourceType:
		expected = "resource"
		if spec.Resource == nil {
			errs = append(errs, field.Required(path.Child("resource"), "must populate information for the given metric source"))
		}
	case autoscalingv2.ExternalMetricSourceType:
		expected = "external"
		if spec.External == nil {
			errs = append(errs, field.Required(path.Child("external"), "must populate information for the given metric source"))
		}
	case autoscalingv2.ContainerResourceMetricSourceType:
		expected = "containerResource"
		if spec.ContainerResource == nil {
			errs = append(errs, field.Required(path.Child("containerResource"), "must populate information for the given metric source"))
		}
	default:
		errs = append(errs, field.NotSupported(path.Child("type"), spec.Type, sets.List(validMetricSources)))
	}
	if len(present) != 1 {
		// upstream ranges over a set; sorted here so the order is stable.
		for _, t := range sets.List(sets.New(present...).Delete(expected)) {
			errs = append(errs, field.Forbidden(path.Child(t), "must populate the given metric source only"))
		}
	}
	return errs
}

func objectMetric(src *autoscalingv2.ObjectMetricSource, opts crossVersionRefOptions, path *field.Path) field.ErrorList {
	ref := src.DescribedObject
	errs := crossVersionRef(ref.Kind, ref.Name, ref.APIVersion, opts, path.Child("describedObject"))
	errs = append(errs, metricName(src.Metric.Name, path.Child("metric", "name"))...)
	errs = append(errs, metricTarget(src.Target, path.Child("target"))...)
	if src.Target.Value == nil && src.Target.AverageValue == nil {
		errs = append(errs, field.Required(path.Child("target").Child("averageValue"), "must set either a target value or averageValue"))
	}
	return errs
}

func externalMetric(src *autoscalingv2.ExternalMetricSource, path *field.Path) field.ErrorList {
	errs := metricName(src.Metric.Name, path.Child("metric", "name"))
	errs = append(errs, metricTarget(src.Target, path.Child("target"))...)
	if src.Target.Value == nil && src.Target.AverageValue == nil {
		errs = append(errs, field.Required(path.Child("target").Child("averageValue"), "must set either a target value for metric or a per-pod target"))
	}
	if src.Target.Value != nil && src.Target.AverageValue != nil {
		errs = append(errs, field.Forbidden(path.Child("target").Child("value"), "may not set both a target value for metric and a per-pod target"))
	}
	return errs
}

func podsMetric(src *autoscalingv2.PodsMetricSource, path *field.Path) field.ErrorList {
	errs := metricName(src.Metric.Name, path.Child("metric", "name"))
	errs = append(errs, metricTarget(src.Target, path.Child("target"))...)
	if src.Target.AverageValue == nil {
		errs = append(errs, field.Required(path.Child("target").Child("averageValue"), "must specify a positive target averageValue"))
	}
	return errs
}

func resourceMetric(name string, target autoscalingv2.MetricTarget, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if name == "" {
		errs = append(errs, field.Required(path.Child("name"), "must specify a resource name"))
	}
	errs = append(errs, metricTarget(target, path.Child("target"))...)
	return append(errs, utilizationOrValue(target, path.Child("target"))...)
}

func containerResourceMetric(src *autoscalingv2.ContainerResourceMetricSource, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if src.Name == "" {
		errs = append(errs, field.Required(path.Child("name"), "must specify a resource name"))
	} else {
		errs = append(errs, containerResourceName(src.Name, path.Child("name"))...)
	}
	if src.Container == "" {
		errs = append(errs, field.Required(path.Child("container"), "must specify a container"))
	} else {
		errs = append(errs, dns1123Label(src.Container, path.Child("container"))...)
	}
	errs = append(errs, metricTarget(src.Target, path.Child("target"))...)
	return append(errs, utilizationOrValue(src.Target, path.Child("target"))...)
}

func utilizationOrValue(t autoscalingv2.MetricTarget, path *field.Path) field.ErrorList {
	if t.AverageUtilization == nil && t.AverageValue == nil {
		return field.ErrorList{field.Required(path.Child("averageUtilization"), "must set either a target raw value or a target utilization")}
	}
	if t.AverageUtilization != nil && t.AverageValue != nil {
		return field.ErrorList{field.Forbidden(path.Child("averageValue"), "may not set both a target raw value and a target utilization")}
	}
	return nil
}

func metricTarget(t autoscalingv2.MetricTarget, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if t.Type == "" {
		errs = append(errs, field.Required(path.Child("type"), "must specify a metric target type"))
	}
	if t.Type != autoscalingv2.UtilizationMetricType && t.Type != autoscalingv2.ValueMetricType && t.Type != autoscalingv2.AverageValueMetricType {
		errs = append(errs, field.Invalid(path.Child("type"), t.Type, "must be either Utilization, Value, or AverageValue"))
	}
	if t.Value != nil && t.Value.Sign() != 1 {
		errs = append(errs, field.Invalid(path.Child("value"), t.Value, "must be positive"))
	}
	if t.AverageValue != nil && t.AverageValue.Sign() != 1 {
		errs = append(errs, field.Invalid(path.Child("averageValue"), t.AverageValue, "must be positive"))
	}
	if t.AverageUtilization != nil && *t.AverageUtilization < 1 {
		errs = append(errs, field.Invalid(path.Child("averageUtilization"), t.AverageUtilization, "must be greater than 0"))
	}
	return errs
}

func metricName(name string, path *field.Path) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(path, "must specify a metric name")}
	}
	return pathSegment(name, path)
}
