package defaults

import (
	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// addScheduling registers the scheduling.k8s.io/v1 defaulters
// (pkg/apis/scheduling/v1).
func addScheduling(s *runtime.Scheme) {
	register(s, setPriorityClass)
	register(s, func(l *schedulingv1.PriorityClassList) { each(l.Items, setPriorityClass) })
}

func setPriorityClass(pc *schedulingv1.PriorityClass) {
	if pc.PreemptionPolicy == nil {
		pc.PreemptionPolicy = ptr.To(corev1.PreemptLowerPriority)
	}
}
