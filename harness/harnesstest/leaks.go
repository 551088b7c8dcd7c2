package harnesstest

import "go.uber.org/goleak"

// IgnoreLeaks are the goleak options for tests of stopped servers: the
// goroutines a server leaves running after Stop, which end by themselves.
//   - klog's once-a-minute flush, started by the /healthz "log" check,
//     once per process;
//   - a consistent read's 3 s timer in the watch cache, and a watch of the
//     server's own informers that started as Stop began and waits on it
//     (k8s.io/apiserver's cacher does not wake such waiters when it stops).
func IgnoreLeaks() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreAnyFunction("k8s.io/apimachinery/pkg/util/wait.Forever"),
		goleak.IgnoreAnyFunction("k8s.io/apiserver/pkg/storage/cacher.(*watchCache).waitUntilFreshLocked.func2"),
		goleak.IgnoreAnyFunction("k8s.io/apiserver/pkg/storage/cacher.(*watchCache).waitUntilFreshLocked"),
	}
}
