package validation

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

var supportedAddressTypes = sets.New(discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6, discoveryv1.AddressTypeFQDN)

// Upstream's EndpointSlice limits.
const (
	maxTopologyLabels = 16
	maxAddresses      = 100
	maxPorts          = 20000
	maxEndpoints      = 1000
	maxZoneHints      = 8
	maxNodeHints      = 8
)

// EndpointSlice is upstream's ValidateEndpointSliceCreate below metadata:
// a supported addressType, ports (unique names, protocol), and at most 1000
// endpoints whose addresses fit the type.
//
// One deliberate difference: loopback addresses are accepted. memkube
// routes a webhook's service reference to its Service's EndpointSlices
// (harness/webhook_services.go), and a test's webhook server can only
// listen on loopback; upstream rejects them ("may not be in the loopback
// range") because a cluster's network cannot reach them.
func EndpointSlice(eps *discoveryv1.EndpointSlice) field.ErrorList {
	return endpointSlice(eps, nil)
}

// EndpointSliceUpdate is upstream's ValidateEndpointSliceUpdate:
// addressType is immutable, and unchanged endpoints are not validated
// again.
func EndpointSliceUpdate(eps, old *discoveryv1.EndpointSlice) field.ErrorList {
	errs := endpointSlice(eps, old)
	return append(errs, apimachineryvalidation.ValidateImmutableField(eps.AddressType, old.AddressType, field.NewPath("addressType")).WithOrigin("immutable")...)
}

func endpointSlice(eps, old *discoveryv1.EndpointSlice) field.ErrorList {
	var errs field.ErrorList
	if eps.AddressType == "" {
		errs = append(errs, field.Required(field.NewPath("addressType"), ""))
	} else if !supportedAddressTypes.Has(eps.AddressType) {
		errs = append(errs, field.NotSupported(field.NewPath("addressType"), eps.AddressType, sets.List(supportedAddressTypes)))
	}
	errs = append(errs, endpointSlicePorts(eps.Ports, field.NewPath("ports"))...)
	endpointErrs := endpointSliceEndpoints(eps.Endpoints, eps.AddressType, field.NewPath("endpoints"))
	if len(endpointErrs) != 0 && old != nil && apiequality.Semantic.DeepEqual(old.Endpoints, eps.Endpoints) {
		endpointErrs = nil
	}
	return append(errs, endpointErrs...)
}

func endpointSliceEndpoints(endpoints []discoveryv1.Endpoint, addrType discoveryv1.AddressType, fldPath *field.Path) field.ErrorList {
	if len(endpoints) > maxEndpoints {
		return field.ErrorList{field.TooMany(fldPath, len(endpoints), maxEndpoints)}
	}
	var errs field.ErrorList
	for i, endpoint := range endpoints {
		idxPath := fldPath.Index(i)
		addressPath := idxPath.Child("addresses")
		if len(endpoint.Addresses) == 0 {
			errs = append(errs, field.Required(addressPath, "must contain at least 1 address"))
		} else if len(endpoint.Addresses) > maxAddresses {
			errs = append(errs, field.TooMany(addressPath, len(endpoint.Addresses), maxAddresses).WithOrigin("maxItems"))
		}
		for j, address := range endpoint.Addresses {
			switch addrType {
			case discoveryv1.AddressTypeIPv4:
				if ipErrs := isValidIPForLegacyField(addressPath.Index(j), address, nil); len(ipErrs) > 0 {
					errs = append(errs, ipErrs...)
				} else {
					if !netutils.IsIPv4String(address) {
						errs = append(errs, field.Invalid(addressPath, address, "must be an IPv4 address"))
					}
					errs = append(errs, endpointIPAllowing(address, true, addressPath.Index(j))...)
				}
			case discoveryv1.AddressTypeIPv6:
				if ipErrs := validation.IsValidIP(addressPath.Index(j), address); len(ipErrs) > 0 {
					errs = append(errs, ipErrs...)
				} else {
					if !netutils.IsIPv6String(address) {
						errs = append(errs, field.Invalid(addressPath, address, "must be an IPv6 address"))
					}
					errs = append(errs, endpointIPAllowing(address, true, addressPath.Index(j))...)
				}
			case discoveryv1.AddressTypeFQDN:
				errs = append(errs, validation.IsFullyQualifiedDomainName(addressPath.Index(j), address)...)
			}
		}
		if endpoint.NodeName != nil {
			for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*endpoint.NodeName, false) {
				errs = append(errs, field.Invalid(idxPath.Child("nodeName"), *endpoint.NodeName, msg))
			}
		}
		// upstream's internal deprecatedTopology holds v1's zone too.
		topology := map[string]string{}
		for k, v := range endpoint.DeprecatedTopology {
			topology[k] = v
		}
		if endpoint.Zone != nil {
			topology[corev1.LabelTopologyZone] = *endpoint.Zone
		}
		topologyPath := idxPath.Child("deprecatedTopology")
		if len(topology) > maxTopologyLabels {
			errs = append(errs, field.TooMany(topologyPath, len(topology), maxTopologyLabels))
		}
		errs = append(errs, metav1validation.ValidateLabels(topology, topologyPath)...)
		if endpoint.Hostname != nil {
			errs = append(errs, dns1123Label(*endpoint.Hostname, idxPath.Child("hostname"))...)
		}
		if endpoint.Hints != nil {
			errs = append(errs, endpointHints(endpoint.Hints, idxPath.Child("hints"))...)
		}
	}
	return errs
}

func endpointSlicePorts(ports []discoveryv1.EndpointPort, fldPath *field.Path) field.ErrorList {
	if len(ports) > maxPorts {
		return field.ErrorList{field.TooMany(fldPath, len(ports), maxPorts)}
	}
	var errs field.ErrorList
	var names []string
	for i, port := range ports {
		idxPath := fldPath.Index(i)
		name := ""
		if port.Name != nil {
			name = *port.Name
		}
		if len(name) > 0 {
			errs = append(errs, dns1123Label(name, idxPath.Child("name"))...)
		}
		if slices.Contains(names, name) {
			errs = append(errs, field.Duplicate(idxPath.Child("name"), port.Name))
		} else {
			names = append(names, name)
		}
		if port.Protocol == nil {
			errs = append(errs, field.Required(idxPath.Child("protocol"), ""))
		} else if !supportedPortProtocols.Has(*port.Protocol) {
			errs = append(errs, field.NotSupported(idxPath.Child("protocol"), *port.Protocol, sets.List(supportedPortProtocols)))
		}
		if port.AppProtocol != nil {
			errs = append(errs, qualifiedName(*port.AppProtocol, idxPath.Child("appProtocol"))...)
		}
	}
	return errs
}

func endpointHints(hints *discoveryv1.EndpointHints, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	fzPath := fldPath.Child("forZones")
	if len(hints.ForZones) > maxZoneHints {
		return field.ErrorList{field.TooMany(fzPath, len(hints.ForZones), maxZoneHints)}
	}
	var zones []string
	for i, z := range hints.ForZones {
		p := fzPath.Index(i).Child("name")
		if slices.Contains(zones, z.Name) {
			errs = append(errs, field.Duplicate(p, z.Name))
		} else {
			zones = append(zones, z.Name)
		}
		for _, msg := range validation.IsValidLabelValue(z.Name) {
			errs = append(errs, field.Invalid(p, z.Name, msg))
		}
	}
	fnPath := fldPath.Child("forNodes")
	if len(hints.ForNodes) > maxNodeHints {
		return append(errs, field.TooMany(fnPath, len(hints.ForNodes), maxNodeHints))
	}
	var nodes []string
	for i, n := range hints.ForNodes {
		p := fnPath.Index(i).Child("name")
		if slices.Contains(nodes, n.Name) {
			errs = append(errs, field.Duplicate(p, n.Name))
		} else {
			nodes = append(nodes, n.Name)
		}
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(n.Name, false) {
			errs = append(errs, field.Invalid(p, n.Name, msg))
		}
	}
	return errs
}
