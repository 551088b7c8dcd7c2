package builtin

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/memkube/memkube/harness/apis/validation"
)

// podValidation validates pods and pod templates as upstream's pod and
// podTemplate strategies (pods/ephemeralcontainers validates in
// pod_ephemeral.go; eviction and resize have their own files).
func podValidation() map[schema.GroupResource]opt {
	return map[schema.GroupResource]opt{
		{Resource: "pods"}:         validated(validation.Pod, validation.PodUpdate, validation.PodStatusUpdate),
		{Resource: "podtemplates"}: validated(validation.PodTemplate, validation.PodTemplateUpdate, nil),
	}
}
