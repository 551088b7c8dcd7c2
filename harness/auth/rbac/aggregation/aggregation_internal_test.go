package aggregation

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

func TestConverged(t *testing.T) {
	t.Parallel()
	get := rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	list := rbacv1.PolicyRule{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	label := map[string]string{"example.com/agg": "true"}
	parts := []runtime.Object{
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "b", Labels: label}, Rules: []rbacv1.PolicyRule{list, get}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "a", Labels: label}, Rules: []rbacv1.PolicyRule{get}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "other"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}}},
	}
	aggregated := func(rules ...rbacv1.PolicyRule) *rbacv1.ClusterRole {
		return &rbacv1.ClusterRole{
			ObjectMeta:      metav1.ObjectMeta{Name: "whole"},
			AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: label}}},
			Rules:           rules,
		}
	}
	for _, tc := range []struct {
		name string
		role *rbacv1.ClusterRole
		want bool
	}{
		{"aggregated: by name, each rule once", aggregated(get, list), true},
		{"not yet", aggregated(), false},
		{"another order", aggregated(list, get), false},
		{"a rule too many", aggregated(get, list, list), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := fake.NewClientset(append([]runtime.Object{tc.role}, parts...)...)
			got, err := Converged(t.Context(), client)
			if err != nil || got != tc.want {
				t.Errorf("Converged = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	if ok, err := Converged(t.Context(), fake.NewClientset(parts...)); !ok || err != nil {
		t.Errorf("Converged without aggregated roles = %v, %v; want true", ok, err)
	}
}
