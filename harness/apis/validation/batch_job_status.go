package validation

import (
	"fmt"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// JobStatusUpdate validates an update of a Job's status, as upstream's
// ValidateJobUpdateStatus with the options its strategy derives with
// JobManagedBy on (GA in v1.37): counters are non-negative and do not go
// down, terminal conditions stay, and a rule about a field is checked only
// when the update changes what it is about, so that a status the
// controller has yet to fix does not block unrelated writes.
func JobStatusUpdate(job, old *batchv1.Job) field.ErrorList {
	opts := jobStatusOptions(job, old)
	statusPath := field.NewPath("status")
	errs := jobStatus(job, statusPath, opts)
	for _, t := range []batchv1.JobConditionType{batchv1.JobFailed, batchv1.JobComplete, batchv1.JobFailureTarget} {
		if jobConditionTrue(old.Status.Conditions, t) && !jobConditionTrue(job.Status.Conditions, t) {
			errs = append(errs, field.Invalid(statusPath.Child("conditions"), field.OmitValueType{}, fmt.Sprintf("cannot disable the terminal %s=True condition", string(t))))
		}
	}
	if job.Status.Failed < old.Status.Failed {
		errs = append(errs, field.Invalid(statusPath.Child("failed"), job.Status.Failed, "cannot decrease the failed counter"))
	}
	if opts.rejectDecreasingSucceeded && job.Status.Succeeded < old.Status.Succeeded {
		errs = append(errs, field.Invalid(statusPath.Child("succeeded"), job.Status.Succeeded, "cannot decrease the succeeded counter"))
	}
	if job.Status.CompletionTime != nil && old.Status.CompletionTime != nil && !ptr.Equal(job.Status.CompletionTime, old.Status.CompletionTime) {
		errs = append(errs, field.Invalid(statusPath.Child("completionTime"), job.Status.CompletionTime, "field is immutable"))
	}
	if opts.startTime && !opts.resuming && old.Status.StartTime != nil && !ptr.Deref(job.Spec.Suspend, false) {
		errs = append(errs, field.Invalid(statusPath.Child("startTime"), job.Status.StartTime, "field is immutable for unsuspended job once set"))
	}
	successOld, successNew := jobConditionTrue(old.Status.Conditions, batchv1.JobSuccessCriteriaMet), jobConditionTrue(job.Status.Conditions, batchv1.JobSuccessCriteriaMet)
	if successOld && !successNew {
		errs = append(errs, field.Invalid(statusPath.Child("conditions"), field.OmitValueType{}, "cannot disable the SuccessCriteriaMet=True condition"))
	}
	if jobConditionTrue(old.Status.Conditions, batchv1.JobComplete) && !successOld && successNew {
		errs = append(errs, field.Invalid(statusPath.Child("conditions"), field.OmitValueType{}, "cannot set SuccessCriteriaMet=True for Job already has Complete=true conditions"))
	}
	return errs
}

// jobStatusChanges is what an update changes, from which upstream's
// getStatusValidationOptions decides which rules apply.
type jobStatusChanges struct {
	finished, complete, failed, failureTarget, successCriteriaMet bool
	completedIndexes, failedIndexes, active, startTime            bool
	completionTime, uncounted, ready, terminating                 bool
	rejectDecreasingSucceeded, suspendedWithZeroCompletions       bool
	resuming                                                      bool
}

func jobStatusOptions(job, old *batchv1.Job) jobStatusChanges {
	conds, oldConds := job.Status.Conditions, old.Status.Conditions
	changed := func(t batchv1.JobConditionType) bool {
		return jobConditionTrue(oldConds, t) != jobConditionTrue(conds, t)
	}
	indexed := ptr.Deref(job.Spec.CompletionMode, batchv1.NonIndexedCompletion) == batchv1.IndexedCompletion
	return jobStatusChanges{
		finished:                     jobFinished(old) != jobFinished(job),
		complete:                     changed(batchv1.JobComplete),
		failed:                       changed(batchv1.JobFailed),
		failureTarget:                changed(batchv1.JobFailureTarget),
		successCriteriaMet:           changed(batchv1.JobSuccessCriteriaMet),
		completedIndexes:             old.Status.CompletedIndexes != job.Status.CompletedIndexes,
		failedIndexes:                !ptr.Equal(old.Status.FailedIndexes, job.Status.FailedIndexes),
		active:                       old.Status.Active != job.Status.Active,
		startTime:                    !ptr.Equal(old.Status.StartTime, job.Status.StartTime),
		completionTime:               !ptr.Equal(old.Status.CompletionTime, job.Status.CompletionTime),
		uncounted:                    !apiequality.Semantic.DeepEqual(old.Status.UncountedTerminatedPods, job.Status.UncountedTerminatedPods),
		ready:                        !ptr.Equal(old.Status.Ready, job.Status.Ready),
		terminating:                  !ptr.Equal(old.Status.Terminating, job.Status.Terminating),
		rejectDecreasingSucceeded:    !indexed || !ptr.Equal(job.Spec.Completions, job.Spec.Parallelism),
		suspendedWithZeroCompletions: ptr.Equal(job.Spec.Suspend, ptr.To(true)) && ptr.Equal(job.Spec.Completions, ptr.To[int32](0)),
		resuming:                     jobConditionTrue(oldConds, batchv1.JobSuspended) && jobConditionFalse(conds, batchv1.JobSuspended),
	}
}

func jobFinished(job *batchv1.Job) bool {
	return jobConditionTrue(job.Status.Conditions, batchv1.JobComplete) || jobConditionTrue(job.Status.Conditions, batchv1.JobFailed)
}

// jobStatus is upstream's validateJobStatus with the strategy's options.
func jobStatus(job *batchv1.Job, fldPath *field.Path, c jobStatusChanges) field.ErrorList {
	s := &job.Status
	errs := nonNegative(int64(s.Active), fldPath.Child("active"))
	errs = append(errs, nonNegative(int64(s.Succeeded), fldPath.Child("succeeded"))...)
	errs = append(errs, nonNegative(int64(s.Failed), fldPath.Child("failed"))...)
	if s.Ready != nil {
		errs = append(errs, nonNegative(int64(*s.Ready), fldPath.Child("ready"))...)
	}
	if s.Terminating != nil {
		errs = append(errs, nonNegative(int64(*s.Terminating), fldPath.Child("terminating"))...)
	}
	if u := s.UncountedTerminatedPods; u != nil {
		path := fldPath.Child("uncountedTerminatedPods")
		seen := sets.New[types.UID]()
		for _, list := range []struct {
			name string
			uids []types.UID
		}{{"succeeded", u.Succeeded}, {"failed", u.Failed}} {
			for i, k := range list.uids {
				p := path.Child(list.name).Index(i)
				switch {
				case k == "":
					errs = append(errs, field.Invalid(p, k, "must not be empty"))
				case seen.Has(k):
					errs = append(errs, field.Duplicate(p, k))
				default:
					seen.Insert(k)
				}
			}
		}
	}
	conds := s.Conditions
	complete, failed := jobConditionTrue(conds, batchv1.JobComplete), jobConditionTrue(conds, batchv1.JobFailed)
	failureTarget, successMet := jobConditionTrue(conds, batchv1.JobFailureTarget), jobConditionTrue(conds, batchv1.JobSuccessCriteriaMet)
	condsPath := fldPath.Child("conditions")
	invalidConditions := func(msg string) { errs = append(errs, field.Invalid(condsPath, field.OmitValueType{}, msg)) }
	if (c.complete || c.failed) && complete && failed {
		invalidConditions("cannot set Complete=True and Failed=true conditions")
	}
	if (c.complete || c.failureTarget) && complete && failureTarget {
		invalidConditions("cannot set Complete=True and FailureTarget=true conditions")
	}
	if (c.complete || c.completionTime) && s.CompletionTime != nil && !complete {
		errs = append(errs, field.Invalid(fldPath.Child("completionTime"), s.CompletionTime, "cannot set completionTime when there is no Complete=True condition"))
	}
	if (c.complete || c.completionTime) && s.CompletionTime == nil && complete {
		errs = append(errs, field.Required(fldPath.Child("completionTime"), "completionTime is required for Complete jobs"))
	}
	if (c.startTime || c.completionTime) && s.StartTime != nil && s.CompletionTime != nil && s.CompletionTime.Before(s.StartTime) {
		errs = append(errs, field.Invalid(fldPath.Child("completionTime"), s.CompletionTime, "must be equal to or after `startTime`"))
	}
	if (c.failed || c.failedIndexes) && failed && !failureTarget {
		invalidConditions("cannot set Failed=True condition without the FailureTarget=true condition")
	}
	if (c.complete || c.successCriteriaMet) && complete && !successMet {
		invalidConditions("cannot set Complete=True condition without the SuccessCriteriaMet=true condition")
	}
	finished := complete || failed
	if (c.finished || c.active) && s.Active > 0 && finished {
		errs = append(errs, field.Invalid(fldPath.Child("active"), s.Active, "active>0 is invalid for finished job"))
	}
	if (c.finished || c.startTime) && !c.suspendedWithZeroCompletions && s.StartTime == nil && finished {
		errs = append(errs, field.Required(fldPath.Child("startTime"), "startTime is required for finished job"))
	}
	if (c.finished || c.uncounted) && finished && s.UncountedTerminatedPods != nil && len(s.UncountedTerminatedPods.Failed)+len(s.UncountedTerminatedPods.Succeeded) > 0 {
		errs = append(errs, field.Invalid(fldPath.Child("uncountedTerminatedPods"), internalValue{s.UncountedTerminatedPods}, "must be empty for finished job"))
	}
	if c.completedIndexes && job.Spec.Completions != nil {
		if _, err := indexesFormat(s.CompletedIndexes, *job.Spec.Completions); err != nil {
			errs = append(errs, field.Invalid(fldPath.Child("completedIndexes"), s.CompletedIndexes, fmt.Sprintf("error parsing completedIndexes: %s", err.Error())))
		}
	}
	if c.failedIndexes && job.Spec.Completions != nil && job.Spec.BackoffLimitPerIndex != nil && s.FailedIndexes != nil {
		if _, err := indexesFormat(*s.FailedIndexes, *job.Spec.Completions); err != nil {
			errs = append(errs, field.Invalid(fldPath.Child("failedIndexes"), s.FailedIndexes, fmt.Sprintf("error parsing failedIndexes: %s", err.Error())))
		}
	}
	indexed := ptr.Deref(job.Spec.CompletionMode, batchv1.NonIndexedCompletion) == batchv1.IndexedCompletion
	if c.completedIndexes && len(s.CompletedIndexes) != 0 && !indexed {
		errs = append(errs, field.Invalid(fldPath.Child("completedIndexes"), s.CompletedIndexes, "cannot set non-empty completedIndexes when non-indexed completion mode"))
	}
	if c.failedIndexes && job.Spec.BackoffLimitPerIndex == nil && s.FailedIndexes != nil {
		errs = append(errs, field.Invalid(fldPath.Child("failedIndexes"), *s.FailedIndexes, "cannot set non-null failedIndexes when backoffLimitPerIndex is null"))
	}
	if (c.failedIndexes || c.completedIndexes) && job.Spec.Completions != nil && s.FailedIndexes != nil {
		if err := indexesNotOverlapping(s.CompletedIndexes, *s.FailedIndexes, *job.Spec.Completions); err != nil {
			errs = append(errs, field.Invalid(fldPath.Child("failedIndexes"), *s.FailedIndexes, err.Error()))
		}
	}
	if (c.finished || c.terminating) && s.Terminating != nil && *s.Terminating > 0 && finished {
		errs = append(errs, field.Invalid(fldPath.Child("terminating"), s.Terminating, "terminating>0 is invalid for finished job"))
	}
	if (c.ready || c.active) && s.Ready != nil && *s.Ready > s.Active {
		errs = append(errs, field.Invalid(fldPath.Child("ready"), *s.Ready, "cannot set more ready pods than active"))
	}
	if successMet && failed {
		invalidConditions("cannot set SuccessCriteriaMet=True and Failed=true conditions")
	}
	if successMet && failureTarget {
		invalidConditions("cannot set SuccessCriteriaMet=True and FailureTarget=true conditions")
	}
	if job.Spec.SuccessPolicy != nil && !successMet && complete {
		invalidConditions("cannot set Complete=True for Job with SuccessPolicy unless SuccessCriteriaMet=True")
	}
	return errs
}

// indexesNotOverlapping is upstream's validateFailedIndexesNotOverlapCompleted;
// intervals that do not parse are skipped (their format is reported
// elsewhere).
func indexesNotOverlapping(completedStr, failedStr string, completions int32) error {
	if len(completedStr) == 0 || len(failedStr) == 0 {
		return nil
	}
	completed, failed := strings.Split(completedStr, ","), strings.Split(failedStr, ",")
	var ci, fi int
	cX, cY, cErr := indexInterval(completed[ci], completions)
	fX, fY, fErr := indexInterval(failed[fi], completions)
	for ci < len(completed) && fi < len(failed) {
		switch {
		case cErr != nil:
			ci++
			if ci < len(completed) {
				cX, cY, cErr = indexInterval(completed[ci], completions)
			}
		case fErr != nil:
			fi++
			if fi < len(failed) {
				fX, fY, fErr = indexInterval(failed[fi], completions)
			}
		case cX <= fY && fX <= cY:
			return fmt.Errorf("failedIndexes and completedIndexes overlap at index: %d", max(cX, fX))
		case cX <= fX:
			ci++
			if ci < len(completed) {
				cX, cY, cErr = indexInterval(completed[ci], completions)
			}
		default:
			fi++
			if fi < len(failed) {
				fX, fY, fErr = indexInterval(failed[fi], completions)
			}
		}
	}
	return nil
}

// indexesFormat is upstream's validateIndexesFormat: increasing intervals
// below completions; it returns how many indexes they hold.
func indexesFormat(indexes string, completions int32) (int32, error) {
	if len(indexes) == 0 {
		return 0, nil
	}
	var last *int32
	var total int32
	for _, interval := range strings.Split(indexes, ",") {
		x, y, err := indexInterval(interval, completions)
		if err != nil {
			return 0, err
		}
		if last != nil && *last >= x {
			return 0, fmt.Errorf("non-increasing order, previous: %d, current: %d", *last, x)
		}
		total += y - x + 1
		last = &y
	}
	return total, nil
}

// indexInterval is upstream's parseIndexInterval ("3" or "3-5").
func indexInterval(interval string, completions int32) (int32, int32, error) {
	limits := strings.Split(interval, "-")
	if len(limits) > 2 {
		return 0, 0, fmt.Errorf("the fragment %q violates the requirement that an index interval can have at most two parts separated by '-'", interval)
	}
	x, err := strconv.Atoi(limits[0])
	if err != nil {
		return 0, 0, fmt.Errorf("cannot convert string to integer for index: %q", limits[0])
	}
	if x >= int(completions) {
		return 0, 0, fmt.Errorf("too large index: %q", limits[0])
	}
	if len(limits) == 1 {
		return int32(x), int32(x), nil
	}
	y, err := strconv.Atoi(limits[1])
	if err != nil {
		return 0, 0, fmt.Errorf("cannot convert string to integer for index: %q", limits[1])
	}
	if y >= int(completions) {
		return 0, 0, fmt.Errorf("too large index: %q", limits[1])
	}
	if x >= y {
		return 0, 0, fmt.Errorf("non-increasing order, previous: %d, current: %d", x, y)
	}
	return int32(x), int32(y), nil
}
