package gc_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/memkube/memkube/harness/harnesstest"
)

// TestMain fails the package if a stopped collector (or server) leaves
// goroutines behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, leakIgnores()...)
}

func leakIgnores() []goleak.Option { return harnesstest.IgnoreLeaks() }
