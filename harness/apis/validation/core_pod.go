package validation

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// podOptions is upstream's PodValidationOptions reduced to what varies in
// v1.37.1 with default feature gates: the rules relaxed because the old
// object already broke them (so that it stays updatable), and whether the
// spec is a pod's. Options upstream derives from gates that are on (pod-level
// resources, container restart rules, relaxed env var names, env files,
// sidecar resize policy, ...) are fixed in the code.
type podOptions struct {
	resourceIsPod bool

	allowInvalidPodDeletionCost                             bool
	allowIndivisibleHugePagesValues                         bool
	allowInvalidLabelValueInSelector                        bool
	allowInvalidLabelValueInRequiredNodeAffinity            bool
	allowInvalidTopologySpreadConstraintLabelSelector       bool
	oldPodViolatesMatchLabelKeysValidation                  bool
	allowNonLocalProjectedTokenPath                         bool
	allowNamespacedSysctlsForHostNetAndHostIPC              bool
	allowExistingRestartContainerForNonSidecarInitContainer bool
	allowUserNamespacesWithVolumeDevices                    bool
	allowUserNamespacesHostNetworkSupport                   bool
	allowEmptyImageVolumeReference                          bool
	allowSysAdminWhenPrivilegeEscalationFalse               bool
	allowTaintTolerationComparisonOperators                 bool
}

// podOptionsFor is upstream's GetValidationOptionsFromPodSpecAndMeta: old is
// nil on create; on update, what the old spec already used stays allowed.
func podOptionsFor(old *corev1.PodSpec, oldMeta *metav1.ObjectMeta) podOptions {
	var opts podOptions
	if old == nil {
		return opts
	}
	opts.allowTaintTolerationComparisonOperators = comparisonTolerationsInUse(old)
	opts.allowExistingRestartContainerForNonSidecarInitContainer = restartContainerForNonSidecarInit(old)
	opts.allowUserNamespacesHostNetworkSupport = old.HostUsers != nil && !*old.HostUsers && old.HostNetwork
	opts.allowIndivisibleHugePagesValues = indivisibleHugePagesInUse(old)
	opts.allowInvalidLabelValueInSelector = invalidLabelValueInAffinitySelector(old)
	opts.allowInvalidLabelValueInRequiredNodeAffinity = invalidLabelValueInRequiredNodeAffinity(old)
	for _, c := range old.TopologySpreadConstraints {
		if len(metav1validation.ValidateLabelSelector(c.LabelSelector, metav1validation.LabelSelectorValidationOptions{}, nil)) > 0 {
			opts.allowInvalidTopologySpreadConstraintLabelSelector = true
		}
		if len(matchLabelKeysAndMismatchLabelKeys(nil, c.MatchLabelKeys, nil, c.LabelSelector)) > 0 {
			opts.oldPodViolatesMatchLabelKeysValidation = true
		}
	}
	for _, v := range old.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, s := range v.Projected.Sources {
			if s.ServiceAccountToken != nil && len(localNonReservedPath(s.ServiceAccountToken.Path, nil)) > 0 {
				opts.allowNonLocalProjectedTokenPath = true
			}
		}
	}
	for _, v := range old.Volumes {
		if v.Image != nil && v.Image.Reference == "" {
			opts.allowEmptyImageVolumeReference = true
		}
	}
	if old.SecurityContext != nil {
		for _, s := range old.SecurityContext.Sysctls {
			if hostSysctl(s.Name, old, nil) != nil {
				opts.allowNamespacedSysctlsForHostNetAndHostIPC = true
			}
		}
	}
	if old.HostUsers != nil && !*old.HostUsers {
		visitContainers(old, field.NewPath("spec"), func(c *corev1.Container, _ *field.Path) {
			if len(c.VolumeDevices) > 0 {
				opts.allowUserNamespacesWithVolumeDevices = true
			}
		})
	}
	visitContainers(old, field.NewPath("spec"), func(c *corev1.Container, _ *field.Path) {
		sc := c.SecurityContext
		if sc != nil && sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation && sc.Capabilities != nil {
			for _, cp := range sc.Capabilities.Add {
				if cp == "CAP_SYS_ADMIN" {
					opts.allowSysAdminWhenPrivilegeEscalationFalse = true
				}
			}
		}
	})
	if oldMeta != nil {
		_, err := deletionCost(oldMeta.Annotations)
		opts.allowInvalidPodDeletionCost = err != nil
	}
	return opts
}

func comparisonTolerationsInUse(spec *corev1.PodSpec) bool {
	for _, t := range spec.Tolerations {
		if t.Operator == corev1.TolerationOpLt || t.Operator == corev1.TolerationOpGt {
			return true
		}
	}
	return false
}

func restartContainerForNonSidecarInit(spec *corev1.PodSpec) bool {
	for _, c := range spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			continue
		}
		for _, p := range c.ResizePolicy {
			if p.RestartPolicy == corev1.RestartContainer {
				return true
			}
		}
	}
	return false
}

func indivisibleHugePagesInUse(spec *corev1.PodSpec) bool {
	found := false
	check := func(list corev1.ResourceList) {
		for name, q := range list {
			if isHugePageResourceName(name) && !isHugePageResourceValueDivisible(name, q) {
				found = true
			}
		}
	}
	visitContainers(spec, field.NewPath("spec"), func(c *corev1.Container, _ *field.Path) {
		check(c.Resources.Limits)
		check(c.Resources.Requests)
	})
	if spec.Resources != nil {
		check(spec.Resources.Limits)
		check(spec.Resources.Requests)
	}
	return found
}

func invalidLabelValueInAffinitySelector(spec *corev1.PodSpec) bool {
	if spec.Affinity == nil {
		return false
	}
	invalid := func(sel *metav1.LabelSelector) bool {
		if sel == nil {
			return false
		}
		for _, e := range sel.MatchExpressions {
			for _, v := range e.Values {
				if len(validation.IsValidLabelValue(v)) > 0 {
					return true
				}
			}
		}
		return false
	}
	var terms []corev1.PodAffinityTerm
	if pa := spec.Affinity.PodAffinity; pa != nil {
		terms = append(terms, pa.RequiredDuringSchedulingIgnoredDuringExecution...)
		for _, w := range pa.PreferredDuringSchedulingIgnoredDuringExecution {
			terms = append(terms, w.PodAffinityTerm)
		}
	}
	if pa := spec.Affinity.PodAntiAffinity; pa != nil {
		terms = append(terms, pa.RequiredDuringSchedulingIgnoredDuringExecution...)
		for _, w := range pa.PreferredDuringSchedulingIgnoredDuringExecution {
			terms = append(terms, w.PodAffinityTerm)
		}
	}
	for _, t := range terms {
		if invalid(t.LabelSelector) || invalid(t.NamespaceSelector) {
			return true
		}
	}
	return false
}

func invalidLabelValueInRequiredNodeAffinity(spec *corev1.PodSpec) bool {
	if spec.Affinity == nil || spec.Affinity.NodeAffinity == nil || spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return false
	}
	for _, term := range spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, e := range term.MatchExpressions {
			for _, v := range e.Values {
				if len(validation.IsValidLabelValue(v)) > 0 {
					return true
				}
			}
		}
	}
	return false
}

// PodTemplateSpec validates a pod template (of a PodTemplate, Deployment,
// Job, ...) at fldPath, as upstream's ValidatePodTemplateSpec. A template
// is not a pod: ephemeral containers are forbidden, and the pod-only rules
// (host port must equal container port with hostNetwork, image whitespace,
// service account tokens) do not apply.
func PodTemplateSpec(spec *corev1.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	return podTemplateSpec(spec, fldPath, podOptions{})
}

// PodTemplateSpecUpdate is PodTemplateSpec for an update of the object
// embedding it: what the old template already used stays allowed.
func PodTemplateSpecUpdate(spec, old *corev1.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	return podTemplateSpec(spec, fldPath, podOptionsFor(&old.Spec, &old.ObjectMeta))
}

func podTemplateSpec(spec *corev1.PodTemplateSpec, fldPath *field.Path, opts podOptions) field.ErrorList {
	errs := metav1validation.ValidateLabels(spec.Labels, fldPath.Child("labels"))
	errs = append(errs, apimachineryvalidation.ValidateAnnotations(spec.Annotations, fldPath.Child("annotations"))...)
	errs = append(errs, podSpecificAnnotations(spec.Annotations, &spec.Spec, fldPath.Child("annotations"), opts)...)
	errs = append(errs, podSpec(&spec.Spec, nil, fldPath.Child("spec"), opts)...)
	errs = append(errs, seccompAnnotationsAndFields(spec.ObjectMeta, &spec.Spec, fldPath.Child("spec"))...)
	errs = append(errs, appArmorAnnotationsAndFields(spec.ObjectMeta, &spec.Spec, fldPath.Child("spec"))...)
	if len(spec.Spec.EphemeralContainers) > 0 {
		errs = append(errs, field.Forbidden(fldPath.Child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"))
	}
	return errs
}

// PodTemplate is upstream's ValidatePodTemplate below metadata.
func PodTemplate(t *corev1.PodTemplate) field.ErrorList {
	return PodTemplateSpec(&t.Template, field.NewPath("template"))
}

// PodTemplateUpdate is upstream's ValidatePodTemplateUpdate below metadata:
// the template is validated again, with the old one's allowances.
func PodTemplateUpdate(t, old *corev1.PodTemplate) field.ErrorList {
	return PodTemplateSpecUpdate(&t.Template, &old.Template, field.NewPath("template"))
}

// PodSpec validates a pod's spec at fldPath as upstream's ValidatePodSpec
// does for a spec embedded in another object (not a pod).
func PodSpec(spec *corev1.PodSpec, fldPath *field.Path) field.ErrorList {
	return podSpec(spec, nil, fldPath, podOptions{})
}

// podSpec is upstream's ValidatePodSpec; podMeta is the pod's metadata, nil
// for templates.
func podSpec(spec *corev1.PodSpec, podMeta *metav1.ObjectMeta, fldPath *field.Path, opts podOptions) field.ErrorList {
	var errs field.ErrorList
	if spec.TerminationGracePeriodSeconds == nil {
		errs = append(errs, field.Required(fldPath.Child("terminationGracePeriodSeconds"), ""))
	}
	hostUsers := spec.HostUsers == nil || *spec.HostUsers
	vols, vErrs := volumes(spec.Volumes, podMeta, fldPath.Child("volumes"), opts)
	errs = append(errs, vErrs...)
	podClaimNames := sets.New[string]()
	for _, c := range spec.ResourceClaims {
		if c.Name != "" {
			podClaimNames.Insert(c.Name)
		}
	}
	errs = append(errs, podResourceClaims(podMeta, spec.ResourceClaims, fldPath.Child("resourceClaims"))...)
	errs = append(errs, containers(spec.Containers, spec, vols, podClaimNames, fldPath.Child("containers"), opts, hostUsers)...)
	errs = append(errs, initContainers(spec.InitContainers, spec, vols, podClaimNames, fldPath.Child("initContainers"), opts, hostUsers)...)
	errs = append(errs, ephemeralContainers(spec.EphemeralContainers, spec, vols, podClaimNames, fldPath.Child("ephemeralContainers"), opts, hostUsers)...)
	errs = append(errs, podResources(spec, podClaimNames, fldPath, opts)...)
	errs = append(errs, hostNetworkDeps(spec, fldPath, opts)...)
	errs = append(errs, restartPolicy(spec.RestartPolicy, fldPath.Child("restartPolicy"))...)
	errs = append(errs, dnsPolicy(spec.DNSPolicy, fldPath.Child("dnsPolicy"))...)
	errs = append(errs, metav1validation.ValidateLabels(spec.NodeSelector, fldPath.Child("nodeSelector"))...)
	errs = append(errs, podSecurityContext(spec, fldPath.Child("securityContext"), opts)...)
	if spec.ShareProcessNamespace != nil && spec.HostPID && *spec.ShareProcessNamespace {
		errs = append(errs, field.Invalid(fldPath.Child("shareProcessNamespace"), *spec.ShareProcessNamespace, "ShareProcessNamespace and HostPID cannot both be enabled"))
	}
	for i, s := range spec.ImagePullSecrets {
		if s != (corev1.LocalObjectReference{Name: s.Name}) {
			errs = append(errs, field.Invalid(fldPath.Child("imagePullSecrets").Index(i), s, "only name may be set"))
		}
	}
	errs = append(errs, affinity(spec.Affinity, opts, fldPath.Child("affinity"))...)
	errs = append(errs, podDNSConfig(spec.DNSConfig, spec.DNSPolicy, fldPath.Child("dnsConfig"))...)
	for i, g := range spec.ReadinessGates {
		errs = append(errs, qualifiedName(string(g.ConditionType), fldPath.Child("readinessGates").Index(i).Child("conditionType"))...)
	}
	errs = append(errs, schedulingGates(spec.SchedulingGates, fldPath.Child("schedulingGates"))...)
	errs = append(errs, topologySpreadConstraints(spec.TopologySpreadConstraints, fldPath.Child("topologySpreadConstraints"), opts)...)
	errs = append(errs, windowsHostProcess(spec, fldPath)...)
	errs = append(errs, hostUsersRules(spec, fldPath, opts)...)
	errs = append(errs, podHostName(spec, fldPath)...)
	if spec.ServiceAccountName != "" {
		for _, msg := range apimachineryvalidation.ValidateServiceAccountName(spec.ServiceAccountName, false) {
			errs = append(errs, field.Invalid(fldPath.Child("serviceAccountName"), spec.ServiceAccountName, msg))
		}
	}
	if spec.DeprecatedServiceAccount != spec.ServiceAccountName { //nolint:staticcheck // upstream keeps the two in sync
		errs = append(errs, field.Invalid(fldPath.Child("deprecatedServiceAccount"), spec.DeprecatedServiceAccount, fmt.Sprintf("must be the same as serviceAccountName: %q", spec.ServiceAccountName))) //nolint:staticcheck
	}
	if spec.NodeName != "" {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(spec.NodeName, false) {
			errs = append(errs, field.Invalid(fldPath.Child("nodeName"), spec.NodeName, msg))
		}
	}
	if spec.ActiveDeadlineSeconds != nil {
		if v := *spec.ActiveDeadlineSeconds; v < 1 || v > math.MaxInt32 {
			errs = append(errs, field.Invalid(fldPath.Child("activeDeadlineSeconds"), v, validation.InclusiveRangeError(1, math.MaxInt32)))
		}
	}
	if spec.Hostname != "" {
		errs = append(errs, dns1123Label(spec.Hostname, fldPath.Child("hostname"))...)
	}
	if spec.Subdomain != "" {
		errs = append(errs, dns1123Label(spec.Subdomain, fldPath.Child("subdomain"))...)
	}
	if len(spec.Tolerations) > 0 {
		errs = append(errs, Tolerations(spec.Tolerations, fldPath.Child("tolerations"), opts.allowTaintTolerationComparisonOperators)...)
	}
	for i, a := range spec.HostAliases {
		p := fldPath.Child("hostAliases").Index(i)
		errs = append(errs, validation.IsValidIPForLegacyField(p.Child("ip"), a.IP, true, nil)...)
		for j, h := range a.Hostnames {
			errs = append(errs, dns1123Subdomain(h, p.Child("hostnames").Index(j))...)
		}
	}
	if spec.PriorityClassName != "" {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(spec.PriorityClassName, false) {
			errs = append(errs, field.Invalid(fldPath.Child("priorityClassName"), spec.PriorityClassName, msg))
		}
	}
	if spec.RuntimeClassName != nil {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*spec.RuntimeClassName, false) {
			errs = append(errs, field.Invalid(fldPath.Child("runtimeClassName"), *spec.RuntimeClassName, msg))
		}
	}
	if spec.PreemptionPolicy != nil {
		p := fldPath.Child("preemptionPolicy")
		switch *spec.PreemptionPolicy {
		case corev1.PreemptLowerPriority, corev1.PreemptNever:
		case "":
			errs = append(errs, field.Required(p, ""))
		default:
			errs = append(errs, field.NotSupported(p, spec.PreemptionPolicy, []corev1.PreemptionPolicy{corev1.PreemptLowerPriority, corev1.PreemptNever}))
		}
	}
	if spec.Overhead != nil {
		errs = append(errs, resourceRequirements(&corev1.ResourceRequirements{Limits: spec.Overhead}, containerResourceName, nil, fldPath.Child("overhead"), opts)...)
	}
	errs = append(errs, osRules(spec, fldPath)...)
	return append(errs, fileKeyRefVolumes(spec, fldPath)...)
}

func podResourceClaims(podMeta *metav1.ObjectMeta, claims []corev1.PodResourceClaim, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	names := sets.New[string]()
	for i, claim := range claims {
		if podMeta != nil {
			if _, ok := podMeta.Annotations[corev1.MirrorPodAnnotationKey]; ok {
				errs = append(errs, field.Forbidden(field.NewPath(""), "static pods do not support resource claims"))
				continue
			}
		}
		p := fldPath.Index(i)
		switch {
		case claim.Name == "":
			errs = append(errs, field.Required(p.Child("name"), ""))
		case names.Has(claim.Name):
			errs = append(errs, field.Duplicate(p.Child("name"), claim.Name))
		default:
			errs = append(errs, dns1123Label(claim.Name, p.Child("name"))...)
			names.Insert(claim.Name)
		}
		if claim.ResourceClaimName != nil && claim.ResourceClaimTemplateName != nil {
			errs = append(errs, field.Invalid(p, claim, "at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified"))
		}
		if claim.ResourceClaimName == nil && claim.ResourceClaimTemplateName == nil {
			errs = append(errs, field.Invalid(p, claim, "must specify one of: `resourceClaimName`, `resourceClaimTemplateName`"))
		}
		if claim.ResourceClaimName != nil {
			for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*claim.ResourceClaimName, false) {
				errs = append(errs, field.Invalid(p.Child("resourceClaimName"), *claim.ResourceClaimName, msg))
			}
		}
		if claim.ResourceClaimTemplateName != nil {
			for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*claim.ResourceClaimTemplateName, false) {
				errs = append(errs, field.Invalid(p.Child("resourceClaimTemplateName"), *claim.ResourceClaimTemplateName, msg))
			}
		}
	}
	return errs
}

// hostNetworkDeps is upstream's validatePodHostNetworkDeps: with
// hostNetwork a pod's host ports are its container ports (a template's
// may be 0, defaulted when the pod is created).
func hostNetworkDeps(spec *corev1.PodSpec, fldPath *field.Path, opts podOptions) field.ErrorList {
	if !spec.HostNetwork {
		return nil
	}
	var errs field.ErrorList
	for i, c := range spec.Containers {
		for j, port := range c.Ports {
			if hp, cp := port.HostPort, port.ContainerPort; (opts.resourceIsPod || hp != 0) && hp != cp {
				errs = append(errs, field.Invalid(fldPath.Child("containers").Index(i).Child("ports").Index(j).Child("hostPort"), port.HostPort, "must match `containerPort` when `hostNetwork` is true"))
			}
		}
	}
	return errs
}

func restartPolicy(policy corev1.RestartPolicy, fldPath *field.Path) field.ErrorList {
	switch policy {
	case corev1.RestartPolicyAlways, corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever:
		return nil
	case "":
		return field.ErrorList{field.Required(fldPath, "")}
	}
	return field.ErrorList{field.NotSupported(fldPath, policy, []corev1.RestartPolicy{corev1.RestartPolicyAlways, corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever})}
}

func dnsPolicy(policy corev1.DNSPolicy, fldPath *field.Path) field.ErrorList {
	switch policy {
	case corev1.DNSClusterFirstWithHostNet, corev1.DNSClusterFirst, corev1.DNSDefault, corev1.DNSNone:
		return nil
	case "":
		return field.ErrorList{field.Required(fldPath, "")}
	}
	// sic: upstream passes a pointer as the value.
	return field.ErrorList{field.NotSupported(fldPath, &policy, []corev1.DNSPolicy{corev1.DNSClusterFirstWithHostNet, corev1.DNSClusterFirst, corev1.DNSDefault, corev1.DNSNone})}
}

const (
	maxDNSNameservers     = 3
	maxDNSSearchPaths     = 32
	maxDNSSearchListChars = 2048
)

// podDNSConfig is upstream's validatePodDNSConfig.
func podDNSConfig(cfg *corev1.PodDNSConfig, policy corev1.DNSPolicy, fldPath *field.Path) field.ErrorList {
	if policy == corev1.DNSNone {
		if cfg == nil {
			return field.ErrorList{field.Required(fldPath, fmt.Sprintf("must provide `dnsConfig` when `dnsPolicy` is %s", corev1.DNSNone))}
		}
		if len(cfg.Nameservers) == 0 {
			return field.ErrorList{field.Required(fldPath.Child("nameservers"), fmt.Sprintf("must provide at least one DNS nameserver when `dnsPolicy` is %s", corev1.DNSNone))}
		}
	}
	if cfg == nil {
		return nil
	}
	var errs field.ErrorList
	if len(cfg.Nameservers) > maxDNSNameservers {
		errs = append(errs, field.Invalid(fldPath.Child("nameservers"), cfg.Nameservers, fmt.Sprintf("must not have more than %v nameservers", maxDNSNameservers)))
	}
	for i, ns := range cfg.Nameservers {
		errs = append(errs, validation.IsValidIPForLegacyField(fldPath.Child("nameservers").Index(i), ns, true, nil)...)
	}
	if len(cfg.Searches) > maxDNSSearchPaths {
		errs = append(errs, field.Invalid(fldPath.Child("searches"), cfg.Searches, fmt.Sprintf("must not have more than %v search paths", maxDNSSearchPaths)))
	}
	if len(strings.Join(cfg.Searches, " ")) > maxDNSSearchListChars {
		errs = append(errs, field.Invalid(fldPath.Child("searches"), cfg.Searches, fmt.Sprintf("must not have more than %v characters (including spaces) in the search list", maxDNSSearchListChars)))
	}
	for i, search := range cfg.Searches {
		if search == "." {
			continue
		}
		search = strings.TrimSuffix(search, ".")
		for _, msg := range validation.IsDNS1123SubdomainWithUnderscore(search) {
			errs = append(errs, field.Invalid(fldPath.Child("searches").Index(i), search, msg))
		}
	}
	for i, o := range cfg.Options {
		if o.Name == "" {
			errs = append(errs, field.Required(fldPath.Child("options").Index(i), "must not be empty"))
		}
	}
	return errs
}

func schedulingGates(gates []corev1.PodSchedulingGate, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := sets.New[string]()
	for i, g := range gates {
		errs = append(errs, qualifiedName(g.Name, fldPath.Index(i))...)
		if seen.Has(g.Name) {
			errs = append(errs, field.Duplicate(fldPath.Index(i), g.Name))
		}
		seen.Insert(g.Name)
	}
	return errs
}

// podHostName is upstream's validatePodHostName (hostnameOverride).
func podHostName(spec *corev1.PodSpec, fldPath *field.Path) field.ErrorList {
	if spec.HostnameOverride == nil {
		return nil
	}
	var errs field.ErrorList
	p := fldPath.Child("hostnameOverride")
	if spec.SetHostnameAsFQDN != nil && *spec.SetHostnameAsFQDN {
		errs = append(errs, field.Forbidden(p, "may not be specified when setHostnameAsFQDN is true"))
	}
	if spec.HostNetwork {
		errs = append(errs, field.Forbidden(p, "may not be specified when hostNetwork is true"))
	}
	if len(*spec.HostnameOverride) > 64 {
		errs = append(errs, field.TooLong(p, "", 64))
	}
	return append(errs, dns1123Subdomain(*spec.HostnameOverride, p)...)
}

// fileKeyRefVolumes is upstream's validateFileKeyRefVolumes: an env file
// is read from an emptyDir volume of the pod.
func fileKeyRefVolumes(spec *corev1.PodSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	sources := map[string]*corev1.VolumeSource{}
	for i := range spec.Volumes {
		sources[spec.Volumes[i].Name] = &spec.Volumes[i].VolumeSource
	}
	visitContainers(spec, fldPath, func(c *corev1.Container, p *field.Path) {
		for j, e := range c.Env {
			if e.ValueFrom == nil || e.ValueFrom.FileKeyRef == nil {
				continue
			}
			name := e.ValueFrom.FileKeyRef.VolumeName
			np := p.Child("env").Index(j).Child("valueFrom", "fileKeyRef", "volumeName")
			if src, ok := sources[name]; !ok {
				errs = append(errs, field.NotFound(np, name))
			} else if src.EmptyDir == nil {
				errs = append(errs, field.Invalid(np, name, "referenced volume must be of type emptyDir"))
			}
		}
	})
	return errs
}

// deletionCost is upstream's GetDeletionCostFromPodAnnotations.
func deletionCost(annotations map[string]string) (int32, error) {
	value, ok := annotations[corev1.PodDeletionCost]
	if !ok {
		return 0, nil
	}
	if value == "" || !(value[0] == '-' || value == "0" || (value[0] >= '1' && value[0] <= '9')) {
		return 0, fmt.Errorf("invalid value %q", value)
	}
	i, err := strconv.ParseInt(value, 10, 32)
	return int32(i), err
}

// podSpecificAnnotations is upstream's ValidatePodSpecificAnnotations.
func podSpecificAnnotations(annotations map[string]string, spec *corev1.PodSpec, fldPath *field.Path, opts podOptions) field.ErrorList {
	var errs field.ErrorList
	if value, mirror := annotations[corev1.MirrorPodAnnotationKey]; mirror && spec.NodeName == "" {
		errs = append(errs, field.Invalid(fldPath.Key(corev1.MirrorPodAnnotationKey), value, "must set spec.nodeName if mirror pod annotation is set"))
	}
	if v := annotations[corev1.TolerationsAnnotationKey]; v != "" {
		var tolerations []corev1.Toleration
		if err := json.Unmarshal([]byte(v), &tolerations); err != nil {
			errs = append(errs, field.Invalid(fldPath, corev1.TolerationsAnnotationKey, err.Error()))
		} else if len(tolerations) > 0 {
			errs = append(errs, Tolerations(tolerations, fldPath.Child(corev1.TolerationsAnnotationKey), opts.allowTaintTolerationComparisonOperators)...)
		}
	}
	if !opts.allowInvalidPodDeletionCost {
		if _, err := deletionCost(annotations); err != nil {
			errs = append(errs, field.Invalid(fldPath.Key(corev1.PodDeletionCost), annotations[corev1.PodDeletionCost], "must be a 32bit integer"))
		}
	}
	for _, k := range sortedKeys(annotations) {
		p := annotations[k]
		if k == corev1.SeccompPodAnnotationKey || strings.HasPrefix(k, corev1.SeccompContainerAnnotationKeyPrefix) {
			errs = append(errs, seccompAnnotation(p, fldPath.Child(k))...)
		}
	}
	for _, k := range sortedKeys(annotations) {
		if !strings.HasPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix) {
			continue
		}
		p := annotations[k]
		name := strings.TrimPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix)
		found := false
		visitContainers(spec, field.NewPath("spec"), func(c *corev1.Container, _ *field.Path) { found = found || c.Name == name })
		if !found {
			errs = append(errs, field.Invalid(fldPath.Key(k), name, "container not found"))
		}
		if p != "" && p != corev1.DeprecatedAppArmorBetaProfileRuntimeDefault && p != corev1.DeprecatedAppArmorBetaProfileNameUnconfined &&
			!strings.HasPrefix(p, corev1.DeprecatedAppArmorBetaProfileNamePrefix) {
			errs = append(errs, field.Invalid(fldPath.Key(k), p, fmt.Sprintf("invalid AppArmor profile name: %q", p)))
		}
	}
	return errs
}

func sortedKeys(m map[string]string) []string {
	return sets.List(sets.KeySet(m))
}

func seccompAnnotation(p string, fldPath *field.Path) field.ErrorList {
	switch {
	case p == corev1.SeccompProfileRuntimeDefault, p == corev1.DeprecatedSeccompProfileDockerDefault, p == corev1.SeccompProfileNameUnconfined:
		return nil
	case strings.HasPrefix(p, corev1.SeccompLocalhostProfileNamePrefix):
		return localDescendingPath(strings.TrimPrefix(p, corev1.SeccompLocalhostProfileNamePrefix), fldPath)
	}
	return field.ErrorList{field.Invalid(fldPath, p, "must be a valid seccomp profile")}
}

// seccompAnnotationsAndFields is upstream's validateSeccompAnnotationsAndFields:
// where both the legacy annotation and the field are set, they agree.
func seccompAnnotationsAndFields(meta metav1.ObjectMeta, spec *corev1.PodSpec, specPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.SecurityContext != nil && spec.SecurityContext.SeccompProfile != nil {
		if a, ok := meta.Annotations[corev1.SeccompPodAnnotationKey]; ok {
			if err := seccompMatch(a, spec.SecurityContext.SeccompProfile, specPath.Child("securityContext", "seccompProfile")); err != nil {
				errs = append(errs, err)
			}
		}
	}
	visitContainers(spec, specPath, func(c *corev1.Container, p *field.Path) {
		if c.SecurityContext == nil || c.SecurityContext.SeccompProfile == nil {
			return
		}
		if a, ok := meta.Annotations[corev1.SeccompContainerAnnotationKeyPrefix+c.Name]; ok {
			if err := seccompMatch(a, c.SecurityContext.SeccompProfile, p.Child("securityContext", "seccompProfile")); err != nil {
				errs = append(errs, err)
			}
		}
	})
	return errs
}

func seccompMatch(annotation string, profile *corev1.SeccompProfile, fldPath *field.Path) *field.Error {
	switch profile.Type {
	case corev1.SeccompProfileTypeUnconfined:
		if annotation != corev1.SeccompProfileNameUnconfined {
			return field.Forbidden(fldPath.Child("type"), "seccomp type in annotation and field must match")
		}
	case corev1.SeccompProfileTypeRuntimeDefault:
		if annotation != corev1.SeccompProfileRuntimeDefault && annotation != corev1.DeprecatedSeccompProfileDockerDefault {
			return field.Forbidden(fldPath.Child("type"), "seccomp type in annotation and field must match")
		}
	case corev1.SeccompProfileTypeLocalhost:
		if !strings.HasPrefix(annotation, corev1.SeccompLocalhostProfileNamePrefix) {
			return field.Forbidden(fldPath.Child("type"), "seccomp type in annotation and field must match")
		} else if profile.LocalhostProfile == nil || strings.TrimPrefix(annotation, corev1.SeccompLocalhostProfileNamePrefix) != *profile.LocalhostProfile {
			return field.Forbidden(fldPath.Child("localhostProfile"), "seccomp profile in annotation and field must match")
		}
	}
	return nil
}

// podMetadataAndSpec is upstream's validatePodMetadataAndSpec below
// ObjectMeta (which the common strategy validates).
func podMetadataAndSpec(pod *corev1.Pod, opts podOptions) field.ErrorList {
	metaPath, specPath := field.NewPath("metadata"), field.NewPath("spec")
	errs := podSpecificAnnotations(pod.Annotations, &pod.Spec, metaPath.Child("annotations"), opts)
	errs = append(errs, podSpec(&pod.Spec, &pod.ObjectMeta, specPath, opts)...)
	if pod.Spec.ServiceAccountName == "" {
		for vi, v := range pod.Spec.Volumes {
			if v.Projected == nil {
				continue
			}
			for si, s := range v.Projected.Sources {
				if s.ServiceAccountToken != nil {
					errs = append(errs, field.Forbidden(specPath.Child("volumes").Index(vi).Child("projected", "sources").Index(si).Child("serviceAccountToken"), "must not be specified when serviceAccountName is not set"))
				}
			}
		}
	}
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		errs = append(errs, nonNegative(*pod.Spec.TerminationGracePeriodSeconds, specPath.Child("terminationGracePeriodSeconds"))...)
	}
	for i := range pod.Spec.Containers {
		errs = append(errs, containerOnlyForPod(&pod.Spec.Containers[i], specPath.Child("containers").Index(i))...)
	}
	for i := range pod.Spec.InitContainers {
		errs = append(errs, containerOnlyForPod(&pod.Spec.InitContainers[i], specPath.Child("initContainers").Index(i))...)
	}
	return errs
}

// Pod is upstream's ValidatePodCreate below metadata.
func Pod(pod *corev1.Pod) field.ErrorList {
	opts := podOptionsFor(nil, nil)
	opts.resourceIsPod = true
	errs := podMetadataAndSpec(pod, opts)
	specPath := field.NewPath("spec")
	if len(pod.Spec.EphemeralContainers) > 0 {
		errs = append(errs, field.Forbidden(specPath.Child("ephemeralContainers"), "cannot be set on create"))
	}
	if pod.Spec.NodeName != "" && len(pod.Spec.SchedulingGates) != 0 {
		errs = append(errs, field.Forbidden(specPath.Child("nodeName"), "cannot be set until all schedulingGates have been cleared"))
	}
	errs = append(errs, seccompAnnotationsAndFields(pod.ObjectMeta, &pod.Spec, specPath)...)
	return append(errs, appArmorAnnotationsAndFields(pod.ObjectMeta, &pod.Spec, specPath)...)
}

// appArmorAnnotationsAndFields is upstream's
// validateAppArmorAnnotationsAndFieldsMatchOnCreate: where both the legacy
// annotation and the field are set, they agree (not checked for Windows).
func appArmorAnnotationsAndFields(meta metav1.ObjectMeta, spec *corev1.PodSpec, specPath *field.Path) field.ErrorList {
	if spec.OS != nil && spec.OS.Name == corev1.Windows {
		return nil
	}
	var errs field.ErrorList
	var podProfile *corev1.AppArmorProfile
	if spec.SecurityContext != nil {
		podProfile = spec.SecurityContext.AppArmorProfile
	}
	visitContainers(spec, specPath, func(c *corev1.Container, cp *field.Path) {
		profile := podProfile
		if c.SecurityContext != nil && c.SecurityContext.AppArmorProfile != nil {
			profile = c.SecurityContext.AppArmorProfile
		}
		annotation, found := meta.Annotations[corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix+c.Name]
		if profile == nil || !found {
			return
		}
		p := cp.Child("securityContext", "appArmorProfile")
		switch profile.Type {
		case corev1.AppArmorProfileTypeUnconfined:
			if annotation != corev1.DeprecatedAppArmorBetaProfileNameUnconfined {
				errs = append(errs, field.Forbidden(p.Child("type"), "apparmor type in annotation and field must match"))
			}
		case corev1.AppArmorProfileTypeRuntimeDefault:
			if annotation != corev1.DeprecatedAppArmorBetaProfileRuntimeDefault {
				errs = append(errs, field.Forbidden(p.Child("type"), "apparmor type in annotation and field must match"))
			}
		case corev1.AppArmorProfileTypeLocalhost:
			if !strings.HasPrefix(annotation, corev1.DeprecatedAppArmorBetaProfileNamePrefix) {
				errs = append(errs, field.Forbidden(p.Child("type"), "apparmor type in annotation and field must match"))
			} else if profile.LocalhostProfile == nil || strings.TrimPrefix(annotation, corev1.DeprecatedAppArmorBetaProfileNamePrefix) != *profile.LocalhostProfile {
				errs = append(errs, field.Forbidden(p.Child("localhostProfile"), "apparmor profile in annotation and field must match"))
			}
		}
	})
	return errs
}
