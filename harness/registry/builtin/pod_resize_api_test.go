package builtin_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestPodResizeSubresource resizes a pod through pods/resize as
// kubectl patch --subresource resize and client-go's UpdateResize do: only
// container resources change, the generation moves, bad resizes are 422.
func TestPodResizeSubresource(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	pods := kubernetes.NewForConfigOrDie(s.RESTConfig()).CoreV1().Pods("default")
	pod, err := pods.Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "app", Image: "nginx",
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
			},
		}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	resized := pod.DeepCopy()
	resized.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU] = resource.MustParse("300m")
	resized.Spec.Containers[0].Image = "httpd"
	got, err := pods.UpdateResize(ctx, "web", resized, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cpu := got.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU]; cpu.String() != "300m" || got.Spec.Containers[0].Image != "nginx" || got.Generation != pod.Generation+1 {
		t.Errorf("after UpdateResize: cpu limit %s, image %q, generation %d; want 300m, nginx, %d", cpu.String(), got.Spec.Containers[0].Image, got.Generation, pod.Generation+1)
	}

	patch := `{"spec":{"containers":[{"name":"app","resources":{"requests":{"memory":"96Mi"}}}]}}`
	got, err = pods.Patch(ctx, "web", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}, "resize")
	if err != nil {
		t.Fatal(err)
	}
	if mem := got.Spec.Containers[0].Resources.Requests[corev1.ResourceMemory]; mem.String() != "96Mi" || got.Generation != pod.Generation+2 {
		t.Errorf("after the patch: memory request %s, generation %d; want 96Mi, %d", mem.String(), got.Generation, pod.Generation+2)
	}

	bad := `{"spec":{"containers":[{"name":"app","resources":{"requests":{"ephemeral-storage":"1Gi"}}}]}}`
	_, err = pods.Patch(ctx, "web", types.StrategicMergePatchType, []byte(bad), metav1.PatchOptions{}, "resize")
	if want := "spec: Forbidden: only cpu and memory resources are mutable"; !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), want) {
		t.Errorf("resizing ephemeral storage: got %v, want 422 with %q", err, want)
	}
	after, err := pods.Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.ResourceVersion != got.ResourceVersion {
		t.Errorf("a refused resize changed the pod: resourceVersion %s, was %s", after.ResourceVersion, got.ResourceVersion)
	}
}
