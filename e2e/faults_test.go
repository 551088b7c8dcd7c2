package e2e

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/memkube/memkube/envtest"
	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/faults"
)

// controllerUser is the user the widget controller runs as, so that faults
// can be aimed at it and spare the test's own client.
const controllerUser = "widget-controller"

// startWidgetController starts a memkube envtest server and the widget
// controller (manager_test.go) as controllerUser; it returns the server
// and an admin client.
func startWidgetController(t *testing.T) (*harness.Server, client.Client) {
	t.Helper()
	env := &envtest.Environment{CRDDirectoryPaths: []string{"testdata/manager-crds"}}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Error(err)
		}
	})
	user, err := env.AddUser(envtest.User{Name: controllerUser, Groups: []string{"system:masters"}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(user.Config(), ctrl.Options{Metrics: metricsserver.Options{BindAddress: "0"}})
	if err != nil {
		t.Fatal(err)
	}
	w := &unstructured.Unstructured{}
	w.SetGroupVersionKind(widgetGVK)
	// one controller per manager; the parallel tests' managers share
	// controller-runtime's metrics registry, hence no name validation.
	if err := ctrl.NewControllerManagedBy(mgr).For(w).Owns(&corev1.ConfigMap{}).WithOptions(controller.Options{SkipNameValidation: ptr.To(true)}).
		Complete(&widgetReconciler{Client: mgr.GetClient()}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	})
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return env.Server(), c
}

// createWidget creates a Widget and waits until the controller has made
// its ConfigMap and set status.ready.
func createWidget(t *testing.T, c client.Client, name string) {
	t.Helper()
	ctx := t.Context()
	w := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.memkube.io/v1", "kind": "Widget",
		"metadata": map[string]any{"name": name, "namespace": "default"}, "spec": map[string]any{"size": int64(2)},
	}}
	if err := c.Create(ctx, w); err != nil {
		t.Fatal(err)
	}
	waitReconciled(t, c, name)
}

func waitReconciled(t *testing.T, c client.Client, name string) {
	t.Helper()
	ctx := t.Context()
	waitUntil(t, "widget "+name+" reconciled", func() bool {
		got := &unstructured.Unstructured{}
		got.SetGroupVersionKind(widgetGVK)
		if c.Get(ctx, types.NamespacedName{Namespace: "default", Name: name}, got) != nil ||
			c.Get(ctx, types.NamespacedName{Namespace: "default", Name: name + "-config"}, &corev1.ConfigMap{}) != nil {
			return false
		}
		ready, _, _ := unstructured.NestedBool(got.Object, "status", "ready")
		return ready
	})
}

// TestFaultsWithControllerRuntime runs a controller-runtime controller
// through what a real kube-apiserver does on a bad day, injected by
// memkube's faults, and checks that it still converges.
func TestFaultsWithControllerRuntime(t *testing.T) {
	t.Parallel()
	only := []string{controllerUser}

	t.Run("conflicts", func(t *testing.T) {
		t.Parallel()
		s, c := startWidgetController(t)
		f := s.Faults().ConflictOnNextUpdates(3, faults.Rule{Users: only, Resources: []string{"widgets/status"}})
		createWidget(t, c, "w")
		if f.Fired() != 3 {
			t.Errorf("the controller's status updates met %d conflicts, want 3", f.Fired())
		}
	})

	t.Run("throttling", func(t *testing.T) {
		t.Parallel()
		s, c := startWidgetController(t)
		// without Retry-After the 429 reaches the reconciler, which requeues;
		// with it, client-go waits and retries by itself.
		bare := s.Faults().Add(faults.Rule{Users: only, Verbs: []string{"create"}, Resources: []string{"configmaps"}, Count: 2, Action: faults.TooManyRequests(0)})
		retried := s.Faults().Add(faults.Rule{Users: only, Verbs: []string{"update"}, Resources: []string{"widgets/status"}, Count: 1, Action: faults.TooManyRequests(1)})
		createWidget(t, c, "w")
		if bare.Fired() != 2 || retried.Fired() != 1 {
			t.Errorf("429s fired %d and %d times, want 2 and 1", bare.Fired(), retried.Fired())
		}
	})

	t.Run("compaction", func(t *testing.T) {
		t.Parallel()
		s, c := startWidgetController(t)
		createWidget(t, c, "before")
		// compaction ends every watch; the controller's informer watches
		// again, gets 410 Gone (as when its resourceVersion is compacted
		// away) and must list again to go on.
		gone := s.Faults().Add(faults.Rule{Users: only, Verbs: []string{"watch"}, Resources: []string{"widgets"}, Count: 1,
			Action: faults.Error(apierrors.NewResourceExpired("too old resource version"))})
		if _, err := s.Faults().Compact(); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "the controller's informer to watch again and get 410", func() bool { return gone.Fired() == 1 })
		createWidget(t, c, "after")
	})

	t.Run("storage outage", func(t *testing.T) {
		t.Parallel()
		s, c := startWidgetController(t)
		// hold the controller's write long enough for storage to go down under it.
		s.Faults().Add(faults.Rule{Users: only, Verbs: []string{"create"}, Resources: []string{"configmaps"}, Count: 1, Action: faults.Delay(300 * time.Millisecond)})
		w := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "example.memkube.io/v1", "kind": "Widget",
			"metadata": map[string]any{"name": "w", "namespace": "default"},
		}}
		if err := c.Create(t.Context(), w); err != nil {
			t.Fatal(err)
		}
		outage := s.Faults().StorageUnavailable()
		err := c.Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: "default"}})
		if !apierrors.IsInternalError(err) {
			t.Errorf("a create while storage is down: %v, want 500", err)
		}
		time.Sleep(600 * time.Millisecond)
		s.Faults().Remove(outage)
		waitReconciled(t, c, "w")
		if outage.Fired() < 2 {
			t.Errorf("the storage outage failed %d operations, want the probe's and the controller's", outage.Fired())
		}
	})
}
