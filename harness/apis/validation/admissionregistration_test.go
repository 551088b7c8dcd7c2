package validation_test

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

func podRules() *admissionregistrationv1.MatchResources {
	return &admissionregistrationv1.MatchResources{
		NamespaceSelector: &metav1.LabelSelector{}, ObjectSelector: &metav1.LabelSelector{}, MatchPolicy: ptr.To(admissionregistrationv1.Equivalent),
		ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
			Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
			Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}, Scope: ptr.To(admissionregistrationv1.AllScopes)},
		}}},
	}
}

func validVAP() *admissionregistrationv1.ValidatingAdmissionPolicy {
	return &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "replicas"},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy:    ptr.To(admissionregistrationv1.Fail),
			MatchConstraints: podRules(),
			MatchConditions:  []admissionregistrationv1.MatchCondition{{Name: "not-system", Expression: `!request.userInfo.username.startsWith("system:")`}},
			Variables:        []admissionregistrationv1.Variable{{Name: "containers", Expression: "object.spec.containers"}},
			Validations:      []admissionregistrationv1.Validation{{Expression: "variables.containers.size() < 10", MessageExpression: `"too many: " + string(variables.containers.size())`}},
			AuditAnnotations: []admissionregistrationv1.AuditAnnotation{{Key: "count", ValueExpression: "string(variables.containers.size())"}},
		},
	}
}

func TestValidatingAdmissionPolicy(t *testing.T) {
	t.Parallel()
	runGroupCases(t, validVAP, validation.ValidatingAdmissionPolicy, []groupCase[*admissionregistrationv1.ValidatingAdmissionPolicy]{
		{"no failurePolicy or matchConstraints", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.FailurePolicy, p.Spec.MatchConstraints = nil, nil
		}, []string{"spec.failurePolicy: Required value", "spec.matchConstraints: Required value"}},
		{"no resource rules", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.MatchConstraints.ResourceRules = nil
		},
			[]string{"spec.matchConstraints.resourceRules: Required value"}},
		{"no validations", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.Validations, p.Spec.AuditAnnotations = nil, nil
		},
			[]string{
				"spec.validations: Required value: validations or auditAnnotations must contain at least one item",
				"spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item",
			}},
		{"empty expression", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) { p.Spec.Validations[0].Expression = " " },
			[]string{"spec.validations[0].expression: Required value: expression is not specified"}},
		{"expression not compiling", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.Validations[0].Expression = "object.spec.replicas >"
		},
			[]string{"spec.validations[0].expression: Invalid value: \"object.spec.replicas >\": compilation failed: ERROR: <input>:1:23: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n | object.spec.replicas >\n | ......................^"}},
		{"expression not bool", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) { p.Spec.Validations[0].Expression = "'yes'" },
			[]string{`spec.validations[0].expression: Invalid value: "'yes'": must evaluate to bool but got string`}},
		{"params without paramKind", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.MatchConditions[0].Expression = "params.enabled"
		},
			[]string{"spec.matchConditions[0].expression: Invalid value: \"params.enabled\": compilation failed: ERROR: <input>:1:1: undeclared reference to 'params' (in container '')\n | params.enabled\n | ^"}},
		{"bad variable name", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.Variables[0].Name = "var"
			p.Spec.Validations[0] = admissionregistrationv1.Validation{Expression: "true"}
			p.Spec.AuditAnnotations = nil
		}, []string{`spec.variables[0].name: Invalid value: "var": must be a valid CEL identifier`}},
		{"bad paramKind and reason", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.ParamKind = &admissionregistrationv1.ParamKind{APIVersion: "a/b/c"}
			p.Spec.Validations[0].Reason = ptr.To(metav1.StatusReasonNotFound)
		}, []string{
			`spec.paramKind.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c`,
			"spec.paramKind.kind: Required value",
			`spec.validations[0].reason: Unsupported value: "NotFound": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge"`,
		}},
		{"message with a newline", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) { p.Spec.Validations[0].Message = "a\nb" },
			[]string{`spec.validations[0].message: Invalid value: "a\nb": must not contain line breaks`}},
		{"duplicate audit key", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.AuditAnnotations = append(p.Spec.AuditAnnotations, p.Spec.AuditAnnotations[0])
		}, []string{`spec.auditAnnotations[1].key: Duplicate value: "count"`}},
		{"bad rules", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			r := &p.Spec.MatchConstraints.ResourceRules[0]
			r.Operations = []admissionregistrationv1.OperationType{"*", "PATCH"}
			r.APIVersions = nil
			r.Resources = []string{"*", "pods"}
			r.ResourceNames = []string{"a", "a"}
		}, []string{
			`spec.matchConstraints.resourceRules[0].resourceNames[1]: Duplicate value: "a"`,
			`spec.matchConstraints.resourceRules[0].operations: Invalid value: ["*","PATCH"]: if '*' is present, must not specify other operations`,
			`spec.matchConstraints.resourceRules[0].operations[1]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"`,
			"spec.matchConstraints.resourceRules[0].apiVersions: Required value",
			`spec.matchConstraints.resourceRules[0].resources: Invalid value: ["*","pods"]: if '*' is present, must not specify other resources without subresources`,
		}},
		{"static name", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) { p.Name = "replicas.static.k8s.io" },
			[]string{`metadata.name: Invalid value: "replicas.static.k8s.io": names ending with ".static.k8s.io" are reserved for static manifest-based configurations and cannot be managed via the API`}},
	})

	// unchanged match conditions are not recompiled on update.
	old := validVAP()
	old.Spec.MatchConditions[0].Expression = "params.enabled"
	update := old.DeepCopy()
	update.Spec.Validations[0].Expression = "true"
	assertErrors(t, validation.ValidatingAdmissionPolicyUpdate(update, old), nil)
}

func TestAdmissionPolicyBindings(t *testing.T) {
	t.Parallel()
	valid := func() *admissionregistrationv1.ValidatingAdmissionPolicyBinding {
		return &admissionregistrationv1.ValidatingAdmissionPolicyBinding{ObjectMeta: metav1.ObjectMeta{Name: "replicas"}, Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        "replicas",
			ParamRef:          &admissionregistrationv1.ParamRef{Name: "limits", ParameterNotFoundAction: ptr.To(admissionregistrationv1.DenyAction)},
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny, admissionregistrationv1.Audit},
		}}
	}
	runGroupCases(t, valid, validation.ValidatingAdmissionPolicyBinding, []groupCase[*admissionregistrationv1.ValidatingAdmissionPolicyBinding]{
		{"no policyName or actions", func(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
			b.Spec.PolicyName, b.Spec.ValidationActions = "", nil
		},
			[]string{"spec.policyName: Required value", "spec.validationActions: Required value: at least one validation action is required"}},
		{"Deny and Warn, twice", func(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
			b.Spec.ValidationActions = []admissionregistrationv1.ValidationAction{"Deny", "Warn", "Warn", "Block"}
		}, []string{
			`spec.validationActions[2]: Duplicate value: "Warn"`,
			`spec.validationActions[3]: Unsupported value: "Block": supported values: "Audit", "Deny", "Warn"`,
			`spec.validationActions: Invalid value: ["Deny","Warn","Warn","Block"]: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)`,
		}},
		{"paramRef name and selector", func(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
			b.Spec.ParamRef.Selector = &metav1.LabelSelector{}
			b.Spec.ParamRef.ParameterNotFoundAction = nil
		}, []string{
			"spec.paramRef.name: Forbidden: name and selector are mutually exclusive",
			"spec.paramRef.selector: Forbidden: name and selector are mutually exclusive",
			"spec.paramRef.parameterNotFoundAction: Required value",
		}},
	})

	mutating := &admissionregistrationv1.MutatingAdmissionPolicyBinding{ObjectMeta: metav1.ObjectMeta{Name: "m"}, Spec: admissionregistrationv1.MutatingAdmissionPolicyBindingSpec{
		PolicyName: "m", MatchResources: podRules(),
	}}
	mutating.Spec.MatchResources.ResourceRules[0].Operations = []admissionregistrationv1.OperationType{admissionregistrationv1.Delete}
	assertErrors(t, validation.MutatingAdmissionPolicyBinding(mutating), []string{
		`spec.matchResources.resourceRules.operations: Unsupported value: "DELETE": supported values: "*", "CONNECT", "CREATE", "UPDATE"`,
	})
}

func TestMutatingAdmissionPolicy(t *testing.T) {
	t.Parallel()
	valid := func() *admissionregistrationv1.MutatingAdmissionPolicy {
		return &admissionregistrationv1.MutatingAdmissionPolicy{ObjectMeta: metav1.ObjectMeta{Name: "labels"}, Spec: admissionregistrationv1.MutatingAdmissionPolicySpec{
			FailurePolicy: ptr.To(admissionregistrationv1.Fail), MatchConstraints: podRules(), ReinvocationPolicy: admissionregistrationv1.NeverReinvocationPolicy,
			Mutations: []admissionregistrationv1.Mutation{{PatchType: admissionregistrationv1.PatchTypeApplyConfiguration, ApplyConfiguration: &admissionregistrationv1.ApplyConfiguration{
				Expression: `Object{metadata: Object.metadata{labels: {"mutated": "true"}}}`,
			}}},
		}}
	}
	runGroupCases(t, valid, validation.MutatingAdmissionPolicy, []groupCase[*admissionregistrationv1.MutatingAdmissionPolicy]{
		{"no mutations or reinvocation", func(p *admissionregistrationv1.MutatingAdmissionPolicy) {
			p.Spec.Mutations, p.Spec.ReinvocationPolicy = nil, ""
		},
			[]string{"spec.mutations: Required value: mutations must contain at least one item", "spec.reinvocationPolicy: Required value"}},
		{"JSONPatch without its expression", func(p *admissionregistrationv1.MutatingAdmissionPolicy) {
			p.Spec.Mutations[0].PatchType = admissionregistrationv1.PatchTypeJSONPatch
		},
			[]string{
				"spec.mutations[0].jsonPatch: Required value: must be specified when patchType is JSONPatch",
				`spec.mutations[0].applyConfiguration: Invalid value: "{applyConfiguration}": must not be specified when patchType is JSONPatch`,
			}},
		{"DELETE", func(p *admissionregistrationv1.MutatingAdmissionPolicy) {
			p.Spec.MatchConstraints.ResourceRules[0].Operations = []admissionregistrationv1.OperationType{admissionregistrationv1.Delete}
		}, []string{`spec.matchConstraints.resourceRules.operations: Unsupported value: "DELETE": supported values: "*", "CONNECT", "CREATE", "UPDATE"`}},
	})
}

func TestWebhookRulesAndMatchConditions(t *testing.T) {
	t.Parallel()
	rule := admissionregistrationv1.RuleWithOperations{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
		Rule:       admissionregistrationv1.Rule{APIGroups: []string{"apps"}, APIVersions: []string{"v1"}, Resources: []string{"deployments/*", "deployments/scale", "*/*"}, Scope: ptr.To(admissionregistrationv1.ScopeType("Any"))},
	}
	assertErrors(t, validation.RuleWithOperations(&rule, field.NewPath("webhooks").Index(0).Child("rules").Index(0)), []string{
		`webhooks[0].rules[0].resources[1]: Invalid value: "deployments/scale": if 'deployments/*' is present, must not specify deployments/scale`,
		`webhooks[0].rules[0].resources: Invalid value: ["deployments/*","deployments/scale","*/*"]: if '*/*' is present, must not specify other resources`,
		`webhooks[0].rules[0].scope: Unsupported value: "Any": supported values: "*", "Cluster", "Namespaced"`,
	})

	conds := []admissionregistrationv1.MatchCondition{{Name: "a", Expression: "true"}, {Name: "a", Expression: ""}, {Name: "Bad Name", Expression: "1"}}
	path := field.NewPath("webhooks").Index(0).Child("matchConditions")
	assertErrors(t, validation.MatchConditions(conds, false, sets.New[string](), path), []string{
		"webhooks[0].matchConditions[1].expression: Required value",
		`webhooks[0].matchConditions[1].name: Duplicate value: "a"`,
		`webhooks[0].matchConditions[2].expression: Invalid value: "1": must evaluate to bool but got int`,
		`webhooks[0].matchConditions[2].name: Invalid value: "Bad Name": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
	})
}
