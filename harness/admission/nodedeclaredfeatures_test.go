package admission_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/memkube/memkube/harness"
)

// TestNodeDeclaredFeatureValidator resizes pod-level resources, which
// needs the node to declare InPlacePodLevelResourcesVerticalScaling.
func TestNodeDeclaredFeatureValidator(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	ctx := t.Context()
	const feature = "InPlacePodLevelResourcesVerticalScaling"
	for _, n := range []struct {
		name     string
		features []string
	}{{"old", nil}, {"new", []string{feature}}} {
		node, err := c.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n.name}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		node.Status.DeclaredFeatures = n.features
		node.Status.Allocatable = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("4Gi")}
		if _, err := c.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	onNode := func(name, node string) *corev1.Pod {
		p := pod(name)
		p.Spec.NodeName = node
		p.Spec.Resources = &corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}}
		got, err := c.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	resize := func(ctx context.Context, p *corev1.Pod, cpu string) error {
		p = p.DeepCopy()
		p.Spec.Resources.Requests[corev1.ResourceCPU] = resource.MustParse(cpu)
		_, err := c.CoreV1().Pods("default").UpdateResize(ctx, p.Name, p, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}})
		return err
	}
	onOld, onNew := onNode("on-old", "old"), onNode("on-new", "new")
	// nodes are read from an informer: wait until the plugin has both.
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		return resize(ctx, onOld, "2") != nil && resize(ctx, onNew, "2") == nil, nil
	}); err != nil {
		t.Fatalf("the plugin never saw the nodes: old %v, new %v", resize(ctx, onOld, "2"), resize(ctx, onNew, "2"))
	}
	wantForbidden(t, resize(ctx, onOld, "2"), `pods "on-old" is forbidden: pod update requires features InPlacePodLevelResourcesVerticalScaling which are not available on node "old"`)
}
