package harnesstest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
)

// failingT is a test that fails, whose cleanups run when the test says.
type failingT struct {
	*testing.T
	name     string
	cleanups []func()
	logs     []string
}

func (f *failingT) Name() string      { return f.name }
func (f *failingT) Failed() bool      { return true }
func (f *failingT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *failingT) Logf(format string, args ...any) {
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

func (f *failingT) runCleanups() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func TestSaveFailed(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(SaveFailedEnv, dir)
	ft := &failingT{T: t, name: "TestX/case one"}
	s := Start(ft, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	if _, err := c.CoreV1().ConfigMaps("default").Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "evidence"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ft.runCleanups()

	path := filepath.Join(dir, "TestX_case_one.snapshot")
	if len(ft.logs) != 1 || !strings.Contains(ft.logs[0], "memkube serve --load "+path) {
		t.Fatalf("logs %q, want the serve command for %s", ft.logs, path)
	}
	snap, err := harness.LoadSnapshotFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other := Start(t, harness.Options{})
	if err := other.Restore(snap); err != nil {
		t.Fatal(err)
	}
	oc := kubernetes.NewForConfigOrDie(other.RESTConfig())
	if _, err := oc.CoreV1().ConfigMaps("default").Get(t.Context(), "evidence", metav1.GetOptions{}); err != nil {
		t.Errorf("the saved state lacks the failed test's configmap: %v", err)
	}
}
