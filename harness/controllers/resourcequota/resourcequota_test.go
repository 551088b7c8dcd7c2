package resourcequota_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	quota "k8s.io/apiserver/pkg/quota/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/controllers/resourcequota"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestMain fails the package if a stopped controller (or server) leaves
// goroutines behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, harnesstest.IgnoreLeaks()...)
}

// start starts a server without its own quota controller and runs one
// (two workers) until the test ends.
func start(t *testing.T) (*harness.Server, kubernetes.Interface) {
	t.Helper()
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoResourceQuota: true}})
	c, err := resourcequota.New(s.InProcessRESTConfig(), clock.RealClock{})
	if err != nil {
		t.Fatal(err)
	}
	harnesstest.Run(t, func(ctx context.Context) { c.Run(ctx, 2) })
	return s, kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
}

func resources(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

// namespace creates a namespace and waits for its kube-root-ca.crt
// ConfigMap: created before a quota, it is counted in the quota's first
// usage; created after, it could race the quota into the admission
// plugin's cache and go uncharged until a recalculation, as upstream.
func namespace(t *testing.T, c kubernetes.Interface, name string) {
	t.Helper()
	if _, err := c.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := c.CoreV1().ConfigMaps(name).Get(ctx, "kube-root-ca.crt", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("namespace %s has no kube-root-ca.crt: %v", name, err)
	}
}

func createQuota(t *testing.T, c kubernetes.Interface, ns string, q *corev1.ResourceQuota) {
	t.Helper()
	if _, err := c.CoreV1().ResourceQuotas(ns).Create(t.Context(), q, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// waitUsed waits until quota ns/name has status.hard equal to its spec and
// status.used equal to want.
func waitUsed(t *testing.T, c kubernetes.Interface, ns, name string, want corev1.ResourceList) {
	t.Helper()
	var got *corev1.ResourceQuota
	err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		var err error
		got, err = c.CoreV1().ResourceQuotas(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return quota.Equals(got.Status.Hard, got.Spec.Hard) && quota.Equals(got.Status.Used, want), nil
	})
	if err != nil {
		t.Fatalf("quota %s/%s: got status hard %v used %v, want hard %v used %v (%v)", ns, name, got.Status.Hard, got.Status.Used, got.Spec.Hard, want, err)
	}
}

// waitAdmitted waits until a dry run of create is admitted: the
// ResourceQuota admission plugin reads quotas from an informer, which may
// not have their new status yet ("status unknown for quota"), as upstream.
func waitAdmitted(t *testing.T, create func(context.Context, metav1.CreateOptions) error) {
	t.Helper()
	var err error
	if pollErr := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		err = create(ctx, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err == nil, nil
	}); pollErr != nil {
		t.Fatalf("never admitted: %v", err)
	}
}

func pod(name string, requests corev1.ResourceList) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "c", Image: "busybox", Resources: corev1.ResourceRequirements{Requests: requests},
		}}},
	}
}

// TestUsage: a quota's status counts what is in its namespace when it is
// created, follows deletions and pods that end, and is recalculated when
// its limits change.
func TestUsage(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	ctx := t.Context()
	namespace(t, c, "usage")
	for i, cpu := range []string{"100m", "250m", "0"} {
		requests := resources("cpu", cpu, "memory", "64Mi")
		if cpu == "0" {
			requests = nil // BestEffort
		}
		if _, err := c.CoreV1().Pods("usage").Create(ctx, pod(fmt.Sprintf("p%d", i), requests), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CoreV1().ConfigMaps("usage").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "np"}, Spec: corev1.ServiceSpec{
		Type:  corev1.ServiceTypeNodePort,
		Ports: []corev1.ServicePort{{Name: "a", Port: 80}, {Name: "b", Port: 81}},
	}}
	if _, err := c.CoreV1().Services("usage").Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	createQuota(t, c, "usage", &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "compute"},
		Spec: corev1.ResourceQuotaSpec{Hard: resources(
			"pods", "10", "count/pods", "10", "requests.cpu", "2", "requests.memory", "1Gi", "count/configmaps", "5", "configmaps", "5",
			"services.nodeports", "4", "services", "3", "count/secrets", "3",
		)},
	})
	createQuota(t, c, "usage", &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "best-effort"},
		Spec:       corev1.ResourceQuotaSpec{Hard: resources("pods", "10"), Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort}},
	})
	// kube-root-ca.crt is a ConfigMap of every namespace.
	waitUsed(t, c, "usage", "compute", resources(
		"pods", "3", "count/pods", "3", "requests.cpu", "350m", "requests.memory", "128Mi", "count/configmaps", "2", "configmaps", "2",
		"services.nodeports", "2", "services", "1", "count/secrets", "0",
	))
	waitUsed(t, c, "usage", "best-effort", resources("pods", "1"))

	// a deleted pod and a pod that ended release their usage.
	if err := c.CoreV1().Pods("usage").Delete(ctx, "p0", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	p1, err := c.CoreV1().Pods("usage").Get(ctx, "p1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p1.Status.Phase = corev1.PodSucceeded
	if _, err := c.CoreV1().Pods("usage").UpdateStatus(ctx, p1, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// the service stops using node ports.
	np, err := c.CoreV1().Services("usage").Get(ctx, "np", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	np.Spec.Type = corev1.ServiceTypeClusterIP
	for i := range np.Spec.Ports {
		np.Spec.Ports[i].NodePort = 0
	}
	if _, err := c.CoreV1().Services("usage").Update(ctx, np, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// count/pods counts every pod in storage, ended or not.
	waitUsed(t, c, "usage", "compute", resources(
		"pods", "1", "count/pods", "2", "requests.cpu", "0", "requests.memory", "0", "count/configmaps", "2", "configmaps", "2",
		"services.nodeports", "0", "services", "1", "count/secrets", "0",
	))

	// new limits: status.hard follows, usage of the new ones is measured.
	q, err := c.CoreV1().ResourceQuotas("usage").Get(ctx, "best-effort", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	q.Spec.Hard = resources("pods", "10", "count/pods", "10")
	if _, err := c.CoreV1().ResourceQuotas("usage").Update(ctx, q, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// the scope applies to count/pods too: the ended Burstable p1 is not
	// counted, where an unscoped quota would count it.
	waitUsed(t, c, "usage", "best-effort", resources("pods", "1", "count/pods", "1"))
}

// TestCustomResources: count/<resource>.<group> counts custom resources,
// whether the CRD comes before or after the quota.
func TestCustomResources(t *testing.T) {
	t.Parallel()
	s, c := start(t)
	ctx := t.Context()
	namespace(t, c, "crs")
	createQuota(t, c, "crs", &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "widgets"},
		Spec:       corev1.ResourceQuotaSpec{Hard: resources("count/widgets.example.memkube.io", "5")},
	})
	crd := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "widgets.example.memkube.io"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "example.memkube.io",
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "widgets", Singular: "widget", Kind: "Widget", ListKind: "WidgetList"},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{Type: "object", XPreserveUnknownFields: ptr.To(true)}},
			}},
		},
	}
	if _, err := apiextensionsclient.NewForConfigOrDie(s.InProcessRESTConfig()).ApiextensionsV1().CustomResourceDefinitions().Create(ctx, crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// the quota's usage is known once the resource is served.
	waitUsed(t, c, "crs", "widgets", resources("count/widgets.example.memkube.io", "0"))
	widgets := dynamic.NewForConfigOrDie(s.InProcessRESTConfig()).Resource(schema.GroupVersionResource{Group: "example.memkube.io", Version: "v1", Resource: "widgets"}).Namespace("crs")
	widget := func(name string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.memkube.io/v1", "kind": "Widget", "metadata": map[string]any{"name": name}}}
	}
	waitAdmitted(t, func(ctx context.Context, opts metav1.CreateOptions) error {
		_, err := widgets.Create(ctx, widget("a"), opts)
		return err
	})
	for _, name := range []string{"a", "b"} {
		if _, err := widgets.Create(ctx, widget(name), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// charged by admission, released by the controller.
	waitUsed(t, c, "crs", "widgets", resources("count/widgets.example.memkube.io", "2"))
	if err := widgets.Delete(ctx, "a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUsed(t, c, "crs", "widgets", resources("count/widgets.example.memkube.io", "1"))
}
