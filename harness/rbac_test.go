package harness_test

import (
	"context"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

func TestRBACWiring(t *testing.T) {
	s := harnesstest.Start(t, harness.Options{})
	admin := kubernetes.NewForConfigOrDie(s.RESTConfig())
	cfg, err := s.AddUser("alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	alice := kubernetes.NewForConfigOrDie(cfg)
	ctx := t.Context()

	body, err := admin.Discovery().RESTClient().Get().AbsPath("/readyz").Param("verbose", "1").DoRaw(ctx)
	if err != nil || !strings.Contains(string(body), "[+]poststarthook/rbac/bootstrap-roles ok") {
		t.Errorf("readyz: %v\n%s", err, body)
	}
	if _, err := alice.Discovery().ServerGroups(); err != nil {
		t.Errorf("alice discovery: %v", err)
	}
	_, err = alice.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
	t.Logf("list pods: %v", err)
	if want := `pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"`; !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "alice-gone"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "gone"},
		Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "alice"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default": rbac: RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found`
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := alice.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
		return err != nil && err.Error() == want, nil
	}); err != nil {
		_, err := alice.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
		t.Errorf("got %v, want %s", err, want)
	}

	// alice may write roles and bindings in default, not grant what she lacks.
	if _, err := admin.RbacV1().RoleBindings("default").Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "alice-edit"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edit"},
		Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "alice"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RbacV1().Roles("default").Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "rbac-writer"},
		Rules:      []rbacv1.PolicyRule{{Verbs: []string{"create", "update"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"roles", "rolebindings"}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RbacV1().RoleBindings("default").Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "alice-rbac-writer"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "rbac-writer"},
		Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "alice"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var createErr error
	_ = wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, createErr = alice.RbacV1().Roles("default").Create(ctx, &rbacv1.Role{
			ObjectMeta: metav1.ObjectMeta{Name: "r"},
			Rules: []rbacv1.PolicyRule{
				{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods", "secrets", "nodes"}},
			},
		}, metav1.CreateOptions{})
		return createErr != nil && strings.Contains(createErr.Error(), "attempting to grant"), nil
	})
	wantEsc := `roles.rbac.authorization.k8s.io "r" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:
{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}; resolution errors: [roles.rbac.authorization.k8s.io "gone" not found]`
	if createErr == nil || createErr.Error() != wantEsc || !apierrors.IsForbidden(createErr) {
		t.Errorf("escalation: got %v\nwant %s", createErr, wantEsc)
	}
	// within edit: allowed.
	if _, err := alice.RbacV1().Roles("default").Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "ok"},
		Rules:      []rbacv1.PolicyRule{{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods", "secrets"}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Errorf("role within edit: %v", err)
	}
	// binding admin: not held.
	_, err = alice.RbacV1().RoleBindings("default").Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "b"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "admin"},
		Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "bob"}},
	}, metav1.CreateOptions{})
	t.Logf("bind admin: %v", err)
	if !apierrors.IsForbidden(err) {
		t.Errorf("bind admin: %v", err)
	}

	review, err := alice.AuthorizationV1().SelfSubjectRulesReviews().Create(ctx, &authorizationv1.SelfSubjectRulesReview{Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: "default"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rules review: %d resource rules, %d non-resource, incomplete %v, error %q", len(review.Status.ResourceRules), len(review.Status.NonResourceRules), review.Status.Incomplete, review.Status.EvaluationError)
	sar, err := admin.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: "alice", ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "get", Resource: "nodes"},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("SAR: %+v", sar.Status)

	for _, name := range []string{"admin", "edit", "view"} {
		r, err := admin.RbacV1().ClusterRoles().Get(ctx, name, metav1.GetOptions{})
		if err != nil || len(r.Rules) == 0 {
			t.Errorf("clusterrole %s: %v, %d rules", name, err, len(r.Rules))
		}
	}
}
