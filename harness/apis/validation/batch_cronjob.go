package validation

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	// kube-apiserver embeds the zone database, so time zones validate the
	// same on a machine without one.
	_ "time/tzdata"

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// CronJob validates a new CronJob, as upstream's ValidateCronJobCreate: the
// spec is valid and the name leaves room for the 11-character suffix of
// the Jobs it creates.
func CronJob(cj *batchv1.CronJob) field.ErrorList {
	errs := cronJobSpec(&cj.Spec, nil, field.NewPath("spec"))
	if len(cj.Name) > validation.DNS1035LabelMaxLength-11 {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), cj.Name, "must be no more than 52 characters"))
	}
	return errs
}

// CronJobUpdate validates an update of a CronJob, as upstream's
// ValidateCronJobUpdate: the new spec is valid (a TZ in the schedule is
// tolerated where the stored one had it, the time zone is checked only
// when it changes), and long names already stored are tolerated.
func CronJobUpdate(cj, old *batchv1.CronJob) field.ErrorList {
	return cronJobSpec(&cj.Spec, &old.Spec, field.NewPath("spec"))
}

// cronJobSpec is upstream's validateCronJobSpec. A missing schedule is a
// declarative rule in v1.37 (beta, enforced): its error comes last.
func cronJobSpec(spec, oldSpec *batchv1.CronJobSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(spec.Schedule) > 0 {
		allowTZ := oldSpec != nil && strings.Contains(oldSpec.Schedule, "TZ")
		errs = append(errs, scheduleFormat(spec.Schedule, allowTZ, spec.TimeZone, fldPath.Child("schedule"))...)
	}
	if spec.StartingDeadlineSeconds != nil {
		errs = append(errs, nonNegative(*spec.StartingDeadlineSeconds, fldPath.Child("startingDeadlineSeconds"))...)
	}
	if oldSpec == nil || !ptr.Equal(oldSpec.TimeZone, spec.TimeZone) {
		errs = append(errs, timeZone(spec.TimeZone, fldPath.Child("timeZone"))...)
	}
	errs = append(errs, concurrencyPolicy(spec.ConcurrencyPolicy, fldPath.Child("concurrencyPolicy"))...)
	var oldTemplate *corev1.PodTemplateSpec
	if oldSpec != nil {
		oldTemplate = &oldSpec.JobTemplate.Spec.Template
	}
	errs = append(errs, jobTemplate(&spec.JobTemplate, oldTemplate, fldPath.Child("jobTemplate"))...)
	if spec.SuccessfulJobsHistoryLimit != nil {
		errs = append(errs, nonNegative(int64(*spec.SuccessfulJobsHistoryLimit), fldPath.Child("successfulJobsHistoryLimit"))...)
	}
	if spec.FailedJobsHistoryLimit != nil {
		errs = append(errs, nonNegative(int64(*spec.FailedJobsHistoryLimit), fldPath.Child("failedJobsHistoryLimit"))...)
	}
	if len(spec.Schedule) == 0 {
		errs = append(errs, field.Required(fldPath.Child("schedule"), ""))
	}
	return errs
}

// jobTemplate is upstream's ValidateJobTemplateSpec: a Job spec whose
// selector the CronJob controller generates.
func jobTemplate(t *batchv1.JobTemplateSpec, oldTemplate *corev1.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	specPath := fldPath.Child("spec")
	errs := jobSpecRules(&t.Spec, oldTemplate, specPath)
	if t.Spec.Selector != nil {
		errs = append(errs, field.Invalid(specPath.Child("selector"), t.Spec.Selector, "`selector` will be auto-generated"))
	}
	if ptr.Deref(t.Spec.ManualSelector, false) {
		errs = append(errs, field.NotSupported(specPath.Child("manualSelector"), t.Spec.ManualSelector, []string{"nil", "false"}))
	}
	return errs
}

func concurrencyPolicy(p batchv1.ConcurrencyPolicy, fldPath *field.Path) field.ErrorList {
	switch p {
	case batchv1.AllowConcurrent, batchv1.ForbidConcurrent, batchv1.ReplaceConcurrent:
		return nil
	case "":
		return field.ErrorList{field.Required(fldPath, "")}
	}
	return field.ErrorList{field.NotSupported(fldPath, p, []batchv1.ConcurrencyPolicy{batchv1.AllowConcurrent, batchv1.ForbidConcurrent, batchv1.ReplaceConcurrent})}
}

// scheduleFormat is upstream's validateScheduleFormat: the schedule parses
// as a standard cron schedule (robfig/cron, as upstream) and time zones
// come from the timeZone field.
func scheduleFormat(schedule string, allowTZ bool, tz *string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if err := parseSchedule(schedule); err != nil {
		errs = append(errs, field.Invalid(fldPath, schedule, err.Error()))
	}
	switch {
	case allowTZ && strings.Contains(schedule, "TZ") && tz != nil:
		errs = append(errs, field.Invalid(fldPath, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"))
	case !allowTZ && strings.Contains(schedule, "TZ"):
		errs = append(errs, field.Invalid(fldPath, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
	}
	return errs
}

// parseSchedule is upstream's ParseCronScheduleWithPanicRecovery: the
// parser panics on some malformed schedules ("TZ=0").
func parseSchedule(schedule string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid schedule format: %v", r)
		}
	}()
	_, err = cron.ParseStandard(schedule)
	return err
}

// validTimeZoneCharacters is upstream's rule for each part of a zone name.
var validTimeZoneCharacters = regexp.MustCompile(`^[A-Za-z\.\-_0-9+]{1,14}$`)

// timeZone is upstream's validateTimeZone: an IANA zone the Go runtime
// knows, never Local.
func timeZone(tz *string, fldPath *field.Path) field.ErrorList {
	if tz == nil {
		return nil
	}
	if len(*tz) == 0 {
		return field.ErrorList{field.Invalid(fldPath, tz, "timeZone must be nil or non-empty string")}
	}
	for _, part := range strings.Split(*tz, "/") {
		if part == "." || part == ".." || strings.HasPrefix(part, "-") || !validTimeZoneCharacters.MatchString(part) {
			return field.ErrorList{field.Invalid(fldPath, tz, fmt.Sprintf("unknown time zone %s", *tz))}
		}
	}
	var errs field.ErrorList
	if strings.EqualFold(*tz, "Local") {
		errs = append(errs, field.Invalid(fldPath, tz, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"))
	}
	if _, err := time.LoadLocation(*tz); err != nil {
		errs = append(errs, field.Invalid(fldPath, tz, err.Error()))
	}
	return errs
}
