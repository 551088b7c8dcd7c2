package validation

import (
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// parallelismSoftLimitForUnlimitedCompletions is upstream's limit above
// which an Indexed Job with many completions is warned about.
const parallelismSoftLimitForUnlimitedCompletions = 10_000

// JobSpecWarnings are the warnings of a Job spec at path (spec of a Job,
// spec.jobTemplate.spec of a CronJob), as upstream's WarningsForJobSpec
// (pkg/api/job/warnings.go): an Indexed Job whose completions and
// parallelism are both above the soft limits, then PodTemplateWarnings of
// its template. old is the stored spec on update (nil on create).
func JobSpecWarnings(path *field.Path, spec, old *batchv1.JobSpec) []string {
	var warnings []string
	if spec.CompletionMode != nil && *spec.CompletionMode == batchv1.IndexedCompletion {
		if ptr.Deref(spec.Completions, 0) > completionsSoftLimit && ptr.Deref(spec.Parallelism, 0) > parallelismSoftLimitForUnlimitedCompletions {
			warnings = append(warnings, fmt.Sprintf("%s: %s", path, "In Indexed Jobs with a number of completions higher than 10^5 and a parallelism higher than 10^4, Kubernetes might not be able to track completedIndexes when a big number of indexes fail"))
		}
	}
	var oldTemplate *corev1.PodTemplateSpec
	if old != nil {
		oldTemplate = &old.Template
	}
	return append(warnings, PodTemplateWarnings(path.Child("template"), &spec.Template, oldTemplate)...)
}
