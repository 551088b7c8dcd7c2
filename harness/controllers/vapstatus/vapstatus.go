// Package vapstatus runs kube-controller-manager's
// validatingadmissionpolicy-status-controller (rewritten from
// k8s.io/kubernetes pkg/controller/validatingadmissionpolicystatus, v1.37):
// for every ValidatingAdmissionPolicy whose metadata.generation is above
// its status.observedGeneration it type-checks the policy's validation
// expressions and message expressions against the schemas of the kinds the
// policy matches (and of its paramKind), with k8s.io/apiserver's
// TypeChecker, and applies status.observedGeneration and
// status.typeChecking.expressionWarnings with server-side apply, field
// manager "validatingadmissionpolicy-status", forced.
//
// Built-in kinds' schemas come from memkube's generated OpenAPI definitions
// (and apiextensions-apiserver's, for CustomResourceDefinition), as upstream
// from k8s.io/kubernetes' generated ones; any other kind's from the
// server's /openapi/v3 through discovery, so a CRD kind is checked against
// the CRD's schema once the server publishes it. As upstream, a kind whose
// schema cannot be found is left out of the check silently, and a policy is
// not checked again until its generation changes: a policy created in the
// same moment as the CRD it matches may get no warnings.
//
// Known gap: upstream's RESTMapper is also reset every 30 seconds; this
// one is reset only when a policy names a resource it does not know (as
// the TypeChecker does, at most once per policy).
package vapstatus

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/cel/openapi/resolver"
	admissionregistrationv1apply "k8s.io/client-go/applyconfigurations/admissionregistration/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	admissionregistrationv1client "k8s.io/client-go/kubernetes/typed/admissionregistration/v1"
	admissionregistrationlisters "k8s.io/client-go/listers/admissionregistration/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"github.com/memkube/memkube/harness/controllers"
)

// FieldManager is the field manager of the status the controller applies
// (upstream's ControllerName).
const FieldManager = "validatingadmissionpolicy-status"

// name is kube-controller-manager's name for the controller: its clients'
// user agent.
const name = "validatingadmissionpolicy-status-controller"

// Controller is the ValidatingAdmissionPolicy status controller of one
// server.
type Controller struct {
	// informers lists and watches; policies applies policies' status,
	// with kube-controller-manager's user agent for the controller.
	informers kubernetes.Interface
	policies  admissionregistrationv1client.ValidatingAdmissionPolicyInterface
	// checker is built on the first policy to check: the built-in schemas
	// behind it are built once per process, and a server whose tests
	// create no policy should not pay for them.
	checker func() *validating.TypeChecker
	ran     atomic.Bool
}

// New returns the controller for the server config reaches. It starts
// nothing: Run does.
func New(config *rest.Config) (*Controller, error) {
	agent := func(agent string) *rest.Config {
		cfg := rest.CopyConfig(config)
		cfg.UserAgent = controllers.UserAgent(agent)
		cfg.WarningHandler, cfg.WarningHandlerWithContext = rest.NoWarnings{}, nil // as kube-controller-manager
		return cfg
	}
	c := &Controller{}
	var err error
	if c.informers, err = kubernetes.NewForConfig(agent("shared-informers")); err != nil {
		return nil, fmt.Errorf("vapstatus: shared-informers client: %w", err)
	}
	// The controller's client, and its discovery client that reads CRDs'
	// schemas (upstream's ClientBuilder.DiscoveryClient), without the whole
	// clientset: the controller needs one resource.
	controllerCfg := agent(name)
	policies, err := admissionregistrationv1client.NewForConfig(controllerCfg)
	if err != nil {
		return nil, fmt.Errorf("vapstatus: %s client: %w", name, err)
	}
	c.policies = policies.ValidatingAdmissionPolicies()
	schemaDiscovery, err := discovery.NewDiscoveryClientForConfig(controllerCfg)
	if err != nil {
		return nil, fmt.Errorf("vapstatus: %s discovery client: %w", name, err)
	}
	// kube-controller-manager's RESTMapper reads discovery with a client of
	// its own.
	mapperDiscovery, err := discovery.NewDiscoveryClientForConfig(agent("controller-discovery"))
	if err != nil {
		return nil, fmt.Errorf("vapstatus: controller-discovery client: %w", err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(mapperDiscovery))
	crdSchemas := &resolver.ClientDiscoveryResolver{Discovery: schemaDiscovery}
	c.checker = sync.OnceValue(func() *validating.TypeChecker {
		return &validating.TypeChecker{SchemaResolver: builtinSchemas().Combine(crdSchemas), RestMapper: mapper}
	})
	return c, nil
}

// run is the state of one Run.
type run struct {
	c        *Controller
	policies admissionregistrationlisters.ValidatingAdmissionPolicyLister
	// queue holds the names of policies to sync.
	queue workqueue.TypedRateLimitingInterface[string]
}

// Run syncs policies with workers workers (at least one) until ctx ends,
// then stops every goroutine and informer it started and returns. Run may
// be called once.
func (c *Controller) Run(ctx context.Context, workers int) {
	if !c.ran.CompareAndSwap(false, true) {
		panic("vapstatus: Controller.Run called twice")
	}
	defer utilruntime.HandleCrashWithContext(ctx)
	workers = max(workers, 1)
	logger := klog.FromContext(ctx)
	logger.Info("Starting ValidatingAdmissionPolicy status controller")
	defer logger.Info("Shutting down ValidatingAdmissionPolicy status controller")

	factory := informers.NewSharedInformerFactory(c.informers, 0)
	policies := factory.Admissionregistration().V1().ValidatingAdmissionPolicies()
	// The queue's name stays empty: a name turns on workqueue metrics,
	// whose goroutine ticks every 500ms per queue even when idle.
	r := &run{
		c: c, policies: policies.Lister(),
		queue: workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
	}
	var wg sync.WaitGroup
	defer func() {
		r.queue.ShutDown()
		wg.Wait()
		factory.Shutdown()
	}()
	// Deletions are not handled, as upstream: a deleted policy has no
	// status to keep.
	if _, err := policies.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    r.policyChanged,
		UpdateFunc: func(_, cur any) { r.policyChanged(cur) },
	}); err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "ValidatingAdmissionPolicy status controller cannot watch")
		return
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), policies.Informer().HasSynced) {
		return
	}
	for range workers {
		wg.Go(func() {
			wait.UntilWithContext(ctx, func(ctx context.Context) {
				for controllers.ProcessNext(ctx, r.queue, r.sync, "ValidatingAdmissionPolicy status sync failed, requeuing") {
				}
			}, time.Second)
		})
	}
	<-ctx.Done()
}

func (r *run) policyChanged(obj any) {
	if policy, ok := obj.(*admissionregistrationv1.ValidatingAdmissionPolicy); ok {
		r.queue.Add(policy.Name)
	}
}

// sync type-checks the policy named key if its generation is not observed
// yet, and applies its status.
func (r *run) sync(ctx context.Context, key string) error {
	policy, err := r.policies.Get(key)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if policy.Generation <= policy.Status.ObservedGeneration {
		return nil
	}
	warnings := r.c.checker().Check(policy)
	applied := make([]*admissionregistrationv1apply.ExpressionWarningApplyConfiguration, 0, len(warnings))
	for _, w := range warnings {
		applied = append(applied, admissionregistrationv1apply.ExpressionWarning().WithFieldRef(w.FieldRef).WithWarning(w.Warning))
	}
	status := admissionregistrationv1apply.ValidatingAdmissionPolicy(policy.Name).
		WithStatus(admissionregistrationv1apply.ValidatingAdmissionPolicyStatus().
			WithObservedGeneration(policy.Generation).
			WithTypeChecking(admissionregistrationv1apply.TypeChecking().WithExpressionWarnings(applied...)))
	_, err = r.c.policies.ApplyStatus(ctx, status, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	return err
}
