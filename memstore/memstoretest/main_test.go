package memstoretest

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a backend leaves goroutines behind once every
// Instance has been torn down.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
