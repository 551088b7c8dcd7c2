package harness_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
	"github.com/memkube/memkube/internal/etcdembed"
)

// TestStorageBackends runs the same requests on every backend: built-in
// objects with a watch, a conflict, and a CRD with a custom resource.
func TestStorageBackends(t *testing.T) {
	external, err := etcdembed.Start(etcdembed.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(external.Close)
	for name, storage := range map[string]harness.StorageOptions{
		"memory":        {},
		"etcd-embedded": {Backend: harness.EmbeddedEtcd},
		"etcd":          {Backend: harness.ExternalEtcd, Endpoints: []string{external.Endpoint}, Prefix: "/memkube-test"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := harnesstest.Start(t, harness.Options{Storage: storage})
			if (s.Store() != nil) != (name == "memory") {
				t.Errorf("Store() = %v on %s", s.Store(), name)
			}
			exerciseServer(t, s)
		})
	}
	if _, err := harness.Start(t.Context(), harness.Options{Storage: harness.StorageOptions{Backend: harness.ExternalEtcd}}); err == nil {
		t.Error("external etcd without endpoints: want an error")
	}
}

func exerciseServer(t *testing.T, s *harness.Server) {
	t.Helper()
	ctx := t.Context()
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	cms := c.CoreV1().ConfigMaps("default")
	w, err := cms.Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Data: map[string]string{"k": "v"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-w.ResultChan():
		if ev.Type != watch.Added {
			t.Fatalf("watch: %v, want ADDED", ev.Type)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event")
	}
	cm.Data["k"] = "w"
	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("stale update: %v, want 409", err)
	}

	crds := apiextensionsclient.NewForConfigOrDie(s.RESTConfig()).ApiextensionsV1().CustomResourceDefinitions()
	if _, err := crds.Create(ctx, widgetCRD(), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	widgets := dynamic.NewForConfigOrDie(s.RESTConfig()).Resource(schema.GroupVersionResource{Group: "example.memkube.io", Version: "v1", Resource: "widgets"}).Namespace("default")
	w1 := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.memkube.io/v1", "kind": "Widget", "metadata": map[string]any{"name": "w1"}}}
	// the CRD is served once established: retry until then.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := widgets.Create(ctx, w1, metav1.CreateOptions{})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("create a widget: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReusedEtcd starts a second server on the etcd data of a first: the
// bootstrap objects exist and are kept, the RBAC policy and the APF
// configuration are reconciled, and the first server's objects are there.
func TestReusedEtcd(t *testing.T) {
	ctx := t.Context()
	etcd, err := etcdembed.Start(etcdembed.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(etcd.Close)
	opts := harness.Options{Storage: harness.StorageOptions{Backend: harness.ExternalEtcd, Endpoints: []string{etcd.Endpoint}}}
	first, err := harness.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kubernetes.NewForConfigOrDie(first.RESTConfig()).CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kept"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// an APF object bootstrap no longer has, and a changed one.
	fc := kubernetes.NewForConfigOrDie(first.RESTConfig()).FlowcontrolV1()
	retired := &flowcontrolv1.FlowSchema{
		ObjectMeta: metav1.ObjectMeta{Name: "retired", Annotations: map[string]string{flowcontrolv1.AutoUpdateAnnotationKey: "true"}},
		Spec:       flowcontrolv1.FlowSchemaSpec{PriorityLevelConfiguration: flowcontrolv1.PriorityLevelConfigurationReference{Name: "global-default"}},
	}
	if _, err := fc.FlowSchemas().Create(ctx, retired, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	changed, err := fc.FlowSchemas().Get(ctx, "global-default", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	changed.Spec.MatchingPrecedence = 42
	if _, err := fc.FlowSchemas().Update(ctx, changed, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// a local APIService's spec changed.
	apiServices := aggregatorclient.NewForConfigOrDie(first.RESTConfig()).ApiregistrationV1().APIServices()
	apps, err := apiServices.Get(ctx, "v1.apps", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	apps.Spec.VersionPriority = 99
	if _, err := apiServices.Update(ctx, apps, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	first.Stop()
	// APIServices are kept where kube-apiserver keeps them, as JSON.
	kv, err := clientv3.New(clientv3.Config{Endpoints: []string{etcd.Endpoint}})
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	got, err := kv.Get(ctx, "/registry/apiregistration.k8s.io/apiservices/v1.apps")
	if err != nil || len(got.Kvs) != 1 || !strings.HasPrefix(string(got.Kvs[0].Value), `{"kind":"APIService","apiVersion":"apiregistration.k8s.io/v1"`) {
		t.Errorf("etcd key /registry/apiregistration.k8s.io/apiservices/v1.apps: %v %v, want a JSON APIService", got, err)
	}
	second := harnesstest.Start(t, opts)
	c := kubernetes.NewForConfigOrDie(second.RESTConfig())
	if _, err := c.CoreV1().ConfigMaps("default").Get(ctx, "kept", metav1.GetOptions{}); err != nil {
		t.Errorf("the first server's configmap: %v", err)
	}
	if r, err := c.RbacV1().ClusterRoles().Get(ctx, "admin", metav1.GetOptions{}); err != nil || len(r.Rules) == 0 {
		t.Errorf("clusterrole admin on the second server: %v", err)
	}
	if _, err := c.FlowcontrolV1().FlowSchemas().Get(ctx, "retired", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("FlowSchema retired on the second server: %v, want deleted", err)
	}
	if fs, err := c.FlowcontrolV1().FlowSchemas().Get(ctx, "global-default", metav1.GetOptions{}); err != nil || fs.Spec.MatchingPrecedence != 9900 {
		t.Errorf("FlowSchema global-default on the second server: %v, want its precedence back to 9900", err)
	}
	// autoregister brings the local APIServices' spec back at start.
	apiServices = aggregatorclient.NewForConfigOrDie(second.RESTConfig()).ApiregistrationV1().APIServices()
	poll(t, func(ctx context.Context) (bool, error) {
		apps, err := apiServices.Get(ctx, "v1.apps", metav1.GetOptions{})
		return err == nil && apps.Spec.VersionPriority == 15, err
	})
}
