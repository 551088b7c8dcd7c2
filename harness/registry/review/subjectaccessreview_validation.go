package review

import (
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The validation below is pkg/apis/authorization/validation at v1.37.1,
// field paths and messages included (typos too: "may not specified").

const unionMessage = `exactly one of nonResourceAttributes or resourceAttributes must be specified`

// internalNonResourceAttributes renders a bad nonResourceAttributes value the
// way upstream's error shows it: upstream passes its internal type, which has
// no json tags, so the value prints as {"Path":…,"Verb":…}.
type internalNonResourceAttributes struct {
	Path string
	Verb string
}

// nonResourceBadValue is nra as upstream's errors print it; nil prints null.
func nonResourceBadValue(nra *authorizationv1.NonResourceAttributes) any {
	if nra == nil {
		return nil
	}
	return internalNonResourceAttributes{Path: nra.Path, Verb: nra.Verb}
}

// validateAttributesUnion checks that exactly one of ra and nra is set.
func validateAttributesUnion(ra *authorizationv1.ResourceAttributes, nra *authorizationv1.NonResourceAttributes, fldPath *field.Path) field.ErrorList {
	if (ra == nil) == (nra == nil) {
		return field.ErrorList{field.Invalid(fldPath, nonResourceBadValue(nra), unionMessage).WithOrigin("union").MarkCoveredByDeclarative()}
	}
	return nil
}

func validateSubjectAccessReviewSpec(spec authorizationv1.SubjectAccessReviewSpec, fldPath *field.Path) field.ErrorList {
	allErrs := validateAttributesUnion(spec.ResourceAttributes, spec.NonResourceAttributes, fldPath)
	if spec.User == "" && len(spec.Groups) == 0 {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("user"), spec.User, `at least one of user or group must be specified`))
	}
	return append(allErrs, validateResourceAttributes(spec.ResourceAttributes, field.NewPath("spec", "resourceAttributes"))...)
}

func validateSubjectAccessReview(sar *authorizationv1.SubjectAccessReview) field.ErrorList {
	allErrs := validateSubjectAccessReviewSpec(sar.Spec, field.NewPath("spec"))
	if !metaEmpty(sar.ObjectMeta, false) {
		allErrs = append(allErrs, field.Invalid(field.NewPath("metadata"), sar.ObjectMeta, `must be empty`))
	}
	return allErrs
}

func validateSelfSubjectAccessReview(sar *authorizationv1.SelfSubjectAccessReview) field.ErrorList {
	allErrs := validateAttributesUnion(sar.Spec.ResourceAttributes, sar.Spec.NonResourceAttributes, field.NewPath("spec"))
	allErrs = append(allErrs, validateResourceAttributes(sar.Spec.ResourceAttributes, field.NewPath("spec", "resourceAttributes"))...)
	if !metaEmpty(sar.ObjectMeta, false) {
		allErrs = append(allErrs, field.Invalid(field.NewPath("metadata"), sar.ObjectMeta, `must be empty`))
	}
	return allErrs
}

func validateLocalSubjectAccessReview(sar *authorizationv1.LocalSubjectAccessReview) field.ErrorList {
	allErrs := validateSubjectAccessReviewSpec(sar.Spec, field.NewPath("spec"))
	if !metaEmpty(sar.ObjectMeta, true) {
		allErrs = append(allErrs, field.Invalid(field.NewPath("metadata"), sar.ObjectMeta, `must be empty except for namespace`))
	}
	if ra := sar.Spec.ResourceAttributes; ra != nil && ra.Namespace != sar.Namespace {
		allErrs = append(allErrs, field.Invalid(field.NewPath("spec", "resourceAttributes", "namespace"), ra.Namespace, `must match metadata.namespace`))
	}
	if nra := sar.Spec.NonResourceAttributes; nra != nil {
		allErrs = append(allErrs, field.Invalid(field.NewPath("spec", "nonResourceAttributes"), nonResourceBadValue(nra), `disallowed on this kind of request`))
	}
	return allErrs
}

// metaEmpty reports whether m is empty but for managedFields (which the
// create handler sets) and, if allowNamespace, the namespace.
func metaEmpty(m metav1.ObjectMeta, allowNamespace bool) bool {
	m.ManagedFields = nil
	if allowNamespace {
		m.Namespace = ""
	}
	return apiequality.Semantic.DeepEqual(metav1.ObjectMeta{}, m)
}

func validateResourceAttributes(ra *authorizationv1.ResourceAttributes, fldPath *field.Path) field.ErrorList {
	if ra == nil {
		return nil
	}
	allErrs := validateFieldSelectorAttributes(ra.FieldSelector, fldPath.Child("fieldSelector"))
	return append(allErrs, validateLabelSelectorAttributes(ra.LabelSelector, fldPath.Child("labelSelector"))...)
}

// validateSelectorShape checks that exactly one of a raw selector and
// requirements is given.
func validateSelectorShape(raw string, nreqs int, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if raw != "" && nreqs > 0 {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("rawSelector"), raw, "may not specified at the same time as requirements"))
	}
	if raw == "" && nreqs == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("requirements"), fmt.Sprintf("when %s is specified, requirements or rawSelector is required", fldPath)))
	}
	return allErrs
}

// Unknown operators are allowed in requirements so that newer, skewed clients
// can still be authorized; the attributes conversion drops them instead.

func validateFieldSelectorAttributes(s *authorizationv1.FieldSelectorAttributes, fldPath *field.Path) field.ErrorList {
	if s == nil {
		return nil
	}
	allErrs := validateSelectorShape(s.RawSelector, len(s.Requirements), fldPath)
	opts := metav1validation.FieldSelectorValidationOptions{AllowUnknownOperatorInRequirement: true}
	for i, r := range s.Requirements {
		allErrs = append(allErrs, metav1validation.ValidateFieldSelectorRequirement(r, opts, fldPath.Child("requirements").Index(i))...)
	}
	return allErrs
}

func validateLabelSelectorAttributes(s *authorizationv1.LabelSelectorAttributes, fldPath *field.Path) field.ErrorList {
	if s == nil {
		return nil
	}
	allErrs := validateSelectorShape(s.RawSelector, len(s.Requirements), fldPath)
	opts := metav1validation.LabelSelectorValidationOptions{AllowUnknownOperatorInRequirement: true}
	for i, r := range s.Requirements {
		allErrs = append(allErrs, metav1validation.ValidateLabelSelectorRequirement(r, opts, fldPath.Child("requirements").Index(i))...)
	}
	return allErrs
}
