package harness_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/faults"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestServerFaults injects faults into a running server: a conflict on the
// next update of one object, and a 503 for one user only.
func TestServerFaults(t *testing.T) {
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	cms := c.CoreV1().ConfigMaps("default")
	cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	conflict := s.Faults().ConflictOnNextUpdates(1, faults.Rule{Resources: []string{"configmaps"}, Names: []string{"x"}})
	cm.Data = map[string]string{"a": "b"}
	_, err = cms.Update(ctx, cm, metav1.UpdateOptions{})
	if want := `Operation cannot be fulfilled on configmaps "x": the object has been modified; please apply your changes to the latest version and try again`; !apierrors.IsConflict(err) || err.Error() != want {
		t.Fatalf("first update: %v, want 409 %s", err, want)
	}
	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("second update: %v", err)
	}
	if conflict.Fired() != 1 {
		t.Errorf("conflict fired %d times, want 1", conflict.Fired())
	}

	alice, err := s.AddUser("alice", []string{"system:masters"})
	if err != nil {
		t.Fatal(err)
	}
	s.Faults().Add(faults.Rule{Users: []string{"alice"}, Action: faults.ServiceUnavailable()})
	_, err = kubernetes.NewForConfigOrDie(alice).CoreV1().ConfigMaps("default").Get(ctx, "x", metav1.GetOptions{})
	if !apierrors.IsServiceUnavailable(err) {
		t.Errorf("alice: %v, want 503", err)
	}
	if _, err := cms.Get(ctx, "x", metav1.GetOptions{}); err != nil {
		t.Errorf("admin, not matched: %v", err)
	}
}

// TestStorageOutageHealth takes storage away: /readyz, /livez and /healthz
// fail their etcd checks as kube-apiserver's do when etcd is down, and pass
// again when it is back.
func TestStorageOutageHealth(t *testing.T) {
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	rc := kubernetes.NewForConfigOrDie(s.RESTConfig()).Discovery().RESTClient()
	get := func(path string) (int, string) {
		var code int
		body, _ := rc.Get().AbsPath(path).Param("verbose", "1").Do(ctx).StatusCode(&code).Raw()
		return code, string(body)
	}
	for _, path := range []string{"/readyz", "/livez", "/healthz"} {
		if code, body := get(path); code != 200 || !strings.Contains(body, "[+]etcd ok") {
			t.Errorf("%s with storage up: %d\n%s", path, code, body)
		}
	}
	if _, body := get("/readyz"); !strings.Contains(body, "[+]etcd-readiness ok") {
		t.Errorf("/readyz lacks etcd-readiness:\n%s", body)
	}
	outage := s.Faults().StorageUnavailable()
	for _, path := range []string{"/readyz", "/livez", "/healthz"} {
		if code, body := get(path); code != 500 || !strings.Contains(body, "[-]etcd failed: reason withheld") {
			t.Errorf("%s with storage down: %d\n%s", path, code, body)
		}
	}
	s.Faults().Remove(outage)
	if code, body := get("/readyz"); code != 200 {
		t.Errorf("/readyz with storage back: %d\n%s", code, body)
	}
}
