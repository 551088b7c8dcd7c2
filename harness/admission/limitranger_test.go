package admission_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
)

// resources parses name, quantity pairs.
func resources(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

// namespaceWith creates a namespace with a LimitRange of items.
func namespaceWith(t *testing.T, c kubernetes.Interface, name string, items ...corev1.LimitRangeItem) {
	t.Helper()
	if _, err := c.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	lr := &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "limits"}, Spec: corev1.LimitRangeSpec{Limits: items}}
	if _, err := c.CoreV1().LimitRanges(name).Create(t.Context(), lr, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func podWith(name string, requests, limits corev1.ResourceList) *corev1.Pod {
	p := pod(name)
	p.Spec.Containers[0].Resources = corev1.ResourceRequirements{Requests: requests, Limits: limits}
	return p
}

func TestLimitRangerDefaults(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	namespaceWith(t, c, "defaults", corev1.LimitRangeItem{
		Type:           corev1.LimitTypeContainer,
		Default:        resources("cpu", "500m", "memory", "256Mi"),
		DefaultRequest: resources("cpu", "100m", "memory", "128Mi"),
	})
	for _, tc := range []struct {
		name                     string
		pod                      *corev1.Pod
		wantRequests, wantLimits corev1.ResourceList
		wantAnnotation           string
	}{
		{"none", podWith("none", nil, nil), resources("cpu", "100m", "memory", "128Mi"), resources("cpu", "500m", "memory", "256Mi"),
			"LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c"},
		{"own cpu", podWith("own-cpu", resources("cpu", "200m"), resources("cpu", "1")), resources("cpu", "200m", "memory", "128Mi"), resources("cpu", "1", "memory", "256Mi"),
			"LimitRanger plugin set: memory request for container c; memory limit for container c"},
		{"all its own", podWith("own", resources("cpu", "1", "memory", "1Gi"), resources("cpu", "1", "memory", "1Gi")),
			resources("cpu", "1", "memory", "1Gi"), resources("cpu", "1", "memory", "1Gi"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.CoreV1().Pods("defaults").Create(t.Context(), tc.pod, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			r := got.Spec.Containers[0].Resources
			if !apiequality.Semantic.DeepEqual(r.Requests, tc.wantRequests) || !apiequality.Semantic.DeepEqual(r.Limits, tc.wantLimits) {
				t.Errorf("got requests %v limits %v, want %v %v", r.Requests, r.Limits, tc.wantRequests, tc.wantLimits)
			}
			if got := got.Annotations["kubernetes.io/limit-ranger"]; got != tc.wantAnnotation {
				t.Errorf("got annotation %q, want %q", got, tc.wantAnnotation)
			}
		})
	}
}

func TestLimitRangerConstraints(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	namespaceWith(t, c, "container",
		corev1.LimitRangeItem{
			Type: corev1.LimitTypeContainer,
			Min:  resources("cpu", "100m"), Max: resources("cpu", "1"),
			Default: resources("cpu", "1"), DefaultRequest: resources("cpu", "100m"),
			MaxLimitRequestRatio: resources("memory", "2"),
		})
	namespaceWith(t, c, "pod", corev1.LimitRangeItem{Type: corev1.LimitTypePod, Max: resources("memory", "1Gi")})
	namespaceWith(t, c, "claims", corev1.LimitRangeItem{Type: corev1.LimitTypePersistentVolumeClaim, Min: resources("storage", "1Gi"), Max: resources("storage", "10Gi")})
	twoContainers := func(name string) *corev1.Pod {
		p := podWith(name, resources("memory", "600Mi"), resources("memory", "600Mi"))
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "d", Image: "busybox",
			Resources: corev1.ResourceRequirements{Requests: resources("memory", "600Mi"), Limits: resources("memory", "600Mi")}})
		return p
	}
	// sidecarPod's containers request request each, their limits (600Mi
	// each) sum to 1200Mi; a pod-level request must cover the requests'
	// sum, as validation checks.
	sidecarPod := func(name, request, podLevel string) *corev1.Pod {
		p := podWith(name, resources("memory", request), resources("memory", "600Mi"))
		p.Spec.InitContainers = []corev1.Container{{Name: "sidecar", Image: "busybox", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways),
			Resources: corev1.ResourceRequirements{Requests: resources("memory", request), Limits: resources("memory", "600Mi")}}}
		if podLevel != "" {
			p.Spec.Resources = &corev1.ResourceRequirements{Limits: resources("memory", podLevel), Requests: resources("memory", podLevel)}
		}
		return p
	}
	claimOf := func(name, size string) *corev1.PersistentVolumeClaim {
		pvc := claim(name)
		pvc.Spec.Resources.Requests = resources("storage", size)
		return pvc
	}
	for _, tc := range []struct {
		name, namespace string
		pod             *corev1.Pod
		claim           *corev1.PersistentVolumeClaim
		wantErr         string
	}{
		// the request defaults to the limit (pod defaulting), cpu to the LimitRange's.
		{name: "defaults are within", namespace: "container", pod: podWith("ok", nil, resources("memory", "1Gi"))},
		{name: "within", namespace: "container", pod: podWith("within", resources("memory", "1Gi"), resources("memory", "2Gi"))},
		{name: "over max", namespace: "container", pod: podWith("big", resources("cpu", "500m", "memory", "1Gi"), resources("cpu", "2", "memory", "1Gi")),
			wantErr: `pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2`},
		{name: "under min", namespace: "container", pod: podWith("small", resources("cpu", "50m", "memory", "1Gi"), resources("memory", "1Gi")),
			wantErr: `pods "small" is forbidden: minimum cpu usage per Container is 100m, but request is 50m`},
		{name: "ratio", namespace: "container", pod: podWith("ratio", resources("memory", "100Mi"), resources("memory", "300Mi")),
			wantErr: `pods "ratio" is forbidden: memory max limit to request ratio per Container is 2, but provided ratio is 3.000000`},
		{name: "pod total over max", namespace: "pod", pod: twoContainers("two"),
			wantErr: `pods "two" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi`},
		{name: "pod with sidecar over max", namespace: "pod", pod: sidecarPod("sidecar", "600Mi", ""),
			wantErr: `pods "sidecar" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi`},
		{name: "pod limit of its own", namespace: "pod", pod: sidecarPod("pod-level", "400Mi", "900Mi")},
		{name: "pod without a limit", namespace: "pod", pod: pod("unlimited"),
			wantErr: `pods "unlimited" is forbidden: maximum memory usage per Pod is 1Gi.  No limit is specified`},
		{name: "claim within", namespace: "claims", claim: claimOf("ok", "5Gi")},
		{name: "claim too big", namespace: "claims", claim: claimOf("big", "20Gi"),
			wantErr: `persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi`},
		{name: "claim too small", namespace: "claims", claim: claimOf("small", "500Mi"),
			wantErr: `persistentvolumeclaims "small" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tc.pod != nil {
				_, err = c.CoreV1().Pods(tc.namespace).Create(t.Context(), tc.pod, metav1.CreateOptions{})
			} else {
				_, err = c.CoreV1().PersistentVolumeClaims(tc.namespace).Create(t.Context(), tc.claim, metav1.CreateOptions{})
			}
			if tc.wantErr != "" {
				wantForbidden(t, err, tc.wantErr)
			} else if err != nil {
				t.Fatal(err)
			}
		})
	}
}
