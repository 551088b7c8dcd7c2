package validation

import (
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// Upstream's limits of a Job spec.
const (
	maxParallelismForIndexedJob             = 100_000
	maxFailedIndexesForIndexedJob           = 100_000
	completionsSoftLimit                    = 100_000
	parallelismLimitForHighCompletions      = 10_000
	maxFailedIndexesLimitForHighCompletions = 10_000
	maxPodFailurePolicyRules                = 20
	maxPodFailurePolicyOnExitCodesValues    = 255
	maxPodFailurePolicyOnPodConditions      = 20
	maxManagedByLength                      = 63
	maxSucceededIndexesLength               = 64 * 1024
	maxSuccessPolicyRules                   = 20
)

var (
	supportedPodFailurePolicyActions = sets.New(batchv1.PodFailurePolicyActionCount, batchv1.PodFailurePolicyActionFailIndex,
		batchv1.PodFailurePolicyActionFailJob, batchv1.PodFailurePolicyActionIgnore)
	supportedOnExitCodesOperators  = sets.New(batchv1.PodFailurePolicyOnExitCodesOpIn, batchv1.PodFailurePolicyOnExitCodesOpNotIn)
	supportedOnPodConditionsStatus = sets.New(corev1.ConditionFalse, corev1.ConditionTrue, corev1.ConditionUnknown)
	supportedPodReplacementPolicy  = sets.New(batchv1.Failed, batchv1.TerminatingOrFailed)
)

// Job validates a new Job, as upstream's ValidateJobCreate: the selector
// and pod labels the strategy generated (harness/registry/builtin) are
// there unless the selector is manual, the spec is valid, and an Indexed
// Job's name leaves room for its pods' hostnames.
func Job(job *batchv1.Job) field.ErrorList {
	errs := generatedSelector(job)
	errs = append(errs, jobSpec(&job.Spec, nil, field.NewPath("spec"), false)...)
	return append(errs, nameAllowsCompletions(job)...)
}

// JobUpdate validates an update of a Job, as upstream's ValidateJobUpdate:
// the new spec is valid; selector, completionMode, podFailurePolicy,
// backoffLimitPerIndex, managedBy and successPolicy are immutable;
// completions changes only for Indexed Jobs, with parallelism; and the pod
// template changes only while the Job is suspended and has not started (or
// is Suspended): then its scheduling directives, labels, annotations and
// containers' resources may change.
func JobUpdate(job, old *batchv1.Job) field.ErrorList {
	fldPath := field.NewPath("spec")
	spec, oldSpec := &job.Spec, &old.Spec
	errs := jobSpec(spec, oldSpec, fldPath, metav1validation.LabelSelectorHasInvalidLabelValue(oldSpec.Selector))
	errs = append(errs, completionsUpdate(spec, oldSpec, fldPath.Child("completions"))...)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(spec.Selector, oldSpec.Selector, fldPath.Child("selector"))...)
	errs = append(errs, jobTemplateUpdate(spec, oldSpec, mutablePodTemplate(old), fldPath)...)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(spec.CompletionMode, oldSpec.CompletionMode, fldPath.Child("completionMode"))...)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(spec.PodFailurePolicy, oldSpec.PodFailurePolicy, fldPath.Child("podFailurePolicy"))...)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(spec.BackoffLimitPerIndex, oldSpec.BackoffLimitPerIndex, fldPath.Child("backoffLimitPerIndex"))...)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(spec.ManagedBy, oldSpec.ManagedBy, fldPath.Child("managedBy"))...)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(spec.SuccessPolicy, oldSpec.SuccessPolicy, fldPath.Child("successPolicy"))...)
	return append(errs, nameAllowsCompletions(job)...)
}

// generatedSelector is upstream's validateGeneratedSelector (with the
// batch.kubernetes.io labels required, as on every create).
func generatedSelector(job *batchv1.Job) field.ErrorList {
	if ptr.Deref(job.Spec.ManualSelector, false) || job.Spec.Selector == nil {
		return nil
	}
	var errs field.ErrorList
	if job.UID == "" {
		errs = append(errs, field.Required(field.NewPath("metadata", "uid"), ""))
	}
	path := field.NewPath("spec", "template", "metadata")
	uid, name := string(job.UID), job.Name
	errs = append(errs, hasLabel(job.Spec.Template.Labels, path, "controller-uid", uid)...)
	errs = append(errs, hasLabel(job.Spec.Template.Labels, path, "job-name", name)...)
	errs = append(errs, hasLabel(job.Spec.Template.Labels, path, batchv1.ControllerUidLabel, uid)...)
	errs = append(errs, hasLabel(job.Spec.Template.Labels, path, batchv1.JobNameLabel, name)...)
	expected := labels.Set{batchv1.ControllerUidLabel: uid, batchv1.JobNameLabel: name, "controller-uid": uid, "job-name": name}
	if selector, err := metav1.LabelSelectorAsSelector(job.Spec.Selector); err == nil && !selector.Matches(expected) {
		errs = append(errs, field.Invalid(field.NewPath("spec", "selector"), job.Spec.Selector, "`selector` not auto-generated"))
	}
	return errs
}

// hasLabel is upstream's ValidateHasLabel.
func hasLabel(set map[string]string, fldPath *field.Path, key, want string) field.ErrorList {
	got, found := set[key]
	switch {
	case !found:
		return field.ErrorList{field.Required(fldPath.Child("labels").Key(key), fmt.Sprintf("must be '%s'", want))}
	case got != want:
		return field.ErrorList{field.Invalid(fldPath.Child("labels").Key(key), set, fmt.Sprintf("must be '%s'", want))}
	}
	return nil
}

// nameAllowsCompletions is upstream's validateNameAllowsCompletions.
func nameAllowsCompletions(job *batchv1.Job) field.ErrorList {
	if ptr.Deref(job.Spec.CompletionMode, "") != batchv1.IndexedCompletion || ptr.Deref(job.Spec.Completions, 0) <= 0 {
		return nil
	}
	hostname := fmt.Sprintf("%s-%d", job.Name, *job.Spec.Completions-1)
	if len(validation.IsDNS1123Label(hostname)) > 0 {
		return field.ErrorList{field.Invalid(field.NewPath("metadata", "name"), job.Name, "will not able to create pod with invalid DNS label: "+hostname)}
	}
	return nil
}

// jobSpec is upstream's ValidateJobSpec: the spec's own rules, then a
// required, valid selector that selects the template.
func jobSpec(spec, oldSpec *batchv1.JobSpec, fldPath *field.Path, allowInvalidLabelValue bool) field.ErrorList {
	var oldTemplate *corev1.PodTemplateSpec
	if oldSpec != nil {
		oldTemplate = &oldSpec.Template
	}
	errs := jobSpecRules(spec, oldTemplate, fldPath)
	if spec.Selector == nil {
		errs = append(errs, field.Required(fldPath.Child("selector"), ""))
	} else {
		errs = append(errs, labelSelector(spec.Selector, allowInvalidLabelValue, fldPath.Child("selector"))...)
	}
	if selector, err := metav1.LabelSelectorAsSelector(spec.Selector); err == nil && !selector.Matches(labels.Set(spec.Template.Labels)) {
		errs = append(errs, field.Invalid(fldPath.Child("template", "metadata", "labels"), spec.Template.Labels, doesNotMatchTemplate))
	}
	return errs
}

// jobSpecRules is upstream's validateJobSpec, which CronJobs' job templates
// share (spec.scheduling, an alpha field, is not validated); oldTemplate is
// the stored pod template on update.
func jobSpecRules(spec *batchv1.JobSpec, oldTemplate *corev1.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	optionalNonNegative := func(v *int32, name string) {
		if v != nil {
			errs = append(errs, nonNegative(int64(*v), fldPath.Child(name))...)
		}
	}
	optionalNonNegative(spec.Parallelism, "parallelism")
	optionalNonNegative(spec.Completions, "completions")
	if spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, nonNegative(*spec.ActiveDeadlineSeconds, fldPath.Child("activeDeadlineSeconds"))...)
	}
	optionalNonNegative(spec.BackoffLimit, "backoffLimit")
	optionalNonNegative(spec.TTLSecondsAfterFinished, "ttlSecondsAfterFinished")
	optionalNonNegative(spec.BackoffLimitPerIndex, "backoffLimitPerIndex")
	if spec.MaxFailedIndexes != nil {
		errs = append(errs, nonNegative(int64(*spec.MaxFailedIndexes), fldPath.Child("maxFailedIndexes"))...)
		if spec.BackoffLimitPerIndex == nil {
			errs = append(errs, field.Required(fldPath.Child("backoffLimitPerIndex"), "when maxFailedIndexes is specified").WithOrigin("dependentRequired"))
		}
	}
	if spec.ManagedBy != nil {
		errs = append(errs, validation.IsDomainPrefixedPath(fldPath.Child("managedBy"), *spec.ManagedBy)...)
		if len(*spec.ManagedBy) > maxManagedByLength {
			errs = append(errs, field.TooLong(fldPath.Child("managedBy"), "", maxManagedByLength))
		}
	}
	errs = append(errs, completionModeRules(spec, fldPath)...)
	if spec.PodFailurePolicy != nil {
		errs = append(errs, podFailurePolicy(spec, fldPath.Child("podFailurePolicy"))...)
	}
	if spec.SuccessPolicy != nil {
		if ptr.Deref(spec.CompletionMode, batchv1.NonIndexedCompletion) != batchv1.IndexedCompletion {
			errs = append(errs, field.Invalid(fldPath.Child("successPolicy"), internalValue{spec.SuccessPolicy}, "requires indexed completion mode"))
		} else {
			errs = append(errs, successPolicy(spec, fldPath.Child("successPolicy"))...)
		}
	}
	errs = append(errs, podReplacementPolicy(spec, fldPath.Child("podReplacementPolicy"))...)
	errs = append(errs, workloadTemplate(&spec.Template, oldTemplate, fldPath.Child("template"))...)
	restartPath := fldPath.Child("template", "spec", "restartPolicy")
	switch policy := spec.Template.Spec.RestartPolicy; {
	case policy == corev1.RestartPolicyAlways || policy == "":
		errs = append(errs, field.Required(restartPath, fmt.Sprintf("valid values: %q, %q", corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever)))
	case policy != corev1.RestartPolicyOnFailure && policy != corev1.RestartPolicyNever:
		errs = append(errs, field.NotSupported(restartPath, policy, []corev1.RestartPolicy{corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever}))
	case spec.PodFailurePolicy != nil && policy != corev1.RestartPolicyNever:
		errs = append(errs, field.Invalid(restartPath, policy, fmt.Sprintf("only %q is supported when podFailurePolicy is specified", corev1.RestartPolicyNever)))
	}
	return errs
}

// completionModeRules is the completionMode part of upstream's
// validateJobSpec: Indexed Jobs need completions and bound parallelism
// and failed indexes; the per-index backoff needs Indexed.
func completionModeRules(spec *batchv1.JobSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if mode := spec.CompletionMode; mode != nil {
		if *mode != batchv1.NonIndexedCompletion && *mode != batchv1.IndexedCompletion {
			errs = append(errs, field.NotSupported(fldPath.Child("completionMode"), mode, []batchv1.CompletionMode{batchv1.NonIndexedCompletion, batchv1.IndexedCompletion}))
		}
		if *mode == batchv1.IndexedCompletion {
			if spec.Completions == nil {
				errs = append(errs, field.Required(fldPath.Child("completions"), fmt.Sprintf("when completion mode is %s", batchv1.IndexedCompletion)))
			}
			if spec.Parallelism != nil && *spec.Parallelism > maxParallelismForIndexedJob {
				errs = append(errs, field.Invalid(fldPath.Child("parallelism"), *spec.Parallelism, fmt.Sprintf("must be less than or equal to %d when completion mode is %s", maxParallelismForIndexedJob, batchv1.IndexedCompletion)))
			}
			if spec.Completions != nil && spec.MaxFailedIndexes != nil && *spec.MaxFailedIndexes > *spec.Completions {
				errs = append(errs, field.Invalid(fldPath.Child("maxFailedIndexes"), *spec.MaxFailedIndexes, "must be less than or equal to completions"))
			}
			if spec.MaxFailedIndexes != nil && *spec.MaxFailedIndexes > maxFailedIndexesForIndexedJob {
				errs = append(errs, field.Invalid(fldPath.Child("maxFailedIndexes"), *spec.MaxFailedIndexes, fmt.Sprintf("must be less than or equal to %d", maxFailedIndexesForIndexedJob)))
			}
			if spec.Completions != nil && *spec.Completions > completionsSoftLimit && spec.BackoffLimitPerIndex != nil {
				if spec.MaxFailedIndexes == nil {
					errs = append(errs, field.Required(fldPath.Child("maxFailedIndexes"), fmt.Sprintf("must be specified when completions is above %d", completionsSoftLimit)))
				}
				if spec.Parallelism != nil && *spec.Parallelism > parallelismLimitForHighCompletions {
					errs = append(errs, field.Invalid(fldPath.Child("parallelism"), *spec.Parallelism, fmt.Sprintf("must be less than or equal to %d when completions are above %d and used with backoff limit per index", parallelismLimitForHighCompletions, completionsSoftLimit)))
				}
				if spec.MaxFailedIndexes != nil && *spec.MaxFailedIndexes > maxFailedIndexesLimitForHighCompletions {
					errs = append(errs, field.Invalid(fldPath.Child("maxFailedIndexes"), *spec.MaxFailedIndexes, fmt.Sprintf("must be less than or equal to %d when completions are above %d and used with backoff limit per index", maxFailedIndexesLimitForHighCompletions, completionsSoftLimit)))
				}
			}
		}
	}
	if ptr.Deref(spec.CompletionMode, batchv1.NonIndexedCompletion) == batchv1.NonIndexedCompletion {
		if spec.BackoffLimitPerIndex != nil {
			errs = append(errs, field.Invalid(fldPath.Child("backoffLimitPerIndex"), *spec.BackoffLimitPerIndex, "requires indexed completion mode"))
		}
		if spec.MaxFailedIndexes != nil {
			errs = append(errs, field.Invalid(fldPath.Child("maxFailedIndexes"), *spec.MaxFailedIndexes, "requires indexed completion mode"))
		}
	}
	return errs
}

// podReplacementPolicy is upstream's validatePodReplacementPolicy.
func podReplacementPolicy(spec *batchv1.JobSpec, fldPath *field.Path) field.ErrorList {
	p := spec.PodReplacementPolicy
	switch {
	case p == nil:
	case spec.PodFailurePolicy != nil:
		if *p != batchv1.Failed {
			return field.ErrorList{field.NotSupported(fldPath, *p, []batchv1.PodReplacementPolicy{batchv1.Failed})}
		}
	case !supportedPodReplacementPolicy.Has(*p):
		return field.ErrorList{field.NotSupported(fldPath, *p, sets.List(supportedPodReplacementPolicy))}
	}
	return nil
}

// podFailurePolicy is upstream's validatePodFailurePolicy.
func podFailurePolicy(spec *batchv1.JobSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	rulesPath := fldPath.Child("rules")
	if len(spec.PodFailurePolicy.Rules) > maxPodFailurePolicyRules {
		errs = append(errs, field.TooMany(rulesPath, len(spec.PodFailurePolicy.Rules), maxPodFailurePolicyRules))
	}
	names := sets.New[string]()
	for _, c := range spec.Template.Spec.Containers {
		names.Insert(c.Name)
	}
	for _, c := range spec.Template.Spec.InitContainers {
		names.Insert(c.Name)
	}
	for i := range spec.PodFailurePolicy.Rules {
		errs = append(errs, podFailurePolicyRule(spec, &spec.PodFailurePolicy.Rules[i], rulesPath.Index(i), names)...)
	}
	return errs
}

func podFailurePolicyRule(spec *batchv1.JobSpec, rule *batchv1.PodFailurePolicyRule, rulePath *field.Path, containers sets.Set[string]) field.ErrorList {
	var errs field.ErrorList
	actionPath := rulePath.Child("action")
	switch {
	case rule.Action == "":
		errs = append(errs, field.Required(actionPath, fmt.Sprintf("valid values: %q", sets.List(supportedPodFailurePolicyActions))))
	case rule.Action == batchv1.PodFailurePolicyActionFailIndex:
		if spec.BackoffLimitPerIndex == nil {
			errs = append(errs, field.Invalid(actionPath, rule.Action, "requires the backoffLimitPerIndex to be set"))
		}
	case !supportedPodFailurePolicyActions.Has(rule.Action):
		errs = append(errs, field.NotSupported(actionPath, rule.Action, sets.List(supportedPodFailurePolicyActions)))
	}
	if rule.OnExitCodes != nil {
		errs = append(errs, onExitCodes(rule.OnExitCodes, rulePath.Child("onExitCodes"), containers)...)
	}
	if len(rule.OnPodConditions) > 0 {
		errs = append(errs, onPodConditions(rule.OnPodConditions, rulePath.Child("onPodConditions"))...)
	}
	if rule.OnExitCodes != nil && len(rule.OnPodConditions) > 0 {
		errs = append(errs, field.Invalid(rulePath, field.OmitValueType{}, "specifying both OnExitCodes and OnPodConditions is not supported"))
	}
	if rule.OnExitCodes == nil && len(rule.OnPodConditions) == 0 {
		errs = append(errs, field.Invalid(rulePath, field.OmitValueType{}, "specifying one of OnExitCodes and OnPodConditions is required"))
	}
	return errs
}

func onPodConditions(patterns []batchv1.PodFailurePolicyOnPodConditionsPattern, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(patterns) > maxPodFailurePolicyOnPodConditions {
		errs = append(errs, field.TooMany(fldPath, len(patterns), maxPodFailurePolicyOnPodConditions))
	}
	for j, p := range patterns {
		path := fldPath.Index(j)
		errs = append(errs, qualifiedName(string(p.Type), path.Child("type"))...)
		switch {
		case p.Status == "":
			errs = append(errs, field.Required(path.Child("status"), fmt.Sprintf("valid values: %q", sets.List(supportedOnPodConditionsStatus))))
		case !supportedOnPodConditionsStatus.Has(p.Status):
			errs = append(errs, field.NotSupported(path.Child("status"), p.Status, sets.List(supportedOnPodConditionsStatus)))
		}
	}
	return errs
}

func onExitCodes(req *batchv1.PodFailurePolicyOnExitCodesRequirement, fldPath *field.Path, containers sets.Set[string]) field.ErrorList {
	var errs field.ErrorList
	operatorPath := fldPath.Child("operator")
	switch {
	case req.Operator == "":
		errs = append(errs, field.Required(operatorPath, fmt.Sprintf("valid values: %q", sets.List(supportedOnExitCodesOperators))))
	case !supportedOnExitCodesOperators.Has(req.Operator):
		errs = append(errs, field.NotSupported(operatorPath, req.Operator, sets.List(supportedOnExitCodesOperators)))
	}
	if req.ContainerName != nil && !containers.Has(*req.ContainerName) {
		errs = append(errs, field.Invalid(fldPath.Child("containerName"), *req.ContainerName, "must be one of the container or initContainer names in the pod template"))
	}
	valuesPath := fldPath.Child("values")
	if len(req.Values) == 0 {
		errs = append(errs, field.Invalid(valuesPath, req.Values, "at least one value is required"))
	} else if len(req.Values) > maxPodFailurePolicyOnExitCodesValues {
		errs = append(errs, field.TooMany(valuesPath, len(req.Values), maxPodFailurePolicyOnExitCodesValues))
	}
	ordered := true
	seen := sets.New[int32]()
	for j, v := range req.Values {
		if req.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn && v == 0 {
			errs = append(errs, field.Invalid(valuesPath.Index(j), v, "must not be 0 for the In operator"))
		}
		if seen.Has(v) {
			errs = append(errs, field.Duplicate(valuesPath.Index(j), v))
		} else {
			seen.Insert(v)
		}
		if j > 0 && req.Values[j-1] > v {
			ordered = false
		}
	}
	if !ordered {
		errs = append(errs, field.Invalid(valuesPath, req.Values, "must be ordered"))
	}
	return errs
}

// successPolicy is upstream's validateSuccessPolicy (of an Indexed Job).
func successPolicy(spec *batchv1.JobSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	rulesPath := fldPath.Child("rules")
	rules := spec.SuccessPolicy.Rules
	if len(rules) == 0 {
		errs = append(errs, field.Required(rulesPath, "at least one rules must be specified when the successPolicy is specified"))
	}
	if len(rules) > maxSuccessPolicyRules {
		errs = append(errs, field.TooMany(rulesPath, len(rules), maxSuccessPolicyRules))
	}
	completions := ptr.Deref(spec.Completions, 0)
	for i, rule := range rules {
		path := rulesPath.Index(i)
		if rule.SucceededCount == nil && rule.SucceededIndexes == nil {
			errs = append(errs, field.Required(path, "at least one of succeededCount or succeededIndexes must be specified"))
		}
		var total int32
		if rule.SucceededIndexes != nil {
			indexesPath := path.Child("succeededIndexes")
			if len(*rule.SucceededIndexes) > maxSucceededIndexesLength {
				errs = append(errs, field.TooLong(indexesPath, "", maxSucceededIndexesLength))
			}
			var err error
			if total, err = indexesFormat(*rule.SucceededIndexes, completions); err != nil {
				errs = append(errs, field.Invalid(indexesPath, *rule.SucceededIndexes, fmt.Sprintf("error parsing succeededIndexes: %s", err.Error())))
			}
		}
		if rule.SucceededCount != nil {
			countPath := path.Child("succeededCount")
			errs = append(errs, nonNegative(int64(*rule.SucceededCount), countPath)...)
			if *rule.SucceededCount > completions {
				errs = append(errs, field.Invalid(countPath, *rule.SucceededCount, fmt.Sprintf("must be less than or equal to %d (the number of specified completions)", completions)))
			}
			if rule.SucceededIndexes != nil && *rule.SucceededCount > total {
				errs = append(errs, field.Invalid(countPath, *rule.SucceededCount, fmt.Sprintf("must be less than or equal to %d (the number of indexes in the specified succeededIndexes field)", total)))
			}
		}
	}
	return errs
}

// completionsUpdate is upstream's validateCompletions: immutable unless
// Indexed, and then changed only with parallelism.
func completionsUpdate(spec, oldSpec *batchv1.JobSpec, fldPath *field.Path) field.ErrorList {
	if ptr.Deref(spec.CompletionMode, "") != batchv1.IndexedCompletion {
		return apimachineryvalidation.ValidateImmutableField(spec.Completions, oldSpec.Completions, fldPath)
	}
	if ptr.Equal(spec.Completions, oldSpec.Completions) || spec.Completions == nil {
		return nil
	}
	if *spec.Completions != ptr.Deref(spec.Parallelism, 0) {
		return field.ErrorList{field.Invalid(fldPath, spec.Completions, fmt.Sprintf("can only be modified in tandem with %s", fldPath.Root().Child("parallelism").String()))}
	}
	return nil
}

// mutablePodTemplate is upstream's shouldAllowMutablePodTemplate: a
// suspended Job with no active pods that never started or is Suspended.
// With v1.37's MutableSchedulingDirectivesForSuspendedJobs and
// MutablePodResourcesForSuspendedJobs (beta, on) it decides both what
// scheduling directives and what resources may change.
func mutablePodTemplate(old *batchv1.Job) bool {
	suspended := ptr.Deref(old.Spec.Suspend, false)
	notStarted := old.Status.StartTime == nil
	return suspended && (notStarted || jobConditionTrue(old.Status.Conditions, batchv1.JobSuspended)) && old.Status.Active == 0
}

// jobTemplateUpdate is upstream's validatePodTemplateUpdate.
func jobTemplateUpdate(spec, oldSpec *batchv1.JobSpec, mutable bool, fldPath *field.Path) field.ErrorList {
	template, oldTemplate := &spec.Template, &oldSpec.Template
	if mutable {
		oldTemplate = oldTemplate.DeepCopy()
		switch {
		case template.Spec.Affinity == nil && oldTemplate.Spec.Affinity != nil:
			oldTemplate.Spec.Affinity.NodeAffinity = nil
			if *oldTemplate.Spec.Affinity == (corev1.Affinity{}) {
				oldTemplate.Spec.Affinity = nil
			}
		case template.Spec.Affinity != nil && oldTemplate.Spec.Affinity == nil:
			oldTemplate.Spec.Affinity = &corev1.Affinity{NodeAffinity: template.Spec.Affinity.NodeAffinity}
		case template.Spec.Affinity != nil && oldTemplate.Spec.Affinity != nil:
			oldTemplate.Spec.Affinity.NodeAffinity = template.Spec.Affinity.NodeAffinity
		}
		oldTemplate.Spec.NodeSelector = template.Spec.NodeSelector
		oldTemplate.Spec.Tolerations = template.Spec.Tolerations
		oldTemplate.Annotations = template.Annotations
		oldTemplate.Labels = template.Labels
		oldTemplate.Spec.SchedulingGates = template.Spec.SchedulingGates
	}
	if !ptr.Deref(oldSpec.Suspend, false) || !mutable {
		return apimachineryvalidation.ValidateImmutableField(template, oldTemplate, fldPath.Child("template"))
	}
	// only the containers' resources may change beyond the directives.
	oldPod := oldTemplate.Spec.DeepCopy()
	if len(template.Spec.Containers) == len(oldPod.Containers) {
		for i := range template.Spec.Containers {
			if oldPod.Containers[i].Name == template.Spec.Containers[i].Name {
				oldPod.Containers[i].Resources = template.Spec.Containers[i].Resources
			}
		}
	}
	if len(template.Spec.InitContainers) == len(oldPod.InitContainers) {
		for i := range template.Spec.InitContainers {
			if oldPod.InitContainers[i].Name == template.Spec.InitContainers[i].Name {
				oldPod.InitContainers[i].Resources = template.Spec.InitContainers[i].Resources
			}
		}
	}
	return apimachineryvalidation.ValidateImmutableField(template.Spec, *oldPod, fldPath.Child("template.spec"))
}

// jobConditionTrue is upstream's IsConditionTrue.
func jobConditionTrue(list []batchv1.JobCondition, t batchv1.JobConditionType) bool {
	for _, c := range list {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// jobConditionFalse is upstream's IsConditionFalse.
func jobConditionFalse(list []batchv1.JobCondition, t batchv1.JobConditionType) bool {
	for _, c := range list {
		if c.Type == t && c.Status == corev1.ConditionFalse {
			return true
		}
	}
	return false
}
