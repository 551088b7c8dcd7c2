package builtin

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis"
)

func resources(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

// resizablePod is a defaulted, stored Burstable pod with a container and
// a sidecar.
func resizablePod(t *testing.T) *corev1.Pod {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", Generation: 1, ResourceVersion: "5"},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{
				Name: "sidecar", Image: "envoy", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways),
				Resources: corev1.ResourceRequirements{Requests: resources("cpu", "50m")},
			}},
			Containers: []corev1.Container{{
				Name: "app", Image: "nginx",
				Resources: corev1.ResourceRequirements{Requests: resources("cpu", "100m", "memory", "64Mi"), Limits: resources("cpu", "200m", "memory", "128Mi")},
			}},
		},
	}
	scheme, _ := apis.NewScheme()
	scheme.Default(pod)
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, QOSClass: apis.ComputePodQOS(pod)}
	return pod
}

func TestPodResize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		old    func(p *corev1.Pod)
		resize func(p *corev1.Pod)
		want   []string
	}{
		{name: "cpu limit", resize: func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU] = resource.MustParse("300m")
		}},
		{name: "sidecar memory", resize: func(p *corev1.Pod) {
			p.Spec.InitContainers[0].Resources.Requests[corev1.ResourceMemory] = resource.MustParse("32Mi")
		}},
		{name: "other changes dropped", resize: func(p *corev1.Pod) {
			p.Spec.Containers[0].Image = "httpd"
			p.Labels = map[string]string{"dropped": "too"}
			p.Spec.Containers[0].Resources.Requests[corev1.ResourceMemory] = resource.MustParse("100Mi")
		}},
		{name: "pod-level cpu", old: func(p *corev1.Pod) {
			p.Spec.Resources = &corev1.ResourceRequirements{Requests: resources("cpu", "1", "memory", "1Gi"), Limits: resources("cpu", "2")}
		}, resize: func(p *corev1.Pod) { p.Spec.Resources.Requests[corev1.ResourceCPU] = resource.MustParse("1500m") }},
		{
			name:   "request removed",
			resize: func(p *corev1.Pod) { delete(p.Spec.Containers[0].Resources.Requests, corev1.ResourceMemory) },
			want:   []string{"spec.containers[0].resources.requests: Forbidden: resource requests cannot be removed"},
		},
		{
			name:   "sidecar request removed",
			resize: func(p *corev1.Pod) { p.Spec.InitContainers[0].Resources.Requests = nil },
			want:   []string{"spec.initContainers[0].resources.requests: Forbidden: resource requests cannot be removed"},
		},
		{
			name: "qos changes",
			resize: func(p *corev1.Pod) {
				p.Spec.InitContainers[0].Resources = corev1.ResourceRequirements{Requests: resources("cpu", "50m", "memory", "64Mi"), Limits: resources("cpu", "50m", "memory", "64Mi")}
				p.Spec.Containers[0].Resources = corev1.ResourceRequirements{Requests: resources("cpu", "200m", "memory", "128Mi"), Limits: resources("cpu", "200m", "memory", "128Mi")}
			},
			want: []string{`spec: Invalid value: "Burstable": Pod QOS Class may not change as a result of resizing`},
		},
		{
			name: "not cpu or memory",
			resize: func(p *corev1.Pod) {
				p.Spec.Containers[0].Resources.Requests[corev1.ResourceEphemeralStorage] = resource.MustParse("1Gi")
			},
			want: []string{"spec: Forbidden: only cpu and memory resources are mutable"},
		},
		{
			name: "resize policy of a container",
			resize: func(p *corev1.Pod) {
				p.Spec.Containers[0].ResizePolicy = []corev1.ContainerResizePolicy{{ResourceName: corev1.ResourceMemory, RestartPolicy: corev1.RestartContainer}}
			},
			want: []string{"spec: Forbidden: only cpu and memory resources are mutable"},
		},
		{
			name: "container added",
			resize: func(p *corev1.Pod) {
				p.Spec.Containers = append(p.Spec.Containers, *p.Spec.Containers[0].DeepCopy())
				p.Spec.Containers[1].Name = "two"
			},
			want: []string{"spec.containers: Forbidden: containers may not be added or removed on resize"},
		},
		{
			name:   "container renamed",
			resize: func(p *corev1.Pod) { p.Spec.Containers[0].Name = "renamed" },
			want:   []string{"spec.containers[0].name: Forbidden: containers may not be renamed or reordered on resize"},
		},
		{
			name:   "init container removed",
			resize: func(p *corev1.Pod) { p.Spec.InitContainers = nil },
			want:   []string{"spec.initContainers: Forbidden: initContainers may not be added or removed on resize"},
		},
		{
			name: "static pod",
			old:  func(p *corev1.Pod) { p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"} },
			resize: func(p *corev1.Pod) {
				p.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU] = resource.MustParse("300m")
			},
			want: []string{"[]: Forbidden: static pods cannot be resized"},
		},
		{
			name: "windows pod",
			old:  func(p *corev1.Pod) { p.Spec.OS = &corev1.PodOS{Name: corev1.Windows} },
			resize: func(p *corev1.Pod) {
				p.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU] = resource.MustParse("300m")
			},
			want: []string{"[]: Forbidden: windows pods cannot be resized"},
		},
		{
			name: "node without resize",
			old: func(p *corev1.Pod) {
				p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}
			},
			resize: func(p *corev1.Pod) {
				p.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU] = resource.MustParse("300m")
			},
			want: []string{"spec: Forbidden: Pod running on node without support for resize"},
		},
		{
			name: "init container restarted on resize",
			old: func(p *corev1.Pod) {
				p.Spec.InitContainers[0].RestartPolicy = nil
				p.Spec.InitContainers[0].ResizePolicy = []corev1.ContainerResizePolicy{{ResourceName: corev1.ResourceCPU, RestartPolicy: corev1.RestartContainer}}
			},
			resize: func(p *corev1.Pod) {
				p.Spec.InitContainers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("60m")
			},
			want: []string{"spec.initContainers[0]: Forbidden: non-sidecar init containers with a resize policy of RestartContainer cannot be resized"},
		},
		{
			name: "pod-level request removed",
			old: func(p *corev1.Pod) {
				p.Spec.Resources = &corev1.ResourceRequirements{Requests: resources("cpu", "1", "memory", "1Gi"), Limits: resources("cpu", "2")}
			},
			resize: func(p *corev1.Pod) { delete(p.Spec.Resources.Requests, corev1.ResourceMemory) },
			want:   []string{"spec.resources.requests: Forbidden: pod-level resource requests cannot be removed"},
		},
		{
			name: "pod-level limit removed",
			old: func(p *corev1.Pod) {
				p.Spec.Resources = &corev1.ResourceRequirements{Requests: resources("cpu", "1", "memory", "1Gi"), Limits: resources("cpu", "2")}
			},
			resize: func(p *corev1.Pod) { p.Spec.Resources.Limits = corev1.ResourceList{} },
			want:   []string{"spec.resources.limits: Forbidden: pod-level resource limits cannot be removed"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			old := resizablePod(t)
			if tc.old != nil {
				tc.old(old)
				old.Status.QOSClass = apis.ComputePodQOS(old)
			}
			pod := old.DeepCopy()
			tc.resize(pod)
			podResize.Prepare(context.Background(), pod, old)
			var got []string
			for _, err := range podResize.Validate(context.Background(), pod, old) {
				got = append(got, err.Error())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("error %d: got %q, want %q", i, got[i], tc.want[i])
				}
			}
			if tc.want != nil {
				return
			}
			if pod.Generation != old.Generation+1 || pod.Labels != nil || pod.Spec.Containers[0].Image != old.Spec.Containers[0].Image {
				t.Errorf("after resize: generation %d (was %d), labels %v, image %q; want a bump and nothing else changed", pod.Generation, old.Generation, pod.Labels, pod.Spec.Containers[0].Image)
			}
		})
	}
}

// TestPodResizeKeepsPodLevelResources: a client unaware of pod-level
// resources does not remove them, and an unchanged spec keeps the
// generation.
func TestPodResizeKeepsPodLevelResources(t *testing.T) {
	t.Parallel()
	old := resizablePod(t)
	old.Spec.Resources = &corev1.ResourceRequirements{Requests: resources("cpu", "1")}
	pod := old.DeepCopy()
	pod.Spec.Resources = nil
	podResize.Prepare(context.Background(), pod, old)
	if errs := podResize.Validate(context.Background(), pod, old); len(errs) != 0 {
		t.Fatalf("got %v, want valid", errs)
	}
	if pod.Spec.Resources == nil || pod.Generation != old.Generation {
		t.Errorf("got resources %v and generation %d, want the old ones and %d", pod.Spec.Resources, pod.Generation, old.Generation)
	}
}
