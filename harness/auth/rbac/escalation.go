package rbac

import (
	"context"
	"errors"
	"fmt"
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/memkube/memkube/harness/apis"
)

// The resources PreventEscalation guards, by their keys in a group
// version's storage map.
const (
	rolesResource               = "roles"
	roleBindingsResource        = "rolebindings"
	clusterRolesResource        = "clusterroles"
	clusterRoleBindingsResource = "clusterrolebindings"
)

// PreventEscalation replaces the registries of roles, rolebindings,
// clusterroles and clusterrolebindings in storage (rbac.authorization.k8s.io/v1's
// map, keyed by resource) with kube-apiserver's policy-based ones
// (pkg/registry/rbac/*/policybased), which refuse to let a user grant
// permissions it does not hold:
//
//   - creating or updating a Role or ClusterRole needs every permission in
//     its rules, or the "escalate" verb on it; a ClusterRole with an
//     aggregationRule needs "*" on everything ("must have cluster-admin
//     privileges to use the aggregationRule");
//   - creating or updating a RoleBinding or ClusterRoleBinding needs every
//     permission of the role it refers to (in the binding's namespace), or
//     the "bind" verb on that role; a missing role is 404, named after the
//     request's resource as kube-apiserver does (`rolebindings.rbac.authorization.k8s.io
//     "missing-role" not found`);
//   - members of system:masters may do anything, and updates that change
//     only finalizers, ownerReferences or managedFields (the garbage
//     collector's) are not checked.
//
// Refusals are 403 `<resource> "<name>" is forbidden: user "u"
// (groups=[...]) is attempting to grant RBAC permissions not currently
// held:\n<rules>`. The user's permissions are read from the registries
// themselves (consistent reads); the escalate and bind verbs are asked of
// authz, the server's whole authorizer chain. Each registry must be a
// rest.StandardStorage of rbac/v1 objects.
func PreventEscalation(storage map[string]rest.Storage, authz authorizer.UnconditionalAuthorizer) error {
	stores := map[string]rest.StandardStorage{}
	for _, resource := range []string{rolesResource, roleBindingsResource, clusterRolesResource, clusterRoleBindingsResource} {
		s, ok := storage[resource].(rest.StandardStorage)
		if !ok {
			return fmt.Errorf("rbac: the %s registry is %T, not a rest.StandardStorage", resource, storage[resource])
		}
		stores[resource] = s
	}
	r := resolver{policy: registryPolicy{
		roleStore:               stores[rolesResource],
		roleBindingStore:        stores[roleBindingsResource],
		clusterRoleStore:        stores[clusterRolesResource],
		clusterRoleBindingStore: stores[clusterRoleBindingsResource],
	}}
	for resource, s := range stores {
		g := guard{StandardStorage: s, authz: authz, resolver: r, resource: rbacv1.Resource(resource)}
		switch resource {
		case rolesResource:
			storage[resource] = &roleStorage{g}
		case clusterRolesResource:
			storage[resource] = &clusterRoleStorage{g}
		case roleBindingsResource:
			storage[resource] = &roleBindingStorage{g}
		case clusterRoleBindingsResource:
			storage[resource] = &clusterRoleBindingStorage{g}
		}
	}
	return nil
}

// guard is what the four policy-based registries share: the registry it
// wraps, which serves everything but Create and Update, and what they
// check with. Like upstream's, it shows the endpoint installer only
// rest.StandardStorage, Scoper, StorageVersionProvider and
// SingularNameProvider of the registry.
type guard struct {
	rest.StandardStorage
	authz    authorizer.UnconditionalAuthorizer
	resolver resolver
	resource schema.GroupResource
}

func (g *guard) NamespaceScoped() bool {
	return g.resource.Resource == rolesResource || g.resource.Resource == roleBindingsResource
}

func (g *guard) StorageVersion() runtime.GroupVersioner {
	if p, ok := g.StandardStorage.(rest.StorageVersionProvider); ok {
		return p.StorageVersion()
	}
	return nil
}

func (g *guard) GetSingularName() string {
	if p, ok := g.StandardStorage.(rest.SingularNameProvider); ok {
		return p.GetSingularName()
	}
	return ""
}

// confirm is confirmNoEscalation, as a 403 on the object.
func (g *guard) confirm(ctx context.Context, name string, rules []rbacv1.PolicyRule) error {
	if err := confirmNoEscalation(ctx, g.resolver, rules); err != nil {
		return apierrors.NewForbidden(g.resource, name, err)
	}
	return nil
}

// roleStorage is upstream's role/policybased.Storage.
type roleStorage struct{ guard }

func (s *roleStorage) Create(ctx context.Context, obj runtime.Object, validate rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	if escalationAllowed(ctx) || roleEscalationAuthorized(ctx, s.authz) {
		return s.StandardStorage.Create(ctx, obj, validate, options)
	}
	role := obj.(*rbacv1.Role)
	if err := s.confirm(ctx, role.Name, role.Rules); err != nil {
		return nil, err
	}
	return s.StandardStorage.Create(ctx, obj, validate, options)
}

func (s *roleStorage) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	if escalationAllowed(ctx) || roleEscalationAuthorized(ctx, s.authz) {
		return s.StandardStorage.Update(ctx, name, objInfo, createValidation, updateValidation, forceAllowCreate, options)
	}
	checked := rest.WrapUpdatedObjectInfo(objInfo, func(ctx context.Context, obj, old runtime.Object) (runtime.Object, error) {
		if apis.OnlyMutatesGCFields(obj, old) {
			return obj, nil
		}
		role := obj.(*rbacv1.Role)
		if err := s.confirm(ctx, role.Name, role.Rules); err != nil {
			return nil, err
		}
		return obj, nil
	})
	return s.StandardStorage.Update(ctx, name, checked, createValidation, updateValidation, forceAllowCreate, options)
}

// clusterRoleStorage is upstream's clusterrole/policybased.Storage.
type clusterRoleStorage struct{ guard }

// fullAuthority is what setting an aggregationRule takes: it can gather
// any permission.
var fullAuthority = []rbacv1.PolicyRule{
	{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}},
	{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}},
}

// errAggregationRule is upstream's refusal of an aggregationRule.
var errAggregationRule = errors.New("must have cluster-admin privileges to use the aggregationRule")

func (s *clusterRoleStorage) Create(ctx context.Context, obj runtime.Object, validate rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	if escalationAllowed(ctx) || roleEscalationAuthorized(ctx, s.authz) {
		return s.StandardStorage.Create(ctx, obj, validate, options)
	}
	role := obj.(*rbacv1.ClusterRole)
	if err := s.confirm(ctx, role.Name, role.Rules); err != nil {
		return nil, err
	}
	if hasAggregationRule(role) {
		if err := confirmNoEscalation(ctx, s.resolver, fullAuthority); err != nil {
			return nil, apierrors.NewForbidden(s.resource, role.Name, errAggregationRule)
		}
	}
	return s.StandardStorage.Create(ctx, obj, validate, options)
}

func (s *clusterRoleStorage) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	if escalationAllowed(ctx) || roleEscalationAuthorized(ctx, s.authz) {
		return s.StandardStorage.Update(ctx, name, objInfo, createValidation, updateValidation, forceAllowCreate, options)
	}
	checked := rest.WrapUpdatedObjectInfo(objInfo, func(ctx context.Context, obj, old runtime.Object) (runtime.Object, error) {
		if apis.OnlyMutatesGCFields(obj, old) {
			return obj, nil
		}
		role := obj.(*rbacv1.ClusterRole)
		if err := s.confirm(ctx, role.Name, role.Rules); err != nil {
			return nil, err
		}
		// an existing aggregationRule counts too: changing it could prevent tightening.
		oldRole, _ := old.(*rbacv1.ClusterRole)
		if hasAggregationRule(role) || oldRole != nil && hasAggregationRule(oldRole) {
			if err := confirmNoEscalation(ctx, s.resolver, fullAuthority); err != nil {
				return nil, apierrors.NewForbidden(s.resource, role.Name, errAggregationRule)
			}
		}
		return obj, nil
	})
	return s.StandardStorage.Update(ctx, name, checked, createValidation, updateValidation, forceAllowCreate, options)
}

func hasAggregationRule(role *rbacv1.ClusterRole) bool {
	return role.AggregationRule != nil && len(role.AggregationRule.ClusterRoleSelectors) > 0
}

// roleBindingStorage is upstream's rolebinding/policybased.Storage.
type roleBindingStorage struct{ guard }

func (s *roleBindingStorage) Create(ctx context.Context, obj runtime.Object, validate rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	if escalationAllowed(ctx) {
		return s.StandardStorage.Create(ctx, obj, validate, options)
	}
	// the object's namespace may be empty until the registry sets it from the request's.
	namespace, ok := genericapirequest.NamespaceFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("namespace is required")
	}
	binding := obj.(*rbacv1.RoleBinding)
	if err := s.confirmBinding(ctx, binding.Name, binding.RoleRef, namespace); err != nil {
		return nil, err
	}
	return s.StandardStorage.Create(ctx, obj, validate, options)
}

func (s *roleBindingStorage) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	if escalationAllowed(ctx) {
		return s.StandardStorage.Update(ctx, name, objInfo, createValidation, updateValidation, forceAllowCreate, options)
	}
	checked := rest.WrapUpdatedObjectInfo(objInfo, func(ctx context.Context, obj, old runtime.Object) (runtime.Object, error) {
		namespace, ok := genericapirequest.NamespaceFrom(ctx)
		if !ok {
			return nil, apierrors.NewBadRequest("namespace is required")
		}
		if apis.OnlyMutatesGCFields(obj, old) {
			return obj, nil
		}
		binding := obj.(*rbacv1.RoleBinding)
		if err := s.confirmBinding(ctx, binding.Name, binding.RoleRef, namespace); err != nil {
			return nil, err
		}
		return obj, nil
	})
	return s.StandardStorage.Update(ctx, name, checked, createValidation, updateValidation, forceAllowCreate, options)
}

// clusterRoleBindingStorage is upstream's clusterrolebinding/policybased.Storage.
type clusterRoleBindingStorage struct{ guard }

func (s *clusterRoleBindingStorage) Create(ctx context.Context, obj runtime.Object, validate rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	if escalationAllowed(ctx) {
		return s.StandardStorage.Create(ctx, obj, validate, options)
	}
	binding := obj.(*rbacv1.ClusterRoleBinding)
	if err := s.confirmBinding(ctx, binding.Name, binding.RoleRef, metav1.NamespaceNone); err != nil {
		return nil, err
	}
	return s.StandardStorage.Create(ctx, obj, validate, options)
}

func (s *clusterRoleBindingStorage) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	if escalationAllowed(ctx) {
		return s.StandardStorage.Update(ctx, name, objInfo, createValidation, updateValidation, forceAllowCreate, options)
	}
	checked := rest.WrapUpdatedObjectInfo(objInfo, func(ctx context.Context, obj, old runtime.Object) (runtime.Object, error) {
		if apis.OnlyMutatesGCFields(obj, old) {
			return obj, nil
		}
		binding := obj.(*rbacv1.ClusterRoleBinding)
		if err := s.confirmBinding(ctx, binding.Name, binding.RoleRef, metav1.NamespaceNone); err != nil {
			return nil, err
		}
		return obj, nil
	})
	return s.StandardStorage.Update(ctx, name, checked, createValidation, updateValidation, forceAllowCreate, options)
}

// confirmBinding allows a binding in namespace ("" for a
// ClusterRoleBinding) to ref if the user may bind the role, or holds its
// permissions. A role that cannot be read fails the request with the
// registry's error (404 for a missing role).
func (g *guard) confirmBinding(ctx context.Context, name string, ref rbacv1.RoleRef, namespace string) error {
	if bindingAuthorized(ctx, ref, namespace, g.authz) {
		return nil
	}
	rules, err := g.resolver.roleRefRules(ctx, ref, namespace)
	if err != nil {
		return err
	}
	return g.confirm(ctx, name, rules)
}

// escalationAllowed: system:masters may do anything (the API server's own
// loopback client is one of them).
func escalationAllowed(ctx context.Context) bool {
	u, ok := genericapirequest.UserFrom(ctx)
	return ok && slices.Contains(u.GetGroups(), user.SystemPrivilegedGroup)
}

// roleEscalationAuthorized reports whether authz lets the user "escalate"
// the role or clusterrole of the request.
func roleEscalationAuthorized(ctx context.Context, authz authorizer.UnconditionalAuthorizer) bool {
	if authz == nil {
		return false
	}
	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return false
	}
	info, ok := genericapirequest.RequestInfoFrom(ctx)
	if !ok || !info.IsResourceRequest || info.APIGroup != rbacv1.GroupName ||
		info.Resource != rolesResource && info.Resource != clusterRolesResource {
		return false
	}
	attrs := authorizer.AttributesRecord{
		User: u, Verb: "escalate", APIGroup: info.APIGroup, APIVersion: "*",
		Resource: info.Resource, Name: info.Name, Namespace: info.Namespace, ResourceRequest: true,
	}
	decision, _, err := authz.Authorize(ctx, attrs)
	if err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Cannot authorize escalate", "user", u.GetName(), "resource", info.Resource, "name", info.Name, "namespace", info.Namespace)
	}
	return decision == authorizer.DecisionAllow
}

// bindingAuthorized reports whether authz lets the user "bind" the role
// ref names, in the binding's namespace ("" for a ClusterRoleBinding):
// so one may delegate binding a ClusterRole in one namespace only.
func bindingAuthorized(ctx context.Context, ref rbacv1.RoleRef, namespace string, authz authorizer.UnconditionalAuthorizer) bool {
	if authz == nil {
		return false
	}
	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return false
	}
	attrs := authorizer.AttributesRecord{
		User: u, Verb: "bind", Namespace: namespace, ResourceRequest: true,
		APIGroup: ref.APIGroup, APIVersion: "*", Name: ref.Name,
	}
	switch ref.Kind {
	case "ClusterRole":
		attrs.Resource = clusterRolesResource
	case "Role":
		attrs.Resource = rolesResource
	default:
		return false
	}
	decision, _, err := authz.Authorize(ctx, attrs)
	if err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Cannot authorize bind", "user", u.GetName(), "roleRef", ref, "namespace", namespace)
	}
	return decision == authorizer.DecisionAllow
}
