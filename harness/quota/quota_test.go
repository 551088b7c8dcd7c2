package quota_test

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	quotav1 "k8s.io/apiserver/pkg/quota/v1"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/quota"
)

func resources(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

func evaluator(t *testing.T, resource string, clk *clocktesting.FakeClock) quotav1.Evaluator {
	t.Helper()
	for _, e := range quota.NewEvaluators(nil, clk) {
		if e.GroupResource() == corev1.Resource(resource) {
			return e
		}
	}
	t.Fatalf("no evaluator of %s", resource)
	return nil
}

func container(name string, requests, limits corev1.ResourceList) corev1.Container {
	return corev1.Container{Name: name, Resources: corev1.ResourceRequirements{Requests: requests, Limits: limits}}
}

func TestPodUsage(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := clocktesting.NewFakeClock(now)
	e := evaluator(t, "pods", clk)
	always := corev1.ContainerRestartPolicyAlways
	for _, tc := range []struct {
		name string
		pod  corev1.Pod
		want corev1.ResourceList
	}{
		{"requests and limits", corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{
			container("a", resources("cpu", "100m", "memory", "1Gi", "hugepages-2Mi", "2Mi"), resources("cpu", "1", "memory", "2Gi")),
			container("b", resources("cpu", "200m"), nil),
		}}}, resources("count/pods", "1", "pods", "1", "cpu", "300m", "requests.cpu", "300m", "limits.cpu", "1",
			"memory", "1Gi", "requests.memory", "1Gi", "limits.memory", "2Gi", "hugepages-2Mi", "2Mi", "requests.hugepages-2Mi", "2Mi")},
		{"init containers and a sidecar", corev1.Pod{Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{
				{Name: "sidecar", RestartPolicy: &always, Resources: corev1.ResourceRequirements{Requests: resources("cpu", "100m")}},
				container("init", resources("cpu", "1"), nil),
			},
			Containers: []corev1.Container{container("a", resources("cpu", "200m"), nil)},
		}}, resources("count/pods", "1", "pods", "1", "cpu", "1100m", "requests.cpu", "1100m")},
		{"pod-level resources and overhead", corev1.Pod{Spec: corev1.PodSpec{
			Resources:  &corev1.ResourceRequirements{Requests: resources("cpu", "2")},
			Overhead:   resources("cpu", "250m"),
			Containers: []corev1.Container{container("a", resources("cpu", "100m"), nil)},
		}}, resources("count/pods", "1", "pods", "1", "cpu", "2250m", "requests.cpu", "2250m")},
		{"extended resource", corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{
			container("a", resources("example.com/gpu", "2"), resources("example.com/gpu", "2")),
		}}}, resources("count/pods", "1", "pods", "1", "requests.example.com/gpu", "2")},
		{"succeeded", corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{container("a", resources("cpu", "1"), nil)}},
			Status: corev1.PodStatus{Phase: corev1.PodSucceeded}}, resources("count/pods", "1")},
		{"past its grace period", corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &metav1.Time{Time: now.Add(-time.Minute)}, DeletionGracePeriodSeconds: ptr.To[int64](30)},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{container("a", resources("cpu", "1"), nil)}},
		}, resources("count/pods", "1")},
		{"within its grace period", corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &metav1.Time{Time: now.Add(-time.Second)}, DeletionGracePeriodSeconds: ptr.To[int64](30)},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{container("a", resources("cpu", "1"), nil)}},
		}, resources("count/pods", "1", "pods", "1", "cpu", "1", "requests.cpu", "1")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.Usage(&tc.pod)
			if err != nil {
				t.Fatal(err)
			}
			if !quotav1.Equals(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPodConstraints(t *testing.T) {
	e := evaluator(t, "pods", clocktesting.NewFakeClock(time.Now()))
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{
		container("a", resources("cpu", "1"), nil),
		container("b", nil, nil),
	}}}
	err := e.Constraints([]corev1.ResourceName{"requests.cpu", "limits.memory", "pods"}, pod)
	if want := "must specify limits.memory for: a,b; requests.cpu for: b"; err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	// pod-level resources lift the requirement.
	pod.Spec.Resources = &corev1.ResourceRequirements{Requests: resources("cpu", "1")}
	if err := e.Constraints([]corev1.ResourceName{"requests.cpu"}, pod); err != nil {
		t.Fatalf("with pod-level resources: %v", err)
	}
}

func TestServiceUsage(t *testing.T) {
	e := evaluator(t, "services", clocktesting.NewFakeClock(time.Now()))
	ports := []corev1.ServicePort{{Port: 80, NodePort: 30080}, {Port: 81}}
	for _, tc := range []struct {
		name string
		spec corev1.ServiceSpec
		want corev1.ResourceList
	}{
		{"cluster IP", corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Ports: ports},
			resources("count/services", "1", "services", "1", "services.nodeports", "0", "services.loadbalancers", "0")},
		{"node port", corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: ports},
			resources("count/services", "1", "services", "1", "services.nodeports", "2", "services.loadbalancers", "0")},
		{"load balancer", corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Ports: ports},
			resources("count/services", "1", "services", "1", "services.nodeports", "2", "services.loadbalancers", "1")},
		{"load balancer without node ports", corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Ports: ports, AllocateLoadBalancerNodePorts: ptr.To(false)},
			resources("count/services", "1", "services", "1", "services.nodeports", "1", "services.loadbalancers", "1")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.Usage(&corev1.Service{Spec: tc.spec})
			if err != nil {
				t.Fatal(err)
			}
			if !quotav1.Equals(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPVCUsage(t *testing.T) {
	e := evaluator(t, "persistentvolumeclaims", clocktesting.NewFakeClock(time.Now()))
	claim := func(size, class string, allocated string) runtime.Object {
		pvc := &corev1.PersistentVolumeClaim{Spec: corev1.PersistentVolumeClaimSpec{
			Resources: corev1.VolumeResourceRequirements{Requests: resources("storage", size)},
		}}
		if class != "" {
			pvc.Spec.StorageClassName = &class
		}
		if allocated != "" {
			pvc.Status.AllocatedResources = resources("storage", allocated)
		}
		return pvc
	}
	for _, tc := range []struct {
		name string
		pvc  runtime.Object
		want corev1.ResourceList
	}{
		{"no class", claim("1Gi", "", ""), resources("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "1Gi")},
		{"class", claim("1Gi", "gold", ""), resources("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "1Gi",
			"gold.storageclass.storage.k8s.io/persistentvolumeclaims", "1", "gold.storageclass.storage.k8s.io/requests.storage", "1Gi")},
		{"fraction of a byte", claim("1500m", "", ""), resources("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "2")},
		{"allocated more", claim("1Gi", "", "2Gi"), resources("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "2Gi")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.Usage(tc.pvc)
			if err != nil {
				t.Fatal(err)
			}
			if !quotav1.Equals(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
