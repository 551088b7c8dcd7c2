package harness

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/initializer"
	admissionmetrics "k8s.io/apiserver/pkg/admission/metrics"
	genericapiserver "k8s.io/apiserver/pkg/server"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"

	kubeadmission "github.com/memkube/memkube/harness/admission"
)

// lateAdmission is the server's admission chain, built once the informers
// its plugins read have synced. k8s.io/apiserver builds the chain with the
// server's config (AdmissionOptions.ApplyTo), and the admission policy
// plugins then wait for their informers in 100 ms polls, the first one
// immediate: built before the informers start, the chain made the first
// write to every server wait about 100 ms; built after, the immediate check
// passes. Requests that need admission before the chain exists wait for it.
type lateAdmission struct {
	chain atomic.Pointer[admission.Interface]
	built chan struct{}
}

var (
	_ admission.MutationInterface   = (*lateAdmission)(nil)
	_ admission.ValidationInterface = (*lateAdmission)(nil)
)

func newLateAdmission() *lateAdmission { return &lateAdmission{built: make(chan struct{})} }

// set installs the chain; it is called once.
func (l *lateAdmission) set(chain admission.Interface) {
	l.chain.Store(&chain)
	close(l.built)
}

// wait returns the chain once it is built; a request that ends first is
// refused as upstream's plugins refuse requests before they are ready.
func (l *lateAdmission) wait(ctx context.Context, a admission.Attributes) (admission.Interface, error) {
	select {
	case <-l.built:
		return *l.chain.Load(), nil
	case <-ctx.Done():
		return nil, admission.NewForbidden(a, fmt.Errorf("not yet ready to handle request"))
	}
}

// Handles is true: the chain decides per plugin.
func (*lateAdmission) Handles(admission.Operation) bool { return true }

func (l *lateAdmission) Admit(ctx context.Context, a admission.Attributes, o admission.ObjectInterfaces) error {
	chain, err := l.wait(ctx, a)
	if err != nil {
		return err
	}
	if m, ok := chain.(admission.MutationInterface); ok && m.Handles(a.GetOperation()) {
		return m.Admit(ctx, a, o)
	}
	return nil
}

func (l *lateAdmission) Validate(ctx context.Context, a admission.Attributes, o admission.ObjectInterfaces) error {
	chain, err := l.wait(ctx, a)
	if err != nil {
		return err
	}
	if v, ok := chain.(admission.ValidationInterface); ok && v.Handles(a.GetOperation()) {
		return v.Validate(ctx, a, o)
	}
	return nil
}

// newAdmissionChain is AdmissionOptions.ApplyTo without setting the config:
// the plugins names (kubeadmission.Enabled: k8s.io/apiserver's and
// memkube's, in kube-apiserver's order), then memkube's own
// establishedInThePast. resetMapper is ApplyTo's post-start hook: it
// refreshes the REST mapper the plugins resolve resources with, every 30 s
// until ctx ends.
func newAdmissionChain(config *genericapiserver.Config, names []string, kubeInformers informers.SharedInformerFactory, client kubernetes.Interface,
	dynamicClient dynamic.Interface, extra ...admission.PluginInitializer) (_ admission.Interface, resetMapper func(ctx context.Context), _ error) {
	opts := genericoptions.NewAdmissionOptions()
	kubeadmission.Register(opts.Plugins, kubeadmission.Config{Informers: kubeInformers, Client: client, Authorizer: config.Authorization.Authorizer})
	configProvider, err := admission.ReadAdmissionConfiguration(names, "", nil)
	if err != nil {
		return nil, nil, fmt.Errorf("admission configuration: %w", err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(client.Discovery()))
	initializers := admission.PluginInitializers{
		initializer.NewAPIServerIDInitializer(config.APIServerID),
		initializer.New(client, dynamicClient, kubeInformers, config.Authorization.Authorizer, utilfeature.DefaultFeatureGate,
			config.EffectiveVersion, config.DrainedNotify(), mapper),
	}
	chain, err := opts.Plugins.NewFromPlugins(names, configProvider, append(initializers, extra...), opts.Decorators)
	if err != nil {
		return nil, nil, err
	}
	resetMapper = func(ctx context.Context) {
		wait.UntilWithContext(ctx, func(context.Context) { mapper.Reset() }, 30*time.Second)
	}
	return admission.NewChainHandler(admissionmetrics.WithStepMetrics(chain), establishedInThePast{}), resetMapper, nil
}
