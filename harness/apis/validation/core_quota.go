package validation

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const isInvalidQuotaResource = "must be a standard resource for quota"

var standardQuotaResources = sets.New(
	corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage,
	corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory, corev1.ResourceRequestsStorage, corev1.ResourceRequestsEphemeralStorage,
	corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory, corev1.ResourceLimitsEphemeralStorage,
	corev1.ResourcePods, corev1.ResourceQuotas, corev1.ResourceServices, corev1.ResourceReplicationControllers,
	corev1.ResourceSecrets, corev1.ResourcePersistentVolumeClaims, corev1.ResourceConfigMaps,
	corev1.ResourceServicesNodePorts, corev1.ResourceServicesLoadBalancers,
)

var standardResourceQuotaScopes = sets.New(
	corev1.ResourceQuotaScopeTerminating, corev1.ResourceQuotaScopeNotTerminating,
	corev1.ResourceQuotaScopeBestEffort, corev1.ResourceQuotaScopeNotBestEffort,
	corev1.ResourceQuotaScopePriorityClass, corev1.ResourceQuotaScopeVolumeAttributesClass,
	corev1.ResourceQuotaScopeCrossNamespacePodAffinity,
)

var (
	podQuotaResources = sets.New(corev1.ResourcePods, corev1.ResourceCPU, corev1.ResourceMemory,
		corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory, corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory)
	pvcQuotaResources = sets.New(corev1.ResourcePersistentVolumeClaims, corev1.ResourceRequestsStorage)
)

func isStandardQuotaResourceName(name corev1.ResourceName) bool {
	return standardQuotaResources.Has(name) || isQuotaHugePageResourceName(name)
}

// isResourceQuotaScopeValidForResource is upstream's helper of that name.
func isResourceQuotaScopeValidForResource(scope corev1.ResourceQuotaScope, name corev1.ResourceName) bool {
	switch scope {
	case corev1.ResourceQuotaScopeTerminating, corev1.ResourceQuotaScopeNotTerminating, corev1.ResourceQuotaScopeNotBestEffort,
		corev1.ResourceQuotaScopePriorityClass, corev1.ResourceQuotaScopeCrossNamespacePodAffinity:
		return podQuotaResources.Has(name)
	case corev1.ResourceQuotaScopeBestEffort:
		return name == corev1.ResourcePods
	case corev1.ResourceQuotaScopeVolumeAttributesClass:
		return pvcQuotaResources.Has(name)
	}
	return true
}

// quotaResourceName is upstream's ValidateResourceQuotaResourceName.
func quotaResourceName(value corev1.ResourceName, fldPath *field.Path) field.ErrorList {
	errs := resourceName(value, fldPath)
	if !strings.Contains(string(value), "/") && !isStandardQuotaResourceName(value) {
		return append(errs, field.Invalid(fldPath, value, isInvalidQuotaResource))
	}
	return errs
}

// quotaResources validates a quota's resource list (spec.hard,
// status.hard, status.used).
func quotaResources(list corev1.ResourceList, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, k := range sortedResourceNames(list) {
		resPath := fldPath.Key(string(k))
		errs = append(errs, quotaResourceName(k, resPath)...)
		errs = append(errs, resourceQuantityValue(k, list[k], resPath)...)
	}
	return errs
}

var invalidScopePairs = []sets.Set[corev1.ResourceQuotaScope]{
	sets.New(corev1.ResourceQuotaScopeBestEffort, corev1.ResourceQuotaScopeNotBestEffort),
	sets.New(corev1.ResourceQuotaScopeTerminating, corev1.ResourceQuotaScopeNotTerminating),
}

// ResourceQuota is upstream's ValidateResourceQuota below metadata.
func ResourceQuota(q *corev1.ResourceQuota) field.ErrorList {
	errs := resourceQuotaSpec(&q.Spec, field.NewPath("spec"))
	errs = append(errs, quotaResources(q.Status.Hard, field.NewPath("status", "hard"))...)
	return append(errs, quotaResources(q.Status.Used, field.NewPath("status", "used"))...)
}

// ResourceQuotaUpdate is upstream's ValidateResourceQuotaUpdate: the spec
// is valid and its scopes do not change.
func ResourceQuotaUpdate(q, old *corev1.ResourceQuota) field.ErrorList {
	errs := resourceQuotaSpec(&q.Spec, field.NewPath("spec"))
	newScopes, oldScopes := sets.New(q.Spec.Scopes...), sets.New(old.Spec.Scopes...)
	if !oldScopes.Equal(newScopes) {
		errs = append(errs, field.Invalid(field.NewPath("spec", "scopes"), q.Spec.Scopes, apimachineryvalidation.FieldImmutableErrorMsg))
	}
	return errs
}

// ResourceQuotaStatusUpdate is upstream's ValidateResourceQuotaStatusUpdate.
func ResourceQuotaStatusUpdate(q, _ *corev1.ResourceQuota) field.ErrorList {
	var errs field.ErrorList
	if len(q.ResourceVersion) == 0 {
		errs = append(errs, field.Required(field.NewPath("resourceVersion"), ""))
	}
	errs = append(errs, quotaResources(q.Status.Hard, field.NewPath("status", "hard"))...)
	return append(errs, quotaResources(q.Status.Used, field.NewPath("status", "used"))...)
}

func resourceQuotaSpec(spec *corev1.ResourceQuotaSpec, fld *field.Path) field.ErrorList {
	errs := quotaResources(spec.Hard, fld.Child("hard"))
	hard := sortedResourceNames(spec.Hard)
	if len(spec.Scopes) > 0 {
		fldPath := fld.Child("scopes")
		scopeSet := sets.New[corev1.ResourceQuotaScope]()
		for _, scope := range spec.Scopes {
			if !standardResourceQuotaScopes.Has(scope) {
				errs = append(errs, field.Invalid(fldPath, spec.Scopes, "unsupported scope"))
			}
			for _, k := range hard {
				if isStandardQuotaResourceName(k) && !isResourceQuotaScopeValidForResource(scope, k) {
					errs = append(errs, field.Invalid(fldPath, spec.Scopes, "unsupported scope applied to resource"))
				}
			}
			scopeSet.Insert(scope)
		}
		for _, pair := range invalidScopePairs {
			if scopeSet.HasAll(sets.List(pair)...) {
				errs = append(errs, field.Invalid(fldPath, spec.Scopes, "conflicting scopes"))
			}
		}
	}
	if spec.ScopeSelector != nil {
		fldPath := fld.Child("scopeSelector", "matchExpressions")
		scopeSet := sets.New[corev1.ResourceQuotaScope]()
		for _, req := range spec.ScopeSelector.MatchExpressions {
			if !standardResourceQuotaScopes.Has(req.ScopeName) {
				errs = append(errs, field.Invalid(fldPath.Child("scopeName"), req.ScopeName, "unsupported scope"))
			}
			for _, k := range hard {
				if isStandardQuotaResourceName(k) && !isResourceQuotaScopeValidForResource(req.ScopeName, k) {
					errs = append(errs, field.Invalid(fldPath, spec.ScopeSelector, "unsupported scope applied to resource"))
				}
			}
			switch req.ScopeName {
			case corev1.ResourceQuotaScopeBestEffort, corev1.ResourceQuotaScopeNotBestEffort, corev1.ResourceQuotaScopeTerminating,
				corev1.ResourceQuotaScopeNotTerminating, corev1.ResourceQuotaScopeCrossNamespacePodAffinity:
				if req.Operator != corev1.ScopeSelectorOpExists {
					errs = append(errs, field.Invalid(fldPath.Child("operator"), req.Operator,
						"must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"))
				}
			}
			switch req.Operator {
			case corev1.ScopeSelectorOpIn, corev1.ScopeSelectorOpNotIn:
				if len(req.Values) == 0 {
					errs = append(errs, field.Required(fldPath.Child("values"), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"))
				}
			case corev1.ScopeSelectorOpExists, corev1.ScopeSelectorOpDoesNotExist:
				if len(req.Values) != 0 {
					errs = append(errs, field.Invalid(fldPath.Child("values"), req.Values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"))
				}
			default:
				errs = append(errs, field.Invalid(fldPath.Child("operator"), req.Operator, "not a valid selector operator"))
			}
			scopeSet.Insert(req.ScopeName)
		}
		for _, pair := range invalidScopePairs {
			if scopeSet.HasAll(sets.List(pair)...) {
				// upstream reports spec.scopes' value here.
				errs = append(errs, field.Invalid(fldPath, spec.Scopes, "conflicting scopes"))
			}
		}
	}
	return errs
}

var standardLimitRangeTypes = sets.New(corev1.LimitTypePod, corev1.LimitTypeContainer, corev1.LimitTypePersistentVolumeClaim)

func limitRangeTypeName(value corev1.LimitType, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsQualifiedName(string(value)) {
		errs = append(errs, field.Invalid(fldPath, value, msg))
	}
	if len(errs) != 0 {
		return errs
	}
	if !strings.Contains(string(value), "/") && !standardLimitRangeTypes.Has(value) {
		return append(errs, field.Invalid(fldPath, value, "must be a standard limit type or fully qualified"))
	}
	return errs
}

func limitRangeResourceName(limitType corev1.LimitType, value corev1.ResourceName, fldPath *field.Path) field.ErrorList {
	if limitType == corev1.LimitTypePod || limitType == corev1.LimitTypeContainer {
		return containerResourceName(value, fldPath)
	}
	return resourceName(value, fldPath)
}

// LimitRange is upstream's ValidateLimitRange below metadata: known or
// qualified types, once each; resource names for the type; and per
// resource min <= defaultRequest <= default <= max, and a
// maxLimitRequestRatio of at least 1 and at most max/min.
func LimitRange(lr *corev1.LimitRange) field.ErrorList {
	var errs field.ErrorList
	limitTypeSet := map[corev1.LimitType]bool{}
	fldPath := field.NewPath("spec", "limits")
	for i := range lr.Spec.Limits {
		idxPath := fldPath.Index(i)
		limit := &lr.Spec.Limits[i]
		errs = append(errs, limitRangeTypeName(limit.Type, idxPath.Child("type"))...)
		if limitTypeSet[limit.Type] {
			errs = append(errs, field.Duplicate(idxPath.Child("type"), limit.Type))
		}
		limitTypeSet[limit.Type] = true

		keys := sets.Set[string]{}
		collect := func(list corev1.ResourceList, name string) map[string]resource.Quantity {
			out := map[string]resource.Quantity{}
			for _, k := range sortedResourceNames(list) {
				errs = append(errs, limitRangeResourceName(limit.Type, k, idxPath.Child(name).Key(string(k)))...)
				keys.Insert(string(k))
				out[string(k)] = list[k]
			}
			return out
		}
		maxQ := collect(limit.Max, "max")
		minQ := collect(limit.Min, "min")
		defaults, defaultRequests := map[string]resource.Quantity{}, map[string]resource.Quantity{}
		if limit.Type == corev1.LimitTypePod {
			if len(limit.Default) > 0 {
				errs = append(errs, field.Forbidden(idxPath.Child("default"), "may not be specified when `type` is 'Pod'"))
			}
			if len(limit.DefaultRequest) > 0 {
				errs = append(errs, field.Forbidden(idxPath.Child("defaultRequest"), "may not be specified when `type` is 'Pod'"))
			}
		} else {
			defaults = collect(limit.Default, "default")
			defaultRequests = collect(limit.DefaultRequest, "defaultRequest")
		}
		if limit.Type == corev1.LimitTypePersistentVolumeClaim {
			_, minFound := limit.Min[corev1.ResourceStorage]
			_, maxFound := limit.Max[corev1.ResourceStorage]
			if !minFound && !maxFound {
				errs = append(errs, field.Required(idxPath.Child("limits"), "either minimum or maximum storage value is required, but neither was provided"))
			}
		}
		ratios := collect(limit.MaxLimitRequestRatio, "maxLimitRequestRatio")

		for _, k := range sets.List(keys) {
			minQuantity, minFound := minQ[k]
			maxQuantity, maxFound := maxQ[k]
			defaultQuantity, defaultFound := defaults[k]
			defaultRequestQuantity, defaultRequestFound := defaultRequests[k]
			maxRatio, maxRatioFound := ratios[k]

			if minFound && maxFound && minQuantity.Cmp(maxQuantity) > 0 {
				errs = append(errs, field.Invalid(idxPath.Child("min").Key(k), minQuantity, fmt.Sprintf("min value %s is greater than max value %s", minQuantity.String(), maxQuantity.String())))
			}
			if defaultRequestFound && minFound && minQuantity.Cmp(defaultRequestQuantity) > 0 {
				errs = append(errs, field.Invalid(idxPath.Child("defaultRequest").Key(k), defaultRequestQuantity, fmt.Sprintf("min value %s is greater than default request value %s", minQuantity.String(), defaultRequestQuantity.String())))
			}
			if defaultRequestFound && maxFound && defaultRequestQuantity.Cmp(maxQuantity) > 0 {
				errs = append(errs, field.Invalid(idxPath.Child("defaultRequest").Key(k), defaultRequestQuantity, fmt.Sprintf("default request value %s is greater than max value %s", defaultRequestQuantity.String(), maxQuantity.String())))
			}
			if defaultRequestFound && defaultFound && defaultRequestQuantity.Cmp(defaultQuantity) > 0 {
				errs = append(errs, field.Invalid(idxPath.Child("defaultRequest").Key(k), defaultRequestQuantity, fmt.Sprintf("default request value %s is greater than default limit value %s", defaultRequestQuantity.String(), defaultQuantity.String())))
			}
			if defaultFound && minFound && minQuantity.Cmp(defaultQuantity) > 0 {
				errs = append(errs, field.Invalid(idxPath.Child("default").Key(k), minQuantity, fmt.Sprintf("min value %s is greater than default value %s", minQuantity.String(), defaultQuantity.String())))
			}
			if defaultFound && maxFound && defaultQuantity.Cmp(maxQuantity) > 0 {
				errs = append(errs, field.Invalid(idxPath.Child("default").Key(k), maxQuantity, fmt.Sprintf("default value %s is greater than max value %s", defaultQuantity.String(), maxQuantity.String())))
			}
			if maxRatioFound && maxRatio.Cmp(*resource.NewQuantity(1, resource.DecimalSI)) < 0 {
				errs = append(errs, field.Invalid(idxPath.Child("maxLimitRequestRatio").Key(k), maxRatio, fmt.Sprintf("ratio %s is less than 1", maxRatio.String())))
			}
			if maxRatioFound && minFound && maxFound {
				maxRatioValue := float64(maxRatio.Value())
				minValue, maxValue := minQuantity.Value(), maxQuantity.Value()
				if maxRatio.Value() < resource.MaxMilliValue && minValue < resource.MaxMilliValue && maxValue < resource.MaxMilliValue {
					maxRatioValue = float64(maxRatio.MilliValue()) / 1000
					minValue, maxValue = minQuantity.MilliValue(), maxQuantity.MilliValue()
				}
				maxRatioLimit := float64(maxValue) / float64(minValue)
				if maxRatioValue > maxRatioLimit {
					errs = append(errs, field.Invalid(idxPath.Child("maxLimitRequestRatio").Key(k), maxRatio, fmt.Sprintf("ratio %s is greater than max/min = %f", maxRatio.String(), maxRatioLimit)))
				}
			}
			// resources that may not overcommit (hugepages, extended
			// resources) need default == defaultRequest.
			if !isOvercommitAllowed(corev1.ResourceName(k)) && defaultFound && defaultRequestFound && defaultQuantity.Cmp(defaultRequestQuantity) != 0 {
				errs = append(errs, field.Invalid(idxPath.Child("defaultRequest").Key(k), defaultRequestQuantity, fmt.Sprintf("default value %s must equal to defaultRequest value %s in %s", defaultQuantity.String(), defaultRequestQuantity.String(), k)))
			}
		}
	}
	return errs
}
