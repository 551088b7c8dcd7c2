package backend_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/apis/example"
	examplev1 "k8s.io/apiserver/pkg/apis/example/v1"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/names"
	"k8s.io/apiserver/pkg/storage/storagebackend"

	"github.com/memkube/memkube/harness/backend"
	"github.com/memkube/memkube/internal/etcdembed"
	"github.com/memkube/memkube/memstore"
	"github.com/memkube/memkube/memstore/memstoretest"
)

var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	metav1.AddToGroupVersion(s, metav1.SchemeGroupVersion)
	if err := example.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := examplev1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}()

// podStrategy is the smallest strategy a registry accepts: namespaced, no
// validation.
type podStrategy struct {
	runtime.ObjectTyper
	names.NameGenerator
}

func (podStrategy) NamespaceScoped() bool                                            { return true }
func (podStrategy) PrepareForCreate(context.Context, runtime.Object)                 {}
func (podStrategy) PrepareForUpdate(context.Context, runtime.Object, runtime.Object) {}
func (podStrategy) Validate(context.Context, runtime.Object) field.ErrorList         { return nil }
func (podStrategy) WarningsOnCreate(context.Context, runtime.Object) []string        { return nil }
func (podStrategy) Canonicalize(runtime.Object)                                      {}
func (podStrategy) AllowCreateOnUpdate(context.Context) bool                         { return false }
func (podStrategy) AllowUnconditionalUpdate(context.Context) bool                    { return true }
func (podStrategy) ValidateUpdate(context.Context, runtime.Object, runtime.Object) field.ErrorList {
	return nil
}
func (podStrategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

func podAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	return storage.DefaultNamespaceScopedAttr(obj)
}

// newRegistry returns a pods registry built the way kube-apiserver builds
// one: genericregistry.Store completed with RESTOptions whose decorator and
// storage config are the backend's.
func newRegistry(t *testing.T, decorator generic.StorageDecorator, config *storagebackend.Config) *genericregistry.Store {
	t.Helper()
	gr := schema.GroupResource{Group: example.GroupName, Resource: "pods"}
	strategy := podStrategy{ObjectTyper: scheme, NameGenerator: names.SimpleNameGenerator}
	reg := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &example.Pod{} },
		NewListFunc:               func() runtime.Object { return &example.PodList{} },
		DefaultQualifiedResource:  gr,
		SingularQualifiedResource: schema.GroupResource{Group: example.GroupName, Resource: "pod"},
		CreateStrategy:            strategy,
		UpdateStrategy:            strategy,
		DeleteStrategy:            strategy,
		TableConvertor:            rest.NewDefaultTableConvertor(gr),
	}
	err := reg.CompleteWithOptions(&generic.StoreOptions{
		RESTOptions: generic.RESTOptions{
			StorageConfig:  config.ForResource(gr),
			Decorator:      decorator,
			ResourcePrefix: "/" + gr.Group + "/" + gr.Resource,
		},
		AttrFunc: podAttrs,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.DestroyFunc)
	return reg
}

// TestRegistry runs a registry over each backend — the same server code,
// as a memkube server runs it: memstore through MemstoreDecorator, embedded
// etcd through upstream's StorageWithCacher.
func TestRegistry(t *testing.T) {
	codec := memstoretest.NewCodec()
	t.Run("Backend=memstore", func(t *testing.T) {
		t.Parallel()
		ms := memstore.New(memstore.Config{})
		t.Cleanup(ms.Close)
		reg := newRegistry(t, backend.MemstoreDecorator(ms), storagebackend.NewDefaultConfig("/registry", codec))
		name := testRegistry(t, reg)
		// read at the revision that created it (2); it is deleted since.
		if kv, _, _ := ms.Get("/registry/"+example.GroupName+"/pods/ns/"+name, 2); kv == nil {
			t.Fatal("the pod is not in memstore under kube-apiserver's key layout")
		}
	})
	t.Run("Backend=etcd", func(t *testing.T) {
		t.Parallel()
		etcd, err := etcdembed.Start(etcdembed.Config{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(etcd.Close)
		config := storagebackend.NewDefaultConfig("/registry", codec)
		config.Transport.ServerList = []string{etcd.Endpoint}
		testRegistry(t, newRegistry(t, genericregistry.StorageWithCacher(), config))
	})
}

// testRegistry creates, watches, updates, lists and deletes a pod through
// reg, and returns the pod's name.
func testRegistry(t *testing.T, reg *genericregistry.Store) string {
	ctx := genericapirequest.WithNamespace(t.Context(), "ns")

	// the watch cache answers 429 until it has listed the store, as
	// kube-apiserver's does while it starts.
	var w watch.Interface
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		w, err = reg.Watch(ctx, &metainternalversion.ListOptions{ResourceVersion: "0"})
		if err == nil || !apierrors.IsTooManyRequests(err) || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	obj, err := reg.Create(ctx, &example.Pod{ObjectMeta: metav1.ObjectMeta{GenerateName: "web-"}}, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created := obj.(*example.Pod)
	if created.UID == "" || created.CreationTimestamp.IsZero() || len(created.Name) != len("web-")+5 || created.ResourceVersion != "2" {
		t.Fatalf("created %+v: want a uid, a creationTimestamp, a generated name and resourceVersion 2", created.ObjectMeta)
	}

	select {
	case ev := <-w.ResultChan():
		// the cache wraps event objects (cachingObject): read them through meta.
		if m, err := meta.Accessor(ev.Object); err != nil || ev.Type != watch.Added || m.GetName() != created.Name {
			t.Fatalf("watch got %s %v, want ADDED %s", ev.Type, ev.Object, created.Name)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event through the watch cache")
	}

	// update with a stale resourceVersion: 409 Conflict with kube-apiserver's message.
	stale := created.DeepCopy()
	created.Labels = map[string]string{"a": "b"}
	if _, _, err := reg.Update(ctx, created.Name, rest.DefaultUpdatedObjectInfo(created), rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	stale.Labels = map[string]string{"c": "d"}
	_, _, err = reg.Update(ctx, stale.Name, rest.DefaultUpdatedObjectInfo(stale), rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	want := `Operation cannot be fulfilled on pods.example.apiserver.k8s.io "` + stale.Name + `": the object has been modified; please apply your changes to the latest version and try again`
	if !apierrors.IsConflict(err) || err.Error() != want {
		t.Fatalf("stale update: got %v, want 409 %q", err, want)
	}

	// a consistent list is served through the cache and sees the update.
	list, err := reg.List(ctx, &metainternalversion.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pods := list.(*example.PodList)
	current, err := reg.Storage.Storage.GetCurrentResourceVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) != 1 || pods.Items[0].Labels["a"] != "b" || pods.ResourceVersion != strconv.FormatUint(current, 10) {
		t.Fatalf("list = %d items at %s, want the updated pod at %d", len(pods.Items), pods.ResourceVersion, current)
	}

	if _, _, err := reg.Delete(ctx, created.Name, rest.ValidateAllObjectFunc, &metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Get(ctx, created.Name, &metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("get after delete: %v, want 404", err)
	}
	return created.Name
}
