package defaults_test

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

func TestRBACDefaults(t *testing.T) {
	t.Parallel()
	users := []rbacv1.Subject{
		{Kind: rbacv1.UserKind, Name: "alice"},
		{Kind: rbacv1.GroupKind, Name: "devs"},
		{Kind: rbacv1.ServiceAccountKind, Name: "default", Namespace: "ns"},
		{Kind: rbacv1.UserKind, Name: "bob", APIGroup: "example.com"},
	}
	defaulted := []rbacv1.Subject{
		{Kind: rbacv1.UserKind, Name: "alice", APIGroup: rbacv1.GroupName},
		{Kind: rbacv1.GroupKind, Name: "devs", APIGroup: rbacv1.GroupName},
		{Kind: rbacv1.ServiceAccountKind, Name: "default", Namespace: "ns"},
		{Kind: rbacv1.UserKind, Name: "bob", APIGroup: "example.com"},
	}
	ref := rbacv1.RoleRef{Kind: "Role", Name: "r"}
	defaultedRef := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "r"}
	runGolden(t, []goldenCase{
		{
			name: "RoleBinding",
			in:   &rbacv1.RoleBinding{ObjectMeta: meta, RoleRef: ref, Subjects: users},
			want: &rbacv1.RoleBinding{ObjectMeta: meta, RoleRef: defaultedRef, Subjects: defaulted},
		},
		{
			name: "RoleBinding list",
			in:   &rbacv1.RoleBindingList{Items: []rbacv1.RoleBinding{{RoleRef: ref}}},
			want: &rbacv1.RoleBindingList{Items: []rbacv1.RoleBinding{{RoleRef: defaultedRef}}},
		},
		{
			name: "ClusterRoleBinding",
			in:   &rbacv1.ClusterRoleBinding{RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "admin"}, Subjects: users},
			want: &rbacv1.ClusterRoleBinding{RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "admin"}, Subjects: defaulted},
		},
		{
			name: "ClusterRoleBinding list",
			in:   &rbacv1.ClusterRoleBindingList{Items: []rbacv1.ClusterRoleBinding{{Subjects: users[:1]}}},
			want: &rbacv1.ClusterRoleBindingList{Items: []rbacv1.ClusterRoleBinding{{RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName}, Subjects: defaulted[:1]}}},
		},
	})
}
