package admission

import (
	"context"
	"errors"
	"fmt"
	"sync"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/audit"
	"k8s.io/apiserver/pkg/warning"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/component-base/metrics/legacyregistry"
	podsecurity "k8s.io/pod-security-admission/admission"
	podsecurityload "k8s.io/pod-security-admission/admission/api/load"
	podsecurityapi "k8s.io/pod-security-admission/api"
	podsecuritymetrics "k8s.io/pod-security-admission/metrics"
	"k8s.io/pod-security-admission/policy"
)

// PodSecurityPluginName is the name of the plugin that enforces the Pod
// Security Standards of a namespace's pod-security.kubernetes.io labels.
const PodSecurityPluginName = "PodSecurity"

// podSecurityMetrics are the plugin's metrics in the process's legacy
// registry, registered once per process as kube-apiserver does.
var podSecurityMetrics = sync.OnceValue(func() *podsecuritymetrics.PrometheusRecorder {
	r := podsecuritymetrics.NewPrometheusRecorder(podsecurityapi.GetAPIVersion())
	r.MustRegister(legacyregistry.MustRegister)
	return r
})

// podSecurity is kube-apiserver's PodSecurity plugin: a shell around
// k8s.io/pod-security-admission, the library kube-apiserver and the
// pod-security webhook share, with the default configuration (privileged
// everywhere unless a namespace's labels say otherwise, no exemptions).
// A pod or pod template that breaks its namespace's enforce level is a
// 403 (templates and audit/warn levels only warn); labelling a namespace
// warns about its existing pods that break the new level.
type podSecurity struct {
	*admission.Handler
	delegate *podsecurity.Admission
}

var _ admission.ValidationInterface = (*podSecurity)(nil)

func newPodSecurity(f informers.SharedInformerFactory, client kubernetes.Interface) (*podSecurity, error) {
	config, err := podsecurityload.LoadFromReader(nil)
	if err != nil {
		return nil, err
	}
	namespaces := f.Core().V1().Namespaces()
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		return nil, fmt.Errorf("pod security checks: %w", err)
	}
	p := &podSecurity{
		Handler: admission.NewHandler(admission.Create, admission.Update),
		delegate: &podsecurity.Admission{
			Configuration:    config,
			Evaluator:        evaluator,
			Metrics:          podSecurityMetrics(),
			PodSpecExtractor: podsecurity.DefaultPodSpecExtractor{},
			NamespaceGetter:  podsecurity.NamespaceGetterFromListerAndClient(namespaces.Lister(), client),
			PodLister:        podsecurity.PodListerFromInformer(f.Core().V1().Pods().Lister()),
		},
	}
	p.SetReadyFunc(namespaces.Informer().HasSynced)
	if err := p.delegate.CompleteConfiguration(); err != nil {
		return nil, fmt.Errorf("%s configuration error: %w", PodSecurityPluginName, err)
	}
	if err := p.delegate.ValidateConfiguration(); err != nil {
		return nil, fmt.Errorf("%s invalid: %w", PodSecurityPluginName, err)
	}
	return p, nil
}

func podSecurityInformers(f informers.SharedInformerFactory) []cache.SharedIndexInformer {
	return []cache.SharedIndexInformer{f.Core().V1().Namespaces().Informer(), f.Core().V1().Pods().Informer()}
}

func (p *podSecurity) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	gr := a.GetResource().GroupResource()
	if gr != corev1.Resource("pods") && gr != corev1.Resource("namespaces") && !p.delegate.PodSpecExtractor.HasPodSpec(gr) {
		return nil
	}
	result := p.delegate.Validate(ctx, podSecurityAttributes{a})
	for _, w := range result.Warnings {
		warning.AddWarning(ctx, "", w)
	}
	if len(result.AuditAnnotations) > 0 {
		annotations := make([]string, 0, 2*len(result.AuditAnnotations))
		for k, v := range result.AuditAnnotations {
			annotations = append(annotations, podsecurityapi.AuditAnnotationPrefix+k, v)
		}
		audit.AddAuditAnnotations(ctx, annotations...)
	}
	if result.Allowed {
		return nil
	}
	// a generic 403, with the library's message, reason, details and code.
	err := admission.NewForbidden(a, errors.New("Not allowed by PodSecurity")).(*apierrors.StatusError)
	if r := result.Result; r != nil {
		if r.Message != "" {
			err.ErrStatus.Message = r.Message
		}
		if r.Reason != "" {
			err.ErrStatus.Reason = r.Reason
		}
		if r.Details != nil {
			err.ErrStatus.Details = r.Details
		}
		if r.Code != 0 {
			err.ErrStatus.Code = r.Code
		}
	}
	return err
}

// podSecurityAttributes are the request's attributes as the library reads
// them. Its objects must be v1 types, which memkube's internal objects are.
type podSecurityAttributes struct {
	admission.Attributes
}

func (a podSecurityAttributes) GetObject() (runtime.Object, error) {
	return a.Attributes.GetObject(), nil
}
func (a podSecurityAttributes) GetOldObject() (runtime.Object, error) {
	return a.Attributes.GetOldObject(), nil
}
func (a podSecurityAttributes) GetOperation() admissionv1.Operation {
	return admissionv1.Operation(a.Attributes.GetOperation())
}
func (a podSecurityAttributes) GetUserName() string { return a.GetUserInfo().GetName() }
