package harness_test

import (
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	"go.uber.org/goleak"

	"github.com/memkube/memkube/harness"
)

// TestInProcessClientAndStop talks to a server through the in-process
// transport (requests, a watch, the authenticated user) and over TLS, then
// stops it with both kinds of client still connected: Stop must be quick.
func TestInProcessClientAndStop(t *testing.T) {
	ctx := t.Context()
	before := goleak.IgnoreCurrent()
	s, err := harness.Start(ctx, harness.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			s.Stop()
		}
	}()
	inProcess, err := kubernetes.NewForConfig(s.InProcessRESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	w, err := inProcess.CoreV1().ConfigMaps("default").Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=a"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if _, err := inProcess.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-w.ResultChan():
		if ev.Type != watch.Added || ev.Object.(*corev1.ConfigMap).Name != "a" {
			t.Fatalf("watch event %v %v, want ADDED a", ev.Type, ev.Object)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no watch event through the in-process transport")
	}
	review, err := inProcess.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if u := review.Status.UserInfo; u.Username != "memkube-admin" || len(u.Groups) != 2 || u.Groups[0] != "system:masters" || u.Groups[1] != "system:authenticated" {
		t.Fatalf("in-process user %+v, want memkube-admin in system:masters and system:authenticated", u)
	}

	overTLS, err := kubernetes.NewForConfig(s.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	tlsWatch, err := overTLS.CoreV1().ConfigMaps("default").Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tlsWatch.Stop()

	s.Stop()
	stopped = true
	// the clients' watches end with the server.
	for _, w := range []watch.Interface{w, tlsWatch} {
		select {
		case _, open := <-w.ResultChan():
			for open {
				_, open = <-w.ResultChan()
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a watch outlived the server")
		}
	}
	goleak.VerifyNone(t, before,
		// the /healthz "log" check flushes klog once a minute, once per process.
		goleak.IgnoreAnyFunction("k8s.io/apimachinery/pkg/util/wait.Forever"),
		// a consistent read's 3s timer in the watch cache, and a request
		// waiting on it (a watch that started as Stop began): both end
		// by themselves when the timer fires.
		goleak.IgnoreAnyFunction("k8s.io/apiserver/pkg/storage/cacher.(*watchCache).waitUntilFreshLocked.func2"),
		goleak.IgnoreAnyFunction("k8s.io/apiserver/pkg/storage/cacher.(*watchCache).waitUntilFreshLocked"))
}
