package printers

import (
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
)

func batch(s *set) {
	r := batchv1.Resource
	add[batchv1.Job, batchv1.JobList](s, jobColumns, cells(printJob), r("jobs"))
	add[batchv1.CronJob, batchv1.CronJobList](s, cronJobColumns, cells(printCronJob), r("cronjobs"))
}

var jobColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Status", Type: "string", Description: "Status of the job."},
	{Name: "Completions", Type: "string", Description: batchv1.JobStatus{}.SwaggerDoc()["succeeded"]},
	{Name: "Duration", Type: "string", Description: "Time required to complete the job."},
	ageColumn,
	containersColumn,
	imagesColumn,
	{Name: "Selector", Type: "string", Priority: 1, Description: batchv1.JobSpec{}.SwaggerDoc()["selector"]},
}

// printJob: COMPLETIONS is succeeded/completions ("/1 of <parallelism>"
// for a work queue); DURATION runs from start to completion, or to now;
// STATUS is the first of Complete, Failed, Terminating, Suspended,
// FailureTarget, SuccessCriteriaMet that holds, else Running.
func printJob(job *batchv1.Job) []interface{} {
	var completions string
	if job.Spec.Completions != nil {
		completions = fmt.Sprintf("%d/%d", job.Status.Succeeded, *job.Spec.Completions)
	} else if parallelism := deref(job.Spec.Parallelism); parallelism > 1 {
		completions = fmt.Sprintf("%d/1 of %d", job.Status.Succeeded, parallelism)
	} else {
		completions = fmt.Sprintf("%d/1", job.Status.Succeeded)
	}
	var jobDuration string
	switch {
	case job.Status.StartTime == nil:
	case job.Status.CompletionTime == nil:
		jobDuration = duration.HumanDuration(time.Since(job.Status.StartTime.Time))
	default:
		jobDuration = duration.HumanDuration(job.Status.CompletionTime.Sub(job.Status.StartTime.Time))
	}
	var status string
	switch conditions := job.Status.Conditions; {
	case jobCondition(conditions, batchv1.JobComplete):
		status = "Complete"
	case jobCondition(conditions, batchv1.JobFailed):
		status = "Failed"
	case job.DeletionTimestamp != nil:
		status = "Terminating"
	case jobCondition(conditions, batchv1.JobSuspended):
		status = "Suspended"
	case jobCondition(conditions, batchv1.JobFailureTarget):
		status = "FailureTarget"
	case jobCondition(conditions, batchv1.JobSuccessCriteriaMet):
		status = "SuccessCriteriaMet"
	default:
		status = "Running"
	}
	names, images := containerCells(job.Spec.Template.Spec.Containers)
	return []interface{}{job.Name, status, completions, jobDuration, age(job.CreationTimestamp),
		names, images, metav1.FormatLabelSelector(job.Spec.Selector)}
}

// jobCondition is whether the first condition of type t is true.
func jobCondition(conditions []batchv1.JobCondition, t batchv1.JobConditionType) bool {
	for _, c := range conditions {
		if c.Type == t {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

var cronJobColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Schedule", Type: "string", Description: batchv1.CronJobSpec{}.SwaggerDoc()["schedule"]},
	{Name: "Timezone", Type: "string", Description: batchv1.CronJobSpec{}.SwaggerDoc()["timeZone"]},
	{Name: "Suspend", Type: "boolean", Description: batchv1.CronJobSpec{}.SwaggerDoc()["suspend"]},
	{Name: "Active", Type: "integer", Description: batchv1.CronJobStatus{}.SwaggerDoc()["active"]},
	{Name: "Last Schedule", Type: "string", Description: batchv1.CronJobStatus{}.SwaggerDoc()["lastScheduleTime"]},
	ageColumn,
	containersColumn,
	imagesColumn,
	{Name: "Selector", Type: "string", Priority: 1, Description: batchv1.JobSpec{}.SwaggerDoc()["selector"]},
}

// printCronJob: SUSPEND is the text True, False or <unset>, though the column
// says boolean.
func printCronJob(cj *batchv1.CronJob) []interface{} {
	lastSchedule := "<none>"
	if cj.Status.LastScheduleTime != nil {
		lastSchedule = age(*cj.Status.LastScheduleTime)
	}
	timeZone := "<none>"
	if cj.Spec.TimeZone != nil {
		timeZone = *cj.Spec.TimeZone
	}
	names, images := containerCells(cj.Spec.JobTemplate.Spec.Template.Spec.Containers)
	return []interface{}{cj.Name, cj.Spec.Schedule, timeZone, boolPtr(cj.Spec.Suspend), int64(len(cj.Status.Active)), lastSchedule, age(cj.CreationTimestamp),
		names, images, metav1.FormatLabelSelector(cj.Spec.JobTemplate.Spec.Selector)}
}
