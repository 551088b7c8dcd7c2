// Package harness assembles memkube's in-process kube-apiserver: k8s.io/apiserver's
// handler chain and REST handlers over registries for every built-in group
// of kube-apiserver v1.37.1, with apiextensions-apiserver for CRDs as its
// delegate and kube-aggregator (apiregistration.k8s.io, aggregator.go) on
// top, storing in memstore (or etcd, see StorageOptions).
//
// Known gaps:
//   - kube-aggregator proxies an APIService's group version to one of its
//     Service's EndpointSlice endpoints (--enable-aggregator-routing, as
//     webhooks), without a proxy client certificate (no
//     --proxy-client-cert-file: an aggregated server sees the user in
//     X-Remote-User headers but cannot authenticate memkube as a front
//     proxy). /openapi describes the local groups only: aggregated
//     servers' OpenAPI documents are not downloaded and merged. The local
//     APIServices are written straight into their registry at start, as
//     the bootstrap RBAC objects: they have no managedFields.
//   - Authorization is system:masters then Options.Auth.AuthorizationModes
//     (AlwaysAllow, AlwaysDeny, Node, RBAC, Webhook; RBAC by default): the
//     ABAC authorizer and --authorization-config are not available.
//     Authentication has client certificates, static and service account
//     tokens, and optionally anonymous requests, a token webhook, a front
//     proxy, bootstrap tokens and --authentication-config's JWT (OIDC)
//     authenticators; not the configuration's reloading, egress selection
//     for issuers or the token cache (tokens are checked on every request).
//   - Admission runs kube-apiserver v1.37's default plugins in its order
//     (k8s.io/apiserver's and harness/admission's; Options.Admission
//     switches them), except ServiceAccount, off by default as in
//     envtest. Of kube-apiserver's default-off plugins only NodeRestriction
//     is there (Options.Admission.Enable); AlwaysPullImages,
//     PodNodeSelector and the others are not. Not there either:
//     PodGroupProtection (inert in v1.37: GenericWorkload is off), the
//     plugins' flags and --admission-control-config-file.
//     ResourceQuota does not measure DRA devices by device class
//     (harness/quota).
//     Webhooks given as a service reference are called at one of the
//     service's EndpointSlice endpoints (--enable-aggregator-routing), not
//     at its cluster IP (kube-apiserver's default, unroutable in a test):
//     webhook_services.go.
//   - pods/log, exec, attach and portforward go to the kubelet at the pod's
//     node's address and kubelet port, over HTTPS without verifying it (no
//     --kubelet-certificate-authority, as envtest): a test can serve a fake
//     kubelet there (harness/pod_connect_test.go). pods/proxy,
//     services/proxy and nodes/proxy refuse loopback addresses, as
//     upstream.
//   - Service account tokens (serviceaccounts/token, harness/auth/serviceaccount)
//     are signed with a key of the server's own; tokens bound to webhook
//     configurations (alpha) and the OIDC discovery documents are not served.
//   - Built-in kinds are defaulted, validated and printed as upstream
//     (harness/apis/defaults, harness/apis/validation,
//     harness/registry/printers); docs/fidelity.md lists per kind what is
//     deliberately not matched. Warnings are upstream's for pods, pod
//     templates, workloads, claims and the deprecated node labels; other
//     kinds' warnings are not produced.
//   - Flow control is the max-in-flight filter unless Options.FlowControl
//     turns API Priority and Fairness on (kube-apiserver's default). The
//     bootstrap APF and RBAC objects are written straight into the
//     registries: they have no managedFields.
//   - The audit log (Options.Audit) is written synchronously, not rotated,
//     in format json and audit.k8s.io/v1 only; there is no audit webhook
//     (AuditOptions.Sink is a Go one). harness/auditlog lists its gaps.
//   - Four resources kube-apiserver stores in a beta version are stored at v1.
package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	crdopenapi "k8s.io/apiextensions-apiserver/pkg/controller/openapi"
	crdopenapiv3 "k8s.io/apiextensions-apiserver/pkg/controller/openapiv3"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/sets"
	utilwaitgroup "k8s.io/apimachinery/pkg/util/waitgroup"
	apimachineryversion "k8s.io/apimachinery/pkg/version"
	webhookinit "k8s.io/apiserver/pkg/admission/plugin/webhook/initializer"
	"k8s.io/apiserver/pkg/authentication/user"
	discoveryendpoint "k8s.io/apiserver/pkg/endpoints/discovery/aggregated"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	flowcontrolrequest "k8s.io/apiserver/pkg/util/flowcontrol/request"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	basecompatibility "k8s.io/component-base/compatibility"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	kubeadmission "github.com/memkube/memkube/harness/admission"
	"github.com/memkube/memkube/harness/apis"
	"github.com/memkube/memkube/harness/auth/rbac"
	"github.com/memkube/memkube/harness/auth/rbac/aggregation"
	"github.com/memkube/memkube/harness/auth/serviceaccount"
	"github.com/memkube/memkube/harness/controllers/disruption"
	gccontroller "github.com/memkube/memkube/harness/controllers/gc"
	namespacecontroller "github.com/memkube/memkube/harness/controllers/namespace"
	resourcequotacontroller "github.com/memkube/memkube/harness/controllers/resourcequota"
	serviceaccountcontroller "github.com/memkube/memkube/harness/controllers/serviceaccount"
	"github.com/memkube/memkube/harness/controllers/storageprotection"
	"github.com/memkube/memkube/harness/controllers/vapstatus"
	"github.com/memkube/memkube/harness/faults"
	"github.com/memkube/memkube/harness/openapi"
	"github.com/memkube/memkube/harness/pki"
	"github.com/memkube/memkube/harness/recording"
	"github.com/memkube/memkube/harness/registry/builtin"
	"github.com/memkube/memkube/harness/registry/componentstatus"
	"github.com/memkube/memkube/harness/registry/review"
	"github.com/memkube/memkube/memstore"
)

// Version is the kube-apiserver version memkube serves as.
const Version = "1.37.1"

// Options configures a Server. The zero value works.
type Options struct {
	// CompactionInterval is how often the store compacts; zero means 5
	// minutes, kube-apiserver's default.
	CompactionInterval time.Duration
	// Storage selects where objects are kept: memstore by default.
	Storage StorageOptions
	// Controllers switches off in-process controllers.
	Controllers Controllers
	// FaultSeed seeds the fault injector's random choices (probabilities,
	// jittered delays): the same seed and request order, the same faults.
	FaultSeed int64
	// Clock is the server's clock (harness/clock.go says what reads it):
	// creation and deletion timestamps, the times registries and
	// controllers write, TTLs. A test can pass a k8s.io/utils/clock/testing
	// FakeClock and freeze or step it. Nil is real time.
	Clock clock.Clock
	// Auth configures authentication and authorization (auth_options.go).
	Auth AuthOptions
	// FlowControl limits concurrent requests: max-in-flight by default, or
	// API Priority and Fairness (flowcontrol.go).
	FlowControl FlowControlOptions
	// Audit writes kube-apiserver's audit log, alongside Record (audit.go).
	Audit AuditOptions
	// Admission chooses the admission plugins (admission_options.go).
	Admission AdmissionOptions
	// Services are the ranges Services are allocated from
	// (services_options.go).
	Services ServiceOptions
	// ServerLogs keeps k8s.io/apiserver's and the controllers' klog lines
	// on stderr. By default the process's first Start quiets klog below
	// ERROR (klog is process-global); so does setting MEMKUBE_LOG.
	ServerLogs bool
}

// Server is a running memkube API server.
type Server struct {
	storage *storageBackend
	url     string
	port    string
	caPEM   []byte
	ca      *pki.CA
	admin   pki.KeyPair
	cancel  context.CancelFunc
	stopped <-chan struct{}
	generic *genericapiserver.GenericAPIServer
	// controllers are the goroutines the server runs besides k8s.io/apiserver's.
	controllers sync.WaitGroup
	// kcm are kube-controller-manager's controllers (startControllers),
	// stopped by stopKCM and waited for before the server stops: clients
	// first, as a cluster shuts down. Stopped after, their informers would
	// meet a refused connection, which client-go's watch-list reflectors
	// wait out for a second whatever their context says.
	kcm      sync.WaitGroup
	stopKCM  context.CancelFunc
	adminCfg *restclient.Config
	// inProcessCfg reaches the server through transport, without a socket.
	inProcessCfg *restclient.Config
	transport    *inProcessTransport
	// webhooks are the transports the server calls webhooks through.
	webhooks  *webhookTransports
	faults    *faults.Injector
	clock     clock.Clock
	recorders *recording.Backend
	// saTokens issues and authenticates service account tokens.
	saTokens *serviceaccount.Tokens
	// frontProxyCA is the request-header CA the server made, if it did.
	frontProxyCA *pki.CA
	// jwt are the structured authentication configuration's JWT
	// authenticators, if any (authn_jwt.go).
	jwt *jwtAuthenticators
	// bootstrapSecrets is the Secrets informer bootstrap tokens are read
	// from, if they are on: Start waits for it.
	bootstrapSecrets cache.SharedIndexInformer
	// reconcileRBAC: the store had bootstrap RBAC objects already.
	reconcileRBAC bool
	listener      *trackingListener
	// inFlight counts the requests that are not long-running (not watches).
	inFlight *utilwaitgroup.SafeWaitGroup

	// apfBootstrap keeps the bootstrap APF configuration.
	apfBootstrap *flowControlBootstrap
	// objectCounts is APF's object count tracker, fed by every store when
	// APF is on; nil otherwise.
	objectCounts flowcontrolrequest.StorageObjectCountTracker
	// services resolves webhooks' service references (webhook_services.go).
	services *serviceResolver
	// aggregatorConns are the connections to aggregated API servers
	// (aggregator.go).
	aggregatorConns *dialedConns
	// serviceRanges are what Services are allocated from (Options.Services).
	serviceRanges builtin.ServiceRanges
	// routes are what the process's shared built-in routes call for this
	// server (routes.go).
	routes *routeState
	// storageReady reports whether the built-in storages' watch caches
	// are ready.
	storageReady func() bool
}

// shutdownTimeout bounds how long Stop waits for in-flight requests.
const shutdownTimeout = 50 * time.Millisecond

// adminUser is the user of RESTConfig and WriteKubeconfig.
const adminUser = "memkube-admin"

// Start starts a server on 127.0.0.1 with a port the kernel chooses and
// returns once it is ready. Stop stops it.
func Start(ctx context.Context, opts Options) (*Server, error) {
	// k8s.io/apiserver's path recorder takes a stack trace of every path a
	// server registers (a few hundred: health checks, APIServices, /metrics
	// ...), whose cost grows with the depth of the caller's stack: from a
	// Ginkgo suite's, 40 frames and more, they were a quarter of a start's
	// CPU. The server starts on a goroutine of its own, whose stack is short.
	type result struct {
		s        *Server
		err      error
		panicked any
		stack    []byte
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r.panicked, r.stack = p, debug.Stack()
			}
			done <- r
		}()
		r.s, r.err = start(ctx, opts)
	}()
	r := <-done
	if r.panicked != nil {
		panic(fmt.Sprintf("%v\n\nin harness.Start:\n%s", r.panicked, r.stack))
	}
	return r.s, r.err
}

// start is Start, on its goroutine.
func start(ctx context.Context, opts Options) (_ *Server, err error) {
	configureLogs(opts.ServerLogs)
	serviceRanges, err := opts.Services.ranges()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	defer func() {
		if err != nil {
			_ = ln.Close()
		}
	}()
	ca, err := pki.NewCA("memkube-ca")
	if err != nil {
		return nil, err
	}
	serving, err := ca.IssueServing([]string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	admin, err := ca.IssueClient(adminUser, []string{user.SystemPrivilegedGroup})
	if err != nil {
		return nil, err
	}
	compaction := opts.CompactionInterval
	if compaction == 0 {
		compaction = 5 * time.Minute
	}
	serverClock := opts.Clock
	if serverClock == nil {
		serverClock = clock.RealClock{}
	}
	storage, err := newStorageBackend(opts.Storage, compaction, opts.Clock)
	if err != nil {
		return nil, err
	}
	s := &Server{
		storage:       storage,
		url:           "https://" + ln.Addr().String(),
		port:          strconv.Itoa(ln.Addr().(*net.TCPAddr).Port),
		caPEM:         ca.CertPEM,
		ca:            ca,
		admin:         admin,
		clock:         serverClock,
		serviceRanges: serviceRanges,
		// the server's own clients may call it before it serves.
		transport: newInProcessTransport(),
		webhooks:  &webhookTransports{},
		services:  &serviceResolver{},
		routes:    &routeState{},
	}
	s.adminCfg = &restclient.Config{
		Host: s.url,
		// as envtest: client-go's default 5 QPS would throttle tests, not the server.
		QPS:             1000,
		Burst:           2000,
		TLSClientConfig: restclient.TLSClientConfig{CAData: ca.CertPEM, CertData: admin.CertPEM, KeyData: admin.KeyPEM},
	}
	defer func() {
		if err != nil {
			s.transport.closeAll()
			s.stopAuthentication()
			s.storage.close()
		}
	}()
	if s.saTokens, err = serviceaccount.New(serverClock); err != nil {
		return nil, err
	}

	scheme, codecs := apis.NewScheme()
	config := genericapiserver.NewConfig(codecs)
	config.EffectiveVersion = effectiveVersion{basecompatibility.NewEffectiveVersionFromString(Version, "", "")}
	config.LegacyAPIGroupPrefixes = sets.NewString("/api")
	// The server's own clients (informers of its controllers) talk to it
	// in-process, as user system:apiserver, like kube-apiserver's loopback.
	loopbackToken, adminToken := randomToken(), randomToken()
	s.inProcessCfg = &restclient.Config{Host: inProcessHost, BearerToken: adminToken, Transport: s.transport, QPS: 1000, Burst: 2000}
	// QPS -1: the loopback client is not rate limited, as kube-apiserver's
	// (NewLoopbackClientConfig). client-go's default of 5 QPS throttled the
	// apiextensions controllers: a CRD created again took 200 ms steps to be
	// established.
	config.LoopbackClientConfig = &restclient.Config{Host: inProcessHost, BearerToken: loopbackToken, Transport: ownClients{s.transport}, QPS: -1}
	namer := openapinamer.NewDefinitionNamer(scheme)
	config.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(openapi.GetOpenAPIDefinitions, namer)
	config.OpenAPIConfig.Info.Title, config.OpenAPIConfig.Info.Version = "Kubernetes", "v"+Version
	config.OpenAPIV3Config = openAPIV3Config(openapi.GetOpenAPIDefinitions, namer)
	s.inFlight = config.NonLongRunningRequestWaitGroup

	// OpenAPI documents are built once per process (openapi_cache.go).
	config.SkipOpenAPIInstallation = true
	// fault injection sits innermost in the handler chain, after request
	// info, authentication and authorization (harness/faults).
	s.faults = faults.NewWithClock(opts.FaultSeed, clock.RealClock{})
	if s.storage.store != nil {
		s.faults.Attach(s.storage.store)
	}
	config.BuildHandlerChainFunc = func(h http.Handler, c *genericapiserver.Config) http.Handler {
		return genericapiserver.DefaultBuildHandlerChain(withServer(s.faults.Filter(withBatchedLists(h)), s.clock, s.routes), c)
	}
	s.installRecording(config)
	if err := installAuditLog(config, opts.Audit); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	s.listener = newTrackingListener(ln)
	config.SecureServing = &genericapiserver.SecureServingInfo{Listener: s.listener}
	if config.SecureServing.Cert, err = dynamiccertificates.NewStaticCertKeyContent("serving", serving.CertPEM, serving.KeyPEM); err != nil {
		return nil, fmt.Errorf("serving certificate: %w", err)
	}
	if config.SecureServing.ClientCA, err = dynamiccertificates.NewStaticCAContent("client-ca", ca.CertPEM); err != nil {
		return nil, fmt.Errorf("client CA: %w", err)
	}
	client, err := kubernetes.NewForConfig(config.LoopbackClientConfig)
	if err != nil {
		return nil, fmt.Errorf("loopback client: %w", err)
	}
	kubeInformers := informers.NewSharedInformerFactory(client, 0)
	if err := s.authenticate(config, opts.Auth, kubeInformers, loopbackToken, adminToken); err != nil {
		return nil, fmt.Errorf("authentication: %w", err)
	}
	if err := installFlowControl(config, opts.FlowControl, client, kubeInformers); err != nil {
		return nil, fmt.Errorf("flow control: %w", err)
	}
	// system:masters, then opts.Auth.AuthorizationModes (RBAC by default).
	rbacAuthz := rbac.NewAuthorizer(kubeInformers)
	var authzSynced func() bool
	if config.Authorization.Authorizer, config.RuleResolver, authzSynced, err = newAuthorizer(opts.Auth, rbacAuthz, kubeInformers); err != nil {
		return nil, fmt.Errorf("authorizer: %w", err)
	}
	// the admission plugins in kube-apiserver's order (admission_chain.go).
	dynamicClient, err := dynamic.NewForConfig(config.LoopbackClientConfig)
	if err != nil {
		return nil, fmt.Errorf("loopback client: %w", err)
	}
	webhooks := webhookinit.NewPluginInitializer(s.webhooks.wrapResolver, s.services)
	admissionPlugins, err := kubeadmission.Enabled(opts.Admission.Enable, opts.Admission.Disable)
	if err != nil {
		return nil, fmt.Errorf("admission: %w", err)
	}
	// built once the informers have synced (admission_chain.go).
	lateChain := newLateAdmission()
	config.AdmissionControl = lateChain
	// both servers publish into one aggregated discovery document.
	config.AggregatedDiscoveryGroupManager = discoveryendpoint.NewResourceManager("apis")
	crdServer, err := newCRDServer(*config, genericapiserver.RecommendedConfig{SharedInformerFactory: kubeInformers}, s.storage, s.webhooks.wrapResolver, s.services)
	if err != nil {
		return nil, err
	}
	// Resources stored under one prefix are equivalent (core and
	// events.k8s.io events), as kube-apiserver keys them by storage prefix:
	// webhooks with matchPolicy Equivalent see writes through either.
	config.EquivalentResourceRegistry = runtime.NewEquivalentResourceRegistryWithIdentity(resourcePrefix)
	gs, err := config.Complete(kubeInformers).New("memkube", crdServer.GenericAPIServer)
	if err != nil {
		crdServer.GenericAPIServer.Destroy()
		return nil, fmt.Errorf("new server: %w", err)
	}
	s.generic = gs
	s.installFaultsAdmin(gs)
	if err := s.installAPIs(scheme, codecs, config); err != nil {
		gs.Destroy()
		return nil, err
	}
	// kube-aggregator is the top of the chain, as in kube-apiserver
	// (aggregator.go): top serves, and answers /apis.
	agg, err := s.newAggregator(*config, kubeInformers, gs, crdServer.Informers.Apiextensions().V1().CustomResourceDefinitions())
	if err != nil {
		return nil, err
	}
	top := agg.GenericAPIServer
	// On Stop, in-flight requests get shutdownTimeout to finish. http.Server
	// does not close busy connections on shutdown but waits for them, so Stop
	// closes them itself once requests have drained.
	top.ShutdownTimeout = shutdownTimeout
	// The built-in storages' watch caches fill in the background, and until
	// then answer watches 429 "storage is (re)initializing", which
	// client-go's reflectors retry a second later: the server's own clients
	// go on once the caches are ready (milliseconds) instead.
	readyCtx, cancelReady := context.WithTimeout(ctx, watchCacheReady)
	waitFor(readyCtx, s.storageReady)
	cancelReady()
	// the server's own clients, waiting since they started, go on now.
	// (/openapi is installed later, after PrepareRun; the
	// MutatingAdmissionPolicy plugin, which polls it, reads it in-process
	// and waits for it: openapi_cache.go.)
	s.transport.set(top.Handler)
	// kube-apiserver's hook of this name creates the bootstrap RBAC policy;
	// memkube wrote it into the registries already (bootstrapRBAC), and the
	// hook reports ready once the authorizer sees it, as upstream's does.
	top.AddPostStartHookOrDie("rbac/bootstrap-roles", func(hc genericapiserver.PostStartHookContext) error {
		waitFor(hc, rbacAuthz.HasBootstrapPolicy)
		return nil
	})

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	// The CRD informer is started by a post-start hook, and readiness waits
	// for it in 100 ms polls: start it here, in-process, so it has synced
	// before the hooks first look.
	crdInformer := crdServer.Informers.Apiextensions().V1().CustomResourceDefinitions().Informer()
	crdServer.Informers.Start(runCtx.Done())
	agg.start(s, runCtx)
	// The admission plugins refuse requests until their informers have
	// synced; the chain is built after (admission_chain.go), so its
	// informers are requested here, before the factory starts.
	admissionInformers := []cache.SharedIndexInformer{
		crdInformer,
		kubeInformers.Core().V1().Namespaces().Informer(),
		kubeInformers.Admissionregistration().V1().MutatingWebhookConfigurations().Informer(),
		kubeInformers.Admissionregistration().V1().ValidatingWebhookConfigurations().Informer(),
		kubeInformers.Admissionregistration().V1().ValidatingAdmissionPolicies().Informer(),
		kubeInformers.Admissionregistration().V1().ValidatingAdmissionPolicyBindings().Informer(),
		kubeInformers.Admissionregistration().V1().MutatingAdmissionPolicies().Informer(),
		kubeInformers.Admissionregistration().V1().MutatingAdmissionPolicyBindings().Informer(),
	}
	admissionInformers = append(admissionInformers, kubeadmission.Informers(kubeInformers, admissionPlugins)...)
	if s.bootstrapSecrets != nil {
		admissionInformers = append(admissionInformers, s.bootstrapSecrets)
	}
	kubeInformers.Start(runCtx.Done())
	synced := func() bool {
		return allSynced(admissionInformers) && allSynced(agg.informers) && rbacAuthz.HasSynced() && rbacAuthz.HasBootstrapPolicy() && authzSynced()
	}
	if !waitFor(ctx, synced) {
		cancel()
		top.Destroy()
		return nil, fmt.Errorf("informers: %w", ctx.Err())
	}
	// the MutatingAdmissionPolicy plugin reads /openapi/v3 through its
	// client's discovery; it gets the server's in-process (openapi_cache.go).
	openAPIV3 := newOpenAPIV3(runCtx.Done())
	// The chain is built while the server prepares to run (health checks,
	// /openapi): neither needs the other, and a request that needs
	// admission waits for the chain.
	admissionBuilt := make(chan error, 1)
	go func() {
		chain, resetMapper, err := newAdmissionChain(config, admissionPlugins, kubeInformers, withOpenAPIV3(client, openAPIV3.client()), dynamicClient, webhooks, kubeadmission.QuotaInitializer(s.clock))
		if err != nil {
			admissionBuilt <- fmt.Errorf("admission: %w", err)
			return
		}
		kubeInformers.Start(runCtx.Done()) // any informer a plugin added
		lateChain.set(chain)
		s.controllers.Go(func() { resetMapper(runCtx) })
		admissionBuilt <- nil
	}()
	admissionErr := sync.OnceValue(func() error { return <-admissionBuilt })
	notPrepared := func(err error) (*Server, error) {
		cancel()
		_ = admissionErr()
		top.Destroy()
		return nil, err
	}
	health, ready, err := s.storage.healthChecks(runCtx.Done())
	if err == nil {
		err = top.AddHealthChecks(health)
	}
	if err == nil {
		err = top.AddReadyzChecks(ready)
	}
	if err != nil {
		return notPrepared(fmt.Errorf("storage health checks: %w", err))
	}
	prepared := top.PrepareRun()
	v2Service, v2Static, err := installOpenAPI(agg.openAPIServices(gs), top.Handler.NonGoRestfulMux, agg.openAPI, agg.openAPIV3, openAPIV3)
	if err != nil {
		return notPrepared(err)
	}
	if err := admissionErr(); err != nil {
		return notPrepared(err)
	}
	// The top of the chain answers /openapi: publish the CRDs' schemas there,
	// as kube-apiserver's aggregator does.
	crds := crdServer.Informers.Apiextensions().V1().CustomResourceDefinitions()
	v3 := crdopenapiv3.NewController(crds)
	// The v2 document, CRDs merged in, is built when first asked for
	// (v2Static is filled in then), so servers never build it for nothing.
	s.controllers.Go(func() { crdopenapi.NewController(crds).Run(v2Static, v2Service, runCtx.Done()) })
	s.controllers.Go(func() { v3.Run(openAPIV3.crds, runCtx.Done()) })
	// RunWithContext runs kube-apiserver's shutdown sequence when runCtx
	// ends (the admission plugins stop on its "drained" signal) and
	// destroys the server's storage.
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		if err := prepared.RunWithContext(runCtx); err != nil {
			klog.ErrorS(err, "memkube server stopped")
		}
	}()
	s.cancel, s.stopped = cancel, stopped
	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	if s.jwt != nil {
		if err := s.jwt.waitTried(ctx); err != nil {
			s.Stop()
			return nil, fmt.Errorf("JWT authenticators: %w", err)
		}
	}
	if s.reconcileRBAC {
		// as kube-apiserver's rbac/bootstrap-roles hook: bring existing
		// objects up to date (autoupdate annotations honoured).
		cfg := s.InProcessRESTConfig()
		cfg.UserAgent, cfg.QPS, cfg.Burst = "kube-apiserver/v"+Version, -1, 0
		if err := rbac.EnsureBootstrapPolicy(ctx, kubernetes.NewForConfigOrDie(cfg)); err != nil {
			s.Stop()
			return nil, fmt.Errorf("reconcile the bootstrap RBAC policy: %w", err)
		}
	}
	if err := s.runFlowControlBootstrap(ctx, runCtx); err != nil {
		s.Stop()
		return nil, err
	}
	if err := s.startControllers(runCtx, opts.Controllers, config.LoopbackClientConfig); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitFor polls cond every millisecond until it holds (true) or ctx ends
// (false).
func waitFor(ctx context.Context, cond func() bool) bool {
	for !cond() {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Millisecond):
		}
	}
	return true
}

func allSynced(informers []cache.SharedIndexInformer) bool {
	for _, i := range informers {
		if !i.HasSynced() {
			return false
		}
	}
	return true
}

// Controllers switches off the in-process controllers kube-controller-manager
// runs in a real cluster; all of them run by default.
type Controllers struct {
	// NoNamespace: deleted namespaces stay Terminating (as in envtest).
	NoNamespace bool
	// NoServiceAccount: no "default" ServiceAccount and no kube-root-ca.crt
	// ConfigMap in new namespaces, and kubernetes.io/service-account-token
	// Secrets get no token.
	NoServiceAccount bool
	// NoGarbageCollector: dependents of deleted owners stay (as in envtest),
	// and foreground or orphan deletions wait forever on their finalizers.
	NoGarbageCollector bool
	// NoClusterRoleAggregation: aggregated ClusterRoles (admin, edit, view,
	// and users' own) no longer follow the roles they select.
	NoClusterRoleAggregation bool
	// NoResourceQuota: ResourceQuotas get no status (as in envtest), and
	// the ResourceQuota admission plugin, which matches quotas by
	// status.hard, enforces none.
	NoResourceQuota bool
	// NoStorageProtection: deleted claims, volumes and volume attributes
	// classes keep the protection finalizers StorageObjectInUseProtection
	// gives them, and stay Terminating (as in envtest), as do their
	// namespaces.
	NoStorageProtection bool
	// NoDisruption: PodDisruptionBudgets get no status (as in envtest), so
	// pods/eviction refuses to evict the pods they select.
	NoDisruption bool
	// NoValidatingAdmissionPolicyStatus: ValidatingAdmissionPolicies get no
	// status (as in envtest): observedGeneration stays 0 and type-checking
	// warnings never appear, so whatever waits for a policy to be observed
	// waits forever.
	NoValidatingAdmissionPolicyStatus bool
}

// startControllers runs the enabled controllers until runCtx ends; Stop
// waits for them.
func (s *Server) startControllers(runCtx context.Context, opts Controllers, loopback *restclient.Config) error {
	runCtx, s.stopKCM = context.WithCancel(runCtx)
	// as kube-controller-manager identifies itself (managedFields show it).
	cfg := restclient.CopyConfig(loopback)
	cfg.UserAgent = "kube-controller-manager"
	if !opts.NoNamespace {
		c, err := namespacecontroller.New(cfg, s.clock)
		if err != nil {
			return fmt.Errorf("namespace controller: %w", err)
		}
		s.kcm.Go(func() { c.Run(runCtx, 2) })
	}
	if !opts.NoGarbageCollector {
		c, err := gccontroller.New(cfg)
		if err != nil {
			return fmt.Errorf("garbage collector: %w", err)
		}
		// kube-controller-manager's default --concurrent-gc-syncs.
		s.kcm.Go(func() { c.Run(runCtx, 20) })
	}
	if !opts.NoClusterRoleAggregation {
		c, err := aggregation.New(cfg)
		if err != nil {
			return fmt.Errorf("clusterrole aggregation controller: %w", err)
		}
		s.kcm.Go(func() { c.Run(runCtx) })
	}
	if !opts.NoResourceQuota {
		c, err := resourcequotacontroller.New(cfg, s.clock)
		if err != nil {
			return fmt.Errorf("resource quota controller: %w", err)
		}
		// kube-controller-manager's default --concurrent-resource-quota-syncs.
		s.kcm.Go(func() { c.Run(runCtx, 5) })
	}
	if !opts.NoStorageProtection {
		c, err := storageprotection.New(cfg, s.clock)
		if err != nil {
			return fmt.Errorf("storage protection controllers: %w", err)
		}
		s.kcm.Go(func() { c.Run(runCtx, 1) })
	}
	if !opts.NoDisruption {
		c, err := disruption.New(cfg, s.clock)
		if err != nil {
			return fmt.Errorf("disruption controller: %w", err)
		}
		s.kcm.Go(func() { c.Run(runCtx, 1) })
	}
	if !opts.NoValidatingAdmissionPolicyStatus {
		c, err := vapstatus.New(cfg)
		if err != nil {
			return fmt.Errorf("validatingadmissionpolicy status controller: %w", err)
		}
		// kube-controller-manager's default
		// --concurrent-validating-admission-policy-status-syncs.
		s.kcm.Go(func() { c.Run(runCtx, 5) })
	}
	if !opts.NoServiceAccount {
		c, err := serviceaccountcontroller.New(cfg, s.caPEM)
		if err != nil {
			return fmt.Errorf("service account controller: %w", err)
		}
		s.kcm.Go(func() { c.Run(runCtx, 1) })
		tokens, err := serviceaccountcontroller.NewTokens(cfg, s.caPEM, s.saTokens)
		if err != nil {
			return fmt.Errorf("service account tokens controller: %w", err)
		}
		s.kcm.Go(func() { tokens.Run(runCtx, 1) })
	}
	return nil
}

// installAPIs installs every built-in group version and creates the objects
// a server has at start.
func (s *Server) installAPIs(scheme *runtime.Scheme, codecs serializer.CodecFactory, config *genericapiserver.Config) error {
	getter := restOptionsGetter{
		storage: s.storage,
		codecs:  codecs,
		encode:  func(gr schema.GroupResource) schema.GroupVersion { return apis.StorageVersion(gr.Group) },
		prefix:  resourcePrefix,
	}
	if config.FlowControl != nil {
		getter.counts = config.StorageObjectCountTracker
		s.objectCounts = getter.counts
	}
	storage, err := builtin.Storage(scheme, getter, s.serviceRanges)
	if err != nil {
		return err
	}
	// (before RBAC's storages are wrapped in escalation checks, which hide
	// their readiness)
	var caches []rest.StorageWithReadiness
	for _, resources := range storage {
		for _, r := range resources {
			if c, ok := r.(rest.StorageWithReadiness); ok {
				caches = append(caches, c)
			}
		}
	}
	checks := s.storage.checks()
	checks["scheduler"] = componentstatus.HTTPCheck(10259)
	checks["controller-manager"] = componentstatus.HTTPCheck(10257)
	storage[corev1.SchemeGroupVersion]["componentstatuses"] = componentstatus.New(checks)
	if err := s.installServiceAccountTokens(storage[corev1.SchemeGroupVersion], config.LoopbackClientConfig); err != nil {
		return err
	}
	// the bootstrap policy is written past the escalation checks.
	rbacStorage := maps.Clone(storage[rbacv1.SchemeGroupVersion])
	if err := s.services.setRegistries(storage[corev1.SchemeGroupVersion], storage[discoveryv1.SchemeGroupVersion]); err != nil {
		return err
	}
	authz := config.Authorization.Authorizer
	if err := rbac.PreventEscalation(storage[rbacv1.SchemeGroupVersion], authz); err != nil {
		return fmt.Errorf("RBAC escalation checks: %w", err)
	}
	storage[authenticationv1.SchemeGroupVersion] = map[string]rest.Storage{
		"tokenreviews":       review.NewTokenReview(config.Authentication.Authenticator, config.Authentication.APIAudiences),
		"selfsubjectreviews": review.NewSelfSubjectReview(),
	}
	storage[authorizationv1.SchemeGroupVersion] = map[string]rest.Storage{
		"subjectaccessreviews":      review.NewSubjectAccessReview(authz),
		"selfsubjectaccessreviews":  review.NewSelfSubjectAccessReview(authz),
		"localsubjectaccessreviews": review.NewLocalSubjectAccessReview(authz),
		"selfsubjectrulesreviews":   review.NewSelfSubjectRulesReview(config.RuleResolver),
	}
	groups := map[string]*genericapiserver.APIGroupInfo{}
	var order []string
	for _, gv := range apis.GroupVersions() {
		if storage[gv] == nil {
			continue
		}
		info := groups[gv.Group]
		if info == nil {
			i := genericapiserver.NewDefaultAPIGroupInfo(gv.Group, scheme, runtime.NewParameterCodec(scheme), codecs)
			info = &i
			groups[gv.Group] = info
			order = append(order, gv.Group)
		}
		info.VersionedResourcesStorageMap[gv.Version] = storage[gv]
	}
	var infos []*genericapiserver.APIGroupInfo
	for _, group := range order {
		if group != corev1.GroupName {
			infos = append(infos, groups[group])
		}
	}
	// The bootstrap objects are written while the handlers are built: each
	// is a good part of a start, neither needs the other, and the builds
	// leave a core idle at times.
	var bootstrap errgroup.Group
	bootstrap.Go(func() error {
		if err := s.bootstrapRBAC(rbacStorage); err != nil {
			return err
		}
		if err := s.bootstrapFlowControl(storage[flowcontrolv1.SchemeGroupVersion], scheme); err != nil {
			return err
		}
		return s.bootstrap(storage)
	})
	s.routes.admit, s.routes.authz = config.AdmissionControl, s.generic.Authorizer
	installErr := installGroups(s.generic, config, groups[corev1.GroupName], infos, s.routes)
	if err := bootstrap.Wait(); err != nil {
		return err
	}
	if installErr != nil {
		return fmt.Errorf("install API groups: %w", installErr)
	}
	s.storageReady = func() bool {
		for _, c := range caches {
			if c.ReadinessCheck() != nil {
				return false
			}
		}
		return true
	}
	return nil
}

// waitReady waits until /readyz answers 200 to the admin.
func (s *Server) waitReady(ctx context.Context) error {
	rt, err := restclient.TransportFor(s.inProcessCfg)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: rt, Timeout: 5 * time.Second}
	for {
		resp, err := client.Get(inProcessHost + "/readyz")
		if err == nil {
			// read to the end: closing an in-process body early cancels
			// the request, which the server logs as aborted.
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("server not ready: %w", ctx.Err())
		case <-s.stopped:
			return errors.New("server stopped before it was ready")
		case <-time.After(time.Millisecond):
		}
	}
}

// Stop stops the server and waits for it.
func (s *Server) Stop() {
	if s.stopKCM != nil {
		s.stopKCM()
		s.kcm.Wait()
	}
	s.cancel()
	// Let requests in flight finish, as kube-apiserver does; then end the
	// long-running ones (watches) by closing their connections, and close
	// the connections the server opened to webhooks, as its exit would.
	s.inFlight.Wait()
	s.listener.closeAll()
	s.transport.closeAll()
	<-s.stopped
	s.controllers.Wait()
	s.stopAuthentication()
	s.webhooks.closeIdle()
	s.aggregatorConns.closeAll()
	s.storage.close()
}

// Clock returns the server's clock: Options.Clock, or the real clock.
func (s *Server) Clock() clock.Clock { return s.clock }

// Faults is the server's fault injector: errors, latency, watch drops and
// storage outages for requests that match its rules (docs/faults.md).
func (s *Server) Faults() *faults.Injector { return s.faults }

// URL is the server's https URL.
func (s *Server) URL() string { return s.url }

// RESTConfig returns a client config of the admin user (group system:masters).
func (s *Server) RESTConfig() *restclient.Config { return restclient.CopyConfig(s.adminCfg) }

// InProcessRESTConfig returns a client config of the admin user whose
// requests go straight to the server's handler, in this process: no socket,
// no TLS, the fastest way for a test to talk to its server. Clients built
// from it work as any other (watches included) until the server stops.
func (s *Server) InProcessRESTConfig() *restclient.Config {
	return restclient.CopyConfig(s.inProcessCfg)
}

// Store returns the server's memstore (snapshots, fault hooks); nil when
// the server keeps its objects in etcd.
func (s *Server) Store() *memstore.Store { return s.storage.store }

// WriteKubeconfig writes a kubeconfig of the admin user to path.
func (s *Server) WriteKubeconfig(path string) error {
	return clientcmd.WriteToFile(*s.kubeconfig(), path)
}

// Kubeconfig returns a kubeconfig of the admin user.
func (s *Server) Kubeconfig() ([]byte, error) {
	return clientcmd.Write(*s.kubeconfig())
}

func (s *Server) kubeconfig() *clientcmdapi.Config {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["memkube"] = &clientcmdapi.Cluster{Server: s.url, CertificateAuthorityData: s.caPEM}
	cfg.AuthInfos[adminUser] = &clientcmdapi.AuthInfo{ClientCertificateData: s.admin.CertPEM, ClientKeyData: s.admin.KeyPEM}
	cfg.Contexts["memkube"] = &clientcmdapi.Context{Cluster: "memkube", AuthInfo: adminUser}
	cfg.CurrentContext = "memkube"
	return cfg
}

// AddUser returns a client config of a user with the given groups: a client
// certificate from the server's CA (the user's name is its common name, the
// groups its organizations), as kube-apiserver's x509 authentication reads it.
func (s *Server) AddUser(name string, groups []string) (*restclient.Config, error) {
	if name == "" {
		return nil, errors.New("a user needs a name")
	}
	cert, err := s.ca.IssueClient(name, groups)
	if err != nil {
		return nil, fmt.Errorf("certificate for user %s: %w", name, err)
	}
	cfg := restclient.CopyConfig(s.adminCfg)
	cfg.CertData, cfg.KeyData = cert.CertPEM, cert.KeyPEM
	return cfg, nil
}

// restOptionsGetter gives every resource memstore storage behind the watch
// cache, stored as protobuf at its storage version, under /registry like
// kube-apiserver.
type restOptionsGetter struct {
	storage *storageBackend
	codecs  serializer.CodecFactory
	// encode is the version a resource is stored in.
	encode func(schema.GroupResource) schema.GroupVersion
	// prefix is the resource's key prefix under /registry.
	prefix func(schema.GroupResource) string
	// counts, if set, is told every resource's object count, for APF's
	// work estimator (objectCounts).
	counts flowcontrolrequest.StorageObjectCountTracker
}

// countPollPeriod is kube-apiserver's default --etcd-count-metric-poll-period.
const countPollPeriod = time.Minute

// objectCounts makes a resource's store report its object count to
// tracker every countPollPeriod (and at once), as kube-apiserver's stores
// do, so that API Priority and Fairness charges a LIST by the number of
// objects it may return. Without APF (tracker nil) nothing polls.
func objectCounts(opts generic.RESTOptions, tracker flowcontrolrequest.StorageObjectCountTracker) generic.RESTOptions {
	if tracker != nil {
		opts.CountMetricPollPeriod, opts.StorageObjectCountTracker = countPollPeriod, tracker
	}
	return opts
}

func (g restOptionsGetter) GetRESTOptions(resource schema.GroupResource, _ runtime.Object) (generic.RESTOptions, error) {
	info, ok := runtime.SerializerInfoForMediaType(g.codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	if !ok {
		return generic.RESTOptions{}, errors.New("no protobuf serializer")
	}
	internal := schema.GroupVersion{Group: resource.Group, Version: runtime.APIVersionInternal}
	encode := g.encode(resource)
	codec := g.codecs.CodecForVersions(info.Serializer, g.codecs.UniversalDeserializer(), encode, internal)
	config := g.storage.config(codec)
	config.EncodeVersioner = encode
	return objectCounts(generic.RESTOptions{
		StorageConfig:           config.ForResource(resource),
		Decorator:               g.storage.decorator,
		EnableGarbageCollection: true,
		DeleteCollectionWorkers: 1,
		ResourcePrefix:          "/" + g.prefix(resource),
	}, g.counts), nil
}

// resourcePrefix is where kube-apiserver keeps a resource under /registry:
// its plural name, with a few historical exceptions; events.k8s.io events
// cohabit with core events.
func resourcePrefix(resource schema.GroupResource) string {
	switch resource {
	case schema.GroupResource{Resource: "replicationcontrollers"}:
		return "controllers"
	case schema.GroupResource{Resource: "endpoints"}:
		return "services/endpoints"
	case schema.GroupResource{Resource: "nodes"}:
		return "minions"
	case schema.GroupResource{Resource: "services"}:
		return "services/specs"
	case schema.GroupResource{Group: "networking.k8s.io", Resource: "ingresses"}:
		return "ingress"
	}
	return resource.Resource
}

// effectiveVersion reports Version as the git version on /version: the build
// information of a library build says "v0.0.0-master", which kubectl cannot parse.
type effectiveVersion struct {
	basecompatibility.MutableEffectiveVersion
}

func (v effectiveVersion) Info() *apimachineryversion.Info {
	info := v.MutableEffectiveVersion.Info()
	info.GitVersion, info.GitTreeState = "v"+Version, "clean"
	return info
}
