package validation

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// containers is upstream's validateContainers: the regular containers.
func containers(ctrs []corev1.Container, spec *corev1.PodSpec, vols map[string]corev1.VolumeSource, podClaimNames sets.Set[string], fldPath *field.Path, opts podOptions, hostUsers bool) field.ErrorList {
	if len(ctrs) == 0 {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	var errs field.ErrorList
	gracePeriod := spec.TerminationGracePeriodSeconds
	allNames := sets.New[string]()
	for i := range ctrs {
		ctr := &ctrs[i]
		path := fldPath.Index(i)
		errs = append(errs, containerCommon(ctr, vols, podClaimNames, path, opts, spec.RestartPolicy, hostUsers)...)
		if allNames.Has(ctr.Name) {
			errs = append(errs, field.Duplicate(path.Child("name"), ctr.Name))
		} else {
			allNames.Insert(ctr.Name)
		}
		if ctr.Lifecycle != nil {
			errs = append(errs, lifecycle(ctr.Lifecycle, gracePeriod, path.Child("lifecycle"), spec.OS)...)
		}
		errs = append(errs, livenessOrStartupProbe(ctr.LivenessProbe, gracePeriod, path.Child("livenessProbe"))...)
		errs = append(errs, readinessProbe(ctr.ReadinessProbe, gracePeriod, path.Child("readinessProbe"))...)
		errs = append(errs, livenessOrStartupProbe(ctr.StartupProbe, gracePeriod, path.Child("startupProbe"))...)
		// ContainerRestartRules is on in v1.37.
		errs = append(errs, containerRestartPolicy(ctr.RestartPolicy, ctr.RestartPolicyRules, path)...)
	}
	return append(errs, hostPortConflicts(ctrs, fldPath)...)
}

// initContainers is upstream's validateInitContainers.
func initContainers(ctrs []corev1.Container, spec *corev1.PodSpec, vols map[string]corev1.VolumeSource, podClaimNames sets.Set[string], fldPath *field.Path, opts podOptions, hostUsers bool) field.ErrorList {
	var errs field.ErrorList
	gracePeriod := spec.TerminationGracePeriodSeconds
	allNames := sets.New[string]()
	for _, c := range spec.Containers {
		allNames.Insert(c.Name)
	}
	for i := range ctrs {
		ctr := &ctrs[i]
		path := fldPath.Index(i)
		errs = append(errs, containerCommon(ctr, vols, podClaimNames, path, opts, spec.RestartPolicy, hostUsers)...)
		errs = append(errs, initContainerRestartPolicy(ctr.RestartPolicy, ctr.RestartPolicyRules, path)...)
		restartAlways := ctr.RestartPolicy != nil && *ctr.RestartPolicy == corev1.ContainerRestartPolicyAlways
		if allNames.Has(ctr.Name) {
			errs = append(errs, field.Duplicate(path.Child("name"), ctr.Name))
		} else if ctr.Name != "" {
			allNames.Insert(ctr.Name)
		}
		// init containers run one by one: their host ports conflict only within one.
		errs = append(errs, hostPortConflicts([]corev1.Container{*ctr}, fldPath)...)
		if restartAlways {
			if ctr.Lifecycle != nil {
				errs = append(errs, lifecycle(ctr.Lifecycle, gracePeriod, path.Child("lifecycle"), spec.OS)...)
			}
			errs = append(errs, livenessOrStartupProbe(ctr.LivenessProbe, gracePeriod, path.Child("livenessProbe"))...)
			errs = append(errs, readinessProbe(ctr.ReadinessProbe, gracePeriod, path.Child("readinessProbe"))...)
			errs = append(errs, livenessOrStartupProbe(ctr.StartupProbe, gracePeriod, path.Child("startupProbe"))...)
		} else {
			const msg = "may not be set for init containers without restartPolicy=Always"
			if ctr.Lifecycle != nil {
				errs = append(errs, field.Forbidden(path.Child("lifecycle"), msg))
			}
			if ctr.LivenessProbe != nil {
				errs = append(errs, field.Forbidden(path.Child("livenessProbe"), msg))
			}
			if ctr.ReadinessProbe != nil {
				errs = append(errs, field.Forbidden(path.Child("readinessProbe"), msg))
			}
			if ctr.StartupProbe != nil {
				errs = append(errs, field.Forbidden(path.Child("startupProbe"), msg))
			}
			if !opts.allowExistingRestartContainerForNonSidecarInitContainer {
				for j, p := range ctr.ResizePolicy {
					if p.RestartPolicy == corev1.RestartContainer {
						errs = append(errs, field.Invalid(path.Child("resizePolicy").Index(j).Child("restartPolicy"), p.RestartPolicy, "must not be set to 'RestartContainer' for non-sidecar initContainers"))
					}
				}
			}
		}
	}
	return errs
}

// allowedEphemeralContainerFields are the fields of EphemeralContainerCommon
// an ephemeral container may set (upstream's allow list).
var allowedEphemeralContainerFields = sets.New(
	"Name", "Image", "Command", "Args", "WorkingDir", "EnvFrom", "Env", "VolumeMounts", "VolumeDevices",
	"TerminationMessagePath", "TerminationMessagePolicy", "ImagePullPolicy", "SecurityContext", "Stdin", "StdinOnce", "TTY",
)

// ephemeralContainers is upstream's validateEphemeralContainers: each is a
// container (with the pod-only image rule), its name unique across all
// kinds of containers, its target a regular or init container, and only
// the allow-listed fields set.
func ephemeralContainers(ecs []corev1.EphemeralContainer, spec *corev1.PodSpec, vols map[string]corev1.VolumeSource, podClaimNames sets.Set[string], fldPath *field.Path, opts podOptions, hostUsers bool) field.ErrorList {
	if len(ecs) == 0 {
		return nil
	}
	var errs field.ErrorList
	otherNames, allNames := sets.New[string](), sets.New[string]()
	for _, c := range spec.Containers {
		otherNames.Insert(c.Name)
		allNames.Insert(c.Name)
	}
	for _, c := range spec.InitContainers {
		otherNames.Insert(c.Name)
		allNames.Insert(c.Name)
	}
	for i, ec := range ecs {
		path := fldPath.Index(i)
		c := (*corev1.Container)(&ec.EphemeralContainerCommon)
		errs = append(errs, containerCommon(c, vols, podClaimNames, path, opts, spec.RestartPolicy, hostUsers)...)
		errs = append(errs, containerOnlyForPod(c, path)...)
		if allNames.Has(ec.Name) {
			errs = append(errs, field.Duplicate(path.Child("name"), ec.Name))
		} else {
			allNames.Insert(ec.Name)
		}
		if ec.TargetContainerName != "" && !otherNames.Has(ec.TargetContainerName) {
			errs = append(errs, field.NotFound(path.Child("targetContainerName"), ec.TargetContainerName))
		}
		errs = append(errs, fieldAllowList(ec.EphemeralContainerCommon, allowedEphemeralContainerFields, "cannot be set for an Ephemeral Container", path)...)
		for j, vm := range ec.VolumeMounts {
			if vm.SubPath != "" {
				errs = append(errs, field.Forbidden(path.Child("volumeMounts").Index(j).Child("subPath"), "cannot be set for an Ephemeral Container"))
			}
			if vm.SubPathExpr != "" {
				errs = append(errs, field.Forbidden(path.Child("volumeMounts").Index(j).Child("subPathExpr"), "cannot be set for an Ephemeral Container"))
			}
		}
	}
	return errs
}

// fieldAllowList is upstream's validateFieldAllowList: value is a struct,
// and each set field not in allowed is Forbidden.
func fieldAllowList(value any, allowed sets.Set[string], msg string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	t, v := reflect.TypeOf(value), reflect.ValueOf(value)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if allowed.Has(f.Name) || v.Field(i).IsZero() {
			continue
		}
		r, n := utf8.DecodeRuneInString(f.Name)
		errs = append(errs, field.Forbidden(fldPath.Child(string(unicode.ToLower(r))+f.Name[n:]), msg))
	}
	return errs
}

// containerOnlyForPod is what pods (not templates) add for a container.
func containerOnlyForPod(ctr *corev1.Container, path *field.Path) field.ErrorList {
	if len(ctr.Image) != len(strings.TrimSpace(ctr.Image)) {
		return field.ErrorList{field.Invalid(path.Child("image"), ctr.Image, "must not have leading or trailing whitespace")}
	}
	return nil
}

// containerCommon is upstream's validateContainerCommon: what every kind
// of container is validated with.
func containerCommon(ctr *corev1.Container, vols map[string]corev1.VolumeSource, podClaimNames sets.Set[string], path *field.Path, opts podOptions, podRestartPolicy corev1.RestartPolicy, hostUsers bool) field.ErrorList {
	var errs field.ErrorList
	if ctr.Name == "" {
		errs = append(errs, field.Required(path.Child("name"), ""))
	} else {
		errs = append(errs, dns1123Label(ctr.Name, path.Child("name"))...)
	}
	if ctr.Image == "" {
		errs = append(errs, field.Required(path.Child("image"), ""))
	}
	switch ctr.TerminationMessagePolicy {
	case corev1.TerminationMessageReadFile, corev1.TerminationMessageFallbackToLogsOnError:
	case "":
		errs = append(errs, field.Required(path.Child("terminationMessagePolicy"), ""))
	default:
		errs = append(errs, field.NotSupported(path.Child("terminationMessagePolicy"), ctr.TerminationMessagePolicy,
			[]corev1.TerminationMessagePolicy{corev1.TerminationMessageReadFile, corev1.TerminationMessageFallbackToLogsOnError}))
	}
	mounts := map[string]string{}
	for _, m := range ctr.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	devices := map[string]string{}
	for _, d := range ctr.VolumeDevices {
		devices[d.Name] = d.DevicePath
	}
	errs = append(errs, containerPorts(ctr.Ports, path.Child("ports"))...)
	errs = append(errs, env(ctr.Env, path.Child("env"))...)
	errs = append(errs, envFrom(ctr.EnvFrom, path.Child("envFrom"))...)
	errs = append(errs, volumeMounts(ctr.VolumeMounts, devices, vols, ctr, path.Child("volumeMounts"))...)
	errs = append(errs, volumeDevices(ctr.VolumeDevices, mounts, vols, path.Child("volumeDevices"))...)
	errs = append(errs, pullPolicy(ctr.ImagePullPolicy, path.Child("imagePullPolicy"))...)
	errs = append(errs, resourceRequirements(&ctr.Resources, containerResourceName, podClaimNames, path.Child("resources"), opts)...)
	errs = append(errs, resizePolicy(ctr.ResizePolicy, path.Child("resizePolicy"), podRestartPolicy)...)
	errs = append(errs, securityContext(ctr.SecurityContext, path.Child("securityContext"), hostUsers, opts)...)
	return errs
}

var supportedPortProtocols = sets.New(corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP)

// containerPorts is upstream's validateContainerPorts.
func containerPorts(ports []corev1.ContainerPort, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	names := sets.New[string]()
	for i, port := range ports {
		p := fldPath.Index(i)
		if port.Name != "" {
			if msgs := validation.IsValidPortName(port.Name); len(msgs) != 0 {
				for _, msg := range msgs {
					errs = append(errs, field.Invalid(p.Child("name"), port.Name, msg))
				}
			} else if names.Has(port.Name) {
				errs = append(errs, field.Duplicate(p.Child("name"), port.Name))
			} else {
				names.Insert(port.Name)
			}
		}
		if port.ContainerPort == 0 {
			errs = append(errs, field.Required(p.Child("containerPort"), ""))
		} else {
			for _, msg := range validation.IsValidPortNum(int(port.ContainerPort)) {
				errs = append(errs, field.Invalid(p.Child("containerPort"), port.ContainerPort, msg))
			}
		}
		if port.HostPort != 0 {
			for _, msg := range validation.IsValidPortNum(int(port.HostPort)) {
				errs = append(errs, field.Invalid(p.Child("hostPort"), port.HostPort, msg))
			}
		}
		if port.Protocol == "" {
			errs = append(errs, field.Required(p.Child("protocol"), ""))
		} else if !supportedPortProtocols.Has(port.Protocol) {
			errs = append(errs, field.NotSupported(p.Child("protocol"), port.Protocol, sets.List(supportedPortProtocols)))
		}
	}
	return errs
}

// hostPortConflicts is upstream's checkHostPortConflicts: a
// protocol/hostIP/hostPort triple once across ctrs.
func hostPortConflicts(ctrs []corev1.Container, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := sets.New[string]()
	for ci, ctr := range ctrs {
		for pi, port := range ctr.Ports {
			if port.HostPort == 0 {
				continue
			}
			key := fmt.Sprintf("%s/%s/%d", port.Protocol, port.HostIP, port.HostPort)
			if seen.Has(key) {
				errs = append(errs, field.Duplicate(fldPath.Index(ci).Child("ports").Index(pi).Child("hostPort"), key))
			} else {
				seen.Insert(key)
			}
		}
	}
	return errs
}

// env is upstream's ValidateEnv (RelaxedEnvironmentVariableValidation is GA).
func env(vars []corev1.EnvVar, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, ev := range vars {
		p := fldPath.Index(i)
		if ev.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		} else {
			for _, msg := range validation.IsRelaxedEnvVarName(ev.Name) {
				errs = append(errs, field.Invalid(p.Child("name"), ev.Name, msg))
			}
		}
		errs = append(errs, envVarValueFrom(ev, p.Child("valueFrom"))...)
	}
	return errs
}

var validEnvDownwardAPIFieldPathExpressions = sets.New(
	"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
	"status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
)

var validContainerResourceFieldPathExpressions = sets.New(
	"limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
)

const (
	hugepagesRequestsPrefixDownwardAPI = "requests.hugepages-"
	hugepagesLimitsPrefixDownwardAPI   = "limits.hugepages-"
)

// envVarValueFrom is upstream's validateEnvVarValueFrom (EnvFiles is on).
func envVarValueFrom(ev corev1.EnvVar, fldPath *field.Path) field.ErrorList {
	if ev.ValueFrom == nil {
		return nil
	}
	var errs field.ErrorList
	n := 0
	if ev.ValueFrom.FieldRef != nil {
		n++
		errs = append(errs, objectFieldSelector(ev.ValueFrom.FieldRef, validEnvDownwardAPIFieldPathExpressions, fldPath.Child("fieldRef"))...)
	}
	if ev.ValueFrom.ResourceFieldRef != nil {
		n++
		errs = append(errs, containerResourceFieldSelector(ev.ValueFrom.ResourceFieldRef, fldPath.Child("resourceFieldRef"), false)...)
	}
	if ev.ValueFrom.ConfigMapKeyRef != nil {
		n++
		errs = append(errs, keySelector(ev.ValueFrom.ConfigMapKeyRef.Name, ev.ValueFrom.ConfigMapKeyRef.Key, fldPath.Child("configMapKeyRef"))...)
	}
	if ev.ValueFrom.SecretKeyRef != nil {
		n++
		errs = append(errs, keySelector(ev.ValueFrom.SecretKeyRef.Name, ev.ValueFrom.SecretKeyRef.Key, fldPath.Child("secretKeyRef"))...)
	}
	if ev.ValueFrom.FileKeyRef != nil {
		n++
		errs = append(errs, fileKeySelector(ev.ValueFrom.FileKeyRef, fldPath.Child("fileKeyRef"))...)
	}
	switch {
	case n == 0:
		errs = append(errs, field.Invalid(fldPath, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`"))
	case ev.Value != "":
		errs = append(errs, field.Invalid(fldPath, "", "may not be specified when `value` is not empty"))
	case n > 1:
		errs = append(errs, field.Invalid(fldPath, "", "may not have more than one field specified at a time"))
	}
	return errs
}

// downwardAPIFieldLabel is upstream's ConvertDownwardAPIFieldLabel for
// pods: the field paths the downward API knows, spec.host being the old
// name of spec.nodeName.
func downwardAPIFieldLabel(version, label string) (string, error) {
	if version != "v1" {
		return "", fmt.Errorf("unsupported pod version: %s", version)
	}
	if path, _, ok := splitSubscriptedPath(label); ok {
		switch path {
		case "metadata.annotations", "metadata.labels":
			return label, nil
		}
		return "", fmt.Errorf("field label does not support subscript: %s", label)
	}
	switch label {
	case "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid",
		"spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName", "spec.schedulerName",
		"status.phase", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs":
		return label, nil
	case "spec.host":
		return "spec.nodeName", nil
	}
	return "", fmt.Errorf("field label not supported: %s", label)
}

// splitSubscriptedPath is upstream's fieldpath.SplitMaybeSubscriptedPath:
// "metadata.labels['key']" is ("metadata.labels", "key", true).
func splitSubscriptedPath(fieldPath string) (string, string, bool) {
	if !strings.HasSuffix(fieldPath, "']") {
		return fieldPath, "", false
	}
	s := strings.TrimSuffix(fieldPath, "']")
	parts := strings.SplitN(s, "['", 2)
	if len(parts) < 2 || len(parts[0]) == 0 {
		return fieldPath, "", false
	}
	return parts[0], parts[1], true
}

// objectFieldSelector is upstream's validateObjectFieldSelector.
func objectFieldSelector(fs *corev1.ObjectFieldSelector, expressions sets.Set[string], fldPath *field.Path) field.ErrorList {
	if fs.APIVersion == "" {
		return field.ErrorList{field.Required(fldPath.Child("apiVersion"), "")}
	}
	if fs.FieldPath == "" {
		return field.ErrorList{field.Required(fldPath.Child("fieldPath"), "")}
	}
	internal, err := downwardAPIFieldLabel(fs.APIVersion, fs.FieldPath)
	if err != nil {
		return field.ErrorList{field.Invalid(fldPath.Child("fieldPath"), fs.FieldPath, fmt.Sprintf("error converting fieldPath: %v", err))}
	}
	if path, subscript, ok := splitSubscriptedPath(internal); ok {
		switch path {
		case "metadata.annotations":
			return qualifiedName(strings.ToLower(subscript), fldPath)
		case "metadata.labels":
			return qualifiedName(subscript, fldPath)
		}
		return field.ErrorList{field.Invalid(fldPath, path, "does not support subscript")}
	} else if !expressions.Has(path) {
		return field.ErrorList{field.NotSupported(fldPath.Child("fieldPath"), path, sets.List(expressions))}
	}
	return nil
}

// containerResourceFieldSelector is upstream's
// validateContainerResourceFieldSelector (hugepages prefixes allowed).
func containerResourceFieldSelector(fs *corev1.ResourceFieldSelector, fldPath *field.Path, volume bool) field.ErrorList {
	var errs field.ErrorList
	switch {
	case volume && fs.ContainerName == "":
		errs = append(errs, field.Required(fldPath.Child("containerName"), ""))
	case fs.Resource == "":
		errs = append(errs, field.Required(fldPath.Child("resource"), ""))
	case !validContainerResourceFieldPathExpressions.Has(fs.Resource):
		if !strings.HasPrefix(fs.Resource, hugepagesLimitsPrefixDownwardAPI) && !strings.HasPrefix(fs.Resource, hugepagesRequestsPrefixDownwardAPI) {
			errs = append(errs, field.NotSupported(fldPath.Child("resource"), fs.Resource, sets.List(validContainerResourceFieldPathExpressions)))
		}
	}
	return append(errs, containerResourceDivisor(fs.Resource, fs.Divisor, fldPath)...)
}

var (
	validDivisorsForCPU    = sets.New("1m", "1")
	validDivisorsForMemory = sets.New("1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei")
)

func containerResourceDivisor(rName string, divisor resource.Quantity, fldPath *field.Path) field.ErrorList {
	if divisor.Cmp(resource.Quantity{}) == 0 {
		return nil
	}
	var errs field.ErrorList
	p := fldPath.Child("divisor")
	switch rName {
	case "limits.cpu", "requests.cpu":
		if !validDivisorsForCPU.Has(divisor.String()) {
			errs = append(errs, field.Invalid(p, rName, "only divisor's values 1m and 1 are supported with the cpu resource"))
		}
	case "limits.memory", "requests.memory":
		if !validDivisorsForMemory.Has(divisor.String()) {
			errs = append(errs, field.Invalid(p, rName, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource"))
		}
	case "limits.ephemeral-storage", "requests.ephemeral-storage":
		if !validDivisorsForMemory.Has(divisor.String()) {
			errs = append(errs, field.Invalid(p, rName, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource"))
		}
	}
	if strings.HasPrefix(rName, hugepagesRequestsPrefixDownwardAPI) || strings.HasPrefix(rName, hugepagesLimitsPrefixDownwardAPI) {
		if !validDivisorsForMemory.Has(divisor.String()) {
			errs = append(errs, field.Invalid(p, rName, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the hugepages resource"))
		}
	}
	return errs
}

// keySelector is upstream's validateConfigMapKeySelector and
// validateSecretKeySelector (both check the name as a secret name).
func keySelector(name, key string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Subdomain(name) {
		errs = append(errs, field.Invalid(fldPath.Child("name"), name, msg))
	}
	if key == "" {
		errs = append(errs, field.Required(fldPath.Child("key"), ""))
	} else {
		for _, msg := range validation.IsConfigMapKey(key) {
			errs = append(errs, field.Invalid(fldPath.Child("key"), key, msg))
		}
	}
	return errs
}

func fileKeySelector(s *corev1.FileKeySelector, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.Key == "" {
		errs = append(errs, field.Required(fldPath.Child("key"), ""))
	} else {
		for _, msg := range validation.IsRelaxedEnvVarName(s.Key) {
			errs = append(errs, field.Invalid(fldPath.Child("key"), s.Key, msg))
		}
	}
	if s.VolumeName == "" {
		errs = append(errs, field.Required(fldPath.Child("volumeName"), ""))
	} else {
		errs = append(errs, dns1123Label(s.VolumeName, fldPath.Child("volumeName"))...)
	}
	if s.Path == "" {
		errs = append(errs, field.Required(fldPath.Child("path"), ""))
	} else {
		errs = append(errs, pathNoBacksteps(s.Path, fldPath.Child("path"))...)
	}
	return errs
}

// envFrom is upstream's ValidateEnvFrom.
func envFrom(vars []corev1.EnvFromSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, ev := range vars {
		p := fldPath.Index(i)
		if ev.Prefix != "" {
			for _, msg := range validation.IsRelaxedEnvVarName(ev.Prefix) {
				errs = append(errs, field.Invalid(p.Child("prefix"), ev.Prefix, msg))
			}
		}
		n := 0
		if ev.ConfigMapRef != nil {
			n++
			errs = append(errs, envSourceName(ev.ConfigMapRef.Name, p.Child("configMapRef"))...)
		}
		if ev.SecretRef != nil {
			n++
			errs = append(errs, envSourceName(ev.SecretRef.Name, p.Child("secretRef"))...)
		}
		if n == 0 {
			errs = append(errs, field.Invalid(fldPath, "", "must specify one of: `configMapRef` or `secretRef`"))
		} else if n > 1 {
			errs = append(errs, field.Invalid(fldPath, "", "may not have more than one field specified at a time"))
		}
	}
	return errs
}

func envSourceName(name string, fldPath *field.Path) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(fldPath.Child("name"), "")}
	}
	var errs field.ErrorList
	// ValidateConfigMapName and ValidateSecretName with prefix=true.
	for _, msg := range validation.IsDNS1123Subdomain(maskTrailingDash(name)) {
		errs = append(errs, field.Invalid(fldPath.Child("name"), name, msg))
	}
	return errs
}

// maskTrailingDash is apimachinery's: a generateName prefix may end in '-'.
func maskTrailingDash(name string) string {
	if len(name) > 1 && strings.HasSuffix(name, "-") {
		return name[:len(name)-2] + "a"
	}
	return name
}

var supportedPullPolicies = sets.New(corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever)

func pullPolicy(policy corev1.PullPolicy, fldPath *field.Path) field.ErrorList {
	switch policy {
	case corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
		return nil
	case "":
		return field.ErrorList{field.Required(fldPath, "")}
	}
	return field.ErrorList{field.NotSupported(fldPath, policy, sets.List(supportedPullPolicies))}
}

var (
	supportedResizeResources = sets.New(corev1.ResourceCPU, corev1.ResourceMemory)
	supportedResizePolicies  = sets.New(corev1.NotRequired, corev1.RestartContainer)
)

func resizePolicy(policies []corev1.ContainerResizePolicy, fldPath *field.Path, podRestartPolicy corev1.RestartPolicy) field.ErrorList {
	var errs field.ErrorList
	seen := map[corev1.ResourceName]bool{}
	for i, p := range policies {
		if seen[p.ResourceName] {
			errs = append(errs, field.Duplicate(fldPath.Index(i), p.ResourceName))
		}
		seen[p.ResourceName] = true
		switch p.ResourceName {
		case corev1.ResourceCPU, corev1.ResourceMemory:
		case "":
			errs = append(errs, field.Required(fldPath, ""))
		default:
			errs = append(errs, field.NotSupported(fldPath, p.ResourceName, sets.List(supportedResizeResources)))
		}
		switch p.RestartPolicy {
		case corev1.NotRequired, corev1.RestartContainer:
		case "":
			errs = append(errs, field.Required(fldPath, ""))
		default:
			errs = append(errs, field.NotSupported(fldPath, p.RestartPolicy, sets.List(supportedResizePolicies)))
		}
		if podRestartPolicy == corev1.RestartPolicyNever && p.RestartPolicy != corev1.NotRequired {
			errs = append(errs, field.Invalid(fldPath, p.RestartPolicy, "must be 'NotRequired' when pod `restartPolicy` is 'Never'"))
		}
	}
	return errs
}

// initContainerRestartPolicy is upstream's validateInitContainerRestartPolicy
// with ContainerRestartRules and RestartAllContainersOnContainerExits on.
func initContainerRestartPolicy(policy *corev1.ContainerRestartPolicy, rules []corev1.ContainerRestartRule, fldPath *field.Path) field.ErrorList {
	if policy == nil {
		if len(rules) > 0 {
			return field.ErrorList{field.Required(fldPath.Child("restartPolicy"), "must specify restartPolicy when restart rules are used")}
		}
		return nil
	}
	return containerRestartPolicy(policy, rules, fldPath)
}

var (
	supportedContainerRestartPolicies = sets.New(corev1.ContainerRestartPolicyAlways, corev1.ContainerRestartPolicyNever, corev1.ContainerRestartPolicyOnFailure)
	supportedRestartRuleOperators     = sets.New(corev1.ContainerRestartRuleOnExitCodesOpIn, corev1.ContainerRestartRuleOnExitCodesOpNotIn)
	supportedRestartRuleActions       = sets.New(corev1.ContainerRestartRuleActionRestart, corev1.ContainerRestartRuleActionRestartAllContainers)
)

// containerRestartPolicy is upstream's validateContainerRestartPolicy.
func containerRestartPolicy(policy *corev1.ContainerRestartPolicy, rules []corev1.ContainerRestartRule, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	policyPath := fldPath.Child("restartPolicy")
	if policy == nil {
		if len(rules) == 0 {
			return nil
		}
		errs = append(errs, field.Required(policyPath, "must specify restartPolicy when restart rules are used"))
	} else if !supportedContainerRestartPolicies.Has(*policy) {
		errs = append(errs, field.NotSupported(policyPath, *policy, sets.List(supportedContainerRestartPolicies)))
	}
	if len(rules) > 20 {
		errs = append(errs, field.TooMany(fldPath.Child("restartPolicyRules"), len(rules), 20))
	}
	for i, rule := range rules {
		p := fldPath.Child("restartPolicyRules").Index(i)
		if !supportedRestartRuleActions.Has(rule.Action) {
			errs = append(errs, field.NotSupported(p.Child("action"), rule.Action, sets.List(supportedRestartRuleActions)))
		}
		if rule.ExitCodes == nil {
			errs = append(errs, field.Required(p.Child("exitCodes"), "must be specified"))
			continue
		}
		if !supportedRestartRuleOperators.Has(rule.ExitCodes.Operator) {
			errs = append(errs, field.NotSupported(p.Child("exitCodes", "operator"), rule.ExitCodes.Operator, sets.List(supportedRestartRuleOperators)))
		}
		if len(rule.ExitCodes.Values) > 255 {
			errs = append(errs, field.TooMany(p.Child("exitCodes", "values"), len(rule.ExitCodes.Values), 255))
		}
	}
	return errs
}

func livenessOrStartupProbe(probe *corev1.Probe, gracePeriod *int64, fldPath *field.Path) field.ErrorList {
	if probe == nil {
		return nil
	}
	errs := probeCommon(probe, gracePeriod, fldPath)
	if probe.SuccessThreshold != 1 {
		errs = append(errs, field.Invalid(fldPath.Child("successThreshold"), probe.SuccessThreshold, "must be 1"))
	}
	return errs
}

func readinessProbe(probe *corev1.Probe, gracePeriod *int64, fldPath *field.Path) field.ErrorList {
	if probe == nil {
		return nil
	}
	errs := probeCommon(probe, gracePeriod, fldPath)
	if probe.TerminationGracePeriodSeconds != nil {
		errs = append(errs, field.Invalid(fldPath.Child("terminationGracePeriodSeconds"), probe.TerminationGracePeriodSeconds, "must not be set for readinessProbes"))
	}
	return errs
}

// probeCommon is upstream's validateProbe.
func probeCommon(probe *corev1.Probe, gracePeriod *int64, fldPath *field.Path) field.ErrorList {
	h := probe.ProbeHandler
	errs := handler(commonHandler{Exec: h.Exec, HTTPGet: h.HTTPGet, TCPSocket: h.TCPSocket, GRPC: h.GRPC}, gracePeriod, fldPath)
	errs = append(errs, nonNegative(int64(probe.InitialDelaySeconds), fldPath.Child("initialDelaySeconds"))...)
	errs = append(errs, nonNegative(int64(probe.TimeoutSeconds), fldPath.Child("timeoutSeconds"))...)
	errs = append(errs, nonNegative(int64(probe.PeriodSeconds), fldPath.Child("periodSeconds"))...)
	errs = append(errs, nonNegative(int64(probe.SuccessThreshold), fldPath.Child("successThreshold"))...)
	errs = append(errs, nonNegative(int64(probe.FailureThreshold), fldPath.Child("failureThreshold"))...)
	if probe.TerminationGracePeriodSeconds != nil && *probe.TerminationGracePeriodSeconds <= 0 {
		errs = append(errs, field.Invalid(fldPath.Child("terminationGracePeriodSeconds"), *probe.TerminationGracePeriodSeconds, "must be greater than 0"))
	}
	return errs
}

type commonHandler struct {
	Exec      *corev1.ExecAction
	HTTPGet   *corev1.HTTPGetAction
	TCPSocket *corev1.TCPSocketAction
	GRPC      *corev1.GRPCAction
	Sleep     *corev1.SleepAction
}

// handler is upstream's validateHandler: exactly one handler type.
func handler(h commonHandler, gracePeriod *int64, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	n := 0
	one := func(set bool, name string, validate func(*field.Path) field.ErrorList) {
		if !set {
			return
		}
		if n > 0 {
			errs = append(errs, field.Forbidden(fldPath.Child(name), "may not specify more than 1 handler type"))
			return
		}
		n++
		errs = append(errs, validate(fldPath.Child(name))...)
	}
	one(h.Exec != nil, "exec", func(p *field.Path) field.ErrorList {
		if len(h.Exec.Command) == 0 {
			return field.ErrorList{field.Required(p.Child("command"), "")}
		}
		return nil
	})
	one(h.HTTPGet != nil, "httpGet", func(p *field.Path) field.ErrorList { return httpGetAction(h.HTTPGet, p) })
	one(h.TCPSocket != nil, "tcpSocket", func(p *field.Path) field.ErrorList { return portNumOrName(h.TCPSocket.Port, p.Child("port")) })
	one(h.GRPC != nil, "grpc", func(p *field.Path) field.ErrorList {
		errs := portNumOrName(intstr.FromInt32(h.GRPC.Port), p.Child("port"))
		if h.GRPC.Mode != nil && !supportedGRPCProbeModes.Has(*h.GRPC.Mode) {
			errs = append(errs, field.NotSupported(p.Child("mode"), *h.GRPC.Mode, sets.List(supportedGRPCProbeModes)))
		}
		return errs
	})
	one(h.Sleep != nil, "sleep", func(p *field.Path) field.ErrorList {
		if gracePeriod != nil && (h.Sleep.Seconds < 0 || h.Sleep.Seconds > *gracePeriod) {
			return field.ErrorList{field.Invalid(p, h.Sleep.Seconds, fmt.Sprintf("must be non-negative and less than terminationGracePeriodSeconds (%d)", *gracePeriod))}
		}
		return nil
	})
	if n == 0 {
		errs = append(errs, field.Required(fldPath, "must specify a handler type"))
	}
	return errs
}

var (
	supportedHTTPSchemes    = sets.New(corev1.URISchemeHTTP, corev1.URISchemeHTTPS)
	supportedHTTPProtocols  = sets.New(corev1.HTTPProtocolHTTP1, corev1.HTTPProtocolHTTP2)
	supportedGRPCProbeModes = sets.New(corev1.GRPCProbeModePlaintext, corev1.GRPCProbeModeTLS)
)

func httpGetAction(http *corev1.HTTPGetAction, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if http.Path == "" {
		errs = append(errs, field.Required(fldPath.Child("path"), ""))
	}
	errs = append(errs, portNumOrName(http.Port, fldPath.Child("port"))...)
	if !supportedHTTPSchemes.Has(http.Scheme) {
		errs = append(errs, field.NotSupported(fldPath.Child("scheme"), http.Scheme, sets.List(supportedHTTPSchemes)))
	}
	for _, header := range http.HTTPHeaders {
		for _, msg := range validation.IsHTTPHeaderName(header.Name) {
			errs = append(errs, field.Invalid(fldPath.Child("httpHeaders"), header.Name, msg))
		}
	}
	if http.Protocol != nil {
		switch {
		case !supportedHTTPProtocols.Has(*http.Protocol):
			errs = append(errs, field.NotSupported(fldPath.Child("protocol"), *http.Protocol, sets.List(supportedHTTPProtocols)))
		case *http.Protocol == corev1.HTTPProtocolHTTP2 && http.Scheme != corev1.URISchemeHTTP:
			errs = append(errs, field.Invalid(fldPath.Child("protocol"), *http.Protocol, "is only supported with HTTP (H2C)"))
		case *http.Protocol == corev1.HTTPProtocolHTTP2 && http.Host != "":
			errs = append(errs, field.Invalid(fldPath.Child("host"), http.Host, "must be empty when `protocol` is \"HTTP2\""))
		}
	}
	return errs
}

// portNumOrName is upstream's ValidatePortNumOrName.
func portNumOrName(port intstr.IntOrString, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch port.Type {
	case intstr.Int:
		for _, msg := range validation.IsValidPortNum(port.IntValue()) {
			errs = append(errs, field.Invalid(fldPath, port.IntValue(), msg))
		}
	case intstr.String:
		for _, msg := range validation.IsValidPortName(port.StrVal) {
			errs = append(errs, field.Invalid(fldPath, port.StrVal, msg))
		}
	default:
		errs = append(errs, field.InternalError(fldPath, fmt.Errorf("unknown type: %v", port.Type)))
	}
	return errs
}

var supportedStopSignalsLinux = sets.New(
	corev1.SIGABRT, corev1.SIGALRM, corev1.SIGBUS, corev1.SIGCHLD, corev1.SIGCLD, corev1.SIGCONT, corev1.SIGFPE, corev1.SIGHUP,
	corev1.SIGILL, corev1.SIGINT, corev1.SIGIO, corev1.SIGIOT, corev1.SIGKILL, corev1.SIGPIPE, corev1.SIGPOLL, corev1.SIGPROF,
	corev1.SIGPWR, corev1.SIGQUIT, corev1.SIGSEGV, corev1.SIGSTKFLT, corev1.SIGSTOP, corev1.SIGSYS, corev1.SIGTERM, corev1.SIGTRAP,
	corev1.SIGTSTP, corev1.SIGTTIN, corev1.SIGTTOU, corev1.SIGURG, corev1.SIGUSR1, corev1.SIGUSR2, corev1.SIGVTALRM, corev1.SIGWINCH,
	corev1.SIGXCPU, corev1.SIGXFSZ, corev1.SIGRTMIN, corev1.SIGRTMINPLUS1, corev1.SIGRTMINPLUS2, corev1.SIGRTMINPLUS3, corev1.SIGRTMINPLUS4,
	corev1.SIGRTMINPLUS5, corev1.SIGRTMINPLUS6, corev1.SIGRTMINPLUS7, corev1.SIGRTMINPLUS8, corev1.SIGRTMINPLUS9, corev1.SIGRTMINPLUS10,
	corev1.SIGRTMINPLUS11, corev1.SIGRTMINPLUS12, corev1.SIGRTMINPLUS13, corev1.SIGRTMINPLUS14, corev1.SIGRTMINPLUS15, corev1.SIGRTMAXMINUS14,
	corev1.SIGRTMAXMINUS13, corev1.SIGRTMAXMINUS12, corev1.SIGRTMAXMINUS11, corev1.SIGRTMAXMINUS10, corev1.SIGRTMAXMINUS9, corev1.SIGRTMAXMINUS8,
	corev1.SIGRTMAXMINUS7, corev1.SIGRTMAXMINUS6, corev1.SIGRTMAXMINUS5, corev1.SIGRTMAXMINUS4, corev1.SIGRTMAXMINUS3, corev1.SIGRTMAXMINUS2,
	corev1.SIGRTMAXMINUS1, corev1.SIGRTMAX,
)

var supportedStopSignalsWindows = sets.New(corev1.SIGKILL, corev1.SIGTERM)

func lifecycle(lc *corev1.Lifecycle, gracePeriod *int64, fldPath *field.Path, os *corev1.PodOS) field.ErrorList {
	var errs field.ErrorList
	if h := lc.PostStart; h != nil {
		errs = append(errs, handler(commonHandler{Exec: h.Exec, HTTPGet: h.HTTPGet, TCPSocket: h.TCPSocket, Sleep: h.Sleep}, gracePeriod, fldPath.Child("postStart"))...)
	}
	if h := lc.PreStop; h != nil {
		errs = append(errs, handler(commonHandler{Exec: h.Exec, HTTPGet: h.HTTPGet, TCPSocket: h.TCPSocket, Sleep: h.Sleep}, gracePeriod, fldPath.Child("preStop"))...)
	}
	if lc.StopSignal != nil {
		p := fldPath.Child("stopSignal")
		switch {
		case os == nil:
			errs = append(errs, field.Forbidden(p, "may not be set for containers with empty `spec.os.name`"))
		case os.Name == corev1.Windows && !supportedStopSignalsWindows.Has(*lc.StopSignal):
			errs = append(errs, field.NotSupported(p, lc.StopSignal, sets.List(supportedStopSignalsWindows)))
		case os.Name == corev1.Linux && !supportedStopSignalsLinux.Has(*lc.StopSignal):
			errs = append(errs, field.NotSupported(p, lc.StopSignal, sets.List(supportedStopSignalsLinux)))
		}
	}
	return errs
}
