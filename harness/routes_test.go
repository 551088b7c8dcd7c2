package harness

import (
	"context"
	goruntime "runtime"
	"testing"
	"time"
	"weak"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// TestSharedRoutes: servers of one process serve the built-in groups with
// the same handlers, and each request reaches its own server's storages,
// whatever the storage's kind.
func TestSharedRoutes(t *testing.T) {
	start := func() (*Server, kubernetes.Interface) {
		s, err := Start(t.Context(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Stop)
		return s, kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	}
	a, ca := start()
	b, cb := start()
	webServices := func(s *Server) map[string]any {
		out := map[string]any{}
		for _, ws := range s.generic.Handler.GoRestfulContainer.RegisteredWebServices() {
			out[ws.RootPath()] = ws
		}
		return out
	}
	wa, wb := webServices(a), webServices(b)
	for _, root := range []string{"/api/v1", "/apis/apps/v1", "/apis/rbac.authorization.k8s.io/v1", "/apis/authentication.k8s.io/v1"} {
		if wa[root] == nil || wa[root] != wb[root] {
			t.Errorf("%s: the servers do not share its handlers", root)
		}
	}

	ctx := t.Context()
	// registry.REST
	if _, err := ca.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "only-a"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cb.CoreV1().ConfigMaps("default").Get(ctx, "only-a", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("b sees a's ConfigMap: %v", err)
	}
	if list, err := cb.CoreV1().ConfigMaps("default").List(ctx, metav1.ListOptions{}); err != nil || len(list.Items) != 0 {
		t.Errorf("b lists %v (%v), want nothing", list, err)
	}
	// namespaces (no delete-collection)
	if _, err := ca.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ns-a"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cb.CoreV1().Namespaces().Get(ctx, "ns-a", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("b sees a's namespace: %v", err)
	}
	// RBAC, behind its escalation checks
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}}}
	if _, err := cb.RbacV1().Roles("default").Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ca.RbacV1().Roles("default").Get(ctx, "r", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("a sees b's role: %v", err)
	}
	// status and scale
	deployment := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "d"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "d"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "d"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
			},
		},
	}
	created, err := ca.AppsV1().Deployments("default").Create(ctx, deployment, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if scale, err := ca.AppsV1().Deployments("default").GetScale(ctx, "d", metav1.GetOptions{}); err != nil || scale.Spec.Replicas != 2 {
		t.Errorf("a's scale: %v, %v", scale, err)
	}
	if _, err := cb.AppsV1().Deployments("default").GetScale(ctx, "d", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("b's scale of a's deployment: %v", err)
	}
	created.Status.ObservedGeneration = 1
	if _, err := cb.AppsV1().Deployments("default").UpdateStatus(ctx, created, metav1.UpdateOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("b's status update of a's deployment: %v", err)
	}
	if _, err := ca.AppsV1().Deployments("default").UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Errorf("a's status update: %v", err)
	}
	// a review, answered by each server's authenticator
	for name, c := range map[string]kubernetes.Interface{"a": ca, "b": cb} {
		review, err := c.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
		if err != nil || review.Status.UserInfo.Username != adminUser {
			t.Errorf("%s: self subject review %v, %v", name, review, err)
		}
	}
	// a subresource that creates: each server's service account tokens
	// are signed with its own key.
	if _, err := ca.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "sa"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cb.CoreV1().ServiceAccounts("default").CreateToken(ctx, "sa", &authenticationv1.TokenRequest{}, metav1.CreateOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("b's token for a's service account: %v", err)
	}
	token, err := ca.CoreV1().ServiceAccounts("default").CreateToken(ctx, "sa", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]kubernetes.Interface{"a": ca, "b": cb} {
		review, err := c.AuthenticationV1().TokenReviews().Create(ctx, &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: token.Status.Token}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if want := name == "a"; review.Status.Authenticated != want {
			t.Errorf("%s authenticates a's token: %v, want %v", name, review.Status.Authenticated, want)
		}
	}
}

// TestSharedRoutesShapes: a storage of a shape no proxy stands for keeps
// its server's routes its own.
func TestSharedRoutesShapes(t *testing.T) {
	gv := schema.GroupVersion{Group: "example.com", Version: "v1"}
	info := &genericapiserver.APIGroupInfo{VersionedResourcesStorageMap: map[string]map[string]rest.Storage{"v1": {"things": kindOnly{}}}}
	versions := []*builtVersion{{prefix: genericapiserver.APIGroupPrefix, info: info, gv: gv}}
	config := &genericapiserver.Config{}
	if _, ok := templateKey(versions, config); ok {
		t.Error("a storage of an unknown shape is shared")
	}
	info.VersionedResourcesStorageMap["v1"]["things"] = updateOnly{}
	if _, ok := templateKey(versions, config); !ok {
		t.Error("a storage of namespaces/finalize's shape is not shared")
	}
}

// kindOnly is a storage of a shape memkube's registries do not have.
type kindOnly struct{}

func (kindOnly) New() runtime.Object { return &corev1.ConfigMap{} }
func (kindOnly) Destroy()            {}
func (kindOnly) Kind() string        { return "Thing" }

// updateOnly has the shape of namespaces/finalize.
type updateOnly struct{}

func (updateOnly) New() runtime.Object { return &corev1.Namespace{} }
func (updateOnly) Destroy()            {}
func (updateOnly) Update(context.Context, string, rest.UpdatedObjectInfo, rest.ValidateObjectFunc, rest.ValidateObjectUpdateFunc, bool, *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return nil, false, nil
}

// TestSharedRoutesKeepNothing: the routes and OpenAPI documents a server
// built for the process keep nothing of that server once it has stopped
// (its store, with every object, least of all).
func TestSharedRoutesKeepNothing(t *testing.T) {
	t.Parallel() // it waits 3 s (below)
	// as in a fresh process: the builder is the first server of its routes
	// and documents. (One lock at a time: sharedBuiltinV3 takes two.)
	routeTemplates.mu.Lock()
	templates := routeTemplates.built
	routeTemplates.built = nil
	routeTemplates.mu.Unlock()
	openAPISpecs.mu.Lock()
	v2, v3 := openAPISpecs.v2, openAPISpecs.v3
	openAPISpecs.v2, openAPISpecs.v3 = nil, nil
	openAPISpecs.mu.Unlock()
	builtinV3s.mu.Lock()
	builtin := builtinV3s.services
	builtinV3s.services = nil
	builtinV3s.mu.Unlock()
	t.Cleanup(func() {
		routeTemplates.mu.Lock()
		routeTemplates.built = templates
		routeTemplates.mu.Unlock()
		openAPISpecs.mu.Lock()
		openAPISpecs.v2, openAPISpecs.v3 = v2, v3
		openAPISpecs.mu.Unlock()
		builtinV3s.mu.Lock()
		builtinV3s.services = builtin
		builtinV3s.mu.Unlock()
	})
	builder, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	store := weak.Make(builder.Store())
	builder.Stop()
	builder = nil
	user, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer user.Stop()
	// k8s.io/apiserver's watch caches keep a timer goroutine for 3 s
	// after some lists (waitUntilFreshLocked), which holds the store.
	for range 50 {
		goruntime.GC()
		if store.Value() == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Error("the store of the server that built the routes is still reachable")
}
