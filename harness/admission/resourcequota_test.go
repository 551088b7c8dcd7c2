package admission_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	quota "k8s.io/apiserver/pkg/quota/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
)

// quotaNamespace creates a namespace with quota q of hard limits and waits
// until the quota's usage is known to admission (dry-run creates of probe
// are no longer refused with "status unknown for quota").
func quotaNamespace(t *testing.T, c kubernetes.Interface, ns string, hard corev1.ResourceList) {
	t.Helper()
	ctx := t.Context()
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoreV1().ResourceQuotas(ns).Create(ctx, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "q"}, Spec: corev1.ResourceQuotaSpec{Hard: hard}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// the controller calculates status.used; the plugin reads it from an informer.
	err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		q, err := c.CoreV1().ResourceQuotas(ns).Get(ctx, "q", metav1.GetOptions{})
		if err != nil || !quota.Equals(q.Status.Hard, hard) || len(q.Status.Used) != len(hard) {
			return false, err
		}
		probe := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "probe"}}
		_, err = c.CoreV1().ConfigMaps(ns).Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("quota %s/q never got its usage: %v", ns, err)
	}
}

func TestResourceQuota(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	ctx := t.Context()
	quotaNamespace(t, c, "pods", resources("pods", "2", "requests.cpu", "1", "count/configmaps", "10"))
	quotaNamespace(t, c, "services", resources("services", "5", "services.loadbalancers", "0", "services.nodeports", "2"))
	quotaNamespace(t, c, "claims", resources("requests.storage", "10Gi", "persistentvolumeclaims", "3", "gold.storageclass.storage.k8s.io/requests.storage", "1Gi"))
	for _, name := range []string{"p1", "p2"} {
		if _, err := c.CoreV1().Pods("pods").Create(ctx, podWith(name, resources("cpu", "300m"), nil), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	service := func(name string, typ corev1.ServiceType, ports int) *corev1.Service {
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.ServiceSpec{Type: typ}}
		for i := range ports {
			svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: string(rune('a' + i)), Port: int32(80 + i)})
		}
		return svc
	}
	claimOf := func(name, size, class string) *corev1.PersistentVolumeClaim {
		pvc := claim(name)
		pvc.Spec.Resources.Requests = resources("storage", size)
		if class != "" {
			pvc.Spec.StorageClassName = ptr.To(class)
		}
		return pvc
	}
	for _, tc := range []struct {
		name    string
		create  func(context.Context) error
		wantErr string
	}{
		{"a third pod", func(ctx context.Context) error {
			_, err := c.CoreV1().Pods("pods").Create(ctx, podWith("p3", resources("cpu", "100m"), nil), metav1.CreateOptions{})
			return err
		}, `pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2`},
		{"a pod without a cpu request", func(ctx context.Context) error {
			_, err := c.CoreV1().Pods("pods").Create(ctx, pod("nocpu"), metav1.CreateOptions{})
			return err
		}, `pods "nocpu" is forbidden: failed quota: q: must specify requests.cpu for: c`},
		{"a config map", func(ctx context.Context) error {
			_, err := c.CoreV1().ConfigMaps("pods").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"}}, metav1.CreateOptions{})
			return err
		}, ""},
		{"a cluster IP service", func(ctx context.Context) error {
			_, err := c.CoreV1().Services("services").Create(ctx, service("ip", corev1.ServiceTypeClusterIP, 3), metav1.CreateOptions{})
			return err
		}, ""},
		{"a load balancer", func(ctx context.Context) error {
			_, err := c.CoreV1().Services("services").Create(ctx, service("lb", corev1.ServiceTypeLoadBalancer, 1), metav1.CreateOptions{})
			return err
		}, `services "lb" is forbidden: exceeded quota: q, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0`},
		{"too many node ports", func(ctx context.Context) error {
			_, err := c.CoreV1().Services("services").Create(ctx, service("np", corev1.ServiceTypeNodePort, 3), metav1.CreateOptions{})
			return err
		}, `services "np" is forbidden: exceeded quota: q, requested: services.nodeports=3, used: services.nodeports=0, limited: services.nodeports=2`},
		{"a claim within", func(ctx context.Context) error {
			_, err := c.CoreV1().PersistentVolumeClaims("claims").Create(ctx, claimOf("ok", "5Gi", ""), metav1.CreateOptions{})
			return err
		}, ""},
		{"a claim too big", func(ctx context.Context) error {
			_, err := c.CoreV1().PersistentVolumeClaims("claims").Create(ctx, claimOf("big", "20Gi", ""), metav1.CreateOptions{})
			return err
		}, `persistentvolumeclaims "big" is forbidden: exceeded quota: q, requested: requests.storage=20Gi, used: requests.storage=5Gi, limited: requests.storage=10Gi`},
		{"a claim too big for its class", func(ctx context.Context) error {
			_, err := c.CoreV1().PersistentVolumeClaims("claims").Create(ctx, claimOf("gold", "2Gi", "gold"), metav1.CreateOptions{})
			return err
		}, `persistentvolumeclaims "gold" is forbidden: exceeded quota: q, requested: gold.storageclass.storage.k8s.io/requests.storage=2Gi, used: gold.storageclass.storage.k8s.io/requests.storage=0, limited: gold.storageclass.storage.k8s.io/requests.storage=1Gi`},
	} {
		// in order: usage adds up.
		t.Run(tc.name, func(t *testing.T) {
			err := tc.create(t.Context())
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantForbidden(t, err, tc.wantErr)
		})
	}

	// a deleted pod releases its usage (the controller recalculates).
	if err := c.CoreV1().Pods("pods").Delete(ctx, "p1", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := c.CoreV1().Pods("pods").Create(ctx, podWith("p3", resources("cpu", "100m"), nil), metav1.CreateOptions{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("a pod after one was deleted: %v", err)
	}
}

// TestResourceQuotaWithoutController: with no controller a quota never
// gets a status, and the plugin, which matches quotas by status.hard,
// enforces nothing: as in envtest.
func TestResourceQuotaWithoutController(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{Controllers: harness.Controllers{NoResourceQuota: true}})
	ctx := t.Context()
	if _, err := c.CoreV1().ResourceQuotas("default").Create(ctx, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "q"}, Spec: corev1.ResourceQuotaSpec{Hard: resources("pods", "1")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"p1", "p2"} {
		if _, err := c.CoreV1().Pods("default").Create(ctx, pod(name), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	q, err := c.CoreV1().ResourceQuotas("default").Get(ctx, "q", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Status.Hard) != 0 || len(q.Status.Used) != 0 {
		t.Fatalf("got status %+v, want none", q.Status)
	}
}
