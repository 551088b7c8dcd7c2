package validation

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

// strictIPCIDR is the StrictIPCIDRValidation gate (beta, on in v1.37): new
// IPs and CIDRs in legacy fields may not have leading zeros or host bits.
const strictIPCIDR = true

const (
	annotationIngressClass       = "kubernetes.io/ingress.class"
	maxLenIngressClassController = 250
)

var (
	supportedPathTypes   = sets.New(string(networkingv1.PathTypeExact), string(networkingv1.PathTypePrefix), string(networkingv1.PathTypeImplementationSpecific))
	invalidPathSequences = []string{"//", "/./", "/../", "%2f", "%2F"}
	invalidPathSuffixes  = []string{"/..", "/."}
	supportedParamScopes = sets.New(networkingv1.IngressClassParametersReferenceScopeNamespace, networkingv1.IngressClassParametersReferenceScopeCluster)
)

// ingressOptions are upstream's IngressValidationOptions: an update may keep
// what the stored ingress already had. RelaxedServiceNameValidation is GA
// and locked on in v1.37, so service names are DNS labels always.
type ingressOptions struct {
	allowInvalidSecretName, allowInvalidWildcardHostRule bool
}

// Ingress is upstream's ValidateIngressCreate.
func Ingress(ing *networkingv1.Ingress) field.ErrorList {
	errs := ingressSpec(&ing.Spec, field.NewPath("spec"), ingressOptions{})
	if class, set := ing.Annotations[annotationIngressClass]; set && ing.Spec.IngressClassName != nil && class != *ing.Spec.IngressClassName {
		// upstream's path, without "metadata".
		errs = append(errs, field.Invalid(field.NewPath("annotations").Child(annotationIngressClass), class, "must match `ingressClassName` when both are specified"))
	}
	return errs
}

// IngressUpdate is upstream's ValidateIngressUpdate: the create rules, with
// invalid TLS secret names and invalid wildcard-host rules allowed to stay.
func IngressUpdate(ing, old *networkingv1.Ingress) field.ErrorList {
	opts := ingressOptions{}
	for _, tls := range old.Spec.TLS {
		if len(tlsSecretName(tls.SecretName)) > 0 {
			opts.allowInvalidSecretName = true
		}
	}
	for _, rule := range old.Spec.Rules {
		if strings.Contains(rule.Host, "*") && len(ingressRuleValue(&rule.IngressRuleValue, nil)) > 0 {
			opts.allowInvalidWildcardHostRule = true
		}
	}
	return ingressSpec(&ing.Spec, field.NewPath("spec"), opts)
}

// IngressStatusUpdate is upstream's ValidateIngressStatusUpdate.
func IngressStatusUpdate(ing, old *networkingv1.Ingress) field.ErrorList {
	var oldIPs []string
	for _, lb := range old.Status.LoadBalancer.Ingress {
		if lb.IP != "" {
			oldIPs = append(oldIPs, lb.IP)
		}
	}
	var errs field.ErrorList
	for i, lb := range ing.Status.LoadBalancer.Ingress {
		path := field.NewPath("status", "loadBalancer", "ingress").Index(i)
		if lb.IP != "" {
			errs = append(errs, validation.IsValidIPForLegacyField(path.Child("ip"), lb.IP, strictIPCIDR, oldIPs)...)
		}
		if lb.Hostname != "" {
			for _, msg := range validation.IsDNS1123Subdomain(lb.Hostname) {
				errs = append(errs, field.Invalid(path.Child("hostname"), lb.Hostname, msg))
			}
			if netutils.ParseIPSloppy(lb.Hostname) != nil {
				errs = append(errs, field.Invalid(path.Child("hostname"), lb.Hostname, "must be a DNS name, not an IP address"))
			}
		}
	}
	return errs
}

func ingressSpec(spec *networkingv1.IngressSpec, path *field.Path, opts ingressOptions) field.ErrorList {
	var errs field.ErrorList
	if len(spec.Rules) == 0 && spec.DefaultBackend == nil {
		errs = append(errs, field.Invalid(path, spec.Rules, "either `defaultBackend` or `rules` must be specified"))
	}
	if spec.DefaultBackend != nil {
		errs = append(errs, ingressBackend(spec.DefaultBackend, path.Child("defaultBackend"))...)
	}
	for i, rule := range spec.Rules {
		rulePath := path.Child("rules").Index(i)
		wildcard := false
		if rule.Host != "" {
			if netutils.ParseIPSloppy(rule.Host) != nil {
				errs = append(errs, field.Invalid(rulePath.Child("host"), rule.Host, "must be a DNS name, not an IP address"))
			}
			msgs := validation.IsDNS1123Subdomain(rule.Host)
			if strings.Contains(rule.Host, "*") {
				msgs, wildcard = validation.IsWildcardDNS1123Subdomain(rule.Host), true
			}
			for _, msg := range msgs {
				errs = append(errs, field.Invalid(rulePath.Child("host"), rule.Host, msg))
			}
		}
		if !wildcard || !opts.allowInvalidWildcardHostRule {
			errs = append(errs, ingressRuleValue(&rule.IngressRuleValue, rulePath)...)
		}
	}
	for i, tls := range spec.TLS {
		tlsPath := path.Child("tls").Index(i)
		for j, host := range tls.Hosts {
			msgs := validation.IsDNS1123Subdomain(host)
			if strings.Contains(host, "*") {
				msgs = validation.IsWildcardDNS1123Subdomain(host)
			}
			for _, msg := range msgs {
				errs = append(errs, field.Invalid(tlsPath.Child("hosts").Index(j), host, msg))
			}
		}
		if !opts.allowInvalidSecretName {
			for _, msg := range tlsSecretName(tls.SecretName) {
				errs = append(errs, field.Invalid(tlsPath.Child("secretName"), tls.SecretName, msg))
			}
		}
	}
	if spec.IngressClassName != nil {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*spec.IngressClassName, false) {
			errs = append(errs, field.Invalid(path.Child("ingressClassName"), *spec.IngressClassName, msg))
		}
	}
	return errs
}

func tlsSecretName(name string) []string {
	if name == "" {
		return nil
	}
	return apimachineryvalidation.NameIsDNSSubdomain(name, false)
}

// ingressRuleValue validates a rule's HTTP paths: each needs a pathType;
// Exact and Prefix paths are absolute and clean.
func ingressRuleValue(rule *networkingv1.IngressRuleValue, path *field.Path) field.ErrorList {
	if rule.HTTP == nil {
		return nil
	}
	var errs field.ErrorList
	httpPath := path.Child("http")
	if len(rule.HTTP.Paths) == 0 {
		errs = append(errs, field.Required(httpPath.Child("paths"), ""))
	}
	for i := range rule.HTTP.Paths {
		errs = append(errs, ingressPath(&rule.HTTP.Paths[i], httpPath.Child("paths").Index(i))...)
	}
	return errs
}

func ingressPath(p *networkingv1.HTTPIngressPath, path *field.Path) field.ErrorList {
	if p.PathType == nil {
		return field.ErrorList{field.Required(path.Child("pathType"), "pathType must be specified")}
	}
	var errs field.ErrorList
	switch *p.PathType {
	case networkingv1.PathTypeExact, networkingv1.PathTypePrefix:
		if !strings.HasPrefix(p.Path, "/") {
			errs = append(errs, field.Invalid(path.Child("path"), p.Path, "must be an absolute path"))
		}
		if p.Path != "" {
			for _, seq := range invalidPathSequences {
				if strings.Contains(p.Path, seq) {
					errs = append(errs, field.Invalid(path.Child("path"), p.Path, fmt.Sprintf("must not contain '%s'", seq)))
				}
			}
			for _, suffix := range invalidPathSuffixes {
				if strings.HasSuffix(p.Path, suffix) {
					errs = append(errs, field.Invalid(path.Child("path"), p.Path, fmt.Sprintf("cannot end with '%s'", suffix)))
				}
			}
		}
	case networkingv1.PathTypeImplementationSpecific:
		if p.Path != "" && !strings.HasPrefix(p.Path, "/") {
			errs = append(errs, field.Invalid(path.Child("path"), p.Path, "must be an absolute path"))
		}
	default:
		errs = append(errs, field.NotSupported(path.Child("pathType"), *p.PathType, sets.List(supportedPathTypes)))
	}
	return append(errs, ingressBackend(&p.Backend, path.Child("backend"))...)
}

// ingressBackend: exactly one of service and resource; a service names a
// port by name or number, not both.
func ingressBackend(b *networkingv1.IngressBackend, path *field.Path) field.ErrorList {
	switch {
	case b.Resource != nil && b.Service != nil:
		return field.ErrorList{field.Invalid(path, "", "cannot set both resource and service backends")}
	case b.Resource != nil:
		return typedLocalObjectReference(b.Resource, path.Child("resource"))
	case b.Service == nil:
		return field.ErrorList{field.Invalid(path, "", "resource or service backend is required")}
	}
	var errs field.ErrorList
	svc := b.Service
	if svc.Name == "" {
		errs = append(errs, field.Required(path.Child("service", "name"), ""))
	} else {
		for _, msg := range apimachineryvalidation.NameIsDNSLabel(svc.Name, false) {
			errs = append(errs, field.Invalid(path.Child("service", "name"), svc.Name, msg))
		}
	}
	hasName, hasNumber := svc.Port.Name != "", svc.Port.Number != 0
	switch {
	case hasName && hasNumber:
		errs = append(errs, field.Invalid(path, "", "cannot set both port name & port number"))
	case hasName:
		for _, msg := range validation.IsValidPortName(svc.Port.Name) {
			errs = append(errs, field.Invalid(path.Child("service", "port", "name"), svc.Port.Name, msg))
		}
	case hasNumber:
		for _, msg := range validation.IsValidPortNum(int(svc.Port.Number)) {
			errs = append(errs, field.Invalid(path.Child("service", "port", "number"), svc.Port.Number, msg))
		}
	default:
		errs = append(errs, field.Required(path, "port name or number is required"))
	}
	return errs
}

// typedLocalObjectReference is upstream's validateIngressTypedLocalObjectReference.
func typedLocalObjectReference(ref *corev1.TypedLocalObjectReference, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if ref.APIGroup != nil {
		for _, msg := range validation.IsDNS1123Subdomain(*ref.APIGroup) {
			errs = append(errs, field.Invalid(path.Child("apiGroup"), *ref.APIGroup, msg))
		}
	}
	errs = append(errs, requiredPathSegment(ref.Kind, path.Child("kind"))...)
	return append(errs, requiredPathSegment(ref.Name, path.Child("name"))...)
}

// requiredPathSegment: a non-empty name that can be a URL path segment.
func requiredPathSegment(value string, path *field.Path) field.ErrorList {
	if value == "" {
		return field.ErrorList{field.Required(path, "")}
	}
	return pathSegment(value, path)
}

func pathSegment(value string, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range content.IsPathSegmentName(value) {
		errs = append(errs, field.Invalid(path, value, msg))
	}
	return errs
}

// IngressClass is upstream's ValidateIngressClass.
func IngressClass(ic *networkingv1.IngressClass) field.ErrorList {
	path := field.NewPath("spec")
	var errs field.ErrorList
	if len(ic.Spec.Controller) > maxLenIngressClassController {
		errs = append(errs, field.TooLong(path.Child("controller"), "", maxLenIngressClassController))
	}
	errs = append(errs, validation.IsDomainPrefixedPath(path.Child("controller"), ic.Spec.Controller)...)
	return append(errs, ingressClassParameters(ic.Spec.Parameters, path.Child("parameters"))...)
}

// IngressClassUpdate is upstream's ValidateIngressClassUpdate: the
// controller is immutable.
func IngressClassUpdate(ic, old *networkingv1.IngressClass) field.ErrorList {
	errs := apimachineryvalidation.ValidateImmutableField(ic.Spec.Controller, old.Spec.Controller, field.NewPath("spec", "controller"))
	return append(errs, IngressClass(ic)...)
}

func ingressClassParameters(p *networkingv1.IngressClassParametersReference, path *field.Path) field.ErrorList {
	if p == nil {
		return nil
	}
	var errs field.ErrorList
	if p.APIGroup != nil {
		for _, msg := range validation.IsDNS1123Subdomain(*p.APIGroup) {
			errs = append(errs, field.Invalid(path.Child("apiGroup"), *p.APIGroup, msg))
		}
	}
	errs = append(errs, requiredPathSegment(p.Kind, path.Child("kind"))...)
	errs = append(errs, requiredPathSegment(p.Name, path.Child("name"))...)
	if p.Scope == nil {
		return append(errs, field.Required(path.Child("scope"), ""))
	}
	switch scope := *p.Scope; {
	case !supportedParamScopes.Has(scope):
		errs = append(errs, field.NotSupported(path.Child("scope"), scope, sets.List(supportedParamScopes)))
	case scope == networkingv1.IngressClassParametersReferenceScopeNamespace:
		if p.Namespace == nil {
			errs = append(errs, field.Required(path.Child("namespace"), "`parameters.scope` is set to 'Namespace'"))
		} else {
			for _, msg := range apimachineryvalidation.ValidateNamespaceName(*p.Namespace, false) {
				errs = append(errs, field.Invalid(path.Child("namespace"), *p.Namespace, msg))
			}
		}
	case p.Namespace != nil:
		errs = append(errs, field.Forbidden(path.Child("namespace"), "`parameters.scope` is set to 'Cluster'"))
	}
	return errs
}

// networkPolicyOptions are upstream's NetworkPolicyValidationOptions.
type networkPolicyOptions struct {
	allowInvalidLabelValueInSelector bool
	allowCIDRs                       []string
}

// NetworkPolicy is upstream's ValidateNetworkPolicy.
func NetworkPolicy(np *networkingv1.NetworkPolicy) field.ErrorList {
	return networkPolicySpec(&np.Spec, networkPolicyOptions{}, field.NewPath("spec"))
}

// NetworkPolicyUpdate is upstream's ValidateNetworkPolicyUpdate: an invalid
// pod selector label value, and any CIDR, the stored policy already had may
// stay.
func NetworkPolicyUpdate(np, old *networkingv1.NetworkPolicy) field.ErrorList {
	opts := networkPolicyOptions{
		allowInvalidLabelValueInSelector: len(metav1validation.ValidateLabelSelector(&old.Spec.PodSelector, metav1validation.LabelSelectorValidationOptions{}, nil)) > 0,
	}
	addCIDRs := func(peers []networkingv1.NetworkPolicyPeer) {
		for _, peer := range peers {
			if peer.IPBlock != nil {
				opts.allowCIDRs = append(opts.allowCIDRs, peer.IPBlock.CIDR)
				opts.allowCIDRs = append(opts.allowCIDRs, peer.IPBlock.Except...)
			}
		}
	}
	for _, rule := range old.Spec.Ingress {
		addCIDRs(rule.From)
	}
	for _, rule := range old.Spec.Egress {
		addCIDRs(rule.To)
	}
	return networkPolicySpec(&np.Spec, opts, field.NewPath("spec"))
}

func networkPolicySpec(spec *networkingv1.NetworkPolicySpec, opts networkPolicyOptions, path *field.Path) field.ErrorList {
	selectorOpts := metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector}
	errs := metav1validation.ValidateLabelSelector(&spec.PodSelector, selectorOpts, path.Child("podSelector"))
	for i, rule := range spec.Ingress {
		rulePath := path.Child("ingress").Index(i)
		for j := range rule.Ports {
			errs = append(errs, networkPolicyPort(&rule.Ports[j], rulePath.Child("ports").Index(j))...)
		}
		for j := range rule.From {
			errs = append(errs, networkPolicyPeer(&rule.From[j], opts, rulePath.Child("from").Index(j))...)
		}
	}
	for i, rule := range spec.Egress {
		rulePath := path.Child("egress").Index(i)
		for j := range rule.Ports {
			errs = append(errs, networkPolicyPort(&rule.Ports[j], rulePath.Child("ports").Index(j))...)
		}
		for j := range rule.To {
			errs = append(errs, networkPolicyPeer(&rule.To[j], opts, rulePath.Child("to").Index(j))...)
		}
	}
	allowed := []string{string(networkingv1.PolicyTypeIngress), string(networkingv1.PolicyTypeEgress)}
	if len(spec.PolicyTypes) > len(allowed) {
		return append(errs, field.Invalid(path.Child("policyTypes"), &spec.PolicyTypes, "may not specify more than two policyTypes"))
	}
	for i, t := range spec.PolicyTypes {
		if t != networkingv1.PolicyTypeIngress && t != networkingv1.PolicyTypeEgress {
			errs = append(errs, field.NotSupported(path.Child("policyTypes").Index(i), t, allowed))
		}
	}
	return errs
}

func networkPolicyPort(port *networkingv1.NetworkPolicyPort, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if p := port.Protocol; p != nil && *p != corev1.ProtocolTCP && *p != corev1.ProtocolUDP && *p != corev1.ProtocolSCTP {
		errs = append(errs, field.NotSupported(path.Child("protocol"), *p, []string{string(corev1.ProtocolTCP), string(corev1.ProtocolUDP), string(corev1.ProtocolSCTP)}))
	}
	switch {
	case port.Port == nil:
		if port.EndPort != nil {
			errs = append(errs, field.Invalid(path.Child("endPort"), *port.EndPort, "may not be specified when `port` is not specified"))
		}
	case port.Port.Type == intstr.Int:
		for _, msg := range validation.IsValidPortNum(int(port.Port.IntVal)) {
			errs = append(errs, field.Invalid(path.Child("port"), port.Port.IntVal, msg))
		}
		if port.EndPort != nil {
			if *port.EndPort < port.Port.IntVal {
				errs = append(errs, field.Invalid(path.Child("endPort"), *port.EndPort, "must be greater than or equal to `port`"))
			}
			for _, msg := range validation.IsValidPortNum(int(*port.EndPort)) {
				errs = append(errs, field.Invalid(path.Child("endPort"), *port.EndPort, msg))
			}
		}
	default:
		if port.EndPort != nil {
			errs = append(errs, field.Invalid(path.Child("endPort"), *port.EndPort, "may not be specified when `port` is non-numeric"))
		}
		for _, msg := range validation.IsValidPortName(port.Port.StrVal) {
			errs = append(errs, field.Invalid(path.Child("port"), port.Port.StrVal, msg))
		}
	}
	return errs
}

func networkPolicyPeer(peer *networkingv1.NetworkPolicyPeer, opts networkPolicyOptions, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	selectorOpts := metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector}
	peers := 0
	if peer.PodSelector != nil {
		peers++
		errs = append(errs, metav1validation.ValidateLabelSelector(peer.PodSelector, selectorOpts, path.Child("podSelector"))...)
	}
	if peer.NamespaceSelector != nil {
		peers++
		errs = append(errs, metav1validation.ValidateLabelSelector(peer.NamespaceSelector, selectorOpts, path.Child("namespaceSelector"))...)
	}
	if peer.IPBlock != nil {
		peers++
		errs = append(errs, ipBlock(peer.IPBlock, opts, path.Child("ipBlock"))...)
	}
	if peers == 0 {
		errs = append(errs, field.Required(path, "must specify a peer"))
	} else if peers > 1 && peer.IPBlock != nil {
		errs = append(errs, field.Forbidden(path, "may not specify both ipBlock and another peer"))
	}
	return errs
}

// ipBlock is upstream's ValidateIPBlock: each except is a strict subset of
// the CIDR.
func ipBlock(b *networkingv1.IPBlock, opts networkPolicyOptions, path *field.Path) field.ErrorList {
	if b.CIDR == "" {
		return field.ErrorList{field.Required(path.Child("cidr"), "")}
	}
	errs := validation.IsValidCIDRForLegacyField(path.Child("cidr"), b.CIDR, strictIPCIDR, opts.allowCIDRs)
	_, cidr, err := netutils.ParseCIDRSloppy(b.CIDR)
	if err != nil {
		return errs
	}
	for i, except := range b.Except {
		exceptPath := path.Child("except").Index(i)
		errs = append(errs, validation.IsValidCIDRForLegacyField(exceptPath, except, strictIPCIDR, opts.allowCIDRs)...)
		_, exceptNet, err := netutils.ParseCIDRSloppy(except)
		if err != nil {
			continue
		}
		cidrLen, _ := cidr.Mask.Size()
		exceptLen, _ := exceptNet.Mask.Size()
		if !cidr.Contains(exceptNet.IP) || cidrLen >= exceptLen {
			errs = append(errs, field.Invalid(exceptPath, except, "must be a strict subset of `cidr`"))
		}
	}
	return errs
}
