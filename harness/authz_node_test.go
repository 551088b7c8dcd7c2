package harness_test

import (
	"context"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"go.uber.org/goleak"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestNodeAuthorization runs a server with --authorization-mode=Node,RBAC
// as kube-apiserver's default: a node reads the secret of a pod bound to
// it, not another, and loses it once the pod is gone; users that are not
// nodes are left to RBAC. The graph's informers stop with the server.
func TestNodeAuthorization(t *testing.T) {
	before := goleak.IgnoreCurrent()
	ctx := t.Context()
	s, err := harness.Start(ctx, harness.Options{Auth: harness.AuthOptions{AuthorizationModes: []string{harness.ModeNode, harness.ModeRBAC}}})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			s.Stop()
		}
	}()
	admin := kubernetes.NewForConfigOrDie(s.RESTConfig())
	client := func(name string, groups ...string) kubernetes.Interface {
		cfg, err := s.AddUser(name, groups)
		if err != nil {
			t.Fatal(err)
		}
		return kubernetes.NewForConfigOrDie(cfg)
	}
	n1, alice := client("system:node:n1", "system:nodes"), client("alice")

	for _, name := range []string{"s1", "s2"} {
		if _, err := admin.CoreV1().Secrets("default").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := admin.CoreV1().Pods("default").Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{
			NodeName:           "n1",
			ServiceAccountName: "web",
			Containers:         []corev1.Container{{Name: "web", Image: "nginx"}},
			Volumes:            []corev1.Volume{{Name: "s", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s1"}}}},
		},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	getSecret := func(c kubernetes.Interface, name string) error {
		_, err := c.CoreV1().Secrets("default").Get(ctx, name, metav1.GetOptions{})
		return err
	}
	// the graph learns of the pod from its informer.
	waitFor(t, "node n1 gets secret s1", func() bool { return getSecret(n1, "s1") == nil })

	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"node gets an unrelated secret", getSecret(n1, "s2"),
			`secrets "s2" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": node: no relationship found between node 'n1' and this object`},
		{"node lists secrets", func() error { _, err := n1.CoreV1().Secrets("default").List(ctx, metav1.ListOptions{}); return err }(),
			`secrets is forbidden: User "system:node:n1" cannot list resource "secrets" in API group "" in the namespace "default": node: No Object name found`},
		{"node gets another node", func() error { _, err := n1.CoreV1().Nodes().Get(ctx, "n2", metav1.GetOptions{}); return err }(),
			`nodes "n2" is forbidden: User "system:node:n1" cannot get resource "nodes" in API group "" at the cluster scope: node: node 'n1' cannot read 'n2', only its own Node object`},
		{"another user gets the pod's secret", getSecret(alice, "s1"),
			`secrets "s1" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "default"`},
	} {
		if !apierrors.IsForbidden(tc.err) || tc.err.Error() != tc.want {
			t.Errorf("%s: got %v, want %s", tc.name, tc.err, tc.want)
		}
	}
	// allowed without a graph: its own Node (not there: 404), and its pods
	// by field selector.
	if _, err := n1.CoreV1().Nodes().Get(ctx, "n1", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("node gets its own Node: got %v, want NotFound", err)
	}
	// tokens of the pod's service account (that it does not exist is
	// found after authorization).
	createToken := func(account string) error {
		_, err := n1.CoreV1().ServiceAccounts("default").CreateToken(ctx, account, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
		return err
	}
	if err := createToken("web"); apierrors.IsForbidden(err) {
		t.Errorf("node creates a token of its pod's service account: got %v, want it authorized", err)
	}
	if err := createToken("other"); !apierrors.IsForbidden(err) {
		t.Errorf("node creates a token of another service account: got %v, want Forbidden", err)
	}
	if pods, err := n1.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=n1"}); err != nil || len(pods.Items) != 1 {
		t.Errorf("node lists its pods: got %v, %v; want pod web", pods, err)
	}

	if err := admin.CoreV1().Pods("default").Delete(ctx, "web", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "node n1 loses secret s1", func() bool { return apierrors.IsForbidden(getSecret(n1, "s1")) })

	s.Stop()
	stopped = true
	goleak.VerifyNone(t, append(harnesstest.IgnoreLeaks(), before)...)
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return cond(), nil
	}); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
