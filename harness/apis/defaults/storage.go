package defaults

import (
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// addStorage registers the storage.k8s.io/v1 defaulters (pkg/apis/storage/v1).
func addStorage(s *runtime.Scheme) {
	register(s, setStorageClass)
	register(s, func(l *storagev1.StorageClassList) { each(l.Items, setStorageClass) })
	register(s, setCSIDriver)
	register(s, func(l *storagev1.CSIDriverList) { each(l.Items, setCSIDriver) })
	register(s, setVolumeAttachment)
	register(s, func(l *storagev1.VolumeAttachmentList) { each(l.Items, setVolumeAttachment) })
}

func setStorageClass(sc *storagev1.StorageClass) {
	if sc.ReclaimPolicy == nil {
		sc.ReclaimPolicy = ptr.To(corev1.PersistentVolumeReclaimDelete)
	}
	if sc.VolumeBindingMode == nil {
		sc.VolumeBindingMode = ptr.To(storagev1.VolumeBindingImmediate)
	}
}

// setCSIDriver defaults a CSIDriver's spec. seLinuxMount
// (SELinuxMountReadWriteOncePod, GA) and preventPodSchedulingIfMissing
// (VolumeLimitScaling, beta and on in v1.37) are defaulted as their gates are.
func setCSIDriver(d *storagev1.CSIDriver) {
	spec := &d.Spec
	if spec.AttachRequired == nil {
		spec.AttachRequired = ptr.To(true)
	}
	if spec.PodInfoOnMount == nil {
		spec.PodInfoOnMount = ptr.To(false)
	}
	if spec.StorageCapacity == nil {
		spec.StorageCapacity = ptr.To(false)
	}
	if spec.FSGroupPolicy == nil {
		spec.FSGroupPolicy = ptr.To(storagev1.ReadWriteOnceWithFSTypeFSGroupPolicy)
	}
	if len(spec.VolumeLifecycleModes) == 0 {
		spec.VolumeLifecycleModes = append(spec.VolumeLifecycleModes, storagev1.VolumeLifecyclePersistent)
	}
	if spec.RequiresRepublish == nil {
		spec.RequiresRepublish = ptr.To(false)
	}
	if spec.SELinuxMount == nil {
		spec.SELinuxMount = ptr.To(false)
	}
	if spec.PreventPodSchedulingIfMissing == nil {
		spec.PreventPodSchedulingIfMissing = ptr.To(false)
	}
}

// setVolumeAttachment defaults an inline (migrated in-tree) volume spec: its
// capacity and volume source, not the PersistentVolume-level fields.
func setVolumeAttachment(va *storagev1.VolumeAttachment) {
	if spec := va.Spec.Source.InlineVolumeSpec; spec != nil {
		roundUpResources(spec.Capacity)
		setPersistentVolumeSource(&spec.PersistentVolumeSource)
	}
}
