package validation_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/memkube/memkube/harness/apis/validation"
)

func validNode() *corev1.Node {
	return &corev1.Node{
		Spec: corev1.NodeSpec{PodCIDRs: []string{"10.244.0.0/24"}, ProviderID: "kind://node-1",
			Taints: []corev1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{
			Capacity:  corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourcePods: resource.MustParse("110")},
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "172.18.0.2"}},
		},
	}
}

func TestNode(t *testing.T) {
	t.Parallel()
	matchErrors(t, validation.Node(validNode()))
	for _, tc := range []struct {
		name   string
		change func(*corev1.Node)
		want   []string
	}{
		{"taint without effect", func(n *corev1.Node) { n.Spec.Taints[0].Effect = "" },
			[]string{"metadata.taints[0].effect: Required value"}},
		{"bad taint effect", func(n *corev1.Node) { n.Spec.Taints[0].Effect = "NoRun" },
			[]string{`metadata.taints[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`}},
		{"duplicate taint", func(n *corev1.Node) { n.Spec.Taints = append(n.Spec.Taints, n.Spec.Taints[0]) },
			[]string{`metadata.taints[1]: Duplicate value: {"Key":"node-role.kubernetes.io/control-plane","Value":"","Effect":"NoSchedule","TimeAdded":null}: taints must be unique by key and effect pair`}},
		{"bad pod CIDR", func(n *corev1.Node) { n.Spec.PodCIDRs = []string{"10.244.0.0"} },
			[]string{`spec.podCIDRs[0]: Invalid value: "10.244.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`}},
		{"two IPv4 pod CIDRs", func(n *corev1.Node) { n.Spec.PodCIDRs = []string{"10.244.0.0/24", "10.245.0.0/24"} },
			[]string{`spec.podCIDRs: Invalid value: ["10.244.0.0/24","10.245.0.0/24"]: may specify no more than one CIDR for each IP family`}},
		{"fractional pods", func(n *corev1.Node) { n.Status.Capacity[corev1.ResourcePods] = resource.MustParse("1.5") },
			[]string{`status.capacity.pods: Invalid value: "1500m": must be an integer`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := validNode()
			tc.change(n)
			matchErrors(t, validation.Node(n), tc.want...)
		})
	}
}

func TestNodeUpdate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(*corev1.Node)
		want   []string
	}{
		{"taints and unschedulable change", func(n *corev1.Node) { n.Spec.Unschedulable, n.Spec.Taints = true, nil }, nil},
		{"pod CIDR changes", func(n *corev1.Node) { n.Spec.PodCIDRs = []string{"10.245.0.0/24"} },
			[]string{`spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid`}},
		{"provider ID changes", func(n *corev1.Node) { n.Spec.ProviderID = "kind://node-2" },
			[]string{"spec.providerID: Invalid value: null: field cannot be modified once set"}},
		{"provider ID cleared", func(n *corev1.Node) { n.Spec.ProviderID = "" },
			[]string{"spec.providerID: Invalid value: null: field cannot be cleared once set"}},
		{"duplicate address", func(n *corev1.Node) { n.Status.Addresses = append(n.Status.Addresses, n.Status.Addresses[0]) },
			[]string{`status.addresses[1]: Duplicate value: {"Type":"InternalIP","Address":"172.18.0.2"}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := validNode()
			tc.change(n)
			matchErrors(t, validation.NodeUpdate(n, validNode()), tc.want...)
		})
	}
	t.Run("pod CIDR set once", func(t *testing.T) {
		t.Parallel()
		old := validNode()
		old.Spec.PodCIDRs, old.Spec.ProviderID = nil, ""
		matchErrors(t, validation.NodeStatusUpdate(validNode(), old))
	})
}

func TestEndpoints(t *testing.T) {
	t.Parallel()
	valid := func() *corev1.Endpoints {
		return &corev1.Endpoints{Subsets: []corev1.EndpointSubset{{
			Addresses: []corev1.EndpointAddress{{IP: "10.244.0.5", Hostname: "web-0"}},
			Ports:     []corev1.EndpointPort{{Name: "http", Port: 8080, Protocol: corev1.ProtocolTCP}, {Name: "metrics", Port: 9090, Protocol: corev1.ProtocolTCP}},
		}}}
	}
	matchErrors(t, validation.Endpoints(valid()))
	for _, tc := range []struct {
		name   string
		change func(*corev1.Endpoints)
		want   []string
	}{
		{"no addresses", func(e *corev1.Endpoints) { e.Subsets[0].Addresses = nil },
			[]string{"subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`"}},
		{"loopback", func(e *corev1.Endpoints) { e.Subsets[0].Addresses[0].IP = "127.0.0.1" },
			[]string{`subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)`}},
		{"link-local", func(e *corev1.Endpoints) { e.Subsets[0].Addresses[0].IP = "169.254.1.1" },
			[]string{`subsets[0].addresses[0].ip: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)`}},
		{"not an IP", func(e *corev1.Endpoints) { e.Subsets[0].Addresses[0].IP = "web" }, []string{
			`subsets[0].addresses[0].ip: Invalid value: "web": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
			`subsets[0].addresses[0].ip: Invalid value: "web": must be a valid IP address`}},
		{"unnamed port of two", func(e *corev1.Endpoints) { e.Subsets[0].Ports[1].Name = "" },
			[]string{"subsets[0].ports[1].name: Required value"}},
		{"port out of range", func(e *corev1.Endpoints) { e.Subsets[0].Ports[0].Port = 0 },
			[]string{"subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := valid()
			tc.change(e)
			matchErrors(t, validation.Endpoints(e), tc.want...)
		})
	}
	t.Run("unchanged invalid subsets are kept", func(t *testing.T) {
		t.Parallel()
		old := valid()
		old.Subsets[0].Addresses[0].IP = "127.0.0.1"
		matchErrors(t, validation.EndpointsUpdate(old.DeepCopy(), old))
	})
}
