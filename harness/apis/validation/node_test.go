package validation_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/memkube/memkube/harness/apis/validation"
)

func TestRuntimeClass(t *testing.T) {
	t.Parallel()
	valid := func() *nodev1.RuntimeClass {
		return &nodev1.RuntimeClass{
			ObjectMeta: metav1.ObjectMeta{Name: "gvisor"},
			Handler:    "runsc",
			Overhead:   &nodev1.Overhead{PodFixed: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")}},
			Scheduling: &nodev1.Scheduling{
				NodeSelector: map[string]string{"sandbox": "gvisor"},
				Tolerations:  []corev1.Toleration{{Key: "sandbox", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
			},
		}
	}
	runGroupCases(t, valid, validation.RuntimeClass, []groupCase[*nodev1.RuntimeClass]{
		{"no handler", func(r *nodev1.RuntimeClass) { r.Handler = "" }, []string{"handler: Required value"}},
		{"handler not a label", func(r *nodev1.RuntimeClass) { r.Handler = "run.sc" },
			[]string{`handler: Invalid value: "run.sc": must not contain dots`}},
		{"negative overhead", func(r *nodev1.RuntimeClass) { r.Overhead.PodFixed[corev1.ResourceCPU] = resource.MustParse("-1") },
			[]string{`overhead.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0`}},
		{"duplicate toleration", func(r *nodev1.RuntimeClass) {
			r.Scheduling.Tolerations = append(r.Scheduling.Tolerations, r.Scheduling.Tolerations[0])
		}, []string{`scheduling.tolerations[1]: Duplicate value: {"key":"sandbox","operator":"Exists","effect":"NoSchedule"}`}},
	})
	changed := valid()
	changed.Handler = "kata"
	assertErrors(t, validation.RuntimeClassUpdate(changed, valid()), []string{`handler: Invalid value: "kata": field is immutable`})
}
