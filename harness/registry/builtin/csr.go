package builtin

import (
	"bytes"
	"context"
	"fmt"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/memkube/memkube/harness/registry"
)

// csrConditions is upstream's handling of CertificateSigningRequest
// conditions (pkg/registry/certificates/certificates/strategy.go and
// pkg/apis/certificates/validation): the approval subresource changes only
// the conditions and may add Approved or Denied; the status subresource
// may set the certificate and other conditions but not approve or deny.
func csrConditions(k *registry.Kind) {
	k.PrepareForStatusUpdate = func(ctx context.Context, obj, old runtime.Object) {
		populateCSRConditionTimes(ctx, obj.(*certificatesv1.CertificateSigningRequest), old.(*certificatesv1.CertificateSigningRequest))
	}
	k.ValidateStatusUpdate = func(_ context.Context, obj, old runtime.Object) field.ErrorList {
		return validateCSRUpdate(obj.(*certificatesv1.CertificateSigningRequest), old.(*certificatesv1.CertificateSigningRequest), false)
	}
	k.Updates = map[string]*registry.UpdateSubresource{"approval": {
		Prepare: func(ctx context.Context, obj, old runtime.Object) {
			csr, oldCSR := obj.(*certificatesv1.CertificateSigningRequest), old.(*certificatesv1.CertificateSigningRequest)
			populateCSRConditionTimes(ctx, csr, oldCSR)
			conditions := csr.Status.Conditions
			csr.Spec = oldCSR.Spec
			csr.Status = oldCSR.Status
			csr.Status.Conditions = conditions
		},
		Validate: func(_ context.Context, obj, old runtime.Object) field.ErrorList {
			return validateCSRUpdate(obj.(*certificatesv1.CertificateSigningRequest), old.(*certificatesv1.CertificateSigningRequest), true)
		},
		Owned: []string{"status"},
	}}
}

// populateCSRConditionTimes sets unset lastUpdateTime to now, and unset
// lastTransitionTime to that of the stored condition of the same type and
// status, or now.
func populateCSRConditionTimes(ctx context.Context, csr, old *certificatesv1.CertificateSigningRequest) {
	now := registry.Now(ctx)
	for i := range csr.Status.Conditions {
		c := &csr.Status.Conditions[i]
		if c.LastUpdateTime.IsZero() {
			c.LastUpdateTime = now
		}
		if c.LastTransitionTime.IsZero() {
			c.LastTransitionTime = now
			for _, o := range old.Status.Conditions {
				if o.Type == c.Type && o.Status == c.Status && !o.LastTransitionTime.IsZero() {
					c.LastTransitionTime = o.LastTransitionTime
					break
				}
			}
		}
	}
}

var (
	csrTrueOnlyConditions = sets.New(certificatesv1.CertificateApproved, certificatesv1.CertificateDenied, certificatesv1.CertificateFailed)
	csrAllStatuses        = sets.New(string(corev1.ConditionTrue), string(corev1.ConditionFalse), string(corev1.ConditionUnknown))
	csrTrueStatusOnly     = sets.New(string(corev1.ConditionTrue))
)

// validateCSRUpdate is upstream's validation of a CSR's conditions and
// certificate on update; approval says whether Approved and Denied may
// be added or changed (the approval subresource).
func validateCSRUpdate(csr, old *certificatesv1.CertificateSigningRequest, approval bool) field.ErrorList {
	path := field.NewPath("status", "conditions")
	// what old data got away with stays allowed, as upstream's
	// getValidationOptions.
	var errs field.ErrorList
	oldErrs := validateCSRConditions(path, old, true, true, true)
	errs = append(errs, validateCSRConditions(path, csr,
		hasErr(oldErrs, field.ErrorTypeRequired, "type"),
		hasErr(oldErrs, field.ErrorTypeInvalid, ""),
		hasErr(oldErrs, field.ErrorTypeDuplicate, ""))...)
	for _, t := range []certificatesv1.RequestConditionType{certificatesv1.CertificateApproved, certificatesv1.CertificateDenied, certificatesv1.CertificateFailed} {
		if len(csrConditionsOf(csr, t)) < len(csrConditionsOf(old, t)) {
			errs = append(errs, field.Forbidden(path, fmt.Sprintf("updates may not remove a condition of type %q", t)))
		}
	}
	if !approval {
		for _, t := range []certificatesv1.RequestConditionType{certificatesv1.CertificateApproved, certificatesv1.CertificateDenied} {
			got, had := csrConditionsOf(csr, t), csrConditionsOf(old, t)
			switch {
			case len(got) < len(had):
			case len(got) > len(had):
				errs = append(errs, field.Forbidden(path, fmt.Sprintf("updates may not add a condition of type %q", t)))
			case !apiequality.Semantic.DeepEqual(had, got):
				errs = append(errs, field.Forbidden(path, fmt.Sprintf("updates may not modify a condition of type %q", t)))
			}
		}
	}
	if !bytes.Equal(csr.Status.Certificate, old.Status.Certificate) {
		switch {
		case approval:
			errs = append(errs, field.Forbidden(field.NewPath("status", "certificate"), "updates may not set certificate content"))
		case len(old.Status.Certificate) > 0:
			errs = append(errs, field.Forbidden(field.NewPath("status", "certificate"), "updates may not modify existing certificate content"))
		}
	}
	return errs
}

// validateCSRConditions is upstream's validateConditions; the allow flags
// let old data through.
func validateCSRConditions(path *field.Path, csr *certificatesv1.CertificateSigningRequest, allowEmptyType, allowBothApprovedAndDenied, allowDuplicates bool) field.ErrorList {
	var errs field.ErrorList
	seen := map[certificatesv1.RequestConditionType]bool{}
	var approved, denied bool
	for i, c := range csr.Status.Conditions {
		if !allowEmptyType && c.Type == "" {
			errs = append(errs, field.Required(path.Index(i).Child("type"), ""))
		}
		allowed := csrAllStatuses
		if csrTrueOnlyConditions.Has(c.Type) {
			allowed = csrTrueStatusOnly
		}
		switch {
		case c.Status == "":
			errs = append(errs, field.Required(path.Index(i).Child("status"), ""))
		case !allowed.Has(string(c.Status)):
			errs = append(errs, field.NotSupported(path.Index(i).Child("status"), c.Status, sets.List(allowed)))
		}
		if !allowBothApprovedAndDenied {
			switch c.Type {
			case certificatesv1.CertificateApproved:
				approved = true
				if denied {
					errs = append(errs, field.Invalid(path, c.Type, "Approved and Denied conditions are mutually exclusive"))
				}
			case certificatesv1.CertificateDenied:
				denied = true
				if approved {
					errs = append(errs, field.Invalid(path, c.Type, "Approved and Denied conditions are mutually exclusive"))
				}
			}
		}
		if !allowDuplicates {
			if seen[c.Type] {
				errs = append(errs, field.Duplicate(path.Index(i).Child("type"), c.Type))
			}
			seen[c.Type] = true
		}
	}
	return errs
}

// hasErr reports whether errs has an error of type t whose field ends in
// suffix.
func hasErr(errs field.ErrorList, t field.ErrorType, suffix string) bool {
	for _, e := range errs {
		if e.Type == t && (suffix == "" || len(e.Field) >= len(suffix) && e.Field[len(e.Field)-len(suffix):] == suffix) {
			return true
		}
	}
	return false
}

func csrConditionsOf(csr *certificatesv1.CertificateSigningRequest, t certificatesv1.RequestConditionType) []certificatesv1.CertificateSigningRequestCondition {
	var out []certificatesv1.CertificateSigningRequestCondition
	for _, c := range csr.Status.Conditions {
		if c.Type == t {
			out = append(out, c)
		}
	}
	return out
}
