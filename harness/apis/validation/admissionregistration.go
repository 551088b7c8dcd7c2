package validation

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/mutating/patch"
	validatingpolicy "k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/environment"
	"k8s.io/client-go/util/jsonpath"
)

// staticConfigSuffix ends the names reserved for manifest-based admission
// configuration (ManifestBasedAdmissionControlConfig, beta and on in v1.37).
const staticConfigSuffix = ".static.k8s.io"

const (
	maxMatchConditions                      = 64
	maxAuditAnnotations                     = 20
	maxAuditAnnotationValueExpressionLength = 5 * 1024
)

var (
	admissionFailurePolicies  = sets.New(string(admissionregistrationv1.Ignore), string(admissionregistrationv1.Fail))
	admissionMatchPolicies    = sets.New(string(admissionregistrationv1.Exact), string(admissionregistrationv1.Equivalent))
	admissionReinvocations    = sets.New(string(admissionregistrationv1.NeverReinvocationPolicy), string(admissionregistrationv1.IfNeededReinvocationPolicy))
	admissionScopes           = sets.New(string(admissionregistrationv1.ClusterScope), string(admissionregistrationv1.NamespacedScope), string(admissionregistrationv1.AllScopes))
	admissionOperations       = sets.New(string(admissionregistrationv1.OperationAll), string(admissionregistrationv1.Create), string(admissionregistrationv1.Update), string(admissionregistrationv1.Delete), string(admissionregistrationv1.Connect))
	mutatingPolicyOperations  = sets.New(string(admissionregistrationv1.OperationAll), string(admissionregistrationv1.Create), string(admissionregistrationv1.Update), string(admissionregistrationv1.Connect))
	validationActions         = sets.New(string(admissionregistrationv1.Deny), string(admissionregistrationv1.Warn), string(admissionregistrationv1.Audit))
	validationPolicyReasons   = sets.New(string(metav1.StatusReasonForbidden), string(metav1.StatusReasonInvalid), string(metav1.StatusReasonRequestEntityTooLarge))
	mutationPatchTypes        = sets.New(string(admissionregistrationv1.PatchTypeApplyConfiguration), string(admissionregistrationv1.PatchTypeJSONPatch))
	celIdentifier             = regexp.MustCompile("^[_a-zA-Z][_a-zA-Z0-9]*$")
	celReserved               = sets.New("true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while")
	newlines                  = regexp.MustCompile(`[\n\r]+`)
	statelessCELCompilerOnce  sync.Once
	statelessCELCompilerValue plugincel.Compiler
)

// StaticSuffix is upstream's ValidateStaticSuffix, run on create of webhook
// configurations and admission policies and their bindings.
func StaticSuffix(name string) field.ErrorList {
	if strings.HasSuffix(name, staticConfigSuffix) {
		return field.ErrorList{field.Invalid(field.NewPath("metadata", "name"), name,
			fmt.Sprintf("names ending with %q are reserved for static manifest-based configurations and cannot be managed via the API", staticConfigSuffix))}
	}
	return nil
}

// statelessCELCompiler is upstream's strict stateless compiler (no
// variables), built once: building the CEL environments is costly and the
// compiler keeps no state between expressions.
func statelessCELCompiler() plugincel.Compiler {
	statelessCELCompilerOnce.Do(func() {
		statelessCELCompilerValue = plugincel.NewCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	})
	return statelessCELCompilerValue
}

// celCompiler is upstream's createCompiler: variables need a compiler that
// keeps them for the expressions after.
func celCompiler(composition bool) plugincel.Compiler {
	if !composition {
		return statelessCELCompiler()
	}
	c, err := plugincel.NewCompositedCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	if err != nil {
		return plugincel.NewCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	}
	return c
}

// envType is NewExpressions for an expression the stored object did not
// have, StoredExpressions (more lenient) for one it did.
func envType(stored sets.Set[string], expression string) environment.Type {
	if stored.Has(expression) {
		return environment.StoredExpressions
	}
	return environment.NewExpressions
}

// celError is upstream's convertCELErrorToValidationError.
func celError(path *field.Path, expression string, err error) *field.Error {
	var celErr *apiservercel.Error
	if errors.As(err, &celErr) {
		switch celErr.Type {
		case apiservercel.ErrorTypeRequired:
			return field.Required(path, celErr.Detail)
		case apiservercel.ErrorTypeInvalid:
			return field.Invalid(path, expression, celErr.Detail)
		case apiservercel.ErrorTypeInternal:
			return field.InternalError(path, celErr)
		}
	}
	return field.InternalError(path, fmt.Errorf("unsupported error type: %w", err))
}

func compileCEL(c plugincel.Compiler, accessor plugincel.ExpressionAccessor, decls plugincel.OptionalVariableDeclarations, env environment.Type, path *field.Path) field.ErrorList {
	if result := c.CompileCELExpression(accessor, decls, env); result.Error != nil {
		return field.ErrorList{celError(path, accessor.GetExpression(), result.Error)}
	}
	return nil
}

// RuleWithOperations is upstream's validateRuleWithOperations, for webhook
// rules and policies' resource rules.
func RuleWithOperations(r *admissionregistrationv1.RuleWithOperations, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(r.Operations) == 0 {
		errs = append(errs, field.Required(path.Child("operations"), ""))
	}
	if len(r.Operations) > 1 && hasWildcard(r.Operations, admissionregistrationv1.OperationAll) {
		errs = append(errs, field.Invalid(path.Child("operations"), r.Operations, "if '*' is present, must not specify other operations"))
	}
	for i, op := range r.Operations {
		if !admissionOperations.Has(string(op)) {
			errs = append(errs, field.NotSupported(path.Child("operations").Index(i), op, sets.List(admissionOperations)))
		}
	}
	if len(r.APIGroups) == 0 {
		errs = append(errs, field.Required(path.Child("apiGroups"), ""))
	}
	if len(r.APIGroups) > 1 && hasWildcard(r.APIGroups, "*") {
		errs = append(errs, field.Invalid(path.Child("apiGroups"), r.APIGroups, "if '*' is present, must not specify other API groups"))
	}
	if len(r.APIVersions) == 0 {
		errs = append(errs, field.Required(path.Child("apiVersions"), ""))
	}
	if len(r.APIVersions) > 1 && hasWildcard(r.APIVersions, "*") {
		errs = append(errs, field.Invalid(path.Child("apiVersions"), r.APIVersions, "if '*' is present, must not specify other API versions"))
	}
	for i, v := range r.APIVersions {
		if v == "" {
			errs = append(errs, field.Required(path.Child("apiVersions").Index(i), ""))
		}
	}
	errs = append(errs, ruleResources(r.Resources, path.Child("resources"))...)
	if r.Scope != nil && !admissionScopes.Has(string(*r.Scope)) {
		errs = append(errs, field.NotSupported(path.Child("scope"), *r.Scope, sets.List(admissionScopes)))
	}
	return errs
}

func hasWildcard[T ~string](values []T, wildcard T) bool {
	for _, v := range values {
		if v == wildcard {
			return true
		}
	}
	return false
}

// ruleResources is upstream's validateResources: "x/*" and "*/x" exclude
// what they cover, "*/*" stands alone, "*" excludes plain resources.
func ruleResources(resources []string, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(resources) == 0 {
		errs = append(errs, field.Required(path, ""))
	}
	wildcardSub, wildcardRes := sets.New[string](), sets.New[string]()
	doubleWildcard, singleWildcard, plain := false, false, false
	for i, rs := range resources {
		if rs == "" {
			errs = append(errs, field.Required(path.Index(i), ""))
			continue
		}
		doubleWildcard = doubleWildcard || rs == "*/*"
		singleWildcard = singleWildcard || rs == "*"
		res, sub, found := strings.Cut(rs, "/")
		if !found {
			plain = rs != "*"
			continue
		}
		if wildcardSub.Has(res) {
			errs = append(errs, field.Invalid(path.Index(i), rs, fmt.Sprintf("if '%s/*' is present, must not specify %s", res, rs)))
		}
		if wildcardRes.Has(sub) {
			errs = append(errs, field.Invalid(path.Index(i), rs, fmt.Sprintf("if '*/%s' is present, must not specify %s", sub, rs)))
		}
		if sub == "*" {
			wildcardSub.Insert(res)
		}
		if res == "*" {
			wildcardRes.Insert(sub)
		}
	}
	if len(resources) > 1 && doubleWildcard {
		errs = append(errs, field.Invalid(path, resources, "if '*/*' is present, must not specify other resources"))
	}
	if singleWildcard && plain {
		errs = append(errs, field.Invalid(path, resources, "if '*' is present, must not specify other resources without subresources"))
	}
	return errs
}

// MatchConditions is upstream's validateMatchConditions: at most 64, names
// qualified and unique, expressions compiling to bool. stored are the
// expressions the stored object had, compiled in the lenient stored
// environment; params makes the policy's "params" variable available.
func MatchConditions(conds []admissionregistrationv1.MatchCondition, params bool, stored sets.Set[string], path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(conds) > maxMatchConditions {
		errs = append(errs, field.TooMany(path, len(conds), maxMatchConditions))
	}
	names := sets.New[string]()
	for i, c := range conds {
		cPath := path.Index(i)
		if expr := strings.TrimSpace(c.Expression); expr == "" {
			errs = append(errs, field.Required(cPath.Child("expression"), ""))
		} else {
			errs = append(errs, compileCEL(statelessCELCompiler(), &matchconditions.MatchCondition{Expression: expr},
				plugincel.OptionalVariableDeclarations{HasParams: params, HasAuthorizer: true}, envType(stored, expr), cPath.Child("expression"))...)
		}
		if c.Name == "" {
			errs = append(errs, field.Required(cPath.Child("name"), ""))
		} else {
			errs = append(errs, qualifiedName(c.Name, cPath.Child("name"))...)
		}
		if c.Name != "" {
			if names.Has(c.Name) {
				errs = append(errs, field.Duplicate(cPath.Child("name"), c.Name))
			}
			names.Insert(c.Name)
		}
	}
	return errs
}

// policyExpressions are the CEL expressions a stored policy had, by kind.
type policyExpressions struct {
	matchConditions, validations, messages, auditAnnotations, applyConfigurations sets.Set[string]
}

func newPolicyExpressions() policyExpressions {
	return policyExpressions{sets.New[string](), sets.New[string](), sets.New[string](), sets.New[string](), sets.New[string]()}
}

// policyOptions are upstream's validationOptions for policies.
type policyOptions struct {
	ignoreMatchConditions bool
	stored                policyExpressions
}

// ValidatingAdmissionPolicy is upstream's ValidateValidatingAdmissionPolicy
// with the strategy's static-suffix rule; expressions are compiled with
// kube-apiserver's CEL environment. The paramKind authorization check the
// strategy runs is not made.
func ValidatingAdmissionPolicy(p *admissionregistrationv1.ValidatingAdmissionPolicy) field.ErrorList {
	errs := validatingPolicySpec(p.Name, &p.Spec, policyOptions{stored: newPolicyExpressions()}, field.NewPath("spec"))
	return append(errs, StaticSuffix(p.Name)...)
}

// ValidatingAdmissionPolicyUpdate is upstream's
// ValidateValidatingAdmissionPolicyUpdate: expressions the stored policy
// had compile in the stored environment, and unchanged match conditions
// (and paramKind) are not revalidated.
func ValidatingAdmissionPolicyUpdate(p, old *admissionregistrationv1.ValidatingAdmissionPolicy) field.ErrorList {
	stored := newPolicyExpressions()
	for _, mc := range old.Spec.MatchConditions {
		stored.matchConditions.Insert(mc.Expression)
	}
	for _, v := range old.Spec.Validations {
		stored.validations.Insert(v.Expression)
		if v.MessageExpression != "" {
			stored.messages.Insert(v.MessageExpression)
		}
	}
	for _, a := range old.Spec.AuditAnnotations {
		stored.auditAnnotations.Insert(a.ValueExpression)
	}
	opts := policyOptions{
		ignoreMatchConditions: apiequality.Semantic.DeepEqual(p.Spec.ParamKind, old.Spec.ParamKind) && apiequality.Semantic.DeepEqual(p.Spec.MatchConditions, old.Spec.MatchConditions),
		stored:                stored,
	}
	return validatingPolicySpec(p.Name, &p.Spec, opts, field.NewPath("spec"))
}

// ValidatingAdmissionPolicyStatusUpdate is upstream's
// ValidateValidatingAdmissionPolicyStatusUpdate.
func ValidatingAdmissionPolicyStatusUpdate(p, _ *admissionregistrationv1.ValidatingAdmissionPolicy) field.ErrorList {
	path := field.NewPath("status")
	var errs field.ErrorList
	if tc := p.Status.TypeChecking; tc != nil {
		for i, w := range tc.ExpressionWarnings {
			wPath := path.Child("typeChecking", "expressionWarnings").Index(i)
			if w.Warning == "" {
				errs = append(errs, field.Required(wPath.Child("warning"), ""))
			}
			errs = append(errs, fieldRef(w.FieldRef, wPath.Child("fieldRef"))...)
		}
	}
	return append(errs, metav1validation.ValidateConditions(p.Status.Conditions, path.Child("conditions"))...)
}

func fieldRef(ref string, path *field.Path) field.ErrorList {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return field.ErrorList{field.Required(path, "")}
	}
	if err := jsonpath.New("spec").Parse(fmt.Sprintf("{%s}", ref)); err != nil {
		return field.ErrorList{field.Invalid(path, ref, fmt.Sprintf("invalid JSONPath: %v", err))}
	}
	return nil
}

func validatingPolicySpec(name string, spec *admissionregistrationv1.ValidatingAdmissionPolicySpec, opts policyOptions, path *field.Path) field.ErrorList {
	var compiler plugincel.Compiler
	compile := func() plugincel.Compiler {
		if compiler == nil {
			compiler = celCompiler(len(spec.Variables) > 0)
		}
		return compiler
	}
	errs := policyCommon(spec.FailurePolicy, spec.ParamKind, spec.MatchConstraints, path)
	hasParams := spec.ParamKind != nil
	if !opts.ignoreMatchConditions {
		errs = append(errs, MatchConditions(spec.MatchConditions, hasParams, opts.stored.matchConditions, path.Child("matchConditions"))...)
	}
	for i, v := range spec.Variables {
		errs = append(errs, policyVariable(compile(), v.Name, v.Expression, hasParams, opts.stored.validations, path.Child("variables").Index(i))...)
	}
	if len(spec.Validations) == 0 && len(spec.AuditAnnotations) == 0 {
		errs = append(errs, field.Required(path.Child("validations"), "validations or auditAnnotations must contain at least one item"))
		return append(errs, field.Required(path.Child("auditAnnotations"), "validations or auditAnnotations must contain at least one item"))
	}
	for i := range spec.Validations {
		errs = append(errs, policyValidation(compile(), &spec.Validations[i], hasParams, opts, path.Child("validations").Index(i))...)
	}
	if spec.AuditAnnotations != nil {
		if len(spec.AuditAnnotations) > maxAuditAnnotations {
			errs = append(errs, field.Invalid(path.Child("auditAnnotations"), spec.AuditAnnotations, fmt.Sprintf("must not have more than %d auditAnnotations", maxAuditAnnotations)))
		}
		keys := sets.New[string]()
		for i, a := range spec.AuditAnnotations {
			aPath := path.Child("auditAnnotations").Index(i)
			errs = append(errs, auditAnnotation(compile(), name, &a, hasParams, opts.stored.auditAnnotations, aPath)...)
			if keys.Has(a.Key) {
				errs = append(errs, field.Duplicate(aPath.Child("key"), a.Key))
			}
			keys.Insert(a.Key)
		}
	}
	return errs
}

// policyCommon validates failurePolicy, paramKind and matchConstraints,
// which both kinds of policy have.
func policyCommon(failure *admissionregistrationv1.FailurePolicyType, paramKind *admissionregistrationv1.ParamKind, match *admissionregistrationv1.MatchResources, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if failure == nil {
		errs = append(errs, field.Required(path.Child("failurePolicy"), ""))
	} else if !admissionFailurePolicies.Has(string(*failure)) {
		errs = append(errs, field.NotSupported(path.Child("failurePolicy"), *failure, sets.List(admissionFailurePolicies)))
	}
	if paramKind != nil {
		errs = append(errs, paramKindErrors(paramKind, path.Child("paramKind"))...)
	}
	if match == nil {
		return append(errs, field.Required(path.Child("matchConstraints"), ""))
	}
	errs = append(errs, matchResources(match, path.Child("matchConstraints"))...)
	if len(match.ResourceRules) == 0 {
		errs = append(errs, field.Required(path.Child("matchConstraints", "resourceRules"), ""))
	}
	return errs
}

// paramKindErrors is upstream's validateParamKind.
func paramKindErrors(pk *admissionregistrationv1.ParamKind, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch group, version, err := parseGroupVersion(pk.APIVersion); {
	case pk.APIVersion == "":
		errs = append(errs, field.Required(path.Child("apiVersion"), ""))
	case err != nil:
		errs = append(errs, field.Invalid(path.Child("apiVersion"), pk.APIVersion, err.Error()))
	default:
		if group != "" {
			if msgs := validation.IsDNS1123Subdomain(group); len(msgs) > 0 {
				errs = append(errs, field.Invalid(path.Child("apiVersion"), group, strings.Join(msgs, ",")))
			}
		}
		if version == "" {
			errs = append(errs, field.Invalid(path.Child("apiVersion"), pk.APIVersion, "version must be specified"))
		} else if msgs := validation.IsDNS1035Label(version); len(msgs) > 0 {
			errs = append(errs, field.Invalid(path.Child("apiVersion"), version, strings.Join(msgs, ",")))
		}
	}
	if pk.Kind == "" {
		errs = append(errs, field.Required(path.Child("kind"), ""))
	} else if msgs := validation.IsDNS1035Label(strings.ToLower(pk.Kind)); len(msgs) > 0 {
		errs = append(errs, field.Invalid(path.Child("kind"), pk.Kind, "may have mixed case, but should otherwise match: "+strings.Join(msgs, ",")))
	}
	return errs
}

func parseGroupVersion(gv string) (group, version string, err error) {
	if gv == "" || gv == "/" {
		return "", "", nil
	}
	switch strings.Count(gv, "/") {
	case 0:
		return "", gv, nil
	case 1:
		group, version, _ = strings.Cut(gv, "/")
		return group, version, nil
	}
	return "", "", fmt.Errorf("unexpected GroupVersion string: %v", gv)
}

// matchResources is upstream's validateMatchResources.
func matchResources(m *admissionregistrationv1.MatchResources, path *field.Path) field.ErrorList {
	if m == nil {
		return nil
	}
	var errs field.ErrorList
	if m.MatchPolicy == nil {
		errs = append(errs, field.Required(path.Child("matchPolicy"), ""))
	} else if !admissionMatchPolicies.Has(string(*m.MatchPolicy)) {
		errs = append(errs, field.NotSupported(path.Child("matchPolicy"), *m.MatchPolicy, sets.List(admissionMatchPolicies)))
	}
	if m.NamespaceSelector == nil {
		errs = append(errs, field.Required(path.Child("namespaceSelector"), ""))
	} else {
		errs = append(errs, metav1validation.ValidateLabelSelector(m.NamespaceSelector, metav1validation.LabelSelectorValidationOptions{}, path.Child("namespaceSelector"))...)
	}
	if m.ObjectSelector == nil {
		errs = append(errs, field.Required(path.Child("objectSelector"), ""))
	} else {
		errs = append(errs, metav1validation.ValidateLabelSelector(m.ObjectSelector, metav1validation.LabelSelectorValidationOptions{}, path.Child("objectSelector"))...)
	}
	for i := range m.ResourceRules {
		errs = append(errs, namedRule(&m.ResourceRules[i], path.Child("resourceRules").Index(i))...)
	}
	for i := range m.ExcludeResourceRules {
		errs = append(errs, namedRule(&m.ExcludeResourceRules[i], path.Child("excludeResourceRules").Index(i))...)
	}
	return errs
}

func namedRule(r *admissionregistrationv1.NamedRuleWithOperations, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	names := sets.New[string]()
	for i, name := range r.ResourceNames {
		errs = append(errs, pathSegment(name, path.Child("resourceNames").Index(i))...)
		if names.Has(name) {
			errs = append(errs, field.Duplicate(path.Child("resourceNames").Index(i), name))
		}
		names.Insert(name)
	}
	return append(errs, RuleWithOperations(&r.RuleWithOperations, path)...)
}

func policyVariable(c plugincel.Compiler, name, expression string, hasParams bool, stored sets.Set[string], path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if strings.TrimSpace(name) == "" {
		errs = append(errs, field.Required(path.Child("name"), "name is not specified"))
	} else if !celIdentifier.MatchString(name) || celReserved.Has(name) {
		errs = append(errs, field.Invalid(path.Child("name"), name, "must be a valid CEL identifier"))
	}
	if strings.TrimSpace(expression) == "" {
		return append(errs, field.Required(path.Child("expression"), "expression is not specified"))
	}
	composited, ok := c.(*plugincel.CompositedCompiler)
	if !ok {
		return append(errs, field.InternalError(path, fmt.Errorf("variable composition is not allowed")))
	}
	v := &validatingpolicy.Variable{Name: name, Expression: expression}
	result := composited.CompileAndStoreVariable(v, plugincel.OptionalVariableDeclarations{HasParams: hasParams, HasAuthorizer: true}, envType(stored, expression))
	if result.Error != nil {
		errs = append(errs, celError(path.Child("expression"), expression, result.Error))
	}
	return errs
}

func policyValidation(c plugincel.Compiler, v *admissionregistrationv1.Validation, hasParams bool, opts policyOptions, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if strings.TrimSpace(v.Expression) == "" {
		errs = append(errs, field.Required(path.Child("expression"), "expression is not specified"))
	} else {
		errs = append(errs, compileCEL(c, &validatingpolicy.ValidationCondition{Expression: v.Expression},
			plugincel.OptionalVariableDeclarations{HasParams: hasParams, HasAuthorizer: true}, envType(opts.stored.validations, v.Expression), path.Child("expression"))...)
	}
	trimmedMessageExpression := strings.TrimSpace(v.MessageExpression)
	if v.MessageExpression != "" && trimmedMessageExpression == "" {
		errs = append(errs, field.Invalid(path.Child("messageExpression"), v.MessageExpression, "must be non-empty if specified"))
	} else if trimmedMessageExpression != "" {
		// message expressions see params but not the authorizer.
		errs = append(errs, compileCEL(c, &validatingpolicy.MessageExpressionCondition{MessageExpression: v.MessageExpression},
			plugincel.OptionalVariableDeclarations{HasParams: hasParams}, envType(opts.stored.messages, v.MessageExpression), path.Child("messageExpression"))...)
	}
	trimmedMessage := strings.TrimSpace(v.Message)
	if v.Message != "" && trimmedMessage == "" {
		errs = append(errs, field.Invalid(path.Child("message"), v.Message, "must be non-empty if specified"))
	} else if newlines.MatchString(trimmedMessage) {
		errs = append(errs, field.Invalid(path.Child("message"), v.Message, "must not contain line breaks"))
	}
	if v.Reason != nil && !validationPolicyReasons.Has(string(*v.Reason)) {
		errs = append(errs, field.NotSupported(path.Child("reason"), *v.Reason, sets.List(validationPolicyReasons)))
	}
	return errs
}

func auditAnnotation(c plugincel.Compiler, policyName string, a *admissionregistrationv1.AuditAnnotation, hasParams bool, stored sets.Set[string], path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if policyName != "" {
		errs = append(errs, qualifiedName(policyName+"/"+a.Key, path.Child("key"))...)
	} else {
		errs = append(errs, field.Invalid(path.Child("key"), a.Key, "requires metadata.name be non-empty"))
	}
	trimmed := strings.TrimSpace(a.ValueExpression)
	switch {
	case trimmed == "":
		errs = append(errs, field.Required(path.Child("valueExpression"), "valueExpression is not specified"))
	case len(trimmed) > maxAuditAnnotationValueExpressionLength:
		errs = append(errs, field.Required(path.Child("valueExpression"), fmt.Sprintf("must not exceed %d bytes in length", maxAuditAnnotationValueExpressionLength)))
	default:
		result := c.CompileCELExpression(&validatingpolicy.AuditAnnotationCondition{ValueExpression: trimmed},
			plugincel.OptionalVariableDeclarations{HasParams: hasParams, HasAuthorizer: true}, envType(stored, a.ValueExpression))
		if result.Error != nil {
			errs = append(errs, celError(path.Child("valueExpression"), a.ValueExpression, result.Error))
		}
	}
	return errs
}

// ValidatingAdmissionPolicyBinding is upstream's
// ValidateValidatingAdmissionPolicyBinding with the static-suffix rule.
func ValidatingAdmissionPolicyBinding(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) field.ErrorList {
	return append(ValidatingAdmissionPolicyBindingUpdate(b, nil), StaticSuffix(b.Name)...)
}

// ValidatingAdmissionPolicyBindingUpdate validates as on create, without
// the static-suffix rule.
func ValidatingAdmissionPolicyBindingUpdate(b, _ *admissionregistrationv1.ValidatingAdmissionPolicyBinding) field.ErrorList {
	path := field.NewPath("spec")
	errs := policyName(b.Spec.PolicyName, path.Child("policyName"))
	errs = append(errs, paramRef(b.Spec.ParamRef, path.Child("paramRef"))...)
	errs = append(errs, matchResources(b.Spec.MatchResources, path.Child("matchResources"))...)
	return append(errs, bindingActions(b.Spec.ValidationActions, path.Child("validationActions"))...)
}

func policyName(name string, path *field.Path) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(path, "")}
	}
	var errs field.ErrorList
	for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(name, false) {
		errs = append(errs, field.Invalid(path, name, msg))
	}
	return errs
}

// bindingActions is upstream's validateValidationActions: at least one,
// known, unique, not both Deny and Warn.
func bindingActions(actions []admissionregistrationv1.ValidationAction, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := sets.New[string]()
	for i, a := range actions {
		if !validationActions.Has(string(a)) {
			errs = append(errs, field.NotSupported(path.Index(i), a, sets.List(validationActions)))
		}
		if seen.Has(string(a)) {
			errs = append(errs, field.Duplicate(path.Index(i), a))
		}
		seen.Insert(string(a))
	}
	if seen.Has(string(admissionregistrationv1.Deny)) && seen.Has(string(admissionregistrationv1.Warn)) {
		errs = append(errs, field.Invalid(path, actions, "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)"))
	}
	if seen.Len() == 0 {
		errs = append(errs, field.Required(path, "at least one validation action is required"))
	}
	return errs
}

// paramRef is upstream's validateParamRef: name or selector, not both, and
// a parameterNotFoundAction.
func paramRef(p *admissionregistrationv1.ParamRef, path *field.Path) field.ErrorList {
	if p == nil {
		return nil
	}
	var errs field.ErrorList
	if p.Name != "" {
		errs = append(errs, pathSegment(p.Name, path.Child("name"))...)
		if p.Selector != nil {
			errs = append(errs, field.Forbidden(path.Child("name"), `name and selector are mutually exclusive`))
		}
	}
	if p.Selector != nil {
		errs = append(errs, metav1validation.ValidateLabelSelector(p.Selector, metav1validation.LabelSelectorValidationOptions{}, path.Child("selector"))...)
		if p.Name != "" {
			errs = append(errs, field.Forbidden(path.Child("selector"), `name and selector are mutually exclusive`))
		}
	}
	if p.Name == "" && p.Selector == nil {
		errs = append(errs, field.Required(path, `one of name or selector must be specified`))
	}
	switch a := p.ParameterNotFoundAction; {
	case a == nil || *a == "":
		errs = append(errs, field.Required(path.Child("parameterNotFoundAction"), ""))
	case *a != admissionregistrationv1.DenyAction && *a != admissionregistrationv1.AllowAction:
		errs = append(errs, field.NotSupported(path.Child("parameterNotFoundAction"), a, []string{string(admissionregistrationv1.DenyAction), string(admissionregistrationv1.AllowAction)}))
	}
	return errs
}

// MutatingAdmissionPolicy is upstream's ValidateMutatingAdmissionPolicy
// with the static-suffix rule.
func MutatingAdmissionPolicy(p *admissionregistrationv1.MutatingAdmissionPolicy) field.ErrorList {
	errs := mutatingPolicySpec(&p.Spec, policyOptions{stored: newPolicyExpressions()}, field.NewPath("spec"))
	return append(errs, StaticSuffix(p.Name)...)
}

// MutatingAdmissionPolicyUpdate is upstream's
// ValidateMutatingAdmissionPolicyUpdate.
func MutatingAdmissionPolicyUpdate(p, old *admissionregistrationv1.MutatingAdmissionPolicy) field.ErrorList {
	stored := newPolicyExpressions()
	for _, mc := range old.Spec.MatchConditions {
		stored.matchConditions.Insert(mc.Expression)
	}
	for _, m := range old.Spec.Mutations {
		// upstream files both kinds of patch expression together.
		if m.ApplyConfiguration != nil {
			stored.applyConfigurations.Insert(m.ApplyConfiguration.Expression)
		}
		if m.JSONPatch != nil {
			stored.applyConfigurations.Insert(m.JSONPatch.Expression)
		}
	}
	opts := policyOptions{
		ignoreMatchConditions: apiequality.Semantic.DeepEqual(p.Spec.ParamKind, old.Spec.ParamKind) && apiequality.Semantic.DeepEqual(p.Spec.MatchConditions, old.Spec.MatchConditions),
		stored:                stored,
	}
	return mutatingPolicySpec(&p.Spec, opts, field.NewPath("spec"))
}

func mutatingPolicySpec(spec *admissionregistrationv1.MutatingAdmissionPolicySpec, opts policyOptions, path *field.Path) field.ErrorList {
	compiler := celCompiler(true)
	errs := policyCommon(spec.FailurePolicy, spec.ParamKind, spec.MatchConstraints, path)
	if spec.MatchConstraints != nil {
		errs = append(errs, mutatingOperations(spec.MatchConstraints, path.Child("matchConstraints", "resourceRules", "operations"))...)
	}
	hasParams := spec.ParamKind != nil
	if !opts.ignoreMatchConditions {
		errs = append(errs, MatchConditions(spec.MatchConditions, hasParams, opts.stored.matchConditions, path.Child("matchConditions"))...)
	}
	for i, v := range spec.Variables {
		// upstream looks variables up among the validation expressions,
		// which a mutating policy has none of.
		errs = append(errs, policyVariable(compiler, v.Name, v.Expression, hasParams, opts.stored.validations, path.Child("variables").Index(i))...)
	}
	if len(spec.Mutations) == 0 {
		errs = append(errs, field.Required(path.Child("mutations"), "mutations must contain at least one item"))
	}
	for i := range spec.Mutations {
		errs = append(errs, mutation(compiler, &spec.Mutations[i], hasParams, opts.stored.applyConfigurations, path.Child("mutations").Index(i))...)
	}
	if spec.ReinvocationPolicy == "" {
		errs = append(errs, field.Required(path.Child("reinvocationPolicy"), ""))
	} else if !admissionReinvocations.Has(string(spec.ReinvocationPolicy)) {
		errs = append(errs, field.NotSupported(path.Child("reinvocationPolicy"), spec.ReinvocationPolicy, sets.List(admissionReinvocations)))
	}
	return errs
}

// mutatingOperations: a mutating policy cannot act on DELETE.
func mutatingOperations(m *admissionregistrationv1.MatchResources, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, rule := range m.ResourceRules {
		for _, op := range rule.Operations {
			if !mutatingPolicyOperations.Has(string(op)) {
				errs = append(errs, field.NotSupported(path, op, sets.List(mutatingPolicyOperations)))
			}
		}
	}
	return errs
}

func mutation(c plugincel.Compiler, m *admissionregistrationv1.Mutation, hasParams bool, stored sets.Set[string], path *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch m.PatchType {
	case "":
		errs = append(errs, field.Required(path.Child("patchType"), ""))
	case admissionregistrationv1.PatchTypeJSONPatch:
		if m.JSONPatch == nil {
			errs = append(errs, field.Required(path.Child("jsonPatch"), "must be specified when patchType is JSONPatch"))
		} else {
			errs = append(errs, patchExpression(c, m.JSONPatch.Expression, &patch.JSONPatchCondition{Expression: strings.TrimSpace(m.JSONPatch.Expression)}, hasParams, stored, path.Child("jsonPatch"))...)
		}
		if m.ApplyConfiguration != nil {
			errs = append(errs, field.Invalid(path.Child("applyConfiguration"), "{applyConfiguration}", "must not be specified when patchType is JSONPatch"))
		}
	case admissionregistrationv1.PatchTypeApplyConfiguration:
		if m.ApplyConfiguration == nil {
			errs = append(errs, field.Required(path.Child("applyConfiguration"), "must be specified when patchType is ApplyConfiguration"))
		} else {
			errs = append(errs, patchExpression(c, m.ApplyConfiguration.Expression, &patch.ApplyConfigurationCondition{Expression: strings.TrimSpace(m.ApplyConfiguration.Expression)}, hasParams, stored, path.Child("applyConfiguration"))...)
		}
		if m.JSONPatch != nil {
			errs = append(errs, field.Invalid(path.Child("jsonPatch"), "{jsonPatch}", "must not be specified when patchType is ApplyConfiguration"))
		}
	default:
		errs = append(errs, field.NotSupported(path.Child("patchType"), m.PatchType, sets.List(mutationPatchTypes)))
	}
	return errs
}

func patchExpression(c plugincel.Compiler, expression string, accessor plugincel.ExpressionAccessor, hasParams bool, stored sets.Set[string], path *field.Path) field.ErrorList {
	if strings.TrimSpace(expression) == "" {
		return field.ErrorList{field.Required(path.Child("expression"), "")}
	}
	return compileCEL(c, accessor, plugincel.OptionalVariableDeclarations{HasParams: hasParams, HasAuthorizer: true, HasPatchTypes: true},
		envType(stored, expression), path.Child("expression"))
}

// MutatingAdmissionPolicyBinding is upstream's
// ValidateMutatingAdmissionPolicyBinding with the static-suffix rule.
func MutatingAdmissionPolicyBinding(b *admissionregistrationv1.MutatingAdmissionPolicyBinding) field.ErrorList {
	return append(MutatingAdmissionPolicyBindingUpdate(b, nil), StaticSuffix(b.Name)...)
}

// MutatingAdmissionPolicyBindingUpdate validates as on create, without the
// static-suffix rule.
func MutatingAdmissionPolicyBindingUpdate(b, _ *admissionregistrationv1.MutatingAdmissionPolicyBinding) field.ErrorList {
	path := field.NewPath("spec")
	errs := policyName(b.Spec.PolicyName, path.Child("policyName"))
	errs = append(errs, paramRef(b.Spec.ParamRef, path.Child("paramRef"))...)
	errs = append(errs, matchResources(b.Spec.MatchResources, path.Child("matchResources"))...)
	if b.Spec.MatchResources != nil {
		errs = append(errs, mutatingOperations(b.Spec.MatchResources, path.Child("matchResources", "resourceRules", "operations"))...)
	}
	return errs
}
