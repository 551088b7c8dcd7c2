package harness_test

import (
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestServerClock freezes a server's clock and steps it: what the server
// dates follows it, for built-ins and custom resources.
func TestServerClock(t *testing.T) {
	ctx := t.Context()
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	fake := clocktesting.NewFakeClock(t0)
	s := harnesstest.Start(t, harness.Options{Clock: fake})
	if s.Clock() != fake {
		t.Fatalf("Server.Clock() = %v, want Options.Clock", s.Clock())
	}
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	at := func(what string, got metav1.Time, want time.Time) {
		t.Helper()
		if !got.Time.Equal(want) {
			t.Errorf("%s = %v, want %v", what, got.Time.UTC(), want)
		}
	}

	ns, err := c.CoreV1().Namespaces().Get(ctx, "default", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	at("bootstrap namespace creationTimestamp", ns.CreationTimestamp, t0)

	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a", Finalizers: []string{"example.com/hold"}}}
	dry, err := c.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err != nil {
		t.Fatal(err)
	}
	at("dry-run creationTimestamp", dry.CreationTimestamp, t0)
	fake.Step(time.Hour)
	created, err := c.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	at("creationTimestamp after a step", created.CreationTimestamp, t0.Add(time.Hour))

	// a PUT that creates (leases allow it).
	lease, err := c.CoordinationV1().Leases("default").Update(ctx, newLease("l"), metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	at("creationTimestamp of a PUT-created lease", lease.CreationTimestamp, t0.Add(time.Hour))

	fake.Step(time.Minute)
	if err := c.CoreV1().ConfigMaps("default").Delete(ctx, "a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	deleting, err := c.CoreV1().ConfigMaps("default").Get(ctx, "a", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if deleting.DeletionTimestamp == nil {
		t.Fatal("a finalized configmap has no deletionTimestamp after delete")
	}
	at("deletionTimestamp", *deleting.DeletionTimestamp, t0.Add(time.Hour+time.Minute))

	crdClient := apiextensionsclient.NewForConfigOrDie(s.RESTConfig())
	crd, err := crdClient.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, widgetCRD(), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	at("CRD creationTimestamp", crd.CreationTimestamp, t0.Add(time.Hour+time.Minute))
	widgets := dynamic.NewForConfigOrDie(s.RESTConfig()).Resource(schema.GroupVersionResource{Group: "example.memkube.io", Version: "v1", Resource: "widgets"}).Namespace("default")
	var w *unstructured.Unstructured
	eventually(t, "a widget created", func() bool {
		w, err = widgets.Create(ctx, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "example.memkube.io/v1", "kind": "Widget", "metadata": map[string]any{"name": "w"},
		}}, metav1.CreateOptions{})
		return err == nil
	})
	at("custom resource creationTimestamp", w.GetCreationTimestamp(), t0.Add(time.Hour+time.Minute))

	// namespace deletion: its deletionTimestamp and the controller's conditions.
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoreV1().ConfigMaps("team").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "held", Finalizers: []string{"example.com/hold"}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	fake.Step(time.Minute)
	if err := c.CoreV1().Namespaces().Delete(ctx, "team", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	var team *corev1.Namespace
	eventually(t, "namespace team's conditions", func() bool {
		team, err = c.CoreV1().Namespaces().Get(ctx, "team", metav1.GetOptions{})
		return err == nil && len(team.Status.Conditions) > 0
	})
	at("namespace deletionTimestamp", *team.DeletionTimestamp, t0.Add(time.Hour+2*time.Minute))
	for _, cond := range team.Status.Conditions {
		at("namespace condition "+string(cond.Type)+" lastTransitionTime", cond.LastTransitionTime, t0.Add(time.Hour+2*time.Minute))
	}

	// events live an hour (--event-ttl) on the server clock.
	ev := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e"}, InvolvedObject: corev1.ObjectReference{Kind: "ConfigMap", Namespace: "default", Name: "a"}, Reason: "Test"}
	if _, err := c.CoreV1().Events("default").Create(ctx, ev, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	fake.Step(59 * time.Minute)
	if _, err := c.CoreV1().Events("default").Get(ctx, "e", metav1.GetOptions{}); err != nil {
		t.Fatalf("the event is gone before its hour: %v", err)
	}
	fake.Step(time.Minute)
	eventually(t, "the event expired", func() bool {
		_, err := c.CoreV1().Events("default").Get(ctx, "e", metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})
}

func newLease(name string) *coordinationv1.Lease {
	return &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name}}
}
