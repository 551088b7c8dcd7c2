package validation

import (
	"sort"

	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// RuntimeClass is upstream's ValidateRuntimeClass: handler a DNS label;
// overhead limits named like container resources and non-negative;
// scheduling's node selector valid labels and tolerations unique. The
// per-toleration rules of core (operator, effect, value) are not repeated
// here.
func RuntimeClass(rc *nodev1.RuntimeClass) field.ErrorList {
	var errs field.ErrorList
	if rc.Handler == "" {
		errs = append(errs, field.Required(field.NewPath("handler"), ""))
	} else {
		for _, msg := range apimachineryvalidation.NameIsDNSLabel(rc.Handler, false) {
			errs = append(errs, field.Invalid(field.NewPath("handler"), rc.Handler, msg).WithOrigin("format=k8s-short-name"))
		}
	}
	if rc.Overhead != nil {
		limits := field.NewPath("overhead", "limits")
		names := make([]string, 0, len(rc.Overhead.PodFixed))
		for name := range rc.Overhead.PodFixed {
			names = append(names, string(name))
		}
		sort.Strings(names)
		for _, name := range names {
			errs = append(errs, containerResourceName(name, limits.Key(name))...)
			errs = append(errs, nonNegativeQuantity(rc.Overhead.PodFixed[corev1.ResourceName(name)], limits.Key(name))...)
		}
	}
	if s := rc.Scheduling; s != nil {
		path := field.NewPath("scheduling")
		if s.NodeSelector != nil {
			errs = append(errs, metav1validation.ValidateLabels(s.NodeSelector, path.Child("nodeSelector"))...)
		}
		seen := map[corev1.Toleration]bool{}
		for i, t := range s.Tolerations {
			key := corev1.Toleration{Key: t.Key, Operator: t.Operator, Value: t.Value, Effect: t.Effect}
			if seen[key] {
				errs = append(errs, field.Duplicate(path.Child("tolerations").Index(i), t))
			}
			seen[key] = true
		}
	}
	return errs
}

// RuntimeClassUpdate adds to the create rules that the handler is
// immutable.
func RuntimeClassUpdate(rc, old *nodev1.RuntimeClass) field.ErrorList {
	errs := RuntimeClass(rc)
	return append(errs, apimachineryvalidation.ValidateImmutableField(rc.Handler, old.Handler, field.NewPath("handler")).WithOrigin("immutable")...)
}
