package harness

import (
	"fmt"
	"path"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"time"

	restful "github.com/emicklei/go-restful/v3"
	"golang.org/x/sync/errgroup"
	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapi "k8s.io/apiserver/pkg/endpoints"
	"k8s.io/apiserver/pkg/endpoints/discovery"
	discoveryendpoint "k8s.io/apiserver/pkg/endpoints/discovery/aggregated"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/kube-openapi/pkg/builder3"
	"k8s.io/kube-openapi/pkg/common"
	openapiutil "k8s.io/kube-openapi/pkg/util"
	smdschema "sigs.k8s.io/structured-merge-diff/v6/schema"
	"sigs.k8s.io/structured-merge-diff/v6/typed"

	"github.com/memkube/memkube/harness/openapi"
)

// memkube installs its API groups itself rather than through
// GenericAPIServer.InstallLegacyAPIGroup and InstallAPIGroups, which build a
// server-side-apply type converter from the OpenAPI definitions on every
// call: the same converter for every server, about 14 ms of CPU and a
// tenth of a server's garbage. installGroups does what those two do, in the
// same order and with the same handlers, over a converter built once per
// process (typeConverterFor). (They also register the resources with the
// storage version manager when the StorageVersionAPI and APIServerIdentity
// gates are both on; StorageVersionAPI is alpha and off, and memkube does
// not serve storageversions.)

// installGroups serves legacy (the core group, under /api) and groups
// (under /apis) on gs, as InstallLegacyAPIGroup and InstallAPIGroups would,
// with the process's shared handlers (routes.go; routes fills in what they
// call of this server) or, if a registry has a shape no proxy stands for,
// handlers of its own, built in parallel. They are installed in upstream's
// order.
func installGroups(gs *genericapiserver.GenericAPIServer, config *genericapiserver.Config, legacy *genericapiserver.APIGroupInfo, groups []*genericapiserver.APIGroupInfo, routes *routeState) error {
	ignore := openapiutil.NewTrie(config.OpenAPIV3Config.IgnorePrefixes)
	names, err := resourceTypeNames(ignore, "/api", legacy)
	if err != nil {
		return err
	}
	for _, info := range groups {
		more, err := resourceTypeNames(ignore, genericapiserver.APIGroupPrefix, info)
		if err != nil {
			return err
		}
		names = append(names, more...)
	}
	converter := typeConverterFor(config.OpenAPIV3Config, names)
	var versions []*builtVersion
	for i, info := range append([]*genericapiserver.APIGroupInfo{legacy}, groups...) {
		prefix := genericapiserver.APIGroupPrefix
		if i == 0 {
			prefix = "/api"
		}
		for _, gv := range info.PrioritizedVersions {
			if len(info.VersionedResourcesStorageMap[gv.Version]) > 0 {
				versions = append(versions, &builtVersion{pos: len(versions), prefix: prefix, info: info, gv: gv})
			}
		}
	}
	shared, err := sharedRoutes(versions, config, converter, routes)
	if err != nil {
		return err
	}
	if shared == nil {
		// a registry no proxy stands for: this server's own routes.
		for _, v := range versions {
			v.version = newGroupVersion(config, v.info, v.gv, config.AdmissionControl, gs.Authorizer, gs.EquivalentResourceRegistry)
			v.storage = v.info.VersionedResourcesStorageMap[v.gv.Version]
		}
		if err := buildVersions(versions, converter); err != nil {
			return err
		}
	}

	install := func(info *genericapiserver.APIGroupInfo, aggregated discoveryendpoint.ResourceManager) {
		for _, v := range versions {
			if v.info == info {
				v.install(gs, aggregated, shared)
			}
		}
		gs.RegisterDestroyFunc(func() {
			for _, resources := range info.VersionedResourcesStorageMap {
				for _, storage := range resources {
					storage.Destroy()
				}
			}
		})
	}
	install(legacy, gs.AggregatedLegacyDiscoveryGroupManager)
	root := discovery.NewLegacyRootAPIHandler(config.DiscoveryAddresses, gs.Serializer, "/api")
	wrapped := discoveryendpoint.WrapAggregatedDiscoveryToHandler(root, gs.AggregatedLegacyDiscoveryGroupManager, gs.AggregatedLegacyDiscoveryGroupManager)
	gs.Handler.GoRestfulContainer.Add(wrapped.GenerateWebService("/api", metav1.APIVersions{}))
	registerReadiness(gs, "", legacy)

	for _, info := range groups {
		install(info, gs.AggregatedDiscoveryGroupManager)
		var versions []metav1.GroupVersionForDiscovery
		for _, gv := range info.PrioritizedVersions {
			if len(info.VersionedResourcesStorageMap[gv.Version]) > 0 {
				versions = append(versions, metav1.GroupVersionForDiscovery{GroupVersion: gv.String(), Version: gv.Version})
			}
		}
		preferred := info.PrioritizedVersions[0]
		group := metav1.APIGroup{
			Name:             preferred.Group,
			Versions:         versions,
			PreferredVersion: metav1.GroupVersionForDiscovery{GroupVersion: preferred.String(), Version: preferred.Version},
		}
		gs.DiscoveryGroupManager.AddGroup(group)
		gs.Handler.GoRestfulContainer.Add(discovery.NewAPIGroupHandler(gs.Serializer, group).WebService())
		registerReadiness(gs, preferred.Group, info)
	}
	return nil
}

// builtVersion is one group version's handlers, built apart from the server
// (GenericAPIServer.installAPIResources's InstallREST) to be installed in
// order.
type builtVersion struct {
	pos    int // in the server's list
	prefix string
	info   *genericapiserver.APIGroupInfo
	gv     schema.GroupVersion
	// version and storage are what build installs.
	version *genericapi.APIGroupVersion
	storage map[string]rest.Storage

	ws         *restful.WebService
	discovered []apidiscoveryv2.APIResourceDiscovery
	kinds      *deferredKinds
}

// buildVersions builds versions' handlers in parallel (the routes' regexps
// make them most of a server's start).
func buildVersions(versions []*builtVersion, converter managedfields.TypeConverter) error {
	var build errgroup.Group
	build.SetLimit(goruntime.GOMAXPROCS(0))
	for _, v := range versions {
		build.Go(func() error { return v.build(converter) })
	}
	return build.Wait()
}

// build runs InstallREST into a container of its own.
func (v *builtVersion) build(converter managedfields.TypeConverter) error {
	version := v.version
	// kinds are registered in installation order, as upstream registers
	// them: the order of equivalent resources decides which version a
	// webhook with matchPolicy Equivalent is sent.
	v.kinds = &deferredKinds{EquivalentResourceRegistry: version.EquivalentResourceRegistry}
	version.EquivalentResourceRegistry = v.kinds
	version.Root = v.prefix
	version.Storage = make(map[string]rest.Storage, len(v.storage))
	for name, storage := range v.storage {
		if strings.ToLower(name) != name {
			return fmt.Errorf("resource names must be lowercase only, not %q", name)
		}
		version.Storage[name] = storage
	}
	version.OptionsExternalVersion = v.info.OptionsExternalVersion
	version.TypeConverter = converter
	own := restful.NewContainer()
	discovered, _, err := version.InstallREST(own)
	if err != nil {
		return fmt.Errorf("unable to setup API %v: %v", v.gv, err)
	}
	v.ws, v.discovered = own.RegisteredWebServices()[0], discovered
	return nil
}

// install serves v on gs: the handlers built for gs, or shared's.
func (v *builtVersion) install(gs *genericapiserver.GenericAPIServer, aggregated discoveryendpoint.ResourceManager, shared *routeTemplate) {
	built := v
	if shared != nil {
		built = shared.versions[v.pos]
	}
	built.kinds.replay(gs.EquivalentResourceRegistry)
	gs.Handler.GoRestfulContainer.Add(built.ws)
	discovered := make([]apidiscoveryv2.APIResourceDiscovery, len(built.discovered))
	for i := range built.discovered {
		built.discovered[i].DeepCopyInto(&discovered[i])
	}
	aggregated.AddGroupVersion(v.gv.Group, apidiscoveryv2.APIVersionDiscovery{
		Freshness: apidiscoveryv2.DiscoveryFreshnessCurrent,
		Version:   v.gv.Version,
		Resources: discovered,
	})
}

// deferredKinds holds RegisterKindFor calls back until replay; handlers
// built with it look resources up in the server's registry.
type deferredKinds struct {
	runtime.EquivalentResourceRegistry
	mu    sync.Mutex
	kinds []deferredKind
}

type deferredKind struct {
	resource    schema.GroupVersionResource
	subresource string
	kind        schema.GroupVersionKind
}

func (d *deferredKinds) RegisterKindFor(resource schema.GroupVersionResource, subresource string, kind schema.GroupVersionKind) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.kinds = append(d.kinds, deferredKind{resource, subresource, kind})
}

// replay registers the kinds held back into r.
func (d *deferredKinds) replay(r runtime.EquivalentResourceRegistry) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range d.kinds {
		r.RegisterKindFor(k.resource, k.subresource, k.kind)
	}
}

// newGroupVersion is GenericAPIServer.newAPIGroupVersion, with the server's
// admission chain, authorizer and equivalent resources.
func newGroupVersion(config *genericapiserver.Config, info *genericapiserver.APIGroupInfo, gv schema.GroupVersion, admit admission.Interface, authz authorizer.UnconditionalAuthorizer, equivalent runtime.EquivalentResourceRegistry) *genericapi.APIGroupVersion {
	served := map[string][]string{}
	for version, resources := range info.VersionedResourcesStorageMap {
		for resource := range resources {
			if gv.Group == "" {
				served[resource] = append(served[resource], version)
			} else {
				served[resource] = append(served[resource], gv.Group+"/"+version)
			}
		}
	}
	return &genericapi.APIGroupVersion{
		GroupVersion:                gv,
		AllServedVersionsByResource: served,
		MetaGroupVersion:            info.MetaGroupVersion,

		ParameterCodec:        info.ParameterCodec,
		Serializer:            info.NegotiatedSerializer,
		Creater:               info.Scheme,
		Convertor:             info.Scheme,
		ConvertabilityChecker: info.Scheme,
		UnsafeConvertor:       runtime.UnsafeObjectConvertor(info.Scheme),
		Defaulter:             info.Scheme,
		Typer:                 info.Scheme,
		Namer:                 runtime.Namer(meta.NewAccessor()),

		EquivalentResourceRegistry: equivalent,

		Admit:               admit,
		MinRequestTimeout:   time.Duration(config.MinRequestTimeout) * time.Second,
		Authorizer:          authz,
		MaxRequestBodyBytes: config.MaxRequestBodyBytes,
	}
}

// registerReadiness is GenericAPIServer.registerStorageReadinessCheck.
func registerReadiness(gs *genericapiserver.GenericAPIServer, group string, info *genericapiserver.APIGroupInfo) {
	for version, resources := range info.VersionedResourcesStorageMap {
		for resource, storage := range resources {
			if withReadiness, ok := storage.(rest.StorageWithReadiness); ok {
				gs.StorageReadinessHook.RegisterStorage(metav1.GroupVersionResource{Group: group, Version: version, Resource: resource}, withReadiness)
			}
		}
	}
}

// typeConverters are the process's server-side-apply type converters, by
// the set of types they cover. Converters are immutable once built.
var typeConverters struct {
	mu    sync.Mutex
	built map[string]*lazyConverter
}

// lazyConverter is a converter built in the background: field managers are
// created with it at install time but use it only on the first write, so
// the first server of a process need not wait for the build (about 30 ms)
// before it goes on starting.
type lazyConverter struct {
	done      chan struct{}
	converter managedfields.TypeConverter
	err       error
}

func (l *lazyConverter) wait() (managedfields.TypeConverter, error) {
	<-l.done
	return l.converter, l.err
}

func (l *lazyConverter) ObjectToTyped(obj runtime.Object, opts ...typed.ValidationOptions) (*typed.TypedValue, error) {
	c, err := l.wait()
	if err != nil {
		return nil, err
	}
	return c.ObjectToTyped(obj, opts...)
}

func (l *lazyConverter) TypedToObject(value *typed.TypedValue) (runtime.Object, error) {
	c, err := l.wait()
	if err != nil {
		return nil, err
	}
	return c.TypedToObject(value)
}

// typeConverterFor returns the converter for the types names, as
// getOpenAPIModels builds it: from their OpenAPI definitions and what those
// refer to. One converter serves both the legacy and the named groups (the
// upstream calls build one each); converters look types up by kind, so the
// union answers as each would.
func typeConverterFor(config *common.OpenAPIV3Config, names []string) managedfields.TypeConverter {
	names = slices.Clone(names)
	slices.Sort(names)
	names = slices.Compact(names)
	key := strings.Join(names, ",")
	typeConverters.mu.Lock()
	defer typeConverters.mu.Unlock()
	if typeConverters.built == nil {
		typeConverters.built = map[string]*lazyConverter{}
	}
	if l, ok := typeConverters.built[key]; ok {
		return l
	}
	l := &lazyConverter{done: make(chan struct{})}
	typeConverters.built[key] = l
	go func() {
		defer close(l.done)
		if key == strings.Join(openapi.SSATypeNames, ",") {
			// the built-in resources' schema is generated: building it
			// from the definitions is about 25 ms of CPU and 10 MB of
			// garbage, which a process's first server would share its
			// cores with.
			l.converter, l.err = newSchemaConverter(openapi.SSASchema())
			return
		}
		// the builder writes into the definitions it reads (openapi_cache.go).
		openAPIBuilds.Lock()
		defer openAPIBuilds.Unlock()
		definitions, err := builder3.BuildOpenAPIDefinitionsForResources(config, names...)
		if err != nil {
			l.err = fmt.Errorf("OpenAPI definitions for server-side apply: %w", err)
			return
		}
		l.converter, l.err = managedfields.NewTypeConverter(definitions, false)
	}()
	return l
}

// schemaConverter is managedfields.NewTypeConverter's converter over a
// schema at hand: kinds are looked up in it as upstream's indexModels finds
// them.
type schemaConverter struct {
	parser map[schema.GroupVersionKind]*typed.ParseableType
	// empty answers for kinds the schema lacks, with upstream's error (the
	// field managers' version converter recognises it), and converts typed
	// values back to objects as upstream's converter does.
	empty managedfields.TypeConverter
}

func newSchemaConverter(s *smdschema.Schema, kinds []openapi.SSAKind) (*schemaConverter, error) {
	empty, err := managedfields.NewTypeConverter(nil, false)
	if err != nil {
		return nil, err
	}
	parser := &typed.Parser{Schema: smdschema.Schema{Types: s.Types}}
	c := &schemaConverter{parser: map[schema.GroupVersionKind]*typed.ParseableType{}, empty: empty}
	for _, k := range kinds {
		t := parser.Type(k.Type)
		c.parser[schema.GroupVersionKind{Group: k.Group, Version: k.Version, Kind: k.Kind}] = &t
	}
	return c, nil
}

func (c *schemaConverter) ObjectToTyped(obj runtime.Object, opts ...typed.ValidationOptions) (*typed.TypedValue, error) {
	t := c.parser[obj.GetObjectKind().GroupVersionKind()]
	if t == nil {
		return c.empty.ObjectToTyped(obj, opts...)
	}
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return t.FromUnstructured(u.UnstructuredContent(), opts...)
	}
	return t.FromStructured(obj, opts...)
}

func (c *schemaConverter) TypedToObject(value *typed.TypedValue) (runtime.Object, error) {
	return c.empty.TypedToObject(value)
}

// resourceTypeNames are the canonical type names of info's resources under
// prefix, as getResourceNamesForGroup finds them.
func resourceTypeNames(ignore openapiutil.Trie, prefix string, info *genericapiserver.APIGroupInfo) ([]string, error) {
	var names []string
	for _, gv := range info.PrioritizedVersions {
		for resource, storage := range info.VersionedResourcesStorageMap[gv.Version] {
			if ignore.HasPrefix(path.Join(prefix, gv.Group, gv.Version, resource)) {
				continue
			}
			kind, err := genericapi.GetResourceKind(gv, storage, info.Scheme)
			if err != nil {
				return nil, err
			}
			sample, err := info.Scheme.New(kind)
			if err != nil {
				return nil, err
			}
			names = append(names, openapiutil.GetCanonicalTypeName(sample))
		}
	}
	return names, nil
}
