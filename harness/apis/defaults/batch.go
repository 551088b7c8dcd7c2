package defaults

import (
	"maps"
	"math"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// addBatch registers the batch/v1 defaulters (pkg/apis/batch/v1).
func addBatch(s *runtime.Scheme) {
	register(s, setJob)
	register(s, func(l *batchv1.JobList) { each(l.Items, setJob) })
	register(s, setCronJob)
	register(s, func(l *batchv1.CronJobList) { each(l.Items, setCronJob) })
}

// setJob defaults a Job's spec. A Job with neither completions nor
// parallelism runs one pod to completion; backoffLimit is 6, or unlimited
// when backoffLimitPerIndex is set; pods are replaced once Failed when a
// podFailurePolicy is set and once terminating otherwise.
func setJob(job *batchv1.Job) {
	spec := &job.Spec
	if spec.Completions == nil && spec.Parallelism == nil {
		spec.Completions = ptr.To[int32](1)
	}
	if spec.Parallelism == nil {
		spec.Parallelism = ptr.To[int32](1)
	}
	if spec.BackoffLimit == nil {
		if spec.BackoffLimitPerIndex != nil {
			spec.BackoffLimit = ptr.To[int32](math.MaxInt32)
		} else {
			spec.BackoffLimit = ptr.To[int32](6)
		}
	}
	if spec.Template.Labels != nil && len(job.Labels) == 0 {
		job.Labels = maps.Clone(spec.Template.Labels)
	}
	if spec.CompletionMode == nil {
		spec.CompletionMode = ptr.To(batchv1.NonIndexedCompletion)
	}
	if spec.Suspend == nil {
		spec.Suspend = ptr.To(false)
	}
	if spec.PodReplacementPolicy == nil {
		if spec.PodFailurePolicy != nil {
			spec.PodReplacementPolicy = ptr.To(batchv1.Failed)
		} else {
			spec.PodReplacementPolicy = ptr.To(batchv1.TerminatingOrFailed)
		}
	}
	if spec.ManualSelector == nil {
		spec.ManualSelector = ptr.To(false)
	}
	setPodFailurePolicy(spec.PodFailurePolicy)
	setPodSpec(&spec.Template.Spec)
}

// setCronJob defaults a CronJob's own fields. Its jobTemplate gets only the
// pod failure policy and pod spec defaults, not a Job's: the Job created from
// it is defaulted when it is created.
func setCronJob(cj *batchv1.CronJob) {
	spec := &cj.Spec
	if spec.ConcurrencyPolicy == "" {
		spec.ConcurrencyPolicy = batchv1.AllowConcurrent
	}
	if spec.Suspend == nil {
		spec.Suspend = ptr.To(false)
	}
	if spec.SuccessfulJobsHistoryLimit == nil {
		spec.SuccessfulJobsHistoryLimit = ptr.To[int32](3)
	}
	if spec.FailedJobsHistoryLimit == nil {
		spec.FailedJobsHistoryLimit = ptr.To[int32](1)
	}
	setPodFailurePolicy(spec.JobTemplate.Spec.PodFailurePolicy)
	setPodSpec(&spec.JobTemplate.Spec.Template.Spec)
}

// setPodFailurePolicy defaults the status of each onPodConditions pattern to
// True.
func setPodFailurePolicy(p *batchv1.PodFailurePolicy) {
	if p == nil {
		return
	}
	for i := range p.Rules {
		for j := range p.Rules[i].OnPodConditions {
			if c := &p.Rules[i].OnPodConditions[j]; c.Status == "" {
				c.Status = corev1.ConditionTrue
			}
		}
	}
}
