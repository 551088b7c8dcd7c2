package validation

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var logStreams = sets.New(corev1.LogStreamStdout, corev1.LogStreamStderr, corev1.LogStreamAll)

// PodLogOptions validates the options of a pods/log request (defaulted:
// stream is set), as upstream's ValidatePodLogOptions with
// PodLogsQuerySplitStreams on.
func PodLogOptions(opts *corev1.PodLogOptions) field.ErrorList {
	var errs field.ErrorList
	if opts.TailLines != nil && *opts.TailLines < 0 {
		errs = append(errs, field.Invalid(field.NewPath("tailLines"), *opts.TailLines, isNegativeErrorMsg))
	}
	if opts.LimitBytes != nil && *opts.LimitBytes < 1 {
		errs = append(errs, field.Invalid(field.NewPath("limitBytes"), *opts.LimitBytes, "must be greater than 0"))
	}
	switch {
	case opts.SinceSeconds != nil && opts.SinceTime != nil:
		errs = append(errs, field.Forbidden(field.NewPath(""), "at most one of `sinceTime` or `sinceSeconds` may be specified"))
	case opts.SinceSeconds != nil && *opts.SinceSeconds < 1:
		errs = append(errs, field.Invalid(field.NewPath("sinceSeconds"), *opts.SinceSeconds, "must be greater than 0"))
	}
	switch {
	case opts.Stream == nil:
		errs = append(errs, field.Required(field.NewPath("stream"), "must be specified"))
	case !logStreams.Has(*opts.Stream):
		errs = append(errs, field.NotSupported(field.NewPath("stream"), *opts.Stream, sets.List(logStreams)))
	case *opts.Stream != corev1.LogStreamAll && opts.TailLines != nil:
		errs = append(errs, field.Forbidden(field.NewPath(""), "`tailLines` and specific `stream` are mutually exclusive for now"))
	}
	return errs
}
