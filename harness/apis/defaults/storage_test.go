package defaults_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestStorageDefaults(t *testing.T) {
	t.Parallel()
	defaultedDriver := storagev1.CSIDriverSpec{
		AttachRequired:                ptr.To(true),
		PodInfoOnMount:                ptr.To(false),
		StorageCapacity:               ptr.To(false),
		FSGroupPolicy:                 ptr.To(storagev1.ReadWriteOnceWithFSTypeFSGroupPolicy),
		VolumeLifecycleModes:          []storagev1.VolumeLifecycleMode{storagev1.VolumeLifecyclePersistent},
		RequiresRepublish:             ptr.To(false),
		SELinuxMount:                  ptr.To(false),
		PreventPodSchedulingIfMissing: ptr.To(false),
	}
	name := metav1.ObjectMeta{Name: "x"}
	runGolden(t, []goldenCase{
		{
			name: "StorageClass",
			in:   &storagev1.StorageClass{ObjectMeta: name, Provisioner: "csi.example"},
			want: &storagev1.StorageClass{
				ObjectMeta: name, Provisioner: "csi.example",
				ReclaimPolicy:     ptr.To(corev1.PersistentVolumeReclaimDelete),
				VolumeBindingMode: ptr.To(storagev1.VolumeBindingImmediate),
			},
		},
		{
			name: "StorageClass kept",
			in: &storagev1.StorageClassList{Items: []storagev1.StorageClass{{
				ReclaimPolicy: ptr.To(corev1.PersistentVolumeReclaimRetain), VolumeBindingMode: ptr.To(storagev1.VolumeBindingWaitForFirstConsumer),
			}}},
			want: &storagev1.StorageClassList{Items: []storagev1.StorageClass{{
				ReclaimPolicy: ptr.To(corev1.PersistentVolumeReclaimRetain), VolumeBindingMode: ptr.To(storagev1.VolumeBindingWaitForFirstConsumer),
			}}},
		},
		{
			name: "CSIDriver",
			in:   &storagev1.CSIDriver{ObjectMeta: name},
			want: &storagev1.CSIDriver{ObjectMeta: name, Spec: defaultedDriver},
		},
		{
			name: "CSIDriver kept",
			in: &storagev1.CSIDriverList{Items: []storagev1.CSIDriver{{Spec: storagev1.CSIDriverSpec{
				AttachRequired: ptr.To(false), FSGroupPolicy: ptr.To(storagev1.FileFSGroupPolicy),
				VolumeLifecycleModes: []storagev1.VolumeLifecycleMode{storagev1.VolumeLifecycleEphemeral},
			}}}},
			want: &storagev1.CSIDriverList{Items: []storagev1.CSIDriver{{Spec: func() storagev1.CSIDriverSpec {
				s := *defaultedDriver.DeepCopy()
				s.AttachRequired = ptr.To(false)
				s.FSGroupPolicy = ptr.To(storagev1.FileFSGroupPolicy)
				s.VolumeLifecycleModes = []storagev1.VolumeLifecycleMode{storagev1.VolumeLifecycleEphemeral}
				return s
			}()}}},
		},
		{
			name: "VolumeAttachment inline spec",
			in: &storagev1.VolumeAttachment{ObjectMeta: name, Spec: storagev1.VolumeAttachmentSpec{
				Attacher: "a", NodeName: "n",
				Source: storagev1.VolumeAttachmentSource{InlineVolumeSpec: &corev1.PersistentVolumeSpec{
					Capacity:               quantities("storage", "0.0001"),
					PersistentVolumeSource: corev1.PersistentVolumeSource{ISCSI: &corev1.ISCSIPersistentVolumeSource{IQN: "q"}},
				}},
			}},
			want: &storagev1.VolumeAttachment{ObjectMeta: name, Spec: storagev1.VolumeAttachmentSpec{
				Attacher: "a", NodeName: "n",
				Source: storagev1.VolumeAttachmentSource{InlineVolumeSpec: &corev1.PersistentVolumeSpec{
					Capacity:               quantities("storage", "1m"),
					PersistentVolumeSource: corev1.PersistentVolumeSource{ISCSI: &corev1.ISCSIPersistentVolumeSource{IQN: "q", ISCSIInterface: "default"}},
				}},
			}},
		},
		{
			name: "VolumeAttachment by PV name",
			in:   &storagev1.VolumeAttachmentList{Items: []storagev1.VolumeAttachment{{Spec: storagev1.VolumeAttachmentSpec{Source: storagev1.VolumeAttachmentSource{PersistentVolumeName: ptr.To("pv")}}}}},
			want: &storagev1.VolumeAttachmentList{Items: []storagev1.VolumeAttachment{{Spec: storagev1.VolumeAttachmentSpec{Source: storagev1.VolumeAttachmentSource{PersistentVolumeName: ptr.To("pv")}}}}},
		},
	})
}
