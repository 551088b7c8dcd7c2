package builtin

import (
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/memkube/memkube/harness/apis/validation"
	"github.com/memkube/memkube/harness/registry"
)

// coreValidation validates the core kinds but pods, pod templates and
// replication controllers, and the coordination, discovery and events
// groups, as their v1.37 strategies do.
func coreValidation() map[schema.GroupResource]opt {
	return map[schema.GroupResource]opt{
		{Resource: "services"}: combined(
			validated(validation.Service, validation.ServiceUpdate, validation.ServiceStatusUpdate),
			// RelaxedServiceNameValidation is GA in v1.37: a DNS-1123 label.
			names(apimachineryvalidation.NameIsDNSLabel)),
	}
}

// combined applies opts in order.
func combined(opts ...opt) opt {
	return func(k *registry.Kind) {
		for _, o := range opts {
			o(k)
		}
	}
}
