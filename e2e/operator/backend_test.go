package operator_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/memkube/memkube/harness"
)

// storageEnv selects the backend of this run's servers; unset is memstore.
const storageEnv = "MEMKUBE_E2E_STORAGE"

// e2eStorage is where this run's servers keep their objects.
var e2eStorage = harness.StorageOptions{Backend: harness.Backend(os.Getenv(storageEnv))}

// TestOperatorOnEmbeddedEtcd runs the operator suite again with its server
// over embedded etcd (upstream's etcd3 store): the same behaviour must hold
// on both backends. The test binary runs itself.
func TestOperatorOnEmbeddedEtcd(t *testing.T) {
	if os.Getenv(storageEnv) != "" {
		t.Skip("this run already chose its backend")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run", "^TestOperator$", "-test.count=1")
	cmd.Env = append(os.Environ(), storageEnv+"="+string(harness.EmbeddedEtcd))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the suite on embedded etcd: %v\n%s", err, out)
	}
}
