package namespace_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/controllers/namespace"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestMain fails the package if a stopped controller (or server) leaves
// goroutines behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, harnesstest.IgnoreLeaks()...)
}

// gadgets is the custom resource of gadgetCRD.
var gadgets = schema.GroupVersionResource{Group: "example.memkube.io", Version: "v1", Resource: "gadgets"}

func gadgetCRD() *apiextensionsv1.CustomResourceDefinition {
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "gadgets.example.memkube.io"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: gadgets.Group,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "gadgets", Singular: "gadget", Kind: "Gadget", ListKind: "GadgetList"},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object", XPreserveUnknownFields: ptr.To(true),
				}},
			}},
		},
	}
}

// startController runs a namespace controller against s until the test
// ends, and checks that Run returns when told to stop.
func startController(t *testing.T, s *harness.Server, configure func(*namespace.Controller)) {
	t.Helper()
	c, err := namespace.New(s.InProcessRESTConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if configure != nil {
		configure(c)
	}
	harnesstest.Run(t, func(ctx context.Context) { c.Run(ctx, 2) })
}

// waitFor polls cond every 5 ms until it holds, for at most 20 s.
func waitFor(t *testing.T, what string, cond func(context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 20*time.Second, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// waitGone waits until namespace name does not exist.
func waitGone(t *testing.T, client kubernetes.Interface, name string) {
	t.Helper()
	waitFor(t, "namespace "+name+" to be gone", func(ctx context.Context) (bool, error) {
		_, err := client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
}

func createNamespace(t *testing.T, client kubernetes.Interface, name string) {
	t.Helper()
	if _, err := client.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func deleteNamespace(t *testing.T, client kubernetes.Interface, name string) {
	t.Helper()
	if err := client.CoreV1().Namespaces().Delete(t.Context(), name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
}

func configMap(name string, finalizers ...string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Finalizers: finalizers}, Data: map[string]string{"k": "v"}}
}

// TestDeleteNamespaceWithContent deletes a namespace holding built-in
// objects of several groups and a custom resource: all go, then the
// namespace, with phase Terminating and the conditions all "ok" on the way.
func TestDeleteNamespaceWithContent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoNamespace: true}})
	startController(t, s, nil)
	client := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	dyn := dynamic.NewForConfigOrDie(s.InProcessRESTConfig())
	crds := apiextensionsclient.NewForConfigOrDie(s.InProcessRESTConfig())
	if _, err := crds.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, gadgetCRD(), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	const ns = "doomed"
	createNamespace(t, client, ns)
	for i := range 3 {
		if _, err := client.CoreV1().ConfigMaps(ns).Create(ctx, configMap(fmt.Sprintf("cm-%d", i)), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := client.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("secret-%d", i)}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	labels := map[string]string{"app": "web"}
	deploy := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}},
			},
		},
	}
	if _, err := client.AppsV1().Deployments(ns).Create(ctx, deploy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: deploy.Spec.Template.Spec}
	if _, err := client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	gadget := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.memkube.io/v1", "kind": "Gadget",
		"metadata": map[string]any{"name": "g1"}, "spec": map[string]any{"size": int64(1)},
	}}
	// the CRD's resource is served once it is established.
	waitFor(t, "a Gadget to be created", func(ctx context.Context) (bool, error) {
		_, err := dyn.Resource(gadgets).Namespace(ns).Create(ctx, gadget, metav1.CreateOptions{})
		return err == nil, nil
	})

	deleteNamespace(t, client, ns)
	got, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.Phase != corev1.NamespaceTerminating || got.DeletionTimestamp.IsZero() {
		t.Errorf("after DELETE: phase %q, deletionTimestamp %v; want Terminating, set", got.Status.Phase, got.DeletionTimestamp)
	}
	var seen *corev1.Namespace
	waitFor(t, "namespace "+ns+" to be gone", func(ctx context.Context) (bool, error) {
		got, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err == nil && len(got.Status.Conditions) > 0 {
			seen = got
		}
		return false, err
	})
	if seen != nil {
		// what the last look caught: the "ok" conditions of a namespace
		// whose content is gone.
		for _, c := range seen.Status.Conditions {
			if c.Status != corev1.ConditionFalse || c.Reason != namespace.OKReasons[c.Type] || c.Message != namespace.OKMessages[c.Type] {
				t.Errorf("condition %s = %s %q %q, want False %q %q", c.Type, c.Status, c.Reason, c.Message, namespace.OKReasons[c.Type], namespace.OKMessages[c.Type])
			}
		}
	}

	lists := map[string]func() (int, error){
		"configmaps": func() (int, error) {
			l, err := client.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
			return len(l.Items), err
		},
		"secrets": func() (int, error) {
			l, err := client.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
			return len(l.Items), err
		},
		"deployments": func() (int, error) {
			l, err := client.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
			return len(l.Items), err
		},
		"pods": func() (int, error) {
			l, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
			return len(l.Items), err
		},
		"gadgets": func() (int, error) {
			l, err := dyn.Resource(gadgets).Namespace(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return 0, err
			}
			return len(l.Items), nil
		},
	}
	for resource, list := range lists {
		if n, err := list(); err != nil || n != 0 {
			t.Errorf("%s in %s after it was deleted: %d (%v), want none", resource, ns, n, err)
		}
	}

	// the name is free again, for a namespace without the old content.
	createNamespace(t, client, ns)
	if _, err := client.CoreV1().ConfigMaps(ns).Get(ctx, "cm-0", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("cm-0 in the new %s: %v, want none", ns, err)
	}
}

// TestFinalizersKeepNamespace deletes a namespace whose ConfigMap has a
// finalizer: the namespace stays Terminating, with upstream's conditions,
// until the finalizer is removed; then it goes promptly (the controller
// watches what remains, it does not wait out upstream's 8 s estimate).
func TestFinalizersKeepNamespace(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoNamespace: true}})
	startController(t, s, nil)
	client := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	const ns, finalizer = "held", "example.memkube.io/hold"
	createNamespace(t, client, ns)
	for _, cm := range []*corev1.ConfigMap{configMap("held", finalizer), configMap("free")} {
		if _, err := client.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	deleteNamespace(t, client, ns)

	want := map[corev1.NamespaceConditionType]corev1.NamespaceCondition{
		corev1.NamespaceDeletionDiscoveryFailure: {Status: corev1.ConditionFalse, Reason: "ResourcesDiscovered", Message: "All resources successfully discovered"},
		corev1.NamespaceDeletionGVParsingFailure: {Status: corev1.ConditionFalse, Reason: "ParsedGroupVersions", Message: "All legacy kube types successfully parsed"},
		corev1.NamespaceDeletionContentFailure:   {Status: corev1.ConditionFalse, Reason: "ContentDeleted", Message: "All content successfully deleted, may be waiting on finalization"},
		corev1.NamespaceContentRemaining: {Status: corev1.ConditionTrue, Reason: "SomeResourcesRemain",
			Message: "Some resources are remaining: configmaps. has 1 resource instances"},
		corev1.NamespaceFinalizersRemaining: {Status: corev1.ConditionTrue, Reason: "SomeFinalizersRemain",
			Message: "Some content in the namespace has finalizers remaining: example.memkube.io/hold in 1 resource instances"},
	}
	var last []corev1.NamespaceCondition
	waitFor(t, "the FinalizersRemaining condition", func(ctx context.Context) (bool, error) {
		got, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = got.Status.Conditions
		return len(last) == len(want), nil
	})
	for i, c := range last {
		if c.Type != namespace.ConditionTypes[i] {
			t.Errorf("condition %d is %s, want %s", i, c.Type, namespace.ConditionTypes[i])
		}
		w := want[c.Type]
		if c.Status != w.Status || c.Reason != w.Reason || c.Message != w.Message || c.LastTransitionTime.IsZero() {
			t.Errorf("condition %s = %s %q %q (at %v), want %s %q %q", c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime, w.Status, w.Reason, w.Message)
		}
	}
	held, err := client.CoreV1().ConfigMaps(ns).Get(ctx, "held", metav1.GetOptions{})
	if err != nil || held.DeletionTimestamp.IsZero() {
		t.Fatalf("held ConfigMap: %v, deletionTimestamp %v; want it there, being deleted", err, held.GetDeletionTimestamp())
	}
	if _, err := client.CoreV1().ConfigMaps(ns).Get(ctx, "free", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("ConfigMap without finalizer: %v, want it deleted", err)
	}
	got, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil || got.Status.Phase != corev1.NamespaceTerminating || len(got.Spec.Finalizers) != 1 {
		t.Fatalf("namespace %s: %v, phase %q, spec.finalizers %v; want Terminating, [kubernetes]", ns, err, got.Status.Phase, got.Spec.Finalizers)
	}

	released := time.Now()
	if _, err := client.CoreV1().ConfigMaps(ns).Patch(ctx, "held", types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	waitGone(t, client, ns)
	// upstream looks again after 8 s; the watch reacts in milliseconds.
	d := time.Since(released)
	if d > 4*time.Second {
		t.Errorf("namespace went %v after its last finalizer was removed, want well under upstream's 8s", d)
	}
	t.Logf("namespace gone %v after its last finalizer was removed", d)
}

// TestCreateInTerminatingNamespace: while a namespace is Terminating, new
// content is refused (the NamespaceLifecycle admission plugin), with
// upstream's message and cause.
func TestCreateInTerminatingNamespace(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoNamespace: true}})
	startController(t, s, nil)
	client := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	const ns = "closing"
	createNamespace(t, client, ns)
	if _, err := client.CoreV1().ConfigMaps(ns).Create(ctx, configMap("held", "example.memkube.io/hold"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deleteNamespace(t, client, ns)
	_, err := client.CoreV1().ConfigMaps(ns).Create(ctx, configMap("late"), metav1.CreateOptions{})
	wantMsg := `configmaps "late" is forbidden: unable to create new content in namespace closing because it is being terminated`
	if !apierrors.IsForbidden(err) || err.Error() != wantMsg || !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
		t.Errorf("create in a terminating namespace: %v, want Forbidden %q with cause %s", err, wantMsg, corev1.NamespaceTerminatingCause)
	}
	if _, err := client.CoreV1().ConfigMaps(ns).Patch(ctx, "held", types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	waitGone(t, client, ns)
}

// TestDiscoveryFailure: when discovery fails for some groups, the content
// of the others is still deleted, the namespace says why it is stuck, and
// it goes once discovery works again.
func TestDiscoveryFailure(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoNamespace: true}})
	failing := make(chan bool, 1)
	failing <- true
	startController(t, s, func(c *namespace.Controller) {
		namespace.WrapDiscovery(c, func(discover namespace.DiscoverFunc) namespace.DiscoverFunc {
			return func(ctx context.Context) ([]*metav1.APIResourceList, error) {
				lists, err := discover(ctx)
				fail := <-failing
				failing <- fail
				if err != nil || !fail {
					return lists, err
				}
				return lists, &discovery.ErrGroupDiscoveryFailed{Groups: map[schema.GroupVersion]error{
					{Group: "broken.example.com", Version: "v1"}: errors.New("the server is currently unable to handle the request"),
				}}
			}
		})
	})
	client := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	const ns = "undiscovered"
	createNamespace(t, client, ns)
	if _, err := client.CoreV1().ConfigMaps(ns).Create(ctx, configMap("cm"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deleteNamespace(t, client, ns)
	wantMsg := "Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: broken.example.com/v1: the server is currently unable to handle the request"
	waitFor(t, "the DiscoveryFailure condition", func(ctx context.Context) (bool, error) {
		got, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		c := namespace.GetCondition(got.Status.Conditions, corev1.NamespaceDeletionDiscoveryFailure)
		return c != nil && c.Status == corev1.ConditionTrue, nil
	})
	got, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c := namespace.GetCondition(got.Status.Conditions, corev1.NamespaceDeletionDiscoveryFailure); c.Reason != "DiscoveryFailed" || c.Message != wantMsg {
		t.Errorf("DiscoveryFailure condition: %q %q, want DiscoveryFailed %q", c.Reason, c.Message, wantMsg)
	}
	if c := namespace.GetCondition(got.Status.Conditions, corev1.NamespaceContentRemaining); c == nil || c.Status != corev1.ConditionFalse {
		t.Errorf("ContentRemaining condition %+v, want False: what was discovered is gone", c)
	}
	if _, err := client.CoreV1().ConfigMaps(ns).Get(ctx, "cm", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("ConfigMap: %v, want it deleted though another group failed discovery", err)
	}
	if len(got.Spec.Finalizers) != 1 {
		t.Errorf("spec.finalizers %v, want [kubernetes] kept while discovery fails", got.Spec.Finalizers)
	}
	<-failing
	failing <- false
	waitGone(t, client, ns)
}
