package validation

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// PodWarnings are the warnings kube-apiserver v1.37 returns (as HTTP Warning
// headers) for a pod, as upstream's GetWarningsForPod (pkg/api/pod/warnings.go)
// with upstream's texts and in upstream's order: deprecated node labels in
// selectors, affinity and topology spread, deprecated annotations and volume
// plugins, overlapping volume paths, duplicates (hostAliases,
// imagePullSecrets, env, ports, port names), fractional byte quantities,
// negative terminationGracePeriodSeconds, null affinity label selectors and
// non-canonical IP addresses. old is the stored pod on update (nil on
// create); like upstream, the warnings depend on pod alone. The result is
// nil for a nil pod. Pod-specific warnings of the strategy (the pod's name as
// a hostname) are PodCreateWarnings'.
func PodWarnings(pod, old *corev1.Pod) []string {
	if pod == nil {
		return nil
	}
	return podSpecWarnings(nil, &pod.Spec, &pod.ObjectMeta)
}

// PodTemplateWarnings are PodWarnings for a pod template at path (for
// example spec.template of a Deployment, template of a PodTemplate), as
// upstream's GetWarningsForPodTemplate: every warning's field path starts
// with path, and deprecated AppArmor annotations, which a pod's strategy
// converts, are also reported. old is the stored template on update (nil on
// create); the warnings depend on t alone. The result is nil for a nil t;
// path must not be nil (a nil path is how upstream tells a pod).
func PodTemplateWarnings(path *field.Path, t, old *corev1.PodTemplateSpec) []string {
	if t == nil {
		return nil
	}
	return podSpecWarnings(path, &t.Spec, &t.ObjectMeta)
}

// PodCreateWarnings are the warnings of upstream's pod strategy on create:
// the pod's name, which is its hostname, should be a DNS label; then
// PodWarnings.
func PodCreateWarnings(pod *corev1.Pod) []string {
	var warnings []string
	if msgs := utilvalidation.IsDNS1123Label(pod.Name); len(msgs) != 0 {
		warnings = append(warnings, fmt.Sprintf("metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: %v", msgs))
	}
	return append(warnings, PodWarnings(pod, nil)...)
}

// PodStatusWarnings are the warnings of upstream's pod status strategy:
// non-canonical pod and host IPs.
func PodStatusWarnings(pod *corev1.Pod) []string {
	var warnings []string
	for i, ip := range pod.Status.PodIPs {
		warnings = append(warnings, utilvalidation.GetWarningsForIP(field.NewPath("status", "podIPs").Index(i).Child("ip"), ip.IP)...)
	}
	for i, ip := range pod.Status.HostIPs {
		warnings = append(warnings, utilvalidation.GetWarningsForIP(field.NewPath("status", "hostIPs").Index(i).Child("ip"), ip.IP)...)
	}
	return warnings
}

// WorkloadNameWarnings is the warning upstream's workload strategies
// (Deployments, ReplicaSets, ReplicationControllers, Jobs, CronJobs) return
// on create for a name that is not a DNS label.
func WorkloadNameWarnings(name string) []string {
	if msgs := utilvalidation.IsDNS1123Label(name); len(msgs) != 0 {
		return []string{fmt.Sprintf("metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: %v", msgs)}
	}
	return nil
}

// deprecatedNodeLabels are upstream's (pkg/api/node/util.go).
var deprecatedNodeLabels = map[string]string{
	`beta.kubernetes.io/arch`:                       `deprecated since v1.14; use "kubernetes.io/arch" instead`,
	`beta.kubernetes.io/os`:                         `deprecated since v1.14; use "kubernetes.io/os" instead`,
	`failure-domain.beta.kubernetes.io/region`:      `deprecated since v1.17; use "topology.kubernetes.io/region" instead`,
	`failure-domain.beta.kubernetes.io/zone`:        `deprecated since v1.17; use "topology.kubernetes.io/zone" instead`,
	`beta.kubernetes.io/instance-type`:              `deprecated since v1.17; use "node.kubernetes.io/instance-type" instead`,
	`app.kubernetes.io/created-by`:                  `deprecated since v1.9`,
	`scheduler.alpha.kubernetes.io/preferAvoidPods`: `deprecated since v1.22; use Taints and Tolerations instead`,
	`node-role.kubernetes.io/master`:                `use "node-role.kubernetes.io/control-plane" instead`,
}

var deprecatedPodAnnotations = []struct {
	key     string
	message string
}{
	{key: `scheduler.alpha.kubernetes.io/critical-pod`, message: `non-functional in v1.16+; use the "priorityClassName" field instead`},
	{key: `security.alpha.kubernetes.io/sysctls`, message: `non-functional in v1.11+; use the "sysctls" field instead`},
	{key: `security.alpha.kubernetes.io/unsafe-sysctls`, message: `non-functional in v1.11+; use the "sysctls" field instead`},
}

// nodeSelectorTermWarnings is upstream's GetWarningsForNodeSelectorTerm.
func nodeSelectorTermWarnings(term corev1.NodeSelectorTerm, checkLabelValue bool, path *field.Path) []string {
	var warnings []string
	for i, e := range term.MatchExpressions {
		if msg, deprecated := deprecatedNodeLabels[e.Key]; deprecated {
			warnings = append(warnings, fmt.Sprintf("%s: %s is %s", path.Child("matchExpressions").Index(i).Child("key"), e.Key, msg))
		}
		if checkLabelValue {
			for j, value := range e.Values {
				for _, msg := range utilvalidation.IsValidLabelValue(value) {
					warnings = append(warnings, fmt.Sprintf("%s: %s is invalid, %s", path.Child("matchExpressions").Index(i).Child("values").Index(j), value, msg))
				}
			}
		}
	}
	return warnings
}

// PVCSpecWarnings are upstream's GetWarningsForPersistentVolumeClaimSpec:
// fractional storage requests and limits.
func PVCSpecWarnings(path *field.Path, spec corev1.PersistentVolumeClaimSpec) []string {
	var warnings []string
	if v := spec.Resources.Requests[corev1.ResourceStorage]; v.MilliValue()%1000 != 0 {
		warnings = append(warnings, fmt.Sprintf("%s: fractional byte value %q is invalid, must be an integer", path.Child("resources").Child("requests").Key(string(corev1.ResourceStorage)), v.String()))
	}
	if v := spec.Resources.Limits[corev1.ResourceStorage]; v.MilliValue()%1000 != 0 {
		warnings = append(warnings, fmt.Sprintf("%s: fractional byte value %q is invalid, must be an integer", path.Child("resources").Child("limits").Key(string(corev1.ResourceStorage)), v.String()))
	}
	return warnings
}

// fractionalBytes warns about a memory or ephemeral-storage quantity with a
// fractional byte value.
func fractionalBytes(list corev1.ResourceList, name corev1.ResourceName, path *field.Path) []string {
	if v, ok := list[name]; ok && v.MilliValue()%1000 != 0 {
		return []string{fmt.Sprintf("%s: fractional byte value %q is invalid, must be an integer", path.Key(string(name)), v.String())}
	}
	return nil
}

// appArmorFieldForAnnotation is upstream's ApparmorFieldForAnnotation.
func appArmorFieldForAnnotation(annotation string) *corev1.AppArmorProfile {
	switch annotation {
	case corev1.DeprecatedAppArmorBetaProfileNameUnconfined:
		return &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
	case corev1.DeprecatedAppArmorBetaProfileRuntimeDefault:
		return &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault}
	}
	if profile, ok := strings.CutPrefix(annotation, corev1.DeprecatedAppArmorBetaProfileNamePrefix); ok && profile != "" {
		return &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: &profile}
	}
	return nil
}

// podSpecWarnings is upstream's warningsForPodSpecAndMeta; path is nil for
// a pod, the template's path for a template.
func podSpecWarnings(path *field.Path, spec *corev1.PodSpec, meta *metav1.ObjectMeta) []string {
	var warnings []string

	// deprecated node labels in selectors, affinity and topology
	for k := range spec.NodeSelector {
		if msg, deprecated := deprecatedNodeLabels[k]; deprecated {
			warnings = append(warnings, fmt.Sprintf("%s: %s", path.Child("spec", "nodeSelector").Key(k), msg))
		}
	}
	if spec.Affinity != nil && spec.Affinity.NodeAffinity != nil {
		n := spec.Affinity.NodeAffinity
		if n.RequiredDuringSchedulingIgnoredDuringExecution != nil {
			termPath := path.Child("spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
			for i, term := range n.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
				warnings = append(warnings, nodeSelectorTermWarnings(term, false, termPath.Index(i))...)
			}
		}
		preferredPath := path.Child("spec", "affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution")
		for i, term := range n.PreferredDuringSchedulingIgnoredDuringExecution {
			warnings = append(warnings, nodeSelectorTermWarnings(term.Preference, true, preferredPath.Index(i).Child("preference"))...)
		}
	}
	for i, t := range spec.TopologySpreadConstraints {
		tPath := path.Child("spec", "topologySpreadConstraints").Index(i)
		if msg, deprecated := deprecatedNodeLabels[t.TopologyKey]; deprecated {
			warnings = append(warnings, fmt.Sprintf("%s: %s is %s", tPath.Child("topologyKey"), t.TopologyKey, msg))
		}
		if t.LabelSelector == nil {
			warnings = append(warnings, fmt.Sprintf("%s: a null labelSelector results in matching no pod", tPath.Child("labelSelector")))
		}
	}

	// deprecated annotations
	annotations := path.Child("metadata", "annotations")
	for _, d := range deprecatedPodAnnotations {
		if _, ok := meta.Annotations[d.key]; ok {
			warnings = append(warnings, fmt.Sprintf("%s: %s", annotations.Key(d.key), d.message))
		}
	}

	// deprecated and removed volume plugins
	for i, v := range spec.Volumes {
		vPath := path.Child("spec", "volumes").Index(i)
		if v.PhotonPersistentDisk != nil {
			warnings = append(warnings, fmt.Sprintf("%s: deprecated in v1.11, non-functional in v1.16+", vPath.Child("photonPersistentDisk")))
		}
		if v.GitRepo != nil {
			// the GitRepoVolumeDriver gate is locked off in v1.37.
			warnings = append(warnings, fmt.Sprintf("%s: deprecated in v1.11, and disabled by default in v1.33+", vPath.Child("gitRepo")))
		}
		if v.ScaleIO != nil {
			warnings = append(warnings, fmt.Sprintf("%s: deprecated in v1.16, non-functional in v1.22+", vPath.Child("scaleIO")))
		}
		if v.Flocker != nil {
			warnings = append(warnings, fmt.Sprintf("%s: deprecated in v1.22, non-functional in v1.25+", vPath.Child("flocker")))
		}
		if v.StorageOS != nil {
			warnings = append(warnings, fmt.Sprintf("%s: deprecated in v1.22, non-functional in v1.25+", vPath.Child("storageOS")))
		}
		if v.Quobyte != nil {
			warnings = append(warnings, fmt.Sprintf("%s: deprecated in v1.22, non-functional in v1.25+", vPath.Child("quobyte")))
		}
		if v.Glusterfs != nil {
			warnings = append(warnings, fmt.Sprintf("%s: deprecated in v1.25, non-functional in v1.26+", vPath.Child("glusterfs")))
		}
		if v.Ephemeral != nil && v.Ephemeral.VolumeClaimTemplate != nil {
			warnings = append(warnings, PVCSpecWarnings(vPath.Child("ephemeral").Child("volumeClaimTemplate").Child("spec"), v.Ephemeral.VolumeClaimTemplate.Spec)...)
		}
		if v.CephFS != nil {
			warnings = append(warnings, fmt.Sprintf("%s: deprecated in v1.28, non-functional in v1.31+", vPath.Child("cephfs")))
		}
		if v.RBD != nil {
			warnings = append(warnings, fmt.Sprintf("%s: deprecated in v1.28, non-functional in v1.31+", vPath.Child("rbd")))
		}
	}

	warnings = append(warnings, overlappingVirtualPaths(spec.Volumes)...)

	// duplicate hostAliases and imagePullSecrets
	if len(spec.HostAliases) > 1 {
		seen := sets.New[string]()
		for i, a := range spec.HostAliases {
			if seen.Has(a.IP) {
				warnings = append(warnings, fmt.Sprintf("%s: duplicate ip %q", path.Child("spec", "hostAliases").Index(i).Child("ip"), a.IP))
			} else {
				seen.Insert(a.IP)
			}
		}
	}
	if len(spec.ImagePullSecrets) > 1 {
		seen := sets.New[string]()
		for i, s := range spec.ImagePullSecrets {
			if seen.Has(s.Name) {
				warnings = append(warnings, fmt.Sprintf("%s: duplicate name %q", path.Child("spec", "imagePullSecrets").Index(i).Child("name"), s.Name))
			} else {
				seen.Insert(s.Name)
			}
		}
	}
	for i, s := range spec.ImagePullSecrets {
		if s.Name == "" {
			warnings = append(warnings, fmt.Sprintf("%s: invalid empty name %q", path.Child("spec", "imagePullSecrets").Index(i).Child("name"), s.Name))
		}
	}

	// fractional memory and ephemeral-storage
	warnings = append(warnings, fractionalBytes(spec.Overhead, corev1.ResourceMemory, path.Child("spec", "overhead"))...)
	warnings = append(warnings, fractionalBytes(spec.Overhead, corev1.ResourceEphemeralStorage, path.Child("spec", "overhead"))...)

	// seccomp annotation without the field
	if spec.SecurityContext == nil || spec.SecurityContext.SeccompProfile == nil {
		if _, ok := meta.Annotations[corev1.SeccompPodAnnotationKey]; ok {
			warnings = append(warnings, fmt.Sprintf(`%s: non-functional in v1.27+; use the "seccompProfile" field instead`, annotations.Key(corev1.SeccompPodAnnotationKey)))
		}
	}
	var podAppArmor *corev1.AppArmorProfile
	if spec.SecurityContext != nil {
		podAppArmor = spec.SecurityContext.AppArmorProfile
	}

	visitContainers(spec, path.Child("spec"), func(c *corev1.Container, p *field.Path) {
		if c.SecurityContext == nil || c.SecurityContext.SeccompProfile == nil {
			if _, ok := meta.Annotations[corev1.SeccompContainerAnnotationKeyPrefix+c.Name]; ok {
				warnings = append(warnings, fmt.Sprintf(`%s: non-functional in v1.27+; use the "seccompProfile" field instead`, annotations.Key(corev1.SeccompContainerAnnotationKeyPrefix+c.Name)))
			}
		}
		// pods' AppArmor annotations are converted by their strategy, not warned about.
		isTemplate := path != nil
		hasAppArmorField := c.SecurityContext != nil && c.SecurityContext.AppArmorProfile != nil
		if isTemplate && !hasAppArmorField {
			key := corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix + c.Name
			if a, ok := meta.Annotations[key]; ok {
				if podAppArmor == nil || !apiequality.Semantic.DeepEqual(podAppArmor, appArmorFieldForAnnotation(a)) {
					warnings = append(warnings, fmt.Sprintf(`%s: deprecated since v1.30; use the "appArmorProfile" field instead`, annotations.Key(key)))
				}
			}
		}

		warnings = append(warnings, fractionalBytes(c.Resources.Limits, corev1.ResourceMemory, p.Child("resources", "limits"))...)
		warnings = append(warnings, fractionalBytes(c.Resources.Requests, corev1.ResourceMemory, p.Child("resources", "requests"))...)
		warnings = append(warnings, fractionalBytes(c.Resources.Limits, corev1.ResourceEphemeralStorage, p.Child("resources", "limits"))...)
		warnings = append(warnings, fractionalBytes(c.Resources.Requests, corev1.ResourceEphemeralStorage, p.Child("resources", "requests"))...)

		// duplicate env that apply may drop
		if len(c.Env) > 1 {
			seen := sets.New[string]()
			for i, e := range c.Env {
				if !seen.Has(e.Name) {
					seen.Insert(e.Name)
					continue
				}
				ref := fmt.Sprintf("$(%s)", e.Name)
				if e.ValueFrom != nil || e.Value == ref || !strings.Contains(e.Value, ref) {
					warnings = append(warnings, fmt.Sprintf("%s: hides previous definition of %q, which may be dropped when using apply", p.Child("env").Index(i), e.Name))
				}
			}
		}
	})

	// ports across all containers
	type portBlock struct {
		path *field.Path
		port corev1.ContainerPort
	}
	allPorts := map[string][]portBlock{}
	visitContainers(spec, path.Child("spec"), func(c *corev1.Container, p *field.Path) {
		for i, port := range c.Ports {
			pPath := p.Child("ports").Index(i)
			if port.HostIP != "" && port.HostPort == 0 {
				warnings = append(warnings, fmt.Sprintf("%s: hostIP set without hostPort: %+v", pPath, port))
			}
			k := fmt.Sprintf("%d/%s", port.ContainerPort, port.Protocol)
			for _, other := range allPorts[k] {
				switch a, b := port.HostIP == "", other.port.HostIP == ""; {
				case port.HostIP == other.port.HostIP && port.HostPort == other.port.HostPort:
					warnings = append(warnings, fmt.Sprintf("%s: duplicate port definition with %s", pPath, other.path))
				case port.HostPort == 0 || other.port.HostPort == 0:
					warnings = append(warnings, fmt.Sprintf("%s: overlapping port definition with %s", pPath, other.path))
				case port.HostPort == other.port.HostPort && (a || b) && !(a && b):
					warnings = append(warnings, fmt.Sprintf("%s: dangerously ambiguous port definition with %s", pPath, other.path))
				}
			}
			allPorts[k] = append(allPorts[k], portBlock{path: pPath, port: port})
		}
	})
	portNames := map[string]*field.Path{}
	visitContainers(spec, path.Child("spec"), func(c *corev1.Container, p *field.Path) {
		for i, port := range c.Ports {
			if port.Name == "" {
				continue
			}
			if other, ok := portNames[port.Name]; ok {
				warnings = append(warnings, fmt.Sprintf("%s: duplicate port name %q with %s, services and probes that select ports by name will use %s", p.Child("ports").Index(i), port.Name, other, other))
			} else {
				portNames[port.Name] = p.Child("ports").Index(i)
			}
		}
	})

	if spec.TerminationGracePeriodSeconds != nil && *spec.TerminationGracePeriodSeconds < 0 {
		warnings = append(warnings, fmt.Sprintf("%s: must be >= 0; negative values are invalid and will be treated as 1", path.Child("spec", "terminationGracePeriodSeconds")))
	}

	if spec.Affinity != nil {
		if a := spec.Affinity.PodAffinity; a != nil {
			warnings = append(warnings, podAffinityTermWarnings(a.RequiredDuringSchedulingIgnoredDuringExecution, path.Child("spec", "affinity", "podAffinity", "requiredDuringSchedulingIgnoredDuringExecution"))...)
			warnings = append(warnings, weightedPodAffinityTermWarnings(a.PreferredDuringSchedulingIgnoredDuringExecution, path.Child("spec", "affinity", "podAffinity", "preferredDuringSchedulingIgnoredDuringExecution"))...)
		}
		if a := spec.Affinity.PodAntiAffinity; a != nil {
			warnings = append(warnings, podAffinityTermWarnings(a.RequiredDuringSchedulingIgnoredDuringExecution, path.Child("spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"))...)
			warnings = append(warnings, weightedPodAffinityTermWarnings(a.PreferredDuringSchedulingIgnoredDuringExecution, path.Child("spec", "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution"))...)
		}
	}

	// deprecated IP address formats
	if spec.DNSConfig != nil {
		for i, ns := range spec.DNSConfig.Nameservers {
			warnings = append(warnings, utilvalidation.GetWarningsForIP(path.Child("spec", "dnsConfig", "nameservers").Index(i), ns)...)
		}
	}
	for i, a := range spec.HostAliases {
		warnings = append(warnings, utilvalidation.GetWarningsForIP(path.Child("spec", "hostAliases").Index(i).Child("ip"), a.IP)...)
	}
	return warnings
}

func podAffinityTermWarnings(terms []corev1.PodAffinityTerm, path *field.Path) []string {
	var warnings []string
	for i, t := range terms {
		if t.LabelSelector == nil {
			warnings = append(warnings, fmt.Sprintf("%s: a null labelSelector results in matching no pod", path.Index(i).Child("labelSelector")))
		}
	}
	return warnings
}

func weightedPodAffinityTermWarnings(terms []corev1.WeightedPodAffinityTerm, path *field.Path) []string {
	var warnings []string
	for i, t := range terms {
		if t.PodAffinityTerm.LabelSelector == nil {
			warnings = append(warnings, fmt.Sprintf("%s: a null labelSelector results in matching no pod", path.Index(i).Child("podAffinityTerm", "labelSelector")))
		}
	}
	return warnings
}

// pathSource is a path a volume writes and what writes it, for messages.
type pathSource struct {
	path   string
	source string
}

func (ps pathSource) String() string {
	if ps.source != "" {
		return fmt.Sprintf("%q (%s)", ps.path, ps.source)
	}
	return fmt.Sprintf("%q", ps.path)
}

// overlappingVirtualPaths is upstream's warningsForOverlappingVirtualPaths:
// two items of one ConfigMap, Secret, DownwardAPI or projected volume that
// write the same path, or one under the other (a/b with a), which fails at
// mount time with "is directory" or "file exists".
func overlappingVirtualPaths(volumes []corev1.Volume) []string {
	var warnings []string
	warn := func(vol, desc, body string) {
		warnings = append(warnings, fmt.Sprintf("volume %q (%s): overlapping paths: %s", vol, desc, body))
	}
	for _, v := range volumes {
		if v.ConfigMap != nil && v.ConfigMap.Items != nil {
			for _, o := range mappingOverlaps(keyPaths(v.ConfigMap.Items, "")) {
				warn(v.Name, fmt.Sprintf("ConfigMap %q", v.ConfigMap.Name), o)
			}
		}
		if v.Secret != nil && v.Secret.Items != nil {
			for _, o := range mappingOverlaps(keyPaths(v.Secret.Items, "")) {
				warn(v.Name, fmt.Sprintf("Secret %q", v.Secret.SecretName), o)
			}
		}
		if v.DownwardAPI != nil && v.DownwardAPI.Items != nil {
			for _, o := range mappingOverlaps(downwardAPIPaths(v.DownwardAPI.Items, "")) {
				warn(v.Name, "DownwardAPI", o)
			}
		}
		if v.Projected == nil {
			continue
		}
		var all []pathSource
		for _, source := range v.Projected.Sources {
			if source == (corev1.VolumeProjection{}) {
				warnings = append(warnings, fmt.Sprintf("volume %q (Projected) has no sources provided", v.Name))
				continue
			}
			var paths []pathSource
			switch {
			case source.ConfigMap != nil && source.ConfigMap.Items != nil:
				paths = keyPaths(source.ConfigMap.Items, fmt.Sprintf("ConfigMap %q", source.ConfigMap.Name))
			case source.Secret != nil && source.Secret.Items != nil:
				paths = keyPaths(source.Secret.Items, fmt.Sprintf("Secret %q", source.Secret.Name))
			case source.DownwardAPI != nil && source.DownwardAPI.Items != nil:
				paths = downwardAPIPaths(source.DownwardAPI.Items, "DownwardAPI")
			case source.ServiceAccountToken != nil:
				paths = []pathSource{{source.ServiceAccountToken.Path, "ServiceAccountToken"}}
			case source.ClusterTrustBundle != nil:
				var name string
				if source.ClusterTrustBundle.Name != nil {
					name = *source.ClusterTrustBundle.Name
				} else if source.ClusterTrustBundle.SignerName != nil {
					name = *source.ClusterTrustBundle.SignerName
				}
				paths = []pathSource{{source.ClusterTrustBundle.Path, fmt.Sprintf("ClusterTrustBundle %q", name)}}
			case source.PodCertificate != nil:
				if p := source.PodCertificate.CertificateChainPath; p != "" {
					paths = append(paths, pathSource{p, "PodCertificate chain"})
				}
				if p := source.PodCertificate.KeyPath; p != "" {
					paths = append(paths, pathSource{p, "PodCertificate key"})
				}
				if p := source.PodCertificate.CredentialBundlePath; p != "" {
					paths = append(paths, pathSource{p, "PodCertificate credential bundle"})
				}
			}
			for _, ps := range paths {
				ps.path = strings.TrimRight(ps.path, "/")
				for _, c := range overlaps(all, ps) {
					warn(v.Name, "Projected", fmt.Sprintf("%s with %s", ps, c))
				}
				all = append(all, ps)
			}
		}
	}
	return warnings
}

func keyPaths(items []corev1.KeyToPath, source string) []pathSource {
	out := make([]pathSource, 0, len(items))
	for _, it := range items {
		out = append(out, pathSource{it.Path, source})
	}
	return out
}

func downwardAPIPaths(items []corev1.DownwardAPIVolumeFile, source string) []pathSource {
	out := make([]pathSource, 0, len(items))
	for _, it := range items {
		out = append(out, pathSource{it.Path, source})
	}
	return out
}

func mappingOverlaps(paths []pathSource) []string {
	var warnings []string
	var all []pathSource
	for _, ps := range paths {
		ps.path = strings.TrimRight(ps.path, "/")
		for _, c := range overlaps(all, ps) {
			warnings = append(warnings, fmt.Sprintf("%s with %s", ps, c))
		}
		all = append(all, ps)
	}
	return warnings
}

// overlaps are the paths of haystack equal to needle's, above it or below it.
func overlaps(haystack []pathSource, needle pathSource) []pathSource {
	if needle.path == "" {
		return nil
	}
	var out []pathSource
	for _, item := range haystack {
		switch {
		case item.path == "":
		case item == needle,
			strings.HasPrefix(item.path+"/", needle.path+"/"),
			strings.HasPrefix(needle.path+"/", item.path+"/"):
			out = append(out, item)
		}
	}
	return out
}

// PVCWarnings are the warnings of upstream's persistentVolumeClaim strategy
// on create and update (GetWarningsForPersistentVolumeClaim): the beta
// storage class annotation, then fractional storage in the spec.
func PVCWarnings(pvc *corev1.PersistentVolumeClaim) []string {
	var warnings []string
	if _, ok := pvc.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		warnings = append(warnings, fmt.Sprintf("%s: %s", field.NewPath("metadata", "annotations").Key(corev1.BetaStorageClassAnnotation), `deprecated since v1.8; use "storageClassName" attribute instead`))
	}
	return append(warnings, PVCSpecWarnings(field.NewPath("spec"), pvc.Spec)...)
}
