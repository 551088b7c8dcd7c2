package validation_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

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
		{"bad tolerations", func(r *nodev1.RuntimeClass) {
			r.Scheduling.Tolerations = []corev1.Toleration{
				{Operator: corev1.TolerationOpEqual, Value: "x"},
				{Key: "a", Operator: corev1.TolerationOpExists, Value: "x", Effect: "NoAdmit"},
				{Key: "b", Operator: corev1.TolerationOpGt, Value: "5", TolerationSeconds: ptr.To[int64](5)},
			}
		}, []string{
			"scheduling.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
			"scheduling.tolerations[1].operator: Invalid value: \"x\": value must be empty when `operator` is 'Exists'",
			`scheduling.tolerations[1].effect: Unsupported value: "NoAdmit": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`,
			"scheduling.tolerations[2].effect: Invalid value: \"\": effect must be 'NoExecute' when `tolerationSeconds` is set",
			`scheduling.tolerations[2].operator: Unsupported value: "Gt": supported values: "Equal", "Exists", "Lt", "Gt"`,
		}},
		{"duplicate toleration", func(r *nodev1.RuntimeClass) {
			r.Scheduling.Tolerations = append(r.Scheduling.Tolerations, r.Scheduling.Tolerations[0])
		}, []string{`scheduling.tolerations[1]: Duplicate value: {"key":"sandbox","operator":"Exists","effect":"NoSchedule"}`}},
	})
	changed := valid()
	changed.Handler = "kata"
	assertErrors(t, validation.RuntimeClassUpdate(changed, valid()), []string{`handler: Invalid value: "kata": field is immutable`})
}
