package defaults

import (
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// addDiscovery registers the discovery.k8s.io/v1 defaulters
// (pkg/apis/discovery/v1).
func addDiscovery(s *runtime.Scheme) {
	register(s, setEndpointSlice)
	register(s, func(l *discoveryv1.EndpointSliceList) { each(l.Items, setEndpointSlice) })
}

// setEndpointSlice defaults each port's name to "" and protocol to TCP.
func setEndpointSlice(es *discoveryv1.EndpointSlice) {
	for i := range es.Ports {
		p := &es.Ports[i]
		if p.Name == nil {
			p.Name = ptr.To("")
		}
		if p.Protocol == nil {
			p.Protocol = ptr.To(corev1.ProtocolTCP)
		}
	}
}
