package defaults

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// addAdmissionRegistration registers the admissionregistration.k8s.io/v1
// defaulters (pkg/apis/admissionregistration/v1).
func addAdmissionRegistration(s *runtime.Scheme) {
	register(s, setValidatingWebhookConfiguration)
	register(s, func(l *admissionregistrationv1.ValidatingWebhookConfigurationList) {
		each(l.Items, setValidatingWebhookConfiguration)
	})
	register(s, setMutatingWebhookConfiguration)
	register(s, func(l *admissionregistrationv1.MutatingWebhookConfigurationList) {
		each(l.Items, setMutatingWebhookConfiguration)
	})
	register(s, setValidatingAdmissionPolicy)
	register(s, func(l *admissionregistrationv1.ValidatingAdmissionPolicyList) {
		each(l.Items, setValidatingAdmissionPolicy)
	})
	register(s, setValidatingAdmissionPolicyBinding)
	register(s, func(l *admissionregistrationv1.ValidatingAdmissionPolicyBindingList) {
		each(l.Items, setValidatingAdmissionPolicyBinding)
	})
	register(s, setMutatingAdmissionPolicy)
	register(s, func(l *admissionregistrationv1.MutatingAdmissionPolicyList) {
		each(l.Items, setMutatingAdmissionPolicy)
	})
	register(s, setMutatingAdmissionPolicyBinding)
	register(s, func(l *admissionregistrationv1.MutatingAdmissionPolicyBindingList) {
		each(l.Items, setMutatingAdmissionPolicyBinding)
	})
}

// setValidatingWebhookConfiguration defaults each webhook: failurePolicy
// Fail, matchPolicy Equivalent, match-everything namespace and object
// selectors, a 10s timeout, service port 443 and rule scope "*".
// sideEffects and admissionReviewVersions are required in v1, not defaulted.
func setValidatingWebhookConfiguration(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
	for i := range c.Webhooks {
		w := &c.Webhooks[i]
		setWebhookCommon(&w.FailurePolicy, &w.MatchPolicy, &w.NamespaceSelector, &w.ObjectSelector, &w.TimeoutSeconds)
		setWebhookClientConfig(&w.ClientConfig)
		setRulesWithOperations(w.Rules)
	}
}

// setMutatingWebhookConfiguration defaults each webhook as a validating one,
// and its reinvocationPolicy to Never.
func setMutatingWebhookConfiguration(c *admissionregistrationv1.MutatingWebhookConfiguration) {
	for i := range c.Webhooks {
		w := &c.Webhooks[i]
		setWebhookCommon(&w.FailurePolicy, &w.MatchPolicy, &w.NamespaceSelector, &w.ObjectSelector, &w.TimeoutSeconds)
		if w.ReinvocationPolicy == nil {
			w.ReinvocationPolicy = ptr.To(admissionregistrationv1.NeverReinvocationPolicy)
		}
		setWebhookClientConfig(&w.ClientConfig)
		setRulesWithOperations(w.Rules)
	}
}

// setWebhookCommon defaults the fields validating and mutating webhooks
// share.
func setWebhookCommon(
	failure **admissionregistrationv1.FailurePolicyType,
	match **admissionregistrationv1.MatchPolicyType,
	nsSelector, objSelector **metav1.LabelSelector,
	timeout **int32,
) {
	if *failure == nil {
		*failure = ptr.To(admissionregistrationv1.Fail)
	}
	if *match == nil {
		*match = ptr.To(admissionregistrationv1.Equivalent)
	}
	if *nsSelector == nil {
		*nsSelector = &metav1.LabelSelector{}
	}
	if *objSelector == nil {
		*objSelector = &metav1.LabelSelector{}
	}
	if *timeout == nil {
		*timeout = ptr.To[int32](10)
	}
}

func setWebhookClientConfig(c *admissionregistrationv1.WebhookClientConfig) {
	if c.Service != nil && c.Service.Port == nil {
		c.Service.Port = ptr.To[int32](443)
	}
}

func setRulesWithOperations(rules []admissionregistrationv1.RuleWithOperations) {
	for i := range rules {
		setRule(&rules[i].Rule)
	}
}

func setRule(r *admissionregistrationv1.Rule) {
	if r.Scope == nil {
		r.Scope = ptr.To(admissionregistrationv1.AllScopes)
	}
}

func setValidatingAdmissionPolicy(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
	if p.Spec.FailurePolicy == nil {
		p.Spec.FailurePolicy = ptr.To(admissionregistrationv1.Fail)
	}
	setMatchResources(p.Spec.MatchConstraints)
}

func setValidatingAdmissionPolicyBinding(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
	setMatchResources(b.Spec.MatchResources)
}

func setMutatingAdmissionPolicy(p *admissionregistrationv1.MutatingAdmissionPolicy) {
	if p.Spec.FailurePolicy == nil {
		p.Spec.FailurePolicy = ptr.To(admissionregistrationv1.Fail)
	}
	setMatchResources(p.Spec.MatchConstraints)
}

func setMutatingAdmissionPolicyBinding(b *admissionregistrationv1.MutatingAdmissionPolicyBinding) {
	setMatchResources(b.Spec.MatchResources)
}

// setMatchResources defaults a policy's or binding's match criteria, when
// given: matchPolicy Equivalent, match-everything selectors, rule scope "*".
func setMatchResources(m *admissionregistrationv1.MatchResources) {
	if m == nil {
		return
	}
	if m.MatchPolicy == nil {
		m.MatchPolicy = ptr.To(admissionregistrationv1.Equivalent)
	}
	if m.NamespaceSelector == nil {
		m.NamespaceSelector = &metav1.LabelSelector{}
	}
	if m.ObjectSelector == nil {
		m.ObjectSelector = &metav1.LabelSelector{}
	}
	for i := range m.ResourceRules {
		setRule(&m.ResourceRules[i].RuleWithOperations.Rule)
	}
	for i := range m.ExcludeResourceRules {
		setRule(&m.ExcludeResourceRules[i].RuleWithOperations.Rule)
	}
}
