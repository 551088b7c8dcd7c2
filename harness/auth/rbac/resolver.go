package rbac

import (
	"context"
	"fmt"
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/authentication/serviceaccount"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	rbaclisters "k8s.io/client-go/listers/rbac/v1"
)

// policySource is where a resolver reads roles and bindings: upstream's
// RoleGetter, RoleBindingLister, ClusterRoleGetter and
// ClusterRoleBindingLister. The authorizer reads informer caches
// (listerPolicy), escalation checks the registries (registryPolicy), as in
// kube-apiserver; the two say "not found" differently, and callers see
// which: a lister names the kind (`clusterrole.rbac.authorization.k8s.io
// "x" not found`), a registry the resource of the request being served
// (`rolebindings.rbac.authorization.k8s.io "x" not found` when a
// RoleBinding refers to a missing ClusterRole: genericregistry.Store's
// quirk, kube-apiserver's message).
type policySource interface {
	role(ctx context.Context, namespace, name string) (*rbacv1.Role, error)
	roleBindings(ctx context.Context, namespace string) ([]*rbacv1.RoleBinding, error)
	clusterRole(ctx context.Context, name string) (*rbacv1.ClusterRole, error)
	clusterRoleBindings(ctx context.Context) ([]*rbacv1.ClusterRoleBinding, error)
}

// resolver finds the rules that apply to a user: upstream's
// DefaultRuleResolver (pkg/registry/rbac/validation).
type resolver struct {
	policy policySource
}

// rulesFor returns every rule that applies to u in namespace (cluster-wide
// rules only for ""). Rules are additive: on an error the rules returned
// are still valid, only incomplete.
func (r resolver) rulesFor(ctx context.Context, u user.Info, namespace string) ([]rbacv1.PolicyRule, error) {
	var rules []rbacv1.PolicyRule
	var errs []error
	r.visitRulesFor(ctx, u, namespace, func(_ fmt.Stringer, rule *rbacv1.PolicyRule, err error) bool {
		if rule != nil {
			rules = append(rules, *rule)
		}
		if err != nil {
			errs = append(errs, err)
		}
		return true
	})
	return rules, utilerrors.NewAggregate(errs)
}

// visitRulesFor calls visit with each rule that applies to u in namespace
// and its source, then with each error met resolving them (rule nil);
// visit returning false stops the walk. ClusterRoleBindings come first,
// then the namespace's RoleBindings, in the order the policy lists them.
func (r resolver) visitRulesFor(ctx context.Context, u user.Info, namespace string, visit func(source fmt.Stringer, rule *rbacv1.PolicyRule, err error) bool) {
	if bindings, err := r.policy.clusterRoleBindings(ctx); err != nil {
		if !visit(nil, nil, err) {
			return
		}
	} else {
		for _, b := range bindings {
			i, ok := appliesTo(u, b.Subjects, "")
			if !ok {
				continue
			}
			rules, err := r.roleRefRules(ctx, b.RoleRef, "")
			if err != nil {
				if !visit(nil, nil, err) {
					return
				}
				continue
			}
			source := clusterRoleBindingSource{binding: b, subject: &b.Subjects[i]}
			for j := range rules {
				if !visit(source, &rules[j], nil) {
					return
				}
			}
		}
	}
	if namespace == "" {
		return
	}
	bindings, err := r.policy.roleBindings(ctx, namespace)
	if err != nil {
		visit(nil, nil, err)
		return
	}
	for _, b := range bindings {
		i, ok := appliesTo(u, b.Subjects, namespace)
		if !ok {
			continue
		}
		rules, err := r.roleRefRules(ctx, b.RoleRef, namespace)
		if err != nil {
			if !visit(nil, nil, err) {
				return
			}
			continue
		}
		source := roleBindingSource{binding: b, subject: &b.Subjects[i]}
		for j := range rules {
			if !visit(source, &rules[j], nil) {
				return
			}
		}
	}
}

// roleRefRules returns the rules of the role a binding in namespace ("" for
// a ClusterRoleBinding) refers to: upstream's GetRoleReferenceRules.
func (r resolver) roleRefRules(ctx context.Context, ref rbacv1.RoleRef, namespace string) ([]rbacv1.PolicyRule, error) {
	switch ref.Kind {
	case "Role":
		role, err := r.policy.role(ctx, namespace, ref.Name)
		if err != nil {
			return nil, err
		}
		return role.Rules, nil
	case "ClusterRole":
		role, err := r.policy.clusterRole(ctx, ref.Name)
		if err != nil {
			return nil, err
		}
		return role.Rules, nil
	default:
		return nil, fmt.Errorf("unsupported role reference kind: %q", ref.Kind)
	}
}

// appliesTo returns the index of the first subject that is u, if any.
func appliesTo(u user.Info, subjects []rbacv1.Subject, namespace string) (int, bool) {
	for i, s := range subjects {
		if appliesToUser(u, s, namespace) {
			return i, true
		}
	}
	return 0, false
}

// appliesToUser: a User subject by name, a Group by membership, a
// ServiceAccount by its username, its namespace defaulting to the
// binding's (a ClusterRoleBinding's ServiceAccount needs one).
func appliesToUser(u user.Info, s rbacv1.Subject, namespace string) bool {
	switch s.Kind {
	case rbacv1.UserKind:
		return u.GetName() == s.Name
	case rbacv1.GroupKind:
		return slices.Contains(u.GetGroups(), s.Name)
	case rbacv1.ServiceAccountKind:
		ns := namespace
		if s.Namespace != "" {
			ns = s.Namespace
		}
		if ns == "" {
			return false
		}
		return serviceaccount.MatchesUsername(ns, s.Name, u.GetName())
	default:
		return false
	}
}

// clusterRoleBindingSource names the binding that allowed a request, in
// the authorizer's reason: `ClusterRoleBinding "x" of ClusterRole "y" to
// Group "z"`.
type clusterRoleBindingSource struct {
	binding *rbacv1.ClusterRoleBinding
	subject *rbacv1.Subject
}

func (s clusterRoleBindingSource) String() string {
	return fmt.Sprintf("ClusterRoleBinding %q of %s %q to %s",
		s.binding.Name, s.binding.RoleRef.Kind, s.binding.RoleRef.Name, describeSubject(s.subject, ""))
}

// roleBindingSource: `RoleBinding "x/ns" of Role "y" to User "z"`.
type roleBindingSource struct {
	binding *rbacv1.RoleBinding
	subject *rbacv1.Subject
}

func (s roleBindingSource) String() string {
	return fmt.Sprintf("RoleBinding %q of %s %q to %s",
		s.binding.Name+"/"+s.binding.Namespace, s.binding.RoleRef.Kind, s.binding.RoleRef.Name,
		describeSubject(s.subject, s.binding.Namespace))
}

// describeSubject: `User "alice"`, `ServiceAccount "name/namespace"`.
func describeSubject(s *rbacv1.Subject, bindingNamespace string) string {
	if s.Kind == rbacv1.ServiceAccountKind {
		ns := s.Namespace
		if ns == "" {
			ns = bindingNamespace
		}
		return fmt.Sprintf("%s %q", s.Kind, s.Name+"/"+ns)
	}
	return fmt.Sprintf("%s %q", s.Kind, s.Name)
}

// listerPolicy reads informer caches, as kube-apiserver's RBAC authorizer
// does: fast, and as fresh as the informers.
type listerPolicy struct {
	roleLister               rbaclisters.RoleLister
	roleBindingLister        rbaclisters.RoleBindingLister
	clusterRoleLister        rbaclisters.ClusterRoleLister
	clusterRoleBindingLister rbaclisters.ClusterRoleBindingLister
}

func (p listerPolicy) role(_ context.Context, namespace, name string) (*rbacv1.Role, error) {
	return p.roleLister.Roles(namespace).Get(name)
}

func (p listerPolicy) roleBindings(_ context.Context, namespace string) ([]*rbacv1.RoleBinding, error) {
	return p.roleBindingLister.RoleBindings(namespace).List(labels.Everything())
}

func (p listerPolicy) clusterRole(_ context.Context, name string) (*rbacv1.ClusterRole, error) {
	return p.clusterRoleLister.Get(name)
}

func (p listerPolicy) clusterRoleBindings(context.Context) ([]*rbacv1.ClusterRoleBinding, error) {
	return p.clusterRoleBindingLister.List(labels.Everything())
}

// registryPolicy reads the registries, as kube-apiserver's escalation
// checks do (pkg/registry/rbac/rest): a role created a moment ago is seen.
// memkube's registries hold rbac/v1 objects (harness/apis has no other
// internal version); another type is a wiring bug and panics.
type registryPolicy struct {
	roleStore, roleBindingStore, clusterRoleStore, clusterRoleBindingStore rest.StandardStorage
}

func (p registryPolicy) role(ctx context.Context, namespace, name string) (*rbacv1.Role, error) {
	obj, err := p.roleStore.Get(genericapirequest.WithNamespace(ctx, namespace), name, &metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return obj.(*rbacv1.Role), nil
}

func (p registryPolicy) roleBindings(ctx context.Context, namespace string) ([]*rbacv1.RoleBinding, error) {
	obj, err := p.roleBindingStore.List(genericapirequest.WithNamespace(ctx, namespace), &metainternalversion.ListOptions{})
	if err != nil {
		return nil, err
	}
	list := obj.(*rbacv1.RoleBindingList)
	out := make([]*rbacv1.RoleBinding, len(list.Items))
	for i := range list.Items {
		out[i] = &list.Items[i]
	}
	return out, nil
}

func (p registryPolicy) clusterRole(ctx context.Context, name string) (*rbacv1.ClusterRole, error) {
	obj, err := p.clusterRoleStore.Get(genericapirequest.WithNamespace(ctx, ""), name, &metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return obj.(*rbacv1.ClusterRole), nil
}

func (p registryPolicy) clusterRoleBindings(ctx context.Context) ([]*rbacv1.ClusterRoleBinding, error) {
	obj, err := p.clusterRoleBindingStore.List(genericapirequest.WithNamespace(ctx, ""), &metainternalversion.ListOptions{})
	if err != nil {
		return nil, err
	}
	list := obj.(*rbacv1.ClusterRoleBindingList)
	out := make([]*rbacv1.ClusterRoleBinding, len(list.Items))
	for i := range list.Items {
		out[i] = &list.Items[i]
	}
	return out, nil
}
