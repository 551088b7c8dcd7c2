package defaults_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestPriorityClassDefaults(t *testing.T) {
	t.Parallel()
	runGolden(t, []goldenCase{
		{
			name: "preemptionPolicy",
			in:   &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "high"}, Value: 1000},
			want: &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "high"}, Value: 1000, PreemptionPolicy: ptr.To(corev1.PreemptLowerPriority)},
		},
		{
			name: "list, set policy kept",
			in:   &schedulingv1.PriorityClassList{Items: []schedulingv1.PriorityClass{{PreemptionPolicy: ptr.To(corev1.PreemptNever)}}},
			want: &schedulingv1.PriorityClassList{Items: []schedulingv1.PriorityClass{{PreemptionPolicy: ptr.To(corev1.PreemptNever)}}},
		},
	})
}
