package defaults

import (
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// addRBAC registers the rbac.authorization.k8s.io/v1 defaulters
// (pkg/apis/rbac/v1): bindings' roleRef and subjects get their API group.
func addRBAC(s *runtime.Scheme) {
	register(s, setRoleBinding)
	register(s, func(l *rbacv1.RoleBindingList) { each(l.Items, setRoleBinding) })
	register(s, setClusterRoleBinding)
	register(s, func(l *rbacv1.ClusterRoleBindingList) { each(l.Items, setClusterRoleBinding) })
}

func setRoleBinding(b *rbacv1.RoleBinding) {
	setRoleRef(&b.RoleRef)
	each(b.Subjects, setSubject)
}

func setClusterRoleBinding(b *rbacv1.ClusterRoleBinding) {
	setRoleRef(&b.RoleRef)
	each(b.Subjects, setSubject)
}

func setRoleRef(r *rbacv1.RoleRef) {
	if r.APIGroup == "" {
		r.APIGroup = rbacv1.GroupName
	}
}

// setSubject defaults the API group of User and Group subjects to
// rbac.authorization.k8s.io; a ServiceAccount's stays "" (the core group).
func setSubject(s *rbacv1.Subject) {
	if s.APIGroup != "" {
		return
	}
	switch s.Kind {
	case rbacv1.UserKind, rbacv1.GroupKind:
		s.APIGroup = rbacv1.GroupName
	}
}
