package printers

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func admissionregistration(s *set) {
	r := admissionregistrationv1.Resource
	add[admissionregistrationv1.MutatingWebhookConfiguration, admissionregistrationv1.MutatingWebhookConfigurationList](s, webhookColumns,
		cells(func(c *admissionregistrationv1.MutatingWebhookConfiguration) []interface{} {
			return []interface{}{c.Name, int64(len(c.Webhooks)), age(c.CreationTimestamp)}
		}), r("mutatingwebhookconfigurations"))
	add[admissionregistrationv1.ValidatingWebhookConfiguration, admissionregistrationv1.ValidatingWebhookConfigurationList](s, webhookColumns,
		cells(func(c *admissionregistrationv1.ValidatingWebhookConfiguration) []interface{} {
			return []interface{}{c.Name, int64(len(c.Webhooks)), age(c.CreationTimestamp)}
		}), r("validatingwebhookconfigurations"))
	add[admissionregistrationv1.ValidatingAdmissionPolicy, admissionregistrationv1.ValidatingAdmissionPolicyList](s, validatingAdmissionPolicyColumns,
		cells(func(p *admissionregistrationv1.ValidatingAdmissionPolicy) []interface{} {
			return []interface{}{p.Name, int64(len(p.Spec.Validations)), paramKind(p.Spec.ParamKind), age(p.CreationTimestamp)}
		}), r("validatingadmissionpolicies"))
	add[admissionregistrationv1.MutatingAdmissionPolicy, admissionregistrationv1.MutatingAdmissionPolicyList](s, mutatingAdmissionPolicyColumns,
		cells(func(p *admissionregistrationv1.MutatingAdmissionPolicy) []interface{} {
			return []interface{}{p.Name, int64(len(p.Spec.Mutations)), paramKind(p.Spec.ParamKind), age(p.CreationTimestamp)}
		}), r("mutatingadmissionpolicies"))
	add[admissionregistrationv1.ValidatingAdmissionPolicyBinding, admissionregistrationv1.ValidatingAdmissionPolicyBindingList](s, policyBindingColumns,
		cells(func(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) []interface{} {
			return []interface{}{b.Name, b.Spec.PolicyName, paramRef(b.Spec.ParamRef), age(b.CreationTimestamp)}
		}), r("validatingadmissionpolicybindings"))
	add[admissionregistrationv1.MutatingAdmissionPolicyBinding, admissionregistrationv1.MutatingAdmissionPolicyBindingList](s, policyBindingColumns,
		cells(func(b *admissionregistrationv1.MutatingAdmissionPolicyBinding) []interface{} {
			return []interface{}{b.Name, b.Spec.PolicyName, paramRef(b.Spec.ParamRef), age(b.CreationTimestamp)}
		}), r("mutatingadmissionpolicybindings"))
}

var webhookColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Webhooks", Type: "integer", Description: "Webhooks indicates the number of webhooks registered in this configuration"},
	ageColumn,
}

var validatingAdmissionPolicyColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Validations", Type: "integer", Description: "Validations indicates the number of validation rules defined in this configuration"},
	{Name: "ParamKind", Type: "string", Description: "ParamKind specifies the kind of resources used to parameterize this policy"},
	ageColumn,
}

var mutatingAdmissionPolicyColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Mutations", Type: "integer", Description: "Mutation indicates the number of mutations rules defined in this configuration"},
	{Name: "ParamKind", Type: "string", Description: "ParamKind specifies the kind of resources used to parameterize this policy"},
	ageColumn,
}

var policyBindingColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "PolicyName", Type: "string", Description: "PolicyName indicates the policy definition which the policy binding binded to"},
	{Name: "ParamRef", Type: "string", Description: "ParamRef indicates the param resource which sets the configuration param"},
	ageColumn,
}

// paramKind is apiVersion/kind, or <unset>.
func paramKind(k *admissionregistrationv1.ParamKind) string {
	if k == nil {
		return "<unset>"
	}
	return k.APIVersion + "/" + k.Kind
}

// paramRef is namespace/name ("*/name" without a namespace: cluster-scoped
// or not cannot be told here), else the selector, else <unset>.
func paramRef(r *admissionregistrationv1.ParamRef) string {
	switch {
	case r == nil:
		return "<unset>"
	case r.Name != "" && r.Namespace != "":
		return r.Namespace + "/" + r.Name
	case r.Name != "":
		return "*/" + r.Name
	case r.Selector != nil:
		return r.Selector.String()
	}
	return "<unset>"
}
