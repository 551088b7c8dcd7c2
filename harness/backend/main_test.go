package backend_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a destroyed registry or a closed store
// leaves goroutines behind. The watch cache starts a goroutine per
// consistent read that sleeps out its 3s wait limit whatever happens
// (watchCache.waitUntilFreshLocked); it is upstream's and ignored.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("k8s.io/apiserver/pkg/storage/cacher.(*watchCache).waitUntilFreshLocked.func2"))
}
