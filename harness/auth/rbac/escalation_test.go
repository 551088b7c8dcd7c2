package rbac

import (
	"context"
	"strings"
	"sync"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

// memoryStorage is a registry of one rbac/v1 resource in a map: enough of
// rest.StandardStorage for the policy-based registries.
type memoryStorage struct {
	resource   schema.GroupResource
	namespaced bool
	newObj     func() runtime.Object
	newList    func(items []runtime.Object) runtime.Object

	mu      sync.Mutex
	objects map[string]runtime.Object // by namespace/name
}

var (
	_ rest.StandardStorage      = (*memoryStorage)(nil)
	_ rest.SingularNameProvider = (*memoryStorage)(nil)
)

func newMemoryStorage(resource string) *memoryStorage {
	s := &memoryStorage{resource: rbacv1.Resource(resource), objects: map[string]runtime.Object{}}
	switch resource {
	case rolesResource:
		s.namespaced = true
		s.newObj = func() runtime.Object { return &rbacv1.Role{} }
		s.newList = func(items []runtime.Object) runtime.Object {
			l := &rbacv1.RoleList{}
			for _, o := range items {
				l.Items = append(l.Items, *o.(*rbacv1.Role))
			}
			return l
		}
	case roleBindingsResource:
		s.namespaced = true
		s.newObj = func() runtime.Object { return &rbacv1.RoleBinding{} }
		s.newList = func(items []runtime.Object) runtime.Object {
			l := &rbacv1.RoleBindingList{}
			for _, o := range items {
				l.Items = append(l.Items, *o.(*rbacv1.RoleBinding))
			}
			return l
		}
	case clusterRolesResource:
		s.newObj = func() runtime.Object { return &rbacv1.ClusterRole{} }
		s.newList = func(items []runtime.Object) runtime.Object {
			l := &rbacv1.ClusterRoleList{}
			for _, o := range items {
				l.Items = append(l.Items, *o.(*rbacv1.ClusterRole))
			}
			return l
		}
	case clusterRoleBindingsResource:
		s.newObj = func() runtime.Object { return &rbacv1.ClusterRoleBinding{} }
		s.newList = func(items []runtime.Object) runtime.Object {
			l := &rbacv1.ClusterRoleBindingList{}
			for _, o := range items {
				l.Items = append(l.Items, *o.(*rbacv1.ClusterRoleBinding))
			}
			return l
		}
	}
	return s
}

func (s *memoryStorage) key(ctx context.Context, name string) string {
	ns, _ := genericapirequest.NamespaceFrom(ctx)
	return ns + "/" + name
}

// qualifiedResource names the resource in errors as genericregistry.Store
// does: after the request's resource, whichever registry answers. So a
// role missing from an escalation check of a rolebindings request is
// `rolebindings.rbac.authorization.k8s.io "x" not found`, in kube-apiserver too.
func (s *memoryStorage) qualifiedResource(ctx context.Context) schema.GroupResource {
	if info, ok := genericapirequest.RequestInfoFrom(ctx); ok {
		return schema.GroupResource{Group: info.APIGroup, Resource: info.Resource}
	}
	return s.resource
}

func (s *memoryStorage) New() runtime.Object     { return s.newObj() }
func (s *memoryStorage) NewList() runtime.Object { return s.newList(nil) }
func (s *memoryStorage) Destroy()                {}
func (s *memoryStorage) GetSingularName() string { return strings.TrimSuffix(s.resource.Resource, "s") }
func (s *memoryStorage) NamespaceScoped() bool   { return s.namespaced }

func (s *memoryStorage) Get(ctx context.Context, name string, _ *metav1.GetOptions) (runtime.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	obj, ok := s.objects[s.key(ctx, name)]
	if !ok {
		return nil, apierrors.NewNotFound(s.qualifiedResource(ctx), name)
	}
	return obj.DeepCopyObject(), nil
}

func (s *memoryStorage) List(ctx context.Context, _ *metainternalversion.ListOptions) (runtime.Object, error) {
	ns, _ := genericapirequest.NamespaceFrom(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []runtime.Object
	for key, obj := range s.objects {
		if ns == "" || strings.HasPrefix(key, ns+"/") {
			items = append(items, obj.DeepCopyObject())
		}
	}
	return s.newList(items), nil
}

func (s *memoryStorage) Create(ctx context.Context, obj runtime.Object, _ rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	m, _ := meta.Accessor(obj)
	if ns, _ := genericapirequest.NamespaceFrom(ctx); s.namespaced {
		m.SetNamespace(ns)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := s.key(ctx, m.GetName())
	if _, ok := s.objects[key]; ok {
		return nil, apierrors.NewAlreadyExists(s.qualifiedResource(ctx), m.GetName())
	}
	s.objects[key] = obj.DeepCopyObject()
	return obj, nil
}

func (s *memoryStorage) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, _ rest.ValidateObjectFunc, _ rest.ValidateObjectUpdateFunc, forceAllowCreate bool, _ *metav1.UpdateOptions) (runtime.Object, bool, error) {
	key := s.key(ctx, name)
	s.mu.Lock()
	old, exists := s.objects[key]
	s.mu.Unlock()
	if !exists {
		if !forceAllowCreate {
			return nil, false, apierrors.NewNotFound(s.qualifiedResource(ctx), name)
		}
		old = s.newObj()
	}
	// unlocked: the escalation check reads the registries. Tests do not race updates.
	obj, err := objInfo.UpdatedObject(ctx, old.DeepCopyObject())
	if err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[key] = obj.DeepCopyObject()
	return obj, !exists, nil
}

func (s *memoryStorage) Delete(context.Context, string, rest.ValidateObjectFunc, *metav1.DeleteOptions) (runtime.Object, bool, error) {
	panic("not used")
}

func (s *memoryStorage) DeleteCollection(context.Context, rest.ValidateObjectFunc, *metav1.DeleteOptions, *metainternalversion.ListOptions) (runtime.Object, error) {
	panic("not used")
}

func (s *memoryStorage) Watch(context.Context, *metainternalversion.ListOptions) (watch.Interface, error) {
	panic("not used")
}

func (s *memoryStorage) ConvertToTable(context.Context, runtime.Object, runtime.Object) (*metav1.Table, error) {
	panic("not used")
}

// registries are the four registries behind PreventEscalation.
type registries struct {
	storage map[string]rest.Storage
	memory  map[string]*memoryStorage
}

// newRegistries guards four memory registries holding objs, asking authz
// about escalate and bind.
func newRegistries(t *testing.T, authz authorizer.UnconditionalAuthorizer, objs ...runtime.Object) registries {
	t.Helper()
	r := registries{storage: map[string]rest.Storage{}, memory: map[string]*memoryStorage{}}
	for _, resource := range []string{rolesResource, roleBindingsResource, clusterRolesResource, clusterRoleBindingsResource} {
		r.memory[resource] = newMemoryStorage(resource)
		r.storage[resource] = r.memory[resource]
	}
	for _, obj := range objs {
		obj = obj.DeepCopyObject() // the fixtures are shared by parallel tests
		var resource string
		switch obj.(type) {
		case *rbacv1.Role:
			resource = rolesResource
		case *rbacv1.RoleBinding:
			resource = roleBindingsResource
		case *rbacv1.ClusterRole:
			resource = clusterRolesResource
		case *rbacv1.ClusterRoleBinding:
			resource = clusterRoleBindingsResource
		}
		m, _ := meta.Accessor(obj)
		ctx := genericapirequest.WithNamespace(context.Background(), m.GetNamespace())
		if _, err := r.memory[resource].Create(ctx, obj, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := PreventEscalation(r.storage, authz); err != nil {
		t.Fatal(err)
	}
	return r
}

// request is the context of a request of u to verb resource (named name)
// in namespace, as the handler chain builds it.
func request(u user.Info, verb, resource, namespace, name string) context.Context {
	ctx := genericapirequest.WithNamespace(context.Background(), namespace)
	ctx = genericapirequest.WithUser(ctx, u)
	return genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true, Verb: verb, APIGroup: rbacv1.GroupName, APIVersion: "v1",
		Resource: resource, Namespace: namespace, Name: name,
	})
}

func (r registries) create(ctx context.Context, resource string, obj runtime.Object) error {
	_, err := r.storage[resource].(rest.Creater).Create(ctx, obj, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	return err
}

func (r registries) update(ctx context.Context, resource string, obj runtime.Object) error {
	m, _ := meta.Accessor(obj)
	_, _, err := r.storage[resource].(rest.Updater).Update(ctx, m.GetName(), rest.DefaultUpdatedObjectInfo(obj), rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	return err
}

// allows is an authorizer allowing verb on resource to user name, so that
// tests may grant escalate and bind.
func allows(name, verb, resource string) authorizer.AuthorizerFunc {
	return func(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
		if a.GetUser().GetName() == name && a.GetVerb() == verb && a.GetResource() == resource && a.GetAPIGroup() == rbacv1.GroupName {
			return authorizer.DecisionAllow, "", nil
		}
		return authorizer.DecisionNoOpinion, "", nil
	}
}

var noOpinion = authorizer.AuthorizerFunc(func(context.Context, authorizer.Attributes) (authorizer.Decision, string, error) {
	return authorizer.DecisionNoOpinion, "", nil
})

// wantError checks err: nil if want is "", else an error with message want
// (whole) and status code.
func wantError(t *testing.T, err error, code int32, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("got no error, want %q", want)
	}
	if status, ok := err.(apierrors.APIStatus); !ok || status.Status().Code != code {
		t.Errorf("error %v is not a %d status", err, code)
	}
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err.Error(), want)
	}
}

func TestPreventEscalationRoles(t *testing.T) {
	t.Parallel()
	alice := &user.DefaultInfo{Name: "alice", Groups: []string{"devs", user.AllAuthenticated}}
	objects := []runtime.Object{
		clusterRole("pod-reader", readPods),
		clusterRole("health", readHealth),
		clusterRole("all", fullAuthority[0]),
		clusterRoleBinding("devs-health", "health", groupSubject("devs")),
		roleBinding("apps", "alice-read", "ClusterRole", "pod-reader", userSubject("alice")),
		clusterRoleBinding("bob-all", "all", userSubject("bob")),
		clusterRoleBinding("bob-gone", "gone", userSubject("bob")),
	}
	readPodsAndSecrets := rbacv1.PolicyRule{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods", "secrets"}}
	named := rbacv1.PolicyRule{Verbs: []string{"get", "update"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{"a", "b"}}
	aggregating := &rbacv1.ClusterRole{
		ObjectMeta:      metav1.ObjectMeta{Name: "agg"},
		AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"x": "y"}}}},
	}
	for _, tc := range []struct {
		name     string
		authz    authorizer.UnconditionalAuthorizer
		ctx      context.Context
		resource string
		obj      runtime.Object
		want     string
	}{
		{"role within the user's rules in its namespace", noOpinion, request(alice, "create", rolesResource, "apps", ""), rolesResource,
			role("apps", "r", readPods, readHealth), ""},
		{"role within the user's rules elsewhere", noOpinion, request(alice, "create", rolesResource, "web", ""), rolesResource,
			role("web", "r", readPods),
			`roles.rbac.authorization.k8s.io "r" is forbidden: user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
{APIGroups:[""], Resources:["pods"], Verbs:["get" "list" "watch"]}`},
		{"role beyond the user's rules: the missing ones, compacted and sorted", noOpinion, request(alice, "create", rolesResource, "apps", ""), rolesResource,
			role("apps", "r", readPodsAndSecrets, named, rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/metrics", "/healthz/etcd"}}),
			`roles.rbac.authorization.k8s.io "r" is forbidden: user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
{APIGroups:[""], Resources:["configmaps"], ResourceNames:["a"], Verbs:["get" "update"]}
{APIGroups:[""], Resources:["configmaps"], ResourceNames:["b"], Verbs:["get" "update"]}
{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}
{NonResourceURLs:["/metrics"], Verbs:["get"]}`},
		{"role with the escalate verb", allows("alice", "escalate", rolesResource), request(alice, "create", rolesResource, "web", ""), rolesResource,
			role("web", "r", readPodsAndSecrets), ""},
		{"escalate on clusterroles is not on roles", allows("alice", "escalate", clusterRolesResource), request(alice, "create", rolesResource, "web", ""), rolesResource,
			role("web", "r", readPods),
			`roles.rbac.authorization.k8s.io "r" is forbidden: user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
{APIGroups:[""], Resources:["pods"], Verbs:["get" "list" "watch"]}`},
		{"system:masters", noOpinion, request(&user.DefaultInfo{Name: "admin", Groups: []string{user.SystemPrivilegedGroup}}, "create", clusterRolesResource, "", ""), clusterRolesResource,
			clusterRole("c", fullAuthority...), ""},
		{"cluster role beyond the user's rules, with resolution errors", noOpinion, request(&user.DefaultInfo{Name: "bob"}, "create", clusterRolesResource, "", ""), clusterRolesResource,
			clusterRole("c", readHealth),
			`clusterroles.rbac.authorization.k8s.io "c" is forbidden: user "bob" (groups=[]) is attempting to grant RBAC permissions not currently held:
{NonResourceURLs:["/healthz"], Verbs:["get"]}
{NonResourceURLs:["/healthz/*"], Verbs:["get"]}; resolution errors: [clusterroles.rbac.authorization.k8s.io "gone" not found]`},
		// the registry names a missing ClusterRole after the request's resource, as kube-apiserver's.
		{"role beyond the user's rules, with resolution errors", noOpinion, request(&user.DefaultInfo{Name: "bob"}, "create", rolesResource, "apps", ""), rolesResource,
			role("apps", "r", readHealth),
			`roles.rbac.authorization.k8s.io "r" is forbidden: user "bob" (groups=[]) is attempting to grant RBAC permissions not currently held:
{NonResourceURLs:["/healthz"], Verbs:["get"]}
{NonResourceURLs:["/healthz/*"], Verbs:["get"]}; resolution errors: [roles.rbac.authorization.k8s.io "gone" not found]`},
		{"aggregationRule without full authority", noOpinion, request(&user.DefaultInfo{Name: "bob"}, "create", clusterRolesResource, "", ""), clusterRolesResource,
			aggregating, `clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule`},
		{"aggregationRule with escalate", allows("bob", "escalate", clusterRolesResource), request(&user.DefaultInfo{Name: "bob"}, "create", clusterRolesResource, "", ""), clusterRolesResource,
			aggregating, ""},
		{"no user", noOpinion, genericapirequest.WithNamespace(context.Background(), "apps"), rolesResource,
			role("apps", "r", readPods), `roles.rbac.authorization.k8s.io "r" is forbidden: no user on context`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRegistries(t, tc.authz, objects...)
			wantError(t, r.create(tc.ctx, tc.resource, tc.obj), 403, tc.want)
		})
	}
}

func TestPreventEscalationRoleUpdates(t *testing.T) {
	t.Parallel()
	alice := &user.DefaultInfo{Name: "alice"}
	existing := role("apps", "r", readPods, readHealth)
	ctx := request(alice, "update", rolesResource, "apps", "r")

	r := newRegistries(t, noOpinion, existing)
	gcOnly := existing.DeepCopy()
	gcOnly.Finalizers = []string{"example.com/keep"}
	gcOnly.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "owner", UID: "u"}}
	wantError(t, r.update(ctx, rolesResource, gcOnly), 403, "")

	relabelled := gcOnly.DeepCopy()
	relabelled.Labels = map[string]string{"a": "b"}
	wantError(t, r.update(ctx, rolesResource, relabelled), 403, `roles.rbac.authorization.k8s.io "r" is forbidden: user "alice" (groups=[]) is attempting to grant RBAC permissions not currently held:
{APIGroups:[""], Resources:["pods"], Verbs:["get" "list" "watch"]}
{NonResourceURLs:["/healthz"], Verbs:["get"]}
{NonResourceURLs:["/healthz/*"], Verbs:["get"]}`)

	r = newRegistries(t, allows("alice", "escalate", rolesResource), existing)
	wantError(t, r.update(ctx, rolesResource, relabelled), 403, "")

	// an existing aggregationRule needs full authority to be changed, even away.
	agg := &rbacv1.ClusterRole{
		ObjectMeta:      metav1.ObjectMeta{Name: "agg"},
		AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"x": "y"}}}},
	}
	r = newRegistries(t, noOpinion, agg, clusterRole("all", fullAuthority[0]), clusterRoleBinding("alice-all", "all", userSubject("alice")))
	plain := agg.DeepCopy()
	plain.AggregationRule = nil
	wantError(t, r.update(request(alice, "update", clusterRolesResource, "", "agg"), clusterRolesResource, plain), 403,
		`clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule`)
}

func TestPreventEscalationBindings(t *testing.T) {
	t.Parallel()
	alice := &user.DefaultInfo{Name: "alice", Groups: []string{"devs"}}
	objects := []runtime.Object{
		clusterRole("pod-reader", readPods),
		clusterRole("health", readHealth),
		role("apps", "local-reader", readPods),
		roleBinding("apps", "alice-read", "ClusterRole", "pod-reader", userSubject("alice")),
	}
	for _, tc := range []struct {
		name     string
		authz    authorizer.UnconditionalAuthorizer
		ctx      context.Context
		resource string
		obj      runtime.Object
		code     int32
		want     string
	}{
		{"binding a role the user holds in the namespace", noOpinion, request(alice, "create", roleBindingsResource, "apps", ""), roleBindingsResource,
			roleBinding("", "b", "Role", "local-reader", userSubject("carol")), 0, ""},
		{"binding a cluster role the user holds in the namespace", noOpinion, request(alice, "create", roleBindingsResource, "apps", ""), roleBindingsResource,
			roleBinding("", "b", "ClusterRole", "pod-reader", userSubject("carol")), 0, ""},
		{"binding it elsewhere", noOpinion, request(alice, "create", roleBindingsResource, "web", ""), roleBindingsResource,
			roleBinding("", "b", "ClusterRole", "pod-reader", userSubject("carol")), 403,
			`rolebindings.rbac.authorization.k8s.io "b" is forbidden: user "alice" (groups=["devs"]) is attempting to grant RBAC permissions not currently held:
{APIGroups:[""], Resources:["pods"], Verbs:["get" "list" "watch"]}`},
		{"binding it cluster-wide", noOpinion, request(alice, "create", clusterRoleBindingsResource, "", ""), clusterRoleBindingsResource,
			clusterRoleBinding("b", "pod-reader", userSubject("carol")), 403,
			`clusterrolebindings.rbac.authorization.k8s.io "b" is forbidden: user "alice" (groups=["devs"]) is attempting to grant RBAC permissions not currently held:
{APIGroups:[""], Resources:["pods"], Verbs:["get" "list" "watch"]}`},
		{"binding with the bind verb", allows("alice", "bind", clusterRolesResource), request(alice, "create", clusterRoleBindingsResource, "", ""), clusterRoleBindingsResource,
			clusterRoleBinding("b", "health", userSubject("carol")), 0, ""},
		{"binding a missing role", noOpinion, request(alice, "create", roleBindingsResource, "apps", ""), roleBindingsResource,
			roleBinding("", "b", "Role", "gone", userSubject("carol")), 404, `rolebindings.rbac.authorization.k8s.io "gone" not found`},
		{"binding a missing cluster role", noOpinion, request(alice, "create", clusterRoleBindingsResource, "", ""), clusterRoleBindingsResource,
			clusterRoleBinding("b", "gone", userSubject("carol")), 404, `clusterrolebindings.rbac.authorization.k8s.io "gone" not found`},
		{"binding a missing role with the bind verb", allows("alice", "bind", rolesResource), request(alice, "create", roleBindingsResource, "apps", ""), roleBindingsResource,
			roleBinding("", "b", "Role", "gone", userSubject("carol")), 0, ""},
		{"system:masters", noOpinion, request(&user.DefaultInfo{Name: "x", Groups: []string{user.SystemPrivilegedGroup}}, "create", clusterRoleBindingsResource, "", ""), clusterRoleBindingsResource,
			clusterRoleBinding("b", "gone", userSubject("carol")), 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRegistries(t, tc.authz, objects...)
			wantError(t, r.create(tc.ctx, tc.resource, tc.obj), tc.code, tc.want)
		})
	}
}

// TestBindVerbThroughRBAC grants bind on one ClusterRole by name, in one
// namespace, with the RBAC authorizer itself, as `kubectl create role
// --verb=bind --resource=clusterroles --resource-name=...` would.
func TestBindVerbThroughRBAC(t *testing.T) {
	t.Parallel()
	binder := rbacv1.PolicyRule{Verbs: []string{"bind"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterroles"}, ResourceNames: []string{"health"}}
	objects := []runtime.Object{
		clusterRole("health", readHealth),
		clusterRole("pod-reader", readPods),
		role("apps", "binder", binder),
		roleBinding("apps", "alice-binds", "Role", "binder", userSubject("alice")),
	}
	authz := newAuthorizer(t, objects...)
	r := newRegistries(t, authz, objects...)
	alice := &user.DefaultInfo{Name: "alice"}
	wantError(t, r.create(request(alice, "create", roleBindingsResource, "apps", ""), roleBindingsResource,
		roleBinding("", "b", "ClusterRole", "health", userSubject("carol"))), 0, "")
	wantError(t, r.create(request(alice, "create", roleBindingsResource, "apps", ""), roleBindingsResource,
		roleBinding("", "c", "ClusterRole", "pod-reader", userSubject("carol"))), 403,
		`rolebindings.rbac.authorization.k8s.io "c" is forbidden: user "alice" (groups=[]) is attempting to grant RBAC permissions not currently held:
{APIGroups:[""], Resources:["pods"], Verbs:["get" "list" "watch"]}`)
	wantError(t, r.create(request(alice, "create", roleBindingsResource, "web", ""), roleBindingsResource,
		roleBinding("", "b", "ClusterRole", "health", userSubject("carol"))), 403,
		`rolebindings.rbac.authorization.k8s.io "b" is forbidden: user "alice" (groups=[]) is attempting to grant RBAC permissions not currently held:
{NonResourceURLs:["/healthz"], Verbs:["get"]}
{NonResourceURLs:["/healthz/*"], Verbs:["get"]}`)
}

func TestPreventEscalationStorage(t *testing.T) {
	t.Parallel()
	r := newRegistries(t, noOpinion)
	for resource, namespaced := range map[string]bool{rolesResource: true, roleBindingsResource: true, clusterRolesResource: false, clusterRoleBindingsResource: false} {
		s := r.storage[resource]
		if s == rest.Storage(r.memory[resource]) {
			t.Errorf("%s: not replaced", resource)
		}
		if got := s.(rest.Scoper).NamespaceScoped(); got != namespaced {
			t.Errorf("%s: NamespaceScoped() = %v, want %v", resource, got, namespaced)
		}
		if got, want := s.(rest.SingularNameProvider).GetSingularName(), r.memory[resource].GetSingularName(); got != want {
			t.Errorf("%s: GetSingularName() = %q, want %q", resource, got, want)
		}
	}
	if err := PreventEscalation(map[string]rest.Storage{rolesResource: r.memory[rolesResource]}, noOpinion); err == nil {
		t.Error("PreventEscalation without all four registries: no error")
	}
}
