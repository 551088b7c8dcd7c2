package defaults_test

import (
	"math"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// jobTemplate is a Job's pod template: Jobs require restartPolicy Never or
// OnFailure, so it is set and kept.
func jobTemplate(defaulted bool) corev1.PodTemplateSpec {
	t := minimalTemplate()
	if defaulted {
		t = defaultedTemplate()
	}
	t.Spec.RestartPolicy = corev1.RestartPolicyNever
	return t
}

func TestJobDefaults(t *testing.T) {
	t.Parallel()
	failurePolicy := func(status corev1.ConditionStatus) *batchv1.PodFailurePolicy {
		return &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
			Action:          batchv1.PodFailurePolicyActionIgnore,
			OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: corev1.DisruptionTarget, Status: status}},
		}}}
	}
	runGolden(t, []goldenCase{
		{
			name: "minimal",
			in:   &batchv1.Job{ObjectMeta: meta, Spec: batchv1.JobSpec{Template: jobTemplate(false)}},
			want: &batchv1.Job{
				ObjectMeta: metav1.ObjectMeta{Name: meta.Name, Namespace: meta.Namespace, Labels: webLabels},
				Spec: batchv1.JobSpec{
					Parallelism:          ptr.To[int32](1),
					Completions:          ptr.To[int32](1),
					BackoffLimit:         ptr.To[int32](6),
					ManualSelector:       ptr.To(false),
					Template:             jobTemplate(true),
					CompletionMode:       ptr.To(batchv1.NonIndexedCompletion),
					Suspend:              ptr.To(false),
					PodReplacementPolicy: ptr.To(batchv1.TerminatingOrFailed),
				},
			},
		},
		{
			name: "parallelism without completions, per-index backoff, failure policy",
			in: &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j", Labels: map[string]string{"own": "1"}}, Spec: batchv1.JobSpec{
				Parallelism:          ptr.To[int32](3),
				CompletionMode:       ptr.To(batchv1.IndexedCompletion),
				BackoffLimitPerIndex: ptr.To[int32](2),
				PodFailurePolicy:     failurePolicy(""),
				Template:             jobTemplate(false),
			}},
			want: &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j", Labels: map[string]string{"own": "1"}}, Spec: batchv1.JobSpec{
				Parallelism:          ptr.To[int32](3),
				CompletionMode:       ptr.To(batchv1.IndexedCompletion),
				BackoffLimitPerIndex: ptr.To[int32](2),
				BackoffLimit:         ptr.To[int32](math.MaxInt32),
				PodFailurePolicy:     failurePolicy(corev1.ConditionTrue),
				PodReplacementPolicy: ptr.To(batchv1.Failed),
				ManualSelector:       ptr.To(false),
				Suspend:              ptr.To(false),
				Template:             jobTemplate(true),
			}},
		},
		{
			name: "completions without parallelism",
			in:   &batchv1.JobList{Items: []batchv1.Job{{Spec: batchv1.JobSpec{Completions: ptr.To[int32](5), Template: jobTemplate(false)}}}},
			want: &batchv1.JobList{Items: []batchv1.Job{{
				ObjectMeta: metav1.ObjectMeta{Labels: webLabels},
				Spec: batchv1.JobSpec{
					Completions: ptr.To[int32](5), Parallelism: ptr.To[int32](1), BackoffLimit: ptr.To[int32](6),
					ManualSelector: ptr.To(false), Template: jobTemplate(true), CompletionMode: ptr.To(batchv1.NonIndexedCompletion),
					Suspend: ptr.To(false), PodReplacementPolicy: ptr.To(batchv1.TerminatingOrFailed),
				},
			}}},
		},
	})
}

func TestCronJobDefaults(t *testing.T) {
	t.Parallel()
	runGolden(t, []goldenCase{
		{
			// The job template gets pod defaults, not Job defaults: a Job
			// created from it is defaulted when it is created.
			name: "minimal",
			in: &batchv1.CronJob{ObjectMeta: meta, Spec: batchv1.CronJobSpec{
				Schedule:    "*/5 * * * *",
				JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: jobTemplate(false)}},
			}},
			want: &batchv1.CronJob{ObjectMeta: meta, Spec: batchv1.CronJobSpec{
				Schedule:                   "*/5 * * * *",
				ConcurrencyPolicy:          batchv1.AllowConcurrent,
				Suspend:                    ptr.To(false),
				JobTemplate:                batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: jobTemplate(true)}},
				SuccessfulJobsHistoryLimit: ptr.To[int32](3),
				FailedJobsHistoryLimit:     ptr.To[int32](1),
			}},
		},
		{
			name: "set fields kept, failure policy defaulted",
			in: &batchv1.CronJobList{Items: []batchv1.CronJob{{Spec: batchv1.CronJobSpec{
				ConcurrencyPolicy: batchv1.ForbidConcurrent, Suspend: ptr.To(true),
				SuccessfulJobsHistoryLimit: ptr.To[int32](0), FailedJobsHistoryLimit: ptr.To[int32](0),
				JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
					Template: jobTemplate(false),
					PodFailurePolicy: &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
						Action: batchv1.PodFailurePolicyActionFailJob, OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: "X"}},
					}}},
				}},
			}}}},
			want: &batchv1.CronJobList{Items: []batchv1.CronJob{{Spec: batchv1.CronJobSpec{
				ConcurrencyPolicy: batchv1.ForbidConcurrent, Suspend: ptr.To(true),
				SuccessfulJobsHistoryLimit: ptr.To[int32](0), FailedJobsHistoryLimit: ptr.To[int32](0),
				JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
					Template: jobTemplate(true),
					PodFailurePolicy: &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
						Action: batchv1.PodFailurePolicyActionFailJob, OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: "X", Status: corev1.ConditionTrue}},
					}}},
				}},
			}}}},
		},
	})
}
