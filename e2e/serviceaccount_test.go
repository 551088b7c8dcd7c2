package e2e

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// copier copies each ConfigMap labelled role=source to <name>-copy, and
// keeps the errors it met.
type copier struct {
	client.Client
	mu   sync.Mutex
	errs []error
}

func (c *copier) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	src := &corev1.ConfigMap{}
	if err := c.Get(ctx, req.NamespacedName, src); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	dst := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: src.Name + "-copy", Namespace: src.Namespace}, Data: src.Data}
	err := c.Create(ctx, dst)
	if err != nil && !apierrors.IsAlreadyExists(err) {
		c.mu.Lock()
		c.errs = append(c.errs, err)
		c.mu.Unlock()
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil
}

func (c *copier) firstError() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.errs) == 0 {
		return nil
	}
	return c.errs[0]
}

// TestLeastPrivilegeController runs a controller-runtime manager as the
// ServiceAccount default/ctrl, with a token from the server's TokenRequest
// and a Role granting only what it reads: its first create is refused with
// kube-apiserver's 403, and once the Role grants create, it converges.
func TestLeastPrivilegeController(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{Storage: e2eStorage})
	admin := kubernetes.NewForConfigOrDie(s.RESTConfig())

	if _, err := admin.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "ctrl"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "ctrl", Namespace: "default"},
		// what the manager's cache needs: no create.
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch"}}},
	}
	if _, err := admin.RbacV1().Roles("default").Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RbacV1().RoleBindings("default").Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "ctrl", Namespace: "default"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "ctrl"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "ctrl", Namespace: "default"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// the controller's credentials: a bound token, as a pod's projected
	// volume would hold.
	tr, err := admin.CoreV1().ServiceAccounts("default").CreateToken(ctx, "ctrl", &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.RESTConfig()
	cfg.CertData, cfg.KeyData, cfg.BearerToken = nil, nil, tr.Status.Token
	review, err := kubernetes.NewForConfigOrDie(cfg).AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if u := review.Status.UserInfo; u.Username != "system:serviceaccount:default:ctrl" {
		t.Fatalf("the token's user: %+v", u)
	}

	// a namespaced cache: the Role does not let it list cluster-wide.
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Cache:   cache.Options{DefaultNamespaces: map[string]cache.Config{"default": {}}},
		Metrics: metricsserver.Options{BindAddress: "0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &copier{Client: mgr.GetClient()}
	if err := ctrl.NewControllerManagedBy(mgr).
		For(&corev1.ConfigMap{}, builder.WithPredicates(predicate.NewPredicateFuncs(func(o client.Object) bool { return o.GetLabels()["role"] == "source" }))).
		// retries every 100 ms at most: the test does not wait on backoff.
		WithOptions(controller.Options{RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5*time.Millisecond, 100*time.Millisecond)}).
		Complete(r); err != nil {
		t.Fatal(err)
	}
	mgrCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mgrCtx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	}()

	src := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "src", Namespace: "default", Labels: map[string]string{"role": "source"}}, Data: map[string]string{"k": "v"}}
	if _, err := admin.CoreV1().ConfigMaps("default").Create(ctx, src, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	poll := func(what string, cond func(context.Context) (bool, error)) {
		t.Helper()
		if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 20*time.Second, true, cond); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	poll("the controller's first create", func(context.Context) (bool, error) { return r.firstError() != nil, nil })
	err = r.firstError()
	want := `configmaps is forbidden: User "system:serviceaccount:default:ctrl" cannot create resource "configmaps" in API group "" in the namespace "default"`
	var status apierrors.APIStatus
	if !apierrors.IsForbidden(err) || err.Error() != want || !errors.As(err, &status) || status.Status().Details.Kind != "configmaps" {
		t.Fatalf("the controller's create without the rule: %v, want %s", err, want)
	}
	if _, err := admin.CoreV1().ConfigMaps("default").Get(ctx, "src-copy", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("the copy exists without the rule to create it: %v", err)
	}

	// grant create: the controller's next retry succeeds.
	role, err = admin.RbacV1().Roles("default").Get(ctx, "ctrl", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	role.Rules = append(role.Rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"create"}})
	if _, err := admin.RbacV1().Roles("default").Update(ctx, role, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	poll("the copy", func(ctx context.Context) (bool, error) {
		cm, err := admin.CoreV1().ConfigMaps("default").Get(ctx, "src-copy", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil && cm.Data["k"] == "v", err
	})
}
