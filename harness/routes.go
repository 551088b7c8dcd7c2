package harness

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapi "k8s.io/apiserver/pkg/endpoints"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/utils/clock"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/memkube/memkube/harness/registry"
)

// A server's built-in routes were a fifth of its start's CPU (go-restful
// compiles a regexp per route; k8s.io/apiserver's installer builds a
// handler, a field manager and OpenAPI metadata per verb) and a third of
// its heap, and are the same for every server of a process. memkube builds
// them once per shape of the registries (routeTemplate, below) over
// proxies: each proxy stands for one resource's storage, with exactly its
// interfaces, and calls the storage of the server the request came to,
// which every server's handler chain puts in the request's context
// (withServer). The admission chain and the authorizer the handlers call
// are the server's too, found the same way. What the installer reads once
// (New, short names, reset fields...) the proxies answer from the storage
// they were built from, copied: a template keeps nothing of the server
// that built it.

// routeState is what the shared routes call for one server: its storages,
// by the template's index, its admission chain and its authorizer.
type routeState struct {
	storage []rest.Storage
	admit   admission.Interface
	authz   authorizer.UnconditionalAuthorizer
}

type routeStateKey struct{}

// withServer puts the server clock and the server's route state in every
// request's context.
func withServer(h http.Handler, c clock.PassiveClock, routes *routeState) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := context.WithValue(registry.WithClock(req.Context(), c), routeStateKey{}, routes)
		h.ServeHTTP(w, req.WithContext(ctx))
	})
}

func routeStateFrom(ctx context.Context) (*routeState, error) {
	st, _ := ctx.Value(routeStateKey{}).(*routeState)
	if st == nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("memkube: the request reached the shared routes without its server"))
	}
	return st, nil
}

// routedAdmission is the admission chain of the request's server.
type routedAdmission struct{}

var (
	_ admission.MutationInterface   = routedAdmission{}
	_ admission.ValidationInterface = routedAdmission{}
)

// Handles is true, as lateAdmission's: the server's chain decides.
func (routedAdmission) Handles(admission.Operation) bool { return true }

func (routedAdmission) Admit(ctx context.Context, a admission.Attributes, o admission.ObjectInterfaces) error {
	st, err := routeStateFrom(ctx)
	if err != nil {
		return err
	}
	if m, ok := st.admit.(admission.MutationInterface); ok && m.Handles(a.GetOperation()) {
		return m.Admit(ctx, a, o)
	}
	return nil
}

func (routedAdmission) Validate(ctx context.Context, a admission.Attributes, o admission.ObjectInterfaces) error {
	st, err := routeStateFrom(ctx)
	if err != nil {
		return err
	}
	if v, ok := st.admit.(admission.ValidationInterface); ok && v.Handles(a.GetOperation()) {
		return v.Validate(ctx, a, o)
	}
	return nil
}

// routedAuthorizer is the authorizer of the request's server.
type routedAuthorizer struct{}

func (routedAuthorizer) Authorize(ctx context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	st, err := routeStateFrom(ctx)
	if err != nil {
		return authorizer.DecisionNoOpinion, "", err
	}
	return st.authz.Authorize(ctx, a)
}

// storageShape is the set of interfaces of a storage that k8s.io/apiserver's
// installer and handlers look for: two storages of one shape get the same
// routes and handlers.
func storageShape(s rest.Storage) uint64 {
	var shape uint64
	for i, c := range shapeChecks {
		if c.has(s) {
			shape |= 1 << i
		}
	}
	return shape
}

// shapeNames names the interfaces of shape.
func shapeNames(shape uint64) []string {
	var names []string
	for i, c := range shapeChecks {
		if shape&(1<<i) != 0 {
			names = append(names, c.name)
		}
	}
	return names
}

type shapeCheck struct {
	name string
	has  func(rest.Storage) bool
}

func is[I any](name string) shapeCheck {
	return shapeCheck{name, func(s rest.Storage) bool { _, ok := s.(I); return ok }}
}

var shapeChecks = []shapeCheck{
	is[rest.Scoper]("Scoper"), is[rest.KindProvider]("KindProvider"), is[rest.ShortNamesProvider]("ShortNamesProvider"),
	is[rest.CategoriesProvider]("CategoriesProvider"), is[rest.SingularNameProvider]("SingularNameProvider"),
	is[rest.GroupVersionKindProvider]("GroupVersionKindProvider"), is[rest.GroupVersionAcceptor]("GroupVersionAcceptor"),
	is[rest.Creater]("Creater"), is[rest.NamedCreater]("NamedCreater"), is[rest.Lister]("Lister"), is[rest.Getter]("Getter"),
	is[rest.GetterWithOptions]("GetterWithOptions"), is[rest.TableConvertor]("TableConvertor"),
	is[rest.GracefulDeleter]("GracefulDeleter"), is[rest.MayReturnFullObjectDeleter]("MayReturnFullObjectDeleter"),
	is[rest.CollectionDeleter]("CollectionDeleter"), is[rest.Updater]("Updater"), is[rest.Watcher]("Watcher"),
	is[rest.Connecter]("Connecter"), is[rest.StorageMetadata]("StorageMetadata"),
	is[rest.StorageVersionProvider]("StorageVersionProvider"), is[rest.ResetFieldsStrategy]("ResetFieldsStrategy"),
	is[rest.ResetFieldsFilterStrategy]("ResetFieldsFilterStrategy"),
	is[rest.SubresourceObjectMetaPreserver]("SubresourceObjectMetaPreserver"),
	is[rest.CorruptObjectDeleterProvider]("CorruptObjectDeleterProvider"),
	is[genericapi.StorageMetricsOverride]("StorageMetricsOverride"),
}

// proxyKinds are the shapes memkube's registries have, one proxy type
// each. A storage of any other shape keeps its server from sharing routes.
var proxyKinds = func() map[uint64]func(*proxyCore) rest.Storage {
	kinds := map[uint64]func(*proxyCore) rest.Storage{}
	for _, build := range []func(*proxyCore) rest.Storage{
		func(c *proxyCore) rest.Storage { // registry.REST: most resources
			return &struct {
				pBase
				pScoper
				pShortNames
				pCategories
				pSingular
				pCreate
				pList
				pTable
				pGet
				pDelete
				pFullDelete
				pDeleteCollection
				pUpdate
				pWatch
				pStorageVersion
				pResetFields
				pCorrupt
			}{pBase{c}, pScoper{c}, pShortNames{c}, pCategories{c}, pSingular{c}, pCreate{c}, pList{c}, pTable{c}, pGet{c}, pDelete{c}, pFullDelete{c}, pDeleteCollection{c}, pUpdate{c}, pWatch{c}, pStorageVersion{c}, pResetFields{c}, pCorrupt{c}}
		},
		func(c *proxyCore) rest.Storage { // namespaces
			return &struct {
				pBase
				pScoper
				pShortNames
				pCategories
				pSingular
				pCreate
				pList
				pTable
				pGet
				pDelete
				pUpdate
				pWatch
				pStorageVersion
				pResetFields
			}{pBase{c}, pScoper{c}, pShortNames{c}, pCategories{c}, pSingular{c}, pCreate{c}, pList{c}, pTable{c}, pGet{c}, pDelete{c}, pUpdate{c}, pWatch{c}, pStorageVersion{c}, pResetFields{c}}
		},
		func(c *proxyCore) rest.Storage { // RBAC, with escalation checks
			return &struct {
				pBase
				pScoper
				pSingular
				pCreate
				pList
				pTable
				pGet
				pDelete
				pDeleteCollection
				pUpdate
				pWatch
				pStorageVersion
			}{pBase{c}, pScoper{c}, pSingular{c}, pCreate{c}, pList{c}, pTable{c}, pGet{c}, pDelete{c}, pDeleteCollection{c}, pUpdate{c}, pWatch{c}, pStorageVersion{c}}
		},
		func(c *proxyCore) rest.Storage { // status and other update-only subresources
			return &struct {
				pBase
				pGet
				pTable
				pUpdate
				pResetFields
			}{pBase{c}, pGet{c}, pTable{c}, pUpdate{c}, pResetFields{c}}
		},
		func(c *proxyCore) rest.Storage { // scale
			return &struct {
				pBase
				pGVK
				pGet
				pTable
				pUpdate
			}{pBase{c}, pGVK{c}, pGet{c}, pTable{c}, pUpdate{c}}
		},
		func(c *proxyCore) rest.Storage { // reviews, bindings
			return &struct {
				pBase
				pScoper
				pSingular
				pCreate
			}{pBase{c}, pScoper{c}, pSingular{c}, pCreate{c}}
		},
		func(c *proxyCore) rest.Storage { // pods/binding
			return &struct {
				pBase
				pScoper
				pNamedCreate
			}{pBase{c}, pScoper{c}, pNamedCreate{c}}
		},
		func(c *proxyCore) rest.Storage { // pods/eviction
			return &struct {
				pBase
				pGVK
				pAcceptor
				pNamedCreate
			}{pBase{c}, pGVK{c}, pAcceptor{c}, pNamedCreate{c}}
		},
		func(c *proxyCore) rest.Storage { // serviceaccounts/token
			return &struct {
				pBase
				pGVK
				pNamedCreate
				pPreserver
			}{pBase{c}, pGVK{c}, pNamedCreate{c}, pPreserver{c}}
		},
		func(c *proxyCore) rest.Storage { // namespaces/finalize
			return &struct {
				pBase
				pUpdate
			}{pBase{c}, pUpdate{c}}
		},
		func(c *proxyCore) rest.Storage { // proxy, exec, attach, port-forward
			return &struct {
				pBase
				pConnect
			}{pBase{c}, pConnect{c}}
		},
		func(c *proxyCore) rest.Storage { // pods/log
			return &struct {
				pBase
				pGetWithOptions
				pMetadata
			}{pBase{c}, pGetWithOptions{c}, pMetadata{c}}
		},
		func(c *proxyCore) rest.Storage { // componentstatuses
			return &struct {
				pBase
				pScoper
				pShortNames
				pSingular
				pList
				pTable
				pGet
			}{pBase{c}, pScoper{c}, pShortNames{c}, pSingular{c}, pList{c}, pTable{c}, pGet{c}}
		},
	} {
		kinds[storageShape(build(&proxyCore{}))] = build
	}
	return kinds
}()

// newProxy returns the proxy of s, the storage at index in the servers'
// route states; false if s has a shape no proxy has.
func newProxy(s rest.Storage, index int, resource string, gv schema.GroupVersion, scheme *runtime.Scheme) (rest.Storage, bool) {
	newKind, ok := proxyKinds[storageShape(s)]
	if !ok {
		return nil, false
	}
	return newKind(newProxyCore(s, index, resource, gv, scheme)), true
}

// proxyCore is one proxy's index and the answers it keeps of the storage it
// was built from.
type proxyCore struct {
	index    int
	resource string

	new, newList                 runtime.Object
	namespaced                   bool
	singular                     string
	shortNames, categories       []string
	gvk                          schema.GroupVersionKind
	accepts                      map[schema.GroupVersion]bool
	getOptions, connectOptions   options
	connectMethods               []string
	mimeTypes                    map[string][]string
	produces                     map[string]any
	storageVersion               runtime.GroupVersioner
	returnsDeleted, preserveMeta bool
	resetFields                  map[fieldpath.APIVersion]*fieldpath.Set
}

// options is what NewGetOptions and NewConnectOptions return.
type options struct {
	obj     runtime.Object
	subpath bool
	key     string
}

func (o options) get() (runtime.Object, bool, string) {
	if o.obj == nil {
		return nil, o.subpath, o.key
	}
	return o.obj.DeepCopyObject(), o.subpath, o.key
}

// installerVerbs are the verbs k8s.io/apiserver's installer asks a
// StorageMetadata about: its actions' and the HTTP methods of connecters.
var installerVerbs = []string{"LIST", "POST", "DELETECOLLECTION", "WATCHLIST", "GET", "PUT", "PATCH", "DELETE", "WATCH", "CONNECT", "HEAD", "OPTIONS"}

func newProxyCore(s rest.Storage, index int, resource string, gv schema.GroupVersion, scheme *runtime.Scheme) *proxyCore {
	c := &proxyCore{index: index, resource: resource}
	c.new = s.New()
	if l, ok := s.(rest.Lister); ok {
		c.newList = l.NewList()
	}
	if sc, ok := s.(rest.Scoper); ok {
		c.namespaced = sc.NamespaceScoped()
	}
	if n, ok := s.(rest.SingularNameProvider); ok {
		c.singular = n.GetSingularName()
	}
	if n, ok := s.(rest.ShortNamesProvider); ok {
		c.shortNames = n.ShortNames()
	}
	if n, ok := s.(rest.CategoriesProvider); ok {
		c.categories = n.Categories()
	}
	if p, ok := s.(rest.GroupVersionKindProvider); ok {
		c.gvk = p.GroupVersionKind(gv)
	}
	if a, ok := s.(rest.GroupVersionAcceptor); ok {
		c.accepts = map[schema.GroupVersion]bool{}
		for gvk := range scheme.AllKnownTypes() {
			c.accepts[gvk.GroupVersion()] = a.AcceptsGroupVersion(gvk.GroupVersion())
		}
	}
	if g, ok := s.(rest.GetterWithOptions); ok {
		c.getOptions.obj, c.getOptions.subpath, c.getOptions.key = g.NewGetOptions()
	}
	if cn, ok := s.(rest.Connecter); ok {
		c.connectOptions.obj, c.connectOptions.subpath, c.connectOptions.key = cn.NewConnectOptions()
		c.connectMethods = cn.ConnectMethods()
	}
	if m, ok := s.(rest.StorageMetadata); ok {
		c.mimeTypes, c.produces = map[string][]string{}, map[string]any{}
		for _, verb := range installerVerbs {
			c.mimeTypes[verb], c.produces[verb] = m.ProducesMIMETypes(verb), m.ProducesObject(verb)
		}
	}
	if v, ok := s.(rest.StorageVersionProvider); ok {
		c.storageVersion = v.StorageVersion()
	}
	if d, ok := s.(rest.MayReturnFullObjectDeleter); ok {
		c.returnsDeleted = d.DeleteReturnsDeletedObject()
	}
	if p, ok := s.(rest.SubresourceObjectMetaPreserver); ok {
		c.preserveMeta = p.PreserveRequestObjectMetaSystemFieldsOnSubresourceCreate()
	}
	if r, ok := s.(rest.ResetFieldsStrategy); ok {
		c.resetFields = r.GetResetFields()
	}
	return c
}

// at is the storage of the request's server.
func (c *proxyCore) at(ctx context.Context) (rest.Storage, error) {
	st, err := routeStateFrom(ctx)
	if err != nil {
		return nil, err
	}
	return st.storage[c.index], nil
}

// The proxies' parts, one per interface (or a few that go together).

type pBase struct{ *proxyCore }

func (p pBase) New() runtime.Object { return p.new.DeepCopyObject() }

// Destroy does nothing: each server destroys its own storages.
func (p pBase) Destroy() {}

type pScoper struct{ *proxyCore }

func (p pScoper) NamespaceScoped() bool { return p.namespaced }

type pShortNames struct{ *proxyCore }

func (p pShortNames) ShortNames() []string { return p.shortNames }

type pCategories struct{ *proxyCore }

func (p pCategories) Categories() []string { return p.categories }

type pSingular struct{ *proxyCore }

func (p pSingular) GetSingularName() string { return p.singular }

type pGVK struct{ *proxyCore }

func (p pGVK) GroupVersionKind(schema.GroupVersion) schema.GroupVersionKind { return p.gvk }

type pAcceptor struct{ *proxyCore }

func (p pAcceptor) AcceptsGroupVersion(gv schema.GroupVersion) bool { return p.accepts[gv] }

type pPreserver struct{ *proxyCore }

func (p pPreserver) PreserveRequestObjectMetaSystemFieldsOnSubresourceCreate() bool {
	return p.preserveMeta
}

type pCreate struct{ *proxyCore }

func (p pCreate) Create(ctx context.Context, obj runtime.Object, v rest.ValidateObjectFunc, o *metav1.CreateOptions) (runtime.Object, error) {
	s, err := p.at(ctx)
	if err != nil {
		return nil, err
	}
	return s.(rest.Creater).Create(ctx, obj, v, o)
}

type pNamedCreate struct{ *proxyCore }

func (p pNamedCreate) Create(ctx context.Context, name string, obj runtime.Object, v rest.ValidateObjectFunc, o *metav1.CreateOptions) (runtime.Object, error) {
	s, err := p.at(ctx)
	if err != nil {
		return nil, err
	}
	return s.(rest.NamedCreater).Create(ctx, name, obj, v, o)
}

type pList struct{ *proxyCore }

func (p pList) NewList() runtime.Object { return p.newList.DeepCopyObject() }

func (p pList) List(ctx context.Context, o *metainternalversion.ListOptions) (runtime.Object, error) {
	s, err := p.at(ctx)
	if err != nil {
		return nil, err
	}
	return s.(rest.Lister).List(ctx, o)
}

type pTable struct{ *proxyCore }

func (p pTable) ConvertToTable(ctx context.Context, obj, o runtime.Object) (*metav1.Table, error) {
	s, err := p.at(ctx)
	if err != nil {
		return nil, err
	}
	return s.(rest.TableConvertor).ConvertToTable(ctx, obj, o)
}

type pGet struct{ *proxyCore }

func (p pGet) Get(ctx context.Context, name string, o *metav1.GetOptions) (runtime.Object, error) {
	s, err := p.at(ctx)
	if err != nil {
		return nil, err
	}
	return s.(rest.Getter).Get(ctx, name, o)
}

type pGetWithOptions struct{ *proxyCore }

func (p pGetWithOptions) Get(ctx context.Context, name string, o runtime.Object) (runtime.Object, error) {
	s, err := p.at(ctx)
	if err != nil {
		return nil, err
	}
	return s.(rest.GetterWithOptions).Get(ctx, name, o)
}

func (p pGetWithOptions) NewGetOptions() (runtime.Object, bool, string) { return p.getOptions.get() }

type pDelete struct{ *proxyCore }

func (p pDelete) Delete(ctx context.Context, name string, v rest.ValidateObjectFunc, o *metav1.DeleteOptions) (runtime.Object, bool, error) {
	s, err := p.at(ctx)
	if err != nil {
		return nil, false, err
	}
	return s.(rest.GracefulDeleter).Delete(ctx, name, v, o)
}

type pFullDelete struct{ *proxyCore }

func (p pFullDelete) DeleteReturnsDeletedObject() bool { return p.returnsDeleted }

type pDeleteCollection struct{ *proxyCore }

func (p pDeleteCollection) DeleteCollection(ctx context.Context, v rest.ValidateObjectFunc, o *metav1.DeleteOptions, l *metainternalversion.ListOptions) (runtime.Object, error) {
	s, err := p.at(ctx)
	if err != nil {
		return nil, err
	}
	return s.(rest.CollectionDeleter).DeleteCollection(ctx, v, o, l)
}

type pUpdate struct{ *proxyCore }

func (p pUpdate) Update(ctx context.Context, name string, info rest.UpdatedObjectInfo, cv rest.ValidateObjectFunc, uv rest.ValidateObjectUpdateFunc, force bool, o *metav1.UpdateOptions) (runtime.Object, bool, error) {
	s, err := p.at(ctx)
	if err != nil {
		return nil, false, err
	}
	return s.(rest.Updater).Update(ctx, name, info, cv, uv, force, o)
}

type pWatch struct{ *proxyCore }

func (p pWatch) Watch(ctx context.Context, o *metainternalversion.ListOptions) (watch.Interface, error) {
	s, err := p.at(ctx)
	if err != nil {
		return nil, err
	}
	return s.(rest.Watcher).Watch(ctx, o)
}

type pConnect struct{ *proxyCore }

func (p pConnect) Connect(ctx context.Context, id string, o runtime.Object, r rest.Responder) (http.Handler, error) {
	s, err := p.at(ctx)
	if err != nil {
		return nil, err
	}
	return s.(rest.Connecter).Connect(ctx, id, o, r)
}

func (p pConnect) NewConnectOptions() (runtime.Object, bool, string) { return p.connectOptions.get() }
func (p pConnect) ConnectMethods() []string                          { return p.connectMethods }

type pMetadata struct{ *proxyCore }

func (p pMetadata) ProducesMIMETypes(verb string) []string { return p.mimeTypes[verb] }
func (p pMetadata) ProducesObject(verb string) any         { return p.produces[verb] }

type pStorageVersion struct{ *proxyCore }

func (p pStorageVersion) StorageVersion() runtime.GroupVersioner { return p.storageVersion }

type pResetFields struct{ *proxyCore }

func (p pResetFields) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set { return p.resetFields }

// pCorrupt's deleter deletes with the request's server's.
type pCorrupt struct{ *proxyCore }

func (p pCorrupt) GetCorruptObjDeleter() rest.GracefulDeleter { return corruptDeleter(p) }

type corruptDeleter struct{ *proxyCore }

func (p corruptDeleter) Delete(ctx context.Context, name string, v rest.ValidateObjectFunc, o *metav1.DeleteOptions) (runtime.Object, bool, error) {
	s, err := p.at(ctx)
	if err != nil {
		return nil, false, err
	}
	d := s.(rest.CorruptObjectDeleterProvider).GetCorruptObjDeleter()
	if d == nil {
		return nil, false, apierrors.NewInternalError(fmt.Errorf("no unsafe deleter provided, can not honor ignoreStoreReadErrorWithClusterBreakingPotential"))
	}
	return d.Delete(ctx, name, v, o)
}

// routeTemplate is one build of the built-in group versions' handlers over
// proxies, for every server whose registries have its shape.
type routeTemplate struct {
	ready    chan struct{}
	err      error
	versions []*builtVersion
	// index is the proxies' index of each resource ("prefix group/version
	// resource").
	index map[string]int
}

// routeTemplates are the process's templates, by shape (templateKey).
var routeTemplates struct {
	mu    sync.Mutex
	built map[string]*routeTemplate
}

// sharedRoutes returns the template for versions, building it if it is the
// first of its shape, and fills routes with the server's storages in its
// order; nil if a storage has a shape no proxy stands for.
func sharedRoutes(versions []*builtVersion, config *genericapiserver.Config, converter managedfields.TypeConverter, routes *routeState) (*routeTemplate, error) {
	key, ok := templateKey(versions, config)
	if !ok {
		return nil, nil
	}
	routeTemplates.mu.Lock()
	if routeTemplates.built == nil {
		routeTemplates.built = map[string]*routeTemplate{}
	}
	t, found := routeTemplates.built[key]
	if !found {
		t = &routeTemplate{ready: make(chan struct{})}
		routeTemplates.built[key] = t
	}
	routeTemplates.mu.Unlock()
	if !found {
		t.err = t.build(versions, config, converter)
		if t.err != nil {
			// the next server tries again.
			routeTemplates.mu.Lock()
			delete(routeTemplates.built, key)
			routeTemplates.mu.Unlock()
		}
		close(t.ready)
	}
	<-t.ready
	if t.err != nil {
		return nil, t.err
	}
	routes.storage = make([]rest.Storage, len(t.index))
	for _, v := range versions {
		for resource, storage := range v.info.VersionedResourcesStorageMap[v.gv.Version] {
			routes.storage[t.index[resourceKey(v, resource)]] = storage
		}
	}
	return t, nil
}

func resourceKey(v *builtVersion, resource string) string {
	return v.prefix + " " + v.gv.String() + " " + resource
}

// templateKey is what decides a server's routes: its group versions, their
// resources' storage types and shapes, and the request limits; false if a
// storage has a shape no proxy stands for.
func templateKey(versions []*builtVersion, config *genericapiserver.Config) (string, bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %d\n", config.MaxRequestBodyBytes, config.MinRequestTimeout)
	for _, v := range versions {
		resources := v.info.VersionedResourcesStorageMap[v.gv.Version]
		fmt.Fprintf(&b, "%s %s %v %v\n", v.prefix, v.gv, v.info.OptionsExternalVersion, v.info.MetaGroupVersion)
		for _, resource := range slices.Sorted(maps.Keys(resources)) {
			shape := storageShape(resources[resource])
			if _, ok := proxyKinds[shape]; !ok {
				return "", false
			}
			fmt.Fprintf(&b, "  %s %T %x\n", resource, resources[resource], shape)
		}
	}
	return b.String(), true
}

// build builds the template from a server's versions: the same handlers
// over proxies of its storages, with the request's server's admission,
// authorizer, and the kinds every server registers.
func (t *routeTemplate) build(versions []*builtVersion, config *genericapiserver.Config, converter managedfields.TypeConverter) error {
	t.index = map[string]int{}
	equivalent := runtime.NewEquivalentResourceRegistryWithIdentity(resourcePrefix)
	for _, v := range versions {
		tv := &builtVersion{pos: v.pos, prefix: v.prefix, info: v.info, gv: v.gv, storage: map[string]rest.Storage{}}
		for resource, storage := range v.info.VersionedResourcesStorageMap[v.gv.Version] {
			index := len(t.index)
			t.index[resourceKey(v, resource)] = index
			proxy, ok := newProxy(storage, index, v.gv.WithResource(resource).String(), v.gv, v.info.Scheme)
			if !ok {
				return fmt.Errorf("no proxy for %s %s (%v)", v.gv, resource, shapeNames(storageShape(storage)))
			}
			tv.storage[resource] = proxy
		}
		tv.version = newGroupVersion(config, v.info, v.gv, routedAdmission{}, routedAuthorizer{}, equivalent)
		t.versions = append(t.versions, tv)
	}
	if err := buildVersions(t.versions, converter); err != nil {
		return err
	}
	for _, v := range t.versions {
		v.kinds.replay(equivalent)
		// the server that built the template keeps nothing of it.
		v.info, v.storage, v.version = nil, nil, nil
	}
	return nil
}
