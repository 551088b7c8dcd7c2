package validation

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The rules apps/v1 kinds share (upstream's pkg/apis/apps/validation).
// A v1 *int32 that upstream's internal type holds as int32 (replicas,
// rollingUpdate.maxSurge, ...) is validated as its internal value: nil is 0,
// as conversion makes it.

// orZero is the internal value of an optional v1 field.
func orZero[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// podTemplateForReplicaSet is upstream's ValidatePodTemplateSpecForReplicaSet
// (Deployments and ReplicaSets): the selector selects the template, the pod
// template is valid, and its pods restart Always.
func podTemplateForReplicaSet(template, old *corev1.PodTemplateSpec, selector labels.Selector, what string, fldPath *field.Path) field.ErrorList {
	errs := templateMatches(selector, template, fldPath)
	errs = append(errs, workloadTemplate(template, old, fldPath)...)
	return append(errs, alwaysRestarting(&template.Spec, what, fldPath.Child("spec"))...)
}

// workloadTemplate validates a workload's pod template: on create (old
// nil) as PodTemplateSpec, on update with what the stored template old
// already used allowed, as upstream's strategies derive their pod
// validation options from the old template.
func workloadTemplate(template, old *corev1.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	if old == nil {
		return PodTemplateSpec(template, fldPath)
	}
	return PodTemplateSpecUpdate(template, old, fldPath)
}

// replicaSetSelector is the selector rules of Deployments, ReplicaSets
// and StatefulSets: required, valid, non-empty; then, if it parses, the
// template check. what is the kind in the empty-selector message.
func replicaSetSelector(s *metav1.LabelSelector, what string, fldPath *field.Path) field.ErrorList {
	if s == nil {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	errs := strictSelector(s, fldPath)
	if len(s.MatchLabels)+len(s.MatchExpressions) == 0 {
		errs = append(errs, field.Invalid(fldPath, s, "empty selector is invalid for "+what))
	}
	return errs
}

// positiveIntOrPercent is upstream's ValidatePositiveIntOrPercent.
func positiveIntOrPercent(v intstr.IntOrString, fldPath *field.Path) field.ErrorList {
	switch v.Type {
	case intstr.String:
		var errs field.ErrorList
		for _, msg := range validation.IsValidPercent(v.StrVal) {
			errs = append(errs, field.Invalid(fldPath, v, msg))
		}
		return errs
	case intstr.Int:
		return nonNegative(int64(v.IntValue()), fldPath)
	default:
		return field.ErrorList{field.Invalid(fldPath, v, "must be an integer or percentage (e.g '5%%')")}
	}
}

// percentValue is the number of a valid percentage.
func percentValue(v intstr.IntOrString) (int, bool) {
	if v.Type != intstr.String || len(validation.IsValidPercent(v.StrVal)) != 0 {
		return 0, false
	}
	n, _ := strconv.Atoi(v.StrVal[:len(v.StrVal)-1])
	return n, true
}

// intOrPercentValue is upstream's getIntOrPercentValue: a percentage's
// number, an int's value, 0 for anything else.
func intOrPercentValue(v intstr.IntOrString) int {
	if n, ok := percentValue(v); ok {
		return n
	}
	return v.IntValue()
}

// notMoreThan100Percent is upstream's IsNotMoreThan100Percent.
func notMoreThan100Percent(v intstr.IntOrString, fldPath *field.Path) field.ErrorList {
	if n, ok := percentValue(v); ok && n > 100 {
		return field.ErrorList{field.Invalid(fldPath, v, "must not be greater than 100%")}
	}
	return nil
}

// revisionHistoryLimit is the rule of Deployments and DaemonSets: zero is
// valid (StatefulSets only warn on a negative one).
func revisionHistoryLimit(limit *int32, fldPath *field.Path) field.ErrorList {
	if limit == nil {
		return nil
	}
	return nonNegative(int64(*limit), fldPath)
}

// replicaCounts is the status rules Deployments, ReplicaSets, StatefulSets
// and ReplicationControllers share: no count above status.replicas, and no
// more available than ready replicas (readyMsg names the ready count).
type replicaCounts struct {
	path      *field.Path
	replicas  int32
	readyMsg  string
	available int32
	ready     int32
}

func (c replicaCounts) notAbove(name string, n int32) field.ErrorList {
	if n > c.replicas {
		return field.ErrorList{field.Invalid(c.path.Child(name), n, "cannot be greater than status.replicas")}
	}
	return nil
}

func (c replicaCounts) availableNotAboveReady() field.ErrorList {
	if c.available > c.ready {
		return field.ErrorList{field.Invalid(c.path.Child("availableReplicas"), c.available, c.readyMsg)}
	}
	return nil
}
