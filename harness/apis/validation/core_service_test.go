package validation_test

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

// matchErrors fails t unless errs print as want, in order.
func matchErrors(t *testing.T, errs field.ErrorList, want ...string) {
	t.Helper()
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	if !slices.Equal(got, want) {
		t.Errorf("got errors\n%q\nwant\n%q", got, want)
	}
}

func validService() *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: corev1.ServiceSpec{
			Type:                  corev1.ServiceTypeClusterIP,
			ClusterIP:             "10.0.0.10",
			ClusterIPs:            []string{"10.0.0.10"},
			IPFamilies:            []corev1.IPFamily{corev1.IPv4Protocol},
			IPFamilyPolicy:        ptr.To(corev1.IPFamilyPolicySingleStack),
			Ports:                 []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)}},
			Selector:              map[string]string{"app": "web"},
			SessionAffinity:       corev1.ServiceAffinityNone,
			InternalTrafficPolicy: ptr.To(corev1.ServiceInternalTrafficPolicyCluster),
		},
	}
}

func loadBalancer(s *corev1.Service) {
	s.Spec.Type = corev1.ServiceTypeLoadBalancer
	s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
	s.Spec.AllocateLoadBalancerNodePorts = ptr.To(true)
	s.Spec.Ports[0].NodePort = 30001
}

func TestService(t *testing.T) {
	t.Parallel()
	matchErrors(t, validation.Service(validService()))
	for _, tc := range []struct {
		name   string
		change func(*corev1.Service)
		want   []string
	}{
		{"no ports", func(s *corev1.Service) { s.Spec.Ports = nil }, []string{"spec.ports: Required value"}},
		{"unnamed second port", func(s *corev1.Service) {
			s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Port: 443, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(443)})
		}, []string{"spec.ports[1].name: Required value"}},
		{"duplicate port name", func(s *corev1.Service) {
			s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: "http", Port: 443, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(443)})
		}, []string{`spec.ports[1].name: Duplicate value: "http"`}},
		{"duplicate port", func(s *corev1.Service) {
			s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: "other", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(80)})
		}, []string{`spec.ports[1]: Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}`}},
		{"port out of range", func(s *corev1.Service) { s.Spec.Ports[0].Port = 70000 },
			[]string{"spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"}},
		{"bad protocol", func(s *corev1.Service) { s.Spec.Ports[0].Protocol = "HTTP" },
			[]string{`spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"`}},
		{"bad target port name", func(s *corev1.Service) { s.Spec.Ports[0].TargetPort = intstr.FromString("Web_Port") },
			[]string{`spec.ports[0].targetPort: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`}},
		{"node port on ClusterIP", func(s *corev1.Service) { s.Spec.Ports[0].NodePort = 30001 },
			[]string{"spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"}},
		{"bad type", func(s *corev1.Service) { s.Spec.Type = "Internal" }, []string{
			`spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`}},
		{"headless NodePort", func(s *corev1.Service) {
			s.Spec.Type, s.Spec.ClusterIP, s.Spec.ClusterIPs = corev1.ServiceTypeNodePort, "None", []string{"None"}
			s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
		}, []string{`spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`}},
		{"external name without name", func(s *corev1.Service) {
			s.Spec.Type, s.Spec.ClusterIP, s.Spec.ClusterIPs, s.Spec.IPFamilies, s.Spec.IPFamilyPolicy = corev1.ServiceTypeExternalName, "", nil, nil, nil
		}, []string{"spec.externalName: Required value"}},
		{"external name with cluster IP", func(s *corev1.Service) {
			s.Spec.Type, s.Spec.ExternalName = corev1.ServiceTypeExternalName, "example.com."
		}, []string{
			"spec.clusterIPs: Forbidden: may not be set for ExternalName services",
			"spec.ipFamilies: Forbidden: may not be set for ExternalName services",
			"spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services",
		}},
		{"clusterIP and clusterIPs differ", func(s *corev1.Service) { s.Spec.ClusterIPs = []string{"10.0.0.11"} },
			[]string{`spec.clusterIPs: Invalid value: ["10.0.0.11"]: first value must match ` + "`clusterIP`"}},
		{"bad cluster IP", func(s *corev1.Service) { s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.0.0.300", []string{"10.0.0.300"} },
			[]string{`spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`}},
		{"family mismatch", func(s *corev1.Service) { s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv6Protocol} },
			[]string{`spec.clusterIPs[0]: Invalid value: "10.0.0.10": expected an IPv6 value as indicated by ` + "`ipFamilies[0]`"}},
		{"bad selector", func(s *corev1.Service) { s.Spec.Selector = map[string]string{"app": "-web"} },
			[]string{`spec.selector: Invalid value: "-web": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`}},
		{"client IP affinity without config", func(s *corev1.Service) { s.Spec.SessionAffinity = corev1.ServiceAffinityClientIP },
			[]string{"spec.sessionAffinityConfig: Required value: when session affinity type is ClientIP"}},
		{"affinity timeout too long", func(s *corev1.Service) {
			s.Spec.SessionAffinity = corev1.ServiceAffinityClientIP
			s.Spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr.To[int32](86401)}}
		}, []string{"spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400"}},
		{"external traffic policy on ClusterIP", func(s *corev1.Service) { s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal },
			[]string{`spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services`}},
		{"no internal traffic policy", func(s *corev1.Service) { s.Spec.InternalTrafficPolicy = nil },
			[]string{"spec.internalTrafficPolicy: Required value"}},
		{"source ranges on ClusterIP", func(s *corev1.Service) { s.Spec.LoadBalancerSourceRanges = []string{"10.0.0.0/8"} },
			[]string{"spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"}},
		{"bad source range", func(s *corev1.Service) { loadBalancer(s); s.Spec.LoadBalancerSourceRanges = []string{"10.0.0.1"} },
			[]string{`spec.LoadBalancerSourceRanges[0]: Invalid value: "10.0.0.1": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`}},
		{"LoadBalancer without allocateLoadBalancerNodePorts", func(s *corev1.Service) { loadBalancer(s); s.Spec.AllocateLoadBalancerNodePorts = nil },
			[]string{"allocateLoadBalancerNodePorts: Required value"}},
		{"Local without health check port", func(s *corev1.Service) {
			loadBalancer(s)
			s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
		},
			[]string{"spec.healthCheckNodePort: Required value"}},
		{"loadBalancerClass on ClusterIP", func(s *corev1.Service) { s.Spec.LoadBalancerClass = ptr.To("example.com/lb") },
			[]string{"spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"}},
		{"bad traffic distribution", func(s *corev1.Service) { s.Spec.TrafficDistribution = ptr.To("Nearest") },
			[]string{`spec.trafficDistribution: Unsupported value: "Nearest": supported values: "PreferClose", "PreferSameZone", "PreferSameNode"`}},
		{"loopback external IP", func(s *corev1.Service) {
			s.Spec.ExternalIPs = []string{"127.0.0.1"}
			s.Spec.ExternalTrafficPolicy = "Cluster"
		},
			[]string{`spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := validService()
			tc.change(s)
			matchErrors(t, validation.Service(s), tc.want...)
		})
	}
}

func TestServiceUpdate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(*corev1.Service)
		want   []string
	}{
		{"selector and ports change", func(s *corev1.Service) {
			s.Spec.Selector = map[string]string{"app": "web2"}
			s.Spec.Ports[0].Port = 8080
		}, nil},
		{"to LoadBalancer", loadBalancer, nil},
		{"cluster IP changes", func(s *corev1.Service) { s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.0.0.11", []string{"10.0.0.11"} },
			[]string{`spec.clusterIPs[0]: Invalid value: ["10.0.0.11"]: may not change once set`}},
		{"cluster IP cleared", func(s *corev1.Service) { s.Spec.ClusterIP, s.Spec.ClusterIPs = "", nil },
			[]string{`spec.clusterIPs[0]: Invalid value: null: primary clusterIP can not be unset`}},
		{"family changes", func(s *corev1.Service) { s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv6Protocol} }, []string{
			`spec.ipFamilies[0]: Invalid value: ["IPv6"]: may not change once set`,
			`spec.clusterIPs[0]: Invalid value: "10.0.0.10": expected an IPv6 value as indicated by ` + "`ipFamilies[0]`",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := validService()
			tc.change(s)
			matchErrors(t, validation.ServiceUpdate(s, validService()), tc.want...)
		})
	}
	t.Run("health check node port is immutable", func(t *testing.T) {
		t.Parallel()
		old := validService()
		loadBalancer(old)
		old.Spec.ExternalTrafficPolicy, old.Spec.HealthCheckNodePort = corev1.ServiceExternalTrafficPolicyLocal, 30100
		s := old.DeepCopy()
		s.Spec.HealthCheckNodePort = 30101
		matchErrors(t, validation.ServiceUpdate(s, old), "spec.healthCheckNodePort: Forbidden: field is immutable")
	})
	t.Run("loadBalancerClass is immutable", func(t *testing.T) {
		t.Parallel()
		old := validService()
		loadBalancer(old)
		s := old.DeepCopy()
		s.Spec.LoadBalancerClass = ptr.To("example.com/lb")
		matchErrors(t, validation.ServiceUpdate(s, old), `spec.loadBalancerClass: Invalid value: "example.com/lb": may not change once set`)
	})
}

func TestServiceStatusUpdate(t *testing.T) {
	t.Parallel()
	old := validService()
	loadBalancer(old)
	s := old.DeepCopy()
	s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.1", IPMode: ptr.To(corev1.LoadBalancerIPModeVIP)}, {Hostname: "lb.example.com"}}
	matchErrors(t, validation.ServiceStatusUpdate(s, old))
	s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.1"}, {Hostname: "192.0.2.2", IPMode: ptr.To(corev1.LoadBalancerIPModeProxy)}}
	matchErrors(t, validation.ServiceStatusUpdate(s, old),
		"status.loadBalancer.ingress[0].ipMode: Required value: must be specified when `ip` is set",
		"status.loadBalancer.ingress[1].ipMode: Forbidden: may not be specified when `ip` is not set",
		`status.loadBalancer.ingress[1].hostname: Invalid value: "192.0.2.2": must be a DNS name, not an IP address`)
	clusterIP := validService()
	clusterIP.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{Hostname: "lb.example.com"}}
	matchErrors(t, validation.ServiceStatusUpdate(clusterIP, validService()),
		"status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'")
}
