package validation

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ReplicaSet validates a new ReplicaSet, as upstream's ValidateReplicaSet.
func ReplicaSet(rs *appsv1.ReplicaSet) field.ErrorList {
	return replicaSetSpec(&rs.Spec, nil, field.NewPath("spec"))
}

// ReplicaSetUpdate validates an update of a ReplicaSet, as upstream's
// ValidateReplicaSetUpdate: the new spec is valid and the selector is
// immutable.
func ReplicaSetUpdate(rs, old *appsv1.ReplicaSet) field.ErrorList {
	errs := replicaSetSpec(&rs.Spec, &old.Spec.Template, field.NewPath("spec"))
	return append(errs, apimachineryvalidation.ValidateImmutableField(rs.Spec.Selector, old.Spec.Selector, field.NewPath("spec", "selector"))...)
}

// ReplicaSetStatusUpdate validates an update of a ReplicaSet's status, as
// upstream's ValidateReplicaSetStatusUpdate.
func ReplicaSetStatusUpdate(rs, _ *appsv1.ReplicaSet) field.ErrorList {
	path := field.NewPath("status")
	s := &rs.Status
	errs := nonNegative(int64(s.Replicas), path.Child("replicas"))
	errs = append(errs, nonNegative(int64(s.FullyLabeledReplicas), path.Child("fullyLabeledReplicas"))...)
	errs = append(errs, nonNegative(int64(s.ReadyReplicas), path.Child("readyReplicas"))...)
	errs = append(errs, nonNegative(int64(s.AvailableReplicas), path.Child("availableReplicas"))...)
	errs = append(errs, nonNegative(s.ObservedGeneration, path.Child("observedGeneration"))...)
	if s.TerminatingReplicas != nil {
		errs = append(errs, nonNegative(int64(*s.TerminatingReplicas), path.Child("terminatingReplicas"))...)
	}
	c := replicaCounts{path: path, replicas: s.Replicas, readyMsg: "cannot be greater than readyReplicas", available: s.AvailableReplicas, ready: s.ReadyReplicas}
	errs = append(errs, c.notAbove("fullyLabeledReplicas", s.FullyLabeledReplicas)...)
	errs = append(errs, c.notAbove("readyReplicas", s.ReadyReplicas)...)
	errs = append(errs, c.notAbove("availableReplicas", s.AvailableReplicas)...)
	return append(errs, c.availableNotAboveReady()...)
}

// replicaSetSpec is upstream's ValidateReplicaSetSpec.
func replicaSetSpec(spec *appsv1.ReplicaSetSpec, old *corev1.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	errs := nonNegative(int64(orZero(spec.Replicas)), fldPath.Child("replicas"))
	errs = append(errs, nonNegative(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	// upstream's message says deployment for ReplicaSets too.
	errs = append(errs, replicaSetSelector(spec.Selector, "deployment", fldPath.Child("selector"))...)
	if selector, err := metav1.LabelSelectorAsSelector(spec.Selector); err != nil {
		errs = append(errs, field.Invalid(fldPath.Child("selector"), spec.Selector, "invalid label selector"))
	} else {
		errs = append(errs, podTemplateForReplicaSet(&spec.Template, old, selector, "ReplicaSet", fldPath.Child("template"))...)
	}
	return errs
}
