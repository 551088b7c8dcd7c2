package builtin

import "k8s.io/apimachinery/pkg/runtime/schema"

func coreValidation() map[schema.GroupResource]opt {
	return map[schema.GroupResource]opt{}
}
