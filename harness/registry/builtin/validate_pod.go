package builtin

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/memkube/memkube/harness/apis/validation"
	"github.com/memkube/memkube/harness/registry"
)

// podValidation validates pods and pod templates as upstream's pod and
// podTemplate strategies (pods/ephemeralcontainers validates in
// pod_ephemeral.go; eviction and resize have their own files).
func podValidation() map[schema.GroupResource]opt {
	return map[schema.GroupResource]opt{
		{Resource: "pods"}: func(k *registry.Kind) {
			validated(validation.Pod, validation.PodUpdate, validation.PodStatusUpdate)(k)
			// status validation relies on what the status update keeps.
			podStatusPrepare(k)
		},
		{Resource: "podtemplates"}: validated(validation.PodTemplate, validation.PodTemplateUpdate, nil),
	}
}
