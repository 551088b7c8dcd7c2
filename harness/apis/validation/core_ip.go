package validation

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

// strictIPCIDRValidation is the StrictIPCIDRValidation gate, on by default
// in v1.37: new values of the legacy IP and CIDR fields may not have
// leading zeros or IPv4-mapped IPv6 forms (stored values are kept).
const strictIPCIDRValidation = true

// isValidIPForLegacyField is upstream's IsValidIPForLegacyField wrapper.
func isValidIPForLegacyField(fldPath *field.Path, value string, validOldIPs []string) field.ErrorList {
	return validation.IsValidIPForLegacyField(fldPath, value, strictIPCIDRValidation, validOldIPs)
}

// isValidCIDRForLegacyField is upstream's IsValidCIDRForLegacyField wrapper.
func isValidCIDRForLegacyField(fldPath *field.Path, value string, validOldCIDRs []string) field.ErrorList {
	return validation.IsValidCIDRForLegacyField(fldPath, value, strictIPCIDRValidation, validOldCIDRs)
}

// endpointIP is upstream's ValidateEndpointIP: an IP that is not
// unspecified, loopback or link-local.
func endpointIP(ipAddress string, fldPath *field.Path) field.ErrorList {
	return endpointIPAllowing(ipAddress, false, fldPath)
}

// endpointIPAllowing is endpointIP, optionally accepting loopback
// addresses.
func endpointIPAllowing(ipAddress string, loopback bool, fldPath *field.Path) field.ErrorList {
	ip := netutils.ParseIPSloppy(ipAddress)
	if ip == nil {
		return field.ErrorList{field.Invalid(fldPath, ipAddress, "must be a valid IP address").WithOrigin("format=ip-sloppy")}
	}
	var allErrs field.ErrorList
	if ip.IsUnspecified() {
		allErrs = append(allErrs, field.Invalid(fldPath, ipAddress, fmt.Sprintf("may not be unspecified (%v)", ipAddress)))
	}
	if ip.IsLoopback() && !loopback {
		allErrs = append(allErrs, field.Invalid(fldPath, ipAddress, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
	}
	if ip.IsLinkLocalUnicast() {
		allErrs = append(allErrs, field.Invalid(fldPath, ipAddress, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
	}
	if ip.IsLinkLocalMulticast() {
		allErrs = append(allErrs, field.Invalid(fldPath, ipAddress, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
	}
	return allErrs.WithOrigin("format=endpoint-ip")
}
