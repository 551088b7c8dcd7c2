package serviceaccount

import (
	"context"
	"maps"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// The ConfigMap the root CA is published as, upstream's names and text.
const (
	// RootCACertConfigMapName is the ConfigMap every namespace has.
	RootCACertConfigMapName = "kube-root-ca.crt"
	// RootCACertKey is the ConfigMap's key that holds the CA (PEM).
	RootCACertKey = "ca.crt"
	// DescriptionAnnotation says what the ConfigMap is for.
	DescriptionAnnotation = "kubernetes.io/description"
	// Description is DescriptionAnnotation's value.
	Description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. " +
		"No other usage is guaranteed across distributions of Kubernetes clusters."
)

// publisher keeps kube-root-ca.crt in every namespace: upstream's
// rootcacertpublisher.Publisher.
type publisher struct {
	client     kubernetes.Interface
	rootCA     []byte
	configMaps corelisters.ConfigMapLister
	queue      workqueue.TypedRateLimitingInterface[string]
}

func (p *publisher) addEventHandlers(namespaces, configMaps cache.SharedIndexInformer) error {
	changed := func(obj any) {
		if ns, ok := namespaceOf(obj); ok {
			p.queue.Add(ns)
		}
	}
	if _, err := configMaps.AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(_, obj any) { changed(obj) },
		DeleteFunc: changed,
	}); err != nil {
		return err
	}
	_, err := namespaces.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { p.queue.Add(obj.(*corev1.Namespace).Name) },
		UpdateFunc: func(_, obj any) {
			if ns := obj.(*corev1.Namespace); ns.Status.Phase == corev1.NamespaceActive {
				p.queue.Add(ns.Name)
			}
		},
	})
	return err
}

func (p *publisher) run(ctx context.Context) {
	processQueue(ctx, p.queue, p.sync, "Root CA cert publisher")
}

// sync creates kube-root-ca.crt in namespace ns, or puts back its data and
// description. A namespace that is gone or terminating is not an error.
func (p *publisher) sync(ctx context.Context, ns string) error {
	data := map[string]string{RootCACertKey: string(p.rootCA)}
	cm, err := p.configMaps.ConfigMaps(ns).Get(RootCACertConfigMapName)
	switch {
	case apierrors.IsNotFound(err):
		_, err = p.client.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{
				Name:        RootCACertConfigMapName,
				Annotations: map[string]string{DescriptionAnnotation: Description},
			},
			Data: data,
		}, metav1.CreateOptions{})
		if apierrors.IsNotFound(err) || apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			return nil
		}
		return err
	case err != nil:
		return err
	}
	if maps.Equal(cm.Data, data) && len(cm.Annotations[DescriptionAnnotation]) > 0 {
		return nil
	}
	// the cache's object is shared: change a copy.
	cm = cm.DeepCopy()
	cm.Data = data
	if cm.Annotations == nil {
		cm.Annotations = map[string]string{}
	}
	cm.Annotations[DescriptionAnnotation] = Description
	_, err = p.client.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{})
	return err
}
