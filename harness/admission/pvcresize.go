package admission

import (
	"context"
	"errors"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/informers"
	storagev1listers "k8s.io/client-go/listers/storage/v1"
)

// PersistentVolumeClaimResizePluginName is the name of the plugin that
// allows a claim to grow only if its StorageClass allows expansion.
const PersistentVolumeClaimResizePluginName = "PersistentVolumeClaimResize"

// pvcResize refuses an update that grows a claim's storage request unless
// the claim is Bound and its StorageClass, the same before and after, has
// allowVolumeExpansion: upstream's resize plugin. It reads the
// StorageClass informer DefaultStorageClass reads.
type pvcResize struct {
	*admission.Handler
	classes storagev1listers.StorageClassLister
}

var _ admission.ValidationInterface = (*pvcResize)(nil)

func newPVCResize(f informers.SharedInformerFactory) *pvcResize {
	classes := f.Storage().V1().StorageClasses()
	p := &pvcResize{Handler: admission.NewHandler(admission.Update), classes: classes.Lister()}
	p.SetReadyFunc(classes.Informer().HasSynced)
	return p
}

func (p *pvcResize) Validate(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != corev1.Resource("persistentvolumeclaims") || a.GetSubresource() != "" {
		return nil
	}
	pvc, ok := a.GetObject().(*corev1.PersistentVolumeClaim)
	if !ok {
		return nil
	}
	old, ok := a.GetOldObject().(*corev1.PersistentVolumeClaim)
	if !ok {
		return nil
	}
	oldSize, newSize := old.Spec.Resources.Requests[corev1.ResourceStorage], pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	if newSize.Cmp(oldSize) <= 0 {
		return nil
	}
	if old.Status.Phase != corev1.ClaimBound {
		return admission.NewForbidden(a, errors.New("Only bound persistent volume claims can be expanded"))
	}
	if !p.allowResize(pvc, old) {
		return admission.NewForbidden(a, errors.New("only dynamically provisioned pvc can be resized and "+
			"the storageclass that provisions the pvc must support resize"))
	}
	return nil
}

func (p *pvcResize) allowResize(pvc, old *corev1.PersistentVolumeClaim) bool {
	class, oldClass := claimClass(pvc), claimClass(old)
	if class == "" || oldClass == "" || class != oldClass {
		return false
	}
	sc, err := p.classes.Get(class)
	if err != nil {
		return false
	}
	return sc.AllowVolumeExpansion != nil && *sc.AllowVolumeExpansion
}

// claimClass is upstream's GetPersistentVolumeClaimClass: the beta
// annotation, else spec.storageClassName.
func claimClass(pvc *corev1.PersistentVolumeClaim) string {
	if class, ok := pvc.Annotations[betaStorageClassAnnotation]; ok {
		return class
	}
	if pvc.Spec.StorageClassName != nil {
		return *pvc.Spec.StorageClassName
	}
	return ""
}
