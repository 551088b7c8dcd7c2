package admission_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/memkube/memkube/harness"
)

func TestTaintNodesByCondition(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	notReady := corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}
	own := corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}
	notReadyWithValue := corev1.Taint{Key: corev1.TaintNodeNotReady, Value: "x", Effect: corev1.TaintEffectNoSchedule}
	notReadyNoExecute := corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}
	for _, tc := range []struct {
		name   string
		taints []corev1.Taint
		want   []corev1.Taint
	}{
		{"none", nil, []corev1.Taint{notReady}},
		{"its own", []corev1.Taint{own}, []corev1.Taint{own, notReady}},
		{"not-ready already", []corev1.Taint{notReadyWithValue}, []corev1.Taint{notReadyWithValue}},
		{"not-ready NoExecute", []corev1.Taint{notReadyNoExecute}, []corev1.Taint{notReadyNoExecute, notReady}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: podName(tc.name)}, Spec: corev1.NodeSpec{Taints: tc.taints}}
			got, err := c.CoreV1().Nodes().Create(t.Context(), node, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !apiequality.Semantic.DeepEqual(got.Spec.Taints, tc.want) {
				t.Fatalf("got taints %+v, want %+v", got.Spec.Taints, tc.want)
			}
			// only at creation: the taint, once removed, stays away.
			got.Spec.Taints = nil
			if got, err = c.CoreV1().Nodes().Update(t.Context(), got, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			if len(got.Spec.Taints) != 0 {
				t.Fatalf("after an update without taints: got %+v, want none", got.Spec.Taints)
			}
		})
	}
}
