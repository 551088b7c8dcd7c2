// Package namespace is kube-controller-manager's namespace controller: it
// empties a namespace that is being deleted and then removes the
// "kubernetes" finalizer from its spec, so that the namespace goes away.
//
// For a namespace with a deletionTimestamp and the "kubernetes" finalizer in
// spec.finalizers it, as upstream (pkg/controller/namespace):
//   - sets status.phase Terminating if it is not;
//   - discovers every namespaced resource that supports delete (built-in and
//     custom), at each version the server prefers;
//   - deletes pods first, then everything else, with deletecollection where
//     the resource supports it and list + delete of each item where not,
//     always with propagationPolicy Background;
//   - reports progress in the status conditions NamespaceDeletionDiscoveryFailure,
//     NamespaceDeletionGroupVersionParsingFailure, NamespaceDeletionContentFailure,
//     NamespaceContentRemaining and NamespaceFinalizersRemaining, with
//     upstream's reasons and messages;
//   - once nothing is left, removes "kubernetes" through namespaces/finalize.
//
// Where it departs from upstream, for a single in-process apiserver whose
// tests must not wait seconds:
//   - A namespace event is processed namespaceDeletionGracePeriod (50 ms)
//     after it arrives, not 5 s: the wait lets the NamespaceLifecycle
//     admission plugin's informer see the namespace Terminating, one
//     in-process watch hop here, not HA apiservers and etcd members.
//   - While content remains (objects with finalizers, pods within their
//     grace period), upstream looks again after half the estimated time
//     (8 s for finalizers). This controller also watches the collections
//     that still hold objects, from the resourceVersion of the list that saw
//     them, and looks again as soon as one of them changes: removing the
//     last finalizer lets the namespace go at once, and a stuck
//     namespace costs an idle watch, not polling.
//   - The verbs discovery reports at each sync decide between
//     deletecollection and list + delete; upstream takes them from one
//     discovery at start (its opCache), which misses custom resources
//     added later.
//   - Each collection is listed before it is deleted, and an empty one is
//     left alone: upstream deletes every collection blind, then lists it.
//     Most collections are empty; this halves a sync's requests.
//
// Known gaps: metadata.finalizers of the namespace itself
// (orphan, foregroundDeletion) are the garbage collector's, not this
// controller's.
package namespace

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
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

	"github.com/memkube/memkube/harness/controllers"
)

// namespaceDeletionGracePeriod is how long after a namespace event the
// namespace is processed (upstream: 5 s, for HA apiservers and etcd members
// to observe the deletion and last-minute creations).
const namespaceDeletionGracePeriod = 50 * time.Millisecond

// Controller is the namespace controller of one server.
type Controller struct {
	client   kubernetes.Interface
	metadata metadata.Interface
	content  *contentDeleter

	// mu guards watching.
	mu sync.Mutex
	// watching cancels, per namespace, the watches on the collections its
	// last sync left objects in.
	watching map[string]context.CancelFunc
	// watches counts the goroutines of those watches.
	watches sync.WaitGroup
}

// New returns a namespace controller for the server config reaches, whose
// clock (nil: real time) dates conditions and pods' grace periods. It
// starts nothing: Run does.
func New(config *rest.Config, clk clock.PassiveClock) (*Controller, error) {
	if clk == nil {
		clk = clock.RealClock{}
	}
	// As kube-controller-manager: namespace deletion makes many requests,
	// the client's rate limit must not be what slows it.
	config = rest.CopyConfig(config)
	if config.QPS == 0 {
		config.QPS = rest.DefaultQPS
	}
	if config.Burst == 0 {
		config.Burst = rest.DefaultBurst
	}
	config.QPS *= 20
	config.Burst *= 100
	config.UserAgent = controllers.UserAgent("namespace-controller")
	// as kube-controller-manager: deleting deprecated resources' content
	// (v1 Endpoints) is no news to log.
	config.WarningHandler, config.WarningHandlerWithContext = rest.NoWarnings{}, nil
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("namespace controller client: %w", err)
	}
	meta, err := metadata.NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("namespace controller metadata client: %w", err)
	}
	disc, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("namespace controller discovery client: %w", err)
	}
	return &Controller{
		client:   client,
		metadata: meta,
		content: &contentDeleter{
			clock:      clk,
			namespaces: client.CoreV1().Namespaces(),
			pods:       client.CoreV1(),
			metadata:   meta,
			discover: func(ctx context.Context) ([]*metav1.APIResourceList, error) {
				return discovery.ServerPreferredNamespacedResourcesWithContext(ctx, disc)
			},
			finalizerToken: corev1.FinalizerKubernetes,
		},
		watching: map[string]context.CancelFunc{},
	}, nil
}

// Run processes namespaces with the given number of workers until ctx
// ends; it returns once every goroutine it started has. Call it once.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrashWithContext(ctx)
	if workers < 1 {
		workers = 1
	}
	logger := klog.FromContext(ctx)
	// Unnamed: a named queue reports metrics, which costs a ticker every
	// 500 ms per server.
	queue := workqueue.NewTypedRateLimitingQueueWithConfig(rateLimiter(), workqueue.TypedRateLimitingQueueConfig[string]{})
	factory := informers.NewSharedInformerFactory(c.client, 0)
	namespaces := factory.Core().V1().Namespaces()
	enqueue := func(obj any) {
		ns, ok := obj.(*corev1.Namespace)
		if !ok || ns.DeletionTimestamp.IsZero() {
			return
		}
		queue.AddAfter(ns.Name, namespaceDeletionGracePeriod)
	}
	if _, err := namespaces.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
	}); err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Namespace controller cannot watch namespaces")
		queue.ShutDown()
		return
	}
	lister := namespaces.Lister()
	factory.Start(ctx.Done())

	var workersDone sync.WaitGroup
	defer func() {
		queue.ShutDown()
		workersDone.Wait()
		// no worker is left to start a watch.
		c.watches.Wait()
		factory.Shutdown()
	}()
	if !cache.WaitForCacheSync(ctx.Done(), namespaces.Informer().HasSynced) {
		return
	}
	logger.V(2).Info("Starting namespace controller", "workers", workers)
	for range workers {
		workersDone.Go(func() {
			wait.UntilWithContext(ctx, func(ctx context.Context) {
				for c.processNext(ctx, queue, lister) {
				}
			}, time.Second)
		})
	}
	<-ctx.Done()
}

// rateLimiter is upstream's nsControllerRateLimiter: retries start at 5 ms
// and back off to a minute, at most 10 per second overall.
func rateLimiter() workqueue.TypedRateLimiter[string] {
	return workqueue.NewTypedMaxOfRateLimiter(
		workqueue.NewTypedItemExponentialFailureRateLimiter[string](5*time.Millisecond, 60*time.Second),
		&workqueue.TypedBucketRateLimiter[string]{Limiter: rate.NewLimiter(rate.Limit(10), 100)},
	)
}

// processNext syncs one namespace off the queue; false means the queue is
// shut down.
func (c *Controller) processNext(ctx context.Context, queue workqueue.TypedRateLimitingInterface[string], lister corelisters.NamespaceLister) bool {
	name, quit := queue.Get()
	if quit {
		return false
	}
	defer queue.Done(name)
	logger := klog.FromContext(ctx)

	var left []leftover
	err := func() error {
		ns, err := lister.Get(name)
		if apierrors.IsNotFound(err) {
			logger.V(2).Info("Namespace has been deleted", "namespace", name)
			return nil
		}
		if err != nil {
			return err
		}
		left, err = c.content.delete(ctx, ns.Name)
		return err
	}()
	c.watchLeftovers(ctx, queue, name, left)
	if err == nil {
		queue.Forget(name)
		return true
	}
	if ctx.Err() != nil {
		return true
	}
	var remaining *resourcesRemainingError
	if errors.As(err, &remaining) {
		t := remaining.estimate/2 + 1
		logger.V(4).Info("Content remaining in namespace", "namespace", name, "waitSeconds", t)
		queue.AddAfter(name, time.Duration(t)*time.Second)
		return true
	}
	queue.AddRateLimited(name)
	utilruntime.HandleErrorWithContext(ctx, err, "Deletion of namespace failed", "namespace", name)
	return true
}

// watchLeftovers replaces the namespace's watches with watches on the
// collections left: the first change in any of them requeues the namespace.
func (c *Controller) watchLeftovers(ctx context.Context, queue workqueue.TypedRateLimitingInterface[string], namespace string, left []leftover) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cancel := c.watching[namespace]; cancel != nil {
		cancel()
		delete(c.watching, namespace)
	}
	if len(left) == 0 || ctx.Err() != nil {
		return
	}
	wctx, cancel := context.WithCancel(ctx)
	c.watching[namespace] = cancel
	for _, l := range left {
		c.watches.Go(func() {
			if changed := c.watchCollection(wctx, namespace, l); changed {
				queue.Add(namespace)
			} else if wctx.Err() == nil {
				queue.AddRateLimited(namespace)
			}
			// the sync this triggers watches anew.
			cancel()
		})
	}
}

// watchCollection waits for the first change to the collection in
// namespace after l.resourceVersion; false means the watch ended or failed
// without one (or ctx ended).
func (c *Controller) watchCollection(ctx context.Context, namespace string, l leftover) bool {
	w, err := c.metadata.Resource(l.resource).Namespace(namespace).Watch(ctx, metav1.ListOptions{ResourceVersion: l.resourceVersion})
	if err != nil {
		return false
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case ev, ok := <-w.ResultChan():
			switch {
			case !ok || ev.Type == watch.Error:
				return false
			case ev.Type != watch.Bookmark:
				return true
			}
		}
	}
}
