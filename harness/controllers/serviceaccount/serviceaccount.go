// Package serviceaccount runs three of kube-controller-manager's
// controllers that give every namespace its standard objects, as in a real
// cluster:
//
//   - serviceaccount (pkg/controller/serviceaccount): the ServiceAccount
//     "default" in every Active namespace, created again if deleted;
//   - root-ca-cert-publisher (pkg/controller/certificates/rootcacertpublisher):
//     the ConfigMap "kube-root-ca.crt" in every namespace, whose "ca.crt" is
//     the cluster CA and which carries the "kubernetes.io/description"
//     annotation, created again if deleted and put back if edited;
//   - serviceaccount-token (TokensController, serviceaccount_tokens.go):
//     the token, ca.crt and namespace of kubernetes.io/service-account-token
//     Secrets.
//
// The first two share one namespace informer. Their ServiceAccount and ConfigMap
// informers watch only the objects they keep (a metadata.name field
// selector), where upstream caches every ServiceAccount and ConfigMap of
// the cluster: the handlers see the same events, the memory is not spent.
//
// Known gaps: the CA is fixed at New (upstream reloads its file).
package serviceaccount

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"github.com/memkube/memkube/harness/controllers"
)

// DefaultServiceAccountName is the ServiceAccount every Active namespace has.
const DefaultServiceAccountName = "default"

// Controller runs the serviceaccount and root-ca-cert-publisher
// controllers of one server.
type Controller struct {
	// informers lists and watches; serviceAccounts and publisher write,
	// each with its own user agent, as kube-controller-manager's clients.
	informers       kubernetes.Interface
	serviceAccounts kubernetes.Interface
	publisher       kubernetes.Interface
	rootCA          []byte
}

// New returns the controllers for the server config reaches, publishing
// rootCA (PEM) as kube-root-ca.crt. It starts nothing: Run does.
func New(config *rest.Config, rootCA []byte) (*Controller, error) {
	client := func(agent string) (kubernetes.Interface, error) {
		c := rest.CopyConfig(config)
		c.UserAgent = controllers.UserAgent(agent)
		c.WarningHandler, c.WarningHandlerWithContext = rest.NoWarnings{}, nil // as kube-controller-manager
		cs, err := kubernetes.NewForConfig(c)
		if err != nil {
			return nil, fmt.Errorf("%s client: %w", agent, err)
		}
		return cs, nil
	}
	c := &Controller{rootCA: rootCA}
	var err error
	if c.informers, err = client("shared-informers"); err != nil {
		return nil, err
	}
	if c.serviceAccounts, err = client("service-account-controller"); err != nil {
		return nil, err
	}
	if c.publisher, err = client("root-ca-cert-publisher"); err != nil {
		return nil, err
	}
	return c, nil
}

// Run runs both controllers, each with the given number of workers, until
// ctx ends; it returns once every goroutine it started has. Call it once.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrashWithContext(ctx)
	if workers < 1 {
		workers = 1
	}
	factory := informers.NewSharedInformerFactory(c.informers, 0)
	namespaces := factory.Core().V1().Namespaces().Informer()
	serviceAccounts := factory.InformerFor(&corev1.ServiceAccount{}, func(client kubernetes.Interface, resync time.Duration) cache.SharedIndexInformer {
		return coreinformers.NewFilteredServiceAccountInformer(client, metav1.NamespaceAll, resync,
			cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}, named(DefaultServiceAccountName))
	})
	configMaps := factory.InformerFor(&corev1.ConfigMap{}, func(client kubernetes.Interface, resync time.Duration) cache.SharedIndexInformer {
		return coreinformers.NewFilteredConfigMapInformer(client, metav1.NamespaceAll, resync,
			cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}, named(RootCACertConfigMapName))
	})
	sa := &serviceAccountsController{
		client:     c.serviceAccounts,
		namespaces: corelisters.NewNamespaceLister(namespaces.GetIndexer()),
		accounts:   corelisters.NewServiceAccountLister(serviceAccounts.GetIndexer()),
		queue:      newQueue(),
	}
	pub := &publisher{
		client:     c.publisher,
		rootCA:     c.rootCA,
		configMaps: corelisters.NewConfigMapLister(configMaps.GetIndexer()),
		queue:      newQueue(),
	}
	var wg sync.WaitGroup
	defer func() {
		sa.queue.ShutDown()
		pub.queue.ShutDown()
		wg.Wait()
		factory.Shutdown()
	}()
	for _, err := range []error{sa.addEventHandlers(namespaces, serviceAccounts), pub.addEventHandlers(namespaces, configMaps)} {
		if err != nil {
			utilruntime.HandleErrorWithContext(ctx, err, "Service account controllers cannot watch")
			return
		}
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), namespaces.HasSynced, serviceAccounts.HasSynced, configMaps.HasSynced) {
		return
	}
	klog.FromContext(ctx).V(2).Info("Starting service account and root CA cert publisher controllers", "workers", workers)
	for range workers {
		for _, run := range []func(context.Context){sa.run, pub.run} {
			wg.Go(func() { wait.UntilWithContext(ctx, run, time.Second) })
		}
	}
	<-ctx.Done()
}

// newQueue is upstream's queue for both controllers: retries from 5 ms,
// backing off to 1000 s, 10 per second overall. Unnamed: a named queue
// reports metrics, which costs a ticker every 500 ms per server.
func newQueue() workqueue.TypedRateLimitingInterface[string] {
	return workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](), workqueue.TypedRateLimitingQueueConfig[string]{})
}

// named selects the objects called name.
func named(name string) func(*metav1.ListOptions) {
	selector := fields.OneTermEqualSelector("metadata.name", name).String()
	return func(o *metav1.ListOptions) { o.FieldSelector = selector }
}

// processQueue syncs namespaces off queue until it shuts down, retrying
// failures with its rate limiter.
func processQueue(ctx context.Context, queue workqueue.TypedRateLimitingInterface[string], sync func(context.Context, string) error, what string) {
	for {
		key, quit := queue.Get()
		if quit {
			return
		}
		err := sync(ctx, key)
		switch {
		case err == nil:
			queue.Forget(key)
		case ctx.Err() == nil:
			utilruntime.HandleErrorWithContext(ctx, err, what+" work item failed", "item", key)
			queue.AddRateLimited(key)
		}
		queue.Done(key)
	}
}

// namespaceOf is the namespace of an informer's object or tombstone.
func namespaceOf(obj any) (string, bool) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	m, err := apimeta.Accessor(obj)
	if err != nil {
		return "", false
	}
	return m.GetNamespace(), true
}

// serviceAccountsController creates the default ServiceAccount in every
// Active namespace: upstream's ServiceAccountsController.
type serviceAccountsController struct {
	client     kubernetes.Interface
	namespaces corelisters.NamespaceLister
	accounts   corelisters.ServiceAccountLister
	queue      workqueue.TypedRateLimitingInterface[string]
}

func (c *serviceAccountsController) addEventHandlers(namespaces, serviceAccounts cache.SharedIndexInformer) error {
	if _, err := serviceAccounts.AddEventHandler(cache.ResourceEventHandlerFuncs{
		DeleteFunc: func(obj any) {
			if ns, ok := namespaceOf(obj); ok {
				c.queue.Add(ns)
			}
		},
	}); err != nil {
		return err
	}
	_, err := namespaces.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.queue.Add(obj.(*corev1.Namespace).Name) },
		UpdateFunc: func(_, obj any) { c.queue.Add(obj.(*corev1.Namespace).Name) },
	})
	return err
}

func (c *serviceAccountsController) run(ctx context.Context) {
	processQueue(ctx, c.queue, c.sync, "Service account")
}

// sync creates the default ServiceAccount in namespace name if it is
// Active and has none; a namespace that turned Terminating meanwhile is not
// an error.
func (c *serviceAccountsController) sync(ctx context.Context, name string) error {
	ns, err := c.namespaces.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if ns.Status.Phase != corev1.NamespaceActive {
		return nil
	}
	switch _, err := c.accounts.ServiceAccounts(ns.Name).Get(DefaultServiceAccountName); {
	case err == nil:
		return nil
	case !apierrors.IsNotFound(err):
		return err
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: DefaultServiceAccountName, Namespace: ns.Name}}
	_, err = c.client.CoreV1().ServiceAccounts(ns.Name).Create(ctx, sa, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) || apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
		return nil
	}
	return err
}
