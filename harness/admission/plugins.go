package admission

import (
	"fmt"
	"io"
	"slices"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle"
	mutatingadmissionpolicy "k8s.io/apiserver/pkg/admission/plugin/policy/mutating"
	validatingadmissionpolicy "k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/resourcequota"
	mutatingwebhook "k8s.io/apiserver/pkg/admission/plugin/webhook/mutating"
	validatingwebhook "k8s.io/apiserver/pkg/admission/plugin/webhook/validating"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// Config is what the plugins read and call.
type Config struct {
	// Informers is the server's shared informer factory; the informers
	// of the enabled plugins (Informers) must have synced before the
	// plugins are made.
	Informers informers.SharedInformerFactory
	// Client is the server's loopback client.
	Client kubernetes.Interface
	// Authorizer is the server's authorizer.
	Authorizer authorizer.Authorizer
}

// plugin is one of memkube's plugins: how to make it (nil: Register
// registers k8s.io/apiserver's plugin of the name), and the informers it
// reads (which the server syncs before it builds the chain).
type plugin struct {
	name      string
	new       func(Config) (admission.Interface, error)
	informers func(informers.SharedInformerFactory) []cache.SharedIndexInformer
}

// plugins are memkube's plugins, in kube-apiserver's order.
var plugins = []plugin{
	{name: LimitRangerPluginName, new: func(c Config) (admission.Interface, error) { return newLimitRanger(c.Informers, c.Client), nil }, informers: limitRangerInformers},
	{name: ServiceAccountPluginName, new: func(c Config) (admission.Interface, error) { return newServiceAccount(c.Informers, c.Client), nil }, informers: serviceAccountInformers},
	{name: NodeRestrictionPluginName, new: func(c Config) (admission.Interface, error) { return newNodeRestriction(c.Informers, c.Authorizer), nil }, informers: nodeRestrictionInformers},
	{name: TaintNodesByConditionPluginName, new: func(Config) (admission.Interface, error) { return newNodeTaint(), nil }},
	{name: PodSecurityPluginName, new: func(c Config) (admission.Interface, error) { return newPodSecurity(c.Informers, c.Client) }, informers: podSecurityInformers},
	{name: PriorityPluginName, new: func(c Config) (admission.Interface, error) { return newPriority(c.Informers), nil }, informers: priorityInformers},
	{name: DefaultTolerationSecondsPluginName, new: func(Config) (admission.Interface, error) { return newDefaultTolerationSeconds(), nil }},
	{name: DefaultStorageClassPluginName, new: func(c Config) (admission.Interface, error) { return newDefaultStorageClass(c.Informers), nil }, informers: storageClassInformers},
	{name: StorageObjectInUseProtectionPluginName, new: func(Config) (admission.Interface, error) { return newStorageProtection(), nil }},
	{name: PersistentVolumeClaimResizePluginName, new: func(c Config) (admission.Interface, error) { return newPVCResize(c.Informers), nil }, informers: storageClassInformers},
	{name: RuntimeClassPluginName, new: func(c Config) (admission.Interface, error) { return newRuntimeClass(c.Informers, c.Client), nil }, informers: runtimeClassInformers},
	{name: CertificateApprovalPluginName, new: func(c Config) (admission.Interface, error) { return newCertificateApproval(c.Authorizer), nil }},
	{name: CertificateSigningPluginName, new: func(c Config) (admission.Interface, error) { return newCertificateSigning(c.Authorizer), nil }},
	{name: ClusterTrustBundleAttestPluginName, new: func(c Config) (admission.Interface, error) { return newTrustBundleAttest(c.Authorizer), nil }},
	{name: CertificateSubjectRestrictionPluginName, new: func(Config) (admission.Interface, error) { return newCertificateSubjectRestriction(), nil }},
	{name: DefaultIngressClassPluginName, new: func(c Config) (admission.Interface, error) { return newDefaultIngressClass(c.Informers), nil }, informers: ingressClassInformers},
	{name: PodTopologyLabelsPluginName, new: func(c Config) (admission.Interface, error) { return newPodTopologyLabels(c.Informers), nil }, informers: nodeInformers},
	{name: NodeDeclaredFeatureValidatorPluginName, new: func(c Config) (admission.Interface, error) { return newNodeDeclaredFeatures(c.Informers), nil }, informers: nodeInformers},
	{name: PodResizeValidatorPluginName, new: func(c Config) (admission.Interface, error) { return newPodResize(c.Informers), nil }, informers: nodeInformers},
	// k8s.io/apiserver's, registered by resourcequota.Register.
	{name: resourcequota.PluginName, informers: resourceQuotaInformers},
}

// order is kube-apiserver v1.37's AllOrderedPlugins
// (pkg/kubeapiserver/options/plugins.go) restricted to the plugins memkube
// has: the mutating ones run in this order, then the validating ones.
var order = []string{
	lifecycle.PluginName,
	LimitRangerPluginName,
	ServiceAccountPluginName,
	NodeRestrictionPluginName,
	TaintNodesByConditionPluginName,
	PodSecurityPluginName,
	PriorityPluginName,
	DefaultTolerationSecondsPluginName,
	DefaultStorageClassPluginName,
	StorageObjectInUseProtectionPluginName,
	PersistentVolumeClaimResizePluginName,
	RuntimeClassPluginName,
	CertificateApprovalPluginName,
	CertificateSigningPluginName,
	ClusterTrustBundleAttestPluginName,
	CertificateSubjectRestrictionPluginName,
	DefaultIngressClassPluginName,
	PodTopologyLabelsPluginName,
	NodeDeclaredFeatureValidatorPluginName,
	PodResizeValidatorPluginName,
	mutatingadmissionpolicy.PluginName,
	mutatingwebhook.PluginName,
	validatingadmissionpolicy.PluginName,
	validatingwebhook.PluginName,
	resourcequota.PluginName,
}

// defaultOff are the plugins off unless enabled. kube-apiserver turns
// ServiceAccount on; envtest turns it off, and so does memkube.
// NodeRestriction is off in kube-apiserver too.
var defaultOff = sets.New(ServiceAccountPluginName, NodeRestrictionPluginName)

// Register registers memkube's plugins in ps, which has k8s.io/apiserver's
// already (genericoptions.NewAdmissionOptions); they are made with c.
func Register(ps *admission.Plugins, c Config) {
	for _, p := range plugins {
		if p.new != nil {
			ps.Register(p.name, func(io.Reader) (admission.Interface, error) { return p.new(c) })
		}
	}
	resourcequota.Register(ps)
}

// Enabled returns the plugins of a server in chain order: every plugin on
// by default, those in enable added, those in disable removed, as
// kube-apiserver's --enable-admission-plugins and
// --disable-admission-plugins. A name memkube does not have is an error.
func Enabled(enable, disable []string) ([]string, error) {
	known := sets.New(order...)
	for _, name := range enable {
		if !known.Has(name) {
			return nil, fmt.Errorf("enable-admission-plugins plugin %q is unknown", name)
		}
	}
	for _, name := range disable {
		if !known.Has(name) {
			return nil, fmt.Errorf("disable-admission-plugins plugin %q is unknown", name)
		}
	}
	if both := sets.New(enable...).Intersection(sets.New(disable...)); both.Len() > 0 {
		return nil, fmt.Errorf("%v in enable-admission-plugins and disable-admission-plugins overlapped", sets.List(both))
	}
	off := defaultOff.Clone().Delete(enable...).Insert(disable...)
	return slices.DeleteFunc(slices.Clone(order), off.Has), nil
}

// Informers returns the informers the named plugins read, requesting them
// from f: the server starts f and waits for them before it builds the
// chain, so that no plugin waits for its cache on a request.
func Informers(f informers.SharedInformerFactory, names []string) []cache.SharedIndexInformer {
	var out []cache.SharedIndexInformer
	for _, p := range plugins {
		if p.informers != nil && slices.Contains(names, p.name) {
			out = append(out, p.informers(f)...)
		}
	}
	return out
}
