package validation

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// affinity is upstream's validateAffinity.
func affinity(a *corev1.Affinity, opts podOptions, fldPath *field.Path) field.ErrorList {
	if a == nil {
		return nil
	}
	var errs field.ErrorList
	if na := a.NodeAffinity; na != nil {
		p := fldPath.Child("nodeAffinity")
		if na.RequiredDuringSchedulingIgnoredDuringExecution != nil {
			errs = append(errs, NodeSelector(na.RequiredDuringSchedulingIgnoredDuringExecution, opts.allowInvalidLabelValueInRequiredNodeAffinity, p.Child("requiredDuringSchedulingIgnoredDuringExecution"))...)
		}
		for i, term := range na.PreferredDuringSchedulingIgnoredDuringExecution {
			tp := p.Child("preferredDuringSchedulingIgnoredDuringExecution").Index(i)
			if term.Weight <= 0 || term.Weight > 100 {
				errs = append(errs, field.Invalid(tp.Child("weight"), term.Weight, "must be in the range 1-100"))
			}
			// invalid label values are allowed in preferred terms.
			errs = append(errs, nodeSelectorTerm(term.Preference, true, tp.Child("preference"))...)
		}
	}
	if pa := a.PodAffinity; pa != nil {
		p := fldPath.Child("podAffinity")
		errs = append(errs, podAffinityTerms(pa.RequiredDuringSchedulingIgnoredDuringExecution, opts, p.Child("requiredDuringSchedulingIgnoredDuringExecution"))...)
		errs = append(errs, weightedPodAffinityTerms(pa.PreferredDuringSchedulingIgnoredDuringExecution, opts, p.Child("preferredDuringSchedulingIgnoredDuringExecution"))...)
	}
	if pa := a.PodAntiAffinity; pa != nil {
		p := fldPath.Child("podAntiAffinity")
		errs = append(errs, podAffinityTerms(pa.RequiredDuringSchedulingIgnoredDuringExecution, opts, p.Child("requiredDuringSchedulingIgnoredDuringExecution"))...)
		errs = append(errs, weightedPodAffinityTerms(pa.PreferredDuringSchedulingIgnoredDuringExecution, opts, p.Child("preferredDuringSchedulingIgnoredDuringExecution"))...)
	}
	return errs
}

// NodeSelector is upstream's ValidateNodeSelector (node affinity, and
// PersistentVolume node affinity): at least one term, each valid.
func NodeSelector(ns *corev1.NodeSelector, allowInvalidLabelValue bool, fldPath *field.Path) field.ErrorList {
	termsPath := fldPath.Child("nodeSelectorTerms")
	if len(ns.NodeSelectorTerms) == 0 {
		return field.ErrorList{field.Required(termsPath, "must have at least one node selector term")}
	}
	var errs field.ErrorList
	for i, term := range ns.NodeSelectorTerms {
		errs = append(errs, nodeSelectorTerm(term, allowInvalidLabelValue, termsPath.Index(i))...)
	}
	return errs
}

func nodeSelectorTerm(term corev1.NodeSelectorTerm, allowInvalidLabelValue bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for j, req := range term.MatchExpressions {
		errs = append(errs, nodeSelectorRequirement(req, allowInvalidLabelValue, fldPath.Child("matchExpressions").Index(j))...)
	}
	for j, req := range term.MatchFields {
		p := fldPath.Child("matchFields").Index(j)
		switch req.Operator {
		case corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn:
			if len(req.Values) != 1 {
				errs = append(errs, field.Required(p.Child("values"), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
			}
		default:
			errs = append(errs, field.Invalid(p.Child("operator"), req.Operator, "not a valid selector operator"))
		}
		if req.Key != metav1.ObjectNameField {
			errs = append(errs, field.Invalid(p.Child("key"), req.Key, "not a valid field selector key"))
		} else {
			for i, v := range req.Values {
				for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(v, false) {
					errs = append(errs, field.Invalid(p.Child("values").Index(i), v, msg))
				}
			}
		}
	}
	return errs
}

func nodeSelectorRequirement(rq corev1.NodeSelectorRequirement, allowInvalidLabelValue bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch rq.Operator {
	case corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn:
		if len(rq.Values) == 0 {
			errs = append(errs, field.Required(fldPath.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
		}
	case corev1.NodeSelectorOpExists, corev1.NodeSelectorOpDoesNotExist:
		if len(rq.Values) > 0 {
			errs = append(errs, field.Forbidden(fldPath.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
		}
	case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
		if len(rq.Values) != 1 {
			errs = append(errs, field.Required(fldPath.Child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"))
		}
	default:
		errs = append(errs, field.Invalid(fldPath.Child("operator"), rq.Operator, "not a valid selector operator"))
	}
	errs = append(errs, metav1validation.ValidateLabelName(rq.Key, fldPath.Child("key"))...)
	if !allowInvalidLabelValue {
		for i, value := range rq.Values {
			for _, msg := range validation.IsValidLabelValue(value) {
				errs = append(errs, field.Invalid(fldPath.Child("values").Index(i), value, msg).WithOrigin("format=k8s-label-value"))
			}
		}
	}
	return errs
}

func podAffinityTerms(terms []corev1.PodAffinityTerm, opts podOptions, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, term := range terms {
		errs = append(errs, podAffinityTerm(term, opts, fldPath.Index(i))...)
	}
	return errs
}

func weightedPodAffinityTerms(terms []corev1.WeightedPodAffinityTerm, opts podOptions, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for j, term := range terms {
		if term.Weight <= 0 || term.Weight > 100 {
			errs = append(errs, field.Invalid(fldPath.Index(j).Child("weight"), term.Weight, "must be in the range 1-100"))
		}
		errs = append(errs, podAffinityTerm(term.PodAffinityTerm, opts, fldPath.Index(j).Child("podAffinityTerm"))...)
	}
	return errs
}

func podAffinityTerm(term corev1.PodAffinityTerm, opts podOptions, fldPath *field.Path) field.ErrorList {
	selOpts := metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector}
	errs := metav1validation.ValidateLabelSelector(term.LabelSelector, selOpts, fldPath.Child("labelSelector"))
	errs = append(errs, metav1validation.ValidateLabelSelector(term.NamespaceSelector, selOpts, fldPath.Child("namespaceSelector"))...)
	for _, name := range term.Namespaces {
		for _, msg := range apimachineryvalidation.ValidateNamespaceName(name, false) {
			errs = append(errs, field.Invalid(fldPath.Child("namespace"), name, msg))
		}
	}
	errs = append(errs, matchLabelKeysAndMismatchLabelKeys(fldPath, term.MatchLabelKeys, term.MismatchLabelKeys, term.LabelSelector)...)
	if term.TopologyKey == "" {
		errs = append(errs, field.Required(fldPath.Child("topologyKey"), "can not be empty"))
	}
	return append(errs, metav1validation.ValidateLabelName(term.TopologyKey, fldPath.Child("topologyKey"))...)
}

// matchLabelKeysAndMismatchLabelKeys is upstream's
// ValidateMatchLabelKeysAndMismatchLabelKeys.
func matchLabelKeysAndMismatchLabelKeys(fldPath *field.Path, matchLabelKeys, mismatchLabelKeys []string, selector *metav1.LabelSelector) field.ErrorList {
	errs := labelKeys(fldPath.Child("matchLabelKeys"), matchLabelKeys, selector)
	errs = append(errs, labelKeys(fldPath.Child("mismatchLabelKeys"), mismatchLabelKeys, selector)...)
	if selector != nil {
		index := map[string]int{}
		for i, key := range matchLabelKeys {
			index[key] = i
		}
		keys := sets.New[string]()
		for key := range selector.MatchLabels {
			keys.Insert(key)
		}
		for _, expr := range selector.MatchExpressions {
			if i, ok := index[expr.Key]; ok && keys.Has(expr.Key) {
				// sic: upstream's path indexes fldPath itself.
				errs = append(errs, field.Invalid(fldPath.Index(i), expr.Key, "exists in both matchLabelKeys and labelSelector").WithOrigin("duplicatedLabelKeys"))
			}
			keys.Insert(expr.Key)
		}
	}
	mismatch := sets.New(mismatchLabelKeys...)
	for i, k := range matchLabelKeys {
		if mismatch.Has(k) {
			errs = append(errs, field.Invalid(fldPath.Child("matchLabelKeys").Index(i), k, "exists in both matchLabelKeys and mismatchLabelKeys").WithOrigin("duplicatedMismatchLabelKeys"))
		}
	}
	return errs
}

func labelKeys(fldPath *field.Path, keys []string, selector *metav1.LabelSelector) field.ErrorList {
	if len(keys) == 0 {
		return nil
	}
	if selector == nil {
		return field.ErrorList{field.Forbidden(fldPath, "must not be specified when labelSelector is not set")}
	}
	var errs field.ErrorList
	for i, key := range keys {
		errs = append(errs, metav1validation.ValidateLabelName(key, fldPath.Index(i))...)
	}
	return errs
}

var (
	supportedScheduleActions   = sets.New(corev1.DoNotSchedule, corev1.ScheduleAnyway)
	supportedNodeInclusionPols = sets.New(corev1.NodeInclusionPolicyIgnore, corev1.NodeInclusionPolicyHonor)
)

// topologySpreadConstraints is upstream's validateTopologySpreadConstraints
// with MatchLabelKeysInPodTopologySpread and its SelectorMerge on.
func topologySpreadConstraints(constraints []corev1.TopologySpreadConstraint, fldPath *field.Path, opts podOptions) field.ErrorList {
	var errs field.ErrorList
	for i, c := range constraints {
		p := fldPath.Index(i)
		errs = append(errs, positive(int64(c.MaxSkew), p.Child("maxSkew"))...)
		if c.TopologyKey == "" {
			errs = append(errs, field.Required(p.Child("topologyKey"), "can not be empty"))
		}
		if !supportedScheduleActions.Has(c.WhenUnsatisfiable) {
			errs = append(errs, field.NotSupported(p.Child("whenUnsatisfiable"), c.WhenUnsatisfiable, sets.List(supportedScheduleActions)))
		}
		for _, rest := range constraints[i+1:] {
			if c.TopologyKey == rest.TopologyKey && c.WhenUnsatisfiable == rest.WhenUnsatisfiable {
				errs = append(errs, field.Duplicate(p.Child("{topologyKey, whenUnsatisfiable}"), fmt.Sprintf("{%v, %v}", c.TopologyKey, c.WhenUnsatisfiable)))
				break
			}
		}
		if c.MinDomains != nil {
			errs = append(errs, positive(int64(*c.MinDomains), p.Child("minDomains"))...)
			if c.WhenUnsatisfiable != corev1.DoNotSchedule {
				errs = append(errs, field.Invalid(p.Child("minDomains"), c.MinDomains, fmt.Sprintf("can only use minDomains if whenUnsatisfiable=%s, not %s", corev1.DoNotSchedule, c.WhenUnsatisfiable)).WithOrigin("dependsOn"))
			}
		}
		if c.NodeAffinityPolicy != nil && !supportedNodeInclusionPols.Has(*c.NodeAffinityPolicy) {
			errs = append(errs, field.NotSupported(p.Child("nodeAffinityPolicy"), c.NodeAffinityPolicy, sets.List(supportedNodeInclusionPols)))
		}
		if c.NodeTaintsPolicy != nil && !supportedNodeInclusionPols.Has(*c.NodeTaintsPolicy) {
			errs = append(errs, field.NotSupported(p.Child("nodeTaintsPolicy"), c.NodeTaintsPolicy, sets.List(supportedNodeInclusionPols)))
		}
		if opts.oldPodViolatesMatchLabelKeysValidation {
			errs = append(errs, legacyMatchLabelKeys(p.Child("matchLabelKeys"), c.MatchLabelKeys, c.LabelSelector)...)
		} else {
			errs = append(errs, matchLabelKeysAndMismatchLabelKeys(p, c.MatchLabelKeys, nil, c.LabelSelector)...)
		}
		if !opts.allowInvalidTopologySpreadConstraintLabelSelector {
			errs = append(errs, metav1validation.ValidateLabelSelector(c.LabelSelector, metav1validation.LabelSelectorValidationOptions{}, p.Child("labelSelector"))...)
		}
	}
	return errs
}

// legacyMatchLabelKeys is upstream's ValidateMatchLabelKeysInTopologySpread,
// used for pods created before the selector merge that violate the new rule.
func legacyMatchLabelKeys(fldPath *field.Path, matchLabelKeys []string, selector *metav1.LabelSelector) field.ErrorList {
	if len(matchLabelKeys) == 0 {
		return nil
	}
	var errs field.ErrorList
	keys := sets.New[string]()
	if selector != nil {
		for key := range selector.MatchLabels {
			keys.Insert(key)
		}
		for _, expr := range selector.MatchExpressions {
			keys.Insert(expr.Key)
		}
	} else {
		errs = append(errs, field.Forbidden(fldPath, "must not be specified when labelSelector is not set"))
	}
	for i, key := range matchLabelKeys {
		errs = append(errs, metav1validation.ValidateLabelName(key, fldPath.Index(i))...)
		if keys.Has(key) {
			errs = append(errs, field.Invalid(fldPath.Index(i), key, "exists in both matchLabelKeys and labelSelector").WithOrigin("duplicatedLabelKeys"))
		}
	}
	return errs
}

// Tolerations is upstream's ValidateTolerations (pods and RuntimeClasses).
// allowComparison allows the Lt and Gt operators (TaintTolerationComparisonOperators
// is alpha in v1.37: only where the old object used them).
func Tolerations(tolerations []corev1.Toleration, fldPath *field.Path, allowComparison bool) field.ErrorList {
	var errs field.ErrorList
	for i, t := range tolerations {
		p := fldPath.Index(i)
		if t.Key != "" {
			errs = append(errs, metav1validation.ValidateLabelName(t.Key, p.Child("key"))...)
		}
		if t.Key == "" && t.Operator != corev1.TolerationOpExists {
			errs = append(errs, field.Invalid(p.Child("operator"), t.Operator, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
		}
		if t.TolerationSeconds != nil && t.Effect != corev1.TaintEffectNoExecute {
			errs = append(errs, field.Invalid(p.Child("effect"), t.Effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
		}
		switch t.Operator {
		case corev1.TolerationOpEqual, "":
			if msgs := validation.IsValidLabelValue(t.Value); len(msgs) != 0 {
				errs = append(errs, field.Invalid(p.Child("operator"), t.Value, strings.Join(msgs, ";")))
			}
		case corev1.TolerationOpExists:
			if t.Value != "" {
				errs = append(errs, field.Invalid(p.Child("operator"), t.Value, "value must be empty when `operator` is 'Exists'"))
			}
		case corev1.TolerationOpLt, corev1.TolerationOpGt:
			if !allowComparison {
				errs = append(errs, field.NotSupported(p.Child("operator"), t.Operator, []corev1.TolerationOperator{corev1.TolerationOpEqual, corev1.TolerationOpExists, corev1.TolerationOpLt, corev1.TolerationOpGt}))
				break
			}
			for _, msg := range content.IsDecimalInteger(t.Value) {
				errs = append(errs, field.Invalid(p.Child("value"), t.Value, msg))
			}
			if _, err := strconv.ParseInt(t.Value, 10, 64); err != nil {
				errs = append(errs, field.Invalid(p.Child("value"), t.Value, err.Error()))
			}
		default:
			errs = append(errs, field.NotSupported(p.Child("operator"), t.Operator, []corev1.TolerationOperator{corev1.TolerationOpEqual, corev1.TolerationOpExists}))
		}
		if t.Effect != "" {
			switch t.Effect {
			case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
			default:
				errs = append(errs, field.NotSupported(p.Child("effect"), t.Effect, []corev1.TaintEffect{corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute}))
			}
		}
	}
	return errs
}

// onlyAddedTolerations is upstream's validateOnlyAddedTolerations: existing
// tolerations stay (their tolerationSeconds may change).
func onlyAddedTolerations(tolerations, old []corev1.Toleration, fldPath *field.Path, allowComparison bool) field.ErrorList {
	for _, o := range old {
		found := false
		for _, t := range tolerations {
			clone := *o.DeepCopy()
			clone.TolerationSeconds = t.TolerationSeconds
			if reflect.DeepEqual(clone, t) {
				found = true
				break
			}
		}
		if !found {
			return field.ErrorList{field.Forbidden(fldPath, "existing toleration can not be modified except its tolerationSeconds")}
		}
	}
	return Tolerations(tolerations, fldPath, allowComparison)
}
