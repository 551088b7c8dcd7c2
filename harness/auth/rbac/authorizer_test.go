package rbac

import (
	"context"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	"k8s.io/apiserver/pkg/authorization/union"
	"k8s.io/apiserver/pkg/endpoints/handlers/responsewriters"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"
)

// newAuthorizer returns an authorizer over informers of a fake clientset
// holding objs, synced.
func newAuthorizer(t *testing.T, objs ...runtime.Object) *Authorizer {
	t.Helper()
	factory := informers.NewSharedInformerFactory(fake.NewClientset(objs...), 0)
	a := NewAuthorizer(factory)
	if a.HasSynced() {
		t.Fatal("HasSynced before the informers started")
	}
	ctx, cancel := context.WithCancel(context.Background())
	factory.Start(ctx.Done())
	t.Cleanup(func() {
		cancel()
		factory.Shutdown()
	})
	if !cache.WaitForCacheSync(t.Context().Done(), a.HasSynced) {
		t.Fatal("informers did not sync")
	}
	return a
}

func clusterRole(name string, rules ...rbacv1.PolicyRule) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}
}

func role(namespace, name string, rules ...rbacv1.PolicyRule) *rbacv1.Role {
	return &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}, Rules: rules}
}

func clusterRoleBinding(name, roleName string, subjects ...rbacv1.Subject) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: roleName},
		Subjects:   subjects,
	}
}

func roleBinding(namespace, name, kind, roleName string, subjects ...rbacv1.Subject) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: kind, Name: roleName},
		Subjects:   subjects,
	}
}

func userSubject(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}
}

func groupSubject(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: name}
}

func saSubject(namespace, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: name}
}

var (
	readPods   = rbacv1.PolicyRule{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	readHealth = rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz", "/healthz/*"}}
)

// as is attrs made by u, in namespace.
func as(u user.Info, namespace string, attrs authorizer.AttributesRecord) authorizer.AttributesRecord {
	attrs.User, attrs.Namespace = u, namespace
	return attrs
}

func TestAuthorize(t *testing.T) {
	t.Parallel()
	alice := &user.DefaultInfo{Name: "alice", Groups: []string{"devs", user.AllAuthenticated}}
	bob := &user.DefaultInfo{Name: "bob", Groups: []string{user.AllAuthenticated}}
	robot := &user.DefaultInfo{Name: "system:serviceaccount:apps:robot", Groups: []string{"system:serviceaccounts", "system:serviceaccounts:apps", user.AllAuthenticated}}
	a := newAuthorizer(t,
		clusterRole("pod-reader", readPods),
		clusterRole("health", readHealth),
		role("apps", "pod-reader", readPods),
		clusterRoleBinding("alice-health", "health", userSubject("alice")),
		roleBinding("apps", "devs-read", "Role", "pod-reader", userSubject("nobody"), groupSubject("devs")),
		roleBinding("web", "robot-read", "ClusterRole", "pod-reader", saSubject("apps", "robot")),
		roleBinding("apps", "robot-local", "Role", "pod-reader", saSubject("", "robot")),
		// a ClusterRoleBinding's ServiceAccount needs a namespace.
		clusterRoleBinding("robot-everywhere", "pod-reader", saSubject("", "robot")),
		// dangling references, visible in denials of the users they bind.
		clusterRoleBinding("bob-gone", "gone", userSubject("bob")),
		roleBinding("apps", "bob-gone", "Role", "gone", userSubject("bob")),
		roleBinding("web", "bob-odd", "Other", "x", userSubject("bob")),
	)
	if a.HasBootstrapPolicy() {
		t.Error("HasBootstrapPolicy without the bootstrap objects")
	}
	for _, tc := range []struct {
		name       string
		attrs      authorizer.AttributesRecord
		want       authorizer.Decision
		wantReason string
	}{
		{"cluster binding, path", as(alice, "", pathRequest("get", "/healthz/etcd")), authorizer.DecisionAllow,
			`RBAC: allowed by ClusterRoleBinding "alice-health" of ClusterRole "health" to User "alice"`},
		{"cluster binding, other path", as(alice, "", pathRequest("get", "/metrics")), authorizer.DecisionNoOpinion, ""},
		{"role binding by group, first matching subject named", as(alice, "apps", resourceRequest("list", "", "pods", "")), authorizer.DecisionAllow,
			`RBAC: allowed by RoleBinding "devs-read/apps" of Role "pod-reader" to Group "devs"`},
		{"role binding, verb not granted", as(alice, "apps", resourceRequest("delete", "", "pods", "web")), authorizer.DecisionNoOpinion, ""},
		{"role binding, other namespace", as(alice, "web", resourceRequest("list", "", "pods", "")), authorizer.DecisionNoOpinion, ""},
		{"role binding, cluster-wide", as(alice, "", resourceRequest("list", "", "pods", "")), authorizer.DecisionNoOpinion, ""},
		{"role binding of a cluster role, service account", as(robot, "web", resourceRequest("get", "", "pods", "x")), authorizer.DecisionAllow,
			`RBAC: allowed by RoleBinding "robot-read/web" of ClusterRole "pod-reader" to ServiceAccount "robot/apps"`},
		{"service account in the binding's namespace", as(robot, "apps", resourceRequest("get", "", "pods", "x")), authorizer.DecisionAllow,
			`RBAC: allowed by RoleBinding "robot-local/apps" of Role "pod-reader" to ServiceAccount "robot/apps"`},
		{"service account without namespace in a cluster binding", as(robot, "", resourceRequest("get", "", "pods", "x")), authorizer.DecisionNoOpinion, ""},
		{"missing cluster role and role", as(bob, "apps", resourceRequest("get", "", "pods", "x")), authorizer.DecisionNoOpinion,
			`RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, role.rbac.authorization.k8s.io "gone" not found]`},
		{"missing cluster role", as(bob, "", resourceRequest("get", "", "pods", "x")), authorizer.DecisionNoOpinion,
			`RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found`},
		{"unsupported roleRef kind", as(bob, "web", resourceRequest("get", "", "pods", "x")), authorizer.DecisionNoOpinion,
			`RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, unsupported role reference kind: "Other"]`},
		{"nobody", as(&user.DefaultInfo{Name: "carol"}, "apps", resourceRequest("get", "", "pods", "x")), authorizer.DecisionNoOpinion, ""},
		// system:masters is the privileged-group authorizer's, not RBAC's.
		{"system:masters", as(&user.DefaultInfo{Name: "admin", Groups: []string{user.SystemPrivilegedGroup}}, "apps", resourceRequest("get", "", "pods", "x")), authorizer.DecisionNoOpinion, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, reason, err := a.Authorize(t.Context(), tc.attrs)
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if got != tc.want || reason != tc.wantReason {
				t.Errorf("Authorize = %v, %q; want %v, %q", got, reason, tc.want, tc.wantReason)
			}
			cond := a.ConditionsAwareAuthorize(t.Context(), tc.attrs)
			if tc.want == authorizer.DecisionAllow && !cond.IsAllow() || tc.want == authorizer.DecisionNoOpinion && !cond.IsNoOpinion() {
				t.Errorf("ConditionsAwareAuthorize = %v, want %v", cond, tc.want)
			}
		})
	}
}

// TestForbiddenMessage checks the 403 message of a request RBAC has no
// opinion on, through kube-apiserver's authorizer chain: the
// privileged-group authorizer, then RBAC named "rbac" (the union prefixes
// a no-opinion reason with the authorizer's name).
func TestForbiddenMessage(t *testing.T) {
	t.Parallel()
	a := newAuthorizer(t, clusterRoleBinding("bob-gone", "gone", userSubject("bob")))
	chain, err := union.New(
		union.NamedAuthorizer{AuthorizerName: "kubernetes.io/system-privileged-group", Authorizer: authorizerfactory.NewPrivilegedGroups(user.SystemPrivilegedGroup)},
		union.NamedAuthorizer{AuthorizerName: "rbac", Authorizer: a},
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		attrs authorizer.AttributesRecord
		want  string
	}{
		{"resolution error", as(&user.DefaultInfo{Name: "bob"}, "default", resourceRequest("get", "", "pods", "web")),
			`pods "web" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "default": rbac: RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found`},
		{"no binding", as(&user.DefaultInfo{Name: "carol"}, "", resourceRequest("list", "apps", "deployments/scale", "")),
			`deployments.apps is forbidden: User "carol" cannot list resource "deployments/scale" in API group "apps" at the cluster scope`},
		{"path", as(&user.DefaultInfo{Name: "carol"}, "", pathRequest("get", "/metrics")),
			`forbidden: User "carol" cannot get path "/metrics"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			decision, reason, err := chain.Authorize(t.Context(), tc.attrs)
			if err != nil || decision != authorizer.DecisionNoOpinion {
				t.Fatalf("Authorize = %v, %q, %v; want NoOpinion", decision, reason, err)
			}
			if got := responsewriters.ForbiddenStatusError(tc.attrs, reason).Error(); got != tc.want {
				t.Errorf("forbidden message:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
	admin := as(&user.DefaultInfo{Name: "admin", Groups: []string{user.SystemPrivilegedGroup}}, "", resourceRequest("delete", "", "nodes", "n"))
	if decision, _, _ := chain.Authorize(t.Context(), admin); decision != authorizer.DecisionAllow {
		t.Errorf("system:masters: %v, want Allow", decision)
	}
}

func TestRulesFor(t *testing.T) {
	t.Parallel()
	both := rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"nodes"}, NonResourceURLs: []string{"/x"}}
	a := newAuthorizer(t,
		clusterRole("health", readHealth),
		clusterRole("both", both),
		role("apps", "pod-reader", readPods),
		clusterRoleBinding("alice-health", "health", userSubject("alice")),
		clusterRoleBinding("alice-both", "both", userSubject("alice")),
		roleBinding("apps", "alice-read", "Role", "pod-reader", userSubject("alice")),
		roleBinding("apps", "alice-gone", "Role", "gone", userSubject("alice")),
	)
	alice := &user.DefaultInfo{Name: "alice"}
	resources, nonResources, incomplete, err := a.RulesFor(t.Context(), alice, "apps")
	if incomplete {
		t.Error("RulesFor is incomplete, want complete (upstream never says so)")
	}
	if err == nil || err.Error() != `role.rbac.authorization.k8s.io "gone" not found` {
		t.Errorf("RulesFor error = %v, want the missing role", err)
	}
	var gotResources, gotURLs []string
	for _, r := range resources {
		gotResources = append(gotResources, r.GetResources()...)
	}
	for _, r := range nonResources {
		gotURLs = append(gotURLs, r.GetNonResourceURLs()...)
	}
	slices.Sort(gotResources)
	slices.Sort(gotURLs)
	if want := []string{"nodes", "pods"}; !slices.Equal(gotResources, want) {
		t.Errorf("resource rules cover %v, want %v", gotResources, want)
	}
	if want := []string{"/healthz", "/healthz/*", "/x"}; !slices.Equal(gotURLs, want) {
		t.Errorf("non-resource rules cover %v, want %v", gotURLs, want)
	}
	resources, _, _, _ = a.RulesFor(t.Context(), alice, "")
	if len(resources) != 1 {
		t.Errorf("cluster-wide: %d resource rules, want 1 (nodes)", len(resources))
	}
}
