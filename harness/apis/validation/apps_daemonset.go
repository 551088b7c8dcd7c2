package validation

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// DaemonSet validates a new DaemonSet, as upstream's ValidateDaemonSet.
func DaemonSet(ds *appsv1.DaemonSet) field.ErrorList {
	return daemonSetSpec(&ds.Spec, nil, field.NewPath("spec"), false)
}

// DaemonSetUpdate validates an update of a DaemonSet, as upstream's
// ValidateDaemonSetUpdate: the selector is immutable and the new spec is
// valid (a selector already stored with an invalid label value is
// tolerated). templateGeneration, which the v1 API carries in the
// deprecated.daemonset.template.generation annotation and the strategy
// maintains, is not checked.
func DaemonSetUpdate(ds, old *appsv1.DaemonSet) field.ErrorList {
	errs := apimachineryvalidation.ValidateImmutableField(ds.Spec.Selector, old.Spec.Selector, field.NewPath("spec", "selector"))
	return append(errs, daemonSetSpec(&ds.Spec, &old.Spec.Template, field.NewPath("spec"), metav1validation.LabelSelectorHasInvalidLabelValue(old.Spec.Selector))...)
}

// DaemonSetStatusUpdate validates an update of a DaemonSet's status, as
// upstream's ValidateDaemonSetStatusUpdate.
func DaemonSetStatusUpdate(ds, old *appsv1.DaemonSet) field.ErrorList {
	path := field.NewPath("status")
	s := &ds.Status
	errs := nonNegative(int64(s.CurrentNumberScheduled), path.Child("currentNumberScheduled"))
	errs = append(errs, nonNegative(int64(s.NumberMisscheduled), path.Child("numberMisscheduled"))...)
	errs = append(errs, nonNegative(int64(s.DesiredNumberScheduled), path.Child("desiredNumberScheduled"))...)
	errs = append(errs, nonNegative(int64(s.NumberReady), path.Child("numberReady"))...)
	errs = append(errs, nonNegative(s.ObservedGeneration, path.Child("observedGeneration"))...)
	errs = append(errs, nonNegative(int64(s.UpdatedNumberScheduled), path.Child("updatedNumberScheduled"))...)
	errs = append(errs, nonNegative(int64(s.NumberAvailable), path.Child("numberAvailable"))...)
	errs = append(errs, nonNegative(int64(s.NumberUnavailable), path.Child("numberUnavailable"))...)
	if s.CollisionCount != nil {
		errs = append(errs, nonNegative(int64(*s.CollisionCount), path.Child("collisionCount"))...)
	}
	return append(errs, collisionCountDecrement(s.CollisionCount, old.Status.CollisionCount, path.Child("collisionCount"))...)
}

// daemonSetSpec is upstream's ValidateDaemonSetSpec. Unlike the other
// apps kinds, a missing selector is not Required: it selects nothing, so
// it does not match the template.
func daemonSetSpec(spec *appsv1.DaemonSetSpec, old *corev1.PodTemplateSpec, fldPath *field.Path, allowInvalidLabelValue bool) field.ErrorList {
	errs := labelSelector(spec.Selector, allowInvalidLabelValue, fldPath.Child("selector"))
	if selector, err := metav1.LabelSelectorAsSelector(spec.Selector); err == nil && !selector.Matches(labels.Set(spec.Template.Labels)) {
		errs = append(errs, field.Invalid(fldPath.Child("template", "metadata", "labels"), spec.Template.Labels, doesNotMatchTemplate))
	}
	if spec.Selector != nil && len(spec.Selector.MatchLabels)+len(spec.Selector.MatchExpressions) == 0 {
		errs = append(errs, field.Invalid(fldPath.Child("selector"), spec.Selector, "empty selector is invalid for daemonset"))
	}
	errs = append(errs, workloadTemplate(&spec.Template, old, fldPath.Child("template"))...)
	errs = append(errs, alwaysRestarting(&spec.Template.Spec, "DaemonSet", fldPath.Child("template", "spec"))...)
	errs = append(errs, nonNegative(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	errs = append(errs, daemonSetUpdateStrategy(&spec.UpdateStrategy, fldPath.Child("updateStrategy"))...)
	return append(errs, revisionHistoryLimit(spec.RevisionHistoryLimit, fldPath.Child("revisionHistoryLimit"))...)
}

// daemonSetUpdateStrategy is upstream's ValidateDaemonSetUpdateStrategy.
func daemonSetUpdateStrategy(s *appsv1.DaemonSetUpdateStrategy, fldPath *field.Path) field.ErrorList {
	switch s.Type {
	case appsv1.OnDeleteDaemonSetStrategyType:
		return nil
	case appsv1.RollingUpdateDaemonSetStrategyType:
		if s.RollingUpdate == nil {
			return field.ErrorList{field.Required(fldPath.Child("rollingUpdate"), "")}
		}
		return rollingUpdateDaemonSet(s.RollingUpdate, fldPath.Child("rollingUpdate"))
	default:
		return field.ErrorList{field.NotSupported(fldPath, internalValue{daemonSetStrategyInternal(s)}, []string{string(appsv1.RollingUpdateDaemonSetStrategyType), string(appsv1.OnDeleteDaemonSetStrategyType)})}
	}
}

// daemonSetStrategyInternal is the shape of upstream's internal
// DaemonSetUpdateStrategy, whose rollingUpdate holds values.
func daemonSetStrategyInternal(s *appsv1.DaemonSetUpdateStrategy) any {
	type rollingUpdate struct{ MaxUnavailable, MaxSurge any }
	out := struct {
		Type          appsv1.DaemonSetUpdateStrategyType
		RollingUpdate *rollingUpdate
	}{Type: s.Type}
	if s.RollingUpdate != nil {
		out.RollingUpdate = &rollingUpdate{orZero(s.RollingUpdate.MaxUnavailable), orZero(s.RollingUpdate.MaxSurge)}
	}
	return out
}

// rollingUpdateDaemonSet is upstream's ValidateRollingUpdateDaemonSet:
// exactly one of maxUnavailable and maxSurge is non-zero.
func rollingUpdateDaemonSet(ru *appsv1.RollingUpdateDaemonSet, fldPath *field.Path) field.ErrorList {
	maxUnavailable, maxSurge := orZero(ru.MaxUnavailable), orZero(ru.MaxSurge)
	errs := positiveIntOrPercent(maxUnavailable, fldPath.Child("maxUnavailable"))
	errs = append(errs, positiveIntOrPercent(maxSurge, fldPath.Child("maxSurge"))...)
	errs = append(errs, notMoreThan100Percent(maxUnavailable, fldPath.Child("maxUnavailable"))...)
	errs = append(errs, notMoreThan100Percent(maxSurge, fldPath.Child("maxSurge"))...)
	hasUnavailable, hasSurge := intOrPercentValue(maxUnavailable) != 0, intOrPercentValue(maxSurge) != 0
	switch {
	case hasUnavailable && hasSurge:
		errs = append(errs, field.Invalid(fldPath.Child("maxSurge"), maxSurge, "may not be set when maxUnavailable is non-zero"))
	case !hasUnavailable && !hasSurge:
		errs = append(errs, field.Required(fldPath.Child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
	}
	return errs
}
