package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/memkube/memkube/envtest"
	"github.com/memkube/memkube/harness"
)

var widgetGVK = schema.GroupVersionKind{Group: "example.memkube.io", Version: "v1", Kind: "Widget"}

// widgetReconciler is a controller as users write them: for each Widget it
// owns a ConfigMap holding the widget's size, and reports it in status.
type widgetReconciler struct {
	client.Client
}

func (r *widgetReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	w := &unstructured.Unstructured{}
	w.SetGroupVersionKind(widgetGVK)
	if err := r.Get(ctx, req.NamespacedName, w); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	size, _, _ := unstructured.NestedInt64(w.Object, "spec", "size")
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: w.GetName() + "-config", Namespace: w.GetNamespace()}}
	if _, err := controllerutil.CreateOrUpdate(ctx, r.Client, cm, func() error {
		cm.Data = map[string]string{"size": strconv.FormatInt(size, 10)}
		return controllerutil.SetControllerReference(w, cm, r.Scheme())
	}); err != nil {
		return ctrl.Result{}, err
	}
	if err := unstructured.SetNestedField(w.Object, true, "status", "ready"); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, r.Status().Update(ctx, w)
}

// TestControllerRuntimeManager runs a controller-runtime manager, with
// leader election on a Lease, against memkube's envtest: the reconciler
// creates its ConfigMap and status, and the garbage collector deletes the
// ConfigMap with its Widget.
func TestControllerRuntimeManager(t *testing.T) {
	t.Parallel()
	env := &envtest.Environment{CRDDirectoryPaths: []string{"testdata/manager-crds"}, Options: harness.Options{Storage: e2eStorage}}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := env.Stop(); err != nil {
			t.Error(err)
		}
	}()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		LeaderElection:          true,
		LeaderElectionID:        "widgets.example.memkube.io",
		LeaderElectionNamespace: "default",
		Metrics:                 metricsserver.Options{BindAddress: "0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	w := &unstructured.Unstructured{}
	w.SetGroupVersionKind(widgetGVK)
	if err := ctrl.NewControllerManagedBy(mgr).For(w).Owns(&corev1.ConfigMap{}).Complete(&widgetReconciler{Client: mgr.GetClient()}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	}()

	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	widget := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.memkube.io/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w1", "namespace": "default"}, "spec": map[string]any{"size": int64(7)},
	}}
	if err := c.Create(ctx, widget); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the reconciler's ConfigMap and status", func() bool {
		cm := &corev1.ConfigMap{}
		got := &unstructured.Unstructured{}
		got.SetGroupVersionKind(widgetGVK)
		if c.Get(ctx, types.NamespacedName{Namespace: "default", Name: "w1-config"}, cm) != nil ||
			c.Get(ctx, types.NamespacedName{Namespace: "default", Name: "w1"}, got) != nil {
			return false
		}
		ready, _, _ := unstructured.NestedBool(got.Object, "status", "ready")
		return ready && cm.Data["size"] == "7" && len(cm.OwnerReferences) == 1
	})
	lease := &coordinationv1.Lease{}
	if err := c.Get(ctx, types.NamespacedName{Namespace: "default", Name: "widgets.example.memkube.io"}, lease); err != nil || lease.Spec.HolderIdentity == nil {
		t.Errorf("leader election Lease: %v %+v", err, lease.Spec)
	}

	if err := c.Delete(ctx, widget); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the garbage collector to delete the owned ConfigMap", func() bool {
		err := c.Get(ctx, types.NamespacedName{Namespace: "default", Name: "w1-config"}, &corev1.ConfigMap{})
		return apierrors.IsNotFound(err)
	})
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(eventTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestControllerRuntimeWebhook serves a validating admission webhook with
// controller-runtime's webhook server, installed through memkube's envtest
// WebhookInstallOptions, as operator projects do.
func TestControllerRuntimeWebhook(t *testing.T) {
	t.Parallel()
	none := admissionregistrationv1.SideEffectClassNone
	fail := admissionregistrationv1.Fail
	env := &envtest.Environment{Options: harness.Options{Storage: e2eStorage}, WebhookInstallOptions: envtest.WebhookInstallOptions{
		ValidatingWebhooks: []*admissionregistrationv1.ValidatingWebhookConfiguration{{
			ObjectMeta: metav1.ObjectMeta{Name: "no-forbidden-data"},
			Webhooks: []admissionregistrationv1.ValidatingWebhook{{
				Name:                    "configmaps.memkube.io",
				ClientConfig:            admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{Name: "webhook", Namespace: "default", Path: ptr.To("/validate-configmap")}},
				Rules:                   []admissionregistrationv1.RuleWithOperations{{Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update}, Rule: admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"configmaps"}}}},
				SideEffects:             &none,
				FailurePolicy:           &fail,
				AdmissionReviewVersions: []string{"v1"},
				ObjectSelector:          &metav1.LabelSelector{MatchLabels: map[string]string{"checked": "true"}},
			}},
		}},
	}}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := env.Stop(); err != nil {
			t.Error(err)
		}
	}()
	opts := env.WebhookInstallOptions
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Metrics:       metricsserver.Options{BindAddress: "0"},
		WebhookServer: webhook.NewServer(webhook.Options{Host: opts.LocalServingHost, Port: opts.LocalServingPort, CertDir: opts.LocalServingCertDir}),
	})
	if err != nil {
		t.Fatal(err)
	}
	mgr.GetWebhookServer().Register("/validate-configmap", &webhook.Admission{Handler: admission.HandlerFunc(func(_ context.Context, req admission.Request) admission.Response {
		var cm corev1.ConfigMap
		if err := json.Unmarshal(req.Object.Raw, &cm); err != nil {
			return admission.Errored(http.StatusBadRequest, err)
		}
		if _, bad := cm.Data["forbidden"]; bad {
			return admission.Denied("key forbidden is not allowed")
		}
		return admission.Allowed("")
	})})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	}()

	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// until the manager serves its webhook, creates fail with "connection
	// refused" (failurePolicy Fail).
	started := mgr.GetWebhookServer().StartedChecker()
	waitUntil(t, "the webhook server to start", func() bool { return started(nil) == nil })
	var denied error
	waitUntil(t, "the webhook to deny", func() bool {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "bad", Namespace: "default", Labels: map[string]string{"checked": "true"}}, Data: map[string]string{"forbidden": "x"}}
		denied = c.Create(ctx, cm)
		if denied == nil {
			_ = c.Delete(ctx, cm)
		}
		return denied != nil
	})
	if want := `admission webhook "configmaps.memkube.io" denied the request: key forbidden is not allowed`; !strings.Contains(denied.Error(), want) {
		t.Errorf("denied: %v, want %s", denied, want)
	}
	ok := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "ok", Namespace: "default", Labels: map[string]string{"checked": "true"}}, Data: map[string]string{"fine": "x"}}
	if err := c.Create(ctx, ok); err != nil {
		t.Errorf("allowed create: %v", err)
	}
}
