package gc_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a stopped collector (or server) leaves
// goroutines behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, leakIgnores()...)
}

func leakIgnores() []goleak.Option {
	return []goleak.Option{
		// the /healthz "log" check flushes klog once a minute, once per process.
		goleak.IgnoreAnyFunction("k8s.io/apimachinery/pkg/util/wait.Forever"),
		// a consistent read's 3s timer in the watch cache; it ends by itself.
		goleak.IgnoreAnyFunction("k8s.io/apiserver/pkg/storage/cacher.(*watchCache).waitUntilFreshLocked.func2"),
	}
}
