package validation

import (
	"strconv"

	policyv1 "k8s.io/api/policy/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var supportedUnhealthyPodEvictionPolicies = sets.New(string(policyv1.IfHealthyBudget), string(policyv1.AlwaysAllow))

// PodDisruptionBudget is upstream's ValidatePodDisruptionBudget.
func PodDisruptionBudget(pdb *policyv1.PodDisruptionBudget) field.ErrorList {
	return pdbSpec(&pdb.Spec, false, field.NewPath("spec"))
}

// PodDisruptionBudgetUpdate validates the new spec as on create, except
// that an invalid selector label value the stored budget had may stay.
func PodDisruptionBudgetUpdate(pdb, old *policyv1.PodDisruptionBudget) field.ErrorList {
	allowInvalid := old.Spec.Selector != nil &&
		len(metav1validation.ValidateLabelSelector(old.Spec.Selector, metav1validation.LabelSelectorValidationOptions{}, nil)) > 0
	return pdbSpec(&pdb.Spec, allowInvalid, field.NewPath("spec"))
}

// PodDisruptionBudgetStatusUpdate is upstream's
// ValidatePodDisruptionBudgetStatusUpdate for policy/v1 (v1beta1 is not
// served): valid conditions and non-negative counts.
func PodDisruptionBudgetStatusUpdate(pdb, _ *policyv1.PodDisruptionBudget) field.ErrorList {
	path := field.NewPath("status")
	s := pdb.Status
	errs := metav1validation.ValidateConditions(s.Conditions, path.Child("conditions"))
	errs = append(errs, nonNegative(int64(s.DisruptionsAllowed), path.Child("disruptionsAllowed"))...)
	errs = append(errs, nonNegative(int64(s.CurrentHealthy), path.Child("currentHealthy"))...)
	errs = append(errs, nonNegative(int64(s.DesiredHealthy), path.Child("desiredHealthy"))...)
	return append(errs, nonNegative(int64(s.ExpectedPods), path.Child("expectedPods"))...)
}

func pdbSpec(spec *policyv1.PodDisruptionBudgetSpec, allowInvalidLabelValue bool, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.MinAvailable != nil && spec.MaxUnavailable != nil {
		errs = append(errs, field.Invalid(path, spec, "minAvailable and maxUnavailable cannot be both set"))
	}
	if spec.MinAvailable != nil {
		errs = append(errs, intOrPercentNonNegative(*spec.MinAvailable, path.Child("minAvailable"))...)
		errs = append(errs, percentAtMost100(*spec.MinAvailable, path.Child("minAvailable"))...)
	}
	if spec.MaxUnavailable != nil {
		errs = append(errs, intOrPercentNonNegative(*spec.MaxUnavailable, path.Child("maxUnavailable"))...)
		errs = append(errs, percentAtMost100(*spec.MaxUnavailable, path.Child("maxUnavailable"))...)
	}
	errs = append(errs, metav1validation.ValidateLabelSelector(spec.Selector,
		metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: allowInvalidLabelValue}, path.Child("selector"))...)
	if p := spec.UnhealthyPodEvictionPolicy; p != nil && !supportedUnhealthyPodEvictionPolicies.Has(string(*p)) {
		errs = append(errs, field.NotSupported(path.Child("unhealthyPodEvictionPolicy"), *p, sets.List(supportedUnhealthyPodEvictionPolicies)))
	}
	return errs
}

// intOrPercentNonNegative is upstream's apps ValidatePositiveIntOrPercent (a
// non-negative int or a percentage), shared with the workloads' rules.
func intOrPercentNonNegative(v intstr.IntOrString, path *field.Path) field.ErrorList {
	switch v.Type {
	case intstr.String:
		var errs field.ErrorList
		for _, msg := range validation.IsValidPercent(v.StrVal) {
			errs = append(errs, field.Invalid(path, v, msg))
		}
		return errs
	case intstr.Int:
		return nonNegative(int64(v.IntValue()), path)
	}
	return field.ErrorList{field.Invalid(path, v, "must be an integer or percentage (e.g '5%%')")}
}

// percentAtMost100 is upstream's apps IsNotMoreThan100Percent.
func percentAtMost100(v intstr.IntOrString, path *field.Path) field.ErrorList {
	if v.Type != intstr.String || len(validation.IsValidPercent(v.StrVal)) != 0 {
		return nil
	}
	if n, _ := strconv.Atoi(v.StrVal[:len(v.StrVal)-1]); n <= 100 {
		return nil
	}
	return field.ErrorList{field.Invalid(path, v, "must not be greater than 100%")}
}
