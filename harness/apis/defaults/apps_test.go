package defaults_test

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

var (
	webLabels   = map[string]string{"app": "web"}
	webSelector = &metav1.LabelSelector{MatchLabels: webLabels}
)

func minimalTemplate() corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: webLabels}, Spec: minimalPodSpec()}
}

func defaultedTemplate() corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: webLabels}, Spec: defaultedPodSpec()}
}

func TestDeploymentDefaults(t *testing.T) {
	t.Parallel()
	runGolden(t, []goldenCase{
		{
			name: "minimal",
			in:   &appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{Selector: webSelector, Template: minimalTemplate()}},
			want: &appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](1),
				Selector: webSelector,
				Template: defaultedTemplate(),
				Strategy: appsv1.DeploymentStrategy{
					Type: appsv1.RollingUpdateDeploymentStrategyType,
					RollingUpdate: &appsv1.RollingUpdateDeployment{
						MaxUnavailable: ptr.To(intstr.FromString("25%")),
						MaxSurge:       ptr.To(intstr.FromString("25%")),
					},
				},
				RevisionHistoryLimit:    ptr.To[int32](10),
				ProgressDeadlineSeconds: ptr.To[int32](600),
			}},
		},
		{
			name: "partial rolling update completed",
			in: &appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](0), Selector: webSelector, Template: minimalTemplate(),
				Strategy:             appsv1.DeploymentStrategy{RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: ptr.To(intstr.FromInt32(2))}},
				RevisionHistoryLimit: ptr.To[int32](0), ProgressDeadlineSeconds: ptr.To[int32](30),
			}},
			want: &appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](0), Selector: webSelector, Template: defaultedTemplate(),
				Strategy: appsv1.DeploymentStrategy{
					Type: appsv1.RollingUpdateDeploymentStrategyType,
					RollingUpdate: &appsv1.RollingUpdateDeployment{
						MaxUnavailable: ptr.To(intstr.FromString("25%")),
						MaxSurge:       ptr.To(intstr.FromInt32(2)),
					},
				},
				RevisionHistoryLimit: ptr.To[int32](0), ProgressDeadlineSeconds: ptr.To[int32](30),
			}},
		},
		{
			name: "Recreate gets no rolling update",
			in: &appsv1.DeploymentList{Items: []appsv1.Deployment{{Spec: appsv1.DeploymentSpec{
				Template: minimalTemplate(), Strategy: appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType},
			}}}},
			want: &appsv1.DeploymentList{Items: []appsv1.Deployment{{Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](1), Template: defaultedTemplate(),
				Strategy:             appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType},
				RevisionHistoryLimit: ptr.To[int32](10), ProgressDeadlineSeconds: ptr.To[int32](600),
			}}}},
		},
	})
}

func TestReplicaSetDefaults(t *testing.T) {
	t.Parallel()
	runGolden(t, []goldenCase{
		{
			name: "minimal",
			in:   &appsv1.ReplicaSet{ObjectMeta: meta, Spec: appsv1.ReplicaSetSpec{Selector: webSelector, Template: minimalTemplate()}},
			want: &appsv1.ReplicaSet{ObjectMeta: meta, Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](1), Selector: webSelector, Template: defaultedTemplate()}},
		},
		{
			name: "list",
			in:   &appsv1.ReplicaSetList{Items: []appsv1.ReplicaSet{{Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](3), Template: minimalTemplate()}}}},
			want: &appsv1.ReplicaSetList{Items: []appsv1.ReplicaSet{{Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](3), Template: defaultedTemplate()}}}},
		},
	})
}

func TestStatefulSetDefaults(t *testing.T) {
	t.Parallel()
	retain := &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
		WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
		WhenScaled:  appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
	}
	runGolden(t, []goldenCase{
		{
			name: "minimal with a claim template",
			in: &appsv1.StatefulSet{ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{
				Selector: webSelector, Template: minimalTemplate(), ServiceName: "web",
				VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
					ObjectMeta: metav1.ObjectMeta{Name: "data"},
					Spec:       corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: quantities("storage", "1Gi")}},
				}},
			}},
			want: &appsv1.StatefulSet{ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{
				Replicas: ptr.To[int32](1), Selector: webSelector, Template: defaultedTemplate(), ServiceName: "web",
				VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
					ObjectMeta: metav1.ObjectMeta{Name: "data"},
					Spec: corev1.PersistentVolumeClaimSpec{
						Resources:  corev1.VolumeResourceRequirements{Requests: quantities("storage", "1Gi")},
						VolumeMode: ptr.To(corev1.PersistentVolumeFilesystem),
					},
					Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending},
				}},
				PodManagementPolicy: appsv1.OrderedReadyPodManagement,
				UpdateStrategy: appsv1.StatefulSetUpdateStrategy{
					Type: appsv1.RollingUpdateStatefulSetStrategyType,
					RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{
						Partition:      ptr.To[int32](0),
						MaxUnavailable: ptr.To(intstr.FromInt32(1)),
					},
				},
				RevisionHistoryLimit:                 ptr.To[int32](10),
				PersistentVolumeClaimRetentionPolicy: retain,
			}},
		},
		{
			name: "explicit RollingUpdate type without rollingUpdate stays without",
			in: &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{
				Template:       minimalTemplate(),
				UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType},
				PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
					WhenDeleted: appsv1.DeletePersistentVolumeClaimRetentionPolicyType,
				},
			}},
			want: &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{
				Replicas: ptr.To[int32](1), Template: defaultedTemplate(),
				PodManagementPolicy:  appsv1.OrderedReadyPodManagement,
				UpdateStrategy:       appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType},
				RevisionHistoryLimit: ptr.To[int32](10),
				PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
					WhenDeleted: appsv1.DeletePersistentVolumeClaimRetentionPolicyType,
					WhenScaled:  appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
				},
			}},
		},
		{
			name: "OnDelete and Parallel kept",
			in: &appsv1.StatefulSetList{Items: []appsv1.StatefulSet{{Spec: appsv1.StatefulSetSpec{
				Template: minimalTemplate(), PodManagementPolicy: appsv1.ParallelPodManagement,
				UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType},
			}}}},
			want: &appsv1.StatefulSetList{Items: []appsv1.StatefulSet{{Spec: appsv1.StatefulSetSpec{
				Replicas: ptr.To[int32](1), Template: defaultedTemplate(), PodManagementPolicy: appsv1.ParallelPodManagement,
				UpdateStrategy:       appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType},
				RevisionHistoryLimit: ptr.To[int32](10), PersistentVolumeClaimRetentionPolicy: retain,
			}}}},
		},
	})
}

func TestDaemonSetDefaults(t *testing.T) {
	t.Parallel()
	runGolden(t, []goldenCase{
		{
			name: "minimal",
			in:   &appsv1.DaemonSet{ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{Selector: webSelector, Template: minimalTemplate()}},
			want: &appsv1.DaemonSet{ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{
				Selector: webSelector, Template: defaultedTemplate(),
				UpdateStrategy: appsv1.DaemonSetUpdateStrategy{
					Type: appsv1.RollingUpdateDaemonSetStrategyType,
					RollingUpdate: &appsv1.RollingUpdateDaemonSet{
						MaxUnavailable: ptr.To(intstr.FromInt32(1)),
						MaxSurge:       ptr.To(intstr.FromInt32(0)),
					},
				},
				RevisionHistoryLimit: ptr.To[int32](10),
			}},
		},
		{
			name: "OnDelete",
			in: &appsv1.DaemonSetList{Items: []appsv1.DaemonSet{{Spec: appsv1.DaemonSetSpec{
				Template: minimalTemplate(), UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType},
			}}}},
			want: &appsv1.DaemonSetList{Items: []appsv1.DaemonSet{{Spec: appsv1.DaemonSetSpec{
				Template: defaultedTemplate(), UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType},
				RevisionHistoryLimit: ptr.To[int32](10),
			}}}},
		},
	})
}
