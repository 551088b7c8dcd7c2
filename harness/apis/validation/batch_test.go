package validation_test

import (
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

const jobUID = "8a5a2a61-6a6b-4c3f-9b38-6f4f4b2b9d10"

// validJob is a Job as the strategy prepares it: labels and selector
// generated from its name and uid.
func validJob() *batchv1.Job {
	template := podTemplate()
	template.Spec.RestartPolicy = corev1.RestartPolicyNever
	template.Labels = map[string]string{
		"controller-uid": jobUID, batchv1.ControllerUidLabel: jobUID,
		"job-name": "pi", batchv1.JobNameLabel: "pi",
	}
	return defaulted(&batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "pi", Namespace: "default", UID: jobUID},
		Spec: batchv1.JobSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{batchv1.ControllerUidLabel: jobUID}},
			Template: template,
		},
	})
}

func indexed(j *batchv1.Job) {
	j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
	j.Spec.Completions = ptr.To[int32](4)
	j.Spec.Parallelism = ptr.To[int32](4)
}

func TestJob(t *testing.T) {
	t.Parallel()
	run(t, validJob, validation.Job, []invalid[*batchv1.Job]{
		{"negative counts", func(j *batchv1.Job) {
			j.Spec.Parallelism = ptr.To[int32](-1)
			j.Spec.BackoffLimit = ptr.To[int32](-1)
			j.Spec.TTLSecondsAfterFinished = ptr.To[int32](-1)
		}, []string{
			"spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
			"spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
			"spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0",
		}},
		{"restartPolicy Always", func(j *batchv1.Job) { j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyAlways },
			[]string{`spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"`}},
		// the pod template's rule, then the Job's, as upstream.
		{"unknown restartPolicy", func(j *batchv1.Job) { j.Spec.Template.Spec.RestartPolicy = "Sometimes" }, []string{
			`spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`,
			`spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"`,
		}},
		{"generated label changed", func(j *batchv1.Job) { j.Spec.Template.Labels["job-name"] = "other" }, []string{
			`spec.template.metadata.labels[job-name]: Invalid value: {"batch.kubernetes.io/controller-uid":"` + jobUID + `","batch.kubernetes.io/job-name":"pi","controller-uid":"` + jobUID + `","job-name":"other"}: must be 'pi'`,
		}},
		{"selector not generated", func(j *batchv1.Job) {
			j.Spec.Selector.MatchLabels["team"] = "a"
			j.Spec.Template.Labels["team"] = "a"
		}, []string{`spec.selector: Invalid value: {"matchLabels":{"batch.kubernetes.io/controller-uid":"` + jobUID + `","team":"a"}}: ` + "`selector` not auto-generated"}},
		{"manual selector that does not match", func(j *batchv1.Job) {
			j.Spec.ManualSelector = ptr.To(true)
			j.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "pi"}}
		}, []string{`spec.template.metadata.labels: Invalid value: {"batch.kubernetes.io/controller-uid":"` + jobUID + `","batch.kubernetes.io/job-name":"pi","controller-uid":"` + jobUID + `","job-name":"pi"}: ` + "`selector` does not match template `labels`"}},
		{"indexed without completions", func(j *batchv1.Job) {
			j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
			j.Spec.Completions = nil
		},
			[]string{"spec.completions: Required value: when completion mode is Indexed"}},
		{"unknown completionMode", func(j *batchv1.Job) { j.Spec.CompletionMode = ptr.To[batchv1.CompletionMode]("Sorted") },
			[]string{`spec.completionMode: Unsupported value: "Sorted": supported values: "NonIndexed", "Indexed"`}},
		{"backoffLimitPerIndex without Indexed", func(j *batchv1.Job) { j.Spec.BackoffLimitPerIndex = ptr.To[int32](1) },
			[]string{"spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode"}},
		{"maxFailedIndexes without backoffLimitPerIndex", func(j *batchv1.Job) {
			indexed(j)
			j.Spec.MaxFailedIndexes = ptr.To[int32](5)
		}, []string{
			"spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified",
			"spec.maxFailedIndexes: Invalid value: 5: must be less than or equal to completions",
		}},
		{"indexed name too long for hostnames", func(j *batchv1.Job) {
			indexed(j)
			j.Spec.Completions = ptr.To[int32](1000)
			j.Name = "a23456789012345678901234567890123456789012345678901234567890"
			j.Spec.Template.Labels["job-name"], j.Spec.Template.Labels[batchv1.JobNameLabel] = j.Name, j.Name
		}, []string{"metadata.name: Invalid value: \"a23456789012345678901234567890123456789012345678901234567890\": will not able to create pod with invalid DNS label: a23456789012345678901234567890123456789012345678901234567890-999"}},
		{"podFailurePolicy", func(j *batchv1.Job) {
			j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{
				{Action: batchv1.PodFailurePolicyActionFailJob, OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{
					ContainerName: ptr.To("sidecar"), Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{3, 0, 3},
				}},
				{Action: "Retry", OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: corev1.DisruptionTarget}}},
			}}
			j.Spec.PodReplacementPolicy = ptr.To(batchv1.Failed)
		}, []string{
			`spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "sidecar": must be one of the container or initContainer names in the pod template`,
			"spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator",
			"spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 3",
			"spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: [3,0,3]: must be ordered",
			`spec.podFailurePolicy.rules[1].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"`,
			`spec.podFailurePolicy.rules[1].onPodConditions[0].status: Required value: valid values: ["False" "True" "Unknown"]`,
		}},
		{"podFailurePolicy with OnFailure", func(j *batchv1.Job) {
			j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
			j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
				Action: batchv1.PodFailurePolicyActionIgnore, OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue}},
			}}}
			j.Spec.PodReplacementPolicy = ptr.To(batchv1.Failed)
		}, []string{`spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified`}},
		{"successPolicy without Indexed", func(j *batchv1.Job) {
			j.Spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: []batchv1.SuccessPolicyRule{{SucceededCount: ptr.To[int32](1)}}}
		}, []string{`spec.successPolicy: Invalid value: {"Rules":[{"SucceededIndexes":null,"SucceededCount":1}]}: requires indexed completion mode`}},
		{"successPolicy rules", func(j *batchv1.Job) {
			indexed(j)
			j.Spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: []batchv1.SuccessPolicyRule{{}, {SucceededIndexes: ptr.To("0-2,5"), SucceededCount: ptr.To[int32](5)}}}
		}, []string{
			"spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified",
			`spec.successPolicy.rules[1].succeededIndexes: Invalid value: "0-2,5": error parsing succeededIndexes: too large index: "5"`,
			"spec.successPolicy.rules[1].succeededCount: Invalid value: 5: must be less than or equal to 4 (the number of specified completions)",
			"spec.successPolicy.rules[1].succeededCount: Invalid value: 5: must be less than or equal to 0 (the number of indexes in the specified succeededIndexes field)",
		}},
		{"managedBy", func(j *batchv1.Job) { j.Spec.ManagedBy = ptr.To("kueue") },
			[]string{`spec.managedBy: Invalid value: "kueue": must be a domain-prefixed path (such as "acme.io/foo")`}},
		{"podReplacementPolicy", func(j *batchv1.Job) { j.Spec.PodReplacementPolicy = ptr.To[batchv1.PodReplacementPolicy]("Never") },
			[]string{`spec.podReplacementPolicy: Unsupported value: "Never": supported values: "Failed", "TerminatingOrFailed"`}},
	})
}

func TestJobUpdate(t *testing.T) {
	t.Parallel()
	suspended := func() *batchv1.Job {
		j := validJob()
		j.Spec.Suspend = ptr.To(true)
		return j
	}
	for _, tc := range []struct {
		name   string
		valid  func() *batchv1.Job
		change func(*batchv1.Job)
		want   []string
	}{
		{"parallelism, suspend and ttl change", validJob, func(j *batchv1.Job) {
			j.Spec.Parallelism = ptr.To[int32](3)
			j.Spec.Suspend = ptr.To(true)
			j.Spec.TTLSecondsAfterFinished = ptr.To[int32](60)
		}, nil},
		{"completions of a NonIndexed Job", validJob, func(j *batchv1.Job) { j.Spec.Completions = ptr.To[int32](3) },
			[]string{"spec.completions: Invalid value: 3: field is immutable"}},
		{"completions of an Indexed Job without parallelism", func() *batchv1.Job { j := validJob(); indexed(j); return j },
			func(j *batchv1.Job) { j.Spec.Completions = ptr.To[int32](6) },
			[]string{"spec.completions: Invalid value: 6: can only be modified in tandem with spec.parallelism"}},
		{"completions of an Indexed Job with parallelism", func() *batchv1.Job { j := validJob(); indexed(j); return j },
			func(j *batchv1.Job) { j.Spec.Completions, j.Spec.Parallelism = ptr.To[int32](6), ptr.To[int32](6) }, nil},
		{"scheduling directives and resources of a suspended Job", suspended, func(j *batchv1.Job) {
			j.Spec.Template.Spec.NodeSelector = map[string]string{"zone": "a"}
			j.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "gpu", Operator: corev1.TolerationOpExists}}
			j.Spec.Template.Annotations = map[string]string{"queue": "a"}
			j.Spec.Template.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: mustQuantity("1")}
		}, nil},
		{"image of a suspended Job", suspended, func(j *batchv1.Job) { j.Spec.Template.Spec.Containers[0].Image = "perl:6" },
			nil},
		{"completionMode and managedBy", validJob, func(j *batchv1.Job) {
			j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
			j.Spec.ManagedBy = ptr.To("example.com/queue")
		}, []string{
			`spec.completionMode: Invalid value: "Indexed": field is immutable`,
			`spec.managedBy: Invalid value: "example.com/queue": field is immutable`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			errs := updated(tc.valid, tc.change, validation.JobUpdate)
			if tc.name == "image of a suspended Job" {
				if len(errs) != 1 || errs[0].Field != "spec.template.spec" || errs[0].Detail != "field is immutable" {
					t.Errorf("got %v, want spec.template.spec immutable", errs)
				}
				return
			}
			wantErrs(t, errs, tc.want)
		})
	}
	errs := updated(validJob, func(j *batchv1.Job) { j.Spec.Template.Spec.NodeSelector = map[string]string{"zone": "a"} }, validation.JobUpdate)
	if len(errs) != 1 || errs[0].Field != "spec.template" || errs[0].Detail != "field is immutable" {
		t.Errorf("template of a running Job: got %v, want spec.template immutable", errs)
	}
}

func TestJobStatusUpdate(t *testing.T) {
	t.Parallel()
	start := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	running := validJob()
	running.Status = batchv1.JobStatus{Active: 2, Ready: ptr.To[int32](1), StartTime: &start, Succeeded: 1}
	next := running.DeepCopy()
	next.Status.Ready = ptr.To[int32](2)
	next.Status.Succeeded = 2
	wantErrs(t, validation.JobStatusUpdate(next, running), nil)

	bad := running.DeepCopy()
	bad.Status.Succeeded = 0
	bad.Status.Ready = ptr.To[int32](3)
	bad.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}
	wantErrs(t, validation.JobStatusUpdate(bad, running), []string{
		"status.completionTime: Required value: completionTime is required for Complete jobs",
		"status.conditions: Invalid value: cannot set Complete=True condition without the SuccessCriteriaMet=true condition",
		"status.active: Invalid value: 2: active>0 is invalid for finished job",
		"status.ready: Invalid value: 3: cannot set more ready pods than active",
		"status.succeeded: Invalid value: 0: cannot decrease the succeeded counter",
	})

	failed := running.DeepCopy()
	failed.Status.Active = 0
	failed.Status.Ready = ptr.To[int32](0)
	failed.Status.Conditions = []batchv1.JobCondition{
		{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue},
		{Type: batchv1.JobFailed, Status: corev1.ConditionTrue},
	}
	wantErrs(t, validation.JobStatusUpdate(failed, running), nil)
	reopened := failed.DeepCopy()
	reopened.Status.Conditions = nil
	wantErrs(t, validation.JobStatusUpdate(reopened, failed), []string{
		"status.conditions: Invalid value: cannot disable the terminal Failed=True condition",
		"status.conditions: Invalid value: cannot disable the terminal FailureTarget=True condition",
	})
}

func validCronJob() *batchv1.CronJob {
	template := podTemplate()
	template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
	return defaulted(&batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "backup", Namespace: "default"},
		Spec: batchv1.CronJobSpec{
			Schedule:    "*/5 * * * *",
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: template}},
		},
	})
}

func TestCronJob(t *testing.T) {
	t.Parallel()
	run(t, validCronJob, validation.CronJob, []invalid[*batchv1.CronJob]{
		{"no schedule", func(c *batchv1.CronJob) { c.Spec.Schedule = "" }, []string{"spec.schedule: Required value"}},
		{"bad schedule", func(c *batchv1.CronJob) { c.Spec.Schedule = "every day" },
			[]string{`spec.schedule: Invalid value: "every day": expected exactly 5 fields, found 2: [every day]`}},
		{"out of range schedule", func(c *batchv1.CronJob) { c.Spec.Schedule = "61 * * * *" },
			[]string{`spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61`}},
		{"TZ in schedule", func(c *batchv1.CronJob) { c.Spec.Schedule = "TZ=UTC 0 * * * *" },
			[]string{`spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead`}},
		{"unknown time zone", func(c *batchv1.CronJob) { c.Spec.TimeZone = ptr.To("Mars/Olympus") },
			[]string{`spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus`}},
		{"Local time zone", func(c *batchv1.CronJob) { c.Spec.TimeZone = ptr.To("Local") },
			[]string{`spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones`}},
		{"concurrencyPolicy", func(c *batchv1.CronJob) { c.Spec.ConcurrencyPolicy = "Queue" },
			[]string{`spec.concurrencyPolicy: Unsupported value: "Queue": supported values: "Allow", "Forbid", "Replace"`}},
		{"negative deadline and history", func(c *batchv1.CronJob) {
			c.Spec.StartingDeadlineSeconds = ptr.To[int64](-1)
			c.Spec.FailedJobsHistoryLimit = ptr.To[int32](-1)
		}, []string{
			"spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0",
			"spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
		}},
		{"job template selector and restartPolicy", func(c *batchv1.CronJob) {
			c.Spec.JobTemplate.Spec.Selector = webSelector()
			c.Spec.JobTemplate.Spec.ManualSelector = ptr.To(true)
			c.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyAlways
		}, []string{
			`spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"`,
			`spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"app":"web"}}: ` + "`selector` will be auto-generated",
			`spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"`,
		}},
		{"long name", func(c *batchv1.CronJob) { c.Name = "a2345678901234567890123456789012345678901234567890123" },
			[]string{`metadata.name: Invalid value: "a2345678901234567890123456789012345678901234567890123": must be no more than 52 characters`}},
	})
	if errs := updated(validCronJob, func(c *batchv1.CronJob) {
		c.Spec.Schedule = "@hourly"
		c.Spec.TimeZone = ptr.To("Europe/Paris")
		c.Spec.Suspend = ptr.To(true)
	}, validation.CronJobUpdate); len(errs) != 0 {
		t.Errorf("new schedule, zone and suspend: got %v, want no errors", errs)
	}
}

func mustQuantity(s string) resource.Quantity { return resource.MustParse(s) }
