package validation

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ReplicationController validates a new ReplicationController, as
// upstream's ValidateReplicationController with its declarative rules.
func ReplicationController(rc *corev1.ReplicationController) field.ErrorList {
	return replicationControllerSpec(&rc.Spec, nil, field.NewPath("spec"))
}

// ReplicationControllerUpdate validates an update of a
// ReplicationController, as upstream's ValidateReplicationControllerUpdate:
// the new spec is valid; unlike the apps kinds, the selector may change.
// (Upstream also guards fields an older API version could not convert,
// recorded in annotations of the stored object; memkube stores v1 only.)
func ReplicationControllerUpdate(rc, old *corev1.ReplicationController) field.ErrorList {
	return replicationControllerSpec(&rc.Spec, old.Spec.Template, field.NewPath("spec"))
}

// ReplicationControllerStatusUpdate validates an update of a
// ReplicationController's status, as upstream's
// ValidateReplicationControllerStatusUpdate.
func ReplicationControllerStatusUpdate(rc, _ *corev1.ReplicationController) field.ErrorList {
	path := field.NewPath("status")
	s := &rc.Status
	errs := nonNegative(int64(s.Replicas), path.Child("replicas"))
	errs = append(errs, nonNegative(int64(s.FullyLabeledReplicas), path.Child("fullyLabeledReplicas"))...)
	errs = append(errs, nonNegative(int64(s.ReadyReplicas), path.Child("readyReplicas"))...)
	errs = append(errs, nonNegative(int64(s.AvailableReplicas), path.Child("availableReplicas"))...)
	errs = append(errs, nonNegative(s.ObservedGeneration, path.Child("observedGeneration"))...)
	c := replicaCounts{path: path, replicas: s.Replicas, readyMsg: "cannot be greater than readyReplicas", available: s.AvailableReplicas, ready: s.ReadyReplicas}
	errs = append(errs, c.notAbove("fullyLabeledReplicas", s.FullyLabeledReplicas)...)
	errs = append(errs, c.notAbove("readyReplicas", s.ReadyReplicas)...)
	errs = append(errs, c.notAbove("availableReplicas", s.AvailableReplicas)...)
	return append(errs, c.availableNotAboveReady()...)
}

// replicationControllerSpec is upstream's ValidateReplicationControllerSpec.
// replicas and minReadySeconds are declarative rules in v1.37 (beta,
// enforced): their errors, with the same messages, come after the
// handwritten ones, as upstream appends them.
func replicationControllerSpec(spec *corev1.ReplicationControllerSpec, old *corev1.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	selector := labels.Set(spec.Selector).AsSelector()
	if selector.Empty() {
		errs = append(errs, field.Required(fldPath.Child("selector"), ""))
	}
	if spec.Template == nil {
		errs = append(errs, field.Required(fldPath.Child("template"), ""))
	} else {
		path := fldPath.Child("template")
		errs = append(errs, templateMatches(selector, spec.Template, path)...)
		errs = append(errs, workloadTemplate(spec.Template, old, path)...)
		errs = append(errs, alwaysRestarting(&spec.Template.Spec, "ReplicationController", path.Child("spec"))...)
	}
	if spec.Replicas == nil {
		errs = append(errs, field.Required(fldPath.Child("replicas"), ""))
	} else {
		errs = append(errs, nonNegative(int64(*spec.Replicas), fldPath.Child("replicas"))...)
	}
	return append(errs, nonNegative(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
}
