// Package aggregation runs kube-controller-manager's clusterrole-aggregation
// controller (pkg/controller/clusterroleaggregation): a ClusterRole with an
// aggregationRule gets as rules the union of the rules of the ClusterRoles
// its selectors match, kept up to date as those change.
//
// The rules are gathered selector by selector, each selector's roles in
// order of name, the role itself skipped, every rule once (the first time
// it is met, compared semantically): for the bootstrap policy, view
// gathers system:aggregate-to-view; edit gathers system:aggregate-to-edit
// then view; admin gathers edit then system:aggregate-to-admin. They are
// written with a forced server-side apply of the rules alone, field manager
// "clusterrole-aggregation-controller".
//
// Beyond upstream: Converged, so that a server can start with admin, edit
// and view complete.
//
// Known gaps: upstream runs five workers, this one (the queue holds the
// aggregated roles only, a handful).
package aggregation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	rbacv1ac "k8s.io/client-go/applyconfigurations/rbac/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	rbaclisters "k8s.io/client-go/listers/rbac/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"github.com/memkube/memkube/harness/controllers"
)

// FieldManager is the manager of the rules the controller writes.
const FieldManager = "clusterrole-aggregation-controller"

// Controller is the clusterrole-aggregation controller of one server.
type Controller struct {
	// informers lists and watches; client applies, each with the user agent
	// of kube-controller-manager's client for it.
	informers kubernetes.Interface
	client    kubernetes.Interface
}

// New returns the controller for the server config reaches. It starts
// nothing: Run does.
func New(config *rest.Config) (*Controller, error) {
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
	c := &Controller{}
	var err error
	if c.informers, err = client("shared-informers"); err != nil {
		return nil, err
	}
	if c.client, err = client("clusterrole-aggregation-controller"); err != nil {
		return nil, err
	}
	return c, nil
}

// Run aggregates until ctx ends, and returns once every goroutine it
// started has. Call it once.
func (c *Controller) Run(ctx context.Context) {
	defer utilruntime.HandleCrashWithContext(ctx)
	factory := informers.NewSharedInformerFactory(c.informers, 0)
	informer := factory.Rbac().V1().ClusterRoles()
	a := &aggregator{
		client: c.client,
		roles:  informer.Lister(),
		// unnamed: a named queue reports metrics, which costs a ticker per server.
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](), workqueue.TypedRateLimitingQueueConfig[string]{}),
	}
	var wg sync.WaitGroup
	defer func() {
		a.queue.ShutDown()
		wg.Wait()
		factory.Shutdown()
	}()
	// every change may change any aggregated role: enqueue them all.
	enqueue := func(any) { a.enqueueAll(ctx) }
	if _, err := informer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
		DeleteFunc: enqueue,
	}); err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "ClusterRole aggregation cannot watch")
		return
	}
	factory.Start(ctx.Done())
	// not WaitForCacheSync: it polls every 100 ms, a server start waits on this.
	if !cache.WaitFor(ctx, "", informer.Informer().HasSyncedChecker()) {
		return
	}
	klog.FromContext(ctx).V(2).Info("Starting ClusterRoleAggregator controller")
	wg.Go(func() { wait.UntilWithContext(ctx, a.run, time.Second) })
	<-ctx.Done()
}

// aggregator syncs aggregated ClusterRoles off its queue.
type aggregator struct {
	client kubernetes.Interface
	roles  rbaclisters.ClusterRoleLister
	queue  workqueue.TypedRateLimitingInterface[string]
}

func (a *aggregator) enqueueAll(ctx context.Context) {
	roles, err := a.roles.List(labels.Everything())
	if err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Cannot list ClusterRoles")
		return
	}
	for _, role := range roles {
		if role.AggregationRule != nil {
			a.queue.Add(role.Name)
		}
	}
}

// run syncs until the queue shuts down, retrying failures with the
// queue's rate limiter.
func (a *aggregator) run(ctx context.Context) {
	for {
		name, quit := a.queue.Get()
		if quit {
			return
		}
		err := a.sync(ctx, name)
		switch {
		case err == nil:
			a.queue.Forget(name)
		case ctx.Err() == nil:
			utilruntime.HandleErrorWithContext(ctx, err, "ClusterRole aggregation failed", "clusterrole", name)
			a.queue.AddRateLimited(name)
		}
		a.queue.Done(name)
	}
}

// sync writes the aggregated rules of the ClusterRole name, if they differ.
func (a *aggregator) sync(ctx context.Context, name string) error {
	role, err := a.roles.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if role.AggregationRule == nil {
		return nil
	}
	rules, err := aggregate(role, a.roles.List)
	if err != nil {
		return err
	}
	if equality.Semantic.DeepEqual(rules, role.Rules) {
		return nil
	}
	apply := rbacv1ac.ClusterRole(name)
	for _, r := range rules {
		apply.WithRules(&rbacv1ac.PolicyRuleApplyConfiguration{
			Verbs: r.Verbs, APIGroups: r.APIGroups, Resources: r.Resources, ResourceNames: r.ResourceNames, NonResourceURLs: r.NonResourceURLs,
		})
	}
	_, err = a.client.RbacV1().ClusterRoles().Apply(ctx, apply, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	return err
}

// Converged reports whether every ClusterRole with an aggregationRule has
// the rules the controller gives it, as client lists them now: a server
// that waits for it after starting the controller starts with admin, edit
// and view complete (kube-controller-manager fills them in some time after
// a cluster starts).
func Converged(ctx context.Context, client kubernetes.Interface) (bool, error) {
	list, err := client.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{})
	if err != nil {
		return false, err
	}
	roles := make([]*rbacv1.ClusterRole, len(list.Items))
	for i := range list.Items {
		roles[i] = &list.Items[i]
	}
	selectFrom := func(selector labels.Selector) ([]*rbacv1.ClusterRole, error) {
		var out []*rbacv1.ClusterRole
		for _, r := range roles {
			if selector.Matches(labels.Set(r.Labels)) {
				out = append(out, r)
			}
		}
		return out, nil
	}
	for _, role := range roles {
		if role.AggregationRule == nil {
			continue
		}
		rules, err := aggregate(role, selectFrom)
		if err != nil {
			return false, err
		}
		if !equality.Semantic.DeepEqual(rules, role.Rules) {
			return false, nil
		}
	}
	return true, nil
}

// aggregate returns the rules role aggregates from the ClusterRoles list
// selects, in the order of the package doc.
func aggregate(role *rbacv1.ClusterRole, list func(labels.Selector) ([]*rbacv1.ClusterRole, error)) ([]rbacv1.PolicyRule, error) {
	rules := []rbacv1.PolicyRule{}
	for i := range role.AggregationRule.ClusterRoleSelectors {
		selector, err := metav1.LabelSelectorAsSelector(&role.AggregationRule.ClusterRoleSelectors[i])
		if err != nil {
			return nil, err
		}
		selected, err := list(selector)
		if err != nil {
			return nil, err
		}
		slices.SortFunc(selected, func(x, y *rbacv1.ClusterRole) int { return strings.Compare(x.Name, y.Name) })
		for _, r := range selected {
			if r.Name == role.Name {
				continue
			}
			for _, rule := range r.Rules {
				if !slices.ContainsFunc(rules, func(have rbacv1.PolicyRule) bool { return equality.Semantic.DeepEqual(have, rule) }) {
					rules = append(rules, rule)
				}
			}
		}
	}
	return rules, nil
}
