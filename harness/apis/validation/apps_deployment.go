package validation

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Deployment validates a new Deployment, as upstream's ValidateDeployment.
func Deployment(d *appsv1.Deployment) field.ErrorList {
	return deploymentSpec(&d.Spec, nil, field.NewPath("spec"))
}

// DeploymentUpdate validates an update of a Deployment, as upstream's
// ValidateDeploymentUpdate: the new spec is valid and the selector is
// immutable.
func DeploymentUpdate(d, old *appsv1.Deployment) field.ErrorList {
	errs := deploymentSpec(&d.Spec, &old.Spec.Template, field.NewPath("spec"))
	return append(errs, apimachineryvalidation.ValidateImmutableField(d.Spec.Selector, old.Spec.Selector, field.NewPath("spec", "selector"))...)
}

// DeploymentStatusUpdate validates an update of a Deployment's status, as
// upstream's ValidateDeploymentStatusUpdate.
func DeploymentStatusUpdate(d, old *appsv1.Deployment) field.ErrorList {
	path := field.NewPath("status")
	s := &d.Status
	errs := nonNegative(s.ObservedGeneration, path.Child("observedGeneration"))
	errs = append(errs, nonNegative(int64(s.Replicas), path.Child("replicas"))...)
	errs = append(errs, nonNegative(int64(s.UpdatedReplicas), path.Child("updatedReplicas"))...)
	errs = append(errs, nonNegative(int64(s.ReadyReplicas), path.Child("readyReplicas"))...)
	errs = append(errs, nonNegative(int64(s.AvailableReplicas), path.Child("availableReplicas"))...)
	errs = append(errs, nonNegative(int64(s.UnavailableReplicas), path.Child("unavailableReplicas"))...)
	if s.TerminatingReplicas != nil {
		errs = append(errs, nonNegative(int64(*s.TerminatingReplicas), path.Child("terminatingReplicas"))...)
	}
	if s.CollisionCount != nil {
		errs = append(errs, nonNegative(int64(*s.CollisionCount), path.Child("collisionCount"))...)
	}
	c := replicaCounts{path: path, replicas: s.Replicas, readyMsg: "cannot be greater than readyReplicas", available: s.AvailableReplicas, ready: s.ReadyReplicas}
	errs = append(errs, c.notAbove("updatedReplicas", s.UpdatedReplicas)...)
	errs = append(errs, c.notAbove("readyReplicas", s.ReadyReplicas)...)
	errs = append(errs, c.notAbove("availableReplicas", s.AvailableReplicas)...)
	errs = append(errs, c.availableNotAboveReady()...)
	return append(errs, collisionCountDecrement(s.CollisionCount, old.Status.CollisionCount, path.Child("collisionCount"))...)
}

// deploymentSpec is upstream's ValidateDeploymentSpec; old is the stored
// pod template on update.
func deploymentSpec(spec *appsv1.DeploymentSpec, old *corev1.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	errs := nonNegative(int64(orZero(spec.Replicas)), fldPath.Child("replicas"))
	errs = append(errs, replicaSetSelector(spec.Selector, "deployment", fldPath.Child("selector"))...)
	if selector, err := metav1.LabelSelectorAsSelector(spec.Selector); err != nil {
		errs = append(errs, field.Invalid(fldPath.Child("selector"), spec.Selector, "invalid label selector"))
	} else {
		errs = append(errs, podTemplateForReplicaSet(&spec.Template, old, selector, "ReplicaSet", fldPath.Child("template"))...)
	}
	errs = append(errs, deploymentStrategy(&spec.Strategy, fldPath.Child("strategy"))...)
	errs = append(errs, nonNegative(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	errs = append(errs, revisionHistoryLimit(spec.RevisionHistoryLimit, fldPath.Child("revisionHistoryLimit"))...)
	if spec.ProgressDeadlineSeconds != nil {
		errs = append(errs, nonNegative(int64(*spec.ProgressDeadlineSeconds), fldPath.Child("progressDeadlineSeconds"))...)
		if *spec.ProgressDeadlineSeconds <= spec.MinReadySeconds {
			errs = append(errs, field.Invalid(fldPath.Child("progressDeadlineSeconds"), *spec.ProgressDeadlineSeconds, "must be greater than minReadySeconds"))
		}
	}
	return errs
}

// deploymentStrategy is upstream's ValidateDeploymentStrategy.
func deploymentStrategy(s *appsv1.DeploymentStrategy, fldPath *field.Path) field.ErrorList {
	switch s.Type {
	case appsv1.RecreateDeploymentStrategyType:
		if s.RollingUpdate != nil {
			return field.ErrorList{field.Forbidden(fldPath.Child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")}
		}
	case appsv1.RollingUpdateDeploymentStrategyType:
		if s.RollingUpdate == nil {
			return field.ErrorList{field.Required(fldPath.Child("rollingUpdate"), "this should be defaulted and never be nil")}
		}
		return rollingUpdateDeployment(s.RollingUpdate, fldPath.Child("rollingUpdate"))
	default:
		return field.ErrorList{field.NotSupported(fldPath, internalValue{deploymentStrategyInternal(s)}, []string{string(appsv1.RecreateDeploymentStrategyType), string(appsv1.RollingUpdateDeploymentStrategyType)})}
	}
	return nil
}

// deploymentStrategyInternal is the shape of upstream's internal
// DeploymentStrategy, whose rollingUpdate holds values, not pointers.
func deploymentStrategyInternal(s *appsv1.DeploymentStrategy) any {
	type rollingUpdate struct{ MaxUnavailable, MaxSurge intstr.IntOrString }
	out := struct {
		Type          appsv1.DeploymentStrategyType
		RollingUpdate *rollingUpdate
	}{Type: s.Type}
	if s.RollingUpdate != nil {
		out.RollingUpdate = &rollingUpdate{orZero(s.RollingUpdate.MaxUnavailable), orZero(s.RollingUpdate.MaxSurge)}
	}
	return out
}

// rollingUpdateDeployment is upstream's ValidateRollingUpdateDeployment.
func rollingUpdateDeployment(ru *appsv1.RollingUpdateDeployment, fldPath *field.Path) field.ErrorList {
	maxUnavailable, maxSurge := orZero(ru.MaxUnavailable), orZero(ru.MaxSurge)
	errs := positiveIntOrPercent(maxUnavailable, fldPath.Child("maxUnavailable"))
	errs = append(errs, positiveIntOrPercent(maxSurge, fldPath.Child("maxSurge"))...)
	if intOrPercentValue(maxUnavailable) == 0 && intOrPercentValue(maxSurge) == 0 {
		errs = append(errs, field.Invalid(fldPath.Child("maxUnavailable"), maxUnavailable, "may not be 0 when `maxSurge` is 0"))
	}
	return append(errs, notMoreThan100Percent(maxUnavailable, fldPath.Child("maxUnavailable"))...)
}
