package validation

import (
	rbacv1 "k8s.io/api/rbac/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Role is upstream's ValidateRole: namespaced rules may not name
// non-resource URLs. Escalation checks are authorization
// (harness/auth/rbac), not validation.
func Role(r *rbacv1.Role) field.ErrorList {
	var errs field.ErrorList
	for i, rule := range r.Rules {
		errs = append(errs, PolicyRule(rule, true, field.NewPath("rules").Index(i))...)
	}
	return errs
}

// ClusterRole is upstream's ValidateClusterRole.
func ClusterRole(r *rbacv1.ClusterRole) field.ErrorList {
	return clusterRole(r, false)
}

// ClusterRoleUpdate validates as on create, except that an invalid
// aggregation selector label value the stored role had may stay.
func ClusterRoleUpdate(r, old *rbacv1.ClusterRole) field.ErrorList {
	allowInvalid := false
	if old.AggregationRule != nil {
		for i := range old.AggregationRule.ClusterRoleSelectors {
			if len(metav1validation.ValidateLabelSelector(&old.AggregationRule.ClusterRoleSelectors[i], metav1validation.LabelSelectorValidationOptions{}, nil)) > 0 {
				allowInvalid = true
			}
		}
	}
	return clusterRole(r, allowInvalid)
}

func clusterRole(r *rbacv1.ClusterRole, allowInvalidLabelValue bool) field.ErrorList {
	var errs field.ErrorList
	for i, rule := range r.Rules {
		errs = append(errs, PolicyRule(rule, false, field.NewPath("rules").Index(i))...)
	}
	if r.AggregationRule == nil {
		return errs
	}
	path := field.NewPath("aggregationRule", "clusterRoleSelectors")
	if len(r.AggregationRule.ClusterRoleSelectors) == 0 {
		errs = append(errs, field.Required(path, "at least one clusterRoleSelector required if aggregationRule is non-nil"))
	}
	opts := metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: allowInvalidLabelValue}
	for i := range r.AggregationRule.ClusterRoleSelectors {
		selector := &r.AggregationRule.ClusterRoleSelectors[i]
		errs = append(errs, metav1validation.ValidateLabelSelector(selector, opts, path.Index(i))...)
		if parsed, err := metav1.LabelSelectorAsSelector(selector); err != nil {
			errs = append(errs, field.Invalid(path.Index(i), parsed, "invalid label selector."))
		}
	}
	return errs
}

// PolicyRule is upstream's ValidatePolicyRule: verbs always; a rule is
// either about non-resource URLs (cluster roles only) or about resources
// (with API groups).
func PolicyRule(rule rbacv1.PolicyRule, namespaced bool, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(rule.Verbs) == 0 {
		errs = append(errs, field.Required(path.Child("verbs"), "verbs must contain at least one value"))
	}
	if len(rule.NonResourceURLs) > 0 {
		if namespaced {
			errs = append(errs, field.Invalid(path.Child("nonResourceURLs"), rule.NonResourceURLs, "namespaced rules cannot apply to non-resource URLs"))
		}
		if len(rule.APIGroups) > 0 || len(rule.Resources) > 0 || len(rule.ResourceNames) > 0 {
			errs = append(errs, field.Invalid(path.Child("nonResourceURLs"), rule.NonResourceURLs, "rules cannot apply to both regular resources and non-resource URLs"))
		}
		return errs
	}
	if len(rule.APIGroups) == 0 {
		errs = append(errs, field.Required(path.Child("apiGroups"), "resource rules must supply at least one api group"))
	}
	if len(rule.Resources) == 0 {
		errs = append(errs, field.Required(path.Child("resources"), "resource rules must supply at least one resource"))
	}
	return errs
}

// RoleBinding is upstream's ValidateRoleBinding.
func RoleBinding(b *rbacv1.RoleBinding) field.ErrorList {
	return roleBinding(b.RoleRef, b.Subjects, true)
}

// RoleBindingUpdate adds to the create rules that roleRef is immutable.
func RoleBindingUpdate(b, old *rbacv1.RoleBinding) field.ErrorList {
	errs := RoleBinding(b)
	return append(errs, apimachineryvalidation.ValidateImmutableField(b.RoleRef, old.RoleRef, field.NewPath("roleRef")).WithOrigin("immutable")...)
}

// ClusterRoleBinding is upstream's ValidateClusterRoleBinding.
func ClusterRoleBinding(b *rbacv1.ClusterRoleBinding) field.ErrorList {
	return roleBinding(b.RoleRef, b.Subjects, false)
}

// ClusterRoleBindingUpdate adds to the create rules that roleRef is
// immutable.
func ClusterRoleBindingUpdate(b, old *rbacv1.ClusterRoleBinding) field.ErrorList {
	errs := ClusterRoleBinding(b)
	return append(errs, apimachineryvalidation.ValidateImmutableField(b.RoleRef, old.RoleRef, field.NewPath("roleRef")).WithOrigin("immutable")...)
}

func roleBinding(ref rbacv1.RoleRef, subjects []rbacv1.Subject, namespaced bool) field.ErrorList {
	var errs field.ErrorList
	refPath := field.NewPath("roleRef")
	if ref.APIGroup != rbacv1.GroupName {
		errs = append(errs, field.NotSupported(refPath.Child("apiGroup"), ref.APIGroup, []string{rbacv1.GroupName}))
	}
	kinds := []string{"ClusterRole"}
	if namespaced {
		kinds = []string{"Role", "ClusterRole"}
	}
	if ref.Kind != "ClusterRole" && (!namespaced || ref.Kind != "Role") {
		errs = append(errs, field.NotSupported(refPath.Child("kind"), ref.Kind, kinds))
	}
	errs = append(errs, requiredPathSegment(ref.Name, refPath.Child("name"))...)
	for i, s := range subjects {
		errs = append(errs, Subject(s, namespaced, field.NewPath("subjects").Index(i))...)
	}
	return errs
}

// Subject is upstream's ValidateRoleBindingSubject: a service account has
// no API group and, in a cluster binding, a namespace; users and groups
// are in rbac.authorization.k8s.io.
func Subject(s rbacv1.Subject, namespaced bool, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.Name == "" {
		errs = append(errs, field.Required(path.Child("name"), ""))
	}
	switch s.Kind {
	case rbacv1.ServiceAccountKind:
		if s.Name != "" {
			for _, msg := range apimachineryvalidation.ValidateServiceAccountName(s.Name, false) {
				errs = append(errs, field.Invalid(path.Child("name"), s.Name, msg))
			}
		}
		if s.APIGroup != "" {
			errs = append(errs, field.NotSupported(path.Child("apiGroup"), s.APIGroup, []string{""}))
		}
		if !namespaced && s.Namespace == "" {
			errs = append(errs, field.Required(path.Child("namespace"), ""))
		}
	case rbacv1.UserKind, rbacv1.GroupKind:
		if s.APIGroup != rbacv1.GroupName {
			errs = append(errs, field.NotSupported(path.Child("apiGroup"), s.APIGroup, []string{rbacv1.GroupName}))
		}
	default:
		errs = append(errs, field.NotSupported(path.Child("kind"), s.Kind, []string{rbacv1.ServiceAccountKind, rbacv1.UserKind, rbacv1.GroupKind}))
	}
	return errs
}
