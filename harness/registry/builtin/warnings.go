package builtin

import (
	"context"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/memkube/memkube/harness/apis/validation"
	"github.com/memkube/memkube/harness/registry"
)

// warnings are the kinds' warnings (HTTP Warning headers, kubectl's
// "Warning: ..."), keyed by resource: those of upstream's pod, pod template
// and workload strategies, which warn about the pod (template) as
// upstream's pkg/api/pod/warnings.go, and of its PVC, RuntimeClass,
// StorageClass and CSIStorageCapacity strategies (on create and update). A template's warnings on update are
// only returned when generation changed (the template or spec did), as
// upstream's; pods warn on create only, to spare their frequent updates.
func warnings() map[schema.GroupResource]opt {
	spec := field.NewPath("spec")
	template := spec.Child("template")
	return map[schema.GroupResource]opt{
		{Resource: "pods"}: warned(validation.PodCreateWarnings,
			func(_, _ *corev1.Pod) []string { return nil },
			func(pod, _ *corev1.Pod) []string { return validation.PodStatusWarnings(pod) }),
		{Resource: "podtemplates"}: warned(
			func(t *corev1.PodTemplate) []string {
				return validation.PodTemplateWarnings(field.NewPath("template"), &t.Template, nil)
			},
			func(t, old *corev1.PodTemplate) []string {
				if t.Generation == old.Generation {
					return nil
				}
				return validation.PodTemplateWarnings(field.NewPath("template"), &t.Template, &old.Template)
			}, nil),
		{Resource: "persistentvolumeclaims"}:                           warned(validation.PVCWarnings, nil, nil),
		{Group: nodev1.GroupName, Resource: "runtimeclasses"}:          warned(validation.RuntimeClassWarnings, nil, nil),
		{Group: storagev1.GroupName, Resource: "storageclasses"}:       warned(validation.StorageClassWarnings, nil, nil),
		{Group: storagev1.GroupName, Resource: "csistoragecapacities"}: warned(validation.CSIStorageCapacityWarnings, nil, nil),
		{Resource: "replicationcontrollers"}: warned(
			func(rc *corev1.ReplicationController) []string {
				return append(validation.WorkloadNameWarnings(rc.Name), validation.PodTemplateWarnings(template, rc.Spec.Template, nil)...)
			},
			func(rc, old *corev1.ReplicationController) []string {
				if rc.Generation == old.Generation {
					return nil
				}
				// upstream's rcStrategy passes the stored template as the
				// new one, so an update warns about what was stored.
				return validation.PodTemplateWarnings(template, old.Spec.Template, rc.Spec.Template)
			}, nil),
		{Group: "apps", Resource: "deployments"}: warned(
			func(d *appsv1.Deployment) []string {
				return append(validation.WorkloadNameWarnings(d.Name), validation.PodTemplateWarnings(template, &d.Spec.Template, nil)...)
			},
			func(d, old *appsv1.Deployment) []string {
				if d.Generation == old.Generation {
					return nil
				}
				return validation.PodTemplateWarnings(template, &d.Spec.Template, &old.Spec.Template)
			}, nil),
		{Group: "apps", Resource: "replicasets"}: warned(
			func(rs *appsv1.ReplicaSet) []string {
				return append(validation.WorkloadNameWarnings(rs.Name), validation.PodTemplateWarnings(template, &rs.Spec.Template, nil)...)
			},
			func(rs, old *appsv1.ReplicaSet) []string {
				if rs.Generation == old.Generation {
					return nil
				}
				return validation.PodTemplateWarnings(template, &rs.Spec.Template, &old.Spec.Template)
			}, nil),
		{Group: "apps", Resource: "daemonsets"}: warned(
			func(ds *appsv1.DaemonSet) []string {
				return validation.PodTemplateWarnings(template, &ds.Spec.Template, nil)
			},
			func(ds, old *appsv1.DaemonSet) []string {
				// upstream compares templateGeneration, which its strategy
				// bumps exactly when the template changed.
				if apiequality.Semantic.DeepEqual(ds.Spec.Template, old.Spec.Template) {
					return nil
				}
				return validation.PodTemplateWarnings(template, &ds.Spec.Template, &old.Spec.Template)
			}, nil),
		{Group: "apps", Resource: "statefulsets"}: warned(
			func(ss *appsv1.StatefulSet) []string {
				return statefulSetWarnings(ss, nil)
			},
			statefulSetWarnings, nil),
		{Group: "batch", Resource: "jobs"}: warned(
			func(j *batchv1.Job) []string {
				return append(validation.WorkloadNameWarnings(j.Name), validation.JobSpecWarnings(spec, &j.Spec, nil)...)
			},
			func(j, old *batchv1.Job) []string {
				if j.Generation == old.Generation {
					return nil
				}
				return validation.JobSpecWarnings(spec, &j.Spec, &old.Spec)
			}, nil),
		{Group: "batch", Resource: "cronjobs"}: warned(
			func(cj *batchv1.CronJob) []string {
				return append(validation.WorkloadNameWarnings(cj.Name), validation.JobSpecWarnings(spec.Child("jobTemplate", "spec"), &cj.Spec.JobTemplate.Spec, nil)...)
			},
			func(cj, old *batchv1.CronJob) []string {
				var warnings []string
				if cj.Generation != old.Generation {
					warnings = validation.JobSpecWarnings(spec.Child("jobTemplate", "spec"), &cj.Spec.JobTemplate.Spec, &old.Spec.JobTemplate.Spec)
				}
				if strings.Contains(cj.Spec.Schedule, "TZ") {
					// spec.spec.schedule is upstream's text.
					warnings = append(warnings, fmt.Sprintf("cannot use TZ or CRON_TZ in %s, use timeZone instead, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details", field.NewPath("spec", "spec", "schedule")))
				}
				return warnings
			}, nil),
	}
}

// statefulSetWarnings are upstream's statefulSetStrategy's: the template's
// (on update only when generation changed), fractional storage in volume
// claim templates and a negative revisionHistoryLimit. old is nil on create.
func statefulSetWarnings(ss, old *appsv1.StatefulSet) []string {
	var warnings []string
	if old == nil || ss.Generation != old.Generation {
		var oldTemplate *corev1.PodTemplateSpec
		if old != nil {
			oldTemplate = &old.Spec.Template
		}
		warnings = validation.PodTemplateWarnings(field.NewPath("spec", "template"), &ss.Spec.Template, oldTemplate)
	}
	for i, pvc := range ss.Spec.VolumeClaimTemplates {
		path := field.NewPath("spec", "volumeClaimTemplates").Index(i)
		if old != nil {
			// upstream's update path names the field "Spec".
			path = path.Child("Spec")
		}
		warnings = append(warnings, validation.PVCSpecWarnings(path, pvc.Spec)...)
	}
	if ss.Spec.RevisionHistoryLimit != nil && *ss.Spec.RevisionHistoryLimit < 0 {
		warnings = append(warnings, "spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended")
	}
	return warnings
}

// warned sets a kind's warnings from typed funcs: create on create, update
// (nil: create's) on update of the main resource, status (nil: none) on
// update through status.
func warned[T runtime.Object](create func(T) []string, update, status func(obj, old T) []string) opt {
	return func(k *registry.Kind) {
		k.Warnings = func(_ context.Context, obj runtime.Object) []string { return create(obj.(T)) }
		if update != nil {
			k.WarningsUpdate = func(_ context.Context, obj, old runtime.Object) []string { return update(obj.(T), old.(T)) }
		}
		if status != nil {
			k.StatusWarnings = func(_ context.Context, obj, old runtime.Object) []string { return status(obj.(T), old.(T)) }
		}
	}
}
