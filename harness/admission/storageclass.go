package admission

import (
	"context"
	"sort"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/informers"
	storagev1listers "k8s.io/client-go/listers/storage/v1"
	"k8s.io/client-go/tools/cache"
)

// DefaultStorageClassPluginName is the name of the plugin that gives
// claims without a class the default StorageClass.
const DefaultStorageClassPluginName = "DefaultStorageClass"

// The annotations that make a StorageClass the default (either one, "true").
const (
	isDefaultStorageClassAnnotation     = "storageclass.kubernetes.io/is-default-class"
	betaIsDefaultStorageClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class"
	// betaStorageClassAnnotation on a claim names its class, as
	// spec.storageClassName does.
	betaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class"
)

// defaultStorageClass sets spec.storageClassName of a new
// PersistentVolumeClaim that names no class (neither the field, even "",
// nor the beta annotation) to the default StorageClass, if there is one:
// upstream's setdefault plugin. With several defaults it picks the newest,
// then the first by name, as upstream has since v1.26 (it used to refuse
// the claim).
type defaultStorageClass struct {
	*admission.Handler
	classes storagev1listers.StorageClassLister
}

var _ admission.MutationInterface = (*defaultStorageClass)(nil)

func newDefaultStorageClass(f informers.SharedInformerFactory) *defaultStorageClass {
	classes := f.Storage().V1().StorageClasses()
	p := &defaultStorageClass{Handler: admission.NewHandler(admission.Create), classes: classes.Lister()}
	p.SetReadyFunc(classes.Informer().HasSynced)
	return p
}

func storageClassInformers(f informers.SharedInformerFactory) []cache.SharedIndexInformer {
	return []cache.SharedIndexInformer{f.Storage().V1().StorageClasses().Informer()}
}

func (p *defaultStorageClass) Admit(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != corev1.Resource("persistentvolumeclaims") || a.GetSubresource() != "" {
		return nil
	}
	pvc, ok := a.GetObject().(*corev1.PersistentVolumeClaim)
	if !ok {
		return nil
	}
	if _, ok := pvc.Annotations[betaStorageClassAnnotation]; ok || pvc.Spec.StorageClassName != nil {
		return nil
	}
	def, err := defaultClass(p.classes)
	if err != nil {
		return admission.NewForbidden(a, err)
	}
	if def != nil {
		pvc.Spec.StorageClassName = &def.Name
	}
	return nil
}

// defaultClass is upstream's GetDefaultClass: of the classes annotated
// default, the newest, then the first by name; nil if none is.
func defaultClass(lister storagev1listers.StorageClassLister) (*storagev1.StorageClass, error) {
	list, err := lister.List(labels.Everything())
	if err != nil {
		return nil, err
	}
	var defaults []*storagev1.StorageClass
	for _, class := range list {
		if class.Annotations[isDefaultStorageClassAnnotation] == "true" || class.Annotations[betaIsDefaultStorageClassAnnotation] == "true" {
			defaults = append(defaults, class)
		}
	}
	if len(defaults) == 0 {
		return nil, nil
	}
	sort.Slice(defaults, func(i, j int) bool {
		ti, tj := defaults[i].CreationTimestamp.UnixNano(), defaults[j].CreationTimestamp.UnixNano()
		if ti == tj {
			return defaults[i].Name < defaults[j].Name
		}
		return ti > tj
	})
	return defaults[0], nil
}
