package harness

import (
	"fmt"
	"net/netip"

	utilnet "k8s.io/apimachinery/pkg/util/net"

	"github.com/memkube/memkube/harness/registry/builtin"
)

// ServiceOptions are the ranges Services are allocated from, as
// kube-apiserver's flags. The zero value is envtest's: 10.0.0.0/24 and
// 30000-32767.
type ServiceOptions struct {
	// ClusterIPRange is --service-cluster-ip-range: an IPv4 CIDR (memkube
	// is a single-stack IPv4 cluster), /30 or larger. Its first usable
	// address is the default/kubernetes Service's.
	ClusterIPRange string
	// NodePortRange is --service-node-port-range, e.g. "30000-32767".
	NodePortRange string
}

// ranges parses the options, with kube-apiserver's defaults and checks.
func (o ServiceOptions) ranges() (builtin.ServiceRanges, error) {
	r := builtin.DefaultServiceRanges
	if o.ClusterIPRange != "" {
		cidr, err := netip.ParsePrefix(o.ClusterIPRange)
		if err != nil {
			return r, fmt.Errorf("service cluster IP range %q: %w", o.ClusterIPRange, err)
		}
		if !cidr.Addr().Is4() {
			return r, fmt.Errorf("service cluster IP range %q: must be IPv4: memkube is a single-stack IPv4 cluster", o.ClusterIPRange)
		}
		// a /30 has two usable addresses: default/kubernetes takes the
		// first, and a smaller range would leave Services none.
		if cidr.Bits() > 30 {
			return r, fmt.Errorf("service cluster IP range %q: must have at least 4 addresses", o.ClusterIPRange)
		}
		r.ClusterIPs = cidr.Masked()
	}
	if o.NodePortRange != "" {
		ports, err := utilnet.ParsePortRange(o.NodePortRange)
		if err != nil {
			return r, fmt.Errorf("service node port range %q: %w", o.NodePortRange, err)
		}
		r.NodePorts = *ports
	}
	return r, nil
}
