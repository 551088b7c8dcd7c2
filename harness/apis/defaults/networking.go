package defaults

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// addNetworking registers the networking.k8s.io/v1 defaulters
// (pkg/apis/networking/v1). Ingress has none: a path's pathType is required,
// not defaulted, in v1.
func addNetworking(s *runtime.Scheme) {
	register(s, setNetworkPolicy)
	register(s, func(l *networkingv1.NetworkPolicyList) { each(l.Items, setNetworkPolicy) })
	register(s, setIngressClass)
	register(s, func(l *networkingv1.IngressClassList) { each(l.Items, setIngressClass) })
}

// setNetworkPolicy defaults policyTypes to Ingress, plus Egress when egress
// rules are given, and every rule port's protocol to TCP.
func setNetworkPolicy(np *networkingv1.NetworkPolicy) {
	spec := &np.Spec
	if len(spec.PolicyTypes) == 0 {
		spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
		if len(spec.Egress) != 0 {
			spec.PolicyTypes = append(spec.PolicyTypes, networkingv1.PolicyTypeEgress)
		}
	}
	for i := range spec.Ingress {
		setNetworkPolicyPorts(spec.Ingress[i].Ports)
	}
	for i := range spec.Egress {
		setNetworkPolicyPorts(spec.Egress[i].Ports)
	}
}

func setNetworkPolicyPorts(ports []networkingv1.NetworkPolicyPort) {
	for i := range ports {
		if ports[i].Protocol == nil {
			ports[i].Protocol = ptr.To(corev1.ProtocolTCP)
		}
	}
}

func setIngressClass(ic *networkingv1.IngressClass) {
	if p := ic.Spec.Parameters; p != nil && p.Scope == nil {
		p.Scope = ptr.To(networkingv1.IngressClassParametersReferenceScopeCluster)
	}
}
