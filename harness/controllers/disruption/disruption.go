// Package disruption runs kube-controller-manager's disruption controller
// (rewritten from k8s.io/kubernetes pkg/controller/disruption, v1.37): it
// keeps every PodDisruptionBudget's status — expectedPods, currentHealthy
// (selected pods Ready and not being deleted nor just evicted),
// desiredHealthy, disruptionsAllowed, observedGeneration, the
// DisruptionAllowed condition — and forgets disruptedPods entries whose pods
// were not deleted within two minutes, so that pods/eviction can take
// disruptions from it.
//
// expectedPods is the number of selected pods for an integer minAvailable,
// and otherwise the sum of the scales of the pods' controllers:
// ReplicationControllers, Deployments (through their ReplicaSets),
// ReplicaSets, StatefulSets, and any other kind with a scale subresource.
// A pod without a controller is left out of that sum, as upstream; a pod
// whose controller cannot be found fails the sync, which then sets
// disruptionsAllowed to 0 and the condition to SyncFailed.
//
// It records upstream's events as "controllermanager" would: NoPods,
// UnmanagedPods and CalculateExpectedPodCountFailed on budgets, NotDeleted
// and MultiplePodDisruptionBudgets on pods (their times are real time, as
// every client's events).
//
// A pod not being deleted whose DisruptionTarget condition (an eviction's)
// has been True for two minutes on the server clock gets it set False.
//
// Known gap: a pod change syncs every budget selecting the pod (upstream
// picks one arbitrarily).
package disruption

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	policylisters "k8s.io/client-go/listers/policy/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/scale"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/memkube/memkube/harness/controllers"
)

// DeletionTimeout is how long after its eviction a pod listed in a
// budget's disruptedPods is counted as gone though not deleted yet.
const DeletionTimeout = 2 * time.Minute

// Controller is the disruption controller of one server.
type Controller struct {
	// informers lists and watches; client writes budgets' status, with
	// kube-controller-manager's user agent for the controller.
	informers, client kubernetes.Interface
	discovery         discovery.DiscoveryInterface
	mapper            *restmapper.DeferredDiscoveryRESTMapper
	scales            scale.ScalesGetter
	clock             clock.WithTicker
	ran               atomic.Bool
}

// New returns the controller for the server config reaches; it reads the
// time (disruptedPods' expiry, conditions' transition times) from clk. It
// starts nothing: Run does.
func New(config *rest.Config, clk clock.PassiveClock) (*Controller, error) {
	c := &Controller{clock: clock.RealClock{}}
	if ticker, ok := clk.(clock.WithTicker); ok {
		c.clock = ticker
	}
	clients := map[string]*kubernetes.Interface{"shared-informers": &c.informers, "disruption-controller": &c.client}
	var writer *rest.Config
	for agent, client := range clients {
		cfg := rest.CopyConfig(config)
		cfg.UserAgent = controllers.UserAgent(agent)
		cfg.WarningHandler, cfg.WarningHandlerWithContext = rest.NoWarnings{}, nil // as kube-controller-manager
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			return nil, fmt.Errorf("disruption: %s client: %w", agent, err)
		}
		*client = cs
		if agent == "disruption-controller" {
			writer = cfg
		}
	}
	c.discovery = c.client.Discovery()
	c.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(c.client.Discovery()))
	scales, err := scale.NewForConfig(writer, c.mapper, dynamic.LegacyAPIPathResolverFunc, scale.NewDiscoveryScaleKindResolver(c.client.Discovery()))
	if err != nil {
		return nil, fmt.Errorf("disruption: scale client: %w", err)
	}
	c.scales = scales
	return c, nil
}

// run is the state of one Run.
type run struct {
	c            *Controller
	recorder     record.EventRecorder
	budgets      policylisters.PodDisruptionBudgetLister
	pods         corelisters.PodLister
	rcs          corelisters.ReplicationControllerLister
	replicaSets  appslisters.ReplicaSetLister
	deployments  appslisters.DeploymentLister
	statefulSets appslisters.StatefulSetLister
	// queue holds namespace/name of budgets to sync; recheck those whose
	// disruptedPods expire later, until they do; stale namespace/name of
	// pods whose DisruptionTarget condition goes stale. recheck and stale
	// wait on the server's clock, as upstream's on the controller's.
	queue   workqueue.TypedRateLimitingInterface[string]
	recheck workqueue.TypedDelayingInterface[string]
	stale   workqueue.TypedRateLimitingInterface[string]
}

// Run syncs budgets with workers workers (at least one) until ctx ends,
// then stops every goroutine and informer it started and returns. Run may
// be called once.
func (c *Controller) Run(ctx context.Context, workers int) {
	if !c.ran.CompareAndSwap(false, true) {
		panic("disruption: Controller.Run called twice")
	}
	defer utilruntime.HandleCrashWithContext(ctx)
	workers = max(workers, 1)
	logger := klog.FromContext(ctx)
	logger.Info("Starting disruption controller")
	defer logger.Info("Shutting down disruption controller")

	// No WithContext: that starts a goroutine nobody waits for; Shutdown below.
	broadcaster := record.NewBroadcaster()
	defer broadcaster.Shutdown()
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})

	factory := informers.NewSharedInformerFactory(c.informers, 0)
	budgets := factory.Policy().V1().PodDisruptionBudgets()
	pods := factory.Core().V1().Pods()
	rcs := factory.Core().V1().ReplicationControllers()
	replicaSets := factory.Apps().V1().ReplicaSets()
	deployments := factory.Apps().V1().Deployments()
	statefulSets := factory.Apps().V1().StatefulSets()
	// Queue names stay empty: a name turns on workqueue metrics, whose
	// goroutine ticks every 500ms per queue even when idle.
	r := &run{
		c: c, recorder: broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "controllermanager"}), budgets: budgets.Lister(), pods: pods.Lister(), rcs: rcs.Lister(),
		replicaSets: replicaSets.Lister(), deployments: deployments.Lister(), statefulSets: statefulSets.Lister(),
		queue:   workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
		recheck: workqueue.NewTypedDelayingQueueWithConfig(workqueue.TypedDelayingQueueConfig[string]{Clock: c.clock}),
		stale: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Clock: c.clock}),
	}
	var wg sync.WaitGroup
	defer func() {
		r.queue.ShutDown()
		r.recheck.ShutDown()
		r.stale.ShutDown()
		wg.Wait()
		factory.Shutdown()
	}()
	if err := r.addHandlers(budgets.Informer(), pods.Informer()); err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Disruption controller cannot watch")
		return
	}
	factory.Start(ctx.Done())
	synced := []cache.InformerSynced{
		budgets.Informer().HasSynced, pods.Informer().HasSynced, rcs.Informer().HasSynced,
		replicaSets.Informer().HasSynced, deployments.Informer().HasSynced, statefulSets.Informer().HasSynced,
	}
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return
	}
	for range workers {
		wg.Go(func() {
			wait.UntilWithContext(ctx, func(ctx context.Context) {
				for controllers.ProcessNext(ctx, r.queue, r.sync, "Disruption controller work item failed, requeuing") {
				}
			}, time.Second)
		})
	}
	wg.Go(func() {
		wait.UntilWithContext(ctx, func(ctx context.Context) {
			for controllers.ProcessNext(ctx, r.stale, r.syncStale, "Disruption controller work item failed, requeuing") {
			}
		}, time.Second)
	})
	wg.Go(func() {
		for {
			key, quit := r.recheck.Get()
			if quit {
				return
			}
			r.queue.AddRateLimited(key)
			r.recheck.Done(key)
		}
	})
	<-ctx.Done()
}

func (r *run) addHandlers(budgets, pods cache.SharedIndexInformer) error {
	if _, err := budgets.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    r.budgetChanged,
		UpdateFunc: func(_, cur any) { r.budgetChanged(cur) },
		DeleteFunc: r.budgetChanged,
	}); err != nil {
		return err
	}
	_, err := pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { r.podChanged(obj); r.staleChanged(obj) },
		UpdateFunc: func(_, cur any) { r.podChanged(cur); r.staleChanged(cur) },
		DeleteFunc: r.podChanged,
	})
	return err
}

func deleted(obj any) any {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return d.Obj
	}
	return obj
}

func (r *run) budgetChanged(obj any) {
	if pdb, ok := deleted(obj).(*policyv1.PodDisruptionBudget); ok {
		r.queue.Add(pdb.Namespace + "/" + pdb.Name)
	}
}

func (r *run) staleChanged(obj any) {
	if pod, ok := obj.(*corev1.Pod); ok {
		r.queueStale(pod)
	}
}

// podChanged queues the budgets selecting the pod; a pod that more than
// one selects gets upstream's warning (on its deletion too, as upstream).
func (r *run) podChanged(obj any) {
	pod, ok := deleted(obj).(*corev1.Pod)
	if !ok {
		return
	}
	budgets, err := r.budgets.GetPodPodDisruptionBudgets(pod)
	if err != nil {
		return // none select it
	}
	if len(budgets) > 1 {
		r.recorder.Event(pod, corev1.EventTypeWarning, "MultiplePodDisruptionBudgets",
			fmt.Sprintf("Pod %q/%q matches multiple PodDisruptionBudgets.  Chose %q arbitrarily.", pod.Namespace, pod.Name, budgets[0].Name))
	}
	for _, pdb := range budgets {
		r.queue.Add(pdb.Namespace + "/" + pdb.Name)
	}
}
