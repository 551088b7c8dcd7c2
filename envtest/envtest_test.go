package envtest_test

import (
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/memkube/memkube/envtest"
)

// TestEnvironment uses Environment as controller-runtime users do: CRDs from
// a directory, a controller-runtime client, the kubeconfig, a second user.
func TestEnvironment(t *testing.T) {
	ctx := t.Context()
	env := &envtest.Environment{CRDDirectoryPaths: []string{"testdata/crds"}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := env.Stop(); err != nil {
			t.Error(err)
		}
	}()
	if len(env.CRDs) != 1 || env.CRDs[0].Name != "widgets.example.memkube.io" {
		t.Fatalf("installed CRDs %v, want widgets", env.CRDs)
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.memkube.io/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w1", "namespace": "default"}, "spec": map[string]any{},
	}}
	if err := c.Create(ctx, w); err != nil {
		t.Fatalf("create a custom resource right after Start: %v", err)
	}
	if size, _, _ := unstructured.NestedInt64(w.Object, "spec", "size"); size != 3 {
		t.Errorf("spec.size %d, want the CRD's default 3", size)
	}

	kc, err := clientcmd.RESTConfigFromKubeConfig(env.KubeConfig)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kubernetes.NewForConfigOrDie(kc).CoreV1().Namespaces().Get(ctx, "default", metav1.GetOptions{}); err != nil {
		t.Fatalf("KubeConfig does not reach the server: %v", err)
	}

	user, err := env.AddUser(envtest.User{Name: "alice", Groups: []string{"developers"}}, &restclient.Config{QPS: 50, Burst: 100})
	if err != nil {
		t.Fatal(err)
	}
	alice := kubernetes.NewForConfigOrDie(user.Config())
	if user.Config().QPS != 50 {
		t.Errorf("alice's QPS %v, want the base config's 50", user.Config().QPS)
	}
	// alice is not in system:masters: authenticated as alice, and refused.
	_, err = alice.CoreV1().ConfigMaps("default").List(ctx, metav1.ListOptions{})
	if want := `configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default"`; !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("alice lists configmaps: %v, want 403 %s", err, want)
	}
}

// TestExistingCluster points an Environment at a running server: Start
// installs the CRDs there and Stop leaves the server running.
func TestExistingCluster(t *testing.T) {
	ctx := t.Context()
	host := &envtest.Environment{}
	cfg, err := host.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer host.Stop()
	env := &envtest.Environment{UseExistingCluster: ptr.To(true), Config: cfg, CRDDirectoryPaths: []string{"testdata/crds"}}
	if _, err := env.Start(); err != nil {
		t.Fatal(err)
	}
	if err := env.Stop(); err != nil {
		t.Fatal(err)
	}
	if env.Server() != nil {
		t.Error("an existing cluster has no memkube server")
	}
	if _, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().ConfigMaps("default").List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("the existing cluster stopped with the Environment: %v", err)
	}
}
