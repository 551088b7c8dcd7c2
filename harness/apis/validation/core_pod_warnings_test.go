package validation_test

import (
	"slices"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

// checkWarnings compares warnings as sets with multiplicity: map order
// (nodeSelector) is not upstream's either.
func checkWarnings(t *testing.T, got, want []string) {
	t.Helper()
	got, want = slices.Clone(got), slices.Clone(want)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("got warnings\n%q\nwant\n%q", got, want)
	}
}

func podWith(mutate func(*corev1.Pod)) *corev1.Pod {
	pod := validPod()
	mutate(pod)
	return pod
}

func TestPodWarnings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		pod  *corev1.Pod
		want []string
	}{
		{name: "valid pod", pod: validPod()},
		{
			name: "deprecated node labels in nodeSelector",
			pod: podWith(func(p *corev1.Pod) {
				p.Spec.NodeSelector = map[string]string{"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "node-role.kubernetes.io/master": ""}
			}),
			want: []string{
				`spec.nodeSelector[beta.kubernetes.io/arch]: deprecated since v1.14; use "kubernetes.io/arch" instead`,
				`spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead`,
				`spec.nodeSelector[node-role.kubernetes.io/master]: use "node-role.kubernetes.io/control-plane" instead`,
			},
		},
		{
			name: "deprecated node labels in node affinity, invalid values in preferred terms",
			pod: podWith(func(p *corev1.Pod) {
				p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
					RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
						MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "foo", Operator: corev1.NodeSelectorOpExists}, {Key: "failure-domain.beta.kubernetes.io/zone", Operator: corev1.NodeSelectorOpExists}},
					}}},
					PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{{Weight: 1, Preference: corev1.NodeSelectorTerm{
						MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "beta.kubernetes.io/instance-type", Operator: corev1.NodeSelectorOpIn, Values: []string{"a b"}}},
					}}},
				}}
			}),
			want: []string{
				`spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].key: failure-domain.beta.kubernetes.io/zone is deprecated since v1.17; use "topology.kubernetes.io/zone" instead`,
				`spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].key: beta.kubernetes.io/instance-type is deprecated since v1.17; use "node.kubernetes.io/instance-type" instead`,
				`spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].values[0]: a b is invalid, a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
			},
		},
		{
			name: "topology spread: deprecated key, null selector",
			pod: podWith(func(p *corev1.Pod) {
				p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{
					{MaxSkew: 1, TopologyKey: "foo", WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: &metav1.LabelSelector{}},
					{MaxSkew: 1, TopologyKey: "failure-domain.beta.kubernetes.io/region", WhenUnsatisfiable: corev1.DoNotSchedule},
				}
			}),
			want: []string{
				`spec.topologySpreadConstraints[1].topologyKey: failure-domain.beta.kubernetes.io/region is deprecated since v1.17; use "topology.kubernetes.io/region" instead`,
				`spec.topologySpreadConstraints[1].labelSelector: a null labelSelector results in matching no pod`,
			},
		},
		{
			name: "deprecated annotations",
			pod: podWith(func(p *corev1.Pod) {
				p.Annotations = map[string]string{
					`foo`: `bar`,
					`scheduler.alpha.kubernetes.io/critical-pod`:         `true`,
					`seccomp.security.alpha.kubernetes.io/pod`:           `default`,
					`container.seccomp.security.alpha.kubernetes.io/app`: `default`,
					`security.alpha.kubernetes.io/sysctls`:               `a,b,c`,
					`security.alpha.kubernetes.io/unsafe-sysctls`:        `d,e,f`,
					`container.apparmor.security.beta.kubernetes.io/app`: `unconfined`,
				}
			}),
			want: []string{
				`metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the "priorityClassName" field instead`,
				`metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+; use the "seccompProfile" field instead`,
				`metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]: non-functional in v1.27+; use the "seccompProfile" field instead`,
				`metadata.annotations[security.alpha.kubernetes.io/sysctls]: non-functional in v1.11+; use the "sysctls" field instead`,
				`metadata.annotations[security.alpha.kubernetes.io/unsafe-sysctls]: non-functional in v1.11+; use the "sysctls" field instead`,
			},
		},
		{
			name: "seccomp annotations with the fields",
			pod: podWith(func(p *corev1.Pod) {
				p.Annotations = map[string]string{`seccomp.security.alpha.kubernetes.io/pod`: `default`, `container.seccomp.security.alpha.kubernetes.io/app`: `default`}
				p.Spec.SecurityContext = &corev1.PodSecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}}
				p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}}
			}),
		},
		{
			name: "deprecated volume plugins",
			pod: podWith(func(p *corev1.Pod) {
				p.Spec.Volumes = []corev1.Volume{
					{Name: "a", VolumeSource: corev1.VolumeSource{PhotonPersistentDisk: &corev1.PhotonPersistentDiskVolumeSource{}}},
					{Name: "b", VolumeSource: corev1.VolumeSource{GitRepo: &corev1.GitRepoVolumeSource{}}},
					{Name: "c", VolumeSource: corev1.VolumeSource{ScaleIO: &corev1.ScaleIOVolumeSource{}}},
					{Name: "d", VolumeSource: corev1.VolumeSource{Flocker: &corev1.FlockerVolumeSource{}}},
					{Name: "e", VolumeSource: corev1.VolumeSource{StorageOS: &corev1.StorageOSVolumeSource{}}},
					{Name: "f", VolumeSource: corev1.VolumeSource{Quobyte: &corev1.QuobyteVolumeSource{}}},
					{Name: "g", VolumeSource: corev1.VolumeSource{Glusterfs: &corev1.GlusterfsVolumeSource{}}},
					{Name: "h", VolumeSource: corev1.VolumeSource{CephFS: &corev1.CephFSVolumeSource{}}},
					{Name: "i", VolumeSource: corev1.VolumeSource{RBD: &corev1.RBDVolumeSource{}}},
					{Name: "j", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{
						Spec: corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("200m")}}},
					}}}},
				}
			}),
			want: []string{
				`spec.volumes[0].photonPersistentDisk: deprecated in v1.11, non-functional in v1.16+`,
				`spec.volumes[1].gitRepo: deprecated in v1.11, and disabled by default in v1.33+`,
				`spec.volumes[2].scaleIO: deprecated in v1.16, non-functional in v1.22+`,
				`spec.volumes[3].flocker: deprecated in v1.22, non-functional in v1.25+`,
				`spec.volumes[4].storageOS: deprecated in v1.22, non-functional in v1.25+`,
				`spec.volumes[5].quobyte: deprecated in v1.22, non-functional in v1.25+`,
				`spec.volumes[6].glusterfs: deprecated in v1.25, non-functional in v1.26+`,
				`spec.volumes[7].cephfs: deprecated in v1.28, non-functional in v1.31+`,
				`spec.volumes[8].rbd: deprecated in v1.28, non-functional in v1.31+`,
				`spec.volumes[9].ephemeral.volumeClaimTemplate.spec.resources.requests[storage]: fractional byte value "200m" is invalid, must be an integer`,
			},
		},
		{
			name: "overlapping paths in configMap, secret and downwardAPI volumes",
			pod: podWith(func(p *corev1.Pod) {
				p.Spec.Volumes = []corev1.Volume{
					{Name: "cm", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
						LocalObjectReference: corev1.LocalObjectReference{Name: "foo"},
						Items:                []corev1.KeyToPath{{Key: "a", Path: "test"}, {Key: "b", Path: "test/app/"}},
					}}},
					{Name: "s", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
						SecretName: "foo", Items: []corev1.KeyToPath{{Key: "a", Path: "test"}, {Key: "b", Path: "test"}},
					}}},
					{Name: "d", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{
						Items: []corev1.DownwardAPIVolumeFile{{Path: "x/y"}, {Path: "x"}},
					}}},
				}
			}),
			want: []string{
				`volume "cm" (ConfigMap "foo"): overlapping paths: "test/app" with "test"`,
				`volume "s" (Secret "foo"): overlapping paths: "test" with "test"`,
				`volume "d" (DownwardAPI): overlapping paths: "x" with "x/y"`,
			},
		},
		{
			name: "overlapping paths in a projected volume, empty source",
			pod: podWith(func(p *corev1.Pod) {
				p.Spec.Volumes = []corev1.Volume{{Name: "foo", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
					{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "Test"}, Items: []corev1.KeyToPath{{Key: "k", Path: "test"}}}},
					{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "test/file"}},
					{ClusterTrustBundle: &corev1.ClusterTrustBundleProjection{SignerName: ptr.To("example.com/signer"), Path: "test"}},
					{},
				}}}}}
			}),
			want: []string{
				`volume "foo" (Projected): overlapping paths: "test/file" (ServiceAccountToken) with "test" (ConfigMap "Test")`,
				`volume "foo" (Projected): overlapping paths: "test" (ClusterTrustBundle "example.com/signer") with "test" (ConfigMap "Test")`,
				`volume "foo" (Projected): overlapping paths: "test" (ClusterTrustBundle "example.com/signer") with "test/file" (ServiceAccountToken)`,
				`volume "foo" (Projected) has no sources provided`,
			},
		},
		{
			name: "duplicate hostAliases and imagePullSecrets, non-canonical IPs",
			pod: podWith(func(p *corev1.Pod) {
				p.Spec.HostAliases = []corev1.HostAlias{{IP: "1.1.1.1"}, {IP: "1.1.1.1"}, {IP: "2001:db8:0::1"}}
				p.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "a"}, {Name: "a"}, {Name: ""}}
				p.Spec.DNSConfig = &corev1.PodDNSConfig{Nameservers: []string{"010.0.0.1"}}
			}),
			want: []string{
				`spec.hostAliases[1].ip: duplicate ip "1.1.1.1"`,
				`spec.imagePullSecrets[1].name: duplicate name "a"`,
				`spec.imagePullSecrets[2].name: invalid empty name ""`,
				`spec.dnsConfig.nameservers[0]: non-standard IP address "010.0.0.1" is invalid: use "10.0.0.1"`,
				`spec.hostAliases[2].ip: IPv6 address "2001:db8:0::1" should be in RFC 5952 canonical format ("2001:db8::1")`,
			},
		},
		{
			name: "env hiding a previous definition",
			pod: podWith(func(p *corev1.Pod) {
				p.Spec.Containers[0].Env = []corev1.EnvVar{
					{Name: "a", Value: "1"},
					{Name: "a", Value: "$(a)2"},
					{Name: "a", Value: "$(a)"},
					{Name: "a", Value: "3"},
					{Name: "a", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
				}
			}),
			want: []string{
				`spec.containers[0].env[2]: hides previous definition of "a", which may be dropped when using apply`,
				`spec.containers[0].env[3]: hides previous definition of "a", which may be dropped when using apply`,
				`spec.containers[0].env[4]: hides previous definition of "a", which may be dropped when using apply`,
			},
		},
		{
			name: "fractional byte quantities",
			pod: podWith(func(p *corev1.Pod) {
				q := resource.MustParse("4m")
				p.Spec.Overhead = corev1.ResourceList{corev1.ResourceMemory: q, corev1.ResourceEphemeralStorage: q}
				p.Spec.InitContainers = []corev1.Container{container("init")}
				for _, c := range []*corev1.Container{&p.Spec.InitContainers[0], &p.Spec.Containers[0]} {
					c.Resources = corev1.ResourceRequirements{
						Limits:   corev1.ResourceList{corev1.ResourceMemory: q, corev1.ResourceEphemeralStorage: q},
						Requests: corev1.ResourceList{corev1.ResourceMemory: q, corev1.ResourceEphemeralStorage: q, corev1.ResourceCPU: q},
					}
				}
			}),
			want: []string{
				`spec.initContainers[0].resources.requests[ephemeral-storage]: fractional byte value "4m" is invalid, must be an integer`,
				`spec.initContainers[0].resources.requests[memory]: fractional byte value "4m" is invalid, must be an integer`,
				`spec.initContainers[0].resources.limits[ephemeral-storage]: fractional byte value "4m" is invalid, must be an integer`,
				`spec.initContainers[0].resources.limits[memory]: fractional byte value "4m" is invalid, must be an integer`,
				`spec.containers[0].resources.requests[ephemeral-storage]: fractional byte value "4m" is invalid, must be an integer`,
				`spec.containers[0].resources.requests[memory]: fractional byte value "4m" is invalid, must be an integer`,
				`spec.containers[0].resources.limits[ephemeral-storage]: fractional byte value "4m" is invalid, must be an integer`,
				`spec.containers[0].resources.limits[memory]: fractional byte value "4m" is invalid, must be an integer`,
				`spec.overhead[ephemeral-storage]: fractional byte value "4m" is invalid, must be an integer`,
				`spec.overhead[memory]: fractional byte value "4m" is invalid, must be an integer`,
			},
		},
		{
			name: "ports: hostIP without hostPort, duplicate, overlapping, ambiguous, duplicate names",
			pod: podWith(func(p *corev1.Pod) {
				p.Spec.Containers[0].Ports = []corev1.ContainerPort{
					{Name: "test", ContainerPort: 80, Protocol: corev1.ProtocolUDP, HostIP: "10.0.0.1"},
					{ContainerPort: 80, Protocol: corev1.ProtocolUDP},
					{ContainerPort: 81, Protocol: corev1.ProtocolTCP, HostPort: 81},
					{ContainerPort: 81, Protocol: corev1.ProtocolTCP, HostPort: 81, HostIP: "10.0.0.2"},
				}
				second := container("second")
				second.Ports = []corev1.ContainerPort{{Name: "test", ContainerPort: 80, Protocol: corev1.ProtocolUDP}}
				p.Spec.Containers = append(p.Spec.Containers, second)
			}),
			want: []string{
				`spec.containers[0].ports[0]: hostIP set without hostPort: {Name:test HostPort:0 ContainerPort:80 Protocol:UDP HostIP:10.0.0.1}`,
				`spec.containers[0].ports[1]: overlapping port definition with spec.containers[0].ports[0]`,
				`spec.containers[0].ports[3]: dangerously ambiguous port definition with spec.containers[0].ports[2]`,
				`spec.containers[1].ports[0]: overlapping port definition with spec.containers[0].ports[0]`,
				`spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[1]`,
				`spec.containers[1].ports[0]: duplicate port name "test" with spec.containers[0].ports[0], services and probes that select ports by name will use spec.containers[0].ports[0]`,
			},
		},
		{
			name: "negative terminationGracePeriodSeconds",
			pod:  podWith(func(p *corev1.Pod) { p.Spec.TerminationGracePeriodSeconds = ptr.To[int64](-1) }),
			want: []string{`spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1`},
		},
		{
			name: "null label selectors in pod affinity",
			pod: podWith(func(p *corev1.Pod) {
				term := corev1.PodAffinityTerm{TopologyKey: "k", LabelSelector: &metav1.LabelSelector{}}
				null := corev1.PodAffinityTerm{TopologyKey: "k"}
				p.Spec.Affinity = &corev1.Affinity{
					PodAffinity: &corev1.PodAffinity{
						RequiredDuringSchedulingIgnoredDuringExecution:  []corev1.PodAffinityTerm{term, null},
						PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{Weight: 1, PodAffinityTerm: null}},
					},
					PodAntiAffinity: &corev1.PodAntiAffinity{
						RequiredDuringSchedulingIgnoredDuringExecution:  []corev1.PodAffinityTerm{null},
						PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{Weight: 1, PodAffinityTerm: term}, {Weight: 1, PodAffinityTerm: null}},
					},
				}
			}),
			want: []string{
				`spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[1].labelSelector: a null labelSelector results in matching no pod`,
				`spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector: a null labelSelector results in matching no pod`,
				`spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector: a null labelSelector results in matching no pod`,
				`spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[1].podAffinityTerm.labelSelector: a null labelSelector results in matching no pod`,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkWarnings(t, validation.PodWarnings(tc.pod, nil), tc.want)
		})
	}
}

// TestPodWarningsOrder checks upstream's order where it does not depend on
// map iteration: node labels, annotations, volumes, then containers.
func TestPodWarningsOrder(t *testing.T) {
	t.Parallel()
	pod := podWith(func(p *corev1.Pod) {
		p.Spec.NodeSelector = map[string]string{"beta.kubernetes.io/arch": "amd64"}
		p.Annotations = map[string]string{`scheduler.alpha.kubernetes.io/critical-pod`: `true`}
		p.Spec.Volumes = []corev1.Volume{{Name: "g", VolumeSource: corev1.VolumeSource{GitRepo: &corev1.GitRepoVolumeSource{}}}}
		p.Spec.TerminationGracePeriodSeconds = ptr.To[int64](-1)
	})
	got := validation.PodWarnings(pod, nil)
	want := []string{
		`spec.nodeSelector[beta.kubernetes.io/arch]: deprecated since v1.14; use "kubernetes.io/arch" instead`,
		`metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the "priorityClassName" field instead`,
		`spec.volumes[0].gitRepo: deprecated in v1.11, and disabled by default in v1.33+`,
		`spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPodTemplateWarnings(t *testing.T) {
	t.Parallel()
	apparmor := func(annotation string, podProfile *corev1.AppArmorProfile) *corev1.PodTemplateSpec {
		spec := validPodSpec()
		if podProfile != nil {
			spec.SecurityContext = &corev1.PodSecurityContext{AppArmorProfile: podProfile}
		}
		return &corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{"container.apparmor.security.beta.kubernetes.io/app": annotation}},
			Spec:       spec,
		}
	}
	cases := []struct {
		name     string
		path     *field.Path
		template *corev1.PodTemplateSpec
		want     []string
	}{
		{name: "nil template", path: field.NewPath("template")},
		{
			name: "paths start at the template's",
			path: field.NewPath("spec", "template"),
			template: &corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{`security.alpha.kubernetes.io/sysctls`: `a`}},
				Spec: func() corev1.PodSpec {
					s := validPodSpec()
					s.NodeSelector = map[string]string{"beta.kubernetes.io/os": "linux"}
					return s
				}(),
			},
			want: []string{
				`spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead`,
				`spec.template.metadata.annotations[security.alpha.kubernetes.io/sysctls]: non-functional in v1.11+; use the "sysctls" field instead`,
			},
		},
		{
			name:     "AppArmor annotation without the field",
			path:     field.NewPath("template"),
			template: apparmor("runtime/default", nil),
			want:     []string{`template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: deprecated since v1.30; use the "appArmorProfile" field instead`},
		},
		{
			name:     "AppArmor annotation other than the pod's profile",
			path:     field.NewPath("template"),
			template: apparmor("localhost/foo", &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: ptr.To("bar")}),
			want:     []string{`template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: deprecated since v1.30; use the "appArmorProfile" field instead`},
		},
		{
			name:     "AppArmor annotation matching the pod's profile",
			path:     field.NewPath("template"),
			template: apparmor("localhost/foo", &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: ptr.To("foo")}),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkWarnings(t, validation.PodTemplateWarnings(tc.path, tc.template, nil), tc.want)
		})
	}
}

func TestPodCreateAndStatusWarnings(t *testing.T) {
	t.Parallel()
	pod := podWith(func(p *corev1.Pod) {
		p.Name = "a.b"
		p.Status.PodIPs = []corev1.PodIP{{IP: "10.0.0.1"}, {IP: "2001:db8:0::1"}}
		p.Status.HostIPs = []corev1.HostIP{{IP: "010.0.0.2"}}
	})
	t.Run("create", func(t *testing.T) {
		t.Parallel()
		checkWarnings(t, validation.PodCreateWarnings(pod), []string{
			`metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [must not contain dots]`,
		})
	})
	t.Run("status", func(t *testing.T) {
		t.Parallel()
		checkWarnings(t, validation.PodStatusWarnings(pod), []string{
			`status.podIPs[1].ip: IPv6 address "2001:db8:0::1" should be in RFC 5952 canonical format ("2001:db8::1")`,
			`status.hostIPs[0].ip: non-standard IP address "010.0.0.2" is invalid: use "10.0.0.2"`,
		})
	})
}

func TestJobSpecWarnings(t *testing.T) {
	t.Parallel()
	spec := func(completions, parallelism int32) *batchv1.JobSpec {
		s := &batchv1.JobSpec{
			CompletionMode: ptr.To(batchv1.IndexedCompletion),
			Completions:    ptr.To(completions),
			Parallelism:    ptr.To(parallelism),
			Template:       corev1.PodTemplateSpec{Spec: validPodSpec()},
		}
		s.Template.Spec.TerminationGracePeriodSeconds = ptr.To[int64](-5)
		return s
	}
	path := field.NewPath("spec", "jobTemplate", "spec")
	cases := []struct {
		name string
		spec *batchv1.JobSpec
		want []string
	}{
		{name: "below the soft limits", spec: spec(100_001, 10_000), want: []string{
			`spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1`,
		}},
		{name: "above the soft limits", spec: spec(100_001, 10_001), want: []string{
			`spec.jobTemplate.spec: In Indexed Jobs with a number of completions higher than 10^5 and a parallelism higher than 10^4, Kubernetes might not be able to track completedIndexes when a big number of indexes fail`,
			`spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkWarnings(t, validation.JobSpecWarnings(path, tc.spec, nil), tc.want)
		})
	}
}
