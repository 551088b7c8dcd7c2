package builtin_test

import (
	"fmt"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// wantInvalid fails t unless err is a 422 whose causes print as want.
func wantInvalid(t *testing.T, err error, want ...string) {
	t.Helper()
	if !apierrors.IsInvalid(err) {
		t.Fatalf("got %v, want 422 Invalid", err)
	}
	var got []string
	for _, c := range err.(apierrors.APIStatus).Status().Details.Causes {
		got = append(got, c.Field+": "+c.Message)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got causes %q, want %q", got, want)
	}
}

// TestCoreValidationThroughServer checks that the core family's validation
// and the preparation it depends on run on requests: what is rejected gets
// upstream's 422 and is not stored.
func TestCoreValidationThroughServer(t *testing.T) {
	t.Parallel()
	s := harnesstest.Start(t, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	ctx := t.Context()
	ns := "default"

	t.Run("service with unnamed ports", func(t *testing.T) {
		_, err := c.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "two-ports"},
			Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}, {Port: 443}}}}, metav1.CreateOptions{})
		wantInvalid(t, err, "spec.ports[0].name: Required value", "spec.ports[1].name: Required value")
		if _, err := c.CoreV1().Services(ns).Get(ctx, "two-ports", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Fatalf("got %v, want the service not stored", err)
		}
	})

	t.Run("service cluster IP is immutable", func(t *testing.T) {
		svc, err := c.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "fixed-ip"},
			Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ip := svc.Spec.ClusterIP
		svc.Spec.ClusterIP, svc.Spec.ClusterIPs = "10.0.0.200", []string{"10.0.0.200"}
		_, err = c.CoreV1().Services(ns).Update(ctx, svc, metav1.UpdateOptions{})
		wantInvalid(t, err, `spec.clusterIPs[0]: Invalid value: ["10.0.0.200"]: may not change once set`)
		if got, _ := c.CoreV1().Services(ns).Get(ctx, "fixed-ip", metav1.GetOptions{}); got.Spec.ClusterIP != ip {
			t.Fatalf("stored cluster IP %s, want %s", got.Spec.ClusterIP, ip)
		}
	})

	t.Run("service types change and allocate", func(t *testing.T) {
		svc, err := c.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "lb"},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal,
				Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if svc.Spec.HealthCheckNodePort == 0 || svc.Spec.Ports[0].NodePort == 0 || svc.Spec.HealthCheckNodePort == svc.Spec.Ports[0].NodePort {
			t.Fatalf("got node port %d and health check node port %d, want two allocated", svc.Spec.Ports[0].NodePort, svc.Spec.HealthCheckNodePort)
		}
		// back to ClusterIP with the whole object: the allocated and
		// defaulted fields of the old type go.
		svc.Spec.Type = corev1.ServiceTypeClusterIP
		svc, err = c.CoreV1().Services(ns).Update(ctx, svc, metav1.UpdateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if svc.Spec.Ports[0].NodePort != 0 || svc.Spec.HealthCheckNodePort != 0 || svc.Spec.ExternalTrafficPolicy != "" || svc.Spec.AllocateLoadBalancerNodePorts != nil {
			t.Fatalf("got %+v, want the LoadBalancer fields dropped", svc.Spec)
		}
	})

	t.Run("headless, external name and node port services", func(t *testing.T) {
		headless, err := c.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "headless"},
			Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// headless and selectorless: RequireDualStack with both families, as upstream.
		if p := headless.Spec.IPFamilyPolicy; p == nil || *p != corev1.IPFamilyPolicyRequireDualStack || len(headless.Spec.IPFamilies) != 2 {
			t.Fatalf("got policy %v and families %v, want RequireDualStack [IPv4 IPv6]", p, headless.Spec.IPFamilies)
		}
		if _, err := c.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "external"},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "db.example.com."}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		// RelaxedServiceNameValidation (GA): a name may start with a digit.
		if _, err := c.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "1st"},
			Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		_, err = c.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "bad-external"},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "db_1"}}, metav1.CreateOptions{})
		wantInvalid(t, err, `spec.externalName: Invalid value: "db_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`)
		_, err = c.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "node-port-on-cluster-ip"},
			Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80, NodePort: 30080}}}}, metav1.CreateOptions{})
		wantInvalid(t, err, "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'")
		_, err = c.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "bad-ip"},
			Spec: corev1.ServiceSpec{ClusterIP: "10.0.0.300", Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{})
		wantInvalid(t, err, `spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`)
	})

	t.Run("dual-stack on a single-stack cluster", func(t *testing.T) {
		_, err := c.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "dual"},
			Spec: corev1.ServiceSpec{IPFamilyPolicy: ptr.To(corev1.IPFamilyPolicyRequireDualStack), Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{})
		wantInvalid(t, err, `spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services`)
	})

	t.Run("secret stringData and type keys", func(t *testing.T) {
		got, err := c.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "creds"},
			Type: corev1.SecretTypeBasicAuth, StringData: map[string]string{"username": "admin"}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Data["username"]) != "admin" || got.StringData != nil {
			t.Fatalf("got data %q and stringData %q, want stringData merged into data", got.Data, got.StringData)
		}
		_, err = c.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "tls"}, Type: corev1.SecretTypeTLS},
			metav1.CreateOptions{})
		wantInvalid(t, err, "data[tls.crt]: Required value", "data[tls.key]: Required value")
	})

	t.Run("immutable configmap", func(t *testing.T) {
		cm, err := c.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "frozen"},
			Immutable: ptr.To(true), Data: map[string]string{"k": "v"}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cm.Data["k"] = "w"
		_, err = c.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{})
		wantInvalid(t, err, "data: Forbidden: field is immutable when `immutable` is set")
	})

	t.Run("claim spec is immutable", func(t *testing.T) {
		pvc, err := c.CoreV1().PersistentVolumeClaims(ns).Create(ctx, &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data"},
			Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}},
			metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pvc.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}
		_, err = c.CoreV1().PersistentVolumeClaims(ns).Update(ctx, pvc, metav1.UpdateOptions{})
		if !apierrors.IsInvalid(err) {
			t.Fatalf("got %v, want 422", err)
		}
	})

	t.Run("endpoint slice topology is dropped", func(t *testing.T) {
		got, err := c.DiscoveryV1().EndpointSlices(ns).Create(ctx, &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: "web-abc"},
			AddressType: discoveryv1.AddressTypeIPv4,
			Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{"10.244.0.5"}, DeprecatedTopology: map[string]string{"rack": "r1"}}}},
			metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Endpoints[0].DeprecatedTopology != nil {
			t.Fatalf("got deprecatedTopology %v, want it dropped", got.Endpoints[0].DeprecatedTopology)
		}
		_, err = c.DiscoveryV1().EndpointSlices(ns).Create(ctx, &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: "web-def"},
			AddressType: discoveryv1.AddressTypeIPv4, Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"fd00::1"}}}}, metav1.CreateOptions{})
		wantInvalid(t, err, `endpoints[0].addresses: Invalid value: "fd00::1": must be an IPv4 address`)
	})

	t.Run("node keeps its status on create", func(t *testing.T) {
		node, err := c.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"},
			Spec:   corev1.NodeSpec{Taints: []corev1.Taint{{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}}},
			Status: corev1.NodeStatus{Capacity: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4")}}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := node.Status.Capacity[corev1.ResourceCPU]; got.String() != "4" {
			t.Fatalf("got capacity %v, want the status created with", node.Status.Capacity)
		}
		// (the TaintNodesByCondition admission plugin added a not-ready taint.)
		dup := fmt.Sprintf(`metadata.taints[%d]: Duplicate value: {"Key":"dedicated","Value":"gpu","Effect":"NoSchedule","TimeAdded":null}: taints must be unique by key and effect pair`, len(node.Spec.Taints))
		node.Spec.Taints = append(node.Spec.Taints, corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule})
		_, err = c.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{})
		// twice, as upstream: its strategy runs ValidateNode and ValidateNodeUpdate.
		wantInvalid(t, err, dup, dup)
	})

	t.Run("events by version", func(t *testing.T) {
		// core/v1: the legacy rules only.
		if _, err := c.CoreV1().Events(ns).Create(ctx, &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "legacy"},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "web"}, Reason: "Started"}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		_, err := c.EventsV1().Events(ns).Create(ctx, &eventsv1.Event{ObjectMeta: metav1.ObjectMeta{Name: "new"},
			EventTime: metav1.NowMicro(), Regarding: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "web"},
			Reason: "Started", Type: corev1.EventTypeNormal, ReportingController: "example.com/ctrl", ReportingInstance: "ctrl-0"}, metav1.CreateOptions{})
		wantInvalid(t, err, "action: Required value")
	})
}
