package harnesstest

import "go.uber.org/goleak"

// IgnoreLeaks are the goleak options for tests of stopped servers: the
// goroutines a server leaves running after Stop, which end by themselves.
//   - klog's once-a-minute flush, started by the /healthz "log" check,
//     once per process;
//   - a consistent read's 3 s timer in the watch cache, and a watch of the
//     server's own informers that started as Stop began and waits on it
//     (k8s.io/apiserver's cacher does not wake such waiters when it stops);
//   - the NamespaceLifecycle plugin's live namespace lookup of a request
//     that arrived as Stop began: it runs on context.TODO and client-go
//     sleeps out the shutting-down server's Retry-After before giving up,
//     with the request's handler goroutine waiting on it.
func IgnoreLeaks() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreAnyFunction("k8s.io/apimachinery/pkg/util/wait.Forever"),
		goleak.IgnoreAnyFunction("k8s.io/apiserver/pkg/storage/cacher.(*watchCache).waitUntilFreshLocked.func2"),
		goleak.IgnoreAnyFunction("k8s.io/apiserver/pkg/storage/cacher.(*watchCache).waitUntilFreshLocked"),
		goleak.IgnoreAnyFunction("k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle.(*Lifecycle).Admit"),
		goleak.IgnoreAnyFunction("k8s.io/apiserver/pkg/endpoints/handlers/finisher.finishRequest.func2.1"),
	}
}
