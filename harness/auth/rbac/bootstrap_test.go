package rbac_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
	rbacv1 "k8s.io/api/rbac/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/auth/rbac"
	"github.com/memkube/memkube/harness/auth/rbac/aggregation"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestMain fails the package if a stopped server, controller or informer
// leaves goroutines behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, harnesstest.IgnoreLeaks()...)
}

// start starts a server, ensures the bootstrap policy through its admin
// client, and returns the client.
func start(t *testing.T) (*harness.Server, kubernetes.Interface) {
	t.Helper()
	s := harnesstest.Start(t, harness.Options{})
	client := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	if err := rbac.EnsureBootstrapPolicy(t.Context(), client); err != nil {
		t.Fatalf("EnsureBootstrapPolicy: %v", err)
	}
	return s, client
}

// runAggregation runs the clusterrole-aggregation controller until the
// test ends.
func runAggregation(t *testing.T, s *harness.Server) {
	t.Helper()
	c, err := aggregation.New(s.InProcessRESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	harnesstest.Run(t, func(ctx context.Context) { c.Run(ctx) })
}

// waitFor polls cond every 5 ms until it holds, for at most 20 s.
func waitFor(t *testing.T, what string, cond func(context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 20*time.Second, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// normal is an object's metadata without what the server sets.
func normal(m metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, Labels: m.Labels, Annotations: m.Annotations}
}

// TestBootstrapPolicyMatchesRealCluster ensures the bootstrap policy and
// runs the aggregation controller, and compares the RBAC objects with
// those of a real v1.37.1 cluster (kube-apiserver and
// kube-controller-manager; testdata in policy/, volatile metadata removed).
func TestBootstrapPolicyMatchesRealCluster(t *testing.T) {
	t.Parallel()
	s, client := start(t)
	runAggregation(t, s)
	want := rbac.AggregatedBootstrapPolicy()
	rbacClient := client.RbacV1()
	defaults := metav1.ListOptions{LabelSelector: "kubernetes.io/bootstrapping=rbac-defaults"}

	for _, w := range want.ClusterRoles {
		t.Run("clusterrole/"+w.Name, func(t *testing.T) {
			var got *rbacv1.ClusterRole
			// admin, edit and view get their rules from the controller.
			waitFor(t, "clusterrole "+w.Name, func(ctx context.Context) (bool, error) {
				var err error
				got, err = rbacClient.ClusterRoles().Get(ctx, w.Name, metav1.GetOptions{})
				return err == nil && apiequality.Semantic.DeepEqual(got.Rules, w.Rules), err
			})
			got.ObjectMeta = normal(got.ObjectMeta)
			got.TypeMeta = w.TypeMeta
			if !apiequality.Semantic.DeepEqual(got, &w) {
				t.Errorf("got %+v\nwant %+v", got, w)
			}
		})
	}
	for _, w := range want.ClusterRoleBindings {
		got, err := rbacClient.ClusterRoleBindings().Get(t.Context(), w.Name, metav1.GetOptions{})
		if err != nil {
			t.Errorf("clusterrolebinding %s: %v", w.Name, err)
			continue
		}
		got.ObjectMeta, got.TypeMeta = normal(got.ObjectMeta), w.TypeMeta
		if !apiequality.Semantic.DeepEqual(got, &w) {
			t.Errorf("clusterrolebinding %s:\n got %+v\nwant %+v", w.Name, got, w)
		}
	}
	for _, w := range want.Roles {
		got, err := rbacClient.Roles(w.Namespace).Get(t.Context(), w.Name, metav1.GetOptions{})
		if err != nil {
			t.Errorf("role %s/%s: %v", w.Namespace, w.Name, err)
			continue
		}
		got.ObjectMeta, got.TypeMeta = normal(got.ObjectMeta), w.TypeMeta
		if !apiequality.Semantic.DeepEqual(got, &w) {
			t.Errorf("role %s/%s:\n got %+v\nwant %+v", w.Namespace, w.Name, got, w)
		}
	}
	for _, w := range want.RoleBindings {
		got, err := rbacClient.RoleBindings(w.Namespace).Get(t.Context(), w.Name, metav1.GetOptions{})
		if err != nil {
			t.Errorf("rolebinding %s/%s: %v", w.Namespace, w.Name, err)
			continue
		}
		got.ObjectMeta, got.TypeMeta = normal(got.ObjectMeta), w.TypeMeta
		if !apiequality.Semantic.DeepEqual(got, &w) {
			t.Errorf("rolebinding %s/%s:\n got %+v\nwant %+v", w.Namespace, w.Name, got, w)
		}
	}

	// nothing else is a default.
	counts := []struct {
		kind      string
		list      func() (int, error)
		reference int
	}{
		{"clusterroles", func() (int, error) {
			l, err := rbacClient.ClusterRoles().List(t.Context(), defaults)
			return len(l.Items), err
		}, 73},
		{"clusterrolebindings", func() (int, error) {
			l, err := rbacClient.ClusterRoleBindings().List(t.Context(), defaults)
			return len(l.Items), err
		}, 54},
		{"roles", func() (int, error) {
			l, err := rbacClient.Roles("").List(t.Context(), defaults)
			return len(l.Items), err
		}, 7},
		{"rolebindings", func() (int, error) {
			l, err := rbacClient.RoleBindings("").List(t.Context(), defaults)
			return len(l.Items), err
		}, 7},
	}
	for _, c := range counts {
		n, err := c.list()
		if err != nil {
			t.Fatalf("list %s: %v", c.kind, err)
		}
		if n != c.reference {
			t.Errorf("%d %s labelled rbac-defaults, want %d as the reference cluster", n, c.kind, c.reference)
		}
	}

	// BootstrapPolicy is what kube-apiserver creates: aggregated roles empty.
	for _, r := range rbac.BootstrapPolicy().ClusterRoles {
		if r.AggregationRule != nil && r.Rules != nil {
			t.Errorf("BootstrapPolicy: aggregated clusterrole %s has rules %v", r.Name, r.Rules)
		}
	}
}

// TestEnsureBootstrapPolicyReconciles edits bootstrap objects as a cluster
// admin might, and checks what a second EnsureBootstrapPolicy (as on a
// restart) does: missing objects, rules, subjects, labels and aggregation
// selectors come back; extra ones stay; autoupdate "false" protects; a
// changed roleRef makes a new binding.
func TestEnsureBootstrapPolicyReconciles(t *testing.T) {
	t.Parallel()
	_, client := start(t)
	ctx := t.Context()
	rbacClient := client.RbacV1()
	mustUpdate := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// a default role stripped of its rules and its label, with an extra rule and label.
	extra := rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/extra"}}
	viewer, err := rbacClient.ClusterRoles().Get(ctx, "system:public-info-viewer", metav1.GetOptions{})
	mustUpdate(err)
	viewer.Rules = []rbacv1.PolicyRule{extra}
	viewer.Labels = map[string]string{"team": "a"}
	_, err = rbacClient.ClusterRoles().Update(ctx, viewer, metav1.UpdateOptions{})
	mustUpdate(err)

	// a protected one stripped of its rules.
	discovery, err := rbacClient.ClusterRoles().Get(ctx, "system:discovery", metav1.GetOptions{})
	mustUpdate(err)
	discovery.Rules = []rbacv1.PolicyRule{extra}
	discovery.Annotations[rbacv1.AutoUpdateAnnotationKey] = "false"
	_, err = rbacClient.ClusterRoles().Update(ctx, discovery, metav1.UpdateOptions{})
	mustUpdate(err)

	// an aggregated role that lost its selectors.
	admin, err := rbacClient.ClusterRoles().Get(ctx, "admin", metav1.GetOptions{})
	mustUpdate(err)
	admin.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"example.com/aggregate": "true"}}}}
	_, err = rbacClient.ClusterRoles().Update(ctx, admin, metav1.UpdateOptions{})
	mustUpdate(err)

	// a binding with other subjects.
	basic, err := rbacClient.ClusterRoleBindings().Get(ctx, "system:basic-user", metav1.GetOptions{})
	mustUpdate(err)
	basic.Subjects = []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "alice"}}
	_, err = rbacClient.ClusterRoleBindings().Update(ctx, basic, metav1.UpdateOptions{})
	mustUpdate(err)

	// a binding to another role.
	monitoring, err := rbacClient.ClusterRoleBindings().Get(ctx, "system:monitoring", metav1.GetOptions{})
	mustUpdate(err)
	mustUpdate(rbacClient.ClusterRoleBindings().Delete(ctx, "system:monitoring", metav1.DeleteOptions{}))
	moved := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "system:monitoring"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   monitoring.Subjects,
	}
	moved, err = rbacClient.ClusterRoleBindings().Create(ctx, moved, metav1.CreateOptions{})
	mustUpdate(err)

	// deleted objects.
	mustUpdate(rbacClient.Roles(metav1.NamespaceSystem).Delete(ctx, "system:controller:token-cleaner", metav1.DeleteOptions{}))
	mustUpdate(rbacClient.RoleBindings(metav1.NamespacePublic).Delete(ctx, "system:controller:bootstrap-signer", metav1.DeleteOptions{}))
	mustUpdate(rbacClient.ClusterRoles().Delete(ctx, "system:heapster", metav1.DeleteOptions{}))

	// a protected binding without subjects.
	leader, err := rbacClient.RoleBindings(metav1.NamespaceSystem).Get(ctx, "system::leader-locking-kube-scheduler", metav1.GetOptions{})
	mustUpdate(err)
	leader.Subjects = nil
	leader.Annotations[rbacv1.AutoUpdateAnnotationKey] = "false"
	_, err = rbacClient.RoleBindings(metav1.NamespaceSystem).Update(ctx, leader, metav1.UpdateOptions{})
	mustUpdate(err)

	if err := rbac.EnsureBootstrapPolicy(ctx, client); err != nil {
		t.Fatalf("EnsureBootstrapPolicy again: %v", err)
	}
	want := rbac.AggregatedBootstrapPolicy()
	find := func(name string) rbacv1.ClusterRole {
		for _, r := range want.ClusterRoles {
			if r.Name == name {
				return r
			}
		}
		t.Fatalf("no bootstrap clusterrole %s", name)
		return rbacv1.ClusterRole{}
	}

	viewer, err = rbacClient.ClusterRoles().Get(ctx, "system:public-info-viewer", metav1.GetOptions{})
	mustUpdate(err)
	// the missing rules come back one verb and URL each, after the extra one.
	wantRules := []rbacv1.PolicyRule{extra}
	for _, u := range find("system:public-info-viewer").Rules[0].NonResourceURLs {
		wantRules = append(wantRules, rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{u}})
	}
	if !apiequality.Semantic.DeepEqual(viewer.Rules, wantRules) {
		t.Errorf("reconciled system:public-info-viewer rules:\n got %+v\nwant %+v", viewer.Rules, wantRules)
	}
	if want := map[string]string{"team": "a", "kubernetes.io/bootstrapping": "rbac-defaults"}; !apiequality.Semantic.DeepEqual(viewer.Labels, want) {
		t.Errorf("reconciled system:public-info-viewer labels %v, want %v", viewer.Labels, want)
	}

	discovery, err = rbacClient.ClusterRoles().Get(ctx, "system:discovery", metav1.GetOptions{})
	mustUpdate(err)
	if !apiequality.Semantic.DeepEqual(discovery.Rules, []rbacv1.PolicyRule{extra}) {
		t.Errorf("protected system:discovery was reconciled: rules %+v", discovery.Rules)
	}

	admin, err = rbacClient.ClusterRoles().Get(ctx, "admin", metav1.GetOptions{})
	mustUpdate(err)
	wantSelectors := append([]metav1.LabelSelector{{MatchLabels: map[string]string{"example.com/aggregate": "true"}}}, find("admin").AggregationRule.ClusterRoleSelectors...)
	if admin.AggregationRule == nil || !apiequality.Semantic.DeepEqual(admin.AggregationRule.ClusterRoleSelectors, wantSelectors) {
		t.Errorf("reconciled admin aggregationRule %+v, want selectors %+v", admin.AggregationRule, wantSelectors)
	}

	basic, err = rbacClient.ClusterRoleBindings().Get(ctx, "system:basic-user", metav1.GetOptions{})
	mustUpdate(err)
	wantSubjects := []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "alice"}, {Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "system:authenticated"}}
	if !apiequality.Semantic.DeepEqual(basic.Subjects, wantSubjects) {
		t.Errorf("reconciled system:basic-user subjects %+v, want %+v", basic.Subjects, wantSubjects)
	}

	monitoring, err = rbacClient.ClusterRoleBindings().Get(ctx, "system:monitoring", metav1.GetOptions{})
	mustUpdate(err)
	if monitoring.UID == moved.UID || monitoring.RoleRef.Name != "system:monitoring" {
		t.Errorf("system:monitoring binding: uid %s (was %s), roleRef %+v; want a new binding to system:monitoring", monitoring.UID, moved.UID, monitoring.RoleRef)
	}

	for what, get := range map[string]func() error{
		"role kube-system/system:controller:token-cleaner": func() error {
			_, err := rbacClient.Roles(metav1.NamespaceSystem).Get(ctx, "system:controller:token-cleaner", metav1.GetOptions{})
			return err
		},
		"rolebinding kube-public/system:controller:bootstrap-signer": func() error {
			_, err := rbacClient.RoleBindings(metav1.NamespacePublic).Get(ctx, "system:controller:bootstrap-signer", metav1.GetOptions{})
			return err
		},
		"clusterrole system:heapster": func() error {
			_, err := rbacClient.ClusterRoles().Get(ctx, "system:heapster", metav1.GetOptions{})
			return err
		},
	} {
		if err := get(); err != nil {
			t.Errorf("deleted %s not created again: %v", what, err)
		}
	}

	leader, err = rbacClient.RoleBindings(metav1.NamespaceSystem).Get(ctx, "system::leader-locking-kube-scheduler", metav1.GetOptions{})
	mustUpdate(err)
	if len(leader.Subjects) != 0 {
		t.Errorf("protected rolebinding was reconciled: subjects %+v", leader.Subjects)
	}

	// once reconciled, a restart changes nothing (aggregated roles aside:
	// their rules are the controller's).
	before := resourceVersions(t, client)
	if err := rbac.EnsureBootstrapPolicy(ctx, client); err != nil {
		t.Fatal(err)
	}
	if after := resourceVersions(t, client); !apiequality.Semantic.DeepEqual(before, after) {
		t.Errorf("a third EnsureBootstrapPolicy wrote:\nbefore %v\nafter  %v", before, after)
	}
}

// resourceVersions maps every non-aggregated RBAC object to its
// resourceVersion.
func resourceVersions(t *testing.T, client kubernetes.Interface) map[string]string {
	t.Helper()
	out := map[string]string{}
	ctx := t.Context()
	crs, err := client.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range crs.Items {
		if o.AggregationRule == nil {
			out["clusterrole/"+o.Name] = o.ResourceVersion
		}
	}
	crbs, err := client.RbacV1().ClusterRoleBindings().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range crbs.Items {
		out["clusterrolebinding/"+o.Name] = o.ResourceVersion
	}
	roles, err := client.RbacV1().Roles("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range roles.Items {
		out["role/"+o.Namespace+"/"+o.Name] = o.ResourceVersion
	}
	rbs, err := client.RbacV1().RoleBindings("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range rbs.Items {
		out["rolebinding/"+o.Namespace+"/"+o.Name] = o.ResourceVersion
	}
	return out
}

// TestEnsureBootstrapPolicyPrimes: a pre-aggregation admin role (no
// aggregationRule) has its rules copied into system:aggregate-to-admin,
// and a system:discovery binding its subjects into
// system:public-info-viewer, when those are missing.
func TestEnsureBootstrapPolicyPrimes(t *testing.T) {
	t.Parallel()
	s := harnesstest.Start(t, harness.Options{})
	client := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	ctx := t.Context()
	rbacClient := client.RbacV1()
	// a cluster from before: start from nothing of the kind.
	for _, name := range []string{"admin", "system:aggregate-to-admin"} {
		if err := rbacClient.ClusterRoles().Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"system:discovery", "system:public-info-viewer"} {
		if err := rbacClient.ClusterRoleBindings().Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
	}
	custom := rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{"example.com"}, Resources: []string{"widgets"}}
	if _, err := rbacClient.ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "admin"}, Rules: []rbacv1.PolicyRule{custom}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	oldSubjects := []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "legacy"}}
	if _, err := rbacClient.ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "system:discovery", Labels: map[string]string{"old": "true"}},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "system:discovery"},
		Subjects:   oldSubjects,
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := rbac.EnsureBootstrapPolicy(ctx, client); err != nil {
		t.Fatal(err)
	}
	agg, err := rbacClient.ClusterRoles().Get(ctx, "system:aggregate-to-admin", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(agg.Rules) == 0 || !apiequality.Semantic.DeepEqual(agg.Rules[0], custom) {
		t.Errorf("system:aggregate-to-admin rules %+v, want the old admin's first", agg.Rules)
	}
	piv, err := rbacClient.ClusterRoleBindings().Get(ctx, "system:public-info-viewer", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// the copied subjects, then the bootstrap's (reconciled in).
	if len(piv.Subjects) != 3 || piv.Subjects[0] != oldSubjects[0] || piv.Labels["old"] != "true" {
		t.Errorf("system:public-info-viewer binding: subjects %+v, labels %v; want the old binding's first", piv.Subjects, piv.Labels)
	}
}

// TestAuthorizerOnBootstrapPolicy asks the authorizer, over a server's
// bootstrap policy, what kube-apiserver's RBAC allows its well-known users.
func TestAuthorizerOnBootstrapPolicy(t *testing.T) {
	t.Parallel()
	s, client := start(t)
	runAggregation(t, s)
	factory := informers.NewSharedInformerFactory(client, 0)
	a := rbac.NewAuthorizer(factory)
	ctx, cancel := context.WithCancel(context.Background())
	factory.Start(ctx.Done())
	t.Cleanup(func() {
		cancel()
		factory.Shutdown()
	})
	waitFor(t, "the authorizer to see the bootstrap policy", func(context.Context) (bool, error) {
		return a.HasSynced() && a.HasBootstrapPolicy(), nil
	})

	anonymous := &user.DefaultInfo{Name: user.Anonymous, Groups: []string{user.AllUnauthenticated}}
	alice := &user.DefaultInfo{Name: "alice", Groups: []string{user.AllAuthenticated}}
	scheduler := &user.DefaultInfo{Name: user.KubeScheduler, Groups: []string{user.AllAuthenticated}}
	namespaceController := &user.DefaultInfo{Name: "system:serviceaccount:kube-system:namespace-controller", Groups: []string{"system:serviceaccounts", "system:serviceaccounts:kube-system", user.AllAuthenticated}}
	path := func(u user.Info, verb, p string) authorizer.AttributesRecord {
		return authorizer.AttributesRecord{User: u, Verb: verb, Path: p}
	}
	resource := func(u user.Info, verb, group, res, sub, ns string) authorizer.AttributesRecord {
		return authorizer.AttributesRecord{User: u, Verb: verb, APIGroup: group, APIVersion: "v1", Resource: res, Subresource: sub, Namespace: ns, ResourceRequest: true}
	}
	for _, tc := range []struct {
		name   string
		attrs  authorizer.AttributesRecord
		want   authorizer.Decision
		reason string
	}{
		{"anonymous /version", path(anonymous, "get", "/version"), authorizer.DecisionAllow,
			`RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"`},
		{"anonymous /apis", path(anonymous, "get", "/apis"), authorizer.DecisionNoOpinion, ""},
		{"authenticated /apis/apps/v1", path(alice, "get", "/apis/apps/v1"), authorizer.DecisionAllow,
			`RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"`},
		{"authenticated selfsubjectaccessreviews", resource(alice, "create", "authorization.k8s.io", "selfsubjectaccessreviews", "", ""), authorizer.DecisionAllow,
			`RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated"`},
		{"authenticated pods", resource(alice, "list", "", "pods", "", "default"), authorizer.DecisionNoOpinion, ""},
		{"scheduler pods/binding", resource(scheduler, "create", "", "pods", "binding", "default"), authorizer.DecisionAllow,
			`RBAC: allowed by ClusterRoleBinding "system:kube-scheduler" of ClusterRole "system:kube-scheduler" to User "system:kube-scheduler"`},
		{"namespace controller", resource(namespaceController, "deletecollection", "apps", "deployments", "", "ns"), authorizer.DecisionAllow,
			`RBAC: allowed by ClusterRoleBinding "system:controller:namespace-controller" of ClusterRole "system:controller:namespace-controller" to ServiceAccount "namespace-controller/kube-system"`},
		// the ClusterRole allows updating the lease named kube-scheduler only; kube-system's Role any.
		{"scheduler leases in kube-system", resource(scheduler, "update", "coordination.k8s.io", "leases", "", metav1.NamespaceSystem), authorizer.DecisionAllow,
			`RBAC: allowed by RoleBinding "system::leader-locking-kube-scheduler/kube-system" of Role "system::leader-locking-kube-scheduler" to User "system:kube-scheduler"`},
		{"scheduler leases elsewhere", resource(scheduler, "update", "coordination.k8s.io", "leases", "", "default"), authorizer.DecisionNoOpinion, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			decision, reason, err := a.Authorize(t.Context(), tc.attrs)
			if err != nil || decision != tc.want || reason != tc.reason {
				t.Errorf("Authorize = %v, %q, %v; want %v, %q", decision, reason, err, tc.want, tc.reason)
			}
		})
	}

	// admin, bound in one namespace, has what aggregation gathered into it.
	if _, err := client.RbacV1().RoleBindings("default").Create(t.Context(), &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "alice-admin"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "admin"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "alice"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	createDeployments := resource(alice, "create", "apps", "deployments", "", "default")
	waitFor(t, "alice to be admin of default", func(ctx context.Context) (bool, error) {
		decision, _, err := a.Authorize(ctx, createDeployments)
		return decision == authorizer.DecisionAllow, err
	})
	if _, reason, _ := a.Authorize(t.Context(), createDeployments); reason != `RBAC: allowed by RoleBinding "alice-admin/default" of ClusterRole "admin" to User "alice"` {
		t.Errorf("reason %q", reason)
	}
	createDeployments.Namespace = "other"
	if decision, _, _ := a.Authorize(t.Context(), createDeployments); decision != authorizer.DecisionNoOpinion {
		t.Errorf("alice in another namespace: %v, want NoOpinion", decision)
	}
}
