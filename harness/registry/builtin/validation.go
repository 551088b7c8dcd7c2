package builtin

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/memkube/memkube/harness/registry"
)

// validations are the kinds' validation from harness/apis/validation, keyed
// by resource; each family of kinds registers its own in its file
// (validate_pod.go, validate_workloads.go, validate_core.go,
// validate_groups.go) so that a kind's rules are found in one place.
func validations() map[schema.GroupResource]opt {
	out := map[schema.GroupResource]opt{}
	for _, family := range []map[schema.GroupResource]opt{podValidation(), workloadValidation(), coreValidation(), groupValidation()} {
		for gr, o := range family {
			if _, dup := out[gr]; dup {
				panic(fmt.Sprintf("builtin: validation of %s registered twice", gr))
			}
			out[gr] = o
		}
	}
	return out
}

// validated sets a kind's validation from typed funcs: create validates
// new objects, update (nil: create's rules) updates of the main resource,
// and status (nil: none beyond metadata) updates through status.
func validated[T runtime.Object](create func(T) field.ErrorList, update, status func(obj, old T) field.ErrorList) opt {
	return func(k *registry.Kind) {
		k.Validate = func(_ context.Context, obj runtime.Object) field.ErrorList { return create(obj.(T)) }
		if update != nil {
			k.ValidateUpdate = func(_ context.Context, obj, old runtime.Object) field.ErrorList { return update(obj.(T), old.(T)) }
		}
		if status != nil {
			k.ValidateStatusUpdate = func(_ context.Context, obj, old runtime.Object) field.ErrorList { return status(obj.(T), old.(T)) }
		}
	}
}
