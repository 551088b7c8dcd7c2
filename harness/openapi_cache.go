package harness

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/openapi"
	"k8s.io/klog/v2"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	restful "github.com/emicklei/go-restful/v3"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	"k8s.io/apiserver/pkg/server/mux"
	builder2 "k8s.io/kube-openapi/pkg/builder"
	"k8s.io/kube-openapi/pkg/builder3"
	"k8s.io/kube-openapi/pkg/cached"
	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/common/restfuladapter"
	"k8s.io/kube-openapi/pkg/handler"
	"k8s.io/kube-openapi/pkg/handler3"
	"k8s.io/kube-openapi/pkg/spec3"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// Building /openapi/v2 and /openapi/v3 from a server's routes is most of what
// k8s.io/apiserver does to start a server (it does it eagerly in PrepareRun).
// Every memkube server serves the same built-in routes, so memkube builds each
// document once per process, when it is first asked for, and shares it: the
// specs are never mutated (CRD specs are merged into copies).
var openAPISpecs struct {
	mu sync.Mutex
	v2 map[string]*lazySpec[*spec.Swagger]
	v3 map[string]*lazySpec[*spec3.OpenAPI]
}

// lazySpec is a document built at most once.
type lazySpec[T any] struct {
	once  sync.Once
	build func() (T, error)
	spec  T
	err   error
}

func (l *lazySpec[T]) get() (T, error) {
	l.once.Do(func() {
		// the builders mutate the definitions they share: one at a time, as
		// k8s.io/apiserver builds them in a loop.
		openAPIBuilds.Lock()
		defer openAPIBuilds.Unlock()
		l.spec, l.err = l.build()
		l.build = nil // and the routes it read
	})
	return l.spec, l.err
}

// openAPIBuilds serialises document builds.
var openAPIBuilds sync.Mutex

// sharedSpec returns the process's lazySpec for key, registering the build
// newBuild returns if it is the first.
func sharedSpec[T any](specs *map[string]*lazySpec[T], key string, newBuild func() func() (T, error)) *lazySpec[T] {
	openAPISpecs.mu.Lock()
	defer openAPISpecs.mu.Unlock()
	if *specs == nil {
		*specs = map[string]*lazySpec[T]{}
	}
	l, ok := (*specs)[key]
	if !ok {
		l = &lazySpec[T]{build: newBuild()}
		(*specs)[key] = l
	}
	return l
}

// routeContainers are services' routes, as the OpenAPI builders read them,
// without their handlers: a document built later must not keep the server
// whose services it was registered with (and every object in it).
func routeContainers(services []*restful.WebService) []common.RouteContainer {
	containers := make([]common.RouteContainer, len(services))
	for i, ws := range services {
		// (Routes is the service's own slice.)
		c := &routeContainer{root: ws.RootPath(), routes: slices.Clone(ws.Routes())}
		for _, p := range ws.PathParameters() {
			c.params = append(c.params, &restfuladapter.ParamAdapter{Param: p})
		}
		for j := range c.routes {
			c.routes[j].Function = nil
		}
		containers[i] = c
	}
	return containers
}

type routeContainer struct {
	root   string
	params []common.Parameter
	routes []restful.Route
}

func (c *routeContainer) RootPath() string                   { return c.root }
func (c *routeContainer) PathParameters() []common.Parameter { return c.params }
func (c *routeContainer) Routes() []common.Route {
	routes := make([]common.Route, len(c.routes))
	for i := range c.routes {
		routes[i] = &restfuladapter.RouteAdapter{Route: &c.routes[i]}
	}
	return routes
}

// routesKey identifies web services by their routes.
func routesKey(services []*restful.WebService) string {
	var lines []string
	for _, ws := range services {
		for _, r := range ws.Routes() {
			lines = append(lines, r.Method+" "+r.Path+" "+r.Operation)
		}
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:])
}

// installOpenAPI serves /openapi/v2 and /openapi/v3 on mux from the shared
// documents of the services' routes (every server's of the chain: the
// aggregator at the top serves /openapi). It returns the v2 service and the
// static v2 spec for apiextensions' CRD OpenAPI controller to merge CRD
// schemas into: the controller only reads the spec when it merges, which it
// does when /openapi/v2 is first asked for, and only then is the spec filled
// in (building the process's document if it is the first: 300-400 ms of
// CPU, which a process whose servers have CRDs paid at its first CRD
// before). v3's CRD documents go to v3.crds.
func installOpenAPI(services []*restful.WebService, m *mux.PathRecorderMux, v2 *common.Config, v3 *common.OpenAPIV3Config, served *openAPIV3) (*handler.OpenAPIService, *spec.Swagger, error) {
	key := routesKey(services)
	static := sharedSpec(&openAPISpecs.v2, key, func() func() (*spec.Swagger, error) {
		routes := routeContainers(services)
		return func() (*spec.Swagger, error) {
			s, err := builder2.BuildOpenAPISpecFromRoutes(routes, v2)
			if err != nil {
				return nil, fmt.Errorf("build OpenAPI v2: %w", err)
			}
			s.Definitions = handler.PruneDefaults(s.Definitions)
			return deepCopy(s, &spec.Swagger{})
		}
	})
	v2Service := handler.NewOpenAPIServiceLazy(cached.Func(func() (*spec.Swagger, string, error) {
		s, err := static.get()
		return s, key, err
	}))
	staticV2 := &spec.Swagger{}
	fill := sync.OnceValue(func() error {
		s, err := static.get()
		if err == nil {
			*staticV2 = *s
		}
		return err
	})
	v2Service.RegisterOpenAPIVersionedService("/openapi/v2", filledFirst{m, fill})

	served.builtin = sharedBuiltinV3(key, services, v3)
	m.Handle("/openapi/v3", http.HandlerFunc(served.discovery))
	m.HandlePrefix("/openapi/v3/", http.HandlerFunc(served.groupVersion))
	close(served.installed)
	return v2Service, staticV2, nil
}

// filledFirst registers handlers on mux that call fill before they serve.
type filledFirst struct {
	mux  *mux.PathRecorderMux
	fill func() error
}

func (f filledFirst) Handle(path string, h http.Handler) {
	f.mux.Handle(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := f.fill(); err != nil {
			klog.ErrorS(err, "OpenAPI v2")
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	}))
}

// openAPIV3 is a server's /openapi/v3: the built-in group versions from a
// handler3 service every server of the process shares (each document built
// and marshalled at most once per process: a server's own service would
// marshal them all again to answer the discovery document, 250 ms of CPU),
// the CRDs' from the server's own service.
type openAPIV3 struct {
	// crds holds the CRD group versions (crdopenapiv3's controller).
	crds *handler3.OpenAPIService
	// builtin is set, and installed closed, by installOpenAPI.
	builtin   *builtinV3
	installed chan struct{}
	// stop ends waits for installed.
	stop <-chan struct{}
}

func newOpenAPIV3(stop <-chan struct{}) *openAPIV3 {
	return &openAPIV3{crds: handler3.NewOpenAPIService(), installed: make(chan struct{}), stop: stop}
}

// builtinV3 is the process's /openapi/v3 service for one set of routes.
type builtinV3 struct {
	key     string
	service *handler3.OpenAPIService
	// paths are the group versions it serves ("api/v1", "apis/apps/v1").
	paths map[string]bool
}

var builtinV3s struct {
	mu       sync.Mutex
	services map[string]*builtinV3
}

// sharedBuiltinV3 returns the process's service for the web services whose
// routes hash to key, registering their documents (built on first use) if
// it is the first.
func sharedBuiltinV3(key string, services []*restful.WebService, config *common.OpenAPIV3Config) *builtinV3 {
	builtinV3s.mu.Lock()
	defer builtinV3s.mu.Unlock()
	if b, ok := builtinV3s.services[key]; ok {
		return b
	}
	b := &builtinV3{key: key, service: handler3.NewOpenAPIService(), paths: map[string]bool{}}
	for _, ws := range services {
		gv := strings.TrimPrefix(ws.RootPath(), "/")
		ws := ws
		key := gv + "@" + routesKey([]*restful.WebService{ws})
		doc := sharedSpec(&openAPISpecs.v3, key, func() func() (*spec3.OpenAPI, error) {
			routes := routeContainers([]*restful.WebService{ws})
			return func() (*spec3.OpenAPI, error) {
				s, err := builder3.BuildOpenAPISpecFromRoutes(routes, config)
				if err != nil {
					return nil, fmt.Errorf("build OpenAPI v3 for %s: %w", gv, err)
				}
				if group, version, ok := groupVersionFromPath(gv); ok {
					narrowMetaGVKs(s, group, version)
				}
				return deepCopy(s, &spec3.OpenAPI{})
			}
		})
		b.service.UpdateGroupVersionLazy(gv, cached.Func(func() (*spec3.OpenAPI, string, error) {
			s, err := doc.get()
			return s, key, err
		}))
		b.paths[gv] = true
	}
	if builtinV3s.services == nil {
		builtinV3s.services = map[string]*builtinV3{}
	}
	builtinV3s.services[key] = b
	return b
}

// discovery answers /openapi/v3: both services' paths in one document (the
// built-in one's where both have a path, as groupVersion serves it).
func (o *openAPIV3) discovery(w http.ResponseWriter, r *http.Request) {
	merged := handler3.OpenAPIV3Discovery{Paths: map[string]handler3.OpenAPIV3DiscoveryGroupVersion{}}
	for _, serve := range []http.HandlerFunc{o.crds.HandleDiscovery, o.builtin.service.HandleDiscovery} {
		var doc handler3.OpenAPIV3Discovery
		if err := json.Unmarshal(serveInProcess(serve, "/openapi/v3", "application/json"), &doc); err != nil {
			klog.ErrorS(err, "OpenAPI v3 discovery")
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		maps.Copy(merged.Paths, doc.Paths)
	}
	data, err := json.Marshal(merged)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	sum := sha512.Sum512(data)
	w.Header().Set("Etag", strconv.Quote(fmt.Sprintf("%X", sum)))
	w.Header().Set("Content-Type", "application/json")
	http.ServeContent(w, r, "/openapi/v3", time.Time{}, bytes.NewReader(data))
}

// groupVersion answers /openapi/v3/<group version> from the service that
// holds it.
func (o *openAPIV3) groupVersion(w http.ResponseWriter, r *http.Request) {
	if o.builtin.paths[strings.TrimPrefix(r.URL.Path, "/openapi/v3/")] {
		o.builtin.service.HandleGroupVersion(w, r)
		return
	}
	o.crds.HandleGroupVersion(w, r)
}

// serveInProcess is serve's response body to a GET of path.
func serveInProcess(serve http.HandlerFunc, path, accept string) []byte {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", accept)
	rec := httptest.NewRecorder()
	serve(rec, req)
	if rec.Code != http.StatusOK {
		return nil
	}
	return rec.Body.Bytes()
}

// client is the server's OpenAPI v3 as the MutatingAdmissionPolicy plugin
// reads it (through its client's discovery), in-process: the plugin polls
// the paths every 5 s from its start, which over HTTP would make every
// process build every built-in document at its first server's start (about
// 400 ms of CPU) only to hash them. Built-in group versions are listed
// with a URL fixed for the process (their documents never change) and
// built when the plugin first reads one; the CRDs' come from the server's
// service. Paths waits for installOpenAPI, as the plugin's first poll
// would find the paths at once in kube-apiserver.
func (o *openAPIV3) client() openapi.Client { return v3Client{o} }

type v3Client struct{ o *openAPIV3 }

func (c v3Client) Paths() (map[string]openapi.GroupVersion, error) {
	select {
	case <-c.o.installed:
	case <-c.o.stop:
		return nil, errors.New("the server has stopped")
	}
	paths := map[string]openapi.GroupVersion{}
	for path := range c.o.builtin.paths {
		paths[path] = v3GroupVersion{
			serve: c.o.builtin.service.HandleGroupVersion,
			url:   "/openapi/v3/" + path + "?process=" + c.o.builtin.key,
			path:  "/openapi/v3/" + path,
		}
	}
	var crds handler3.OpenAPIV3Discovery
	if err := json.Unmarshal(serveInProcess(c.o.crds.HandleDiscovery, "/openapi/v3", "application/json"), &crds); err != nil {
		return nil, fmt.Errorf("OpenAPI v3 discovery: %w", err)
	}
	for path, entry := range crds.Paths {
		if !c.o.builtin.paths[path] {
			paths[path] = v3GroupVersion{serve: c.o.crds.HandleGroupVersion, url: entry.ServerRelativeURL, path: "/openapi/v3/" + path}
		}
	}
	return paths, nil
}

// v3GroupVersion is one group version's document, read in-process.
type v3GroupVersion struct {
	serve http.HandlerFunc
	url   string
	path  string
}

func (g v3GroupVersion) Schema(contentType string) ([]byte, error) {
	body := serveInProcess(g.serve, g.path, contentType)
	if body == nil {
		return nil, fmt.Errorf("no OpenAPI v3 document at %s", g.path)
	}
	return body, nil
}

func (g v3GroupVersion) ServerRelativeURL() string { return g.url }

// deepCopy copies a built document through JSON: the builders share schema
// objects with the OpenAPI config's definitions and later builds mutate
// them, so a served document must own its schemas.
func deepCopy[T any](from T, to T) (T, error) {
	data, err := json.Marshal(from)
	if err != nil {
		return to, fmt.Errorf("copy OpenAPI document: %w", err)
	}
	if err := json.Unmarshal(data, to); err != nil {
		return to, fmt.Errorf("copy OpenAPI document: %w", err)
	}
	return to, nil
}

// groupVersionFromPath splits "api/v1" and "apis/<group>/<version>".
func groupVersionFromPath(path string) (group, version string, ok bool) {
	parts := strings.Split(path, "/")
	switch {
	case len(parts) == 2 && parts[0] == "api":
		return "", parts[1], true
	case len(parts) == 3 && parts[0] == "apis":
		return parts[1], parts[2], true
	}
	return "", "", false
}

// narrowMetaGVKs keeps, on the meta kinds every group registers (WatchEvent,
// DeleteOptions), only this group version's and core/v1's
// x-kubernetes-group-version-kind entries, as kube-apiserver's per-group
// documents do.
func narrowMetaGVKs(s *spec3.OpenAPI, group, version string) {
	if s == nil || s.Components == nil {
		return
	}
	for _, schema := range s.Components.Schemas {
		if schema == nil {
			continue
		}
		gvks, ok := schema.Extensions["x-kubernetes-group-version-kind"].([]interface{})
		if !ok || len(gvks) <= 1 {
			continue
		}
		if first, ok := gvks[0].(map[string]interface{}); !ok || (first["kind"] != "WatchEvent" && first["kind"] != "DeleteOptions") {
			continue
		}
		var kept []interface{}
		for _, item := range gvks {
			m, _ := item.(map[string]interface{})
			if g, v := m["group"], m["version"]; (g == group && v == version) || (g == "" && v == "v1") {
				kept = append(kept, item)
			}
		}
		if len(kept) > 0 {
			schema.Extensions["x-kubernetes-group-version-kind"] = kept
		} else {
			delete(schema.Extensions, "x-kubernetes-group-version-kind")
		}
	}
}

// openAPIV3Config is genericapiserver.DefaultOpenAPIV3Config titled as
// kube-apiserver's, without the definitions it computes eagerly (about 4 ms
// of CPU per call, and a server made two): the OpenAPI builders compute
// them from GetDefinitions when they run, which for memkube's main server
// is once per process (openAPISpecs, typeConverters).
func openAPIV3Config(definitions common.GetOpenAPIDefinitions, namer *openapinamer.DefinitionNamer) *common.OpenAPIV3Config {
	return &common.OpenAPIV3Config{
		IgnorePrefixes:        []string{},
		Info:                  &spec.Info{InfoProps: spec.InfoProps{Title: "Kubernetes", Version: "v" + Version}},
		DefaultResponse:       &spec3.Response{ResponseProps: spec3.ResponseProps{Description: "Default Response."}},
		GetOperationIDAndTags: openapinamer.GetOperationIDAndTags,
		GetDefinitionName:     namer.GetDefinitionName,
		GetDefinitions:        definitions,
	}
}

// withOpenAPIV3 is client with its discovery's OpenAPIV3 replaced by v3.
func withOpenAPIV3(client kubernetes.Interface, v3 openapi.Client) kubernetes.Interface {
	return openAPIV3Clientset{Interface: client, discovery: openAPIV3Discovery{DiscoveryInterfaces: client.Discovery(), v3: v3}}
}

type openAPIV3Clientset struct {
	kubernetes.Interface
	discovery discovery.DiscoveryInterfaces
}

func (c openAPIV3Clientset) Discovery() discovery.DiscoveryInterfaces { return c.discovery }

type openAPIV3Discovery struct {
	discovery.DiscoveryInterfaces
	v3 openapi.Client
}

func (d openAPIV3Discovery) OpenAPIV3() openapi.Client { return d.v3 }

func (d openAPIV3Discovery) OpenAPIV3WithContext(context.Context) openapi.ClientWithContext {
	return openapi.ToClientWithContext(d.v3)
}
