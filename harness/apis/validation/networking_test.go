package validation_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

func validIngress() *networkingv1.Ingress {
	backend := networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}
	return &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr.To("nginx"),
			Rules: []networkingv1.IngressRule{{
				Host: "example.com",
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{
					{Path: "/", PathType: ptr.To(networkingv1.PathTypePrefix), Backend: backend},
				}}},
			}},
			TLS: []networkingv1.IngressTLS{{Hosts: []string{"*.example.com"}, SecretName: "tls"}},
		},
	}
}

func TestIngress(t *testing.T) {
	t.Parallel()
	path := func(i *networkingv1.Ingress) *networkingv1.HTTPIngressPath { return &i.Spec.Rules[0].HTTP.Paths[0] }
	runGroupCases(t, validIngress, validation.Ingress, []groupCase[*networkingv1.Ingress]{
		{"no rules or default backend", func(i *networkingv1.Ingress) { i.Spec.Rules = nil },
			[]string{"spec: Invalid value: null: either `defaultBackend` or `rules` must be specified"}},
		{"no pathType", func(i *networkingv1.Ingress) { path(i).PathType = nil },
			[]string{"spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"}},
		{"relative Prefix path", func(i *networkingv1.Ingress) { path(i).Path = "api" },
			[]string{`spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path`}},
		{"Exact path with //", func(i *networkingv1.Ingress) {
			path(i).PathType = ptr.To(networkingv1.PathTypeExact)
			path(i).Path = "/a//b"
		},
			[]string{`spec.rules[0].http.paths[0].path: Invalid value: "/a//b": must not contain '//'`}},
		{"ImplementationSpecific relative path", func(i *networkingv1.Ingress) {
			path(i).PathType = ptr.To(networkingv1.PathTypeImplementationSpecific)
			path(i).Path = "a(.*)"
		}, []string{`spec.rules[0].http.paths[0].path: Invalid value: "a(.*)": must be an absolute path`}},
		{"unknown pathType", func(i *networkingv1.Ingress) { path(i).PathType = ptr.To(networkingv1.PathType("Regex")) },
			[]string{`spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"`}},
		{"no paths", func(i *networkingv1.Ingress) { i.Spec.Rules[0].HTTP.Paths = nil },
			[]string{"spec.rules[0].http.paths: Required value"}},
		{"both backends", func(i *networkingv1.Ingress) {
			path(i).Backend.Resource = &corev1.TypedLocalObjectReference{Kind: "Bucket", Name: "b"}
		}, []string{`spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both resource and service backends`}},
		{"no backend", func(i *networkingv1.Ingress) { path(i).Backend = networkingv1.IngressBackend{} },
			[]string{`spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required`}},
		{"port name and number", func(i *networkingv1.Ingress) { path(i).Backend.Service.Port.Name = "http" },
			[]string{`spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number`}},
		{"no port", func(i *networkingv1.Ingress) { path(i).Backend.Service.Port.Number = 0 },
			[]string{"spec.rules[0].http.paths[0].backend: Required value: port name or number is required"}},
		{"port out of range", func(i *networkingv1.Ingress) { path(i).Backend.Service.Port.Number = 70000 },
			[]string{"spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive"}},
		{"no service name", func(i *networkingv1.Ingress) { path(i).Backend.Service.Name = "" },
			[]string{"spec.rules[0].http.paths[0].backend.service.name: Required value"}},
		{"resource backend without kind", func(i *networkingv1.Ingress) {
			path(i).Backend = networkingv1.IngressBackend{Resource: &corev1.TypedLocalObjectReference{Name: "b"}}
		}, []string{"spec.rules[0].http.paths[0].backend.resource.kind: Required value"}},
		{"IP host", func(i *networkingv1.Ingress) { i.Spec.Rules[0].Host = "10.0.0.1" },
			[]string{`spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address`}},
		{"bad wildcard host", func(i *networkingv1.Ingress) { i.Spec.Rules[0].Host = "a.*.com" },
			[]string{`spec.rules[0].host: Invalid value: "a.*.com": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`}},
		{"bad TLS host", func(i *networkingv1.Ingress) { i.Spec.TLS[0].Hosts[0] = "Example.com" },
			[]string{`spec.tls[0].hosts[0]: Invalid value: "Example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`}},
		{"bad ingressClassName", func(i *networkingv1.Ingress) { i.Spec.IngressClassName = ptr.To("Nginx") },
			[]string{`spec.ingressClassName: Invalid value: "Nginx": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`}},
		{"class annotation disagrees", func(i *networkingv1.Ingress) {
			i.Annotations = map[string]string{"kubernetes.io/ingress.class": "traefik"}
		},
			[]string{`annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match ` + "`ingressClassName`" + ` when both are specified`}},
	})
}

func TestIngressUpdate(t *testing.T) {
	t.Parallel()
	// an invalid wildcard-host rule the stored ingress had may stay.
	old := validIngress()
	old.Spec.Rules[0].Host = "*.example.com"
	old.Spec.Rules[0].HTTP.Paths[0].PathType = nil
	update := old.DeepCopy()
	update.Labels = map[string]string{"a": "b"}
	assertErrors(t, validation.IngressUpdate(update, old), nil)
	assertErrors(t, validation.Ingress(update), []string{"spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"})

	// an ingress class annotation is checked on create only.
	update = validIngress()
	update.Annotations = map[string]string{"kubernetes.io/ingress.class": "traefik"}
	assertErrors(t, validation.IngressUpdate(update, validIngress()), nil)
}

func TestIngressStatusUpdate(t *testing.T) {
	t.Parallel()
	ing := validIngress()
	ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "10.0.0.01"}, {Hostname: "1.2.3.4"}}
	assertErrors(t, validation.IngressStatusUpdate(ing, validIngress()), []string{
		`status.loadBalancer.ingress[0].ip: Invalid value: "10.0.0.01": must not have leading 0s`,
		`status.loadBalancer.ingress[1].hostname: Invalid value: "1.2.3.4": must be a DNS name, not an IP address`,
	})
	// an IP the stored status had may stay.
	assertErrors(t, validation.IngressStatusUpdate(ing.DeepCopy(), &networkingv1.Ingress{Status: networkingv1.IngressStatus{LoadBalancer: networkingv1.IngressLoadBalancerStatus{
		Ingress: []networkingv1.IngressLoadBalancerIngress{{IP: "10.0.0.01"}}}}}), []string{
		`status.loadBalancer.ingress[1].hostname: Invalid value: "1.2.3.4": must be a DNS name, not an IP address`,
	})
}

func validIngressClass() *networkingv1.IngressClass {
	return &networkingv1.IngressClass{
		ObjectMeta: metav1.ObjectMeta{Name: "nginx"},
		Spec: networkingv1.IngressClassSpec{Controller: "k8s.io/ingress-nginx", Parameters: &networkingv1.IngressClassParametersReference{
			APIGroup: ptr.To("k8s.example.com"), Kind: "IngressParameters", Name: "external", Scope: ptr.To("Namespace"), Namespace: ptr.To("ingress"),
		}},
	}
}

func TestIngressClass(t *testing.T) {
	t.Parallel()
	runGroupCases(t, validIngressClass, validation.IngressClass, []groupCase[*networkingv1.IngressClass]{
		{"controller not domain-prefixed", func(c *networkingv1.IngressClass) { c.Spec.Controller = "nginx" },
			[]string{`spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")`}},
		{"no scope", func(c *networkingv1.IngressClass) { c.Spec.Parameters.Scope = nil },
			[]string{"spec.parameters.scope: Required value"}},
		{"namespace scope without namespace", func(c *networkingv1.IngressClass) { c.Spec.Parameters.Namespace = nil },
			[]string{"spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"}},
		{"cluster scope with namespace", func(c *networkingv1.IngressClass) { c.Spec.Parameters.Scope = ptr.To("Cluster") },
			[]string{"spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"}},
		{"unknown scope", func(c *networkingv1.IngressClass) { c.Spec.Parameters.Scope = ptr.To("Global") },
			[]string{`spec.parameters.scope: Unsupported value: "Global": supported values: "Cluster", "Namespace"`}},
		{"no kind or name", func(c *networkingv1.IngressClass) { c.Spec.Parameters.Kind, c.Spec.Parameters.Name = "", "a/b" },
			[]string{"spec.parameters.kind: Required value", `spec.parameters.name: Invalid value: "a/b": may not contain '/'`}},
	})
	changed := validIngressClass()
	changed.Spec.Controller = "k8s.io/other"
	assertErrors(t, validation.IngressClassUpdate(changed, validIngressClass()), []string{`spec.controller: Invalid value: "k8s.io/other": field is immutable`})
}

func validNetworkPolicy() *networkingv1.NetworkPolicy {
	tcp := corev1.ProtocolTCP
	return &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "np", Namespace: "default"},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: ptr.To(intstr.FromInt32(8000)), EndPort: ptr.To[int32](9000)}},
				From:  []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}}},
			}},
			Egress:      []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{}}}}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		},
	}
}

func TestNetworkPolicy(t *testing.T) {
	t.Parallel()
	port := func(np *networkingv1.NetworkPolicy) *networkingv1.NetworkPolicyPort {
		return &np.Spec.Ingress[0].Ports[0]
	}
	peer := func(np *networkingv1.NetworkPolicy) *networkingv1.NetworkPolicyPeer {
		return &np.Spec.Ingress[0].From[0]
	}
	runGroupCases(t, validNetworkPolicy, validation.NetworkPolicy, []groupCase[*networkingv1.NetworkPolicy]{
		{"endPort below port", func(np *networkingv1.NetworkPolicy) { port(np).EndPort = ptr.To[int32](80) },
			[]string{"spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`"}},
		{"endPort with named port", func(np *networkingv1.NetworkPolicy) { port(np).Port = ptr.To(intstr.FromString("http")) },
			[]string{"spec.ingress[0].ports[0].endPort: Invalid value: 9000: may not be specified when `port` is non-numeric"}},
		{"endPort without port", func(np *networkingv1.NetworkPolicy) { port(np).Port = nil },
			[]string{"spec.ingress[0].ports[0].endPort: Invalid value: 9000: may not be specified when `port` is not specified"}},
		{"bad protocol", func(np *networkingv1.NetworkPolicy) { port(np).Protocol = ptr.To(corev1.Protocol("ICMP")) },
			[]string{`spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"`}},
		{"empty peer", func(np *networkingv1.NetworkPolicy) { np.Spec.Egress[0].To[0] = networkingv1.NetworkPolicyPeer{} },
			[]string{"spec.egress[0].to[0]: Required value: must specify a peer"}},
		{"ipBlock and selector", func(np *networkingv1.NetworkPolicy) { peer(np).PodSelector = &metav1.LabelSelector{} },
			[]string{"spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer"}},
		{"no cidr", func(np *networkingv1.NetworkPolicy) { peer(np).IPBlock.CIDR = "" },
			[]string{"spec.ingress[0].from[0].ipBlock.cidr: Required value"}},
		{"except outside cidr", func(np *networkingv1.NetworkPolicy) { peer(np).IPBlock.Except = []string{"192.168.0.0/16"} },
			[]string{`spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "192.168.0.0/16": must be a strict subset of ` + "`cidr`"}},
		{"cidr with host bits", func(np *networkingv1.NetworkPolicy) { peer(np).IPBlock.CIDR = "10.0.0.1/8" },
			[]string{`spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.1/8": must not have bits set beyond the prefix length`}},
		{"unknown policy type", func(np *networkingv1.NetworkPolicy) { np.Spec.PolicyTypes[1] = "Both" },
			[]string{`spec.policyTypes[1]: Unsupported value: "Both": supported values: "Ingress", "Egress"`}},
		{"bad selector", func(np *networkingv1.NetworkPolicy) { np.Spec.PodSelector.MatchLabels["app"] = "-web" },
			[]string{`spec.podSelector.matchLabels: Invalid value: "-web": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`}},
	})

	// a CIDR the stored policy had may stay.
	old := validNetworkPolicy()
	old.Spec.Ingress[0].From[0].IPBlock.CIDR = "10.0.0.1/8"
	assertErrors(t, validation.NetworkPolicyUpdate(old.DeepCopy(), old), nil)
	if errs := validation.NetworkPolicy(old); len(errs) != 1 {
		t.Errorf("got %v, want the CIDR rejected on create", errs)
	}
}
