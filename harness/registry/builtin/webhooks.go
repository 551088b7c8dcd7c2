package builtin

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/util/webhook"

	"github.com/memkube/memkube/harness/apis/validation"
	"github.com/memkube/memkube/harness/registry"
)

// validateWebhooks validates Validating- and MutatingWebhookConfigurations
// as kube-apiserver does (pkg/apis/admissionregistration/validation): each
// webhook's name, failure, match, side-effect and reinvocation policies,
// timeout, selectors, client config and admission review versions, names
// unique, rules, and match conditions (compiled as CEL); names ending in
// .static.k8s.io are reserved on create. On update, what an old
// configuration already had is allowed to stay (side effects, unrecognized
// review versions, duplicate names, invalid selector label values), its
// match condition expressions compile in CEL's stored environment, and
// match conditions are not revalidated unless a webhook's changed.
func validateWebhooks(k *registry.Kind) {
	k.Validate = func(_ context.Context, obj runtime.Object) field.ErrorList {
		errs := validateWebhookList(webhooksOf(obj), webhookOptions{requireNoSideEffects: true, requireRecognizedVersion: true, requireUniqueNames: true})
		return append(errs, validation.StaticSuffix(obj.(metav1.Object).GetName())...)
	}
	k.ValidateUpdate = func(_ context.Context, obj, old runtime.Object) field.ErrorList {
		was, is := webhooksOf(old), webhooksOf(obj)
		stored := sets.New[string]()
		for _, h := range was {
			for _, mc := range h.matchConditions {
				stored.Insert(mc.Expression)
			}
		}
		return validateWebhookList(is, webhookOptions{
			ignoreMatchConditions: sameMatchConditions(is, was),
			storedExpressions:     stored,
			allowInvalidLabelValueInSelector: slices.ContainsFunc(was, func(h webhookFields) bool {
				return len(selectorErrors(h, metav1validation.LabelSelectorValidationOptions{}, field.NewPath("webhooks"))) > 0
			}),
			requireNoSideEffects: !slices.ContainsFunc(was, func(h webhookFields) bool {
				return h.sideEffects == nil || !noSideEffectClasses.Has(string(*h.sideEffects))
			}),
			requireRecognizedVersion: !slices.ContainsFunc(was, func(h webhookFields) bool {
				return !slices.ContainsFunc(h.admissionReviewVersions, acceptedReviewVersions.Has)
			}),
			requireUniqueNames: uniqueNames(was),
		})
	}
}

// webhookFields are what validating and mutating webhooks share, and a
// mutating one's reinvocation policy.
type webhookFields struct {
	name                              string
	failurePolicy                     *admissionregistrationv1.FailurePolicyType
	matchPolicy                       *admissionregistrationv1.MatchPolicyType
	sideEffects                       *admissionregistrationv1.SideEffectClass
	timeoutSeconds                    *int32
	namespaceSelector, objectSelector *metav1.LabelSelector
	clientConfig                      admissionregistrationv1.WebhookClientConfig
	admissionReviewVersions           []string
	reinvocationPolicy                *admissionregistrationv1.ReinvocationPolicyType
	rules                             []admissionregistrationv1.RuleWithOperations
	matchConditions                   []admissionregistrationv1.MatchCondition
}

func webhooksOf(obj runtime.Object) []webhookFields {
	var out []webhookFields
	switch c := obj.(type) {
	case *admissionregistrationv1.ValidatingWebhookConfiguration:
		for _, h := range c.Webhooks {
			out = append(out, webhookFields{h.Name, h.FailurePolicy, h.MatchPolicy, h.SideEffects, h.TimeoutSeconds,
				h.NamespaceSelector, h.ObjectSelector, h.ClientConfig, h.AdmissionReviewVersions, nil, h.Rules, h.MatchConditions})
		}
	case *admissionregistrationv1.MutatingWebhookConfiguration:
		for _, h := range c.Webhooks {
			out = append(out, webhookFields{h.Name, h.FailurePolicy, h.MatchPolicy, h.SideEffects, h.TimeoutSeconds,
				h.NamespaceSelector, h.ObjectSelector, h.ClientConfig, h.AdmissionReviewVersions, h.ReinvocationPolicy, h.Rules, h.MatchConditions})
		}
	}
	return out
}

type webhookOptions struct {
	requireNoSideEffects, requireRecognizedVersion, requireUniqueNames bool
	allowInvalidLabelValueInSelector, ignoreMatchConditions            bool
	// storedExpressions are the match conditions the stored configuration had.
	storedExpressions sets.Set[string]
}

// sameMatchConditions is upstream's ignore*WebhookMatchConditions: as many
// webhooks, each with the match conditions it had.
func sameMatchConditions(is, was []webhookFields) bool {
	if len(is) != len(was) {
		return false
	}
	for i := range was {
		if !reflect.DeepEqual(is[i].matchConditions, was[i].matchConditions) {
			return false
		}
	}
	return true
}

var (
	supportedFailurePolicies      = sets.New(string(admissionregistrationv1.Ignore), string(admissionregistrationv1.Fail))
	supportedMatchPolicies        = sets.New(string(admissionregistrationv1.Exact), string(admissionregistrationv1.Equivalent))
	supportedReinvocationPolicies = sets.New(string(admissionregistrationv1.NeverReinvocationPolicy), string(admissionregistrationv1.IfNeededReinvocationPolicy))
	supportedSideEffectClasses    = sets.New(string(admissionregistrationv1.SideEffectClassUnknown), string(admissionregistrationv1.SideEffectClassNone),
		string(admissionregistrationv1.SideEffectClassSome), string(admissionregistrationv1.SideEffectClassNoneOnDryRun))
	noSideEffectClasses    = sets.New(string(admissionregistrationv1.SideEffectClassNone), string(admissionregistrationv1.SideEffectClassNoneOnDryRun))
	acceptedReviewVersions = sets.New("v1", "v1beta1")
)

func validateWebhookList(hooks []webhookFields, opts webhookOptions) field.ErrorList {
	var errs field.ErrorList
	names := sets.New[string]()
	for i, h := range hooks {
		path := field.NewPath("webhooks").Index(i)
		errs = append(errs, validateWebhook(h, opts, path)...)
		errs = append(errs, validateReviewVersions(h.admissionReviewVersions, opts.requireRecognizedVersion, path.Child("admissionReviewVersions"))...)
		if opts.requireUniqueNames && h.name != "" {
			if names.Has(h.name) {
				errs = append(errs, field.Duplicate(path.Child("name"), h.name))
			}
			names.Insert(h.name)
		}
	}
	return errs
}

func validateWebhook(h webhookFields, opts webhookOptions, path *field.Path) field.ErrorList {
	errs := utilvalidation.IsFullyQualifiedName(path.Child("name"), h.name)
	for i := range h.rules {
		errs = append(errs, validation.RuleWithOperations(&h.rules[i], path.Child("rules").Index(i))...)
	}
	if h.failurePolicy != nil && !supportedFailurePolicies.Has(string(*h.failurePolicy)) {
		errs = append(errs, field.NotSupported(path.Child("failurePolicy"), *h.failurePolicy, sets.List(supportedFailurePolicies)))
	}
	if h.matchPolicy != nil && !supportedMatchPolicies.Has(string(*h.matchPolicy)) {
		errs = append(errs, field.NotSupported(path.Child("matchPolicy"), *h.matchPolicy, sets.List(supportedMatchPolicies)))
	}
	allowed := supportedSideEffectClasses
	if opts.requireNoSideEffects {
		allowed = noSideEffectClasses
	}
	if h.sideEffects == nil {
		errs = append(errs, field.Required(path.Child("sideEffects"), fmt.Sprintf("must specify one of %v", strings.Join(sets.List(allowed), ", "))))
	} else if !allowed.Has(string(*h.sideEffects)) {
		errs = append(errs, field.NotSupported(path.Child("sideEffects"), *h.sideEffects, sets.List(allowed)))
	}
	if t := h.timeoutSeconds; t != nil && (*t > 30 || *t < 1) {
		errs = append(errs, field.Invalid(path.Child("timeoutSeconds"), *t, "the timeout value must be between 1 and 30 seconds"))
	}
	errs = append(errs, selectorErrors(h, metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector}, path)...)
	if h.reinvocationPolicy != nil && !supportedReinvocationPolicies.Has(string(*h.reinvocationPolicy)) {
		errs = append(errs, field.NotSupported(path.Child("reinvocationPolicy"), *h.reinvocationPolicy, sets.List(supportedReinvocationPolicies)))
	}
	cc := h.clientConfig
	switch {
	case (cc.URL == nil) == (cc.Service == nil):
		errs = append(errs, field.Required(path.Child("clientConfig"), "exactly one of url or service is required"))
	case cc.URL != nil:
		errs = append(errs, webhook.ValidateWebhookURL(path.Child("clientConfig").Child("url"), *cc.URL, true)...)
	default:
		port := int32(443) // defaulted; v1 defaulting sets it
		if cc.Service.Port != nil {
			port = *cc.Service.Port
		}
		// name and namespace are passed in upstream's order.
		errs = append(errs, webhook.ValidateWebhookService(path.Child("clientConfig").Child("service"), cc.Service.Name, cc.Service.Namespace, cc.Service.Path, port)...)
	}
	if !opts.ignoreMatchConditions {
		errs = append(errs, validation.MatchConditions(h.matchConditions, false, opts.storedExpressions, path.Child("matchConditions"))...)
	}
	return errs
}

func selectorErrors(h webhookFields, opts metav1validation.LabelSelectorValidationOptions, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if h.namespaceSelector != nil {
		errs = append(errs, metav1validation.ValidateLabelSelector(h.namespaceSelector, opts, path.Child("namespaceSelector"))...)
	}
	if h.objectSelector != nil {
		errs = append(errs, metav1validation.ValidateLabelSelector(h.objectSelector, opts, path.Child("objectSelector"))...)
	}
	return errs
}

// validateReviewVersions is upstream's validateAdmissionReviewVersions.
func validateReviewVersions(versions []string, requireRecognized bool, path *field.Path) field.ErrorList {
	if len(versions) == 0 {
		return field.ErrorList{field.Required(path, "must specify one of v1, v1beta1")}
	}
	var errs field.ErrorList
	seen := map[string]bool{}
	recognized := false
	for i, v := range versions {
		if seen[v] {
			errs = append(errs, field.Invalid(path.Index(i), v, "duplicate version"))
			continue
		}
		seen[v] = true
		for _, msg := range utilvalidation.IsDNS1035Label(v) {
			errs = append(errs, field.Invalid(path.Index(i), v, msg))
		}
		recognized = recognized || acceptedReviewVersions.Has(v)
	}
	if requireRecognized && !recognized {
		errs = append(errs, field.Invalid(path, versions, "must include at least one of v1, v1beta1"))
	}
	return errs
}

func uniqueNames(hooks []webhookFields) bool {
	names := sets.New[string]()
	for _, h := range hooks {
		if names.Has(h.name) {
			return false
		}
		names.Insert(h.name)
	}
	return true
}
