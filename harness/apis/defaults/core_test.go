package defaults_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

var meta = metav1.ObjectMeta{Name: "x", Namespace: "ns"}

func quantities(kv ...string) corev1.ResourceList {
	l := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

// minimalPodSpec is the smallest pod spec a user writes: one container.
func minimalPodSpec() corev1.PodSpec {
	return corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}}
}

// defaultedPodSpec is minimalPodSpec as every pod template carries it after
// defaulting (upstream SetDefaults_PodSpec and SetDefaults_Container).
func defaultedPodSpec() corev1.PodSpec {
	return corev1.PodSpec{
		Containers: []corev1.Container{{
			Name:                     "app",
			Image:                    "nginx:1.27",
			TerminationMessagePath:   "/dev/termination-log",
			TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			ImagePullPolicy:          corev1.PullIfNotPresent,
		}},
		RestartPolicy:                 corev1.RestartPolicyAlways,
		TerminationGracePeriodSeconds: ptr.To[int64](30),
		DNSPolicy:                     corev1.DNSClusterFirst,
		SecurityContext:               &corev1.PodSecurityContext{},
		SchedulerName:                 "default-scheduler",
	}
}

// defaultedPod is a Pod of minimalPodSpec after defaulting: the template
// defaults plus the Pod-only enableServiceLinks.
func defaultedPod() *corev1.Pod {
	spec := defaultedPodSpec()
	spec.EnableServiceLinks = ptr.To(true)
	return &corev1.Pod{ObjectMeta: meta, Spec: spec}
}

func TestPodDefaults(t *testing.T) {
	t.Parallel()
	podWith := func(edit func(*corev1.PodSpec)) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: meta, Spec: minimalPodSpec()}
		edit(&p.Spec)
		return p
	}
	defaultedWith := func(edit func(*corev1.Pod)) *corev1.Pod {
		p := defaultedPod()
		edit(p)
		return p
	}
	runGolden(t, []goldenCase{
		{
			name: "minimal",
			in:   &corev1.Pod{ObjectMeta: meta, Spec: minimalPodSpec()},
			want: defaultedPod(),
		},
		{
			name: "containers in full",
			in: podWith(func(s *corev1.PodSpec) {
				c := &s.Containers[0]
				c.Ports = []corev1.ContainerPort{{ContainerPort: 80}, {ContainerPort: 53, Protocol: corev1.ProtocolUDP}}
				c.Env = []corev1.EnvVar{
					{Name: "A", Value: "a"},
					{Name: "POD", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
					{Name: "F", ValueFrom: &corev1.EnvVarSource{FileKeyRef: &corev1.FileKeySelector{VolumeName: "v", Path: "p", Key: "k"}}},
				}
				c.LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromInt32(8080)}}}
				c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090}}, PeriodSeconds: 5}
				c.StartupProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(80)}}}
				c.Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromString("http")}}}
				c.Resources = corev1.ResourceRequirements{Limits: quantities("cpu", "1", "memory", "1Gi")}
				s.InitContainers = []corev1.Container{{Name: "init", Image: "busybox", ImagePullPolicy: corev1.PullNever}}
				s.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
					Name: "debug", Image: "busybox:latest", Ports: []corev1.ContainerPort{{ContainerPort: 1}},
				}}}
			}),
			want: defaultedWith(func(p *corev1.Pod) {
				c := &p.Spec.Containers[0]
				c.Ports = []corev1.ContainerPort{{ContainerPort: 80, Protocol: corev1.ProtocolTCP}, {ContainerPort: 53, Protocol: corev1.ProtocolUDP}}
				c.Env = []corev1.EnvVar{
					{Name: "A", Value: "a"},
					{Name: "POD", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}},
					{Name: "F", ValueFrom: &corev1.EnvVarSource{FileKeyRef: &corev1.FileKeySelector{VolumeName: "v", Path: "p", Key: "k", Optional: ptr.To(false)}}},
				}
				c.LivenessProbe = &corev1.Probe{
					ProbeHandler:   corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(8080), Scheme: corev1.URISchemeHTTP}},
					TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3,
				}
				c.ReadinessProbe = &corev1.Probe{
					ProbeHandler:   corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090, Service: ptr.To("")}},
					TimeoutSeconds: 1, PeriodSeconds: 5, SuccessThreshold: 1, FailureThreshold: 3,
				}
				c.StartupProbe = &corev1.Probe{
					ProbeHandler:   corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(80)}},
					TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3,
				}
				c.Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{
					Path: "/", Port: intstr.FromString("http"), Scheme: corev1.URISchemeHTTP,
				}}}
				// Limits without requests: a Pod's requests default to its limits.
				c.Resources = corev1.ResourceRequirements{
					Limits:   quantities("cpu", "1", "memory", "1Gi"),
					Requests: quantities("cpu", "1", "memory", "1Gi"),
				}
				p.Spec.InitContainers = []corev1.Container{{
					Name: "init", Image: "busybox", ImagePullPolicy: corev1.PullNever,
					TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
				}}
				p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
					Name: "debug", Image: "busybox:latest", Ports: []corev1.ContainerPort{{ContainerPort: 1, Protocol: corev1.ProtocolTCP}},
					TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
					ImagePullPolicy: corev1.PullAlways,
				}}}
			}),
		},
		{
			name: "requests kept and completed from limits, init containers too",
			in: podWith(func(s *corev1.PodSpec) {
				s.Containers[0].Resources = corev1.ResourceRequirements{Limits: quantities("cpu", "2", "memory", "1Gi"), Requests: quantities("cpu", "500m")}
				s.InitContainers = []corev1.Container{{Name: "init", Image: "busybox:1", Resources: corev1.ResourceRequirements{Limits: quantities("cpu", "1")}}}
			}),
			want: defaultedWith(func(p *corev1.Pod) {
				p.Spec.Containers[0].Resources = corev1.ResourceRequirements{
					Limits:   quantities("cpu", "2", "memory", "1Gi"),
					Requests: quantities("cpu", "500m", "memory", "1Gi"),
				}
				p.Spec.InitContainers = []corev1.Container{{
					Name: "init", Image: "busybox:1", ImagePullPolicy: corev1.PullIfNotPresent,
					TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
					Resources: corev1.ResourceRequirements{Limits: quantities("cpu", "1"), Requests: quantities("cpu", "1")},
				}}
			}),
		},
		{
			name: "quantities round up to milli",
			in: podWith(func(s *corev1.PodSpec) {
				s.Containers[0].Resources = corev1.ResourceRequirements{Requests: quantities("cpu", "0.0001")}
				s.Overhead = quantities("cpu", "1.00001")
			}),
			want: defaultedWith(func(p *corev1.Pod) {
				p.Spec.Containers[0].Resources = corev1.ResourceRequirements{Requests: quantities("cpu", "1m")}
				p.Spec.Overhead = quantities("cpu", "1001m")
			}),
		},
		{
			name: "hostNetwork copies container ports to host ports",
			in: podWith(func(s *corev1.PodSpec) {
				s.HostNetwork = true
				s.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 8080}, {ContainerPort: 9090, HostPort: 9090}}
				s.InitContainers = []corev1.Container{{Name: "init", Image: "busybox:1", Ports: []corev1.ContainerPort{{ContainerPort: 70}}}}
			}),
			want: defaultedWith(func(p *corev1.Pod) {
				p.Spec.HostNetwork = true
				p.Spec.Containers[0].Ports = []corev1.ContainerPort{
					{ContainerPort: 8080, HostPort: 8080, Protocol: corev1.ProtocolTCP},
					{ContainerPort: 9090, HostPort: 9090, Protocol: corev1.ProtocolTCP},
				}
				p.Spec.InitContainers = []corev1.Container{{
					Name: "init", Image: "busybox:1", ImagePullPolicy: corev1.PullIfNotPresent,
					TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
					Ports: []corev1.ContainerPort{{ContainerPort: 70, HostPort: 70, Protocol: corev1.ProtocolTCP}},
				}}
			}),
		},
		{
			name: "set fields are kept",
			in: podWith(func(s *corev1.PodSpec) {
				s.RestartPolicy = corev1.RestartPolicyNever
				s.DNSPolicy = corev1.DNSDefault
				s.SchedulerName = "custom"
				s.TerminationGracePeriodSeconds = ptr.To[int64](5)
				s.EnableServiceLinks = ptr.To(false)
				s.SecurityContext = &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](1000)}
				s.Containers[0].TerminationMessagePath = "/tmp/log"
				s.Containers[0].TerminationMessagePolicy = corev1.TerminationMessageFallbackToLogsOnError
			}),
			want: defaultedWith(func(p *corev1.Pod) {
				p.Spec.RestartPolicy = corev1.RestartPolicyNever
				p.Spec.DNSPolicy = corev1.DNSDefault
				p.Spec.SchedulerName = "custom"
				p.Spec.TerminationGracePeriodSeconds = ptr.To[int64](5)
				p.Spec.EnableServiceLinks = ptr.To(false)
				p.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](1000)}
				p.Spec.Containers[0].TerminationMessagePath = "/tmp/log"
				p.Spec.Containers[0].TerminationMessagePolicy = corev1.TerminationMessageFallbackToLogsOnError
			}),
		},
		{
			name: "negative grace period becomes 1 on a Pod",
			in:   podWith(func(s *corev1.PodSpec) { s.TerminationGracePeriodSeconds = ptr.To[int64](-5) }),
			want: defaultedWith(func(p *corev1.Pod) { p.Spec.TerminationGracePeriodSeconds = ptr.To[int64](1) }),
		},
		{
			name: "deprecated serviceAccount fills serviceAccountName",
			in:   podWith(func(s *corev1.PodSpec) { s.DeprecatedServiceAccount = "old" }),
			want: defaultedWith(func(p *corev1.Pod) { p.Spec.ServiceAccountName, p.Spec.DeprecatedServiceAccount = "old", "old" }),
		},
		{
			name: "serviceAccountName wins over serviceAccount",
			in:   podWith(func(s *corev1.PodSpec) { s.ServiceAccountName, s.DeprecatedServiceAccount = "new", "old" }),
			want: defaultedWith(func(p *corev1.Pod) { p.Spec.ServiceAccountName, p.Spec.DeprecatedServiceAccount = "new", "new" }),
		},
		{
			name: "volumes",
			in: podWith(func(s *corev1.PodSpec) {
				s.Volumes = []corev1.Volume{
					{Name: "none"},
					{Name: "secret", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s"}}},
					{Name: "cm", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
						LocalObjectReference: corev1.LocalObjectReference{Name: "c"}, DefaultMode: ptr.To[int32](0o400),
					}}},
					{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var"}}},
					{Name: "down", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{Items: []corev1.DownwardAPIVolumeFile{
						{Path: "name", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}},
					}}}},
					{Name: "proj", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
						{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}},
						{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{
							{Path: "ns", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}},
						}}},
						{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}}},
					}}}},
					{Name: "eph", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{
						VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{Spec: corev1.PersistentVolumeClaimSpec{
							Resources: corev1.VolumeResourceRequirements{Requests: quantities("storage", "1Gi")},
						}},
					}}},
					{Name: "img", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "registry.io/data"}}},
					{Name: "img-tag", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "registry.io/data:v1"}}},
					{Name: "rbd", VolumeSource: corev1.VolumeSource{RBD: &corev1.RBDVolumeSource{CephMonitors: []string{"m"}, RBDImage: "i"}}},
					{Name: "iscsi", VolumeSource: corev1.VolumeSource{ISCSI: &corev1.ISCSIVolumeSource{TargetPortal: "t", IQN: "q"}}},
					{Name: "azure", VolumeSource: corev1.VolumeSource{AzureDisk: &corev1.AzureDiskVolumeSource{DiskName: "d", DataDiskURI: "u"}}},
					{Name: "sio", VolumeSource: corev1.VolumeSource{ScaleIO: &corev1.ScaleIOVolumeSource{Gateway: "g", System: "s"}}},
					{Name: "empty", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}},
				}
			}),
			want: defaultedWith(func(p *corev1.Pod) {
				p.Spec.Volumes = []corev1.Volume{
					{Name: "none", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
					{Name: "secret", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s", DefaultMode: ptr.To[int32](0o644)}}},
					{Name: "cm", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
						LocalObjectReference: corev1.LocalObjectReference{Name: "c"}, DefaultMode: ptr.To[int32](0o400),
					}}},
					{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var", Type: ptr.To(corev1.HostPathUnset)}}},
					{Name: "down", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{
						Items: []corev1.DownwardAPIVolumeFile{
							{Path: "name", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}},
						},
						DefaultMode: ptr.To[int32](0o644),
					}}},
					{Name: "proj", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
						Sources: []corev1.VolumeProjection{
							{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr.To[int64](3600)}},
							{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{
								{Path: "ns", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}},
							}}},
							{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}}},
						},
						DefaultMode: ptr.To[int32](0o644),
					}}},
					{Name: "eph", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{
						VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{Spec: corev1.PersistentVolumeClaimSpec{
							Resources:  corev1.VolumeResourceRequirements{Requests: quantities("storage", "1Gi")},
							VolumeMode: ptr.To(corev1.PersistentVolumeFilesystem),
						}},
					}}},
					{Name: "img", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "registry.io/data", PullPolicy: corev1.PullAlways}}},
					{Name: "img-tag", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "registry.io/data:v1", PullPolicy: corev1.PullIfNotPresent}}},
					{Name: "rbd", VolumeSource: corev1.VolumeSource{RBD: &corev1.RBDVolumeSource{
						CephMonitors: []string{"m"}, RBDImage: "i", RBDPool: "rbd", RadosUser: "admin", Keyring: "/etc/ceph/keyring",
					}}},
					{Name: "iscsi", VolumeSource: corev1.VolumeSource{ISCSI: &corev1.ISCSIVolumeSource{TargetPortal: "t", IQN: "q", ISCSIInterface: "default"}}},
					{Name: "azure", VolumeSource: corev1.VolumeSource{AzureDisk: &corev1.AzureDiskVolumeSource{
						DiskName: "d", DataDiskURI: "u",
						CachingMode: ptr.To(corev1.AzureDataDiskCachingReadWrite), FSType: ptr.To("ext4"),
						ReadOnly: ptr.To(false), Kind: ptr.To(corev1.AzureSharedBlobDisk),
					}}},
					{Name: "sio", VolumeSource: corev1.VolumeSource{ScaleIO: &corev1.ScaleIOVolumeSource{
						Gateway: "g", System: "s", StorageMode: "ThinProvisioned", FSType: "xfs",
					}}},
					{Name: "empty", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}},
				}
			}),
		},
		{
			name: "status podIP and podIPs kept in step",
			in: &corev1.Pod{ObjectMeta: meta, Spec: minimalPodSpec(), Status: corev1.PodStatus{
				PodIP:             "10.0.0.1",
				PodIPs:            []corev1.PodIP{{IP: "10.0.0.2"}},
				ContainerStatuses: []corev1.ContainerStatus{{Name: "app", AllocatedResources: quantities("cpu", "0.0005")}},
			}},
			want: defaultedWith(func(p *corev1.Pod) {
				p.Status = corev1.PodStatus{
					PodIP:             "10.0.0.1",
					PodIPs:            []corev1.PodIP{{IP: "10.0.0.1"}},
					ContainerStatuses: []corev1.ContainerStatus{{Name: "app", AllocatedResources: quantities("cpu", "1m")}},
				}
			}),
		},
		{
			name: "status podIP from podIPs",
			in:   &corev1.Pod{ObjectMeta: meta, Spec: minimalPodSpec(), Status: corev1.PodStatus{PodIPs: []corev1.PodIP{{IP: "fd00::1"}, {IP: "10.0.0.1"}}}},
			want: defaultedWith(func(p *corev1.Pod) {
				p.Status = corev1.PodStatus{PodIP: "fd00::1", PodIPs: []corev1.PodIP{{IP: "fd00::1"}, {IP: "10.0.0.1"}}}
			}),
		},
		{
			name: "list defaults its items",
			in:   &corev1.PodList{Items: []corev1.Pod{{ObjectMeta: meta, Spec: minimalPodSpec()}}},
			want: &corev1.PodList{Items: []corev1.Pod{*defaultedPod()}},
		},
	})
}

func TestImagePullPolicy(t *testing.T) {
	t.Parallel()
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	cases := []struct {
		image string
		want  corev1.PullPolicy
	}{
		{"nginx", corev1.PullAlways},
		{"nginx:latest", corev1.PullAlways},
		{"nginx:1.27", corev1.PullIfNotPresent},
		{"library/nginx:Latest", corev1.PullIfNotPresent},
		{"registry.k8s.io/pause", corev1.PullAlways},
		{"registry.k8s.io/pause:3.10", corev1.PullIfNotPresent},
		{"localhost:5000/app", corev1.PullAlways},
		{"localhost:5000/app:latest", corev1.PullAlways},
		{"localhost:5000/app:dev", corev1.PullIfNotPresent},
		{"[::1]:5000/app", corev1.PullAlways},
		{"nginx@" + digest, corev1.PullIfNotPresent},
		{"nginx:latest@" + digest, corev1.PullAlways},
		{"nginx:1.27@" + digest, corev1.PullIfNotPresent},
		// References that do not parse get IfNotPresent.
		{"", corev1.PullIfNotPresent},
		{"Nginx", corev1.PullIfNotPresent},
		{"nginx@sha256:abc", corev1.PullIfNotPresent},
		{"nginx:latest@sha256:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789", corev1.PullIfNotPresent},
		{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", corev1.PullIfNotPresent},
		{"nginx:", corev1.PullIfNotPresent},
	}
	s := newScheme(t)
	for _, tc := range cases {
		t.Run(tc.image, func(t *testing.T) {
			t.Parallel()
			pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: tc.image}}}}
			s.Default(pod)
			if got := pod.Spec.Containers[0].ImagePullPolicy; got != tc.want {
				t.Errorf("image %q: got pull policy %s, want %s", tc.image, got, tc.want)
			}
		})
	}
}

func TestPodTemplateDefaults(t *testing.T) {
	t.Parallel()
	// A template gets the pod spec defaults but none of the Pod-only ones:
	// no requests from limits, no enableServiceLinks, no host ports.
	in := minimalPodSpec()
	in.HostNetwork = true
	in.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80}}
	in.Containers[0].Resources.Limits = quantities("cpu", "1")
	want := defaultedPodSpec()
	want.HostNetwork = true
	want.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, Protocol: corev1.ProtocolTCP}}
	want.Containers[0].Resources.Limits = quantities("cpu", "1")
	runGolden(t, []goldenCase{
		{
			name: "pod-only defaults are not applied",
			in:   &corev1.PodTemplate{ObjectMeta: meta, Template: corev1.PodTemplateSpec{Spec: in}},
			want: &corev1.PodTemplate{ObjectMeta: meta, Template: corev1.PodTemplateSpec{Spec: want}},
		},
		{
			name: "list",
			in:   &corev1.PodTemplateList{Items: []corev1.PodTemplate{{Template: corev1.PodTemplateSpec{Spec: minimalPodSpec()}}}},
			want: &corev1.PodTemplateList{Items: []corev1.PodTemplate{{Template: corev1.PodTemplateSpec{Spec: defaultedPodSpec()}}}},
		},
	})
}

func TestReplicationControllerDefaults(t *testing.T) {
	t.Parallel()
	labels := map[string]string{"app": "web"}
	runGolden(t, []goldenCase{
		{
			name: "selector and labels from template",
			in: &corev1.ReplicationController{ObjectMeta: metav1.ObjectMeta{Name: "rc"}, Spec: corev1.ReplicationControllerSpec{
				Template: &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: minimalPodSpec()},
			}},
			want: &corev1.ReplicationController{ObjectMeta: metav1.ObjectMeta{Name: "rc", Labels: labels}, Spec: corev1.ReplicationControllerSpec{
				Replicas: ptr.To[int32](1),
				Selector: labels,
				Template: &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: defaultedPodSpec()},
			}},
		},
		{
			name: "set selector, labels and replicas kept",
			in: &corev1.ReplicationController{ObjectMeta: metav1.ObjectMeta{Name: "rc", Labels: map[string]string{"own": "1"}}, Spec: corev1.ReplicationControllerSpec{
				Replicas: ptr.To[int32](0),
				Selector: map[string]string{"sel": "1"},
				Template: &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: minimalPodSpec()},
			}},
			want: &corev1.ReplicationController{ObjectMeta: metav1.ObjectMeta{Name: "rc", Labels: map[string]string{"own": "1"}}, Spec: corev1.ReplicationControllerSpec{
				Replicas: ptr.To[int32](0),
				Selector: map[string]string{"sel": "1"},
				Template: &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: defaultedPodSpec()},
			}},
		},
		{
			name: "no template",
			in:   &corev1.ReplicationControllerList{Items: []corev1.ReplicationController{{}}},
			want: &corev1.ReplicationControllerList{Items: []corev1.ReplicationController{{Spec: corev1.ReplicationControllerSpec{Replicas: ptr.To[int32](1)}}}},
		},
	})
}

func TestServiceDefaults(t *testing.T) {
	t.Parallel()
	ports := func() []corev1.ServicePort {
		return []corev1.ServicePort{{Name: "http", Port: 80}, {Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromString("dns")}}
	}
	defaultedPorts := func() []corev1.ServicePort {
		return []corev1.ServicePort{
			{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(80)},
			{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromString("dns")},
		}
	}
	svc := func(spec corev1.ServiceSpec) *corev1.Service { return &corev1.Service{ObjectMeta: meta, Spec: spec} }
	cluster := ptr.To(corev1.ServiceInternalTrafficPolicyCluster)
	runGolden(t, []goldenCase{
		{
			name: "ClusterIP by default",
			in:   svc(corev1.ServiceSpec{Ports: ports(), Selector: map[string]string{"app": "web"}}),
			want: svc(corev1.ServiceSpec{
				Ports: defaultedPorts(), Selector: map[string]string{"app": "web"},
				Type: corev1.ServiceTypeClusterIP, SessionAffinity: corev1.ServiceAffinityNone, InternalTrafficPolicy: cluster,
			}),
		},
		{
			name: "headless",
			in:   svc(corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone, Ports: ports()}),
			want: svc(corev1.ServiceSpec{
				ClusterIP: corev1.ClusterIPNone, Ports: defaultedPorts(),
				Type: corev1.ServiceTypeClusterIP, SessionAffinity: corev1.ServiceAffinityNone, InternalTrafficPolicy: cluster,
			}),
		},
		{
			name: "ClusterIP with external IPs gets an external policy",
			in:   svc(corev1.ServiceSpec{Ports: ports(), ExternalIPs: []string{"1.2.3.4"}}),
			want: svc(corev1.ServiceSpec{
				Ports: defaultedPorts(), ExternalIPs: []string{"1.2.3.4"},
				Type: corev1.ServiceTypeClusterIP, SessionAffinity: corev1.ServiceAffinityNone, InternalTrafficPolicy: cluster,
				ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyCluster,
			}),
		},
		{
			name: "NodePort",
			in:   svc(corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: ports()}),
			want: svc(corev1.ServiceSpec{
				Type: corev1.ServiceTypeNodePort, Ports: defaultedPorts(), SessionAffinity: corev1.ServiceAffinityNone,
				InternalTrafficPolicy: cluster, ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyCluster,
			}),
		},
		{
			name: "LoadBalancer",
			in: &corev1.Service{ObjectMeta: meta, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Ports: ports()},
				Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "1.2.3.4"}, {Hostname: "lb.example"}}}}},
			want: &corev1.Service{ObjectMeta: meta, Spec: corev1.ServiceSpec{
				Type: corev1.ServiceTypeLoadBalancer, Ports: defaultedPorts(), SessionAffinity: corev1.ServiceAffinityNone,
				InternalTrafficPolicy: cluster, ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyCluster,
				AllocateLoadBalancerNodePorts: ptr.To(true),
			}, Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{
				{IP: "1.2.3.4", IPMode: ptr.To(corev1.LoadBalancerIPModeVIP)}, {Hostname: "lb.example"},
			}}}},
		},
		{
			name: "LoadBalancer with set policies",
			in: svc(corev1.ServiceSpec{
				Type: corev1.ServiceTypeLoadBalancer, Ports: ports(), AllocateLoadBalancerNodePorts: ptr.To(false),
				ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal, InternalTrafficPolicy: ptr.To(corev1.ServiceInternalTrafficPolicyLocal),
			}),
			want: svc(corev1.ServiceSpec{
				Type: corev1.ServiceTypeLoadBalancer, Ports: defaultedPorts(), SessionAffinity: corev1.ServiceAffinityNone,
				AllocateLoadBalancerNodePorts: ptr.To(false), ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal,
				InternalTrafficPolicy: ptr.To(corev1.ServiceInternalTrafficPolicyLocal),
			}),
		},
		{
			name: "ExternalName gets no traffic policies",
			in:   svc(corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "db.example"}),
			want: svc(corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "db.example", SessionAffinity: corev1.ServiceAffinityNone}),
		},
		{
			name: "ClientIP affinity gets a 3h timeout",
			in:   svc(corev1.ServiceSpec{SessionAffinity: corev1.ServiceAffinityClientIP}),
			want: svc(corev1.ServiceSpec{
				Type: corev1.ServiceTypeClusterIP, InternalTrafficPolicy: cluster, SessionAffinity: corev1.ServiceAffinityClientIP,
				SessionAffinityConfig: &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr.To[int32](10800)}},
			}),
		},
		{
			name: "affinity config dropped without ClientIP affinity",
			in: svc(corev1.ServiceSpec{
				SessionAffinityConfig: &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr.To[int32](60)}},
			}),
			want: svc(corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, InternalTrafficPolicy: cluster, SessionAffinity: corev1.ServiceAffinityNone}),
		},
		{
			name: "list",
			in:   &corev1.ServiceList{Items: []corev1.Service{{}}},
			want: &corev1.ServiceList{Items: []corev1.Service{{Spec: corev1.ServiceSpec{
				Type: corev1.ServiceTypeClusterIP, InternalTrafficPolicy: cluster, SessionAffinity: corev1.ServiceAffinityNone,
			}}}},
		},
	})
}

func TestVolumeDefaults(t *testing.T) {
	t.Parallel()
	runGolden(t, []goldenCase{
		{
			name: "PersistentVolume",
			in: &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv"}, Spec: corev1.PersistentVolumeSpec{
				Capacity:               quantities("storage", "1.5Gi"),
				PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/data"}},
			}},
			want: &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv"}, Spec: corev1.PersistentVolumeSpec{
				Capacity:                      quantities("storage", "1.5Gi"),
				PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/data", Type: ptr.To(corev1.HostPathUnset)}},
				PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
				VolumeMode:                    ptr.To(corev1.PersistentVolumeFilesystem),
			}, Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumePending}},
		},
		{
			name: "PersistentVolume sources",
			in: &corev1.PersistentVolumeList{Items: []corev1.PersistentVolume{{Spec: corev1.PersistentVolumeSpec{
				PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
				VolumeMode:                    ptr.To(corev1.PersistentVolumeBlock),
				PersistentVolumeSource: corev1.PersistentVolumeSource{
					RBD:       &corev1.RBDPersistentVolumeSource{RBDImage: "i"},
					ISCSI:     &corev1.ISCSIPersistentVolumeSource{IQN: "q"},
					AzureDisk: &corev1.AzureDiskVolumeSource{DiskName: "d", FSType: ptr.To("xfs")},
					ScaleIO:   &corev1.ScaleIOPersistentVolumeSource{Gateway: "g"},
				},
			}, Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumeBound}}}},
			want: &corev1.PersistentVolumeList{Items: []corev1.PersistentVolume{{Spec: corev1.PersistentVolumeSpec{
				PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
				VolumeMode:                    ptr.To(corev1.PersistentVolumeBlock),
				PersistentVolumeSource: corev1.PersistentVolumeSource{
					RBD:   &corev1.RBDPersistentVolumeSource{RBDImage: "i", RBDPool: "rbd", RadosUser: "admin", Keyring: "/etc/ceph/keyring"},
					ISCSI: &corev1.ISCSIPersistentVolumeSource{IQN: "q", ISCSIInterface: "default"},
					AzureDisk: &corev1.AzureDiskVolumeSource{
						DiskName: "d", FSType: ptr.To("xfs"), CachingMode: ptr.To(corev1.AzureDataDiskCachingReadWrite),
						ReadOnly: ptr.To(false), Kind: ptr.To(corev1.AzureSharedBlobDisk),
					},
					ScaleIO: &corev1.ScaleIOPersistentVolumeSource{Gateway: "g", StorageMode: "ThinProvisioned", FSType: "xfs"},
				},
			}, Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumeBound}}}},
		},
		{
			name: "PersistentVolumeClaim",
			in: &corev1.PersistentVolumeClaim{ObjectMeta: meta, Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources:   corev1.VolumeResourceRequirements{Requests: quantities("storage", "0.0001Gi")},
			}},
			want: &corev1.PersistentVolumeClaim{ObjectMeta: meta, Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources:   corev1.VolumeResourceRequirements{Requests: quantities("storage", "107374183m")},
				VolumeMode:  ptr.To(corev1.PersistentVolumeFilesystem),
			}, Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending}},
		},
		{
			name: "PersistentVolumeClaim list",
			in:   &corev1.PersistentVolumeClaimList{Items: []corev1.PersistentVolumeClaim{{}}},
			want: &corev1.PersistentVolumeClaimList{Items: []corev1.PersistentVolumeClaim{{
				Spec:   corev1.PersistentVolumeClaimSpec{VolumeMode: ptr.To(corev1.PersistentVolumeFilesystem)},
				Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending},
			}}},
		},
	})
}

func TestCoreDefaults(t *testing.T) {
	t.Parallel()
	runGolden(t, []goldenCase{
		{
			name: "Secret type Opaque",
			in:   &corev1.Secret{ObjectMeta: meta, StringData: map[string]string{"k": "v"}},
			want: &corev1.Secret{ObjectMeta: meta, StringData: map[string]string{"k": "v"}, Type: corev1.SecretTypeOpaque},
		},
		{
			name: "Secret type kept",
			in:   &corev1.SecretList{Items: []corev1.Secret{{Type: corev1.SecretTypeTLS}, {}}},
			want: &corev1.SecretList{Items: []corev1.Secret{{Type: corev1.SecretTypeTLS}, {Type: corev1.SecretTypeOpaque}}},
		},
		{
			name: "Namespace labelled with its name, Active",
			in:   &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a", Labels: map[string]string{"kubernetes.io/metadata.name": "other", "x": "y"}}},
			want: &corev1.Namespace{
				ObjectMeta: metav1.ObjectMeta{Name: "team-a", Labels: map[string]string{"kubernetes.io/metadata.name": "team-a", "x": "y"}},
				Status:     corev1.NamespaceStatus{Phase: corev1.NamespaceActive},
			},
		},
		{
			name: "Namespace without a name is not labelled",
			in:   &corev1.NamespaceList{Items: []corev1.Namespace{{ObjectMeta: metav1.ObjectMeta{GenerateName: "ns-"}, Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}}},
			want: &corev1.NamespaceList{Items: []corev1.Namespace{{ObjectMeta: metav1.ObjectMeta{GenerateName: "ns-"}, Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}}},
		},
		{
			name: "Node allocatable from capacity",
			in:   &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}, Status: corev1.NodeStatus{Capacity: quantities("cpu", "4", "memory", "0.5Ki")}},
			want: &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}, Status: corev1.NodeStatus{
				Capacity:    quantities("cpu", "4", "memory", "512"),
				Allocatable: quantities("cpu", "4", "memory", "512"),
			}},
		},
		{
			name: "Node allocatable kept",
			in:   &corev1.NodeList{Items: []corev1.Node{{Status: corev1.NodeStatus{Capacity: quantities("cpu", "4"), Allocatable: quantities("cpu", "3500m")}}, {}}},
			want: &corev1.NodeList{Items: []corev1.Node{{Status: corev1.NodeStatus{Capacity: quantities("cpu", "4"), Allocatable: quantities("cpu", "3500m")}}, {}}},
		},
		{
			name: "Endpoints port protocol",
			in: &corev1.EndpointsList{Items: []corev1.Endpoints{{ObjectMeta: meta, Subsets: []corev1.EndpointSubset{{
				Addresses: []corev1.EndpointAddress{{IP: "10.0.0.1"}},
				Ports:     []corev1.EndpointPort{{Port: 80}, {Port: 53, Protocol: corev1.ProtocolUDP}},
			}}}}},
			want: &corev1.EndpointsList{Items: []corev1.Endpoints{{ObjectMeta: meta, Subsets: []corev1.EndpointSubset{{
				Addresses: []corev1.EndpointAddress{{IP: "10.0.0.1"}},
				Ports:     []corev1.EndpointPort{{Port: 80, Protocol: corev1.ProtocolTCP}, {Port: 53, Protocol: corev1.ProtocolUDP}},
			}}}}},
		},
		{
			name: "LimitRange container defaults",
			in: &corev1.LimitRange{ObjectMeta: meta, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{
				{
					Type:    corev1.LimitTypeContainer,
					Max:     quantities("cpu", "2", "memory", "1Gi"),
					Min:     quantities("cpu", "100m", "ephemeral-storage", "1Mi"),
					Default: quantities("memory", "512Mi"),
				},
				{Type: corev1.LimitTypePod, Max: quantities("cpu", "4")},
				{Type: corev1.LimitTypeContainer},
			}}},
			want: &corev1.LimitRange{ObjectMeta: meta, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{
				{
					Type:           corev1.LimitTypeContainer,
					Max:            quantities("cpu", "2", "memory", "1Gi"),
					Min:            quantities("cpu", "100m", "ephemeral-storage", "1Mi"),
					Default:        quantities("cpu", "2", "memory", "512Mi"),
					DefaultRequest: quantities("cpu", "2", "memory", "512Mi", "ephemeral-storage", "1Mi"),
				},
				{Type: corev1.LimitTypePod, Max: quantities("cpu", "4")},
				{Type: corev1.LimitTypeContainer, Default: corev1.ResourceList{}, DefaultRequest: corev1.ResourceList{}},
			}}},
		},
		{
			name: "LimitRange list",
			in:   &corev1.LimitRangeList{Items: []corev1.LimitRange{{Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer, Min: quantities("cpu", "0.0001")}}}}}},
			want: &corev1.LimitRangeList{Items: []corev1.LimitRange{{Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
				Type: corev1.LimitTypeContainer, Min: quantities("cpu", "1m"), Default: corev1.ResourceList{}, DefaultRequest: quantities("cpu", "1m"),
			}}}}}},
		},
		{
			name: "ResourceQuota rounds quantities",
			in: &corev1.ResourceQuotaList{Items: []corev1.ResourceQuota{{
				Spec:   corev1.ResourceQuotaSpec{Hard: quantities("cpu", "1.0001", "pods", "10")},
				Status: corev1.ResourceQuotaStatus{Hard: quantities("cpu", "1.0001"), Used: quantities("cpu", "0.00001")},
			}}},
			want: &corev1.ResourceQuotaList{Items: []corev1.ResourceQuota{{
				Spec:   corev1.ResourceQuotaSpec{Hard: quantities("cpu", "1001m", "pods", "10")},
				Status: corev1.ResourceQuotaStatus{Hard: quantities("cpu", "1001m"), Used: quantities("cpu", "1m")},
			}}},
		},
		{
			name: "PodLogOptions stream All",
			in:   &corev1.PodLogOptions{Container: "app"},
			want: &corev1.PodLogOptions{Container: "app", Stream: ptr.To(corev1.LogStreamAll)},
		},
		{
			name: "ConfigMap list",
			in:   &corev1.ConfigMapList{Items: []corev1.ConfigMap{{}, {Data: map[string]string{"k": "v"}}}},
			want: &corev1.ConfigMapList{Items: []corev1.ConfigMap{{Data: map[string]string{}}, {Data: map[string]string{"k": "v"}}}},
		},
	})
}

// TestConfigMapData checks the one default the wire cannot show: an empty
// data map is omitted from JSON just like a nil one.
func TestConfigMapData(t *testing.T) {
	t.Parallel()
	cm := &corev1.ConfigMap{ObjectMeta: meta}
	newScheme(t).Default(cm)
	if cm.Data == nil {
		t.Errorf("got nil data, want an empty map")
	}
}
