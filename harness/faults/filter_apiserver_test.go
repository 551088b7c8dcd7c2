package faults_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/authentication/request/bearertoken"
	"k8s.io/apiserver/pkg/authentication/token/tokenfile"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/names"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/client-go/kubernetes"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	basecompatibility "k8s.io/component-base/compatibility"

	"github.com/memkube/memkube/harness/apis"
	"github.com/memkube/memkube/harness/backend"
	"github.com/memkube/memkube/harness/faults"
	"github.com/memkube/memkube/harness/openapi"
	"github.com/memkube/memkube/memstore"
)

// The tests in this file run the filter where a memkube server runs it:
// innermost in genericapiserver.DefaultBuildHandlerChain, in front of
// k8s.io/apiserver's REST handlers for ConfigMaps kept in memstore behind
// the watch cache, through client-go.

// cmStrategy is the smallest strategy a registry accepts.
type cmStrategy struct {
	runtime.ObjectTyper
	names.NameGenerator
}

func (cmStrategy) NamespaceScoped() bool                                            { return true }
func (cmStrategy) PrepareForCreate(context.Context, runtime.Object)                 {}
func (cmStrategy) PrepareForUpdate(context.Context, runtime.Object, runtime.Object) {}
func (cmStrategy) Validate(context.Context, runtime.Object) field.ErrorList         { return nil }
func (cmStrategy) WarningsOnCreate(context.Context, runtime.Object) []string        { return nil }
func (cmStrategy) Canonicalize(runtime.Object)                                      {}
func (cmStrategy) AllowCreateOnUpdate(context.Context) bool                         { return false }
func (cmStrategy) AllowUnconditionalUpdate(context.Context) bool                    { return true }
func (cmStrategy) ValidateUpdate(context.Context, runtime.Object, runtime.Object) field.ErrorList {
	return nil
}
func (cmStrategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

// apiServer is a running test server.
type apiServer struct {
	url string
}

// config returns a client config of user alice (groups devs) or bob (ops).
func (s *apiServer) config(userName string) *restclient.Config {
	return &restclient.Config{Host: s.url, BearerToken: userName + "-token", QPS: -1}
}

func (s *apiServer) configMaps(t testing.TB, userName string) typedcorev1.ConfigMapInterface {
	t.Helper()
	c, err := kubernetes.NewForConfig(s.config(userName))
	if err != nil {
		t.Fatal(err)
	}
	return c.CoreV1().ConfigMaps("default")
}

// startAPIServer starts a server with inj's filter wired as the harness
// wires it, and inj attached to its store (nil: no filter). requestTimeout is the server's
// --request-timeout; zero means kube-apiserver's 60s.
func startAPIServer(t testing.TB, inj *faults.Injector, requestTimeout time.Duration) *apiServer {
	t.Helper()
	scheme, codecs := apis.NewScheme()
	config := genericapiserver.NewConfig(codecs)
	config.EffectiveVersion = basecompatibility.NewEffectiveVersionFromString("1.37.1", "", "")
	config.LoopbackClientConfig = &restclient.Config{}
	config.ExternalAddress = "127.0.0.1:443" // not served: the test serves the handler itself
	config.LegacyAPIGroupPrefixes = sets.NewString("/api")
	namer := openapinamer.NewDefinitionNamer(scheme)
	config.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(openapi.GetOpenAPIDefinitions, namer)
	config.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(openapi.GetOpenAPIDefinitions, namer)
	config.SkipOpenAPIInstallation = true
	if requestTimeout > 0 {
		config.RequestTimeout = requestTimeout
	}
	config.Authentication.Authenticator = bearertoken.New(tokenfile.New(map[string]*user.DefaultInfo{
		"alice-token": {Name: "alice", Groups: []string{"devs", user.AllAuthenticated}},
		"bob-token":   {Name: "bob", Groups: []string{"ops", user.AllAuthenticated}},
	}))
	config.Authorization.Authorizer = authorizerfactory.NewAlwaysAllowAuthorizer()
	if inj != nil {
		config.BuildHandlerChainFunc = func(h http.Handler, c *genericapiserver.Config) http.Handler {
			return genericapiserver.DefaultBuildHandlerChain(inj.Filter(h), c)
		}
	}
	gs, err := config.Complete(nil).New("faults-test", genericapiserver.NewEmptyDelegate())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gs.Destroy)

	store := memstore.New(memstore.Config{})
	t.Cleanup(store.Close)
	if inj != nil {
		inj.Attach(store)
	}
	gr := corev1.Resource("configmaps")
	strategy := cmStrategy{ObjectTyper: scheme, NameGenerator: names.SimpleNameGenerator}
	reg := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &corev1.ConfigMap{} },
		NewListFunc:               func() runtime.Object { return &corev1.ConfigMapList{} },
		DefaultQualifiedResource:  gr,
		SingularQualifiedResource: corev1.Resource("configmap"),
		CreateStrategy:            strategy,
		UpdateStrategy:            strategy,
		DeleteStrategy:            strategy,
		TableConvertor:            rest.NewDefaultTableConvertor(gr),
	}
	storageConfig := storagebackend.NewDefaultConfig("/registry", codecs.LegacyCodec(corev1.SchemeGroupVersion))
	if err := reg.CompleteWithOptions(&generic.StoreOptions{
		RESTOptions: generic.RESTOptions{
			StorageConfig:  storageConfig.ForResource(gr),
			Decorator:      backend.MemstoreDecorator(store),
			ResourcePrefix: "/configmaps",
		},
		AttrFunc: storage.DefaultNamespaceScopedAttr,
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.DestroyFunc)
	group := genericapiserver.NewDefaultAPIGroupInfo("", scheme, runtime.NewParameterCodec(scheme), codecs)
	group.VersionedResourcesStorageMap["v1"] = map[string]rest.Storage{"configmaps": reg}
	if err := gs.InstallLegacyAPIGroup("/api", &group); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gs.Handler)
	t.Cleanup(srv.Close)
	s := &apiServer{url: srv.URL}

	// the watch cache answers 429 until it has listed the store.
	c, err := kubernetes.NewForConfig(s.config("alice"))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		_, err := c.CoreV1().ConfigMaps("").List(t.Context(), metav1.ListOptions{ResourceVersion: "0"})
		if err == nil {
			break
		}
		if !apierrors.IsTooManyRequests(err) || time.Now().After(deadline) {
			t.Fatalf("the server is not ready: %v", err)
		}
	}
	return s
}

func createConfigMaps(t testing.TB, cms typedcorev1.ConfigMapInterface, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if _, err := cms.Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("web-", i)}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAPIServerConflict: client-go's retry.RetryOnConflict gets past
// injected conflicts, each the 409 kube-apiserver sends.
func TestAPIServerConflict(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	cms := startAPIServer(t, inj, 0).configMaps(t, "alice")
	createConfigMaps(t, cms, 0, 1)
	f := inj.ConflictOnNextUpdates(2, faults.Rule{Resources: []string{"configmaps"}, Names: []string{"web-0"}})

	attempts := 0
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		attempts++
		cm, err := cms.Get(t.Context(), "web-0", metav1.GetOptions{})
		if err != nil {
			return err
		}
		cm.Labels = map[string]string{"attempt": fmt.Sprint(attempts)}
		_, err = cms.Update(t.Context(), cm, metav1.UpdateOptions{})
		if attempts == 1 {
			want := `Operation cannot be fulfilled on configmaps "web-0": the object has been modified; please apply your changes to the latest version and try again`
			if !apierrors.IsConflict(err) || err.Error() != want {
				t.Errorf("first update: got %v, want 409 %q", err, want)
			}
		}
		return err
	})
	if err != nil || attempts != 3 || f.Fired() != 2 {
		t.Fatalf("RetryOnConflict: %v after %d attempts, %d conflicts; want success at attempt 3 after 2", err, attempts, f.Fired())
	}
	<-f.Done()
}

// TestAPIServerTooManyRequests: client-go retries a 429 with Retry-After
// by itself; the caller sees success, late.
func TestAPIServerTooManyRequests(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	cms := startAPIServer(t, inj, 0).configMaps(t, "alice")
	f := inj.Add(faults.Rule{Verbs: []string{"create"}, Count: 1, Action: faults.TooManyRequests(1)})
	start := time.Now()
	createConfigMaps(t, cms, 0, 1)
	if f.Fired() != 1 || time.Since(start) < time.Second {
		t.Fatalf("fired %d, create took %v; want 1 and the 1s Retry-After", f.Fired(), time.Since(start))
	}

	// without Retry-After, the caller gets the 429.
	inj.Add(faults.Rule{Verbs: []string{"create"}, Count: 1, Action: faults.TooManyRequests(0)})
	if _, err := cms.Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web-1"}}, metav1.CreateOptions{}); !apierrors.IsTooManyRequests(err) {
		t.Fatalf("create: got %v, want 429", err)
	}
}

// TestAPIServerUsers: rules see the user authentication found.
func TestAPIServerUsers(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	s := startAPIServer(t, inj, 0)
	inj.Add(faults.Rule{UserGroups: []string{"devs"}, Action: faults.ServiceUnavailable()})
	if _, err := s.configMaps(t, "alice").List(t.Context(), metav1.ListOptions{}); !apierrors.IsServiceUnavailable(err) {
		t.Fatalf("alice (devs): got %v, want 503", err)
	}
	if _, err := s.configMaps(t, "bob").List(t.Context(), metav1.ListOptions{}); err != nil {
		t.Fatalf("bob (ops): %v", err)
	}
}

// TestAPIServerDelayPastTimeout: a delay past the server's request
// timeout gets kube-apiserver's own 504, and the request is dropped.
func TestAPIServerDelayPastTimeout(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	cms := startAPIServer(t, inj, 300*time.Millisecond).configMaps(t, "alice")
	f := inj.Add(faults.Rule{Verbs: []string{"create"}, Count: 1, Action: faults.Delay(time.Hour)})
	_, err := cms.Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web-0"}}, metav1.CreateOptions{})
	if !apierrors.IsTimeout(err) {
		t.Fatalf("create: got %v, want a 504 Timeout", err)
	}
	// the timeout filter's Status goes out as text/plain: client-go reports the code.
	if want := "the server was unable to return a response in the time allotted, but may still be processing the request (post configmaps)"; err.Error() != want {
		t.Fatalf("create: got %q, want %q", err, want)
	}
	if f.Fired() != 1 {
		t.Fatalf("fired %d, want 1", f.Fired())
	}
	if _, err := cms.Get(t.Context(), "web-0", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("get the ConfigMap whose create timed out: got %v, want 404", err)
	}
}

// TestAPIServerCloseWatchAfter runs the real watch handler, in JSON and
// protobuf.
func TestAPIServerCloseWatchAfter(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	s := startAPIServer(t, inj, 0)
	createConfigMaps(t, s.configMaps(t, "alice"), 0, 4)
	for _, contentType := range []string{runtime.ContentTypeJSON, runtime.ContentTypeProtobuf} {
		t.Run("ContentType="+contentType, func(t *testing.T) {
			cfg := s.config("alice")
			cfg.ContentType = contentType
			c, err := kubernetes.NewForConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}
			f := inj.Add(faults.Rule{Resources: []string{"configmaps"}, Count: 1, Action: faults.CloseWatchAfter(3)})
			defer inj.Remove(f)
			w, err := c.CoreV1().ConfigMaps("default").Watch(t.Context(), metav1.ListOptions{ResourceVersion: "0"})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Stop()
			var got []watch.EventType
			for ev := range w.ResultChan() {
				got = append(got, ev.Type)
			}
			if len(got) != 3 || got[0] != watch.Added || f.Fired() != 1 {
				t.Fatalf("events %v before the watch ended, fired %d; want 3 ADDED, 1", got, f.Fired())
			}
		})
	}
}

// TestAPIServerStorageUnavailable: with the storage down, clients get
// kube-apiserver's errors of an etcd that does not answer, and the watch
// cache still serves what it has.
func TestAPIServerStorageUnavailable(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	cms := startAPIServer(t, inj, 0).configMaps(t, "alice")
	createConfigMaps(t, cms, 0, 1)

	f := inj.StorageUnavailable()
	_, err := cms.Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web-1"}}, metav1.CreateOptions{})
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Code != 500 || status.Status().Message != "etcdserver: request timed out" {
		t.Fatalf("create: got %v, want a 500 etcdserver: request timed out", err)
	}
	if _, err := cms.Get(t.Context(), "web-0", metav1.GetOptions{}); err == nil {
		t.Fatal("a consistent get succeeded")
	}
	if _, err := cms.List(t.Context(), metav1.ListOptions{}); err == nil {
		t.Fatal("a consistent list succeeded")
	}
	if list, err := cms.List(t.Context(), metav1.ListOptions{ResourceVersion: "0"}); err != nil || len(list.Items) != 1 {
		t.Fatalf("a list from the watch cache: %v", err)
	}
	inj.Remove(f)
	createConfigMaps(t, cms, 1, 2)
}

// TestAPIServerCompact: after Compact, watches end and a watch or list
// from before the compaction gets 410 Gone.
func TestAPIServerCompact(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	cms := startAPIServer(t, inj, 0).configMaps(t, "alice")
	createConfigMaps(t, cms, 0, 2)
	list, err := cms.List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := cms.Watch(t.Context(), metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	createConfigMaps(t, cms, 2, 3)
	if _, err := inj.Compact(); err != nil {
		t.Fatal(err)
	}
	var events []watch.EventType
	for ev := range w.ResultChan() {
		events = append(events, ev.Type)
	}
	t.Logf("the watch saw %v, then ended", events)

	if _, err := cms.List(t.Context(), metav1.ListOptions{ResourceVersion: list.ResourceVersion, ResourceVersionMatch: metav1.ResourceVersionMatchExact}); !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
		t.Fatalf("list exactly at %s: got %v, want 410", list.ResourceVersion, err)
	}
	w, err = cms.Watch(t.Context(), metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		if !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
			t.Fatalf("watch from %s: got %v, want 410", list.ResourceVersion, err)
		}
		return
	}
	defer w.Stop()
	ev, ok := <-w.ResultChan()
	if !ok || ev.Type != watch.Error {
		t.Fatalf("watch from %s: got %v, want a 410 error event", list.ResourceVersion, ev)
	}
	if err := apierrors.FromObject(ev.Object); !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
		t.Fatalf("watch from %s: got %v, want 410", list.ResourceVersion, err)
	}
}
