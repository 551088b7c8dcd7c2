// Package resourcequota is kube-controller-manager's resource quota
// controller, for memkube: it keeps every ResourceQuota's status.hard equal
// to its spec.hard and its status.used equal to what the namespace's
// objects use, as measured by harness/quota's evaluators. It is a rewrite
// of k8s.io/kubernetes/pkg/controller/resourcequota (v1.37), which memkube
// does not import, and talks to any API server through a rest.Config.
//
// As upstream, two queues of quotas feed the workers: one for quotas whose
// status lacks a limit or a usage (new quotas, changed limits), served
// first, and one for recalculations; a quota is recalculated when an object
// it counts is deleted or updated in a way that may release usage (a pod
// ends, a service changes type), and every 5 minutes (kube-controller-
// manager's --resource-quota-sync-period). Creations are charged by the
// ResourceQuota admission plugin, which updates status.used itself.
//
// Unlike upstream, which keeps an informer on every resource discovery
// lists, the controller watches only the resources some quota counts,
// starting an informer ("monitor") when a quota first names one: a server
// without quotas runs one informer, on ResourceQuotas. And where upstream
// rediscovers resources every 30 seconds (and recalculates at the next
// periodic sync), a quota naming a resource discovery does not list yet
// (count/widgets.example.com before its CRD) rediscovers at once and is
// retried with backoff, so it converges as soon as the resource is served.
//
// Known gaps: no metrics; the monitors of resources no quota counts any
// longer keep running until the resource goes away.
package resourcequota

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	quota "k8s.io/apiserver/pkg/quota/v1"
	"k8s.io/apiserver/pkg/quota/v1/generic"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	memkubequota "github.com/memkube/memkube/harness/quota"

	"github.com/memkube/memkube/harness/controllers"
)

// ResyncPeriod is how often every quota is recalculated:
// kube-controller-manager's --resource-quota-sync-period.
const ResyncPeriod = 5 * time.Minute

// discoveryPeriod is how often resources are rediscovered:
// kube-controller-manager's quota discovery period.
const discoveryPeriod = 30 * time.Second

// Controller keeps the status of ResourceQuotas current.
type Controller struct {
	// informers lists and watches; quotas writes quota status, with
	// kube-controller-manager's user agent for this controller.
	informers kubernetes.Interface
	quotas    kubernetes.Interface
	metadata  metadata.Interface
	discovery discovery.DiscoveryInterface
	clock     clock.PassiveClock
	ran       atomic.Bool
}

// New returns the controller for the server config reaches, measuring
// pods' deletion grace periods on clk. It starts nothing: Run does.
func New(config *rest.Config, clk clock.PassiveClock) (*Controller, error) {
	client := func(agent string) (*rest.Config, error) {
		c := rest.CopyConfig(config)
		c.UserAgent = controllers.UserAgent(agent)
		c.WarningHandler, c.WarningHandlerWithContext = rest.NoWarnings{}, nil // as kube-controller-manager
		return c, nil
	}
	informerConfig, _ := client("shared-informers")
	quotaConfig, _ := client("resourcequota-controller")
	c := &Controller{clock: clk}
	var err error
	if c.informers, err = kubernetes.NewForConfig(informerConfig); err != nil {
		return nil, fmt.Errorf("resourcequota: informer client: %w", err)
	}
	if c.metadata, err = metadata.NewForConfig(informerConfig); err != nil {
		return nil, fmt.Errorf("resourcequota: metadata client: %w", err)
	}
	if c.quotas, err = kubernetes.NewForConfig(quotaConfig); err != nil {
		return nil, fmt.Errorf("resourcequota: client: %w", err)
	}
	if c.discovery, err = discovery.NewDiscoveryClientForConfig(quotaConfig); err != nil {
		return nil, fmt.Errorf("resourcequota: discovery client: %w", err)
	}
	return c, nil
}

// run is the state of one Run.
type run struct {
	c        *Controller
	lister   corelisters.ResourceQuotaLister
	registry quota.Registry
	// queue recalculates; missingUsage fills in new quotas' status first.
	queue, missingUsage workqueue.TypedRateLimitingInterface[string]
	monitors            *monitors
	releases            func(schema.GroupVersionResource, any, any) bool
}

// Run keeps quotas current with workers workers on each queue (at least
// one) until ctx ends, then stops every goroutine and informer it started
// and returns. Run may be called once.
func (c *Controller) Run(ctx context.Context, workers int) {
	if !c.ran.CompareAndSwap(false, true) {
		panic("resourcequota: Controller.Run called twice")
	}
	defer utilruntime.HandleCrashWithContext(ctx)
	workers = max(workers, 1)
	logger := klog.FromContext(ctx)
	logger.Info("Starting resource quota controller")
	defer logger.Info("Shutting down resource quota controller")

	factory := informers.NewSharedInformerFactory(c.informers, 0)
	quotaInformer := factory.Core().V1().ResourceQuotas()
	r := &run{
		c:      c,
		lister: quotaInformer.Lister(),
		// Queue names stay empty: a name turns on workqueue metrics, whose
		// goroutine ticks every 500ms per queue even when idle.
		queue:        workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
		missingUsage: workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
		releases:     memkubequota.UpdateReleases(c.clock),
	}
	r.monitors = newMonitors(c, factory, r.replenish)
	r.registry = generic.NewRegistry(memkubequota.NewEvaluators(r.monitors.lister, c.clock))

	var wg sync.WaitGroup
	defer func() {
		r.queue.ShutDown()
		r.missingUsage.ShutDown()
		wg.Wait()
		r.monitors.stop()
		factory.Shutdown()
	}()
	if _, err := quotaInformer.Informer().AddEventHandlerWithResyncPeriod(cache.ResourceEventHandlerFuncs{
		AddFunc: r.addQuota,
		UpdateFunc: func(oldObj, newObj any) {
			old, cur := oldObj.(*corev1.ResourceQuota), newObj.(*corev1.ResourceQuota)
			if !quota.Equals(old.Spec.Hard, cur.Spec.Hard) {
				r.addQuota(cur)
			}
		},
		DeleteFunc: r.enqueue,
	}, ResyncPeriod); err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Resource quota controller cannot watch quotas")
		return
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), quotaInformer.Informer().HasSynced) {
		return
	}
	if err := r.monitors.discover(ctx); err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Initial discovery failed, continuing and counting on future sync update")
	}
	for range workers {
		for _, q := range []workqueue.TypedRateLimitingInterface[string]{r.queue, r.missingUsage} {
			wg.Go(func() {
				for r.processNext(ctx, q) {
				}
			})
		}
	}
	// resources come and go with CRDs.
	wg.Go(func() {
		wait.UntilWithContext(ctx, func(ctx context.Context) {
			if changed, err := r.monitors.rediscover(ctx); err != nil {
				utilruntime.HandleErrorWithContext(ctx, err, "Error during resource discovery")
			} else if changed {
				r.enqueueAll(ctx)
			}
		}, discoveryPeriod)
	})
	<-ctx.Done()
}

// addQuota queues a quota, on the priority queue if its status lacks a
// limit or the usage of a limit some evaluator measures.
func (r *run) addQuota(obj any) {
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	q := obj.(*corev1.ResourceQuota)
	if !apiequality.Semantic.DeepEqual(q.Spec.Hard, q.Status.Hard) {
		r.missingUsage.Add(key)
		return
	}
	for name := range q.Status.Hard {
		if _, ok := q.Status.Used[name]; ok {
			continue
		}
		for _, e := range r.registry.List() {
			if len(e.MatchingResources([]corev1.ResourceName{name})) > 0 {
				r.missingUsage.Add(key)
				return
			}
		}
	}
	r.queue.Add(key)
}

func (r *run) enqueue(obj any) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	r.queue.Add(key)
}

func (r *run) enqueueAll(ctx context.Context) {
	quotas, err := r.lister.List(labels.Everything())
	if err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Unable to enqueue all resource quotas")
		return
	}
	for _, q := range quotas {
		r.enqueue(q)
	}
}

// replenish queues the quotas of namespace that count resource: one of
// its objects was deleted or released usage.
func (r *run) replenish(resource schema.GroupResource, namespace string) {
	e := r.registry.Get(resource)
	if e == nil {
		return
	}
	quotas, err := r.lister.ResourceQuotas(namespace).List(labels.Everything())
	if err != nil {
		utilruntime.HandleError(fmt.Errorf("resourcequota: quotas of namespace %s: %w", namespace, err))
		return
	}
	for _, q := range quotas {
		if len(e.MatchingResources(quota.ResourceNames(q.Status.Hard))) > 0 {
			r.enqueue(q)
		}
	}
}

func (r *run) processNext(ctx context.Context, q workqueue.TypedRateLimitingInterface[string]) bool {
	key, quit := q.Get()
	if quit {
		return false
	}
	defer q.Done(key)
	err := r.sync(ctx, key)
	switch {
	case err == nil:
		q.Forget(key)
	case ctx.Err() == nil:
		if !isUnknownResources(err) {
			utilruntime.HandleErrorWithContext(ctx, err, "Error processing resource quota work item", "key", key)
		}
		q.AddRateLimited(key)
	}
	return true
}

// sync recalculates one quota's status and writes it if it changed.
func (r *run) sync(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	q, err := r.lister.ResourceQuotas(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	hard := quota.Add(corev1.ResourceList{}, q.Spec.Hard)
	unknown, err := r.monitors.ensure(ctx, r.registry, quota.ResourceNames(hard))
	if err != nil {
		return err
	}

	dirty := !apiequality.Semantic.DeepEqual(q.Spec.Hard, q.Status.Hard) || q.Status.Hard == nil || q.Status.Used == nil
	used := corev1.ResourceList{}
	if q.Status.Used != nil {
		used = quota.Add(corev1.ResourceList{}, q.Status.Used)
	}
	var errs []error
	usage, err := quota.CalculateUsage(q.Namespace, q.Spec.Scopes, hard, r.registry, q.Spec.ScopeSelector)
	if err != nil {
		errs = append(errs, err)
	}
	for name, value := range usage {
		used[name] = value
	}
	used = quota.Mask(used, quota.ResourceNames(hard))
	updated := q.DeepCopy()
	updated.Status = corev1.ResourceQuotaStatus{Hard: hard, Used: used}
	if dirty || !quota.Equals(updated.Status.Used, q.Status.Used) {
		if _, err := r.c.quotas.CoreV1().ResourceQuotas(namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil {
			errs = append(errs, err)
		}
	}
	if len(unknown) > 0 {
		// retried: the resource may be served soon (its CRD is new).
		errs = append(errs, unknownResourcesError(unknown))
	}
	return utilerrors.NewAggregate(errs)
}

// unknownResourcesError: a quota names resources no evaluator measures.
type unknownResourcesError []corev1.ResourceName

func (e unknownResourcesError) Error() string {
	return fmt.Sprintf("resourcequota: no resource is known for %v", []corev1.ResourceName(e))
}

func isUnknownResources(err error) bool {
	if agg, ok := err.(utilerrors.Aggregate); ok && len(agg.Errors()) == 1 {
		err = agg.Errors()[0]
	}
	_, ok := err.(unknownResourcesError)
	return ok
}
