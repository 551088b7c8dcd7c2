package printers

// Cases from upstream's printers_test.go; see printers_test.go.

import (
	"testing"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestPrintIngress(t *testing.T) {
	ingress := networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{
			Name:              "test1",
			CreationTimestamp: metav1.Time{Time: time.Now().Add(time.Duration(-10 * 365 * 24 * time.Hour))},
		},
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr.To("foo"),
			DefaultBackend: &networkingv1.IngressBackend{
				Service: &networkingv1.IngressServiceBackend{
					Name: "default-backend",
					Port: networkingv1.ServiceBackendPort{
						Name:   "default-backend",
						Number: 80,
					},
				},
			},
		},
		Status: networkingv1.IngressStatus{
			LoadBalancer: networkingv1.IngressLoadBalancerStatus{
				Ingress: []networkingv1.IngressLoadBalancerIngress{
					{
						IP:       "2.3.4.5",
						Hostname: "localhost.localdomain",
					},
				},
			},
		},
	}
	// Columns: Name, Hosts, Address, Ports, Age
	expected := []metav1.TableRow{{Cells: []interface{}{"test1", "foo", "*", "2.3.4.5", "80", "10y"}}}

	rows, err := printRows(&ingress)
	if err != nil {
		t.Fatalf("Error generating table rows for Ingress: %#v", err)
	}
	rows[0].Object.Object = nil
	if !rowsMatch(expected, rows) {
		t.Errorf("mismatch: %s", diff(expected, rows))
	}
}

func TestPrintIngressClass(t *testing.T) {
	testCases := []struct {
		name         string
		ingressClass *networkingv1.IngressClass
		expected     []metav1.TableRow
	}{{
		name: "example with params",
		ingressClass: &networkingv1.IngressClass{
			ObjectMeta: metav1.ObjectMeta{
				Name:              "test1",
				CreationTimestamp: metav1.Time{Time: time.Now().Add(time.Duration(-10 * 365 * 24 * time.Hour))},
			},
			Spec: networkingv1.IngressClassSpec{
				Controller: "example.com/controller",
				Parameters: &networkingv1.IngressClassParametersReference{Kind: "customgroup", Name: "example"},
			},
		},
		expected: []metav1.TableRow{{Cells: []interface{}{"test1", "example.com/controller", "customgroup/example", "10y"}}},
	}, {
		name: "example with params + API Group",
		ingressClass: &networkingv1.IngressClass{
			ObjectMeta: metav1.ObjectMeta{
				Name:              "test1",
				CreationTimestamp: metav1.Time{Time: time.Now().Add(time.Duration(-10 * 365 * 24 * time.Hour))},
			},
			Spec: networkingv1.IngressClassSpec{
				Controller: "example.com/controller",
				Parameters: &networkingv1.IngressClassParametersReference{
					APIGroup: ptr.To("example.com"),
					Kind:     "customgroup",
					Name:     "example",
				},
			},
		},
		expected: []metav1.TableRow{{Cells: []interface{}{"test1", "example.com/controller", "customgroup.example.com/example", "10y"}}},
	}, {
		name: "example without params",
		ingressClass: &networkingv1.IngressClass{
			ObjectMeta: metav1.ObjectMeta{
				Name:              "test2",
				CreationTimestamp: metav1.Time{Time: time.Now().Add(time.Duration(-11 * 365 * 24 * time.Hour))},
			},
			Spec: networkingv1.IngressClassSpec{
				Controller: "example.com/controller2",
			},
		},
		expected: []metav1.TableRow{{Cells: []interface{}{"test2", "example.com/controller2", "<none>", "11y"}}},
	}, {
		name: "example with default annotation",
		ingressClass: &networkingv1.IngressClass{
			ObjectMeta: metav1.ObjectMeta{
				Name:              "test-default",
				CreationTimestamp: metav1.Time{Time: time.Now().Add(time.Duration(-9 * 365 * 24 * time.Hour))},
				Annotations: map[string]string{
					networkingv1.AnnotationIsDefaultIngressClass: "true",
				},
			},
			Spec: networkingv1.IngressClassSpec{
				Controller: "example.com/controller",
			},
		},
		expected: []metav1.TableRow{{Cells: []interface{}{"test-default (default)", "example.com/controller", "<none>", "9y"}}},
	}}

	for _, testCase := range testCases {
		t.Run(testCase.name, func(t *testing.T) {
			rows, err := printRows(testCase.ingressClass)
			if err != nil {
				t.Fatalf("Error generating table rows for Ingress: %#v", err)
			}
			for i := range rows {
				rows[i].Object.Object = nil
			}
			if !rowsMatch(testCase.expected, rows) {
				t.Errorf("mismatch: %s", diff(testCase.expected, rows))
			}
		})
	}
}

func TestPrintNetworkPolicy(t *testing.T) {
	tests := []struct {
		policy   networkingv1.NetworkPolicy
		expected []metav1.TableRow
	}{
		// Basic network policy with empty spec.
		{
			policy: networkingv1.NetworkPolicy{
				ObjectMeta: metav1.ObjectMeta{
					Name:              "policy1",
					CreationTimestamp: metav1.Time{Time: time.Now().Add(1.9e9)},
				},
				Spec: networkingv1.NetworkPolicySpec{},
			},
			// Columns: Name, Pod-Selector, Age
			expected: []metav1.TableRow{{Cells: []interface{}{"policy1", "<none>", "0s"}}},
		},
		// Basic network policy with pod selector.
		{
			policy: networkingv1.NetworkPolicy{
				ObjectMeta: metav1.ObjectMeta{
					Name:              "policy2",
					CreationTimestamp: metav1.Time{Time: time.Now().Add(1.9e9)},
				},
				Spec: networkingv1.NetworkPolicySpec{
					PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"foo": "bar"}},
				},
			},
			// Columns: Name, Pod-Selector, Age
			expected: []metav1.TableRow{{Cells: []interface{}{"policy2", "foo=bar", "0s"}}},
		},
	}

	for i, test := range tests {
		rows, err := printRows(&test.policy)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			rows[i].Object.Object = nil
		}
		if !rowsMatch(test.expected, rows) {
			t.Errorf("%d mismatch: %s", i, diff(test.expected, rows))
		}
	}
}

func TestPrintIPAddress(t *testing.T) {
	ip := networkingv1.IPAddress{
		ObjectMeta: metav1.ObjectMeta{
			Name:              "192.168.2.2",
			CreationTimestamp: metav1.Time{Time: time.Now().Add(time.Duration(-10 * 365 * 24 * time.Hour))},
		},
		Spec: networkingv1.IPAddressSpec{
			ParentRef: &networkingv1.ParentReference{
				Group:     "mygroup",
				Resource:  "myresource",
				Namespace: "mynamespace",
				Name:      "myname",
			},
		},
	}
	// Columns: Name, ParentRef, Age
	expected := []metav1.TableRow{{Cells: []interface{}{"192.168.2.2", "myresource.mygroup/mynamespace/myname", "10y"}}}

	rows, err := printRows(&ip)
	if err != nil {
		t.Fatalf("Error generating table rows for IPAddress: %#v", err)
	}
	rows[0].Object.Object = nil
	if !rowsMatch(expected, rows) {
		t.Errorf("mismatch: %s", diff(expected, rows))
	}
}

func TestPrintServiceCIDR(t *testing.T) {
	ipv4CIDR := "10.1.0.0/16"
	ipv6CIDR := "fd00:1:1::/64"

	tests := []struct {
		ccc      networkingv1.ServiceCIDR
		options  generateOptions
		expected []metav1.TableRow
	}{
		{
			// Test name, IPv4 only.
			ccc: networkingv1.ServiceCIDR{
				ObjectMeta: metav1.ObjectMeta{Name: "test1"},
				Spec: networkingv1.ServiceCIDRSpec{
					CIDRs: []string{ipv4CIDR},
				},
			},
			options: generateOptions{},
			// Columns: Name, IPv4, IPv6, Age.
			expected: []metav1.TableRow{{Cells: []interface{}{"test1", ipv4CIDR, "<unknown>"}}},
		},
		{
			// Test name, IPv6 only.
			ccc: networkingv1.ServiceCIDR{
				ObjectMeta: metav1.ObjectMeta{Name: "test5"},
				Spec: networkingv1.ServiceCIDRSpec{
					CIDRs: []string{ipv6CIDR},
				},
			},
			options: generateOptions{},
			// Columns: Name, PerNodeHostBits, IPv4, IPv6, Age
			expected: []metav1.TableRow{{Cells: []interface{}{"test5", ipv6CIDR, "<unknown>"}}},
		},
		{
			// Test name, DualStack.
			ccc: networkingv1.ServiceCIDR{
				ObjectMeta: metav1.ObjectMeta{Name: "test9"},
				Spec: networkingv1.ServiceCIDRSpec{
					CIDRs: []string{ipv4CIDR, ipv6CIDR},
				},
			},
			options: generateOptions{},
			// Columns: Name, PerNodeHostBits, IPv4, IPv6, Age.
			expected: []metav1.TableRow{{Cells: []interface{}{"test9", ipv4CIDR + "," + ipv6CIDR, "<unknown>"}}},
		},
	}

	for i, test := range tests {
		rows, err := printRows(&test.ccc)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			rows[i].Object.Object = nil
		}
		if !rowsMatch(test.expected, rows) {
			t.Errorf("%d mismatch: %s", i, diff(test.expected, rows))
		}
	}
}
