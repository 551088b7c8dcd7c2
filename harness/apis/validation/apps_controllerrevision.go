package validation

import (
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ControllerRevision validates a new ControllerRevision, as upstream's
// ValidateControllerRevisionCreate: revision is non-negative and data a
// JSON object.
func ControllerRevision(r *appsv1.ControllerRevision) field.ErrorList {
	errs := nonNegative(r.Revision, field.NewPath("revision"))
	var v any
	dataPath := field.NewPath("data")
	switch {
	case r.Data.Raw == nil:
		errs = append(errs, field.Required(dataPath, "data is mandatory"))
	default:
		if err := json.Unmarshal(r.Data.Raw, &v); err != nil {
			errs = append(errs, field.Invalid(dataPath, "<value omitted>", fmt.Sprintf("error parsing data: %v", err.Error())))
		} else if v == nil {
			errs = append(errs, field.Required(dataPath, "data is mandatory"))
		} else if _, isObject := v.(map[string]any); !isObject {
			errs = append(errs, field.Required(dataPath, "data must be a valid JSON object"))
		}
	}
	return errs
}

// ControllerRevisionUpdate validates an update of a ControllerRevision, as
// upstream's ValidateControllerRevisionUpdate: revision stays valid and
// data is immutable.
func ControllerRevisionUpdate(r, old *appsv1.ControllerRevision) field.ErrorList {
	errs := nonNegative(r.Revision, field.NewPath("revision"))
	return append(errs, apimachineryvalidation.ValidateImmutableField(r.Data, old.Data, field.NewPath("data"))...)
}
