package recordingmatchers_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
	"github.com/memkube/memkube/harness/recording"
	. "github.com/memkube/memkube/harness/recording/recordingmatchers"
)

// The tests in this file are docs/recording.md's example: a controller
// that makes ConfigMap default/web say hello, tested for hot loops and
// lists without a selector — once as it should be, and once with each bug,
// to see the matchers fail.

// bugs are the mistakes the example controller can make.
type bugs struct {
	// hotLoop: stamp the time on every reconcile, so each write causes
	// another reconcile.
	hotLoop bool
	// listAll: list every ConfigMap of the namespace on each reconcile.
	listAll bool
}

// startController runs the example controller as user cfg's, until the
// test ends: an informer on ConfigMap default/web (a field selector), and a
// reconcile that sets data.greeting=hello.
func startController(t *testing.T, cfg *restclient.Config, bugs bugs) {
	c := kubernetes.NewForConfigOrDie(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	factory := informers.NewSharedInformerFactoryWithOptions(c, 0, informers.WithNamespace("default"),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.FieldSelector = "metadata.name=web" }))
	reconcile := func(obj any) {
		cm := obj.(*corev1.ConfigMap).DeepCopy()
		if bugs.listAll {
			if _, err := c.CoreV1().ConfigMaps(cm.Namespace).List(ctx, metav1.ListOptions{}); err != nil {
				return
			}
		}
		if cm.Data["greeting"] == "hello" && !bugs.hotLoop {
			return
		}
		cm.Data = map[string]string{"greeting": "hello"}
		if bugs.hotLoop {
			cm.Data["reconciledAt"] = time.Now().Format(time.RFC3339Nano)
		}
		// a conflict: the informer brings the newer object.
		_, _ = c.CoreV1().ConfigMaps(cm.Namespace).Update(ctx, cm, metav1.UpdateOptions{})
	}
	if _, err := factory.Core().V1().ConfigMaps().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    reconcile,
		UpdateFunc: func(_, obj any) { reconcile(obj) },
	}); err != nil {
		t.Fatal(err)
	}
	factory.Start(ctx.Done())
	t.Cleanup(func() {
		cancel()
		factory.Shutdown()
	})
}

// runExample is the test of docs/recording.md, with the controller's
// bugs; failures go to fail.
func runExample(t *testing.T, bugs bugs, fail func(string, ...int)) {
	g := NewGomega(fail)
	s := harnesstest.Start(t, harness.Options{})
	cfg, err := s.AddUser("my-controller", []string{"system:masters"})
	if err != nil {
		t.Fatal(err)
	}
	rec := s.Record(recording.Options{Match: recording.Match{Users: []string{"my-controller"}}})
	defer rec.Stop()

	startController(t, cfg, bugs)
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	cms := c.CoreV1().ConfigMaps("default")
	if _, err := cms.Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// the controller reconciles...
	g.Eventually(func() string {
		cm, _ := cms.Get(t.Context(), "web", metav1.GetOptions{})
		return cm.Data["greeting"]
	}).Should(Equal("hello"))
	// ...then leaves the ConfigMap alone, and never lists without a selector.
	g.Consistently(rec, "500ms").Should(HaveAtMostUpdates("configmaps", "default", "web", 1))
	g.Expect(rec).To(NoListsWithoutSelector())
}

func TestExampleController(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		bugs bugs
		// want are the lines the failure message starts with; none: pass.
		want []string
	}{
		{name: "correct"},
		{name: "hot loop", bugs: bugs{hotLoop: true}, want: []string{
			"Expected at most 1 updates of configmaps default/web, got ",
			" my-controller update configmaps default/web 200 ",
		}},
		{name: "list without selector", bugs: bugs{listAll: true}, want: []string{
			"Expected no lists or watches without a label or field selector, got ",
			" my-controller list configmaps default 200 ",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var failures []string
			runExample(t, tt.bugs, func(message string, _ ...int) { failures = append(failures, message) })
			if len(tt.want) == 0 {
				if len(failures) > 0 {
					t.Errorf("the correct controller failed: %s", strings.Join(failures, "\n"))
				}
				return
			}
			if len(failures) != 1 {
				t.Fatalf("%d failures %q, want 1", len(failures), failures)
			}
			// Consistently starts with "Failed after 0.1s.".
			lines := strings.Split(failures[0], "\n")
			i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, tt.want[0]) })
			if i < 0 || i+1 == len(lines) || !strings.Contains(lines[i+1], tt.want[1]) {
				t.Errorf("failure:\n%s\nwant lines like\n%s", failures[0], strings.Join(tt.want, "\n"))
			}
		})
	}
}
