package validation_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

func TestPodTemplateSpec(t *testing.T) {
	t.Parallel()
	valid := func() *corev1.PodTemplateSpec {
		return &corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			TerminationGracePeriodSeconds: ptr.To[int64](30),
			Containers:                    []corev1.Container{{Name: "app", Image: "nginx"}},
		}}
	}
	if errs := validation.PodTemplateSpec(valid(), field.NewPath("template")); len(errs) != 0 {
		t.Fatalf("valid template: got %v, want no errors", errs)
	}
	for _, tc := range []struct {
		name   string
		change func(*corev1.PodTemplateSpec)
		want   string
	}{
		{"no containers", func(s *corev1.PodTemplateSpec) { s.Spec.Containers = nil }, "template.spec.containers: Required value"},
		{"bad container name", func(s *corev1.PodTemplateSpec) { s.Spec.Containers[0].Name = "App" },
			`template.spec.containers[0].name: Invalid value: "App": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`},
		{"ephemeral containers", func(s *corev1.PodTemplateSpec) {
			s.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "busybox"}}}
		}, "template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := valid()
			tc.change(s)
			errs := validation.PodTemplateSpec(s, field.NewPath("template"))
			if len(errs) == 0 || errs[0].Error() != tc.want {
				t.Errorf("got %v, want %q first", errs, tc.want)
			}
		})
	}
}
