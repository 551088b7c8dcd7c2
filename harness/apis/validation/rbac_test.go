package validation_test

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/memkube/memkube/harness/apis/validation"
)

func validRole() *rbacv1.Role {
	return &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "reader", Namespace: "default"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}}},
	}
}

func TestRole(t *testing.T) {
	t.Parallel()
	runGroupCases(t, validRole, validation.Role, []groupCase[*rbacv1.Role]{
		{"no verbs", func(r *rbacv1.Role) { r.Rules[0].Verbs = nil },
			[]string{"rules[0].verbs: Required value: verbs must contain at least one value"}},
		{"no apiGroups or resources", func(r *rbacv1.Role) { r.Rules[0].APIGroups, r.Rules[0].Resources = nil, nil },
			[]string{"rules[0].apiGroups: Required value: resource rules must supply at least one api group", "rules[0].resources: Required value: resource rules must supply at least one resource"}},
		{"non-resource URLs", func(r *rbacv1.Role) { r.Rules[0].NonResourceURLs = []string{"/healthz"} },
			[]string{
				`rules[0].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs`,
				`rules[0].nonResourceURLs: Invalid value: ["/healthz"]: rules cannot apply to both regular resources and non-resource URLs`,
			}},
	})
}

func TestClusterRole(t *testing.T) {
	t.Parallel()
	valid := func() *rbacv1.ClusterRole {
		return &rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: "system:metrics"},
			Rules:      []rbacv1.PolicyRule{{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}},
		}
	}
	runGroupCases(t, valid, validation.ClusterRole, []groupCase[*rbacv1.ClusterRole]{
		{"empty aggregation rule", func(r *rbacv1.ClusterRole) { r.AggregationRule = &rbacv1.AggregationRule{} },
			[]string{"aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil"}},
		{"bad selector", func(r *rbacv1.ClusterRole) {
			r.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "a", Operator: "Is"}}}}}
		}, []string{
			`aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator`,
			`aggregationRule.clusterRoleSelectors[0]: Invalid value: null: invalid label selector.`,
		}},
	})
}

func validRoleBinding() *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "read", Namespace: "default"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "reader"},
		Subjects: []rbacv1.Subject{
			{Kind: rbacv1.ServiceAccountKind, Name: "default", Namespace: "default"},
			{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "jane"},
		},
	}
}

func TestRoleBinding(t *testing.T) {
	t.Parallel()
	runGroupCases(t, validRoleBinding, validation.RoleBinding, []groupCase[*rbacv1.RoleBinding]{
		{"wrong roleRef", func(b *rbacv1.RoleBinding) { b.RoleRef = rbacv1.RoleRef{APIGroup: "rbac", Kind: "Group"} },
			[]string{
				`roleRef.apiGroup: Unsupported value: "rbac": supported values: "rbac.authorization.k8s.io"`,
				`roleRef.kind: Unsupported value: "Group": supported values: "Role", "ClusterRole"`,
				"roleRef.name: Required value",
			}},
		{"service account with a group", func(b *rbacv1.RoleBinding) { b.Subjects[0].APIGroup = rbacv1.GroupName },
			[]string{`subjects[0].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""`}},
		{"user without group", func(b *rbacv1.RoleBinding) { b.Subjects[1].APIGroup = "" },
			[]string{`subjects[1].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"`}},
		{"unknown subject kind", func(b *rbacv1.RoleBinding) { b.Subjects[1].Kind = "Robot" },
			[]string{`subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"`}},
	})
	changed := validRoleBinding()
	changed.RoleRef.Name = "writer"
	assertErrors(t, validation.RoleBindingUpdate(changed, validRoleBinding()), []string{
		`roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"writer"}: field is immutable`,
	})
}

func TestClusterRoleBinding(t *testing.T) {
	t.Parallel()
	valid := func() *rbacv1.ClusterRoleBinding {
		return &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "read"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "default", Namespace: "default"}},
		}
	}
	runGroupCases(t, valid, validation.ClusterRoleBinding, []groupCase[*rbacv1.ClusterRoleBinding]{
		{"Role", func(b *rbacv1.ClusterRoleBinding) { b.RoleRef.Kind = "Role" },
			[]string{`roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"`}},
		{"service account without namespace", func(b *rbacv1.ClusterRoleBinding) { b.Subjects[0].Namespace = "" },
			[]string{"subjects[0].namespace: Required value"}},
		{"service account without name", func(b *rbacv1.ClusterRoleBinding) { b.Subjects[0].Name = "" },
			[]string{"subjects[0].name: Required value"}},
	})
}
