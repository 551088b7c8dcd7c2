package printers

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1beta1 "k8s.io/api/rbac/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// rbac prints role bindings; roles and cluster roles keep the default table.
func rbac(s *set) {
	r := rbacv1.Resource
	add[rbacv1.RoleBinding, rbacv1.RoleBindingList](s, bindingColumns("roleBinding", rbacv1beta1.RoleBinding{}.SwaggerDoc()["roleRef"]),
		cells(func(b *rbacv1.RoleBinding) []interface{} { return printBinding(&b.ObjectMeta, b.RoleRef, b.Subjects) }), r("rolebindings"))
	add[rbacv1.ClusterRoleBinding, rbacv1.ClusterRoleBindingList](s, bindingColumns("clusterRoleBinding", rbacv1beta1.ClusterRoleBinding{}.SwaggerDoc()["roleRef"]),
		cells(func(b *rbacv1.ClusterRoleBinding) []interface{} {
			return printBinding(&b.ObjectMeta, b.RoleRef, b.Subjects)
		}), r("clusterrolebindings"))
}

func bindingColumns(kind, roleRefDoc string) []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		nameColumn,
		{Name: "Role", Type: "string", Description: roleRefDoc},
		ageColumn,
		{Name: "Users", Type: "string", Priority: 1, Description: "Users in the " + kind},
		{Name: "Groups", Type: "string", Priority: 1, Description: "Groups in the " + kind},
		{Name: "ServiceAccounts", Type: "string", Priority: 1, Description: "ServiceAccounts in the " + kind},
	}
}

// printBinding: ROLE is kind/name; subjects of other kinds are not shown.
func printBinding(m *metav1.ObjectMeta, ref rbacv1.RoleRef, subjects []rbacv1.Subject) []interface{} {
	var users, groups, sas []string
	for _, s := range subjects {
		switch s.Kind {
		case rbacv1.ServiceAccountKind:
			sas = append(sas, fmt.Sprintf("%s/%s", s.Namespace, s.Name))
		case rbacv1.UserKind:
			users = append(users, s.Name)
		case rbacv1.GroupKind:
			groups = append(groups, s.Name)
		}
	}
	return []interface{}{m.Name, ref.Kind + "/" + ref.Name, age(m.CreationTimestamp),
		strings.Join(users, ", "), strings.Join(groups, ", "), strings.Join(sas, ", ")}
}
