package harness

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	restful "github.com/emicklei/go-restful/v3"
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
	})
	return l.spec, l.err
}

// openAPIBuilds serialises document builds.
var openAPIBuilds sync.Mutex

// sharedSpec returns the process's lazySpec for key, registering build if it
// is the first.
func sharedSpec[T any](specs *map[string]*lazySpec[T], key string, build func() (T, error)) *lazySpec[T] {
	openAPISpecs.mu.Lock()
	defer openAPISpecs.mu.Unlock()
	if *specs == nil {
		*specs = map[string]*lazySpec[T]{}
	}
	l, ok := (*specs)[key]
	if !ok {
		l = &lazySpec[T]{build: build}
		(*specs)[key] = l
	}
	return l
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
// aggregator at the top serves /openapi). It returns the v2 service and a
// function that returns the static v2 spec (building it if needed), for the
// CRD OpenAPI controllers to merge CRD schemas into.
func installOpenAPI(services []*restful.WebService, m *mux.PathRecorderMux, v2 *common.Config, v3 *common.OpenAPIV3Config) (*handler.OpenAPIService, func() (*spec.Swagger, error), *handler3.OpenAPIService, error) {
	key := routesKey(services)
	static := sharedSpec(&openAPISpecs.v2, key, func() (*spec.Swagger, error) {
		s, err := builder2.BuildOpenAPISpecFromRoutes(restfuladapter.AdaptWebServices(services), v2)
		if err != nil {
			return nil, fmt.Errorf("build OpenAPI v2: %w", err)
		}
		s.Definitions = handler.PruneDefaults(s.Definitions)
		return deepCopy(s, &spec.Swagger{})
	})
	v2Service := handler.NewOpenAPIServiceLazy(cached.Func(func() (*spec.Swagger, string, error) {
		s, err := static.get()
		return s, key, err
	}))
	v2Service.RegisterOpenAPIVersionedService("/openapi/v2", m)

	v3Service := handler3.NewOpenAPIService()
	if err := v3Service.RegisterOpenAPIV3VersionedService("/openapi/v3", m); err != nil {
		return nil, nil, nil, err
	}
	for _, ws := range services {
		gv := strings.TrimPrefix(ws.RootPath(), "/")
		ws := ws
		key := gv + "@" + routesKey([]*restful.WebService{ws})
		doc := sharedSpec(&openAPISpecs.v3, key, func() (*spec3.OpenAPI, error) {
			s, err := builder3.BuildOpenAPISpecFromRoutes(restfuladapter.AdaptWebServices([]*restful.WebService{ws}), v3)
			if err != nil {
				return nil, fmt.Errorf("build OpenAPI v3 for %s: %w", gv, err)
			}
			if group, version, ok := groupVersionFromPath(gv); ok {
				narrowMetaGVKs(s, group, version)
			}
			return deepCopy(s, &spec3.OpenAPI{})
		})
		v3Service.UpdateGroupVersionLazy(gv, cached.Func(func() (*spec3.OpenAPI, string, error) {
			s, err := doc.get()
			return s, key, err
		}))
	}
	return v2Service, static.get, v3Service, nil
}

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
