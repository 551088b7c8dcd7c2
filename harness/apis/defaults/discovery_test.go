package defaults_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/utils/ptr"
)

func TestEndpointSliceDefaults(t *testing.T) {
	t.Parallel()
	runGolden(t, []goldenCase{
		{
			name: "ports",
			in: &discoveryv1.EndpointSlice{ObjectMeta: meta, AddressType: discoveryv1.AddressTypeIPv4, Ports: []discoveryv1.EndpointPort{
				{Port: ptr.To[int32](80)},
				{Name: ptr.To("dns"), Protocol: ptr.To(corev1.ProtocolUDP), Port: ptr.To[int32](53)},
			}},
			want: &discoveryv1.EndpointSlice{ObjectMeta: meta, AddressType: discoveryv1.AddressTypeIPv4, Ports: []discoveryv1.EndpointPort{
				{Name: ptr.To(""), Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To[int32](80)},
				{Name: ptr.To("dns"), Protocol: ptr.To(corev1.ProtocolUDP), Port: ptr.To[int32](53)},
			}},
		},
		{
			name: "list",
			in:   &discoveryv1.EndpointSliceList{Items: []discoveryv1.EndpointSlice{{Ports: []discoveryv1.EndpointPort{{}}}}},
			want: &discoveryv1.EndpointSliceList{Items: []discoveryv1.EndpointSlice{{Ports: []discoveryv1.EndpointPort{{Name: ptr.To(""), Protocol: ptr.To(corev1.ProtocolTCP)}}}}},
		},
	})
}

// TestEndpointSlicePortsNotShared checks that defaulted ports do not share a
// pointer (upstream points every port at one package variable).
func TestEndpointSlicePortsNotShared(t *testing.T) {
	t.Parallel()
	s := newScheme(t)
	a, b := &discoveryv1.EndpointSlice{Ports: []discoveryv1.EndpointPort{{}}}, &discoveryv1.EndpointSlice{Ports: []discoveryv1.EndpointPort{{}}}
	s.Default(a)
	s.Default(b)
	*a.Ports[0].Protocol = corev1.ProtocolSCTP
	if got := *b.Ports[0].Protocol; got != corev1.ProtocolTCP {
		t.Errorf("changing one slice's port protocol changed another's to %s", got)
	}
}
