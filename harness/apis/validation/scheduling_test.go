package validation_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

func TestPriorityClass(t *testing.T) {
	t.Parallel()
	valid := func() *schedulingv1.PriorityClass {
		return &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "high"}, Value: 1000, PreemptionPolicy: ptr.To(corev1.PreemptLowerPriority)}
	}
	runGroupCases(t, valid, validation.PriorityClass, []groupCase[*schedulingv1.PriorityClass]{
		{"system prefix", func(p *schedulingv1.PriorityClass) { p.Name = "system-high" },
			[]string{"metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-high is not a known system priority class"}},
		{"system class with another value", func(p *schedulingv1.PriorityClass) { p.Name = "system-node-critical" },
			[]string{"metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000"}},
		{"too high", func(p *schedulingv1.PriorityClass) { p.Value = 1000000001 },
			[]string{"value: Forbidden: maximum allowed value of a user defined priority is 1000000000"}},
		{"bad preemption policy", func(p *schedulingv1.PriorityClass) { p.PreemptionPolicy = ptr.To(corev1.PreemptionPolicy("Always")) },
			[]string{`preemptionPolicy: Unsupported value: "Always": supported values: "PreemptLowerPriority", "Never"`}},
	})
	system := valid()
	system.Name, system.Value = "system-cluster-critical", 2000000000
	assertErrors(t, validation.PriorityClass(system), nil)

	changed := valid()
	changed.Value = 5
	changed.PreemptionPolicy = ptr.To(corev1.PreemptNever)
	assertErrors(t, validation.PriorityClassUpdate(changed, valid()), []string{
		"value: Forbidden: may not be changed in an update.",
		`preemptionPolicy: Invalid value: "Never": field is immutable`,
	})
}
