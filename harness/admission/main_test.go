package admission_test

import (
	"strings"
	"testing"

	"go.uber.org/goleak"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestMain fails the package if a stopped server leaves goroutines behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, harnesstest.IgnoreLeaks()...)
}

// start starts a server with opts and returns an admin client of it.
func start(t *testing.T, opts harness.Options) kubernetes.Interface {
	t.Helper()
	s := harnesstest.Start(t, opts)
	return kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
}

// pod is a pod of one container.
func pod(name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
	}
}

// wantForbidden fails the test unless err is a 403 whose message is want.
func wantForbidden(t *testing.T, err error, want string) {
	t.Helper()
	if !apierrors.IsForbidden(err) {
		t.Fatalf("got error %v, want 403 Forbidden %q", err, want)
	}
	if got := err.Error(); got != want {
		t.Fatalf("got message %q, want %q", got, want)
	}
}

// podName makes a test case's name a pod name.
func podName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return '-'
	}, strings.ReplaceAll(s, ", ", "-"))
}
