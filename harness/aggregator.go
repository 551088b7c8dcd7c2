package harness

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"

	restful "github.com/emicklei/go-restful/v3"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsinformers "k8s.io/apiextensions-apiserver/pkg/client/informers/externalversions/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/healthz"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/apiserver/pkg/storage/storagebackend/factory"
	flowcontrolrequest "k8s.io/apiserver/pkg/util/flowcontrol/request"
	"k8s.io/client-go/informers"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/kube-aggregator/pkg/apis/apiregistration"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	apiregistrationv1helper "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1/helper"
	apiregistrationv1beta1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1beta1"
	aggregatorapiserver "k8s.io/kube-aggregator/pkg/apiserver"
	aggregatorscheme "k8s.io/kube-aggregator/pkg/apiserver/scheme"
	apiregistrationclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset/typed/apiregistration/v1"
	"k8s.io/kube-aggregator/pkg/controllers/autoregister"
	aggregatoropenapi "k8s.io/kube-aggregator/pkg/generated/openapi"
	apiserviceregistry "k8s.io/kube-aggregator/pkg/registry/apiservice/etcd"
	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/validation/spec"

	"github.com/memkube/memkube/harness/openapi"
)

// aggregator is kube-aggregator, the top of kube-apiserver's chain of
// servers (aggregator → memkube's kube-apiserver → apiextensions): it serves
// apiregistration.k8s.io (APIServices), answers /apis from the APIServices,
// and proxies the group versions of APIServices with a spec.service to that
// service (at one of its endpoints: serviceResolver). It is built as
// kube-apiserver's CreateAggregatorConfig and CreateAggregatorServer build
// it (k8s.io/kubernetes pkg/controlplane/apiserver/aggregator.go), except:
//   - the local APIServices (one per group version the servers below
//     serve) are written into their registry at start, Available, instead
//     of being created by the autoregister controller and then marked
//     Available by the local availability controller: readiness waits for
//     neither. Both controllers still run and keep them as upstream does.
//   - the CRD registration controller is a handler on the CRD informer
//     (crdRegistration) instead of a work queue of its own.
//   - the aggregator does not download and merge the OpenAPI documents of
//     aggregated APIServices: /openapi serves the local groups' documents
//     from the process-wide cache (openapi_cache.go).
type aggregator struct {
	*aggregatorapiserver.APIAggregator
	// openAPI and openAPIV3 describe the routes of every local server (the
	// built-in groups and apiregistration.k8s.io), for installOpenAPI.
	openAPI   *common.Config
	openAPIV3 *common.OpenAPIV3Config
	// informers are the ones its controllers need synced; Start waits for
	// them before the server runs, so that no post-start hook polls them.
	informers []cache.SharedIndexInformer
	// autoregister creates, updates and deletes the automanaged APIServices
	// (the local ones at start, the CRDs' ones continuously).
	autoregister interface {
		autoregister.AutoAPIServiceRegistration
		Run(workers int, stopCh <-chan struct{})
	}
	// apiServices is the APIServices' storage (its watch cache).
	apiServices storage.Interface
	// crds is the CRD registration's handler: autoregister starts once it
	// has seen every CRD, so that its first sync deletes no CRD's APIService.
	crds cache.ResourceEventHandlerRegistration
}

// apiServicePriority orders a group version in discovery: groups by Group
// (highest first), versions in a group by Version.
type apiServicePriority struct {
	Group, Version int32
}

// apiServicePriorities are kube-apiserver v1.37's (upstream's
// DefaultGenericAPIServicePriorities merged with cmd/kube-apiserver's
// apiVersionPriorities): a group version served below the aggregator gets a
// local APIService only if it is listed here.
var apiServicePriorities = map[schema.GroupVersion]apiServicePriority{
	{Group: "", Version: "v1"}:                                   {18000, 1},
	{Group: "apps", Version: "v1"}:                               {17800, 15},
	{Group: "events.k8s.io", Version: "v1"}:                      {17750, 15},
	{Group: "events.k8s.io", Version: "v1beta1"}:                 {17750, 5},
	{Group: "authentication.k8s.io", Version: "v1"}:              {17700, 15},
	{Group: "authentication.k8s.io", Version: "v1beta1"}:         {17700, 9},
	{Group: "authentication.k8s.io", Version: "v1alpha1"}:        {17700, 1},
	{Group: "authorization.k8s.io", Version: "v1"}:               {17600, 15},
	{Group: "autoscaling", Version: "v1"}:                        {17500, 15},
	{Group: "autoscaling", Version: "v2"}:                        {17500, 30},
	{Group: "autoscaling", Version: "v2beta1"}:                   {17500, 9},
	{Group: "autoscaling", Version: "v2beta2"}:                   {17500, 1},
	{Group: "batch", Version: "v1"}:                              {17400, 15},
	{Group: "batch", Version: "v1beta1"}:                         {17400, 9},
	{Group: "batch", Version: "v2alpha1"}:                        {17400, 9},
	{Group: "certificates.k8s.io", Version: "v1"}:                {17300, 15},
	{Group: "certificates.k8s.io", Version: "v1beta1"}:           {17300, 9},
	{Group: "certificates.k8s.io", Version: "v1alpha1"}:          {17300, 1},
	{Group: "networking.k8s.io", Version: "v1"}:                  {17200, 15},
	{Group: "networking.k8s.io", Version: "v1beta1"}:             {17200, 9},
	{Group: "policy", Version: "v1"}:                             {17100, 15},
	{Group: "policy", Version: "v1beta1"}:                        {17100, 9},
	{Group: "rbac.authorization.k8s.io", Version: "v1"}:          {17000, 15},
	{Group: "storage.k8s.io", Version: "v1"}:                     {16800, 15},
	{Group: "storage.k8s.io", Version: "v1beta1"}:                {16800, 9},
	{Group: "storage.k8s.io", Version: "v1alpha1"}:               {16800, 1},
	{Group: "apiextensions.k8s.io", Version: "v1"}:               {16700, 15},
	{Group: "admissionregistration.k8s.io", Version: "v1"}:       {16700, 15},
	{Group: "admissionregistration.k8s.io", Version: "v1beta1"}:  {16700, 12},
	{Group: "admissionregistration.k8s.io", Version: "v1alpha1"}: {16700, 9},
	{Group: "scheduling.k8s.io", Version: "v1"}:                  {16600, 15},
	{Group: "scheduling.k8s.io", Version: "v1beta1"}:             {16600, 9},
	{Group: "scheduling.k8s.io", Version: "v1alpha3"}:            {16600, 3},
	{Group: "coordination.k8s.io", Version: "v1"}:                {16500, 15},
	{Group: "coordination.k8s.io", Version: "v1beta1"}:           {16500, 13},
	{Group: "coordination.k8s.io", Version: "v1alpha2"}:          {16500, 12},
	{Group: "node.k8s.io", Version: "v1"}:                        {16300, 15},
	{Group: "node.k8s.io", Version: "v1alpha1"}:                  {16300, 1},
	{Group: "node.k8s.io", Version: "v1beta1"}:                   {16300, 9},
	{Group: "discovery.k8s.io", Version: "v1"}:                   {16200, 15},
	{Group: "discovery.k8s.io", Version: "v1beta1"}:              {16200, 12},
	{Group: "resource.k8s.io", Version: "v1"}:                    {16200, 21},
	{Group: "resource.k8s.io", Version: "v1beta2"}:               {16200, 15},
	{Group: "resource.k8s.io", Version: "v1beta1"}:               {16200, 9},
	{Group: "resource.k8s.io", Version: "v1alpha3"}:              {16200, 1},
	{Group: "flowcontrol.apiserver.k8s.io", Version: "v1"}:       {16100, 21},
	{Group: "flowcontrol.apiserver.k8s.io", Version: "v1beta3"}:  {16100, 18},
	{Group: "flowcontrol.apiserver.k8s.io", Version: "v1beta2"}:  {16100, 15},
	{Group: "flowcontrol.apiserver.k8s.io", Version: "v1beta1"}:  {16100, 12},
	{Group: "flowcontrol.apiserver.k8s.io", Version: "v1alpha1"}: {16100, 9},
	{Group: "internal.apiserver.k8s.io", Version: "v1alpha1"}:    {16000, 9},
	{Group: "storagemigration.k8s.io", Version: "v1"}:            {15800, 15},
	{Group: "storagemigration.k8s.io", Version: "v1beta1"}:       {15800, 9},
	{Group: "lifecycle.k8s.io", Version: "v1alpha1"}:             {15700, 1},
}

// newAggregator builds kube-aggregator from a copy of the main server's
// config, with delegate (the main server) below it, and writes the local
// APIServices. Its handler chain is the main server's (faults, clock,
// recording, audit, APF): the servers below are reached through their
// unprotected handlers, so each request passes the chain once, at the top.
// On error, it has destroyed the chain, delegate included.
func (s *Server) newAggregator(base genericapiserver.Config, kubeInformers informers.SharedInformerFactory, delegate *genericapiserver.GenericAPIServer, crds apiextensionsinformers.CustomResourceDefinitionInformer) (*aggregator, error) {
	base.PostStartHooks = map[string]genericapiserver.PostStartHookConfigEntry{}
	// its controllers write as kube-apiserver's loopback client: managed
	// fields say "kube-apiserver".
	base.LoopbackClientConfig = restclient.CopyConfig(base.LoopbackClientConfig)
	base.LoopbackClientConfig.UserAgent = "kube-apiserver/v" + Version
	base.MergedResourceConfig = aggregatorapiserver.DefaultAPIResourceConfigSource()
	getter := &apiServiceRESTOptions{storage: s.storage}
	if base.FlowControl != nil {
		getter.counts = base.StorageObjectCountTracker
	}
	base.RESTOptionsGetter = getter
	// the documents /openapi serves know the built-in and apiregistration
	// types; the OpenAPI models (server-side apply) of APIServices need
	// apiregistration's alone (with the meta types they refer to), which
	// are much cheaper to build at every start.
	docsV2, docsV3 := aggregatorOpenAPIConfigs(base.OpenAPIConfig, base.OpenAPIV3Config)
	ownV3 := *docsV3
	ownV3.GetDefinitions = aggregatoropenapi.GetOpenAPIDefinitions
	base.OpenAPIConfig, base.OpenAPIV3Config = docsV2, &ownV3
	// --enable-aggregator-routing, as webhooks (webhook_services.go), and
	// default/kubernetes:443 is this server, as upstream's loopback resolver.
	self, err := url.Parse(s.url)
	if err != nil {
		delegate.Destroy()
		return nil, fmt.Errorf("aggregator: server URL: %w", err)
	}
	s.aggregatorConns = &dialedConns{}
	config := aggregatorapiserver.Config{
		GenericConfig: &genericapiserver.RecommendedConfig{Config: base, SharedInformerFactory: kubeInformers},
		ExtraConfig: aggregatorapiserver.ExtraConfig{
			// as kube-apiserver's proxy transport, with a dialer Stop can
			// close the connections of (the proxy's and the availability
			// checks' transports dial through it).
			ProxyTransport:  &http.Transport{DialContext: s.aggregatorConns.DialContext},
			ServiceResolver: aggregatorapiserver.NewLoopbackServiceResolver(s.services, self),
			// kube-apiserver's default --aggregator-reject-forwarding-redirect.
			RejectForwardingRedirects: true,
		},
	}
	server, err := config.Complete().NewWithDelegate(delegate)
	if err != nil {
		delegate.Destroy()
		return nil, fmt.Errorf("new aggregator: %w", err)
	}
	a := &aggregator{APIAggregator: server, openAPI: docsV2, openAPIV3: docsV3}
	fail := func(err error) (*aggregator, error) {
		server.GenericAPIServer.Destroy() // and its delegates
		return nil, err
	}
	client, err := apiregistrationclient.NewForConfig(base.LoopbackClientConfig)
	if err != nil {
		return fail(fmt.Errorf("aggregator: loopback client: %w", err))
	}
	apiServices := server.APIRegistrationInformers.Apiregistration().V1().APIServices()
	a.autoregister = autoregister.NewAutoRegisterController(apiServices, client)
	a.informers = []cache.SharedIndexInformer{
		apiServices.Informer(),
		// the remote availability controller's.
		kubeInformers.Core().V1().Services().Informer(),
		kubeInformers.Discovery().V1().EndpointSlices().Informer(),
	}
	local := localAPIServices(delegate.ListedPaths())
	for _, svc := range local {
		a.autoregister.AddAPIServiceToSyncOnStart(svc)
	}
	if err := s.writeLocalAPIServices(getter, local); err != nil {
		return fail(err)
	}
	a.apiServices = getter.captured
	if a.crds, err = crds.Informer().AddEventHandler(newCRDRegistration(crds, a.autoregister)); err != nil {
		return fail(fmt.Errorf("aggregator: CRD registration: %w", err))
	}
	for gv, p := range apiServicePriorities {
		base.AggregatedDiscoveryGroupManager.SetGroupVersionPriority(metav1.GroupVersion(gv), int(p.Group), int(p.Version))
	}
	// upstream's hook starts the CRD registration and autoregister
	// controllers; memkube starts them in start, where Stop waits for them.
	if err := server.GenericAPIServer.AddPostStartHook("kube-apiserver-autoregistration", func(genericapiserver.PostStartHookContext) error { return nil }); err != nil {
		return fail(err)
	}
	available, err := apiServicesAvailable("autoregister-completion", local, apiServices.Informer())
	if err != nil {
		return fail(err)
	}
	if err := server.GenericAPIServer.AddBootSequenceHealthChecks(available); err != nil {
		return fail(err)
	}
	return a, nil
}

// start starts the aggregator's APIService informer (the registration and
// availability controllers wait for it in 100 ms polls: started here, it
// has synced before they look) and the autoregister controller, until
// runCtx ends.
func (a *aggregator) start(s *Server, runCtx context.Context) {
	s.controllers.Go(func() {
		// The APIService watch cache was made with the registry, just now:
		// a list before it is ready gets a 429 whose Retry-After would hold
		// the informer (and so Start) for a second.
		if !waitFor(runCtx, func() bool { return a.apiServices.ReadinessCheck() == nil }) {
			return
		}
		a.APIRegistrationInformers.Start(runCtx.Done())
		// as upstream's WaitForInitialSync of the CRD registration; and
		// autoregister would wait for its informer in 100 ms polls.
		apiServices := a.APIRegistrationInformers.Apiregistration().V1().APIServices().Informer()
		if !waitFor(runCtx, func() bool { return a.crds.HasSynced() && apiServices.HasSynced() }) {
			return
		}
		a.autoregister.Run(5, runCtx.Done())
	})
}

// openAPIServices are the web services /openapi describes: below's (the
// main server's built-in groups) and the aggregator's apiregistration.k8s.io;
// routes both servers install (/version) are below's.
func (a *aggregator) openAPIServices(below *genericapiserver.GenericAPIServer) []*restful.WebService {
	services := below.Handler.GoRestfulContainer.RegisteredWebServices()
	seen := sets.New[string]()
	for _, ws := range services {
		seen.Insert(ws.RootPath())
	}
	for _, ws := range a.GenericAPIServer.Handler.GoRestfulContainer.RegisteredWebServices() {
		if !seen.Has(ws.RootPath()) {
			services = append(services, ws)
		}
	}
	return services
}

// localAPIServices are the APIServices of the group versions at paths (the
// servers below the aggregator list /api/v1 and /apis/<group>/<version>),
// as upstream's apiServicesToRegister makes them.
func localAPIServices(paths []string) []*apiregistrationv1.APIService {
	var out []*apiregistrationv1.APIService
	seen := sets.New[string]()
	for _, path := range paths {
		var gv schema.GroupVersion
		switch parts := strings.Split(path, "/"); {
		case path == "/api/v1":
			gv = schema.GroupVersion{Version: "v1"}
		case len(parts) == 4 && parts[1] == "apis":
			gv = schema.GroupVersion{Group: parts[2], Version: parts[3]}
		default:
			continue
		}
		p, ok := apiServicePriorities[gv]
		if !ok || seen.Has(gv.String()) {
			// upstream skips it too: a CRD's group version must not get a
			// local APIService that would outlive the CRD.
			continue
		}
		seen.Insert(gv.String())
		out = append(out, &apiregistrationv1.APIService{
			ObjectMeta: metav1.ObjectMeta{Name: gv.Version + "." + gv.Group},
			Spec: apiregistrationv1.APIServiceSpec{
				Group: gv.Group, Version: gv.Version,
				GroupPriorityMinimum: p.Group, VersionPriority: p.Version,
			},
		})
	}
	return out
}

// writeLocalAPIServices writes the local APIServices into their registry,
// as autoregister would create them (labelled automanaged "onstart") and
// Available as the local availability controller would mark them, like
// bootstrapRBAC writes the bootstrap policy. Over a reused etcd they may
// exist already: they are kept, and the autoregister controller brings
// their spec up to date at start, as upstream.
func (s *Server) writeLocalAPIServices(getter *apiServiceRESTOptions, local []*apiregistrationv1.APIService) error {
	// a second registry over the same storage: kube-aggregator keeps its own.
	opts, err := getter.shared()
	if err != nil {
		return err
	}
	registry := apiserviceregistry.NewREST(aggregatorscheme.Scheme, opts)
	// the registry's strategy clears the status on create: keep it.
	registry.Store.CreateStrategy = statusKeepingCreate{registry.Store.CreateStrategy}
	ctx := genericapirequest.WithNamespace(context.Background(), "")
	now := metav1.NewTime(s.clock.Now())
	for _, in := range local {
		svc := in.DeepCopy()
		svc.Labels = map[string]string{autoregister.AutoRegisterManagedLabel: "onstart"}
		condition := apiregistrationv1helper.NewLocalAvailableAPIServiceCondition()
		condition.LastTransitionTime = now
		apiregistrationv1helper.SetAPIServiceCondition(svc, condition)
		internal := &apiregistration.APIService{}
		if err := aggregatorscheme.Scheme.Convert(svc, internal, nil); err != nil {
			return fmt.Errorf("aggregator: convert APIService %s: %w", svc.Name, err)
		}
		_, err := registry.Create(ctx, internal, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("aggregator: create APIService %s: %w", svc.Name, err)
		}
	}
	return nil
}

// statusKeepingCreate is an APIService create strategy that keeps the
// status it is given.
type statusKeepingCreate struct {
	rest.RESTCreateStrategy
}

func (c statusKeepingCreate) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	svc := obj.(*apiregistration.APIService)
	status := svc.Status
	c.RESTCreateStrategy.PrepareForCreate(ctx, obj)
	svc.Status = status
}

// apiServicesAvailable is upstream's autoregister-completion check: healthy
// once every local APIService has been seen Available.
func apiServicesAvailable(name string, local []*apiregistrationv1.APIService, informer cache.SharedIndexInformer) (healthz.HealthChecker, error) {
	var mu sync.Mutex // guards pending
	pending := sets.New[string]()
	for _, svc := range local {
		pending.Insert(svc.Name)
	}
	seen := func(obj any) {
		svc, ok := obj.(*apiregistrationv1.APIService)
		if !ok || !apiregistrationv1helper.IsAPIServiceConditionTrue(svc, apiregistrationv1.Available) {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		pending.Delete(svc.Name)
	}
	_, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    seen,
		UpdateFunc: func(_, obj any) { seen(obj) },
	})
	if err != nil {
		return nil, fmt.Errorf("aggregator: %s check: %w", name, err)
	}
	return healthz.NamedCheck(name, func(*http.Request) error {
		mu.Lock()
		defer mu.Unlock()
		if pending.Len() > 0 {
			return fmt.Errorf("missing APIService: %v", sets.List(pending))
		}
		return nil
	}), nil
}

// crdRegistration gives every served version of a CRD an APIService
// (group priority 1000, version priority 100, as upstream's crdregistration
// controller) and removes it when no CRD serves it any more. It runs on the
// CRD informer's goroutine: handing the APIService to autoregister is a map
// write and a queue add.
type crdRegistration struct {
	crds         apiextensionsinformers.CustomResourceDefinitionInformer
	autoregister autoregister.AutoAPIServiceRegistration
}

func newCRDRegistration(crds apiextensionsinformers.CustomResourceDefinitionInformer, r autoregister.AutoAPIServiceRegistration) cache.ResourceEventHandler {
	c := &crdRegistration{crds: crds, autoregister: r}
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.sync(obj) },
		UpdateFunc: func(old, obj any) { c.sync(old); c.sync(obj) },
		DeleteFunc: func(obj any) {
			if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tombstone.Obj
			}
			c.sync(obj)
		},
	}
}

// sync registers or unregisters each version obj (a CRD) names.
func (c *crdRegistration) sync(obj any) {
	crd, ok := obj.(*apiextensionsv1.CustomResourceDefinition)
	if !ok {
		return
	}
	for _, v := range crd.Spec.Versions {
		c.syncVersion(schema.GroupVersion{Group: crd.Spec.Group, Version: v.Name})
	}
}

// syncVersion is upstream's handleVersionUpdate.
func (c *crdRegistration) syncVersion(gv schema.GroupVersion) {
	name := gv.Version + "." + gv.Group
	crds, err := c.crds.Lister().List(labels.Everything())
	if err != nil {
		return
	}
	for _, crd := range crds {
		if crd.Spec.Group != gv.Group {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if v.Name == gv.Version && v.Served {
				c.autoregister.AddAPIServiceToSync(&apiregistrationv1.APIService{
					ObjectMeta: metav1.ObjectMeta{Name: name},
					Spec: apiregistrationv1.APIServiceSpec{
						Group: gv.Group, Version: gv.Version,
						GroupPriorityMinimum: 1000, VersionPriority: 100,
					},
				})
				return
			}
		}
	}
	c.autoregister.RemoveAPIServiceToSync(name)
}

// aggregatorOpenAPIConfigs are copies of the main server's OpenAPI configs
// that also define the apiregistration types.
func aggregatorOpenAPIConfigs(v2 *common.Config, v3 *common.OpenAPIV3Config) (*common.Config, *common.OpenAPIV3Config) {
	name := mergedDefinitionNamer(v3.GetDefinitionName, openapinamer.NewDefinitionNamer(aggregatorscheme.Scheme))
	c2, c3 := *v2, *v3
	c2.GetDefinitionName, c2.GetDefinitions = name, aggregatorOpenAPIDefinitions
	c3.GetDefinitionName, c3.GetDefinitions = name, aggregatorOpenAPIDefinitions
	// computed when a builder needs them (openAPIV3Config).
	c3.Definitions = nil
	return &c2, &c3
}

// mergedDefinitionNamer names definitions as a DefinitionNamer over the
// main server's scheme and apiregistration's would: a type's group version
// kinds are both namers', sorted as a DefinitionNamer sorts them. (A namer
// over both schemes costs ~1.5 ms of CPU per server: the main scheme's
// types are most of it, and base has them already.)
func mergedDefinitionNamer(base func(string) (string, spec.Extensions), extra *openapinamer.DefinitionNamer) func(string) (string, spec.Extensions) {
	return func(name string) (string, spec.Extensions) {
		n, ext := base(name)
		_, more := extra.GetDefinitionName(name)
		added, _ := more[extensionGVK].([]any)
		if len(added) == 0 {
			return n, ext
		}
		gvks, _ := ext[extensionGVK].([]any)
		merged := slices.Clone(gvks)
		for _, gvk := range added {
			if !slices.ContainsFunc(merged, func(g any) bool { return reflect.DeepEqual(g, gvk) }) {
				merged = append(merged, gvk)
			}
		}
		key := func(g any) string {
			m, _ := g.(map[string]any)
			return fmt.Sprintf("%v\x00%v\x00%v", m["group"], m["version"], m["kind"])
		}
		slices.SortFunc(merged, func(a, b any) int { return strings.Compare(key(a), key(b)) })
		out := spec.Extensions{}
		maps.Copy(out, ext)
		out[extensionGVK] = merged
		return n, out
	}
}

// extensionGVK is the OpenAPI extension that lists a definition's group
// version kinds.
const extensionGVK = "x-kubernetes-group-version-kind"

// aggregatorOpenAPIDefinitions are the built-in definitions plus
// apiregistration's.
func aggregatorOpenAPIDefinitions(ref common.ReferenceCallback) map[string]common.OpenAPIDefinition {
	defs := openapi.GetOpenAPIDefinitions(ref)
	for name, def := range aggregatoropenapi.GetOpenAPIDefinitions(ref) {
		if _, ok := defs[name]; !ok {
			defs[name] = def
		}
	}
	return defs
}

// apiServiceRESTOptions stores APIServices as kube-apiserver does: JSON
// (its storage codec is the legacy one), v1, under
// /registry/apiregistration.k8s.io/apiservices. It keeps the storage it
// made, for writeLocalAPIServices.
type apiServiceRESTOptions struct {
	storage *storageBackend
	counts  flowcontrolrequest.StorageObjectCountTracker // as restOptionsGetter's
	// opts and captured are the options given and the storage made.
	opts     generic.RESTOptions
	captured storage.Interface
}

func (g *apiServiceRESTOptions) GetRESTOptions(resource schema.GroupResource, _ runtime.Object) (generic.RESTOptions, error) {
	codec := aggregatorscheme.Codecs.LegacyCodec(apiregistrationv1.SchemeGroupVersion, apiregistrationv1beta1.SchemeGroupVersion)
	config := g.storage.config(codec)
	config.EncodeVersioner = runtime.NewMultiGroupVersioner(apiregistrationv1.SchemeGroupVersion, schema.GroupKind{Group: apiregistrationv1beta1.GroupName})
	decorate := g.storage.decorator
	capture := func(config *storagebackend.ConfigForResource, resourcePrefix string, keyFunc func(obj runtime.Object) (string, error), newFunc, newListFunc func() runtime.Object, getAttrsFunc storage.AttrFunc, triggerFuncs storage.IndexerFuncs, indexers *cache.Indexers) (storage.Interface, factory.DestroyFunc, error) {
		s, destroy, err := decorate(config, resourcePrefix, keyFunc, newFunc, newListFunc, getAttrsFunc, triggerFuncs, indexers)
		if err == nil {
			g.captured = s
		}
		return s, destroy, err
	}
	g.opts = objectCounts(generic.RESTOptions{
		StorageConfig:           config.ForResource(resource),
		Decorator:               capture,
		EnableGarbageCollection: true,
		DeleteCollectionWorkers: 1,
		ResourcePrefix:          "/" + resource.Group + "/" + resource.Resource,
	}, g.counts)
	return g.opts, nil
}

// shared returns the options of a second registry over the storage the
// first one made (without its object count polling): destroying that
// storage stays the first registry's job.
func (g *apiServiceRESTOptions) shared() (generic.RESTOptions, error) {
	if g.captured == nil {
		return generic.RESTOptions{}, errors.New("aggregator: the apiservices registry was not built")
	}
	opts := g.opts
	opts.CountMetricPollPeriod, opts.StorageObjectCountTracker = 0, nil
	captured := g.captured
	opts.Decorator = func(*storagebackend.ConfigForResource, string, func(runtime.Object) (string, error), func() runtime.Object, func() runtime.Object, storage.AttrFunc, storage.IndexerFuncs, *cache.Indexers) (storage.Interface, factory.DestroyFunc, error) {
		return captured, func() {}, nil
	}
	return opts, nil
}
