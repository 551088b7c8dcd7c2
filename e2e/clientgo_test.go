package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// eventTimeout bounds the wait for one watch or informer event.
const eventTimeout = 10 * time.Second

// startClient marks the test parallel and starts its server with a clientset.
func startClient(t *testing.T) (*harness.Server, kubernetes.Interface) {
	t.Helper()
	t.Parallel()
	// these tests count the ConfigMaps of their namespaces exactly: without
	// the root-CA publisher's kube-root-ca.crt.
	s := harnesstest.Start(t, harness.Options{Storage: e2eStorage, Controllers: harness.Controllers{NoServiceAccount: true}})
	client, err := kubernetes.NewForConfig(s.RESTConfig())
	if err != nil {
		t.Fatalf("clientset: %v", err)
	}
	return s, client
}

func createNamespace(t *testing.T, client kubernetes.Interface, name string) {
	t.Helper()
	if _, err := client.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
}

func newConfigMap(name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: data}
}

// rv parses a resourceVersion, which kube-apiserver over etcd (and memkube)
// serves as a decimal revision.
func rv(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		t.Fatalf("resourceVersion %q is not a positive decimal revision", s)
	}
	return n
}

// TestClientGoTypedCRUD creates, reads, updates and deletes through the
// typed clientset: resourceVersions grow, a stale update or delete
// precondition is a 409 Conflict, and spec and status are written through
// their own endpoints.
func TestClientGoTypedCRUD(t *testing.T) {
	_, client := startClient(t)
	ctx := t.Context()
	createNamespace(t, client, "crud")
	cms := client.CoreV1().ConfigMaps("crud")

	created, err := cms.Create(ctx, newConfigMap("cm", map[string]string{"a": "1"}), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if created.UID == "" || created.CreationTimestamp.IsZero() || created.Generation != 0 {
		t.Errorf("created uid %q creationTimestamp %v generation %d, want a uid, a timestamp and no generation (configmaps have none)",
			created.UID, created.CreationTimestamp, created.Generation)
	}
	if _, err := cms.Create(ctx, newConfigMap("cm", nil), metav1.CreateOptions{}); !apierrors.IsAlreadyExists(err) ||
		err.Error() != `configmaps "cm" already exists` {
		t.Errorf("second create: got %v, want AlreadyExists `configmaps \"cm\" already exists`", err)
	}

	update := created.DeepCopy()
	update.Data["a"] = "2"
	updated, err := cms.Update(ctx, update, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rv(t, updated.ResourceVersion) <= rv(t, created.ResourceVersion) {
		t.Errorf("resourceVersion after update = %s, want more than %s", updated.ResourceVersion, created.ResourceVersion)
	}
	got, err := cms.Get(ctx, "cm", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Data["a"] != "2" || got.ResourceVersion != updated.ResourceVersion {
		t.Errorf("get = a=%s rv %s, want a=2 rv %s", got.Data["a"], got.ResourceVersion, updated.ResourceVersion)
	}

	stale := created.DeepCopy()
	stale.Data["a"] = "stale"
	const conflict = `Operation cannot be fulfilled on configmaps "cm": the object has been modified; please apply your changes to the latest version and try again`
	if _, err := cms.Update(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) || err.Error() != conflict {
		t.Errorf("update with a stale resourceVersion: got %v, want 409 %q", err, conflict)
	}
	err = cms.Delete(ctx, "cm", metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: &created.ResourceVersion}})
	if !apierrors.IsConflict(err) {
		t.Errorf("delete with a stale resourceVersion precondition: got %v, want 409 Conflict", err)
	}

	// spec and status go through their own endpoints; metadata changes leave the generation.
	deps := client.AppsV1().Deployments("crud")
	dep := newDeployment("web")
	dep.Namespace = "crud"
	if dep, err = deps.Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if dep.Generation != 1 {
		t.Errorf("created deployment generation = %d, want 1", dep.Generation)
	}
	dep.Labels["team"] = "a"
	dep.Status.Replicas = 7
	if dep, err = deps.Update(ctx, dep, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if dep.Generation != 1 || dep.Status.Replicas != 0 {
		t.Errorf("after a labels and status update: generation %d status.replicas %d, want 1 and 0 (status ignored)", dep.Generation, dep.Status.Replicas)
	}
	dep.Spec.Replicas = new(int32(2))
	dep.Status.Replicas = 1
	if dep, err = deps.UpdateStatus(ctx, dep, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if *dep.Spec.Replicas != 1 || dep.Status.Replicas != 1 || dep.Generation != 1 {
		t.Errorf("after a status update: spec.replicas %d status.replicas %d generation %d, want 1, 1, 1 (spec ignored)", *dep.Spec.Replicas, dep.Status.Replicas, dep.Generation)
	}
	dep.Spec.Replicas = new(int32(2))
	if dep, err = deps.Update(ctx, dep, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if dep.Generation != 2 || dep.Status.Replicas != 1 {
		t.Errorf("after a spec update: generation %d status.replicas %d, want 2 and 1", dep.Generation, dep.Status.Replicas)
	}

	if err := cms.Delete(ctx, "cm", metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: &updated.ResourceVersion}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cms.Get(ctx, "cm", metav1.GetOptions{}); !apierrors.IsNotFound(err) || err.Error() != `configmaps "cm" not found` {
		t.Errorf("get after delete: got %v, want NotFound `configmaps \"cm\" not found`", err)
	}
}

// TestClientGoDynamic creates, lists and patches Deployments as unstructured
// objects through the dynamic client.
func TestClientGoDynamic(t *testing.T) {
	s, _ := startClient(t)
	ctx := t.Context()
	client, err := dynamic.NewForConfig(s.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	deps := client.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}).Namespace("default")
	for _, name := range []string{"api", "web"} {
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apps/v1",
			"kind":       "Deployment",
			"metadata":   map[string]any{"name": name, "labels": map[string]any{"tier": name}},
			"spec": map[string]any{
				"replicas": int64(1),
				"selector": map[string]any{"matchLabels": map[string]any{"app": name}},
				"template": map[string]any{
					"metadata": map[string]any{"labels": map[string]any{"app": name}},
					"spec":     map[string]any{"containers": []any{map[string]any{"name": name, "image": "nginx:1.27"}}},
				},
			},
		}}
		got, err := deps.Create(ctx, obj, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		if got.GetUID() == "" || got.GetGeneration() != 1 || got.GetAPIVersion() != "apps/v1" || got.GetKind() != "Deployment" {
			t.Errorf("created %s: uid %q generation %d %s %s, want a uid, generation 1, apps/v1 Deployment",
				name, got.GetUID(), got.GetGeneration(), got.GetAPIVersion(), got.GetKind())
		}
	}

	list, err := deps.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if list.GetAPIVersion() != "apps/v1" || list.GetKind() != "DeploymentList" || list.GetResourceVersion() == "" {
		t.Errorf("list is %s %s rv %q, want apps/v1 DeploymentList with a resourceVersion", list.GetAPIVersion(), list.GetKind(), list.GetResourceVersion())
	}
	var names []string
	for _, item := range list.Items {
		names = append(names, item.GetName())
	}
	if !slices.Equal(names, []string{"api", "web"}) {
		t.Errorf("listed %v, want [api web]", names)
	}
	list, err = deps.List(ctx, metav1.ListOptions{LabelSelector: "tier=web"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].GetName() != "web" {
		t.Errorf("list tier=web returned %d items, want web alone", len(list.Items))
	}

	patched, err := deps.Patch(ctx, "web", types.MergePatchType, []byte(`{"metadata":{"labels":{"patched":"merge"}},"spec":{"replicas":3}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	replicas, _, _ := unstructured.NestedInt64(patched.Object, "spec", "replicas")
	if patched.GetLabels()["patched"] != "merge" || patched.GetLabels()["tier"] != "web" || replicas != 3 || patched.GetGeneration() != 2 {
		t.Errorf("after merge patch: labels %v replicas %d generation %d, want patched=merge and tier=web, 3, 2", patched.GetLabels(), replicas, patched.GetGeneration())
	}
	apply := []byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","annotations":{"owner":"dynamic"}}}`)
	applied, err := deps.Patch(ctx, "web", types.ApplyPatchType, apply, metav1.PatchOptions{FieldManager: "e2e"})
	if err != nil {
		t.Fatal(err)
	}
	if applied.GetAnnotations()["owner"] != "dynamic" || managerOf(applied.GetManagedFields(), "e2e") == nil {
		t.Errorf("after apply: annotations %v managedFields %+v, want owner=dynamic managed by e2e", applied.GetAnnotations(), applied.GetManagedFields())
	}
}

// TestClientGoInformer runs a SharedInformerFactory informer and checks that
// its handlers see the initial object, then an add, an update and a delete.
func TestClientGoInformer(t *testing.T) {
	_, client := startClient(t)
	ctx := t.Context()
	createNamespace(t, client, "inform")
	cms := client.CoreV1().ConfigMaps("inform")
	if _, err := cms.Create(ctx, newConfigMap("before", nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	events := make(chan string, 16)
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace("inform"))
	informer := factory.Core().V1().ConfigMaps().Informer()
	_, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { events <- "add " + obj.(*corev1.ConfigMap).Name },
		UpdateFunc: func(old, cur any) {
			events <- fmt.Sprintf("update %s %s->%s", cur.(*corev1.ConfigMap).Name, old.(*corev1.ConfigMap).Data["v"], cur.(*corev1.ConfigMap).Data["v"])
		},
		DeleteFunc: func(obj any) { events <- "delete " + obj.(*corev1.ConfigMap).Name },
	})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	factory.Start(stop)
	t.Cleanup(func() { close(stop); factory.Shutdown() })
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		t.Fatal("informer did not sync")
	}
	next := func(want string) {
		t.Helper()
		select {
		case got := <-events:
			if got != want {
				t.Fatalf("informer event %q, want %q", got, want)
			}
		case <-time.After(eventTimeout):
			t.Fatalf("no informer event, want %q", want)
		}
	}
	next("add before")

	cm, err := cms.Create(ctx, newConfigMap("cm", map[string]string{"v": "1"}), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	next("add cm")
	cm.Data["v"] = "2"
	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	next("update cm 1->2")
	if err := cms.Delete(ctx, "cm", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	next("delete cm")
	if keys := informer.GetStore().ListKeys(); !slices.Equal(keys, []string{"inform/before"}) {
		t.Errorf("informer cache holds %v, want [inform/before]", keys)
	}
}

// TestClientGoInformerRelistAfterCompaction cuts an informer's watch off
// the way a compaction does on kube-apiserver: the watch cache's own storage
// watch falls behind, the store compacts past it, the watch cache
// reinitializes, and the informer's resourceVersion is then too old to
// resume from (410 Gone). The informer must relist and converge.
func TestClientGoInformerRelistAfterCompaction(t *testing.T) {
	s, client := startClient(t)
	ctx := t.Context()
	createNamespace(t, client, "relist")
	createNamespace(t, client, "churn")
	cms := client.CoreV1().ConfigMaps("relist")
	a, err := cms.Create(ctx, newConfigMap("a", map[string]string{"v": "1"}), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CoreV1().ConfigMaps("churn").Create(ctx, newConfigMap("c", map[string]string{"v": "1"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// The informer's ListerWatcher records what the reflector is told: the
	// watch cache answers a too old resourceVersion with a 410 ERROR event
	// (not an HTTP error), on which the reflector relists without calling
	// its WatchErrorHandler.
	var mu sync.Mutex
	var lists int // lists, and watches that stream the initial list
	var expired []error
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			mu.Lock()
			lists++
			mu.Unlock()
			return cms.List(ctx, opts)
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			if opts.SendInitialEvents != nil && *opts.SendInitialEvents {
				mu.Lock()
				lists++
				mu.Unlock()
			}
			w, err := cms.Watch(ctx, opts)
			if err != nil {
				return nil, err
			}
			return watch.Filter(w, func(e watch.Event) (watch.Event, bool) {
				if err := apierrors.FromObject(e.Object); e.Type == watch.Error && apierrors.IsResourceExpired(err) {
					mu.Lock()
					expired = append(expired, err)
					mu.Unlock()
				}
				return e, true
			}), nil
		},
	}
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace("relist"))
	informer := factory.InformerFor(&corev1.ConfigMap{}, func(kubernetes.Interface, time.Duration) cache.SharedIndexInformer {
		return cache.NewSharedIndexInformer(lw, &corev1.ConfigMap{}, 0, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	})
	stop := make(chan struct{})
	factory.Start(stop)
	t.Cleanup(func() { close(stop); factory.Shutdown() })
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		t.Fatal("informer did not sync")
	}

	// Rewrite churn/c in the store faster than the configmaps watch cache
	// reads its storage watch, then compact at the newest revision; repeat
	// until the store reports a watch ended by the compaction.
	store := s.Store()
	if store == nil {
		t.Skip("forcing a compaction needs memstore's Store; the suite runs this on memstore")
	}
	const key = "/registry/configmaps/churn/c"
	kv, _, err := store.Get(key, 0)
	if err != nil || kv == nil {
		t.Fatalf("store key %s: %v %v, want the configmap churn/c", key, kv, err)
	}
	ended := store.WatchStats().EndedCompacted
	for attempt := 1; store.WatchStats().EndedCompacted == ended; attempt++ {
		if attempt > 5 {
			t.Fatalf("no storage watch was ended by compaction after %d rounds of churn", attempt-1)
		}
		for range 2000 {
			if _, err := store.Put(key, kv.Value); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.CompactLikeAPIServer(store.Rev()); err != nil {
			t.Fatal(err)
		}
		_ = wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, time.Second, true, func(context.Context) (bool, error) {
			return store.WatchStats().EndedCompacted > ended, nil
		})
	}

	// writes while the informer is cut off, then after it was told 410.
	a.Data["v"] = "2"
	if _, err := cms.Update(ctx, a, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cms.Create(ctx, newConfigMap("b", nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 15*time.Second, true, func(context.Context) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		return len(expired) > 0 && lists > 1, nil
	})
	mu.Lock()
	seen, listed := slices.Clone(expired), lists
	mu.Unlock()
	if err != nil {
		t.Fatalf("informer watch errors %v, lists %d; want a 410 Expired error and a relist", seen, listed)
	}
	t.Logf("informer watch: %v", seen[0])
	if _, err := cms.Create(ctx, newConfigMap("c", nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cms.Delete(ctx, "b", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}

	truth := func() map[string]string {
		list, err := cms.List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, cm := range list.Items {
			m[cm.Namespace+"/"+cm.Name] = cm.ResourceVersion
		}
		return m
	}()
	cached := func() map[string]string {
		m := map[string]string{}
		for _, obj := range informer.GetStore().List() {
			cm := obj.(*corev1.ConfigMap)
			m[cm.Namespace+"/"+cm.Name] = cm.ResourceVersion
		}
		return m
	}
	if err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, eventTimeout, true, func(context.Context) (bool, error) {
		return maps.Equal(cached(), truth), nil
	}); err != nil {
		t.Errorf("informer cache %v, want the server's %v", cached(), truth)
	}
	if len(truth) != 2 {
		t.Errorf("server holds %v, want relist/a and relist/c", truth)
	}
}

// TestClientGoWatch watches from a resourceVersion with bookmarks, and as a
// watch list (sendInitialEvents) ending with the initial-events-end bookmark.
func TestClientGoWatch(t *testing.T) {
	_, client := startClient(t)
	ctx := t.Context()
	createNamespace(t, client, "watch")
	cms := client.CoreV1().ConfigMaps("watch")
	list, err := cms.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	start := list.ResourceVersion
	a, err := cms.Create(ctx, newConfigMap("a", nil), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := cms.Create(ctx, newConfigMap("b", nil), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	next := func(t *testing.T, w watch.Interface, wantType watch.EventType) *corev1.ConfigMap {
		t.Helper()
		select {
		case e, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("watch closed, want a %s event", wantType)
			}
			cm, isCM := e.Object.(*corev1.ConfigMap)
			if e.Type != wantType || !isCM {
				t.Fatalf("watch event %s %T, want %s of a ConfigMap", e.Type, e.Object, wantType)
			}
			return cm
		case <-time.After(eventTimeout):
			t.Fatalf("no watch event, want %s", wantType)
		}
		return nil
	}

	t.Run("FromResourceVersion", func(t *testing.T) {
		t.Parallel()
		// The watch cache sends a bookmark once, 2s before the watch times
		// out, and only if its resourceVersion moved past the last event:
		// it does once the store reports progress, which a consistent list
		// asks for after another write (kube-apiserver over etcd alike).
		w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: start, AllowWatchBookmarks: true, TimeoutSeconds: new(int64(3))})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		if got := next(t, w, watch.Added); got.Name != "a" || got.ResourceVersion != a.ResourceVersion {
			t.Errorf("first event %s rv %s, want a rv %s", got.Name, got.ResourceVersion, a.ResourceVersion)
		}
		if got := next(t, w, watch.Added); got.Name != "b" || got.ResourceVersion != b.ResourceVersion {
			t.Errorf("second event %s rv %s, want b rv %s", got.Name, got.ResourceVersion, b.ResourceVersion)
		}
		other, err := client.CoreV1().Secrets("watch").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "other"}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cms.List(ctx, metav1.ListOptions{}); err != nil {
			t.Fatal(err)
		}
		bookmark := next(t, w, watch.Bookmark)
		if rv(t, bookmark.ResourceVersion) < rv(t, other.ResourceVersion) || bookmark.Name != "" {
			t.Errorf("bookmark name %q rv %s, want no name and rv >= %s", bookmark.Name, bookmark.ResourceVersion, other.ResourceVersion)
		}
		// more bookmarks may come (the cache's bookmark buckets are a second
		// wide), nothing else; the watch ends at its timeout.
		timeout := time.After(eventTimeout)
		for ended := false; !ended; {
			select {
			case e, ok := <-w.ResultChan():
				if ended = !ok; ok && e.Type != watch.Bookmark {
					t.Fatalf("after the bookmark: event %s, want only bookmarks until the watch times out", e.Type)
				}
			case <-timeout:
				t.Fatal("the watch did not end at its timeout")
			}
		}
	})

	t.Run("FromEvent", func(t *testing.T) {
		t.Parallel()
		w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: a.ResourceVersion})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		if got := next(t, w, watch.Added); got.Name != "b" {
			t.Errorf("watch from a's resourceVersion: first event for %s, want b", got.Name)
		}
	})

	t.Run("SendInitialEvents", func(t *testing.T) {
		t.Parallel()
		w, err := cms.Watch(ctx, metav1.ListOptions{
			SendInitialEvents:    new(true),
			ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan,
			AllowWatchBookmarks:  true,
		})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		for _, want := range []string{"a", "b"} {
			if got := next(t, w, watch.Added); got.Name != want {
				t.Errorf("initial event for %s, want %s", got.Name, want)
			}
		}
		bookmark := next(t, w, watch.Bookmark)
		if bookmark.Annotations[metav1.InitialEventsAnnotationKey] != "true" || rv(t, bookmark.ResourceVersion) < rv(t, b.ResourceVersion) {
			t.Errorf("bookmark annotations %v rv %s, want %s=true and rv >= %s",
				bookmark.Annotations, bookmark.ResourceVersion, metav1.InitialEventsAnnotationKey, b.ResourceVersion)
		}
	})
}

// TestClientGoListPagination lists in pages with limit and continue: every
// page is read at the first page's resourceVersion, remainingItemCount
// counts down, and the pages add up to the whole list.
func TestClientGoListPagination(t *testing.T) {
	_, client := startClient(t)
	ctx := t.Context()
	createNamespace(t, client, "pages")
	cms := client.CoreV1().ConfigMaps("pages")
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Go(func() {
			if _, err := cms.Create(ctx, newConfigMap(fmt.Sprintf("cm-%02d", i), nil), metav1.CreateOptions{}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all, err := cms.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, cm := range all.Items {
		want = append(want, cm.Name)
	}

	var got []string
	opts := metav1.ListOptions{Limit: 4}
	var listRV string
	for page := 1; ; page++ {
		list, err := cms.List(ctx, opts)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if page == 1 {
			listRV = list.ResourceVersion
		} else if list.ResourceVersion != listRV {
			t.Errorf("page %d read at resourceVersion %s, want the first page's %s", page, list.ResourceVersion, listRV)
		}
		for _, cm := range list.Items {
			got = append(got, cm.Name)
		}
		if list.Continue == "" {
			if list.RemainingItemCount != nil {
				t.Errorf("last page: remainingItemCount %d, want none", *list.RemainingItemCount)
			}
			break
		}
		if len(list.Items) != 4 {
			t.Errorf("page %d has %d items, want 4", page, len(list.Items))
		}
		if remaining := int64(len(want) - len(got)); list.RemainingItemCount == nil || *list.RemainingItemCount != remaining {
			t.Errorf("page %d: remainingItemCount %v, want %d", page, list.RemainingItemCount, remaining)
		}
		if page == 1 {
			// a write between pages does not show in later pages.
			if _, err := cms.Create(ctx, newConfigMap("cm-99", nil), metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		opts.Continue = list.Continue
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged list = %v, want %v", got, want)
	}
	if len(want) < 10 {
		t.Errorf("list has %d items, want at least the 10 created", len(want))
	}

	// a continue token with a different limit and a label selector still works.
	list, err := cms.List(ctx, metav1.ListOptions{Limit: 1, LabelSelector: "missing!=x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Continue == "" || list.RemainingItemCount != nil {
		t.Errorf("list with a label selector and limit 1: %d items, continue %q, remainingItemCount %v; want 1 item, a token and no count",
			len(list.Items), list.Continue, list.RemainingItemCount)
	}
	if _, err := cms.List(ctx, metav1.ListOptions{Continue: "not-a-token"}); !apierrors.IsBadRequest(err) {
		t.Errorf("list with a malformed continue token: got %v, want 400 BadRequest", err)
	}
}
