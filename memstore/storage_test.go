package memstore_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/apis/example"
	"k8s.io/apiserver/pkg/storage"

	"github.com/memkube/memkube/memstore"
	"github.com/memkube/memkube/memstore/memstoretest"
)

// newView returns a storage.Interface view of store for one resource.
func newView(t *testing.T, store *memstore.Store, resource string) *memstore.Storage {
	t.Helper()
	s, err := memstore.NewStorage(store, memstore.StorageConfig{
		Codec:          memstoretest.NewCodec(),
		Prefix:         "/registry",
		ResourcePrefix: "/" + resource,
		GroupResource:  schema.GroupResource{Resource: resource},
		NewFunc:        func() runtime.Object { return &example.Pod{} },
		NewListFunc:    func() runtime.Object { return &example.PodList{} },
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newStore(t *testing.T) *memstore.Store {
	s := memstore.New(memstore.Config{})
	t.Cleanup(s.Close)
	return s
}

func pod(name string) *example.Pod {
	return &example.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name}}
}

// TestViewsShareOneStore: views of different resources share revisions and
// data; destroying a view ends its watches and keeps the data.
func TestViewsShareOneStore(t *testing.T) {
	t.Parallel()
	store := newStore(t)
	pods, things := newView(t, store, "pods"), newView(t, store, "things")
	ctx := t.Context()
	out := &example.Pod{}
	if err := pods.Create(ctx, "/pods/ns/a", pod("a"), out, 0); err != nil {
		t.Fatal(err)
	}
	if err := things.Create(ctx, "/things/ns/a", pod("a"), out, 0); err != nil {
		t.Fatal(err)
	}
	if out.ResourceVersion != "3" {
		t.Fatalf("second create across views at resourceVersion %s, want 3: one revision sequence", out.ResourceVersion)
	}
	if kv, _, _ := store.Get("/registry/pods/ns/a", 0); kv == nil {
		t.Fatal("pods are not stored under the path prefix")
	}
	w, err := pods.Watch(ctx, "/pods/", storage.ListOptions{ResourceVersion: "3", Recursive: true, Predicate: storage.Everything})
	if err != nil {
		t.Fatal(err)
	}
	pods.Destroy()
	for range w.ResultChan() {
	}
	again := newView(t, store, "pods")
	if err := again.Get(ctx, "/pods/ns/a", storage.GetOptions{}, out); err != nil {
		t.Fatalf("after Destroy of a view, a new view cannot read its data: %v", err)
	}
	if err := things.Get(ctx, "/things/ns/a", storage.GetOptions{}, out); err != nil {
		t.Fatalf("after Destroy of another view: %v", err)
	}
}

// TestRequestWatchProgressIsPerView: a progress request reaches the watches
// of the view it was made on, as an etcd client's reaches its own streams.
func TestRequestWatchProgressIsPerView(t *testing.T) {
	t.Parallel()
	store := newStore(t)
	pods, things := newView(t, store, "pods"), newView(t, store, "things")
	ctx := t.Context()
	opts := storage.ListOptions{ResourceVersion: "1", Recursive: true, Predicate: storage.Everything}
	pw, err := pods.Watch(ctx, "/pods/", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Stop()
	tw, err := things.Watch(ctx, "/things/", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer tw.Stop()
	// the watch reaches the store asynchronously: request until it answers.
	var ev watch.Event
	for ev.Type != watch.Bookmark {
		if err := pods.RequestWatchProgress(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case ev = <-pw.ResultChan():
		case <-time.After(10 * time.Millisecond):
		}
	}
	select {
	case ev := <-tw.ResultChan():
		t.Fatalf("the other view's watch got %v", ev.Type)
	case <-time.After(50 * time.Millisecond):
	}
}

// TestListErrorsHaveKubernetesShape: compacted reads are 410 Gone with
// kube-apiserver's messages; a failing read changes nothing.
func TestListErrorsHaveKubernetesShape(t *testing.T) {
	t.Parallel()
	store := newStore(t)
	pods := newView(t, store, "pods")
	ctx := t.Context()
	for _, name := range []string{"a", "b", "c"} {
		if err := pods.Create(ctx, "/pods/ns/"+name, pod(name), nil, 0); err != nil {
			t.Fatal(err)
		}
	}
	page := &example.PodList{}
	pred := storage.Everything
	pred.Limit = 1
	if err := pods.GetList(ctx, "/pods/", storage.ListOptions{Recursive: true, Predicate: pred}, page); err != nil {
		t.Fatal(err)
	}
	// a later write, so the compaction passes the page's revision.
	if err := pods.Create(ctx, "/pods/ns/d", pod("d"), nil, 0); err != nil {
		t.Fatal(err)
	}
	if err := store.CompactLikeAPIServer(store.Rev()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts storage.ListOptions
		want string
	}{
		{"exact list below compaction", storage.ListOptions{Recursive: true, ResourceVersion: "2", ResourceVersionMatch: metav1.ResourceVersionMatchExact, Predicate: storage.Everything},
			"The resourceVersion for the provided list is too old."},
		{"continue below compaction", storage.ListOptions{Recursive: true, Predicate: storage.SelectionPredicate{Label: pred.Label, Field: pred.Field, Limit: 1, Continue: page.Continue}},
			"The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."},
	}
	for _, tt := range tests {
		err := pods.GetList(ctx, "/pods/", tt.opts, &example.PodList{})
		var status apierrors.APIStatus
		if !errors.As(err, &status) || status.Status().Code != http.StatusGone || status.Status().Reason != metav1.StatusReasonExpired || status.Status().Message != tt.want {
			t.Errorf("%s: got %v, want 410 Expired %q", tt.name, err, tt.want)
		}
	}

	boom := errors.New("boom")
	store.SetHooks(&memstore.Hooks{Write: func([]memstore.Op) error { return boom }})
	rev := store.Rev()
	err := pods.GuaranteedUpdate(ctx, "/pods/ns/a", &example.Pod{}, false, nil, storage.SimpleUpdate(func(obj runtime.Object) (runtime.Object, error) {
		obj.(*example.Pod).Labels = map[string]string{"x": "y"}
		return obj, nil
	}), nil)
	if !errors.Is(err, boom) || store.Rev() != rev {
		t.Fatalf("update with a failing write hook: err %v, revision %d → %d; want boom and no write", err, rev, store.Rev())
	}
}
