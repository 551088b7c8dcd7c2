package admission_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/memkube/memkube/harness"
)

// TestPodResizeValidator resizes bound pods through pods/resize: a node
// must be Linux and have the allocatable CPU and memory for the new
// requests.
func TestPodResizeValidator(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	ctx := t.Context()
	for _, n := range []struct{ name, os string }{{"small", "linux"}, {"win", "windows"}} {
		node, err := c.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n.name, Labels: map[string]string{corev1.LabelOSStable: n.os}}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		node.Status.Allocatable = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("1Gi")}
		if _, err := c.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	onNode := func(name, node string) *corev1.Pod {
		p := pod(name)
		p.Spec.NodeName = node
		p.Spec.Containers[0].Resources = corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")}}
		got, err := c.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	resize := func(ctx context.Context, p *corev1.Pod, cpu string) error {
		p = p.DeepCopy()
		p.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse(cpu)
		_, err := c.CoreV1().Pods("default").UpdateResize(ctx, p.Name, p, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}})
		return err
	}
	small, win := onNode("on-small", "small"), onNode("on-win", "win")
	// nodes are read from an informer: wait until the plugin has both, with
	// their allocatable resources (a resize that fits succeeds only then).
	var fits error
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		fits = resize(ctx, small, "900m")
		onWindows := resize(ctx, win, "600m")
		return fits == nil && onWindows != nil && strings.Contains(onWindows.Error(), "only supported on linux"), nil
	}); err != nil {
		t.Fatalf("the plugin never saw the nodes: %v; a resize that fits: %v", err, fits)
	}
	err := resize(ctx, small, "2")
	wantForbidden(t, err, `pods "on-small" is forbidden: node didn't have enough allocatable resources: cpu, requested: 2000, allocatable: 1000`)
	var status *apierrors.StatusError
	if !errors.As(err, &status) || len(status.ErrStatus.Details.Causes) != 1 || status.ErrStatus.Details.Causes[0].Type != "NodeCapacity" {
		t.Errorf("causes: got %+v, want one NodeCapacity", status)
	}
	wantForbidden(t, resize(ctx, win, "600m"), `pods "on-win" is forbidden: pod resize is only supported on linux nodes, node "win" is "windows"`)
	// a pod on a node the server does not have
	lost := onNode("lost", "gone")
	wantForbidden(t, resize(ctx, lost, "600m"), `pods "lost" is forbidden: node "gone" not found`)
	// an unbound pod is not the plugin's
	if err := resize(ctx, onNode("unbound", ""), "2"); err != nil {
		t.Errorf("resize of an unbound pod: %v", err)
	}
}
