package validation

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

var (
	supportedSessionAffinityType = sets.New(corev1.ServiceAffinityClientIP, corev1.ServiceAffinityNone)
	supportedServiceType         = sets.New(corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort,
		corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeExternalName)
	supportedServiceInternalTrafficPolicy = sets.New(corev1.ServiceInternalTrafficPolicyCluster, corev1.ServiceInternalTrafficPolicyLocal)
	supportedServiceIPFamily              = sets.New(corev1.IPv4Protocol, corev1.IPv6Protocol)
	supportedServiceIPFamilyPolicy        = sets.New(corev1.IPFamilyPolicySingleStack,
		corev1.IPFamilyPolicyPreferDualStack, corev1.IPFamilyPolicyRequireDualStack)
	validExternalTrafficPolicies = sets.New(corev1.ServiceExternalTrafficPolicyCluster, corev1.ServiceExternalTrafficPolicyLocal)
	supportedLoadBalancerIPMode  = sets.New(corev1.LoadBalancerIPModeVIP, corev1.LoadBalancerIPModeProxy)
	// PreferSameTrafficDistribution is GA in v1.37: all three values.
	supportedTrafficDistribution = []string{corev1.ServiceTrafficDistributionPreferClose,
		corev1.ServiceTrafficDistributionPreferSameZone, corev1.ServiceTrafficDistributionPreferSameNode}
)

// Service is upstream's ValidateServiceCreate below metadata. The name rule
// (RelaxedServiceNameValidation, GA in v1.37: a DNS-1123 label) is the
// registry's name validation.
func Service(svc *corev1.Service) field.ErrorList {
	return validateService(svc, nil)
}

// ServiceUpdate is upstream's ValidateServiceUpdate below metadata: cluster
// IPs and IP families change only by adding or releasing the secondary,
// loadBalancerClass and healthCheckNodePort are immutable, and the new
// object passes create's rules (IPs already stored are tolerated).
func ServiceUpdate(svc, old *corev1.Service) field.ErrorList {
	errs := validateUpgradeDowngradeClusterIPs(old, svc)
	errs = append(errs, validateUpgradeDowngradeIPFamilies(old, svc)...)
	errs = append(errs, validateLoadBalancerClassField(old, svc)...)
	if needsHealthCheck(old) && needsHealthCheck(svc) && svc.Spec.HealthCheckNodePort != old.Spec.HealthCheckNodePort {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "healthCheckNodePort"), "field is immutable"))
	}
	return append(errs, validateService(svc, old)...)
}

// ServiceStatusUpdate is upstream's ValidateServiceStatusUpdate: the load
// balancer ingress.
func ServiceStatusUpdate(svc, old *corev1.Service) field.ErrorList {
	return loadBalancerStatus(&svc.Status.LoadBalancer, &old.Status.LoadBalancer, field.NewPath("status", "loadBalancer"), &svc.Spec)
}

func validateService(service, oldService *corev1.Service) field.ErrorList {
	var allErrs field.ErrorList
	metaPath := field.NewPath("metadata")
	topologyHintsVal, topologyHintsSet := service.Annotations[corev1.DeprecatedAnnotationTopologyAwareHints]
	topologyModeVal, topologyModeSet := service.Annotations[corev1.AnnotationTopologyMode]
	if topologyModeSet && topologyHintsSet && topologyModeVal != topologyHintsVal {
		allErrs = append(allErrs, field.Invalid(metaPath.Child("annotations").Key(corev1.AnnotationTopologyMode), topologyModeVal,
			fmt.Sprintf("must match annotations[%s] when both are specified", corev1.DeprecatedAnnotationTopologyAwareHints)))
	}

	specPath := field.NewPath("spec")
	headless := IsHeadlessService(service)
	if len(service.Spec.Ports) == 0 && !headless && service.Spec.Type != corev1.ServiceTypeExternalName {
		allErrs = append(allErrs, field.Required(specPath.Child("ports"), ""))
	}
	switch service.Spec.Type {
	case corev1.ServiceTypeLoadBalancer:
		if headless {
			allErrs = append(allErrs, field.Invalid(specPath.Child("clusterIPs").Index(0), service.Spec.ClusterIPs[0], "may not be set to 'None' for LoadBalancer services"))
		}
	case corev1.ServiceTypeNodePort:
		if headless {
			allErrs = append(allErrs, field.Invalid(specPath.Child("clusterIPs").Index(0), service.Spec.ClusterIPs[0], "may not be set to 'None' for NodePort services"))
		}
	case corev1.ServiceTypeExternalName:
		if len(service.Spec.ClusterIPs) > 0 {
			allErrs = append(allErrs, field.Forbidden(specPath.Child("clusterIPs"), "may not be set for ExternalName services"))
		}
		if len(service.Spec.IPFamilies) > 0 {
			allErrs = append(allErrs, field.Forbidden(specPath.Child("ipFamilies"), "may not be set for ExternalName services"))
		}
		if service.Spec.IPFamilyPolicy != nil {
			allErrs = append(allErrs, field.Forbidden(specPath.Child("ipFamilyPolicy"), "may not be set for ExternalName services"))
		}
		// the value (a CNAME) may end in a dot, fully qualified.
		if cname := strings.TrimSuffix(service.Spec.ExternalName, "."); len(cname) > 0 {
			allErrs = append(allErrs, dns1123Subdomain(cname, specPath.Child("externalName"))...)
		} else {
			allErrs = append(allErrs, field.Required(specPath.Child("externalName"), ""))
		}
	}

	allPortNames := sets.Set[string]{}
	portsPath := specPath.Child("ports")
	for i := range service.Spec.Ports {
		allErrs = append(allErrs, validateServicePort(&service.Spec.Ports[i], len(service.Spec.Ports) > 1, allPortNames, portsPath.Index(i))...)
	}

	if service.Spec.Selector != nil {
		allErrs = append(allErrs, metav1validation.ValidateLabels(service.Spec.Selector, specPath.Child("selector"))...)
	}

	if len(service.Spec.SessionAffinity) == 0 {
		allErrs = append(allErrs, field.Required(specPath.Child("sessionAffinity"), ""))
	} else if !supportedSessionAffinityType.Has(service.Spec.SessionAffinity) {
		allErrs = append(allErrs, field.NotSupported(specPath.Child("sessionAffinity"), service.Spec.SessionAffinity, sets.List(supportedSessionAffinityType)))
	}
	switch service.Spec.SessionAffinity {
	case corev1.ServiceAffinityClientIP:
		allErrs = append(allErrs, validateClientIPAffinityConfig(service.Spec.SessionAffinityConfig, specPath.Child("sessionAffinityConfig"))...)
	case corev1.ServiceAffinityNone:
		if service.Spec.SessionAffinityConfig != nil {
			allErrs = append(allErrs, field.Forbidden(specPath.Child("sessionAffinityConfig"), fmt.Sprintf("must not be set when session affinity is %s", corev1.ServiceAffinityNone)))
		}
	}

	allErrs = append(allErrs, ServiceClusterIPsRelatedFields(service, oldService)...)

	// new external IPs must be valid and not special; stored ones are kept.
	ipPath := specPath.Child("externalIPs")
	var existingExternalIPs []string
	if oldService != nil {
		existingExternalIPs = oldService.Spec.ExternalIPs
	}
	for i, ip := range service.Spec.ExternalIPs {
		if errs := isValidIPForLegacyField(ipPath.Index(i), ip, existingExternalIPs); len(errs) != 0 {
			allErrs = append(allErrs, errs...)
		} else {
			allErrs = append(allErrs, endpointIP(ip, ipPath.Index(i))...)
		}
	}

	if len(service.Spec.Type) == 0 {
		allErrs = append(allErrs, field.Required(specPath.Child("type"), ""))
	} else if !supportedServiceType.Has(service.Spec.Type) {
		allErrs = append(allErrs, field.NotSupported(specPath.Child("type"), service.Spec.Type, sets.List(supportedServiceType)))
	}

	if service.Spec.Type == corev1.ServiceTypeClusterIP {
		for i := range service.Spec.Ports {
			if service.Spec.Ports[i].NodePort != 0 {
				allErrs = append(allErrs, field.Forbidden(portsPath.Index(i).Child("nodePort"), "may not be used when `type` is 'ClusterIP'"))
			}
		}
	}

	// duplicate node ports and ports, per protocol.
	nodePorts := map[corev1.ServicePort]bool{}
	for i := range service.Spec.Ports {
		port := &service.Spec.Ports[i]
		if port.NodePort == 0 {
			continue
		}
		key := corev1.ServicePort{Protocol: port.Protocol, NodePort: port.NodePort}
		if nodePorts[key] {
			allErrs = append(allErrs, field.Duplicate(portsPath.Index(i).Child("nodePort"), port.NodePort))
		}
		nodePorts[key] = true
	}
	ports := map[corev1.ServicePort]bool{}
	for i, port := range service.Spec.Ports {
		key := corev1.ServicePort{Protocol: port.Protocol, Port: port.Port}
		if ports[key] {
			allErrs = append(allErrs, field.Duplicate(portsPath.Index(i), internalServicePort{Protocol: key.Protocol, Port: key.Port}))
		}
		ports[key] = true
	}

	// loadBalancerSourceRanges (field or annotation); stored CIDRs are kept,
	// and values may be space-padded for historical reasons.
	if len(service.Spec.LoadBalancerSourceRanges) > 0 {
		fieldPath := specPath.Child("LoadBalancerSourceRanges")
		if service.Spec.Type != corev1.ServiceTypeLoadBalancer {
			allErrs = append(allErrs, field.Forbidden(fieldPath, "may only be used when `type` is 'LoadBalancer'"))
		}
		var existing []string
		if oldService != nil {
			for _, value := range oldService.Spec.LoadBalancerSourceRanges {
				existing = append(existing, strings.TrimSpace(value))
			}
		}
		for i, value := range service.Spec.LoadBalancerSourceRanges {
			allErrs = append(allErrs, isValidCIDRForLegacyField(fieldPath.Index(i), strings.TrimSpace(value), existing)...)
		}
	} else if val, set := service.Annotations[corev1.AnnotationLoadBalancerSourceRangesKey]; set {
		fieldPath := metaPath.Child("annotations").Key(corev1.AnnotationLoadBalancerSourceRangesKey)
		if service.Spec.Type != corev1.ServiceTypeLoadBalancer {
			allErrs = append(allErrs, field.Forbidden(fieldPath, "may only be used when `type` is 'LoadBalancer'"))
		}
		if oldService == nil || oldService.Annotations[corev1.AnnotationLoadBalancerSourceRangesKey] != val {
			if val = strings.TrimSpace(val); val != "" {
				for _, value := range strings.Split(val, ",") {
					allErrs = append(allErrs, isValidCIDRForLegacyField(fieldPath, strings.TrimSpace(value), nil)...)
				}
			}
		}
	}

	if service.Spec.AllocateLoadBalancerNodePorts != nil && service.Spec.Type != corev1.ServiceTypeLoadBalancer {
		allErrs = append(allErrs, field.Forbidden(specPath.Child("allocateLoadBalancerNodePorts"), "may only be used when `type` is 'LoadBalancer'"))
	}
	if service.Spec.Type == corev1.ServiceTypeLoadBalancer && service.Spec.AllocateLoadBalancerNodePorts == nil {
		// upstream's path lacks "spec".
		allErrs = append(allErrs, field.Required(field.NewPath("allocateLoadBalancerNodePorts"), ""))
	}

	allErrs = append(allErrs, validateLoadBalancerClassField(nil, service)...)
	allErrs = append(allErrs, validateServiceExternalTrafficPolicy(service)...)

	if service.Spec.InternalTrafficPolicy == nil {
		// not required of ExternalName Services, for historical reasons.
		switch service.Spec.Type {
		case corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeClusterIP:
			allErrs = append(allErrs, field.Required(specPath.Child("internalTrafficPolicy"), ""))
		}
	} else if !supportedServiceInternalTrafficPolicy.Has(*service.Spec.InternalTrafficPolicy) {
		allErrs = append(allErrs, field.NotSupported(specPath.Child("internalTrafficPolicy"), *service.Spec.InternalTrafficPolicy, sets.List(supportedServiceInternalTrafficPolicy)))
	}

	if td := service.Spec.TrafficDistribution; td != nil && !slices.Contains(supportedTrafficDistribution, *td) {
		allErrs = append(allErrs, field.NotSupported(specPath.Child("trafficDistribution"), *td, supportedTrafficDistribution))
	}
	return allErrs
}

// internalServicePort is upstream's internal ServicePort, whose fields
// have no JSON tags: a duplicate port's value prints as upstream's does.
type internalServicePort struct {
	Name        string
	Protocol    corev1.Protocol
	AppProtocol *string
	Port        int32
	TargetPort  intstr.IntOrString
	NodePort    int32
}

func validateServicePort(sp *corev1.ServicePort, requireName bool, allNames sets.Set[string], fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if requireName && len(sp.Name) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("name"), ""))
	} else if len(sp.Name) != 0 {
		allErrs = append(allErrs, dns1123Label(sp.Name, fldPath.Child("name"))...)
		if allNames.Has(sp.Name) {
			allErrs = append(allErrs, field.Duplicate(fldPath.Child("name"), sp.Name))
		} else {
			allNames.Insert(sp.Name)
		}
	}
	for _, msg := range validation.IsValidPortNum(int(sp.Port)) {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("port"), sp.Port, msg))
	}
	allErrs = append(allErrs, portProtocol(sp.Protocol, fldPath.Child("protocol"))...)
	allErrs = append(allErrs, portNumOrName(sp.TargetPort, fldPath.Child("targetPort"))...)
	if sp.AppProtocol != nil {
		allErrs = append(allErrs, qualifiedName(*sp.AppProtocol, fldPath.Child("appProtocol"))...)
	}
	return allErrs
}

// portProtocol requires one of TCP, UDP and SCTP.
func portProtocol(p corev1.Protocol, fldPath *field.Path) field.ErrorList {
	if len(p) == 0 {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	if !supportedPortProtocols.Has(p) {
		return field.ErrorList{field.NotSupported(fldPath, p, sets.List(supportedPortProtocols))}
	}
	return nil
}

func validateClientIPAffinityConfig(config *corev1.SessionAffinityConfig, fldPath *field.Path) field.ErrorList {
	msg := fmt.Sprintf("when session affinity type is %s", corev1.ServiceAffinityClientIP)
	switch {
	case config == nil:
		return field.ErrorList{field.Required(fldPath, msg)}
	case config.ClientIP == nil:
		return field.ErrorList{field.Required(fldPath.Child("clientIP"), msg)}
	case config.ClientIP.TimeoutSeconds == nil:
		return field.ErrorList{field.Required(fldPath.Child("clientIP", "timeoutSeconds"), msg)}
	}
	if t := config.ClientIP.TimeoutSeconds; *t <= 0 || *t > maxClientIPServiceAffinitySeconds {
		return field.ErrorList{field.Invalid(fldPath.Child("clientIP", "timeoutSeconds"), t,
			fmt.Sprintf("must be greater than 0 and less than %d", maxClientIPServiceAffinitySeconds))}
	}
	return nil
}

// externallyAccessible is upstream's pkg/api/service.ExternallyAccessible.
func externallyAccessible(svc *corev1.Service) bool {
	return svc.Spec.Type == corev1.ServiceTypeLoadBalancer || svc.Spec.Type == corev1.ServiceTypeNodePort ||
		(svc.Spec.Type == corev1.ServiceTypeClusterIP && len(svc.Spec.ExternalIPs) > 0)
}

// needsHealthCheck is upstream's pkg/api/service.NeedsHealthCheck.
func needsHealthCheck(svc *corev1.Service) bool {
	return svc.Spec.Type == corev1.ServiceTypeLoadBalancer && svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal
}

func validateServiceExternalTrafficPolicy(service *corev1.Service) field.ErrorList {
	var allErrs field.ErrorList
	fldPath := field.NewPath("spec")
	if !externallyAccessible(service) {
		if service.Spec.ExternalTrafficPolicy != "" {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("externalTrafficPolicy"), service.Spec.ExternalTrafficPolicy,
				"may only be set for externally-accessible services"))
		}
	} else if service.Spec.ExternalTrafficPolicy == "" {
		allErrs = append(allErrs, field.Required(fldPath.Child("externalTrafficPolicy"), ""))
	} else if !validExternalTrafficPolicies.Has(service.Spec.ExternalTrafficPolicy) {
		allErrs = append(allErrs, field.NotSupported(fldPath.Child("externalTrafficPolicy"),
			service.Spec.ExternalTrafficPolicy, sets.List(validExternalTrafficPolicies)))
	}
	if !needsHealthCheck(service) {
		if service.Spec.HealthCheckNodePort != 0 {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("healthCheckNodePort"), service.Spec.HealthCheckNodePort,
				"may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
		}
	} else if service.Spec.HealthCheckNodePort == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("healthCheckNodePort"), ""))
	} else {
		for _, msg := range validation.IsValidPortNum(int(service.Spec.HealthCheckNodePort)) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("healthCheckNodePort"), service.Spec.HealthCheckNodePort, msg))
		}
	}
	return allErrs
}

// IsHeadlessService reports whether svc's only cluster IP is "None".
func IsHeadlessService(svc *corev1.Service) bool {
	return svc != nil && len(svc.Spec.ClusterIPs) == 1 && svc.Spec.ClusterIPs[0] == corev1.ClusterIPNone
}

// ServiceClusterIPsRelatedFields is upstream's
// ValidateServiceClusterIPsRelatedFields: clusterIP and clusterIPs agree,
// ipFamilies and ipFamilyPolicy are supported, clusterIPs are valid (new
// ones strictly), at most one per family, matching ipFamilies. The
// allocator runs it before allocating, as upstream's does.
func ServiceClusterIPsRelatedFields(service, oldService *corev1.Service) field.ErrorList {
	if service.Spec.Type == corev1.ServiceTypeExternalName {
		return nil
	}
	var allErrs field.ErrorList
	hasInvalidIPs := false
	specPath := field.NewPath("spec")
	clusterIPsField := specPath.Child("clusterIPs")
	ipFamiliesField := specPath.Child("ipFamilies")

	if len(service.Spec.ClusterIP) != 0 {
		if len(service.Spec.ClusterIPs) == 0 {
			allErrs = append(allErrs, field.Required(clusterIPsField, ""))
		} else if service.Spec.ClusterIPs[0] != service.Spec.ClusterIP {
			allErrs = append(allErrs, field.Invalid(clusterIPsField, service.Spec.ClusterIPs, "first value must match `clusterIP`"))
		}
	} else if len(service.Spec.ClusterIPs) != 0 {
		allErrs = append(allErrs, field.Invalid(clusterIPsField, service.Spec.ClusterIPs, "must be empty when `clusterIP` is not specified"))
	}

	seen := sets.Set[corev1.IPFamily]{}
	for i, ipFamily := range service.Spec.IPFamilies {
		if !supportedServiceIPFamily.Has(ipFamily) {
			allErrs = append(allErrs, field.NotSupported(ipFamiliesField.Index(i), ipFamily, sets.List(supportedServiceIPFamily)))
		}
		if seen.Has(ipFamily) {
			allErrs = append(allErrs, field.Duplicate(ipFamiliesField.Index(i), ipFamily))
		}
		seen.Insert(ipFamily)
	}
	if p := service.Spec.IPFamilyPolicy; p != nil && !supportedServiceIPFamilyPolicy.Has(*p) {
		allErrs = append(allErrs, field.NotSupported(specPath.Child("ipFamilyPolicy"), p, sets.List(supportedServiceIPFamilyPolicy)))
	}

	var existingClusterIPs []string
	if oldService != nil {
		existingClusterIPs = oldService.Spec.ClusterIPs
	}
	for i, clusterIP := range service.Spec.ClusterIPs {
		if i == 0 && clusterIP == corev1.ClusterIPNone {
			if len(service.Spec.ClusterIPs) > 1 {
				hasInvalidIPs = true
				allErrs = append(allErrs, field.Invalid(clusterIPsField, service.Spec.ClusterIPs, "'None' must be the first and only value"))
			}
			continue
		}
		errs := isValidIPForLegacyField(clusterIPsField.Index(i), clusterIP, existingClusterIPs)
		hasInvalidIPs = hasInvalidIPs || len(errs) != 0
		allErrs = append(allErrs, errs...)
	}
	if len(service.Spec.ClusterIPs) > 2 {
		allErrs = append(allErrs, field.Invalid(clusterIPsField, service.Spec.ClusterIPs, "may only hold up to 2 values"))
	}
	// invalid IPs would skew the family checks below.
	if hasInvalidIPs {
		return allErrs
	}
	if len(service.Spec.ClusterIPs) > 1 {
		dualStack, err := netutils.IsDualStackIPStrings(service.Spec.ClusterIPs)
		if err != nil {
			allErrs = append(allErrs, field.InternalError(clusterIPsField, fmt.Errorf("failed to check for dual stack with error:%v", err)))
		}
		if !dualStack {
			allErrs = append(allErrs, field.Invalid(clusterIPsField, service.Spec.ClusterIPs, "may specify no more than one IP for each IP family"))
		}
	}
	if !IsHeadlessService(service) && len(service.Spec.ClusterIPs) > 0 && len(service.Spec.IPFamilies) > 0 {
		for i, ip := range service.Spec.ClusterIPs {
			if i > len(service.Spec.IPFamilies)-1 {
				break
			}
			if service.Spec.IPFamilies[i] == corev1.IPv4Protocol && netutils.IsIPv6String(ip) {
				allErrs = append(allErrs, field.Invalid(clusterIPsField.Index(i), ip, fmt.Sprintf("expected an IPv4 value as indicated by `ipFamilies[%v]`", i)))
			}
			if service.Spec.IPFamilies[i] == corev1.IPv6Protocol && !netutils.IsIPv6String(ip) {
				allErrs = append(allErrs, field.Invalid(clusterIPsField.Index(i), ip, fmt.Sprintf("expected an IPv6 value as indicated by `ipFamilies[%v]`", i)))
			}
		}
	}
	return allErrs
}

func validateUpgradeDowngradeClusterIPs(oldService, service *corev1.Service) field.ErrorList {
	var allErrs field.ErrorList
	if service.Spec.Type == corev1.ServiceTypeExternalName || oldService.Spec.Type == corev1.ServiceTypeExternalName {
		return nil
	}
	if IsHeadlessService(oldService) && IsHeadlessService(service) {
		return nil
	}
	clusterIPs := field.NewPath("spec", "clusterIPs")
	switch {
	case len(oldService.Spec.ClusterIPs) == len(service.Spec.ClusterIPs):
		for i, ip := range oldService.Spec.ClusterIPs {
			if ip != service.Spec.ClusterIPs[i] {
				allErrs = append(allErrs, field.Invalid(clusterIPs.Index(i), service.Spec.ClusterIPs, "may not change once set"))
			}
		}
	case len(oldService.Spec.ClusterIPs) > len(service.Spec.ClusterIPs):
		if len(service.Spec.ClusterIPs) == 0 {
			allErrs = append(allErrs, field.Invalid(clusterIPs.Index(0), service.Spec.ClusterIPs, "primary clusterIP can not be unset"))
		}
		if len(oldService.Spec.ClusterIPs) > 0 && len(service.Spec.ClusterIPs) > 0 && service.Spec.ClusterIPs[0] != oldService.Spec.ClusterIPs[0] {
			allErrs = append(allErrs, field.Invalid(clusterIPs.Index(0), service.Spec.ClusterIPs, "may not change once set"))
		}
		if len(service.Spec.ClusterIPs) == 1 && (service.Spec.IPFamilyPolicy == nil || *service.Spec.IPFamilyPolicy != corev1.IPFamilyPolicySingleStack) {
			allErrs = append(allErrs, field.Invalid(field.NewPath("spec", "ipFamilyPolicy"), service.Spec.IPFamilyPolicy, "must be set to 'SingleStack' when releasing the secondary clusterIP"))
		}
	case len(oldService.Spec.ClusterIPs) < len(service.Spec.ClusterIPs):
		if len(oldService.Spec.ClusterIPs) > 0 && service.Spec.ClusterIPs[0] != oldService.Spec.ClusterIPs[0] {
			allErrs = append(allErrs, field.Invalid(clusterIPs.Index(0), service.Spec.ClusterIPs, "may not change once set"))
		}
	}
	return allErrs
}

func validateUpgradeDowngradeIPFamilies(oldService, service *corev1.Service) field.ErrorList {
	var allErrs field.ErrorList
	if service.Spec.Type == corev1.ServiceTypeExternalName || oldService.Spec.Type == corev1.ServiceTypeExternalName {
		return nil
	}
	// headless Services, and changes to or from headless, may change families.
	if IsHeadlessService(oldService) || IsHeadlessService(service) {
		return nil
	}
	families := field.NewPath("spec", "ipFamilies")
	switch {
	case len(oldService.Spec.IPFamilies) == len(service.Spec.IPFamilies):
		for i, f := range oldService.Spec.IPFamilies {
			if f != service.Spec.IPFamilies[i] {
				allErrs = append(allErrs, field.Invalid(families.Index(0), service.Spec.IPFamilies, "may not change once set"))
			}
		}
	case len(oldService.Spec.IPFamilies) > len(service.Spec.IPFamilies):
		if len(service.Spec.ClusterIPs) == 0 {
			allErrs = append(allErrs, field.Invalid(families.Index(0), service.Spec.IPFamilies, "primary ipFamily can not be unset"))
		}
		if len(service.Spec.IPFamilies) > 0 && service.Spec.IPFamilies[0] != oldService.Spec.IPFamilies[0] {
			allErrs = append(allErrs, field.Invalid(families.Index(0), service.Spec.ClusterIPs, "may not change once set"))
		}
		if len(service.Spec.IPFamilies) == 1 && (service.Spec.IPFamilyPolicy == nil || *service.Spec.IPFamilyPolicy != corev1.IPFamilyPolicySingleStack) {
			allErrs = append(allErrs, field.Invalid(field.NewPath("spec", "ipFamilyPolicy"), service.Spec.IPFamilyPolicy, "must be set to 'SingleStack' when releasing the secondary ipFamily"))
		}
	case len(oldService.Spec.IPFamilies) < len(service.Spec.IPFamilies):
		if len(oldService.Spec.IPFamilies) > 0 && len(service.Spec.IPFamilies) > 0 && service.Spec.IPFamilies[0] != oldService.Spec.IPFamilies[0] {
			allErrs = append(allErrs, field.Invalid(families.Index(0), service.Spec.ClusterIPs, "may not change once set"))
		}
	}
	return allErrs
}

func validateLoadBalancerClassField(oldService, service *corev1.Service) field.ErrorList {
	var allErrs field.ErrorList
	path := field.NewPath("spec", "loadBalancerClass")
	isLB := func(s *corev1.Service) bool { return s.Spec.Type == corev1.ServiceTypeLoadBalancer }
	if oldService != nil && isLB(oldService) && isLB(service) {
		o, n := oldService.Spec.LoadBalancerClass, service.Spec.LoadBalancerClass
		if (o == nil) != (n == nil) || (o != nil && *o != *n) {
			allErrs = append(allErrs, field.Invalid(path, service.Spec.LoadBalancerClass, "may not change once set"))
		}
	}
	if isLB(service) {
		if service.Spec.LoadBalancerClass != nil {
			allErrs = append(allErrs, qualifiedName(*service.Spec.LoadBalancerClass, path)...)
		}
	} else if service.Spec.LoadBalancerClass != nil {
		allErrs = append(allErrs, field.Forbidden(path, "may only be used when `type` is 'LoadBalancer'"))
	}
	return allErrs
}

// loadBalancerStatus is upstream's ValidateLoadBalancerStatus.
func loadBalancerStatus(status, oldStatus *corev1.LoadBalancerStatus, fldPath *field.Path, spec *corev1.ServiceSpec) field.ErrorList {
	var allErrs field.ErrorList
	ingrPath := fldPath.Child("ingress")
	if spec != nil && spec.Type != corev1.ServiceTypeLoadBalancer && len(status.Ingress) != 0 {
		return field.ErrorList{field.Forbidden(ingrPath, "may only be used when `spec.type` is 'LoadBalancer'")}
	}
	var existingIngressIPs []string
	if oldStatus != nil {
		for _, ingress := range oldStatus.Ingress {
			if len(ingress.IP) > 0 {
				existingIngressIPs = append(existingIngressIPs, ingress.IP)
			}
		}
	}
	for i, ingress := range status.Ingress {
		idxPath := ingrPath.Index(i)
		if len(ingress.IP) > 0 {
			allErrs = append(allErrs, isValidIPForLegacyField(idxPath.Child("ip"), ingress.IP, existingIngressIPs)...)
		}
		switch {
		case ingress.IPMode == nil:
			if len(ingress.IP) > 0 {
				allErrs = append(allErrs, field.Required(idxPath.Child("ipMode"), "must be specified when `ip` is set"))
			}
		case len(ingress.IP) == 0:
			allErrs = append(allErrs, field.Forbidden(idxPath.Child("ipMode"), "may not be specified when `ip` is not set"))
		case !supportedLoadBalancerIPMode.Has(*ingress.IPMode):
			allErrs = append(allErrs, field.NotSupported(idxPath.Child("ipMode"), ingress.IPMode, sets.List(supportedLoadBalancerIPMode)))
		}
		if len(ingress.Hostname) > 0 {
			for _, msg := range validation.IsDNS1123Subdomain(ingress.Hostname) {
				allErrs = append(allErrs, field.Invalid(idxPath.Child("hostname"), ingress.Hostname, msg))
			}
			if netutils.ParseIPSloppy(ingress.Hostname) != nil {
				allErrs = append(allErrs, field.Invalid(idxPath.Child("hostname"), ingress.Hostname, "must be a DNS name, not an IP address"))
			}
		}
	}
	return allErrs
}

// maxClientIPServiceAffinitySeconds is upstream's
// core.MaxClientIPServiceAffinitySeconds, one day.
const maxClientIPServiceAffinitySeconds = 86400
