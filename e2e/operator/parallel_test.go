package operator_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/memkube/memkube/envtest"

	webappv1 "github.com/memkube/memkube/e2e/operator/api/v1"
	"github.com/memkube/memkube/e2e/operator/internal/controller"
)

// The tests below are plain testing tests, each with its own Environment
// and manager, run in parallel: one server per test is cheap enough that
// tests need not share one, and they all use the same names without
// seeing each other's objects.

// startOperator starts an Environment with the Website CRD and a manager
// running the Website controller, both stopped when the test ends. It
// serves v1 only (its scheme has no v2, so envtest installs the CRD without
// the conversion webhook) and runs no admission webhooks.
func startOperator(t *testing.T) client.Client {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := webappv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	env := &envtest.Environment{
		Scheme:                scheme,
		CRDDirectoryPaths:     []string{filepath.Join("config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	env.Options.Storage = e2eStorage
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start the environment: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stop the environment: %v", err)
		}
	})

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:  scheme,
		Metrics: metricsserver.Options{BindAddress: "0"},
		// controller names are process-wide (metrics): several managers in
		// one test binary run the same controller.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := (&controller.WebsiteReconciler{Client: mgr.GetClient(), Scheme: scheme, APIReader: mgr.GetAPIReader()}).SetupWithManager(mgr); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	// registered after env.Stop's cleanup, so it runs first.
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	})

	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// createSite creates the Website "site" in "default" with two replicas.
func createSite(t *testing.T, c client.Client) *webappv1.Website {
	t.Helper()
	website := &webappv1.Website{
		ObjectMeta: metav1.ObjectMeta{Name: "site", Namespace: "default"},
		Spec:       webappv1.WebsiteSpec{Image: "nginx:1.27", Replicas: ptr.To(int32(2)), Port: 8080},
	}
	if err := c.Create(t.Context(), website); err != nil {
		t.Fatalf("create Website: %v", err)
	}
	return website
}

// waitFor polls check until it returns nil, and fails the test with its
// last error after 10s.
func waitFor(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %v", what, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestParallelReconcileCreatesDeploymentAndService(t *testing.T) {
	t.Parallel()
	c := startOperator(t)
	website := createSite(t, c)
	key := client.ObjectKeyFromObject(website)

	waitFor(t, "the Deployment", func() error {
		d := &appsv1.Deployment{}
		if err := c.Get(t.Context(), key, d); err != nil {
			return err
		}
		if got := d.Spec.Template.Spec.Containers; len(got) != 1 || got[0].Image != "nginx:1.27" {
			return fmt.Errorf("got containers %+v, want one running nginx:1.27", got)
		}
		if !metav1.IsControlledBy(d, website) {
			return fmt.Errorf("got owner references %+v, want the Website as controller", d.OwnerReferences)
		}
		return nil
	})
	waitFor(t, "the Service", func() error {
		s := &corev1.Service{}
		if err := c.Get(t.Context(), key, s); err != nil {
			return err
		}
		if len(s.Spec.Ports) != 1 || s.Spec.Ports[0].Port != 8080 {
			return fmt.Errorf("got ports %+v, want 8080", s.Spec.Ports)
		}
		return nil
	})
	waitFor(t, "the Website's status", func() error {
		got := &webappv1.Website{}
		if err := c.Get(t.Context(), key, got); err != nil {
			return err
		}
		if got.Status.DeploymentName != "site" || got.Status.ServiceName != "site" || got.Status.ObservedGeneration != 1 {
			return fmt.Errorf("got status %+v, want deployment and service site, generation 1", got.Status)
		}
		return nil
	})
}

func TestParallelReconcileScales(t *testing.T) {
	t.Parallel()
	c := startOperator(t)
	website := createSite(t, c)
	key := client.ObjectKeyFromObject(website)
	waitFor(t, "the Deployment", func() error { return c.Get(t.Context(), key, &appsv1.Deployment{}) })

	patch := client.MergeFrom(website.DeepCopy())
	website.Spec.Replicas = ptr.To(int32(5))
	if err := c.Patch(t.Context(), website, patch); err != nil {
		t.Fatalf("scale the Website: %v", err)
	}
	waitFor(t, "the Deployment to scale", func() error {
		d := &appsv1.Deployment{}
		if err := c.Get(t.Context(), key, d); err != nil {
			return err
		}
		if d.Spec.Replicas == nil || *d.Spec.Replicas != 5 {
			return fmt.Errorf("got replicas %v, want 5", d.Spec.Replicas)
		}
		return nil
	})
}

func TestParallelReconcileReportsAvailable(t *testing.T) {
	t.Parallel()
	c := startOperator(t)
	website := createSite(t, c)
	key := client.ObjectKeyFromObject(website)

	// as kube-controller-manager's deployment controller would (memkube,
	// like envtest, does not run it).
	waitFor(t, "the Deployment's status update", func() error {
		d := &appsv1.Deployment{}
		if err := c.Get(t.Context(), key, d); err != nil {
			return err
		}
		d.Status.Replicas, d.Status.ReadyReplicas = 2, 2
		return c.Status().Update(t.Context(), d)
	})
	waitFor(t, "the Website to be Available", func() error {
		got := &webappv1.Website{}
		if err := c.Get(t.Context(), key, got); err != nil {
			return err
		}
		if !meta.IsStatusConditionTrue(got.Status.Conditions, controller.ConditionAvailable) || got.Status.ReadyReplicas != 2 {
			return fmt.Errorf("got status %+v, want Available with 2 ready replicas", got.Status)
		}
		return nil
	})
}

func TestParallelGarbageCollection(t *testing.T) {
	t.Parallel()
	c := startOperator(t)
	website := createSite(t, c)
	key := client.ObjectKeyFromObject(website)
	waitFor(t, "the Service", func() error { return c.Get(t.Context(), key, &corev1.Service{}) })

	if err := c.Delete(t.Context(), website); err != nil {
		t.Fatalf("delete the Website: %v", err)
	}
	for _, obj := range []client.Object{&appsv1.Deployment{}, &corev1.Service{}} {
		waitFor(t, fmt.Sprintf("the garbage collector to delete the %T", obj), func() error {
			if err := c.Get(t.Context(), key, obj); !apierrors.IsNotFound(err) {
				return fmt.Errorf("got %v, want NotFound", err)
			}
			return nil
		})
	}
}
