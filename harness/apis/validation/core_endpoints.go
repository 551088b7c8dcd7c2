package validation

import (
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Endpoints is upstream's ValidateEndpointsCreate below metadata: each
// subset has addresses (valid, non-special IPs; DNS-label hostnames;
// node names) and ports (named when more than one).
func Endpoints(ep *corev1.Endpoints) field.ErrorList {
	return endpointSubsets(ep.Subsets, field.NewPath("subsets"))
}

// EndpointsUpdate is upstream's ValidateEndpointsUpdate: subsets that did
// not change are not validated again (older servers may have accepted
// them).
func EndpointsUpdate(ep, old *corev1.Endpoints) field.ErrorList {
	errs := endpointSubsets(ep.Subsets, field.NewPath("subsets"))
	if len(errs) != 0 && apiequality.Semantic.DeepEqual(old.Subsets, ep.Subsets) {
		return nil
	}
	return errs
}

func endpointSubsets(subsets []corev1.EndpointSubset, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := range subsets {
		ss := &subsets[i]
		idxPath := fldPath.Index(i)
		// a headless Service's endpoints may have no ports.
		if len(ss.Addresses) == 0 && len(ss.NotReadyAddresses) == 0 {
			errs = append(errs, field.Required(idxPath, "must specify `addresses` or `notReadyAddresses`"))
		}
		for j := range ss.Addresses {
			errs = append(errs, endpointAddress(&ss.Addresses[j], idxPath.Child("addresses").Index(j))...)
		}
		for j := range ss.NotReadyAddresses {
			errs = append(errs, endpointAddress(&ss.NotReadyAddresses[j], idxPath.Child("notReadyAddresses").Index(j))...)
		}
		for j := range ss.Ports {
			errs = append(errs, endpointPort(&ss.Ports[j], len(ss.Ports) > 1, idxPath.Child("ports").Index(j))...)
		}
	}
	return errs
}

func endpointAddress(address *corev1.EndpointAddress, fldPath *field.Path) field.ErrorList {
	errs := isValidIPForLegacyField(fldPath.Child("ip"), address.IP, nil)
	if len(address.Hostname) > 0 {
		errs = append(errs, dns1123Label(address.Hostname, fldPath.Child("hostname"))...)
	}
	if address.NodeName != nil {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*address.NodeName, false) {
			errs = append(errs, field.Invalid(fldPath.Child("nodeName"), *address.NodeName, msg).WithOrigin("format=dns-label"))
		}
	}
	return append(errs, endpointIP(address.IP, fldPath.Child("ip"))...)
}

func endpointPort(port *corev1.EndpointPort, requireName bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if requireName && len(port.Name) == 0 {
		errs = append(errs, field.Required(fldPath.Child("name"), ""))
	} else if len(port.Name) != 0 {
		errs = append(errs, dns1123Label(port.Name, fldPath.Child("name"))...)
	}
	for _, msg := range validation.IsValidPortNum(int(port.Port)) {
		errs = append(errs, field.Invalid(fldPath.Child("port"), port.Port, msg).WithOrigin("portNum"))
	}
	errs = append(errs, portProtocol(port.Protocol, fldPath.Child("protocol"))...)
	if port.AppProtocol != nil {
		errs = append(errs, qualifiedName(*port.AppProtocol, fldPath.Child("appProtocol"))...)
	}
	return errs
}
