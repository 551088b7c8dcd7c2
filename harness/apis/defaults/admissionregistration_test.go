package defaults_test

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestWebhookConfigurationDefaults(t *testing.T) {
	t.Parallel()
	none := ptr.To(admissionregistrationv1.SideEffectClassNone)
	rules := func(scope *admissionregistrationv1.ScopeType) []admissionregistrationv1.RuleWithOperations {
		return []admissionregistrationv1.RuleWithOperations{{
			Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
			Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}, Scope: scope},
		}}
	}
	service := func(port *int32) admissionregistrationv1.WebhookClientConfig {
		return admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{Namespace: "ns", Name: "hook", Port: port}}
	}
	all := ptr.To(admissionregistrationv1.AllScopes)
	runGolden(t, []goldenCase{
		{
			name: "ValidatingWebhookConfiguration",
			in: &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "v"}, Webhooks: []admissionregistrationv1.ValidatingWebhook{{
				Name: "v.example.com", ClientConfig: service(nil), Rules: rules(nil), SideEffects: none, AdmissionReviewVersions: []string{"v1"},
			}}},
			want: &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "v"}, Webhooks: []admissionregistrationv1.ValidatingWebhook{{
				Name: "v.example.com", ClientConfig: service(ptr.To[int32](443)), Rules: rules(all), SideEffects: none, AdmissionReviewVersions: []string{"v1"},
				FailurePolicy:     ptr.To(admissionregistrationv1.Fail),
				MatchPolicy:       ptr.To(admissionregistrationv1.Equivalent),
				NamespaceSelector: &metav1.LabelSelector{},
				ObjectSelector:    &metav1.LabelSelector{},
				TimeoutSeconds:    ptr.To[int32](10),
			}}},
		},
		{
			name: "ValidatingWebhookConfiguration list, set fields kept",
			in: &admissionregistrationv1.ValidatingWebhookConfigurationList{Items: []admissionregistrationv1.ValidatingWebhookConfiguration{{
				Webhooks: []admissionregistrationv1.ValidatingWebhook{{
					ClientConfig:  admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://hook.example")},
					FailurePolicy: ptr.To(admissionregistrationv1.Ignore), MatchPolicy: ptr.To(admissionregistrationv1.Exact),
					TimeoutSeconds: ptr.To[int32](3), Rules: rules(ptr.To(admissionregistrationv1.NamespacedScope)),
				}},
			}}},
			want: &admissionregistrationv1.ValidatingWebhookConfigurationList{Items: []admissionregistrationv1.ValidatingWebhookConfiguration{{
				Webhooks: []admissionregistrationv1.ValidatingWebhook{{
					ClientConfig:  admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://hook.example")},
					FailurePolicy: ptr.To(admissionregistrationv1.Ignore), MatchPolicy: ptr.To(admissionregistrationv1.Exact),
					TimeoutSeconds: ptr.To[int32](3), Rules: rules(ptr.To(admissionregistrationv1.NamespacedScope)),
					NamespaceSelector: &metav1.LabelSelector{}, ObjectSelector: &metav1.LabelSelector{},
				}},
			}}},
		},
		{
			name: "MutatingWebhookConfiguration",
			in: &admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "m"}, Webhooks: []admissionregistrationv1.MutatingWebhook{{
				Name: "m.example.com", ClientConfig: service(ptr.To[int32](8443)), Rules: rules(nil), SideEffects: none, AdmissionReviewVersions: []string{"v1"},
			}}},
			want: &admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "m"}, Webhooks: []admissionregistrationv1.MutatingWebhook{{
				Name: "m.example.com", ClientConfig: service(ptr.To[int32](8443)), Rules: rules(all), SideEffects: none, AdmissionReviewVersions: []string{"v1"},
				FailurePolicy:      ptr.To(admissionregistrationv1.Fail),
				MatchPolicy:        ptr.To(admissionregistrationv1.Equivalent),
				NamespaceSelector:  &metav1.LabelSelector{},
				ObjectSelector:     &metav1.LabelSelector{},
				TimeoutSeconds:     ptr.To[int32](10),
				ReinvocationPolicy: ptr.To(admissionregistrationv1.NeverReinvocationPolicy),
			}}},
		},
		{
			name: "MutatingWebhookConfiguration list",
			in:   &admissionregistrationv1.MutatingWebhookConfigurationList{Items: []admissionregistrationv1.MutatingWebhookConfiguration{{Webhooks: []admissionregistrationv1.MutatingWebhook{{}}}}},
			want: &admissionregistrationv1.MutatingWebhookConfigurationList{Items: []admissionregistrationv1.MutatingWebhookConfiguration{{Webhooks: []admissionregistrationv1.MutatingWebhook{{
				FailurePolicy: ptr.To(admissionregistrationv1.Fail), MatchPolicy: ptr.To(admissionregistrationv1.Equivalent),
				NamespaceSelector: &metav1.LabelSelector{}, ObjectSelector: &metav1.LabelSelector{}, TimeoutSeconds: ptr.To[int32](10),
				ReinvocationPolicy: ptr.To(admissionregistrationv1.NeverReinvocationPolicy),
			}}}}},
		},
	})
}

func TestAdmissionPolicyDefaults(t *testing.T) {
	t.Parallel()
	ruleOps := func(scope *admissionregistrationv1.ScopeType) []admissionregistrationv1.NamedRuleWithOperations {
		return []admissionregistrationv1.NamedRuleWithOperations{{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
			Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.OperationAll},
			Rule:       admissionregistrationv1.Rule{APIGroups: []string{"apps"}, APIVersions: []string{"v1"}, Resources: []string{"deployments"}, Scope: scope},
		}}}
	}
	match := &admissionregistrationv1.MatchResources{ResourceRules: ruleOps(nil), ExcludeResourceRules: ruleOps(nil)}
	all := ptr.To(admissionregistrationv1.AllScopes)
	defaultedMatch := &admissionregistrationv1.MatchResources{
		ResourceRules: ruleOps(all), ExcludeResourceRules: ruleOps(all),
		MatchPolicy:       ptr.To(admissionregistrationv1.Equivalent),
		NamespaceSelector: &metav1.LabelSelector{},
		ObjectSelector:    &metav1.LabelSelector{},
	}
	fail := ptr.To(admissionregistrationv1.Fail)
	runGolden(t, []goldenCase{
		{
			name: "ValidatingAdmissionPolicy",
			in:   &admissionregistrationv1.ValidatingAdmissionPolicy{Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{MatchConstraints: match}},
			want: &admissionregistrationv1.ValidatingAdmissionPolicy{Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{MatchConstraints: defaultedMatch, FailurePolicy: fail}},
		},
		{
			name: "ValidatingAdmissionPolicy list without match constraints",
			in:   &admissionregistrationv1.ValidatingAdmissionPolicyList{Items: []admissionregistrationv1.ValidatingAdmissionPolicy{{}}},
			want: &admissionregistrationv1.ValidatingAdmissionPolicyList{Items: []admissionregistrationv1.ValidatingAdmissionPolicy{{
				Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{FailurePolicy: fail},
			}}},
		},
		{
			name: "ValidatingAdmissionPolicyBinding",
			in:   &admissionregistrationv1.ValidatingAdmissionPolicyBinding{Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{PolicyName: "p", MatchResources: match}},
			want: &admissionregistrationv1.ValidatingAdmissionPolicyBinding{Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{PolicyName: "p", MatchResources: defaultedMatch}},
		},
		{
			name: "ValidatingAdmissionPolicyBinding list",
			in:   &admissionregistrationv1.ValidatingAdmissionPolicyBindingList{Items: []admissionregistrationv1.ValidatingAdmissionPolicyBinding{{}}},
			want: &admissionregistrationv1.ValidatingAdmissionPolicyBindingList{Items: []admissionregistrationv1.ValidatingAdmissionPolicyBinding{{}}},
		},
		{
			name: "MutatingAdmissionPolicy",
			in:   &admissionregistrationv1.MutatingAdmissionPolicy{Spec: admissionregistrationv1.MutatingAdmissionPolicySpec{MatchConstraints: match}},
			want: &admissionregistrationv1.MutatingAdmissionPolicy{Spec: admissionregistrationv1.MutatingAdmissionPolicySpec{MatchConstraints: defaultedMatch, FailurePolicy: fail}},
		},
		{
			name: "MutatingAdmissionPolicy list",
			in:   &admissionregistrationv1.MutatingAdmissionPolicyList{Items: []admissionregistrationv1.MutatingAdmissionPolicy{{}}},
			want: &admissionregistrationv1.MutatingAdmissionPolicyList{Items: []admissionregistrationv1.MutatingAdmissionPolicy{{
				Spec: admissionregistrationv1.MutatingAdmissionPolicySpec{FailurePolicy: fail},
			}}},
		},
		{
			name: "MutatingAdmissionPolicyBinding",
			in:   &admissionregistrationv1.MutatingAdmissionPolicyBindingList{Items: []admissionregistrationv1.MutatingAdmissionPolicyBinding{{Spec: admissionregistrationv1.MutatingAdmissionPolicyBindingSpec{MatchResources: match}}}},
			want: &admissionregistrationv1.MutatingAdmissionPolicyBindingList{Items: []admissionregistrationv1.MutatingAdmissionPolicyBinding{{Spec: admissionregistrationv1.MutatingAdmissionPolicyBindingSpec{MatchResources: defaultedMatch}}}},
		},
		{
			name: "MutatingAdmissionPolicyBinding single",
			in:   &admissionregistrationv1.MutatingAdmissionPolicyBinding{Spec: admissionregistrationv1.MutatingAdmissionPolicyBindingSpec{PolicyName: "p"}},
			want: &admissionregistrationv1.MutatingAdmissionPolicyBinding{Spec: admissionregistrationv1.MutatingAdmissionPolicyBindingSpec{PolicyName: "p"}},
		},
	})
}
