package validation

import (
	"encoding/json"
	"reflect"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// What the workload kinds (apps/v1, batch/v1, ReplicationControllers) share:
// the selector rules around their pod templates and the way upstream prints
// the bad value of a struct.

// doesNotMatchTemplate is upstream's message for a selector that does not
// select its own pod template.
const doesNotMatchTemplate = "`selector` does not match template `labels`"

// strictSelector validates a selector as upstream's workloads do on create:
// label values in it must be valid (AllowInvalidLabelValueInSelector false).
func strictSelector(s *metav1.LabelSelector, fldPath *field.Path) field.ErrorList {
	return labelSelector(s, false, fldPath)
}

// labelSelector is metav1validation.ValidateLabelSelector with upstream's
// one option.
func labelSelector(s *metav1.LabelSelector, allowInvalidLabelValue bool, fldPath *field.Path) field.ErrorList {
	return metav1validation.ValidateLabelSelector(s, metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: allowInvalidLabelValue}, fldPath)
}

// templateMatches is the check every workload makes: a non-empty selector
// selects the template's labels. A nil selector is labels.Nothing, which
// is not empty and matches nothing, so a missing selector reports both
// Required and this, as upstream does.
func templateMatches(selector labels.Selector, template *corev1.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	if !selector.Empty() && !selector.Matches(labels.Set(template.Labels)) {
		return field.ErrorList{field.Invalid(fldPath.Child("metadata", "labels"), template.Labels, doesNotMatchTemplate)}
	}
	return nil
}

// alwaysRestarting is what the apps kinds and ReplicationControllers add to
// their pod template's validation: restartPolicy Always and no
// activeDeadlineSeconds; what names the kind in the message
// ("activeDeadlineSeconds in ReplicaSet is not Supported").
func alwaysRestarting(spec *corev1.PodSpec, what string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.RestartPolicy != corev1.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(fldPath.Child("restartPolicy"), spec.RestartPolicy, []string{string(corev1.RestartPolicyAlways)}))
	}
	if spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Forbidden(fldPath.Child("activeDeadlineSeconds"), "activeDeadlineSeconds in "+what+" is not Supported"))
	}
	return errs
}

// isDecremented is upstream's IsDecremented for status.collisionCount.
func isDecremented(update, old *int32) bool {
	if update == nil && old != nil {
		return true
	}
	if update == nil || old == nil {
		return false
	}
	return *update < *old
}

// collisionCountDecrement is the status rule of Deployments, StatefulSets
// and DaemonSets.
func collisionCountDecrement(update, old *int32, fldPath *field.Path) field.ErrorList {
	if !isDecremented(update, old) {
		return nil
	}
	var value int32
	if update != nil {
		value = *update
	}
	return field.ErrorList{field.Invalid(fldPath, value, "cannot be decremented")}
}

// internalValue renders a struct as upstream renders the bad value of its
// internal type in a message: internal API types have no json tags, so
// their JSON names fields as Go does ({"Type":"Foo","RollingUpdate":null})
// where the v1 type would print {"type":"Foo"}. Values with their own JSON
// (IntOrString, Quantity, Time) and maps of strings print as usual.
type internalValue struct{ v any }

// MarshalJSON is what field.Error's message uses: goFieldJSON, the shape
// the pod update diff uses too.
func (i internalValue) MarshalJSON() ([]byte, error) {
	return json.Marshal(goFieldJSON(reflect.ValueOf(i.v)))
}
