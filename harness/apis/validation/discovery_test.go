package validation_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

func validSlice() *discoveryv1.EndpointSlice {
	return &discoveryv1.EndpointSlice{
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{"10.244.0.5"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}}},
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("http"), Port: ptr.To[int32](8080), Protocol: ptr.To(corev1.ProtocolTCP)}},
	}
}

func TestEndpointSlice(t *testing.T) {
	t.Parallel()
	matchErrors(t, validation.EndpointSlice(validSlice()))
	for _, tc := range []struct {
		name   string
		change func(*discoveryv1.EndpointSlice)
		want   []string
	}{
		{"loopback is accepted", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses[0] = "127.0.0.1" }, nil},
		{"no address type", func(s *discoveryv1.EndpointSlice) { s.AddressType = "" }, []string{"addressType: Required value"}},
		{"IPv6 in an IPv4 slice", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses[0] = "fd00::1" },
			[]string{`endpoints[0].addresses: Invalid value: "fd00::1": must be an IPv4 address`}},
		{"link-local", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses[0] = "169.254.0.1" },
			[]string{`endpoints[0].addresses[0]: Invalid value: "169.254.0.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)`}},
		{"no addresses", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = nil },
			[]string{"endpoints[0].addresses: Required value: must contain at least 1 address"}},
		{"too many endpoints", func(s *discoveryv1.EndpointSlice) {
			s.Endpoints = make([]discoveryv1.Endpoint, 1001)
		}, []string{"endpoints: Too many: 1001: must have at most 1000 items"}},
		{"duplicate port name", func(s *discoveryv1.EndpointSlice) { s.Ports = append(s.Ports, s.Ports[0]) },
			[]string{`ports[1].name: Duplicate value: "http"`}},
		{"no protocol", func(s *discoveryv1.EndpointSlice) { s.Ports[0].Protocol = nil }, []string{"ports[0].protocol: Required value"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := validSlice()
			tc.change(s)
			matchErrors(t, validation.EndpointSlice(s), tc.want...)
		})
	}
	t.Run("address type is immutable", func(t *testing.T) {
		t.Parallel()
		s := validSlice()
		s.AddressType = discoveryv1.AddressTypeFQDN
		s.Endpoints[0].Addresses[0] = "web.example.com"
		matchErrors(t, validation.EndpointSliceUpdate(s, validSlice()), `addressType: Invalid value: "FQDN": field is immutable`)
	})
}
