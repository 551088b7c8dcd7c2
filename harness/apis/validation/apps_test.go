package validation_test

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

const percentMsg = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"

func validDeployment() *appsv1.Deployment {
	return defaulted(&appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec:       appsv1.DeploymentSpec{Selector: webSelector(), Template: podTemplate()},
	})
}

func TestDeployment(t *testing.T) {
	t.Parallel()
	run(t, validDeployment, validation.Deployment, []invalid[*appsv1.Deployment]{
		{"negative replicas", func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](-1) },
			[]string{"spec.replicas: Invalid value: -1: must be greater than or equal to 0"}},
		{"no selector", func(d *appsv1.Deployment) { d.Spec.Selector = nil }, []string{
			"spec.selector: Required value",
			"spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`",
		}},
		{"empty selector", func(d *appsv1.Deployment) { d.Spec.Selector = &metav1.LabelSelector{} },
			[]string{"spec.selector: Invalid value: {}: empty selector is invalid for deployment"}},
		{"selector does not match", func(d *appsv1.Deployment) { d.Spec.Template.Labels = map[string]string{"app": "api"} },
			[]string{"spec.template.metadata.labels: Invalid value: {\"app\":\"api\"}: `selector` does not match template `labels`"}},
		{"invalid selector value", func(d *appsv1.Deployment) { d.Spec.Selector.MatchLabels["app"] = "-web" }, []string{
			`spec.selector.matchLabels: Invalid value: "-web": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
			"spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"-web\"}}: invalid label selector",
		}},
		{"restartPolicy", func(d *appsv1.Deployment) { d.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure },
			[]string{`spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"`}},
		{"activeDeadlineSeconds", func(d *appsv1.Deployment) { d.Spec.Template.Spec.ActiveDeadlineSeconds = ptr.To[int64](10) },
			[]string{"spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported"}},
		{"maxSurge and maxUnavailable 0", func(d *appsv1.Deployment) {
			d.Spec.Strategy.RollingUpdate.MaxSurge = ptr.To(intstr.FromInt32(0))
			d.Spec.Strategy.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromString("0%"))
		}, []string{"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"0%\": may not be 0 when `maxSurge` is 0"}},
		{"maxUnavailable above 100%", func(d *appsv1.Deployment) {
			d.Spec.Strategy.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromString("150%"))
		},
			[]string{`spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%`}},
		{"maxSurge not a percent", func(d *appsv1.Deployment) { d.Spec.Strategy.RollingUpdate.MaxSurge = ptr.To(intstr.FromString("lots")) },
			[]string{`spec.strategy.rollingUpdate.maxSurge: Invalid value: "lots": ` + percentMsg}},
		{"negative maxSurge", func(d *appsv1.Deployment) { d.Spec.Strategy.RollingUpdate.MaxSurge = ptr.To(intstr.FromInt32(-1)) },
			[]string{"spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0"}},
		{"Recreate with rollingUpdate", func(d *appsv1.Deployment) { d.Spec.Strategy.Type = appsv1.RecreateDeploymentStrategyType },
			[]string{"spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"}},
		{"unknown strategy", func(d *appsv1.Deployment) { d.Spec.Strategy.Type = "Blue" },
			[]string{`spec.strategy: Unsupported value: {"Type":"Blue","RollingUpdate":{"MaxUnavailable":"25%","MaxSurge":"25%"}}: supported values: "Recreate", "RollingUpdate"`}},
		{"negative minReadySeconds", func(d *appsv1.Deployment) { d.Spec.MinReadySeconds = -1 },
			[]string{"spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0"}},
		{"negative revisionHistoryLimit", func(d *appsv1.Deployment) { d.Spec.RevisionHistoryLimit = ptr.To[int32](-1) },
			[]string{"spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"}},
		{"progressDeadlineSeconds not above minReadySeconds", func(d *appsv1.Deployment) {
			d.Spec.MinReadySeconds = 10
			d.Spec.ProgressDeadlineSeconds = ptr.To[int32](10)
		}, []string{"spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds"}},
	})
}

func TestDeploymentUpdate(t *testing.T) {
	t.Parallel()
	if errs := updated(validDeployment, func(d *appsv1.Deployment) {
		d.Spec.Replicas = ptr.To[int32](3)
		d.Spec.Template.Spec.Containers[0].Image = "nginx:1.28"
		d.Spec.Template.Labels["version"] = "2"
	}, validation.DeploymentUpdate); len(errs) != 0 {
		t.Errorf("scale and new image: got %v, want no errors", errs)
	}
	wantErrs(t, updated(validDeployment, func(d *appsv1.Deployment) {
		d.Spec.Selector.MatchLabels["tier"] = "front"
		d.Spec.Template.Labels["tier"] = "front"
	}, validation.DeploymentUpdate), []string{`spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"front"}}: field is immutable`})
}

func TestDeploymentStatusUpdate(t *testing.T) {
	t.Parallel()
	old := validDeployment()
	old.Status = appsv1.DeploymentStatus{Replicas: 2, ReadyReplicas: 2, AvailableReplicas: 2, CollisionCount: ptr.To[int32](2)}
	d := old.DeepCopy()
	d.Status.ObservedGeneration = 1
	wantErrs(t, validation.DeploymentStatusUpdate(d, old), nil)
	d.Status = appsv1.DeploymentStatus{Replicas: 1, ReadyReplicas: 2, AvailableReplicas: 3, UnavailableReplicas: -1, CollisionCount: ptr.To[int32](1)}
	wantErrs(t, validation.DeploymentStatusUpdate(d, old), []string{
		"status.unavailableReplicas: Invalid value: -1: must be greater than or equal to 0",
		"status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas",
		"status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas",
		"status.availableReplicas: Invalid value: 3: cannot be greater than readyReplicas",
		"status.collisionCount: Invalid value: 1: cannot be decremented",
	})
}

func validReplicaSet() *appsv1.ReplicaSet {
	return defaulted(&appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec:       appsv1.ReplicaSetSpec{Selector: webSelector(), Template: podTemplate()},
	})
}

func TestReplicaSet(t *testing.T) {
	t.Parallel()
	run(t, validReplicaSet, validation.ReplicaSet, []invalid[*appsv1.ReplicaSet]{
		{"negative replicas", func(rs *appsv1.ReplicaSet) { rs.Spec.Replicas = ptr.To[int32](-2) },
			[]string{"spec.replicas: Invalid value: -2: must be greater than or equal to 0"}},
		{"empty selector", func(rs *appsv1.ReplicaSet) { rs.Spec.Selector = &metav1.LabelSelector{} },
			[]string{"spec.selector: Invalid value: {}: empty selector is invalid for deployment"}},
		{"selector does not match", func(rs *appsv1.ReplicaSet) { rs.Spec.Template.Labels = nil },
			[]string{"spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`"}},
		{"restartPolicy", func(rs *appsv1.ReplicaSet) { rs.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever },
			[]string{`spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"`}},
	})
	wantErrs(t, updated(validReplicaSet, func(rs *appsv1.ReplicaSet) {
		rs.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpExists}}}
	}, validation.ReplicaSetUpdate), []string{`spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"Exists"}]}: field is immutable`})
	rs := validReplicaSet()
	rs.Status = appsv1.ReplicaSetStatus{Replicas: 1, FullyLabeledReplicas: 2}
	wantErrs(t, validation.ReplicaSetStatusUpdate(rs, validReplicaSet()),
		[]string{"status.fullyLabeledReplicas: Invalid value: 2: cannot be greater than status.replicas"})
}

func validStatefulSet() *appsv1.StatefulSet {
	return defaulted(&appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "default"},
		Spec: appsv1.StatefulSetSpec{
			Selector: webSelector(), Template: podTemplate(), ServiceName: "db",
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
				},
			}},
		},
	})
}

func TestStatefulSet(t *testing.T) {
	t.Parallel()
	run(t, validStatefulSet, validation.StatefulSet, []invalid[*appsv1.StatefulSet]{
		{"no podManagementPolicy", func(s *appsv1.StatefulSet) { s.Spec.PodManagementPolicy = "" },
			[]string{"spec.podManagementPolicy: Required value"}},
		{"unknown podManagementPolicy", func(s *appsv1.StatefulSet) { s.Spec.PodManagementPolicy = "Eager" },
			[]string{`spec.podManagementPolicy: Invalid value: "Eager": must be 'OrderedReady' or 'Parallel'`}},
		{"no updateStrategy", func(s *appsv1.StatefulSet) { s.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{} },
			[]string{"spec.updateStrategy: Required value"}},
		{"unknown updateStrategy", func(s *appsv1.StatefulSet) { s.Spec.UpdateStrategy.Type = "Recreate" },
			[]string{`spec.updateStrategy: Invalid value: {"Type":"Recreate","RollingUpdate":{"Partition":0,"MaxUnavailable":1}}: must be 'RollingUpdate' or 'OnDelete'`}},
		{"OnDelete with rollingUpdate", func(s *appsv1.StatefulSet) { s.Spec.UpdateStrategy.Type = appsv1.OnDeleteStatefulSetStrategyType },
			[]string{`spec.updateStrategy.rollingUpdate: Invalid value: {"Partition":0,"MaxUnavailable":1}: only allowed for updateStrategy 'RollingUpdate'`}},
		{"negative partition", func(s *appsv1.StatefulSet) { s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr.To[int32](-1) },
			[]string{"spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0"}},
		{"maxUnavailable 0", func(s *appsv1.StatefulSet) {
			s.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromInt32(0))
		},
			[]string{"spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: cannot be 0"}},
		{"retention policy", func(s *appsv1.StatefulSet) { s.Spec.PersistentVolumeClaimRetentionPolicy.WhenScaled = "Keep" },
			[]string{`spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Keep": supported values: "Retain", "Delete"`}},
		{"claim template without access modes or storage", func(s *appsv1.StatefulSet) { s.Spec.VolumeClaimTemplates[0].Spec = corev1.PersistentVolumeClaimSpec{} }, []string{
			"spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required",
			"spec.volumeClaimTemplates[0].spec.resources[storage]: Required value",
		}},
		{"negative ordinals start", func(s *appsv1.StatefulSet) { s.Spec.Ordinals = &appsv1.StatefulSetOrdinals{Start: -1} },
			[]string{"spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0"}},
		{"serviceName", func(s *appsv1.StatefulSet) { s.Spec.ServiceName = "DB" },
			[]string{`spec.serviceName: Invalid value: "DB": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`}},
		{"empty selector", func(s *appsv1.StatefulSet) { s.Spec.Selector = &metav1.LabelSelector{} },
			[]string{"spec.selector: Invalid value: {}: empty selector is invalid for statefulset"}},
		{"selector does not match", func(s *appsv1.StatefulSet) { s.Spec.Template.Labels["app"] = "db" },
			[]string{"spec.template.metadata.labels: Invalid value: {\"app\":\"db\"}: `selector` does not match template `labels`"}},
		{"restartPolicy and activeDeadlineSeconds", func(s *appsv1.StatefulSet) {
			s.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
			s.Spec.Template.Spec.ActiveDeadlineSeconds = ptr.To[int64](1)
		}, []string{
			`spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"`,
			"spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported",
		}},
	})
}

func TestStatefulSetUpdate(t *testing.T) {
	t.Parallel()
	if errs := updated(validStatefulSet, func(s *appsv1.StatefulSet) {
		s.Spec.Replicas = ptr.To[int32](5)
		s.Spec.Template.Spec.Containers[0].Image = "postgres:17"
		s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr.To[int32](2)
		s.Spec.MinReadySeconds = 5
		s.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted = appsv1.DeletePersistentVolumeClaimRetentionPolicyType
	}, validation.StatefulSetUpdate); len(errs) != 0 {
		t.Errorf("allowed changes: got %v, want no errors", errs)
	}
	wantErrs(t, updated(validStatefulSet, func(s *appsv1.StatefulSet) {
		s.Spec.ServiceName = "db2"
		s.Spec.PodManagementPolicy = appsv1.ParallelPodManagement
	}, validation.StatefulSetUpdate), []string{
		`spec.serviceName: Invalid value: "db2": field is immutable`,
		`spec.podManagementPolicy: Invalid value: "Parallel": field is immutable`,
	})
	s := validStatefulSet()
	s.Status = appsv1.StatefulSetStatus{Replicas: 2, ReadyReplicas: 1, AvailableReplicas: 2}
	wantErrs(t, validation.StatefulSetStatusUpdate(s, validStatefulSet()),
		[]string{"status.availableReplicas: Invalid value: 2: cannot be greater than status.readyReplicas"})
}

func validDaemonSet() *appsv1.DaemonSet {
	return defaulted(&appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "default"},
		Spec:       appsv1.DaemonSetSpec{Selector: webSelector(), Template: podTemplate()},
	})
}

func TestDaemonSet(t *testing.T) {
	t.Parallel()
	run(t, validDaemonSet, validation.DaemonSet, []invalid[*appsv1.DaemonSet]{
		{"no selector", func(ds *appsv1.DaemonSet) { ds.Spec.Selector = nil },
			[]string{"spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`"}},
		{"empty selector", func(ds *appsv1.DaemonSet) { ds.Spec.Selector = &metav1.LabelSelector{} },
			[]string{"spec.selector: Invalid value: {}: empty selector is invalid for daemonset"}},
		{"activeDeadlineSeconds", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.ActiveDeadlineSeconds = ptr.To[int64](1) },
			[]string{"spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported"}},
		{"maxSurge with maxUnavailable", func(ds *appsv1.DaemonSet) {
			ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge = ptr.To(intstr.FromString("10%"))
		},
			[]string{`spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "10%": may not be set when maxUnavailable is non-zero`}},
		{"neither maxSurge nor maxUnavailable", func(ds *appsv1.DaemonSet) {
			ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromInt32(0))
		},
			[]string{"spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"}},
		{"no rollingUpdate", func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy.RollingUpdate = nil },
			[]string{"spec.updateStrategy.rollingUpdate: Required value"}},
		{"unknown strategy", func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: "Surge"} },
			[]string{`spec.updateStrategy: Unsupported value: {"Type":"Surge","RollingUpdate":null}: supported values: "RollingUpdate", "OnDelete"`}},
	})
	wantErrs(t, updated(validDaemonSet, func(ds *appsv1.DaemonSet) {
		ds.Spec.Selector.MatchLabels = map[string]string{"app": "web", "x": "y"}
		ds.Spec.Template.Labels["x"] = "y"
	}, validation.DaemonSetUpdate), []string{`spec.selector: Invalid value: {"matchLabels":{"app":"web","x":"y"}}: field is immutable`})
	ds := validDaemonSet()
	ds.Status.CollisionCount = ptr.To[int32](1)
	old := ds.DeepCopy()
	ds.Status.CollisionCount = nil
	ds.Status.NumberReady = -1
	wantErrs(t, validation.DaemonSetStatusUpdate(ds, old), []string{
		"status.numberReady: Invalid value: -1: must be greater than or equal to 0",
		"status.collisionCount: Invalid value: 0: cannot be decremented",
	})
}

func TestControllerRevision(t *testing.T) {
	t.Parallel()
	valid := func() *appsv1.ControllerRevision {
		return &appsv1.ControllerRevision{
			ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "default"},
			Data:       runtime.RawExtension{Raw: []byte(`{"spec":{}}`)},
			Revision:   1,
		}
	}
	run(t, valid, validation.ControllerRevision, []invalid[*appsv1.ControllerRevision]{
		{"negative revision", func(r *appsv1.ControllerRevision) { r.Revision = -1 },
			[]string{"revision: Invalid value: -1: must be greater than or equal to 0"}},
		{"no data", func(r *appsv1.ControllerRevision) { r.Data = runtime.RawExtension{} },
			[]string{"data: Required value: data is mandatory"}},
		{"data not an object", func(r *appsv1.ControllerRevision) { r.Data.Raw = []byte(`[1]`) },
			[]string{"data: Required value: data must be a valid JSON object"}},
	})
	wantErrs(t, updated(valid, func(r *appsv1.ControllerRevision) { r.Data.Raw = []byte(`{"spec":{"x":1}}`) }, validation.ControllerRevisionUpdate),
		[]string{`data: Invalid value: {"spec":{"x":1}}: field is immutable`})
}

// TestWorkloadTemplateAllowances: an update validates the pod template
// with what the stored template already used allowed, as upstream's
// strategies derive pod validation options from the old template; a new
// workload may not use it.
func TestWorkloadTemplateAllowances(t *testing.T) {
	t.Parallel()
	const want = "spec.template.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: \"cheap\": must be a 32bit integer"
	old := validDeployment()
	old.Spec.Template.Annotations = map[string]string{corev1.PodDeletionCost: "cheap"}
	if errs := validation.Deployment(old); len(errs) != 1 || errs[0].Error() != want {
		t.Errorf("create: got %v, want %s", errs, want)
	}
	d := old.DeepCopy()
	d.Spec.Replicas = ptr.To[int32](5)
	if errs := validation.DeploymentUpdate(d, old); len(errs) != 0 {
		t.Errorf("update of a deployment that already had the annotation: got %v, want no errors", errs)
	}
	clean := validDeployment()
	if errs := validation.DeploymentUpdate(old, clean); len(errs) != 1 || errs[0].Error() != want {
		t.Errorf("update adding the annotation: got %v, want %s", errs, want)
	}
}
