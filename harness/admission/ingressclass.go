package admission

import (
	"context"
	"fmt"
	"sort"

	networkingv1 "k8s.io/api/networking/v1"
	networkingv1beta1 "k8s.io/api/networking/v1beta1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/informers"
	networkingv1listers "k8s.io/client-go/listers/networking/v1"
	"k8s.io/client-go/tools/cache"
)

// DefaultIngressClassPluginName is the name of the plugin that gives
// ingresses without a class the default IngressClass.
const DefaultIngressClassPluginName = "DefaultIngressClass"

// defaultIngressClass sets spec.ingressClassName of a new Ingress that
// names no class (neither the field nor the kubernetes.io/ingress.class
// annotation) to the IngressClass annotated
// ingressclass.kubernetes.io/is-default-class "true", the newest then the
// first by name if several are: upstream's defaultingressclass plugin.
type defaultIngressClass struct {
	*admission.Handler
	classes networkingv1listers.IngressClassLister
}

var _ admission.MutationInterface = (*defaultIngressClass)(nil)

func newDefaultIngressClass(f informers.SharedInformerFactory) *defaultIngressClass {
	classes := f.Networking().V1().IngressClasses()
	p := &defaultIngressClass{Handler: admission.NewHandler(admission.Create), classes: classes.Lister()}
	p.SetReadyFunc(classes.Informer().HasSynced)
	return p
}

func ingressClassInformers(f informers.SharedInformerFactory) []cache.SharedIndexInformer {
	return []cache.SharedIndexInformer{f.Networking().V1().IngressClasses().Informer()}
}

func (p *defaultIngressClass) Admit(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != networkingv1.Resource("ingresses") || a.GetSubresource() != "" {
		return nil
	}
	ingress, ok := a.GetObject().(*networkingv1.Ingress)
	if !ok {
		return apierrors.NewInternalError(fmt.Errorf("Expected Ingress resource, got: %v", a.GetKind()))
	}
	if ingress.Spec.IngressClassName != nil {
		return nil
	}
	if _, ok := ingress.Annotations[networkingv1beta1.AnnotationIngressClass]; ok {
		return nil
	}
	list, err := p.classes.List(labels.Everything())
	if err != nil {
		return admission.NewForbidden(a, err)
	}
	var defaults []*networkingv1.IngressClass
	for _, class := range list {
		if class.Annotations[networkingv1.AnnotationIsDefaultIngressClass] == "true" {
			defaults = append(defaults, class)
		}
	}
	if len(defaults) == 0 {
		return nil
	}
	sort.Slice(defaults, func(i, j int) bool {
		ti, tj := defaults[i].CreationTimestamp.UnixNano(), defaults[j].CreationTimestamp.UnixNano()
		if ti == tj {
			return defaults[i].Name < defaults[j].Name
		}
		return ti > tj
	})
	ingress.Spec.IngressClassName = &defaults[0].Name
	return nil
}
