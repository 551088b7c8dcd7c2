package builtin

import (
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/registry"
)

// TestWarningsOfStrategies checks when each kind's strategy warns, through
// registry.Strategy as the store calls it: on create, on update only when
// the template (generation) changed, never through status unless upstream
// does, with upstream's field paths.
func TestWarningsOfStrategies(t *testing.T) {
	t.Parallel()
	const (
		arch    = `deprecated since v1.14; use "kubernetes.io/arch" instead`
		grace   = `must be >= 0; negative values are invalid and will be treated as 1`
		dnsName = `metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [must not contain dots]`
	)
	template := func(grace int64) corev1.PodTemplateSpec {
		return corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			NodeSelector:                  map[string]string{"beta.kubernetes.io/arch": "amd64"},
			TerminationGracePeriodSeconds: ptr.To(grace),
		}}
	}
	meta := func(name string, generation int64) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: "default", Generation: generation}
	}
	storage := corev1.PersistentVolumeClaim{Spec: corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1500m")},
	}}}
	cases := []struct {
		name     string
		resource schema.GroupResource
		obj, old runtime.Object // old nil: create
		status   bool           // through the status endpoint
		want     []string
	}{
		{
			name: "pod create", resource: corev1.Resource("pods"),
			obj:  &corev1.Pod{ObjectMeta: meta("web", 1), Spec: template(-1).Spec},
			want: []string{`spec.nodeSelector[beta.kubernetes.io/arch]: ` + arch, `spec.terminationGracePeriodSeconds: ` + grace},
		},
		{
			name: "pod update", resource: corev1.Resource("pods"),
			obj: &corev1.Pod{ObjectMeta: meta("web", 2), Spec: template(-1).Spec},
			old: &corev1.Pod{ObjectMeta: meta("web", 1)},
		},
		{
			name: "podtemplate update with a new generation", resource: corev1.Resource("podtemplates"),
			obj:  &corev1.PodTemplate{ObjectMeta: meta("t", 2), Template: template(30)},
			old:  &corev1.PodTemplate{ObjectMeta: meta("t", 1), Template: template(30)},
			want: []string{`template.spec.nodeSelector[beta.kubernetes.io/arch]: ` + arch},
		},
		{
			name: "podtemplate update of metadata", resource: corev1.Resource("podtemplates"),
			obj: &corev1.PodTemplate{ObjectMeta: meta("t", 1), Template: template(30)},
			old: &corev1.PodTemplate{ObjectMeta: meta("t", 1), Template: template(30)},
		},
		{
			name: "replicaset create", resource: appsv1.Resource("replicasets"),
			obj:  &appsv1.ReplicaSet{ObjectMeta: meta("a.b", 1), Spec: appsv1.ReplicaSetSpec{Template: template(30)}},
			want: []string{dnsName, `spec.template.spec.nodeSelector[beta.kubernetes.io/arch]: ` + arch},
		},
		{
			name: "replicaset status update", resource: appsv1.Resource("replicasets"), status: true,
			obj: &appsv1.ReplicaSet{ObjectMeta: meta("a", 2), Spec: appsv1.ReplicaSetSpec{Template: template(30)}},
			old: &appsv1.ReplicaSet{ObjectMeta: meta("a", 1)},
		},
		{
			name: "replicationcontroller update warns about the stored template, as upstream", resource: corev1.Resource("replicationcontrollers"),
			obj:  &corev1.ReplicationController{ObjectMeta: meta("rc", 2), Spec: corev1.ReplicationControllerSpec{Template: ptr.To(template(-1))}},
			old:  &corev1.ReplicationController{ObjectMeta: meta("rc", 1), Spec: corev1.ReplicationControllerSpec{Template: ptr.To(template(30))}},
			want: []string{`spec.template.spec.nodeSelector[beta.kubernetes.io/arch]: ` + arch},
		},
		{
			name: "daemonset create has no name warning", resource: appsv1.Resource("daemonsets"),
			obj:  &appsv1.DaemonSet{ObjectMeta: meta("a.b", 1), Spec: appsv1.DaemonSetSpec{Template: template(30)}},
			want: []string{`spec.template.spec.nodeSelector[beta.kubernetes.io/arch]: ` + arch},
		},
		{
			name: "daemonset update of something but the template", resource: appsv1.Resource("daemonsets"),
			obj: &appsv1.DaemonSet{ObjectMeta: meta("a", 2), Spec: appsv1.DaemonSetSpec{MinReadySeconds: 5, Template: template(30)}},
			old: &appsv1.DaemonSet{ObjectMeta: meta("a", 1), Spec: appsv1.DaemonSetSpec{Template: template(30)}},
		},
		{
			name: "statefulset create", resource: appsv1.Resource("statefulsets"),
			obj: &appsv1.StatefulSet{ObjectMeta: meta("s", 1), Spec: appsv1.StatefulSetSpec{
				Template: template(30), VolumeClaimTemplates: []corev1.PersistentVolumeClaim{storage}, RevisionHistoryLimit: ptr.To[int32](-1),
			}},
			want: []string{
				`spec.template.spec.nodeSelector[beta.kubernetes.io/arch]: ` + arch,
				`spec.volumeClaimTemplates[0].resources.requests[storage]: fractional byte value "1500m" is invalid, must be an integer`,
				`spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended`,
			},
		},
		{
			name: "statefulset update of metadata still warns about claims", resource: appsv1.Resource("statefulsets"),
			obj:  &appsv1.StatefulSet{ObjectMeta: meta("s", 1), Spec: appsv1.StatefulSetSpec{Template: template(30), VolumeClaimTemplates: []corev1.PersistentVolumeClaim{storage}}},
			old:  &appsv1.StatefulSet{ObjectMeta: meta("s", 1), Spec: appsv1.StatefulSetSpec{Template: template(30), VolumeClaimTemplates: []corev1.PersistentVolumeClaim{storage}}},
			want: []string{`spec.volumeClaimTemplates[0].Spec.resources.requests[storage]: fractional byte value "1500m" is invalid, must be an integer`},
		},
		{
			name: "job create", resource: batchv1.Resource("jobs"),
			obj:  &batchv1.Job{ObjectMeta: meta("j", 1), Spec: batchv1.JobSpec{Template: template(30)}},
			want: []string{`spec.template.spec.nodeSelector[beta.kubernetes.io/arch]: ` + arch},
		},
		{
			name: "cronjob update with TZ in the schedule", resource: batchv1.Resource("cronjobs"),
			obj:  &batchv1.CronJob{ObjectMeta: meta("c", 1), Spec: batchv1.CronJobSpec{Schedule: "TZ=UTC 0 0 * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: template(30)}}}},
			old:  &batchv1.CronJob{ObjectMeta: meta("c", 1), Spec: batchv1.CronJobSpec{Schedule: "TZ=UTC 0 0 * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: template(30)}}}},
			want: []string{`cannot use TZ or CRON_TZ in spec.spec.schedule, use timeZone instead, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`},
		},
		{
			name: "pvc update", resource: corev1.Resource("persistentvolumeclaims"),
			obj: &corev1.PersistentVolumeClaim{
				ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "default", Annotations: map[string]string{corev1.BetaStorageClassAnnotation: "fast"}},
				Spec:       storage.Spec,
			},
			old: &corev1.PersistentVolumeClaim{ObjectMeta: meta("c", 0)},
			want: []string{
				`metadata.annotations[volume.beta.kubernetes.io/storage-class]: deprecated since v1.8; use "storageClassName" attribute instead`,
				`spec.resources.requests[storage]: fractional byte value "1500m" is invalid, must be an integer`,
			},
		},
		{
			name: "runtimeclass update", resource: nodev1.Resource("runtimeclasses"),
			obj:  &nodev1.RuntimeClass{ObjectMeta: meta("rc", 0), Handler: "h", Scheduling: &nodev1.Scheduling{NodeSelector: map[string]string{"beta.kubernetes.io/arch": "amd64"}}},
			old:  &nodev1.RuntimeClass{ObjectMeta: meta("rc", 0), Handler: "h"},
			want: []string{`scheduling.nodeSelector: ` + arch},
		},
		{
			name: "configmaps do not warn", resource: corev1.Resource("configmaps"),
			obj: &corev1.ConfigMap{ObjectMeta: meta("a.b", 0)},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := registry.NewStrategy(nil, kindOf(t, tc.resource))
			var got []string
			switch {
			case tc.old == nil:
				got = s.WarningsOnCreate(t.Context(), tc.obj)
			case tc.status:
				got = registry.StatusStrategy{Strategy: s}.WarningsOnUpdate(t.Context(), tc.obj, tc.old)
			default:
				got = s.WarningsOnUpdate(t.Context(), tc.obj, tc.old)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
