// Package envtest is a drop-in for sigs.k8s.io/controller-runtime/pkg/envtest
// that runs memkube in the test process instead of etcd and kube-apiserver
// binaries: change the import path, keep the code.
//
//	testEnv := &envtest.Environment{CRDDirectoryPaths: []string{"../config/crd/bases"}}
//	cfg, err := testEnv.Start()
//	...
//	defer testEnv.Stop()
//
// Environment has controller-runtime v0.25's exported fields and methods.
// CRDs and webhooks are installed by controller-runtime's own functions
// (InstallCRDs, WebhookInstallOptions.Install), so they behave identically;
// the package-level helpers are controller-runtime's.
//
// Differences from controller-runtime's envtest:
//   - No binaries: KUBEBUILDER_ASSETS, BinaryAssetsDirectory,
//     DownloadBinaryAssets, DownloadBinaryAssetsVersion and
//     DownloadBinaryAssetsIndexURL are accepted and ignored. So is
//     ControlPlane (there are no kube-apiserver or etcd flags to configure;
//     use Options for memkube's settings).
//   - The server logs through the test process's klog. Its info and warning
//     lines are quiet unless AttachControlPlaneOutput,
//     KUBEBUILDER_ATTACH_CONTROL_PLANE_OUTPUT=true or MEMKUBE_LOG=1 asks for
//     them (harness.Options.ServerLogs).
//   - ControlPlaneStartTimeout / KUBEBUILDER_CONTROLPLANE_START_TIMEOUT bound
//     Start; the stop timeout is not needed (Stop takes milliseconds).
//   - Start polls memkube for installed CRDs and webhook configurations
//     every 5ms instead of 100ms, unless CRDInstallOptions.PollInterval or
//     WebhookInstallOptions.PollInterval is set.
//   - USE_EXISTING_CLUSTER and UseExistingCluster work as upstream.
//   - The server runs kube-controller-manager's namespace, garbage-collector
//     and service-account controllers, which envtest lacks (see Options).
//   - AddUser returns memkube's AuthenticatedUser: Config and KubeConfig, no
//     Kubectl (run kubectl with the KubeConfig instead).
package envtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client/config"
	crenvtest "sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/memkube/memkube/harness"
)

// The types users name, as controller-runtime's envtest re-exports them.
type (
	// CRDInstallOptions are controller-runtime's.
	CRDInstallOptions = crenvtest.CRDInstallOptions
	// WebhookInstallOptions are controller-runtime's.
	WebhookInstallOptions = crenvtest.WebhookInstallOptions
	// ControlPlane is accepted for compatibility; memkube does not use it.
	ControlPlane = crenvtest.ControlPlane
	// APIServer is controller-runtime's (for ControlPlane; not used).
	APIServer = crenvtest.APIServer
	// Etcd is controller-runtime's (for ControlPlane; not used).
	Etcd = crenvtest.Etcd
	// User is a user to provision with AddUser.
	User = crenvtest.User
	// Arguments and Arg are controller-runtime's process flags (not used).
	Arguments = crenvtest.Arguments
	Arg       = crenvtest.Arg
)

// The package-level helpers are controller-runtime's own.
var (
	InstallCRDs     = crenvtest.InstallCRDs
	CreateCRDs      = crenvtest.CreateCRDs
	ReadCRDFiles    = crenvtest.ReadCRDFiles
	UninstallCRDs   = crenvtest.UninstallCRDs
	WaitForCRDs     = crenvtest.WaitForCRDs
	WaitForWebhooks = crenvtest.WaitForWebhooks
	EmptyArguments  = crenvtest.EmptyArguments
)

// Environment variables honoured, as controller-runtime's envtest.
const (
	envUseExistingCluster = "USE_EXISTING_CLUSTER"
	envStartTimeout       = "KUBEBUILDER_CONTROLPLANE_START_TIMEOUT"
	envAttachOutput       = "KUBEBUILDER_ATTACH_CONTROL_PLANE_OUTPUT"
)

// defaultStartTimeout is controller-runtime's default.
const defaultStartTimeout = 20 * time.Second

// pollInterval is how often Start checks that CRDs are served and webhook
// configurations stored on a memkube server, unless the options say:
// upstream's 100ms default suits kube-apiserver; memkube serves a CRD
// milliseconds after its create, and a Start whose first check missed it
// would wait out the rest of 100ms.
const pollInterval = 5 * time.Millisecond

// Environment is a Kubernetes API server for a test, with CRDs and webhooks
// installed, as controller-runtime's envtest.Environment.
type Environment struct {
	// ControlPlane is accepted for compatibility and ignored.
	ControlPlane ControlPlane
	// Scheme is used to decide which CRDs get conversion webhooks; the
	// default is client-go's scheme.Scheme.
	Scheme *runtime.Scheme
	// Config is the admin client config, set by Start (or given, with
	// UseExistingCluster).
	Config *rest.Config
	// KubeConfig is Config as a kubeconfig file's content, set by Start.
	KubeConfig []byte
	// CRDInstallOptions are the options for installing CRDs.
	CRDInstallOptions CRDInstallOptions
	// WebhookInstallOptions are the options for installing webhooks.
	WebhookInstallOptions WebhookInstallOptions
	// ErrorIfCRDPathMissing makes Start fail when a CRD path does not exist.
	ErrorIfCRDPathMissing bool
	// CRDs are installed at Start, with those read from CRDDirectoryPaths.
	CRDs []*apiextensionsv1.CustomResourceDefinition
	// CRDDirectoryPaths are directories or files of CRDs to install.
	CRDDirectoryPaths []string
	// DownloadBinaryAssets, DownloadBinaryAssetsVersion,
	// DownloadBinaryAssetsIndexURL and BinaryAssetsDirectory are ignored:
	// memkube needs no binaries.
	DownloadBinaryAssets         bool
	DownloadBinaryAssetsVersion  string
	DownloadBinaryAssetsIndexURL string
	BinaryAssetsDirectory        string
	// UseExistingCluster uses the cluster of the current kubeconfig (or
	// Config) instead of starting memkube; nil reads USE_EXISTING_CLUSTER.
	UseExistingCluster *bool
	// ControlPlaneStartTimeout bounds Start; zero reads
	// KUBEBUILDER_CONTROLPLANE_START_TIMEOUT, then 20s.
	ControlPlaneStartTimeout time.Duration
	// ControlPlaneStopTimeout is accepted and ignored: Stop is quick.
	ControlPlaneStopTimeout time.Duration
	// AttachControlPlaneOutput keeps the server's klog lines on stderr
	// (Options.ServerLogs); so does KUBEBUILDER_ATTACH_CONTROL_PLANE_OUTPUT=true.
	AttachControlPlaneOutput bool

	// Options configures the memkube server (storage, controllers, ...).
	Options harness.Options

	server *harness.Server
}

// Start starts a memkube server (unless an existing cluster is used),
// installs CRDs and webhooks, and returns the admin client config.
func (te *Environment) Start() (*rest.Config, error) {
	if te.useExistingCluster() {
		if te.Config == nil {
			cfg, err := config.GetConfig()
			if err != nil {
				return nil, fmt.Errorf("unable to get configuration for existing cluster: %w", err)
			}
			te.Config = cfg
		}
	} else {
		timeout, err := te.startTimeout()
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		opts := te.Options
		opts.ServerLogs = opts.ServerLogs || te.AttachControlPlaneOutput || os.Getenv(envAttachOutput) == "true"
		s, err := harness.Start(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("unable to start control plane itself: %w", err)
		}
		te.server, te.Config = s, s.RESTConfig()
	}
	if len(te.KubeConfig) == 0 {
		kubeconfig, err := kubeconfigFromREST(te.Config)
		if err != nil {
			return nil, fmt.Errorf("unable to set KubeConfig field: %w", err)
		}
		te.KubeConfig = kubeconfig
	}
	if te.Scheme == nil {
		te.Scheme = scheme.Scheme
	}
	// as upstream: certificates first, so CRD conversion webhooks can use them.
	if err := te.WebhookInstallOptions.PrepWithoutInstalling(); err != nil {
		return nil, err
	}
	if te.CRDInstallOptions.Scheme == nil {
		te.CRDInstallOptions.Scheme = te.Scheme
	}
	te.CRDInstallOptions.CRDs = mergeCRDs(te.CRDInstallOptions.CRDs, te.CRDs)
	te.CRDInstallOptions.Paths = mergePaths(te.CRDInstallOptions.Paths, te.CRDDirectoryPaths)
	te.CRDInstallOptions.ErrorIfPathMissing = te.ErrorIfCRDPathMissing
	te.CRDInstallOptions.WebhookOptions = te.WebhookInstallOptions
	crdOptions := te.CRDInstallOptions
	if crdOptions.PollInterval == 0 && te.server != nil {
		crdOptions.PollInterval = pollInterval
	}
	crds, err := InstallCRDs(te.Config, crdOptions)
	if err != nil {
		return te.Config, fmt.Errorf("unable to install CRDs onto control plane: %w", err)
	}
	te.CRDs = crds
	if te.WebhookInstallOptions.PollInterval == 0 && te.server != nil {
		te.WebhookInstallOptions.PollInterval = pollInterval
	}
	if err := te.WebhookInstallOptions.Install(te.Config); err != nil {
		return nil, fmt.Errorf("unable to install webhooks onto control plane: %w", err)
	}
	return te.Config, nil
}

// Stop uninstalls CRDs if asked to, stops the webhook set-up, and stops the
// server.
func (te *Environment) Stop() error {
	if te.CRDInstallOptions.CleanUpAfterUse {
		if err := UninstallCRDs(te.Config, te.CRDInstallOptions); err != nil {
			return err
		}
	}
	if err := te.WebhookInstallOptions.Cleanup(); err != nil {
		return err
	}
	if te.server != nil {
		te.server.Stop()
		te.server = nil
	}
	return nil
}

// Server returns the memkube server Start started (nil with an existing
// cluster): for snapshots, fault injection and the in-process transport.
func (te *Environment) Server() *harness.Server { return te.server }

// AuthenticatedUser is a user provisioned by AddUser.
type AuthenticatedUser struct {
	cfg *rest.Config
}

// Config is the user's client config.
func (u *AuthenticatedUser) Config() *rest.Config { return rest.CopyConfig(u.cfg) }

// KubeConfig is the user's client config as a kubeconfig file's content.
func (u *AuthenticatedUser) KubeConfig() ([]byte, error) { return kubeconfigFromREST(u.cfg) }

// AddUser provisions a user with a client certificate of the server's CA.
// Settings of baseConfig (QPS, timeouts, ...) are kept.
func (te *Environment) AddUser(user User, baseConfig *rest.Config) (*AuthenticatedUser, error) {
	if te.server == nil {
		return nil, errors.New("AddUser needs a started memkube server (not an existing cluster)")
	}
	cfg, err := te.server.AddUser(user.Name, user.Groups)
	if err != nil {
		return nil, err
	}
	if baseConfig != nil {
		base := rest.CopyConfig(baseConfig)
		base.Host, base.TLSClientConfig = cfg.Host, cfg.TLSClientConfig
		base.BearerToken, base.BearerTokenFile, base.Username, base.Password = "", "", "", ""
		cfg = base
	}
	return &AuthenticatedUser{cfg: cfg}, nil
}

func (te *Environment) useExistingCluster() bool {
	if te.UseExistingCluster == nil {
		return strings.ToLower(os.Getenv(envUseExistingCluster)) == "true"
	}
	return *te.UseExistingCluster
}

func (te *Environment) startTimeout() (time.Duration, error) {
	if te.ControlPlaneStartTimeout != 0 {
		return te.ControlPlaneStartTimeout, nil
	}
	if v := os.Getenv(envStartTimeout); v != "" {
		return time.ParseDuration(v)
	}
	return defaultStartTimeout, nil
}

// kubeconfigFromREST writes a client config as a kubeconfig.
func kubeconfigFromREST(cfg *rest.Config) ([]byte, error) {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{
		Server:                   cfg.Host,
		CertificateAuthorityData: cfg.CAData,
		InsecureSkipTLSVerify:    cfg.Insecure,
	}
	kc.AuthInfos["envtest"] = &clientcmdapi.AuthInfo{
		ClientCertificateData: cfg.CertData,
		ClientKeyData:         cfg.KeyData,
		Token:                 cfg.BearerToken,
		Username:              cfg.Username,
		Password:              cfg.Password,
	}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "envtest"}
	kc.CurrentContext = "envtest"
	return clientcmd.Write(*kc)
}

// mergePaths appends the paths of b not in a.
func mergePaths(a, b []string) []string {
	seen := map[string]bool{}
	for _, p := range a {
		seen[p] = true
	}
	for _, p := range b {
		if !seen[p] {
			a = append(a, p)
			seen[p] = true
		}
	}
	return a
}

// mergeCRDs appends the CRDs of b whose names are not in a.
func mergeCRDs(a, b []*apiextensionsv1.CustomResourceDefinition) []*apiextensionsv1.CustomResourceDefinition {
	seen := map[string]bool{}
	for _, c := range a {
		seen[c.Name] = true
	}
	for _, c := range b {
		if !seen[c.Name] {
			a = append(a, c)
			seen[c.Name] = true
		}
	}
	return a
}
