package admission_test

import (
	"context"
	"maps"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/memkube/memkube/harness"
)

func TestPodTopologyLabels(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	ctx := t.Context()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", Labels: map[string]string{
		corev1.LabelTopologyZone: "zone-a", corev1.LabelTopologyRegion: "region-1", corev1.LabelHostname: "n1",
	}}}
	if _, err := c.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	topology := map[string]string{corev1.LabelTopologyZone: "zone-a", corev1.LabelTopologyRegion: "region-1"}
	onNode := func(name, node string) *corev1.Pod {
		p := pod(name)
		p.Labels = map[string]string{"app": "web", corev1.LabelTopologyZone: "mine"}
		p.Spec.NodeName = node
		return p
	}
	// nodes are read from an informer.
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		got, err := c.CoreV1().Pods("default").Create(ctx, onNode("probe", "n1"), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err == nil && got.Labels[corev1.LabelTopologyRegion] == "region-1", err
	}); err != nil {
		t.Fatalf("the plugin never saw node n1: %v", err)
	}
	want := map[string]string{"app": "web"}
	maps.Copy(want, topology)
	for _, tc := range []struct {
		name string
		pod  *corev1.Pod
		want map[string]string
	}{
		{"created on a node", onNode("on-node", "n1"), want},
		{"created on an unknown node", onNode("elsewhere", "n2"), map[string]string{"app": "web", corev1.LabelTopologyZone: "mine"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.CoreV1().Pods("default").Create(t.Context(), tc.pod, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got.Labels, tc.want) {
				t.Fatalf("got labels %v, want %v", got.Labels, tc.want)
			}
		})
	}
	t.Run("bound to a node", func(t *testing.T) {
		if _, err := c.CoreV1().Pods("default").Create(ctx, onNode("bound", ""), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		binding := &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "bound"}, Target: corev1.ObjectReference{Kind: "Node", Name: "n1"}}
		if err := c.CoreV1().Pods("default").Bind(ctx, binding, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		got, err := c.CoreV1().Pods("default").Get(ctx, "bound", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got.Labels, want) {
			t.Fatalf("got labels %v, want %v", got.Labels, want)
		}
	})
}
