package builtin

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/memkube/memkube/harness/apis/validation"
)

// podValidation validates pods and pod templates.
func podValidation() map[schema.GroupResource]opt {
	return map[schema.GroupResource]opt{
		{Resource: "podtemplates"}: validated(func(t *corev1.PodTemplate) field.ErrorList {
			return validation.PodTemplateSpec(&t.Template, field.NewPath("template"))
		}, nil, nil),
	}
}
