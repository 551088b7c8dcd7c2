package harness_test

import (
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestSnapshotRestore builds state, snapshots it, changes everything, and
// restores: objects, namespaces and CRDs come back, and an informer that ran
// across the restore converges on the restored state.
func TestSnapshotRestore(t *testing.T) {
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	crds := apiextensionsclient.NewForConfigOrDie(s.RESTConfig()).ApiextensionsV1().CustomResourceDefinitions()
	widgets := dynamic.NewForConfigOrDie(s.RESTConfig()).Resource(schema.GroupVersionResource{Group: "example.memkube.io", Version: "v1", Resource: "widgets"}).Namespace("default")
	if _, err := crds.Create(ctx, widgetCRD(), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w1 := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.memkube.io/v1", "kind": "Widget", "metadata": map[string]any{"name": "w1"}}}
	eventually(t, "a widget", func() bool { _, err := widgets.Create(ctx, w1, metav1.CreateOptions{}); return err == nil })
	if _, err := c.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	apiServices := aggregatorclient.NewForConfigOrDie(s.RESTConfig()).ApiregistrationV1().APIServices()
	eventually(t, "the CRD's APIService", func() bool {
		_, err := apiServices.Get(ctx, "v1.example.memkube.io", metav1.GetOptions{})
		return err == nil
	})
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// an APIService the snapshot does not have.
	if _, err := apiServices.Create(ctx, &apiregistrationv1.APIService{
		ObjectMeta: metav1.ObjectMeta{Name: "v1alpha1.wardle.example.com"},
		Spec: apiregistrationv1.APIServiceSpec{Group: "wardle.example.com", Version: "v1alpha1", GroupPriorityMinimum: 1000, VersionPriority: 15,
			Service: &apiregistrationv1.ServiceReference{Namespace: "default", Name: "wardle"}, InsecureSkipTLSVerify: true},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	factory := informers.NewSharedInformerFactoryWithOptions(c, 0, informers.WithNamespace("default"))
	informer := factory.Core().V1().ConfigMaps().Informer()
	stop := make(chan struct{})
	defer func() { close(stop); factory.Shutdown() }()
	factory.Start(stop)
	cache.WaitForCacheSync(ctx.Done(), informer.HasSynced)

	if _, err := c.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "b"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.CoreV1().ConfigMaps("default").Delete(ctx, "a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := crds.Delete(ctx, "widgets.example.memkube.io", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the CRD to go", func() bool {
		_, err := crds.Get(ctx, "widgets.example.memkube.io", metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})

	if err := s.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoreV1().ConfigMaps("default").Get(ctx, "a", metav1.GetOptions{}); err != nil {
		t.Errorf("configmap a after restore: %v", err)
	}
	if _, err := c.CoreV1().ConfigMaps("default").Get(ctx, "b", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("configmap b after restore: %v, want 404", err)
	}
	eventually(t, "the restored CRD's widgets to be served", func() bool {
		_, err := widgets.Get(ctx, "w1", metav1.GetOptions{})
		return err == nil
	})
	// the aggregator's informers listed again: /apis follows the restored
	// APIServices.
	eventually(t, "the aggregator to see the restored APIServices", func() bool {
		apis, err := c.Discovery().RESTClient().Get().AbsPath("/apis").SetHeader("Accept", "application/json").DoRaw(ctx)
		return err == nil && strings.Contains(string(apis), `"name":"example.memkube.io"`) && !strings.Contains(string(apis), "wardle")
	})
	eventually(t, "the informer to see the restored state", func() bool {
		_, hasA, _ := informer.GetStore().GetByKey("default/a")
		_, hasB, _ := informer.GetStore().GetByKey("default/b")
		return hasA && !hasB
	})

	other := harnesstest.Start(t, harness.Options{Storage: harness.StorageOptions{Backend: harness.EmbeddedEtcd}})
	if _, err := other.Snapshot(); err == nil {
		t.Error("Snapshot over etcd: want an error")
	}
}

// TestSnapshotFile saves a server's state to a file and loads it into
// another server, as `memkube serve --load` does.
func TestSnapshotFile(t *testing.T) {
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cm, err := c.CoreV1().ConfigMaps("team").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Data: map[string]string{"k": "v"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "state.snapshot")
	if err := snap.SaveFile(path); err != nil {
		t.Fatal(err)
	}

	loaded, err := harness.LoadSnapshotFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other := harnesstest.Start(t, harness.Options{})
	oc := kubernetes.NewForConfigOrDie(other.RESTConfig())
	if _, err := oc.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "mine"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := other.Restore(loaded); err != nil {
		t.Fatal(err)
	}
	got, err := oc.CoreV1().ConfigMaps("team").Get(ctx, "a", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.UID != cm.UID || got.Data["k"] != "v" || !got.CreationTimestamp.Equal(&cm.CreationTimestamp) {
		t.Errorf("loaded configmap: uid %s data %v created %v, want uid %s data %v created %v", got.UID, got.Data, got.CreationTimestamp, cm.UID, cm.Data, cm.CreationTimestamp)
	}
	if _, err := oc.CoreV1().ConfigMaps("default").Get(ctx, "mine", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the other server's own configmap after loading: %v, want 404", err)
	}
	if _, err := harness.LoadSnapshotFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("loading a missing file: want an error")
	}
}
