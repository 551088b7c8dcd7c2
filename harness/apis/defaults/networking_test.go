package defaults_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func TestNetworkingDefaults(t *testing.T) {
	t.Parallel()
	tcp, udp := ptr.To(corev1.ProtocolTCP), ptr.To(corev1.ProtocolUDP)
	port := ptr.To(intstr.FromInt32(80))
	params := func(scope *string) *networkingv1.IngressClassParametersReference {
		return &networkingv1.IngressClassParametersReference{Kind: "Params", Name: "p", Scope: scope}
	}
	runGolden(t, []goldenCase{
		{
			name: "NetworkPolicy ingress only",
			in: &networkingv1.NetworkPolicy{ObjectMeta: meta, Spec: networkingv1.NetworkPolicySpec{
				Ingress: []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{{Port: port}, {Protocol: udp, Port: port}}}},
			}},
			want: &networkingv1.NetworkPolicy{ObjectMeta: meta, Spec: networkingv1.NetworkPolicySpec{
				Ingress:     []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{{Protocol: tcp, Port: port}, {Protocol: udp, Port: port}}}},
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			}},
		},
		{
			name: "NetworkPolicy with egress",
			in: &networkingv1.NetworkPolicyList{Items: []networkingv1.NetworkPolicy{{Spec: networkingv1.NetworkPolicySpec{
				Egress: []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{{Port: port}}}},
			}}}},
			want: &networkingv1.NetworkPolicyList{Items: []networkingv1.NetworkPolicy{{Spec: networkingv1.NetworkPolicySpec{
				Egress:      []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{{Protocol: tcp, Port: port}}}},
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			}}}},
		},
		{
			name: "NetworkPolicy policy types kept",
			in:   &networkingv1.NetworkPolicy{Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}}},
			want: &networkingv1.NetworkPolicy{Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}}},
		},
		{
			name: "IngressClass parameters scope Cluster",
			in:   &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "nginx"}, Spec: networkingv1.IngressClassSpec{Controller: "c", Parameters: params(nil)}},
			want: &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "nginx"}, Spec: networkingv1.IngressClassSpec{
				Controller: "c", Parameters: params(ptr.To(networkingv1.IngressClassParametersReferenceScopeCluster)),
			}},
		},
		{
			name: "IngressClass without parameters",
			in:   &networkingv1.IngressClassList{Items: []networkingv1.IngressClass{{Spec: networkingv1.IngressClassSpec{Controller: "c"}}}},
			want: &networkingv1.IngressClassList{Items: []networkingv1.IngressClass{{Spec: networkingv1.IngressClassSpec{Controller: "c"}}}},
		},
		{
			// Ingress has no defaulter: pathType is required in v1.
			name: "Ingress untouched",
			in: &networkingv1.Ingress{Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{
				HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{Path: "/"}}},
			}}}}},
			want: &networkingv1.Ingress{Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{
				HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{Path: "/"}}},
			}}}}},
		},
	})
}
