package validation

import (
	"slices"
	"strings"

	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var validLeaseStrategies = []coordinationv1.CoordinatedLeaseStrategy{coordinationv1.OldestEmulationVersion}

// Lease is upstream's ValidateLease below metadata (and, as upstream,
// ValidateLeaseUpdate's rules too: the spec alone).
func Lease(lease *coordinationv1.Lease) field.ErrorList {
	var errs field.ErrorList
	spec, fldPath := &lease.Spec, field.NewPath("spec")
	if spec.LeaseDurationSeconds != nil && *spec.LeaseDurationSeconds <= 0 {
		errs = append(errs, field.Invalid(fldPath.Child("leaseDurationSeconds"), spec.LeaseDurationSeconds, "must be greater than 0"))
	}
	if spec.LeaseTransitions != nil && *spec.LeaseTransitions < 0 {
		errs = append(errs, field.Invalid(fldPath.Child("leaseTransitions"), spec.LeaseTransitions, "must be greater than or equal to 0"))
	}
	if spec.Strategy != nil {
		// upstream's path repeats "strategy".
		strategyPath := fldPath.Child("strategy", "strategy")
		if !strings.Contains(string(*spec.Strategy), "/") {
			if !slices.Contains(validLeaseStrategies, *spec.Strategy) {
				errs = append(errs, field.NotSupported(strategyPath, *spec.Strategy, validLeaseStrategies))
			}
		} else {
			for _, msg := range validation.IsQualifiedName(string(*spec.Strategy)) {
				errs = append(errs, field.Invalid(strategyPath, *spec.Strategy, msg))
			}
		}
	}
	if spec.PreferredHolder != nil && *spec.PreferredHolder != "" && (spec.Strategy == nil || *spec.Strategy == "") {
		errs = append(errs, field.Forbidden(fldPath.Child("preferredHolder"), "may only be specified if `strategy` is defined"))
	}
	return errs
}
