package admission

import (
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/initializer"
	quota "k8s.io/apiserver/pkg/quota/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/clock"

	memkubequota "github.com/memkube/memkube/harness/quota"
)

// resourceQuotaInformers are the informers of the ResourceQuota plugin,
// k8s.io/apiserver's, which kube-apiserver runs last: it refuses what would
// exceed a quota of the namespace and charges what it admits to the
// quotas' status.used. What objects use is measured by harness/quota's
// evaluators, which QuotaInitializer gives it. It matches quotas by
// status.hard and counts from status.used, which kube-controller-manager's
// resource quota controller (harness/controllers/resourcequota) keeps.
func resourceQuotaInformers(f informers.SharedInformerFactory) []cache.SharedIndexInformer {
	return []cache.SharedIndexInformer{f.Core().V1().ResourceQuotas().Informer()}
}

// QuotaInitializer gives the ResourceQuota plugin its quota configuration,
// as kube-apiserver's own plugin initializer does; it must come after
// k8s.io/apiserver's initializer, which gives the plugin its drained
// notification. Pods' deletion grace periods are measured on clk.
func QuotaInitializer(clk clock.PassiveClock) admission.PluginInitializer {
	return quotaInitializer{memkubequota.NewConfiguration(clk)}
}

type quotaInitializer struct {
	config quota.Configuration
}

func (i quotaInitializer) Initialize(p admission.Interface) {
	if wants, ok := p.(initializer.WantsQuotaConfiguration); ok {
		wants.SetQuotaConfiguration(i.config)
	}
}
