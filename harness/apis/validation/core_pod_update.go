package validation

import (
	"fmt"
	"math"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

var updatablePodSpecFields = []string{
	"`spec.containers[*].image`",
	"`spec.initContainers[*].image`",
	"`spec.activeDeadlineSeconds`",
	"`spec.tolerations` (only additions to existing tolerations)",
	"`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
}

// PodResizeMetadataAndSpec is the first step of upstream's
// ValidatePodResize: the resized pod's annotations and spec are valid, with
// what the old pod already used allowed. The resize rules proper are
// pods/resize's (harness/registry/builtin/pod_resize.go).
func PodResizeMetadataAndSpec(pod, old *corev1.Pod) field.ErrorList {
	opts := podOptionsFor(&old.Spec, &old.ObjectMeta)
	opts.resourceIsPod = true
	return podMetadataAndSpec(pod, opts)
}

// PodUpdate is upstream's ValidatePodUpdate below ObjectMeta: the pod is
// valid, and its spec changes only in images, activeDeadlineSeconds
// (shortened), tolerations (added), scheduling gates (removed) and, while
// gated, node selector and required node affinity (narrowed).
func PodUpdate(pod, old *corev1.Pod) field.ErrorList {
	opts := podOptionsFor(&old.Spec, &old.ObjectMeta)
	opts.resourceIsPod = true
	errs := podMetadataAndSpec(pod, opts)
	errs = append(errs, podAnnotationUpdates(pod, old, opts)...)
	specPath := field.NewPath("spec")

	ctrErrs, stop := containerUpdates(pod.Spec.Containers, old.Spec.Containers, specPath.Child("containers"))
	errs = append(errs, ctrErrs...)
	if stop {
		return errs
	}
	ctrErrs, stop = containerUpdates(pod.Spec.InitContainers, old.Spec.InitContainers, specPath.Child("initContainers"))
	errs = append(errs, ctrErrs...)
	if stop {
		return errs
	}

	adsPath := specPath.Child("activeDeadlineSeconds")
	if pod.Spec.ActiveDeadlineSeconds != nil {
		v := *pod.Spec.ActiveDeadlineSeconds
		if v < 0 || v > math.MaxInt32 {
			return append(errs, field.Invalid(adsPath, v, validation.InclusiveRangeError(0, math.MaxInt32)))
		}
		if old.Spec.ActiveDeadlineSeconds != nil && *old.Spec.ActiveDeadlineSeconds < v {
			return append(errs, field.Invalid(adsPath, v, "must be less than or equal to previous value"))
		}
	} else if old.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Invalid(adsPath, pod.Spec.ActiveDeadlineSeconds, "must not update from a positive integer to nil value"))
	}

	errs = append(errs, onlyAddedTolerations(pod.Spec.Tolerations, old.Spec.Tolerations, specPath.Child("tolerations"), opts.allowTaintTolerationComparisonOperators)...)
	errs = append(errs, onlyDeletedSchedulingGates(pod.Spec.SchedulingGates, old.Spec.SchedulingGates, specPath.Child("schedulingGates"))...)

	if apiequality.Semantic.DeepEqual(pod.Spec, old.Spec) {
		return errs
	}
	munged := *pod.Spec.DeepCopy()
	for i := range munged.Containers {
		munged.Containers[i].Image = old.Spec.Containers[i].Image
	}
	for i := range munged.InitContainers {
		munged.InitContainers[i].Image = old.Spec.InitContainers[i].Image
	}
	munged.ActiveDeadlineSeconds = nil
	if old.Spec.ActiveDeadlineSeconds != nil {
		v := *old.Spec.ActiveDeadlineSeconds
		munged.ActiveDeadlineSeconds = &v
	}
	munged.SchedulingGates = old.Spec.SchedulingGates
	munged.Tolerations = old.Spec.Tolerations
	if old.Spec.TerminationGracePeriodSeconds != nil && *old.Spec.TerminationGracePeriodSeconds < 0 &&
		munged.TerminationGracePeriodSeconds != nil && *munged.TerminationGracePeriodSeconds == 1 {
		munged.TerminationGracePeriodSeconds = old.Spec.TerminationGracePeriodSeconds
	}
	if len(old.Spec.SchedulingGates) > 0 {
		if !apiequality.Semantic.DeepEqual(munged.NodeSelector, old.Spec.NodeSelector) {
			errs = append(errs, nodeSelectorMutation(specPath.Child("nodeSelector"), munged.NodeSelector, old.Spec.NodeSelector)...)
			munged.NodeSelector = old.Spec.NodeSelector
		}
		var oldNA, newNA *corev1.NodeAffinity
		if old.Spec.Affinity != nil {
			oldNA = old.Spec.Affinity.NodeAffinity
		}
		if munged.Affinity != nil {
			newNA = munged.Affinity.NodeAffinity
		}
		if !apiequality.Semantic.DeepEqual(oldNA, newNA) {
			errs = append(errs, nodeAffinityMutation(specPath.Child("affinity", "nodeAffinity"), newNA, oldNA)...)
			switch {
			case munged.Affinity == nil && oldNA == nil:
			case munged.Affinity == nil && oldNA != nil:
				munged.Affinity = &corev1.Affinity{NodeAffinity: oldNA}
			case munged.Affinity != nil && old.Spec.Affinity == nil && munged.Affinity.PodAntiAffinity == nil && munged.Affinity.PodAffinity == nil:
				munged.Affinity = nil
			default:
				munged.Affinity.NodeAffinity = oldNA
			}
		}
	}
	if !apiequality.Semantic.DeepEqual(munged, old.Spec) {
		specDiff := internalDiff(old.Spec, munged)
		errs = append(errs, field.Forbidden(specPath, fmt.Sprintf("pod updates may not change fields other than %s\n%v", strings.Join(updatablePodSpecFields, ","), specDiff)))
	}
	return errs
}

// containerUpdates is upstream's ValidateContainerUpdates: the same
// number of containers, each with an image; stop says not to go on.
func containerUpdates(ctrs, old []corev1.Container, fldPath *field.Path) (field.ErrorList, bool) {
	if len(ctrs) != len(old) {
		return field.ErrorList{field.Forbidden(fldPath, "pod updates may not add or remove containers")}, true
	}
	var errs field.ErrorList
	for i, c := range ctrs {
		if c.Image == "" {
			errs = append(errs, field.Required(fldPath.Index(i).Child("image"), ""))
		}
		if len(strings.TrimSpace(c.Image)) != len(c.Image) {
			errs = append(errs, field.Invalid(fldPath.Index(i).Child("image"), c.Image, "must not have leading or trailing whitespace"))
		}
	}
	return errs, false
}

func onlyDeletedSchedulingGates(gates, old []corev1.PodSchedulingGate, fldPath *field.Path) field.ErrorList {
	oldNames := sets.New[string]()
	for _, g := range old {
		oldNames.Insert(g.Name)
	}
	var errs field.ErrorList
	for i, g := range gates {
		if !oldNames.Has(g.Name) {
			errs = append(errs, field.Forbidden(fldPath.Index(i).Child("name"), fmt.Sprintf("only deletion is allowed, but found new scheduling gate '%s'", g.Name)))
		}
	}
	return errs
}

func nodeSelectorMutation(fldPath *field.Path, selector, old map[string]string) field.ErrorList {
	for k, v := range old {
		if v2, ok := selector[k]; !ok || v != v2 {
			return field.ErrorList{field.Invalid(fldPath, selector, "only additions to spec.nodeSelector are allowed (no mutations or deletions)")}
		}
	}
	return nil
}

func nodeAffinityMutation(path *field.Path, na, old *corev1.NodeAffinity) field.ErrorList {
	if old == nil || old.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return nil
	}
	oldTerms := old.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	var terms []corev1.NodeSelectorTerm
	if na != nil && na.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		terms = na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	}
	termsPath := path.Child("requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
	if len(oldTerms) > 0 && len(oldTerms) != len(terms) {
		return field.ErrorList{field.Invalid(termsPath, terms, "no additions/deletions to non-empty NodeSelectorTerms list are allowed")}
	}
	var errs field.ErrorList
	for i := range oldTerms {
		if !termHasOnlyAdditions(terms[i], oldTerms[i]) {
			errs = append(errs, field.Invalid(termsPath.Index(i), terms[i], "only additions are allowed (no mutations or deletions)"))
		}
	}
	return errs
}

func termHasOnlyAdditions(term, old corev1.NodeSelectorTerm) bool {
	if len(old.MatchExpressions) == 0 && len(old.MatchFields) == 0 && (len(term.MatchExpressions) > 0 || len(term.MatchFields) > 0) {
		return false
	}
	if l := len(old.MatchExpressions); l > 0 {
		if len(term.MatchExpressions) < l || !apiequality.Semantic.DeepEqual(term.MatchExpressions[:l], old.MatchExpressions) {
			return false
		}
	}
	if l := len(old.MatchFields); l > 0 {
		if len(term.MatchFields) < l || !apiequality.Semantic.DeepEqual(term.MatchFields[:l], old.MatchFields) {
			return false
		}
	}
	return true
}

// podAnnotationUpdates is upstream's ValidatePodSpecificAnnotationUpdates:
// mirror pod and AppArmor annotations neither come nor go, and the
// annotations are validated (again, after podMetadataAndSpec: upstream
// reports their errors twice on update).
func podAnnotationUpdates(pod, old *corev1.Pod, opts podOptions) field.ErrorList {
	var errs field.ErrorList
	fldPath := field.NewPath("metadata", "annotations")
	for _, k := range sortedKeys(old.Annotations) {
		if v, ok := pod.Annotations[k]; ok && v == old.Annotations[k] {
			continue
		}
		if strings.HasPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix) {
			errs = append(errs, field.Forbidden(fldPath.Key(k), "may not remove or update AppArmor annotations"))
		}
		if k == corev1.MirrorPodAnnotationKey {
			errs = append(errs, field.Forbidden(fldPath.Key(k), "may not remove or update mirror pod annotation"))
		}
	}
	for _, k := range sortedKeys(pod.Annotations) {
		if _, ok := old.Annotations[k]; ok {
			continue
		}
		if strings.HasPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix) {
			errs = append(errs, field.Forbidden(fldPath.Key(k), "may not add AppArmor annotations"))
		}
		if k == corev1.MirrorPodAnnotationKey {
			errs = append(errs, field.Forbidden(fldPath.Key(k), "may not add mirror pod annotation"))
		}
	}
	return append(errs, podSpecificAnnotations(pod.Annotations, &pod.Spec, fldPath, opts)...)
}

// PodEphemeralContainersUpdate is upstream's
// ValidatePodEphemeralContainersUpdate below ObjectMeta (the
// pods/ephemeralcontainers subresource): the pod is valid, and existing
// ephemeral containers are neither removed nor changed.
func PodEphemeralContainersUpdate(pod, old *corev1.Pod) field.ErrorList {
	opts := podOptionsFor(&old.Spec, &old.ObjectMeta)
	opts.resourceIsPod = true
	errs := podMetadataAndSpec(pod, opts)
	errs = append(errs, podAnnotationUpdates(pod, old, opts)...)
	if _, ok := old.Annotations[corev1.MirrorPodAnnotationKey]; ok {
		return field.ErrorList{field.Forbidden(field.NewPath(""), "static pods do not support ephemeral containers")}
	}
	path := field.NewPath("spec", "ephemeralContainers")
	byName := map[string]*corev1.EphemeralContainer{}
	for i := range pod.Spec.EphemeralContainers {
		byName[pod.Spec.EphemeralContainers[i].Name] = &pod.Spec.EphemeralContainers[i]
	}
	for _, o := range old.Spec.EphemeralContainers {
		n, ok := byName[o.Name]
		switch {
		case !ok:
			errs = append(errs, field.Forbidden(path, fmt.Sprintf("existing ephemeral containers %q may not be removed\n", o.Name)))
		case !apiequality.Semantic.DeepEqual(o, *n):
			errs = append(errs, field.Forbidden(path, fmt.Sprintf("existing ephemeral containers %q may not be changed\n%v", o.Name, internalDiff(o, *n))))
		}
	}
	return errs
}

// PodStatusUpdate is upstream's ValidatePodStatusUpdate below ObjectMeta.
func PodStatusUpdate(pod, old *corev1.Pod) field.ErrorList {
	opts := podOptionsFor(&old.Spec, &old.ObjectMeta)
	errs := podAnnotationUpdates(pod, old, opts)
	p := field.NewPath("status")
	errs = append(errs, podConditions(pod.Status.Conditions, p.Child("conditions"))...)
	if pod.Spec.NodeName != old.Spec.NodeName {
		errs = append(errs, field.Forbidden(p.Child("nodeName"), "may not be changed directly"))
	}
	if nn := pod.Status.NominatedNodeName; nn != old.Status.NominatedNodeName && nn != "" {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(nn, false) {
			errs = append(errs, field.Invalid(p.Child("nominatedNodeName"), nn, msg))
		}
		// ClearingNominatedNodeNameAfterBinding is on in v1.37.
		if old.Spec.NodeName != "" {
			errs = append(errs, field.Forbidden(p.Child("nominatedNodeName"), "may not be set on pods that are already bound to a node"))
		}
	}
	if pod.Status.ObservedGeneration < 0 {
		errs = append(errs, field.Invalid(p.Child("observedGeneration"), pod.Status.ObservedGeneration, "must be a non-negative integer"))
	}
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(pod.Status.QOSClass, old.Status.QOSClass, p.Child("qosClass"))...)
	errs = append(errs, containerStateTransition(pod.Status.ContainerStatuses, old.Status.ContainerStatuses, p.Child("containerStatuses"), old.Spec, old.Spec.Containers)...)
	errs = append(errs, containerStateTransition(pod.Status.InitContainerStatuses, old.Status.InitContainerStatuses, p.Child("initContainerStatuses"), old.Spec, old.Spec.InitContainers)...)
	errs = append(errs, ephemeralContainerStateTransition(pod.Status.EphemeralContainerStatuses, old.Status.EphemeralContainerStatuses, p.Child("ephemeralContainerStatuses"))...)
	errs = append(errs, resourceClaimStatuses(pod.Status.ResourceClaimStatuses, pod.Spec.ResourceClaims, p.Child("resourceClaimStatuses"))...)
	errs = append(errs, podIPs(pod, old)...)
	errs = append(errs, hostIPs(pod, old)...)
	errs = append(errs, containerStatusUsers(pod.Status.ContainerStatuses, p.Child("containerStatuses"), pod.Spec.OS)...)
	errs = append(errs, containerStatusUsers(pod.Status.InitContainerStatuses, p.Child("initContainerStatuses"), pod.Spec.OS)...)
	errs = append(errs, containerStatusUsers(pod.Status.EphemeralContainerStatuses, p.Child("ephemeralContainerStatuses"), pod.Spec.OS)...)
	return errs
}

func podConditions(conditions []corev1.PodCondition, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	system := sets.New(corev1.PodScheduled, corev1.PodReady, corev1.PodInitialized)
	for i, c := range conditions {
		if c.ObservedGeneration < 0 {
			errs = append(errs, field.Invalid(fldPath.Index(i).Child("observedGeneration"), c.ObservedGeneration, "must be a non-negative integer"))
		}
		if system.Has(c.Type) {
			continue
		}
		// sic: upstream's path is Type.
		errs = append(errs, qualifiedName(string(c.Type), fldPath.Index(i).Child("Type"))...)
	}
	return errs
}

// containerStateTransition is upstream's ValidateContainerStateTransition
// and ValidateInitContainerStateTransition with ContainerRestartRules and
// RestartAllContainersOnContainerExits on: a terminated container comes
// back only if its restart policy or rules would restart it.
func containerStateTransition(statuses, old []corev1.ContainerStatus, fldPath *field.Path, spec corev1.PodSpec, ctrs []corev1.Container) field.ErrorList {
	if allContainersCouldRestart(&spec) {
		return nil
	}
	var errs field.ErrorList
	for i, o := range old {
		if o.State.Terminated == nil {
			continue
		}
		for _, s := range statuses {
			if s.Name != o.Name || s.State.Terminated != nil {
				continue
			}
			allowed := false
			for _, c := range ctrs {
				if c.Name == o.Name {
					allowed = containerShouldRestart(c, spec, o.State.Terminated.ExitCode)
					break
				}
			}
			if !allowed {
				errs = append(errs, field.Forbidden(fldPath.Index(i).Child("state"), "may not be transitioned to non-terminated state"))
			}
			break
		}
	}
	return errs
}

func ephemeralContainerStateTransition(statuses, old []corev1.ContainerStatus, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, o := range old {
		if o.State.Terminated == nil {
			continue
		}
		for _, s := range statuses {
			if o.Name == s.Name && s.State.Terminated == nil {
				errs = append(errs, field.Forbidden(fldPath.Index(i).Child("state"), "may not be transitioned to non-terminated state"))
			}
		}
	}
	return errs
}

// containerShouldRestart is upstream's ContainerShouldRestart: the first
// matching restart rule, then the container's policy, then the pod's.
func containerShouldRestart(c corev1.Container, spec corev1.PodSpec, exitCode int32) bool {
	if c.RestartPolicy != nil {
		for _, rule := range c.RestartPolicyRules {
			if rule.ExitCodes == nil {
				continue
			}
			matched := false
			for _, code := range rule.ExitCodes.Values {
				if code == exitCode {
					matched = true
				}
			}
			hit := (rule.ExitCodes.Operator == corev1.ContainerRestartRuleOnExitCodesOpIn && matched) ||
				(rule.ExitCodes.Operator == corev1.ContainerRestartRuleOnExitCodesOpNotIn && !matched)
			if hit {
				if rule.Action == corev1.ContainerRestartRuleActionRestart || rule.Action == corev1.ContainerRestartRuleActionRestartAllContainers {
					return true
				}
				break
			}
		}
		switch *c.RestartPolicy {
		case corev1.ContainerRestartPolicyAlways:
			return true
		case corev1.ContainerRestartPolicyOnFailure:
			return exitCode != 0
		case corev1.ContainerRestartPolicyNever:
			return false
		}
	}
	switch spec.RestartPolicy {
	case corev1.RestartPolicyOnFailure:
		return exitCode != 0
	case corev1.RestartPolicyNever:
		return false
	}
	return true
}

func allContainersCouldRestart(spec *corev1.PodSpec) bool {
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for _, c := range list {
			for _, rule := range c.RestartPolicyRules {
				if rule.Action == corev1.ContainerRestartRuleActionRestartAllContainers {
					return true
				}
			}
		}
	}
	return false
}

func resourceClaimStatuses(statuses []corev1.PodResourceClaimStatus, claims []corev1.PodResourceClaim, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	names := sets.New[string]()
	for i, s := range statuses {
		p := fldPath.Index(i)
		found := false
		for _, c := range claims {
			found = found || c.Name == s.Name
		}
		if !found {
			errs = append(errs, field.Invalid(p.Child("name"), s.Name, "must match the name of an entry in `spec.resourceClaims`"))
		}
		if names.Has(s.Name) {
			errs = append(errs, field.Duplicate(p.Child("name"), s.Name))
		} else {
			names.Insert(s.Name)
		}
		if s.ResourceClaimName != nil {
			for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*s.ResourceClaimName, false) {
				errs = append(errs, field.Invalid(p.Child("resourceClaimName"), s.ResourceClaimName, msg))
			}
		}
	}
	return errs
}

// podIPs is upstream's validatePodIPs (StrictIPCIDRValidation is on: new
// IPs are strict, ones the old pod had stay allowed).
func podIPs(pod, old *corev1.Pod) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("status", "podIPs")
	var existing []string
	for _, ip := range old.Status.PodIPs {
		existing = append(existing, ip.IP)
	}
	ips := make([]string, 0, len(pod.Status.PodIPs))
	for i, ip := range pod.Status.PodIPs {
		errs = append(errs, validation.IsValidIPForLegacyField(p.Index(i), ip.IP, true, existing)...)
		ips = append(ips, ip.IP)
	}
	if len(ips) > 1 && !dualStackPair(ips) {
		errs = append(errs, field.Invalid(p, pod.Status.PodIPs, "may specify no more than one IP for each IP family"))
	}
	hasIP, hasIPs := pod.Status.PodIP != "", len(pod.Status.PodIPs) > 0
	switch {
	case hasIP != hasIPs:
		errs = append(errs, field.Invalid(p, pod.Status.PodIPs, "podIP and podIPs must either both be set or both be unset"))
	case hasIPs && pod.Status.PodIP != pod.Status.PodIPs[0].IP:
		errs = append(errs, field.Invalid(p.Index(0).Child("ip"), pod.Status.PodIPs[0].IP, "must be equal to `podIP`"))
	}
	return errs
}

// hostIPs is upstream's validateHostIPs.
func hostIPs(pod, old *corev1.Pod) field.ErrorList {
	if len(pod.Status.HostIPs) == 0 {
		return nil
	}
	var errs field.ErrorList
	p := field.NewPath("status", "hostIPs")
	if pod.Status.HostIP != pod.Status.HostIPs[0].IP {
		errs = append(errs, field.Invalid(p.Index(0).Child("ip"), pod.Status.HostIPs[0].IP, "must be equal to `hostIP`"))
	}
	var existing []string
	for _, ip := range old.Status.HostIPs {
		existing = append(existing, ip.IP)
	}
	ips := make([]string, 0, len(pod.Status.HostIPs))
	for i, ip := range pod.Status.HostIPs {
		errs = append(errs, validation.IsValidIPForLegacyField(p.Index(i), ip.IP, true, existing)...)
		ips = append(ips, ip.IP)
	}
	if len(ips) > 1 && !dualStackPair(ips) {
		errs = append(errs, field.Invalid(p, pod.Status.HostIPs, "may specify no more than one IP for each IP family"))
	}
	return errs
}

// dualStackPair is upstream's check: one IP of each family, at most two.
func dualStackPair(ips []string) bool {
	dual, err := netutils.IsDualStackIPStrings(ips)
	return err == nil && dual && len(ips) <= 2
}

func containerStatusUsers(statuses []corev1.ContainerStatus, fldPath *field.Path, os *corev1.PodOS) field.ErrorList {
	var errs field.ErrorList
	osName := corev1.Linux
	if os != nil {
		osName = os.Name
	}
	for i, s := range statuses {
		if s.User == nil || s.User.Linux == nil {
			continue
		}
		p := fldPath.Index(i).Child("user", "linux")
		switch osName {
		case corev1.Windows:
			errs = append(errs, field.Forbidden(p, "cannot be set for a windows pod"))
		case corev1.Linux:
			u := s.User.Linux
			if u.UID < 0 || u.UID > math.MaxUint32 {
				errs = append(errs, field.Invalid(p.Child("uid"), u.UID, fmt.Sprintf("must be between 0 and %d, inclusive", int64(math.MaxUint32))))
			}
			for _, msg := range validation.IsValidGroupID(u.GID) {
				errs = append(errs, field.Invalid(p.Child("gid"), u.GID, msg))
			}
			for g, gid := range u.SupplementalGroups {
				for _, msg := range validation.IsValidGroupID(gid) {
					errs = append(errs, field.Invalid(p.Child("supplementalGroups").Index(g), gid, msg))
				}
			}
		}
	}
	return errs
}
