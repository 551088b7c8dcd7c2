package validation_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

// container is a defaulted container, as validation sees one after the
// request body was decoded.
func container(name string) corev1.Container {
	return corev1.Container{
		Name: name, Image: "nginx:1.27",
		ImagePullPolicy:          corev1.PullIfNotPresent,
		TerminationMessagePath:   corev1.TerminationMessagePathDefault,
		TerminationMessagePolicy: corev1.TerminationMessageReadFile,
	}
}

// validPodSpec is a defaulted pod spec.
func validPodSpec() corev1.PodSpec {
	return corev1.PodSpec{
		Containers:                    []corev1.Container{container("app")},
		RestartPolicy:                 corev1.RestartPolicyAlways,
		DNSPolicy:                     corev1.DNSClusterFirst,
		TerminationGracePeriodSeconds: ptr.To[int64](30),
		SchedulerName:                 corev1.DefaultSchedulerName,
		SecurityContext:               &corev1.PodSecurityContext{},
	}
}

func validPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", ResourceVersion: "1"},
		Spec:       validPodSpec(),
	}
}

// errorStrings is errs as upstream's messages, in order.
func errorStrings(errs field.ErrorList) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

func checkErrors(t *testing.T, errs field.ErrorList, want []string) {
	t.Helper()
	got := errorStrings(errs)
	if len(got) != len(want) {
		t.Fatalf("got %d errors %q, want %d %q", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("error %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

func TestPodTemplateSpec(t *testing.T) {
	t.Parallel()
	valid := func() *corev1.PodTemplateSpec {
		return &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}}, Spec: validPodSpec()}
	}
	if errs := validation.PodTemplateSpec(valid(), field.NewPath("template")); len(errs) != 0 {
		t.Fatalf("valid template: got %v, want no errors", errs)
	}
	for _, tc := range []struct {
		name   string
		change func(*corev1.PodTemplateSpec)
		want   []string
	}{
		{"no containers", func(s *corev1.PodTemplateSpec) { s.Spec.Containers = nil }, []string{"template.spec.containers: Required value"}},
		{"bad container name", func(s *corev1.PodTemplateSpec) { s.Spec.Containers[0].Name = "App" }, []string{
			`template.spec.containers[0].name: Invalid value: "App": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
		}},
		{"ephemeral containers", func(s *corev1.PodTemplateSpec) {
			s.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
				Name: "debug", Image: "busybox", ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			}}}
		}, []string{"template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template"}},
		{"bad label", func(s *corev1.PodTemplateSpec) { s.Labels = map[string]string{"app": "a b"} }, []string{
			`template.labels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
		}},
		// a template's host port may be left 0 with hostNetwork (the pod defaults it).
		{"hostNetwork template port 0", func(s *corev1.PodTemplateSpec) {
			s.Spec.HostNetwork = true
			s.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, Protocol: corev1.ProtocolTCP}}
		}, nil},
		{"hostNetwork template port mismatch", func(s *corev1.PodTemplateSpec) {
			s.Spec.HostNetwork = true
			s.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 81, Protocol: corev1.ProtocolTCP}}
		}, []string{"template.spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := valid()
			tc.change(s)
			checkErrors(t, validation.PodTemplateSpec(s, field.NewPath("template")), tc.want)
		})
	}
}

func TestPodCreate(t *testing.T) {
	t.Parallel()
	if errs := validation.Pod(validPod()); len(errs) != 0 {
		t.Fatalf("valid pod: got %v, want no errors", errs)
	}
	for _, tc := range []struct {
		name   string
		change func(*corev1.Pod)
		want   []string
	}{
		// containers
		{"no image", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "" }, []string{"spec.containers[0].image: Required value"}},
		{"image whitespace", func(p *corev1.Pod) { p.Spec.Containers[0].Image = " nginx" }, []string{
			`spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace`,
		}},
		{"duplicate across init and regular", func(p *corev1.Pod) { p.Spec.InitContainers = []corev1.Container{container("app")} }, []string{
			`spec.initContainers[0].name: Duplicate value: "app"`,
		}},
		{"duplicate regular", func(p *corev1.Pod) { p.Spec.Containers = append(p.Spec.Containers, container("app")) }, []string{
			`spec.containers[1].name: Duplicate value: "app"`,
		}},
		{"no name", func(p *corev1.Pod) { p.Spec.Containers[0].Name = "" }, []string{"spec.containers[0].name: Required value"}},
		{"termination message policy", func(p *corev1.Pod) { p.Spec.Containers[0].TerminationMessagePolicy = "Bogus" }, []string{
			`spec.containers[0].terminationMessagePolicy: Unsupported value: "Bogus": supported values: "File", "FallbackToLogsOnError"`,
		}},
		{"pull policy", func(p *corev1.Pod) { p.Spec.Containers[0].ImagePullPolicy = "Sometimes" }, []string{
			`spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"`,
		}},
		{"pull policy empty", func(p *corev1.Pod) { p.Spec.Containers[0].ImagePullPolicy = "" }, []string{"spec.containers[0].imagePullPolicy: Required value"}},
		// ports
		{"ports", func(p *corev1.Pod) {
			p.Spec.Containers[0].Ports = []corev1.ContainerPort{
				{Name: "http", ContainerPort: 80, Protocol: corev1.ProtocolTCP},
				{Name: "http", ContainerPort: 81, Protocol: corev1.ProtocolTCP},
				{Name: "Bad_Name", ContainerPort: 70000, Protocol: "ICMP"},
				{ContainerPort: 0, Protocol: ""},
			}
		}, []string{
			`spec.containers[0].ports[1].name: Duplicate value: "http"`,
			`spec.containers[0].ports[2].name: Invalid value: "Bad_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`,
			`spec.containers[0].ports[2].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive`,
			`spec.containers[0].ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"`,
			`spec.containers[0].ports[3].containerPort: Required value`,
			`spec.containers[0].ports[3].protocol: Required value`,
		}},
		{"host port conflict", func(p *corev1.Pod) {
			c := container("sidecar")
			c.Ports = []corev1.ContainerPort{{ContainerPort: 8080, HostPort: 80, Protocol: corev1.ProtocolTCP}}
			p.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 80, Protocol: corev1.ProtocolTCP}}
			p.Spec.Containers = append(p.Spec.Containers, c)
		}, []string{`spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//80"`}},
		{"hostNetwork pod port", func(p *corev1.Pod) {
			p.Spec.HostNetwork = true
			p.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, Protocol: corev1.ProtocolTCP}}
		}, []string{"spec.containers[0].ports[0].hostPort: Invalid value: 0: must match `containerPort` when `hostNetwork` is true"}},
		// env
		{"env", func(p *corev1.Pod) {
			p.Spec.Containers[0].Env = []corev1.EnvVar{
				{Name: ""},
				{Name: "A=B"},
				{Name: "X", ValueFrom: &corev1.EnvVarSource{}},
				{Name: "Y", Value: "v", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}},
				{Name: "Z", ValueFrom: &corev1.EnvVarSource{
					FieldRef:        &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"},
					ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}, Key: "k"},
				}},
				{Name: "F", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "status.phase"}}},
				{Name: "S", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}}}},
				{Name: "R", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.gpu"}}},
			}
		}, []string{
			"spec.containers[0].env[0].name: Required value",
			`spec.containers[0].env[1].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
			"spec.containers[0].env[2].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`",
			"spec.containers[0].env[3].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty",
			`spec.containers[0].env[4].valueFrom: Invalid value: "": may not have more than one field specified at a time`,
			`spec.containers[0].env[5].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"`,
			"spec.containers[0].env[6].valueFrom.secretKeyRef.key: Required value",
			`spec.containers[0].env[7].valueFrom.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"`,
		}},
		{"envFrom", func(p *corev1.Pod) {
			p.Spec.Containers[0].EnvFrom = []corev1.EnvFromSource{{}, {Prefix: "P_", ConfigMapRef: &corev1.ConfigMapEnvSource{}}}
		}, []string{
			"spec.containers[0].envFrom: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`",
			"spec.containers[0].envFrom[1].configMapRef.name: Required value",
		}},
		// volumes and mounts
		{"volumes", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{
				{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "two", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}, HostPath: &corev1.HostPathVolumeSource{Path: "/x"}}},
				{Name: "none"},
				{Name: "cm", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{DefaultMode: ptr.To[int32](01000), Items: []corev1.KeyToPath{{Key: "k", Path: "../x"}}}}},
				{Name: "sec", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{}}},
				{Name: "pvc", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{}}},
			}
		}, []string{
			`spec.volumes[1].name: Duplicate value: "data"`,
			"spec.volumes[2].hostPath: Forbidden: may not specify more than 1 volume type",
			"spec.volumes[3]: Required value: must specify a volume type",
			"spec.volumes[4].configMap.name: Required value",
			"spec.volumes[4].configMap.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive",
			`spec.volumes[4].configMap.items[0].path: Invalid value: "../x": must not contain '..'`,
			"spec.volumes[5].secret.secretName: Required value",
			"spec.volumes[6].persistentVolumeClaim.claimName: Required value",
		}},
		{"volume mounts", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
			p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{
				{Name: "data", MountPath: "/data"},
				{Name: "data", MountPath: "/data"},
				{Name: "missing", MountPath: "/m"},
				{Name: "data", MountPath: ""},
				{Name: "data", MountPath: "/s", SubPath: "/abs"},
			}
		}, []string{
			`spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique`,
			`spec.containers[0].volumeMounts[2].name: Not found: "missing"`,
			"spec.containers[0].volumeMounts[3].mountPath: Required value",
			`spec.containers[0].volumeMounts.subPath: Invalid value: "/abs": must be a relative path`,
		}},
		{"projected", func(p *corev1.Pod) {
			p.Spec.ServiceAccountName, p.Spec.DeprecatedServiceAccount = "sa", "sa"
			p.Spec.Volumes = []corev1.Volume{{Name: "proj", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
				{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "a"}, Items: []corev1.KeyToPath{{Key: "k", Path: "p"}}}},
				{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "b"}, Items: []corev1.KeyToPath{{Key: "k", Path: "p"}}}},
				{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr.To[int64](60)}},
			}}}}}
		}, []string{
			`spec.volumes[0].projected: Invalid value: "b": conflicting duplicate paths`,
			"spec.volumes[0].projected.sources[2].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes",
		}},
		{"ephemeral volume", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "scratch", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{
				VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{ObjectMeta: metav1.ObjectMeta{Name: "x"}},
			}}}}
		}, []string{
			"spec.volumes[0].ephemeral.volumeClaimTemplate.metadata.name: Forbidden: cannot be set",
			"spec.volumes[0].ephemeral.volumeClaimTemplate.spec.accessModes: Required value: at least 1 access mode is required",
			"spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources[storage]: Required value",
		}},
		{"volume devices", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
			p.Spec.Containers[0].VolumeDevices = []corev1.VolumeDevice{{Name: "data", DevicePath: "/dev/xvda"}}
		}, []string{`spec.containers[0].volumeDevices[0].name: Invalid value: "data": can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode`}},
		{"apparmor annotation and field", func(p *corev1.Pod) {
			p.Annotations = map[string]string{corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix + "app": "runtime/default"}
			p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}}
		}, []string{"spec.containers[0].securityContext.appArmorProfile.type: Forbidden: apparmor type in annotation and field must match"}},
		{"service account token without service account", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "tok", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
				Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr.To[int64](3600)}}},
			}}}}
		}, []string{"spec.volumes[0].projected.sources[0].serviceAccountToken: Forbidden: must not be specified when serviceAccountName is not set"}},
		// probes and lifecycle
		{"probes", func(p *corev1.Pod) {
			p.Spec.Containers[0].LivenessProbe = &corev1.Probe{SuccessThreshold: 2, PeriodSeconds: -1, ProbeHandler: corev1.ProbeHandler{
				Exec: &corev1.ExecAction{Command: []string{"true"}}, TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(80)},
			}}
			p.Spec.Containers[0].ReadinessProbe = &corev1.Probe{SuccessThreshold: 1}
			p.Spec.Containers[0].StartupProbe = &corev1.Probe{SuccessThreshold: 1, ProbeHandler: corev1.ProbeHandler{
				HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(0), Scheme: corev1.URISchemeHTTP},
			}}
		}, []string{
			"spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
			"spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0",
			"spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
			"spec.containers[0].readinessProbe: Required value: must specify a handler type",
			"spec.containers[0].startupProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive",
		}},
		{"lifecycle sleep", func(p *corev1.Pod) {
			p.Spec.Containers[0].Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 60}}}
		}, []string{"spec.containers[0].lifecycle.preStop.sleep: Invalid value: 60: must be non-negative and less than terminationGracePeriodSeconds (30)"}},
		// init containers and sidecars
		{"init container probes", func(p *corev1.Pod) {
			c := container("init")
			c.ReadinessProbe = &corev1.Probe{SuccessThreshold: 1, ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}}
			p.Spec.InitContainers = []corev1.Container{c}
		}, []string{"spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"}},
		{"sidecar", func(p *corev1.Pod) {
			c := container("sidecar")
			c.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
			c.ReadinessProbe = &corev1.Probe{SuccessThreshold: 1, ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}}
			p.Spec.InitContainers = []corev1.Container{c}
		}, nil},
		{"container restart policy", func(p *corev1.Pod) {
			p.Spec.Containers[0].RestartPolicy = ptr.To[corev1.ContainerRestartPolicy]("Sometimes")
			p.Spec.Containers[0].RestartPolicyRules = []corev1.ContainerRestartRule{{Action: "Restart"}}
		}, []string{
			`spec.containers[0].restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"`,
			"spec.containers[0].restartPolicyRules[0].exitCodes: Required value: must be specified",
		}},
		// resources
		{"resources", func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources = corev1.ResourceRequirements{
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), "bogus": resource.MustParse("1")},
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("-1")},
			}
		}, []string{
			`spec.containers[0].resources.limits[bogus]: Invalid value: "bogus": must be a standard resource type or fully qualified`,
			`spec.containers[0].resources.limits[bogus]: Invalid value: "bogus": must be a standard resource for containers`,
			`spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m`,
			`spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0`,
		}},
		{"hugepages", func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources = corev1.ResourceRequirements{
				Limits: corev1.ResourceList{"hugepages-2Mi": resource.MustParse("3Mi")},
			}
		}, []string{
			`spec.containers[0].resources.limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi`,
			"spec.containers[0].resources: Forbidden: HugePages require cpu or memory",
		}},
		{"pod-level resources", func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}
			p.Spec.Resources = &corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}}
		}, []string{`spec.resources.requests[cpu]: Invalid value: "1": must be greater than or equal to aggregate container requests of 2`}},
		// security
		{"security context", func(p *corev1.Pod) {
			p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{
				RunAsUser: ptr.To[int64](-1), Privileged: ptr.To(true), AllowPrivilegeEscalation: ptr.To(false),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost},
			}
		}, []string{
			"spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive",
			"spec.containers[0].securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost",
			"spec.containers[0].securityContext: Invalid value: {\"privileged\":true,\"runAsUser\":-1,\"allowPrivilegeEscalation\":false,\"seccompProfile\":{\"type\":\"Localhost\"}}: cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
		}},
		{"pod security context", func(p *corev1.Pod) {
			p.Spec.HostNetwork = true
			p.Spec.SecurityContext = &corev1.PodSecurityContext{FSGroup: ptr.To[int64](-5), Sysctls: []corev1.Sysctl{{Name: "net.core.somaxconn", Value: "1024"}}}
		}, []string{
			"spec.securityContext.fsGroup: Invalid value: -5: must be between 0 and 2147483647, inclusive",
			`spec.securityContext.sysctls[0].name: Invalid value: "net.core.somaxconn": may not be specified when 'hostNetwork' is true`,
		}},
		{"hostUsers false with hostPID", func(p *corev1.Pod) {
			p.Spec.HostUsers = ptr.To(false)
			p.Spec.HostPID = true
		}, []string{"spec.HostPID: Forbidden: when `hostUsers` is false"}},
		// pod-level fields
		{"restart and dns policy", func(p *corev1.Pod) {
			p.Spec.RestartPolicy = "Sometimes"
			p.Spec.DNSPolicy = ""
		}, []string{
			`spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`,
			"spec.dnsPolicy: Required value",
		}},
		{"dnsPolicy None without config", func(p *corev1.Pod) { p.Spec.DNSPolicy = corev1.DNSNone }, []string{
			"spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None",
		}},
		{"grace period", func(p *corev1.Pod) { p.Spec.TerminationGracePeriodSeconds = ptr.To[int64](-1) }, []string{
			"spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0",
		}},
		{"active deadline", func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](0) }, []string{
			"spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive",
		}},
		{"names", func(p *corev1.Pod) {
			p.Spec.ServiceAccountName = "Bad"
			p.Spec.DeprecatedServiceAccount = "Bad"
			p.Spec.Hostname = "host_name"
			p.Spec.NodeSelector = map[string]string{"bad key/x/y": "v"}
		}, []string{
			`spec.nodeSelector: Invalid value: "bad key/x/y": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
			`spec.serviceAccountName: Invalid value: "Bad": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
			`spec.hostname: Invalid value: "host_name": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
		}},
		{"deprecated service account", func(p *corev1.Pod) { p.Spec.ServiceAccountName = "sa" }, []string{
			`spec.deprecatedServiceAccount: Invalid value: "": must be the same as serviceAccountName: "sa"`,
		}},
		{"tolerations", func(p *corev1.Pod) {
			p.Spec.Tolerations = []corev1.Toleration{
				{Operator: corev1.TolerationOpEqual, Value: "x"},
				{Key: "k", Operator: corev1.TolerationOpExists, Value: "v"},
				{Key: "k", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule, TolerationSeconds: ptr.To[int64](5)},
			}
		}, []string{
			"spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
			"spec.tolerations[1].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
			"spec.tolerations[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
		}},
		{"affinity", func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{
				NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{}},
				PodAntiAffinity: &corev1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
					Weight: 0, PodAffinityTerm: corev1.PodAffinityTerm{LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b"}}},
				}}},
			}
		}, []string{
			"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term",
			"spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100",
			"spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: Required value: can not be empty",
			`spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: Invalid value: "": name part must be non-empty`,
			`spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: Invalid value: "": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
		}},
		{"topology spread", func(p *corev1.Pod) {
			p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{
				{MaxSkew: 0, TopologyKey: "zone", WhenUnsatisfiable: corev1.DoNotSchedule},
				{MaxSkew: 1, TopologyKey: "zone", WhenUnsatisfiable: corev1.DoNotSchedule},
				{MaxSkew: 1, WhenUnsatisfiable: "Maybe"},
			}
		}, []string{
			"spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero",
			`spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}"`,
			"spec.topologySpreadConstraints[2].topologyKey: Required value: can not be empty",
			`spec.topologySpreadConstraints[2].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"`,
		}},
		{"scheduling gates and readiness gates", func(p *corev1.Pod) {
			p.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "a"}, {Name: "a"}}
			p.Spec.ReadinessGates = []corev1.PodReadinessGate{{ConditionType: "bad cond"}}
			p.Spec.NodeName = "node-1"
		}, []string{
			`spec.readinessGates[0].conditionType: Invalid value: "bad cond": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
			`spec.schedulingGates[1]: Duplicate value: "a"`,
			"spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared",
		}},
		{"image pull secrets", func(p *corev1.Pod) { p.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "reg"}} }, nil},
		{"ephemeral containers on create", func(p *corev1.Pod) {
			p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
				Name: "debug", Image: "busybox", ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			}}}
		}, []string{"spec.ephemeralContainers: Forbidden: cannot be set on create"}},
		{"os", func(p *corev1.Pod) {
			p.Spec.OS = &corev1.PodOS{Name: corev1.Windows}
			p.Spec.HostPID = true
		}, []string{"spec.hostPID: Forbidden: cannot be set for a windows pod"}},
		{"windows options", func(p *corev1.Pod) {
			p.Spec.OS = &corev1.PodOS{Name: corev1.Windows}
			p.Spec.SecurityContext = &corev1.PodSecurityContext{WindowsOptions: &corev1.WindowsSecurityContextOptions{
				RunAsUserName: ptr.To(`a\b\c`), HostProcess: ptr.To(true),
			}}
		}, []string{
			`spec.securityContext.windowsOptions.runAsUserName: Invalid value: "a\\b\\c": runAsUserName cannot contain more than one backslash`,
			"spec.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains any hostProcess containers",
		}},
		{"deletion cost", func(p *corev1.Pod) { p.Annotations = map[string]string{corev1.PodDeletionCost: "+1"} }, []string{
			`metadata.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "+1": must be a 32bit integer`,
		}},
		{"priority and runtime class", func(p *corev1.Pod) {
			p.Spec.PriorityClassName = "High"
			p.Spec.PreemptionPolicy = ptr.To[corev1.PreemptionPolicy]("Sometimes")
		}, []string{
			`spec.priorityClassName: Invalid value: "High": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
			`spec.preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"`,
		}},
		{"resource claims", func(p *corev1.Pod) {
			p.Spec.ResourceClaims = []corev1.PodResourceClaim{{Name: "gpu"}}
			p.Spec.Containers[0].Resources.Claims = []corev1.ResourceClaim{{Name: "tpu"}}
		}, []string{
			`spec.resourceClaims[0]: Invalid value: {"name":"gpu"}: must specify one of: ` + "`resourceClaimName`, `resourceClaimTemplateName`",
			`spec.containers[0].resources.claims[0]: Not found: "tpu": must be one of the names in pod.spec.resourceClaims: gpu`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := validPod()
			tc.change(p)
			checkErrors(t, validation.Pod(p), tc.want)
		})
	}
}

func TestPodUpdate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		old, again func(*corev1.Pod)
		want       []string
		wantPrefix string
	}{
		{name: "image", again: func(p *corev1.Pod) { p.Spec.Containers[0].Image = "nginx:1.28" }},
		{name: "labels", again: func(p *corev1.Pod) { p.Labels = map[string]string{"a": "b"} }},
		{name: "image removed", again: func(p *corev1.Pod) { p.Spec.Containers[0].Image = "" }, want: []string{
			// sic: upstream reports it twice, from the spec and from the update rules.
			"spec.containers[0].image: Required value", "spec.containers[0].image: Required value",
		}},
		{name: "container added", again: func(p *corev1.Pod) { p.Spec.Containers = append(p.Spec.Containers, container("two")) }, want: []string{
			"spec.containers: Forbidden: pod updates may not add or remove containers",
		}},
		{name: "active deadline shortened", old: func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](60) },
			again: func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](30) }},
		{name: "active deadline lengthened", old: func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](30) },
			again: func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](60) },
			want:  []string{"spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value"}},
		{name: "active deadline removed", old: func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](30) },
			again: func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = nil },
			want:  []string{"spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value"}},
		{name: "toleration added", again: func(p *corev1.Pod) {
			p.Spec.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists}}
		}},
		{name: "toleration changed", old: func(p *corev1.Pod) {
			p.Spec.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists}}
		}, again: func(p *corev1.Pod) {
			p.Spec.Tolerations = []corev1.Toleration{{Key: "j", Operator: corev1.TolerationOpExists}}
		}, want: []string{"spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"}},
		{name: "scheduling gate removed", old: func(p *corev1.Pod) { p.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "a"}, {Name: "b"}} },
			again: func(p *corev1.Pod) { p.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "b"}} }},
		{name: "scheduling gate added", again: func(p *corev1.Pod) { p.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "a"}} },
			want: []string{"spec.schedulingGates[0].name: Forbidden: only deletion is allowed, but found new scheduling gate 'a'"}},
		{name: "gated node selector added", old: func(p *corev1.Pod) { p.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "a"}} },
			again: func(p *corev1.Pod) { p.Spec.NodeSelector = map[string]string{"zone": "a"} }},
		{name: "mirror annotation added", again: func(p *corev1.Pod) {
			p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"}
		}, want: []string{
			// sic: upstream validates the annotations twice on update.
			`metadata.annotations[kubernetes.io/config.mirror]: Invalid value: "x": must set spec.nodeName if mirror pod annotation is set`,
			"metadata.annotations[kubernetes.io/config.mirror]: Forbidden: may not add mirror pod annotation",
			`metadata.annotations[kubernetes.io/config.mirror]: Invalid value: "x": must set spec.nodeName if mirror pod annotation is set`,
		}},
		{name: "restart policy", again: func(p *corev1.Pod) { p.Spec.RestartPolicy = corev1.RestartPolicyNever },
			wantPrefix: "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			old := validPod()
			if tc.old != nil {
				tc.old(old)
			}
			if errs := validation.Pod(old); len(errs) != 0 {
				t.Fatalf("old pod: got %v, want no errors", errs)
			}
			p := old.DeepCopy()
			tc.again(p)
			errs := validation.PodUpdate(p, old)
			if tc.wantPrefix != "" {
				if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), tc.wantPrefix) {
					t.Fatalf("got %q, want one error starting %q", errorStrings(errs), tc.wantPrefix)
				}
				return
			}
			checkErrors(t, errs, tc.want)
		})
	}
}

// TestPodUpdateAllowances: what the stored pod already broke stays
// allowed, so that the pod can still be updated.
func TestPodUpdateAllowances(t *testing.T) {
	t.Parallel()
	old := validPod()
	old.Annotations = map[string]string{corev1.PodDeletionCost: "007"}
	if errs := validation.Pod(old); len(errs) != 1 {
		t.Fatalf("create: got %q, want the deletion cost refused", errorStrings(errs))
	}
	p := old.DeepCopy()
	p.Labels = map[string]string{"a": "b"}
	checkErrors(t, validation.PodUpdate(p, old), nil)
}

func TestPodUpdateDiff(t *testing.T) {
	t.Parallel()
	old := validPod()
	p := old.DeepCopy()
	p.Spec.RestartPolicy = corev1.RestartPolicyNever
	errs := validation.PodUpdate(p, old)
	if len(errs) != 1 {
		t.Fatalf("got %q, want one error", errorStrings(errs))
	}
	// upstream diffs its internal types, which have no json tags.
	for _, want := range []string{"\n- \"RestartPolicy\": \"Always\",\n", "\n+ \"RestartPolicy\": \"Never\",\n", "\n  \"TerminationGracePeriodSeconds\": 30,\n"} {
		if !strings.Contains(errs[0].Detail, want) {
			t.Errorf("got detail %q, want it to contain %q", errs[0].Detail, want)
		}
	}
}

func TestPodStatusUpdate(t *testing.T) {
	t.Parallel()
	running := func() *corev1.Pod {
		p := validPod()
		p.Spec.NodeName = "node-1"
		p.Spec.RestartPolicy = corev1.RestartPolicyNever
		p.Status = corev1.PodStatus{
			Phase: corev1.PodRunning, QOSClass: corev1.PodQOSBestEffort,
			HostIP: "10.0.0.1", HostIPs: []corev1.HostIP{{IP: "10.0.0.1"}},
			PodIP: "10.1.0.5", PodIPs: []corev1.PodIP{{IP: "10.1.0.5"}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "app", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0}}}},
		}
		return p
	}
	for _, tc := range []struct {
		name   string
		change func(*corev1.Pod)
		want   []string
	}{
		{"condition", func(p *corev1.Pod) {
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}, {Type: "example.com/ready", Status: corev1.ConditionTrue}}
		}, nil},
		{"bad condition type", func(p *corev1.Pod) {
			p.Status.Conditions = []corev1.PodCondition{{Type: "bad type", Status: corev1.ConditionTrue}}
		}, []string{
			`status.conditions[0].Type: Invalid value: "bad type": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
		}},
		{"node name", func(p *corev1.Pod) { p.Spec.NodeName = "node-2" }, []string{"status.nodeName: Forbidden: may not be changed directly"}},
		{"nominated on bound pod", func(p *corev1.Pod) { p.Status.NominatedNodeName = "node-2" }, []string{
			"status.nominatedNodeName: Forbidden: may not be set on pods that are already bound to a node",
		}},
		{"qos", func(p *corev1.Pod) { p.Status.QOSClass = corev1.PodQOSGuaranteed }, []string{
			`status.qosClass: Invalid value: "Guaranteed": field is immutable`,
		}},
		{"terminated restarts", func(p *corev1.Pod) {
			p.Status.ContainerStatuses[0].State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
		}, []string{"status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state"}},
		{"pod IPs", func(p *corev1.Pod) {
			p.Status.PodIPs = []corev1.PodIP{{IP: "10.1.0.6"}, {IP: "10.1.0.7"}}
		}, []string{
			`status.podIPs: Invalid value: [{"ip":"10.1.0.6"},{"ip":"10.1.0.7"}]: may specify no more than one IP for each IP family`,
			"status.podIPs[0].ip: Invalid value: \"10.1.0.6\": must be equal to `podIP`",
		}},
		{"bad pod IP", func(p *corev1.Pod) { p.Status.PodIP, p.Status.PodIPs = "10.1.0.05", []corev1.PodIP{{IP: "10.1.0.05"}} }, []string{
			`status.podIPs[0]: Invalid value: "10.1.0.05": must not have leading 0s`,
		}},
		{"host IP mismatch", func(p *corev1.Pod) { p.Status.HostIP = "10.0.0.2" }, []string{
			"status.hostIPs[0].ip: Invalid value: \"10.0.0.1\": must be equal to `hostIP`",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			old := running()
			p := old.DeepCopy()
			tc.change(p)
			checkErrors(t, validation.PodStatusUpdate(p, old), tc.want)
		})
	}
}

func TestPodEphemeralContainersUpdate(t *testing.T) {
	t.Parallel()
	debug := corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
		Name: "debug", Image: "busybox", ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile,
	}}
	for _, tc := range []struct {
		name        string
		old, change func(*corev1.Pod)
		want        []string
	}{
		{name: "add", change: func(p *corev1.Pod) { p.Spec.EphemeralContainers = []corev1.EphemeralContainer{debug} }},
		{name: "target", change: func(p *corev1.Pod) {
			d := debug
			d.TargetContainerName = "nope"
			d.Ports = []corev1.ContainerPort{{ContainerPort: 80, Protocol: corev1.ProtocolTCP}}
			p.Spec.EphemeralContainers = []corev1.EphemeralContainer{d}
		}, want: []string{
			`spec.ephemeralContainers[0].targetContainerName: Not found: "nope"`,
			"spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container",
		}},
		{name: "name taken", change: func(p *corev1.Pod) {
			d := debug
			d.Name = "app"
			p.Spec.EphemeralContainers = []corev1.EphemeralContainer{d}
		}, want: []string{`spec.ephemeralContainers[0].name: Duplicate value: "app"`}},
		{name: "remove", old: func(p *corev1.Pod) { p.Spec.EphemeralContainers = []corev1.EphemeralContainer{debug} },
			change: func(p *corev1.Pod) { p.Spec.EphemeralContainers = nil },
			want:   []string{"spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debug\" may not be removed\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			old := validPod()
			if tc.old != nil {
				tc.old(old)
			}
			p := old.DeepCopy()
			tc.change(p)
			checkErrors(t, validation.PodEphemeralContainersUpdate(p, old), tc.want)
		})
	}
}

func TestPodTemplateUpdate(t *testing.T) {
	t.Parallel()
	old := &corev1.PodTemplate{Template: corev1.PodTemplateSpec{Spec: validPodSpec()}}
	t.Run("spec may change", func(t *testing.T) {
		t.Parallel()
		n := old.DeepCopy()
		n.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
		checkErrors(t, validation.PodTemplateUpdate(n, old), nil)
	})
	t.Run("still validated", func(t *testing.T) {
		t.Parallel()
		n := old.DeepCopy()
		n.Template.Spec.Containers[0].Image = ""
		checkErrors(t, validation.PodTemplateUpdate(n, old), []string{"template.spec.containers[0].image: Required value"})
	})
}

// TestPodKitchenSink: a pod using most fields the way controllers do is
// valid (false positives would break users' objects).
func TestPodKitchenSink(t *testing.T) {
	t.Parallel()
	p := validPod()
	p.Labels = map[string]string{"app": "web", "pod-template-hash": "abc"}
	p.Annotations = map[string]string{corev1.PodDeletionCost: "-5", "seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}
	spec := &p.Spec
	spec.ServiceAccountName, spec.DeprecatedServiceAccount = "web", "web"
	spec.NodeName = "node-1"
	spec.Hostname, spec.Subdomain = "web-0", "web"
	spec.PriorityClassName = "system-cluster-critical"
	spec.PreemptionPolicy = ptr.To(corev1.PreemptLowerPriority)
	spec.ActiveDeadlineSeconds = ptr.To[int64](600)
	spec.DNSPolicy = corev1.DNSNone
	spec.DNSConfig = &corev1.PodDNSConfig{Nameservers: []string{"10.96.0.10", "fd00::a"}, Searches: []string{"svc.cluster.local", "."}, Options: []corev1.PodDNSConfigOption{{Name: "ndots", Value: ptr.To("2")}}}
	spec.HostAliases = []corev1.HostAlias{{IP: "127.0.0.1", Hostnames: []string{"foo.local"}}}
	spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "registry"}}
	spec.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
	spec.OS = &corev1.PodOS{Name: corev1.Linux}
	spec.ReadinessGates = []corev1.PodReadinessGate{{ConditionType: "example.com/ready"}}
	spec.SecurityContext = &corev1.PodSecurityContext{
		RunAsUser: ptr.To[int64](1000), RunAsGroup: ptr.To[int64](1000), FSGroup: ptr.To[int64](2000), RunAsNonRoot: ptr.To(true),
		SupplementalGroups: []int64{3000}, FSGroupChangePolicy: ptr.To(corev1.FSGroupChangeOnRootMismatch),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		Sysctls:        []corev1.Sysctl{{Name: "net.ipv4.ip_local_port_range", Value: "1024 65535"}},
	}
	spec.Tolerations = []corev1.Toleration{
		{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](300)},
		{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "web", Effect: corev1.TaintEffectNoSchedule},
		{Operator: corev1.TolerationOpExists},
	}
	spec.Affinity = &corev1.Affinity{
		NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "topology.kubernetes.io/zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"a", "b"}}},
				MatchFields:      []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{"node-1"}}},
			}}},
			PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{{Weight: 10, Preference: corev1.NodeSelectorTerm{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "disk", Operator: corev1.NodeSelectorOpExists}},
			}}},
		},
		PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, TopologyKey: "kubernetes.io/hostname",
			MatchLabelKeys: []string{"pod-template-hash"},
		}}},
	}
	spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
		MaxSkew: 1, TopologyKey: "topology.kubernetes.io/zone", WhenUnsatisfiable: corev1.DoNotSchedule, MinDomains: ptr.To[int32](2),
		LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, MatchLabelKeys: []string{"pod-template-hash"},
		NodeAffinityPolicy: ptr.To(corev1.NodeInclusionPolicyHonor),
	}}
	spec.ResourceClaims = []corev1.PodResourceClaim{{Name: "gpu", ResourceClaimTemplateName: ptr.To("gpu-template")}}
	spec.Volumes = []corev1.Volume{
		{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory, SizeLimit: ptr.To(resource.MustParse("64Mi"))}}},
		{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "web"}, DefaultMode: ptr.To[int32](0644), Items: []corev1.KeyToPath{{Key: "nginx.conf", Path: "conf/nginx.conf"}}}}},
		{Name: "tls", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "web-tls", DefaultMode: ptr.To[int32](0400), Optional: ptr.To(true)}}},
		{Name: "claim", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "web-data"}}},
		{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log", Type: ptr.To(corev1.HostPathDirectory)}}},
		{Name: "info", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{DefaultMode: ptr.To[int32](0644), Items: []corev1.DownwardAPIVolumeFile{
			{Path: "labels", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.labels"}},
			{Path: "cpu", ResourceFieldRef: &corev1.ResourceFieldSelector{ContainerName: "app", Resource: "limits.cpu", Divisor: resource.MustParse("1m")}},
		}}}},
		{Name: "kube-api-access-abcde", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{DefaultMode: ptr.To[int32](0644), Sources: []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr.To[int64](3607)}},
			{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"}, Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
			{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
		}}}},
		{Name: "scratch", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"type": "scratch"}},
			Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, StorageClassName: ptr.To("fast"),
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}},
		}}}},
		{Name: "csi", VolumeSource: corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{Driver: "secrets-store.csi.k8s.io", ReadOnly: ptr.To(true)}}},
		{Name: "image", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "registry.example/data:1", PullPolicy: corev1.PullIfNotPresent}}},
	}
	app := &spec.Containers[0]
	app.Command, app.Args, app.WorkingDir = []string{"nginx"}, []string{"-g", "daemon off;"}, "/srv"
	app.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}, {Name: "metrics", ContainerPort: 9090, Protocol: corev1.ProtocolTCP, HostPort: 9090}}
	app.Env = []corev1.EnvVar{
		{Name: "PLAIN", Value: "x"},
		{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}},
		{Name: "POD_IPS", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "status.podIPs"}}},
		{Name: "APP_LABEL", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.labels['app']"}}},
		{Name: "MEM", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.memory", Divisor: resource.MustParse("1Mi")}}},
		{Name: "PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}},
		{Name: "my.dotted-name", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "web"}, Key: "mode", Optional: ptr.To(true)}}},
	}
	app.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "web"}}}, {Prefix: "DB_", SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}}}}
	app.VolumeMounts = []corev1.VolumeMount{
		{Name: "data", MountPath: "/data"}, {Name: "config", MountPath: "/etc/nginx/nginx.conf", SubPath: "conf/nginx.conf", ReadOnly: true},
		{Name: "tls", MountPath: "/tls", ReadOnly: true, RecursiveReadOnly: ptr.To(corev1.RecursiveReadOnlyIfPossible)},
		{Name: "claim", MountPath: "/srv", SubPathExpr: "$(POD_NAME)"}, {Name: "host", MountPath: "/host/log", MountPropagation: ptr.To(corev1.MountPropagationHostToContainer)},
		{Name: "info", MountPath: "/info"}, {Name: "kube-api-access-abcde", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true},
		{Name: "scratch", MountPath: "/scratch"}, {Name: "csi", MountPath: "/secrets"}, {Name: "image", MountPath: "/model"},
	}
	app.Resources = corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi"), "example.com/gpu": resource.MustParse("1")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("256Mi"), "example.com/gpu": resource.MustParse("1"), "hugepages-2Mi": resource.MustParse("4Mi")},
		Claims:   []corev1.ResourceClaim{{Name: "gpu"}},
	}
	app.ResizePolicy = []corev1.ContainerResizePolicy{{ResourceName: corev1.ResourceCPU, RestartPolicy: corev1.NotRequired}, {ResourceName: corev1.ResourceMemory, RestartPolicy: corev1.RestartContainer}}
	probe := func(h corev1.ProbeHandler) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: h, InitialDelaySeconds: 5, TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3}
	}
	app.LivenessProbe = probe(corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http"), Scheme: corev1.URISchemeHTTP, HTTPHeaders: []corev1.HTTPHeader{{Name: "X-Probe", Value: "1"}}}})
	app.LivenessProbe.TerminationGracePeriodSeconds = ptr.To[int64](10)
	app.ReadinessProbe = probe(corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}})
	app.StartupProbe = probe(corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090, Service: ptr.To("health")}})
	app.Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 5}}, PostStart: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}, StopSignal: ptr.To(corev1.SIGQUIT)}
	app.SecurityContext = &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false), ReadOnlyRootFilesystem: ptr.To(true), RunAsNonRoot: ptr.To(true),
		Capabilities:    &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}, Add: []corev1.Capability{"NET_BIND_SERVICE"}},
		SeccompProfile:  &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost, LocalhostProfile: ptr.To("profiles/web.json")},
		AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault},
		ProcMount:       ptr.To(corev1.DefaultProcMount),
	}
	sidecar := container("proxy")
	sidecar.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
	sidecar.ReadinessProbe = probe(corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"ready"}}})
	sidecar.Ports = []corev1.ContainerPort{{ContainerPort: 15001, Protocol: corev1.ProtocolTCP}}
	initC := container("migrate")
	initC.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyNever)
	initC.RestartPolicyRules = []corev1.ContainerRestartRule{{Action: corev1.ContainerRestartRuleActionRestart, ExitCodes: &corev1.ContainerRestartRuleOnExitCodes{Operator: corev1.ContainerRestartRuleOnExitCodesOpIn, Values: []int32{42}}}}
	spec.InitContainers = []corev1.Container{initC, sidecar}
	block := container("block")
	spec.Volumes = append(spec.Volumes, corev1.Volume{Name: "raw", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "raw"}}})
	block.VolumeDevices = []corev1.VolumeDevice{{Name: "raw", DevicePath: "/dev/xvdb"}, {Name: "scratch", DevicePath: "/dev/xvdc"}}
	spec.Containers = append(spec.Containers, block)
	spec.Overhead = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m")}
	spec.Resources = &corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")}, Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}}

	checkErrors(t, validation.Pod(p), nil)
	tmpl := &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: p.Labels}, Spec: *spec.DeepCopy()}
	checkErrors(t, validation.PodTemplateSpec(tmpl, field.NewPath("template")), nil)
}
