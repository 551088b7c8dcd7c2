// Package controllers holds what memkube's in-process controllers share;
// each controller is a package below it (namespace, gc, serviceaccount,
// resourcequota, storageprotection, disruption, vapstatus), and ClusterRole
// aggregation is harness/auth/rbac/aggregation.
package controllers

import (
	"context"
	"strings"

	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/workqueue"
)

// UserAgent is the User-Agent of kube-controller-manager's client for the
// controller name (kube-controller-manager/v1.37.1 (...)/name): what a
// controller writes carries managedFields of manager
// "kube-controller-manager", as in a cluster.
func UserAgent(name string) string {
	ua := rest.DefaultKubernetesUserAgent()
	if i := strings.IndexByte(ua, '/'); i >= 0 {
		ua = ua[i:]
	}
	return "kube-controller-manager" + ua + "/" + name
}

// ProcessNext syncs one key off q, as kube-controller-manager's controllers
// do: forgotten on success; on failure logged with msg and requeued with
// backoff, unless ctx ended (the controller is stopping). It returns false
// once q is shut down.
func ProcessNext(ctx context.Context, q workqueue.TypedRateLimitingInterface[string], sync func(context.Context, string) error, msg string) bool {
	key, quit := q.Get()
	if quit {
		return false
	}
	defer q.Done(key)
	switch err := sync(ctx, key); {
	case err == nil:
		q.Forget(key)
	case ctx.Err() == nil:
		utilruntime.HandleErrorWithContext(ctx, err, msg, "key", key)
		q.AddRateLimited(key)
	}
	return true
}
