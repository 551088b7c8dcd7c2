package admission_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
)

func TestDefaultTolerationSeconds(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	notReady := corev1.Toleration{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](300)}
	unreachable := corev1.Toleration{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](300)}
	own := corev1.Toleration{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](10)}
	everything := corev1.Toleration{Operator: corev1.TolerationOpExists}
	noSchedule := corev1.Toleration{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}
	for _, tc := range []struct {
		name        string
		tolerations []corev1.Toleration
		want        []corev1.Toleration
	}{
		{"none", nil, []corev1.Toleration{notReady, unreachable}},
		{"its own for not-ready", []corev1.Toleration{own}, []corev1.Toleration{own, unreachable}},
		{"every taint", []corev1.Toleration{everything}, []corev1.Toleration{everything}},
		{"a NoSchedule one is not NoExecute", []corev1.Toleration{noSchedule}, []corev1.Toleration{noSchedule, notReady, unreachable}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := pod("")
			p.GenerateName = "p-"
			p.Spec.Tolerations = tc.tolerations
			got, err := c.CoreV1().Pods("default").Create(t.Context(), p, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !apiequality.Semantic.DeepEqual(got.Spec.Tolerations, tc.want) {
				t.Fatalf("got tolerations %+v, want %+v", got.Spec.Tolerations, tc.want)
			}
		})
	}
}

func TestDefaultTolerationSecondsDisabled(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{Admission: harness.AdmissionOptions{Disable: []string{"DefaultTolerationSeconds"}}})
	got, err := c.CoreV1().Pods("default").Create(t.Context(), pod("p"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Spec.Tolerations) != 0 {
		t.Fatalf("got tolerations %+v, want none", got.Spec.Tolerations)
	}
}
