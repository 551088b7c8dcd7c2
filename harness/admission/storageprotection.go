package admission

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/admission"
)

// StorageObjectInUseProtectionPluginName is the name of the plugin that
// puts the protection finalizers on new claims, volumes and volume
// attributes classes.
const StorageObjectInUseProtectionPluginName = "StorageObjectInUseProtection"

// The finalizers kube-controller-manager's pvc-protection, pv-protection
// and vac-protection controllers remove once nothing uses the object.
const (
	pvcProtectionFinalizer = "kubernetes.io/pvc-protection"
	pvProtectionFinalizer  = "kubernetes.io/pv-protection"
	vacProtectionFinalizer = "kubernetes.io/vac-protection"
)

// storageProtection adds kubernetes.io/pvc-protection to new
// PersistentVolumeClaims, kubernetes.io/pv-protection to new
// PersistentVolumes and kubernetes.io/vac-protection to new
// VolumeAttributesClasses: upstream's storageobjectinuseprotection plugin.
type storageProtection struct {
	*admission.Handler
}

var _ admission.MutationInterface = (*storageProtection)(nil)

func newStorageProtection() *storageProtection {
	return &storageProtection{Handler: admission.NewHandler(admission.Create)}
}

func (p *storageProtection) Admit(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetSubresource() != "" {
		return nil
	}
	var meta *metav1.ObjectMeta
	var finalizer string
	switch obj := a.GetObject().(type) {
	case *corev1.PersistentVolumeClaim:
		meta, finalizer = &obj.ObjectMeta, pvcProtectionFinalizer
	case *corev1.PersistentVolume:
		meta, finalizer = &obj.ObjectMeta, pvProtectionFinalizer
	case *storagev1.VolumeAttributesClass:
		meta, finalizer = &obj.ObjectMeta, vacProtectionFinalizer
	default:
		return nil
	}
	if !slices.Contains(meta.Finalizers, finalizer) {
		meta.Finalizers = append(meta.Finalizers, finalizer)
	}
	return nil
}
