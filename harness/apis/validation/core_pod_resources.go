package validation

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	resourcehelper "k8s.io/component-helpers/resource"
)

// Resource names, as upstream's pkg/apis/core/helper. ResourceQuota and
// LimitRange validation need the same predicates.

var standardContainerResources = sets.New(corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage)

var standardResources = sets.New(
	corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage,
	corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory, corev1.ResourceRequestsEphemeralStorage,
	corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory, corev1.ResourceLimitsEphemeralStorage,
	corev1.ResourcePods, corev1.ResourceQuotas, corev1.ResourceServices, corev1.ResourceReplicationControllers,
	corev1.ResourceSecrets, corev1.ResourceConfigMaps, corev1.ResourcePersistentVolumeClaims, corev1.ResourceStorage,
	corev1.ResourceRequestsStorage, corev1.ResourceServicesNodePorts, corev1.ResourceServicesLoadBalancers,
)

var integerResources = sets.New(
	corev1.ResourcePods, corev1.ResourceQuotas, corev1.ResourceServices, corev1.ResourceReplicationControllers,
	corev1.ResourceSecrets, corev1.ResourceConfigMaps, corev1.ResourcePersistentVolumeClaims,
	corev1.ResourceServicesNodePorts, corev1.ResourceServicesLoadBalancers,
)

func isHugePageResourceName(name corev1.ResourceName) bool {
	return strings.HasPrefix(string(name), corev1.ResourceHugePagesPrefix)
}

func isQuotaHugePageResourceName(name corev1.ResourceName) bool {
	return isHugePageResourceName(name) || strings.HasPrefix(string(name), corev1.ResourceRequestsHugePagesPrefix)
}

func isHugePageResourceValueDivisible(name corev1.ResourceName, quantity resource.Quantity) bool {
	pageSize, err := resource.ParseQuantity(strings.TrimPrefix(string(name), corev1.ResourceHugePagesPrefix))
	if err != nil || pageSize.Sign() <= 0 || pageSize.MilliValue()%1000 != 0 {
		return false
	}
	return quantity.Value()%pageSize.Value() == 0
}

func isNativeResource(name corev1.ResourceName) bool {
	return !strings.Contains(string(name), "/") || strings.Contains(string(name), corev1.ResourceDefaultNamespacePrefix)
}

func isExtendedResourceName(name corev1.ResourceName) bool {
	if isNativeResource(name) || strings.HasPrefix(string(name), corev1.DefaultResourceRequestsPrefix) {
		return false
	}
	return len(validation.IsQualifiedName(corev1.DefaultResourceRequestsPrefix+string(name))) == 0
}

func isStandardResourceName(name corev1.ResourceName) bool {
	return standardResources.Has(name) || isQuotaHugePageResourceName(name)
}

func isIntegerResourceName(name corev1.ResourceName) bool {
	return integerResources.Has(name) || isExtendedResourceName(name)
}

func isOvercommitAllowed(name corev1.ResourceName) bool {
	return isNativeResource(name) && !isHugePageResourceName(name)
}

// resourceName is upstream's validateResourceName.
func resourceName(value corev1.ResourceName, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsQualifiedName(string(value)) {
		errs = append(errs, field.Invalid(fldPath, value, msg))
	}
	if len(errs) != 0 {
		return errs
	}
	if !strings.Contains(string(value), "/") && !isStandardResourceName(value) {
		return append(errs, field.Invalid(fldPath, value, "must be a standard resource type or fully qualified"))
	}
	return errs
}

// containerResourceName is upstream's ValidateContainerResourceName.
func containerResourceName(value corev1.ResourceName, fldPath *field.Path) field.ErrorList {
	errs := resourceName(value, fldPath)
	if !strings.Contains(string(value), "/") {
		if !standardContainerResources.Has(value) && !isHugePageResourceName(value) {
			return append(errs, field.Invalid(fldPath, value, "must be a standard resource for containers"))
		}
	} else if !isNativeResource(value) && !isExtendedResourceName(value) {
		return append(errs, field.Invalid(fldPath, value, "doesn't follow extended resource name standard"))
	}
	return errs
}

// podResourceName is upstream's validatePodResourceName (pod-level resources).
func podResourceName(value corev1.ResourceName, fldPath *field.Path) field.ErrorList {
	errs := resourceName(value, fldPath)
	if len(errs) != 0 {
		return errs
	}
	if !resourcehelper.IsSupportedPodLevelResource(value) {
		return append(errs, field.NotSupported(fldPath, value, sets.List(resourcehelper.SupportedPodLevelResources())))
	}
	return errs
}

// resourceQuantityValue is upstream's ValidateResourceQuantityValue.
func resourceQuantityValue(name corev1.ResourceName, value resource.Quantity, fldPath *field.Path) field.ErrorList {
	errs := nonNegativeQuantity(value, fldPath)
	if isIntegerResourceName(name) && value.MilliValue()%1000 != 0 {
		errs = append(errs, field.Invalid(fldPath, value, "must be an integer"))
	}
	return errs
}

// sortedResourceNames orders a ResourceList's keys so that errors come in a
// stable order (upstream ranges over the map).
func sortedResourceNames(list corev1.ResourceList) []corev1.ResourceName {
	out := make([]corev1.ResourceName, 0, len(list))
	for name := range list {
		out = append(out, name)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// resourceRequirements is upstream's validateResourceRequirements: names,
// quantities, requests within limits, hugepages rules and claim names.
func resourceRequirements(req *corev1.ResourceRequirements, nameFn func(corev1.ResourceName, *field.Path) field.ErrorList, podClaimNames sets.Set[string], fldPath *field.Path, opts podOptions) field.ErrorList {
	var errs field.ErrorList
	limPath, reqPath := fldPath.Child("limits"), fldPath.Child("requests")
	limCPUOrMemory, reqCPUOrMemory, limHugePages, reqHugePages := false, false, false, false
	qos := sets.New(corev1.ResourceCPU, corev1.ResourceMemory)
	for _, name := range sortedResourceNames(req.Limits) {
		quantity := req.Limits[name]
		p := limPath.Key(string(name))
		errs = append(errs, nameFn(name, p)...)
		errs = append(errs, resourceQuantityValue(name, quantity, p)...)
		if isHugePageResourceName(name) {
			limHugePages = true
			if err := hugePageValue(name, quantity, opts); err != nil {
				errs = append(errs, field.Invalid(p, quantity.String(), err.Error()))
			}
		}
		if qos.Has(name) {
			limCPUOrMemory = true
		}
	}
	for _, name := range sortedResourceNames(req.Requests) {
		quantity := req.Requests[name]
		p := reqPath.Key(string(name))
		errs = append(errs, nameFn(name, p)...)
		errs = append(errs, resourceQuantityValue(name, quantity, p)...)
		if limit, ok := req.Limits[name]; ok {
			if quantity.Cmp(limit) != 0 && !isOvercommitAllowed(name) {
				errs = append(errs, field.Invalid(reqPath, quantity.String(), fmt.Sprintf("must be equal to %s limit of %s", name, limit.String())))
			} else if quantity.Cmp(limit) > 0 {
				errs = append(errs, field.Invalid(reqPath, quantity.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", name, limit.String())))
			}
		} else if !isOvercommitAllowed(name) {
			errs = append(errs, field.Required(limPath, "Limit must be set for non overcommitable resources"))
		}
		if isHugePageResourceName(name) {
			reqHugePages = true
			if err := hugePageValue(name, quantity, opts); err != nil {
				errs = append(errs, field.Invalid(p, quantity.String(), err.Error()))
			}
		}
		if qos.Has(name) {
			reqCPUOrMemory = true
		}
	}
	if !limCPUOrMemory && !reqCPUOrMemory && (reqHugePages || limHugePages) {
		errs = append(errs, field.Forbidden(fldPath, "HugePages require cpu or memory"))
	}
	return append(errs, resourceClaimNames(req.Claims, podClaimNames, fldPath.Child("claims"))...)
}

func hugePageValue(name corev1.ResourceName, quantity resource.Quantity, opts podOptions) error {
	if !opts.allowIndivisibleHugePagesValues && !isHugePageResourceValueDivisible(name, quantity) {
		return fmt.Errorf("%s is not positive integer multiple of %s", quantity.String(), name)
	}
	return nil
}

// resourceClaimNames is upstream's validateResourceClaimNames: a container's
// claims refer to the pod's resourceClaims, once each.
func resourceClaimNames(claims []corev1.ResourceClaim, podClaimNames sets.Set[string], fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	names := sets.New[string]()
	for i, claim := range claims {
		name := claim.Name
		if name == "" {
			errs = append(errs, field.Required(fldPath.Index(i), ""))
			continue
		}
		if names.Has(name) {
			errs = append(errs, field.Duplicate(fldPath.Index(i), name))
		} else {
			key := name
			if claim.Request != "" {
				errs = append(errs, dns1123Label(claim.Request, fldPath.Index(i).Child("request"))...)
				key += "/" + claim.Request
			}
			if names.Has(key) {
				errs = append(errs, field.Duplicate(fldPath.Index(i), key))
			} else if claim.Request == "" {
				for _, k := range sets.List(names) {
					if idx := strings.Index(k, "/"); idx >= 0 && k[:idx] == name {
						errs = append(errs, field.Duplicate(fldPath.Index(i), name))
					}
				}
			}
			names.Insert(key)
		}
		if !podClaimNames.Has(name) {
			err := field.NotFound(fldPath.Index(i), name)
			err.Detail = "must be one of the names in pod.spec.resourceClaims"
			if len(podClaimNames) == 0 {
				err.Detail += " which is empty"
			} else {
				err.Detail += ": " + strings.Join(sets.List(podClaimNames), ", ")
			}
			errs = append(errs, err)
		}
	}
	return errs
}

// podResources is upstream's validatePodResources (PodLevelResources is on
// in v1.37): pod-level requests and limits, and their consistency with the
// containers'.
func podResources(spec *corev1.PodSpec, podClaimNames sets.Set[string], fldPath *field.Path, opts podOptions) field.ErrorList {
	if spec.Resources == nil {
		return nil
	}
	path := fldPath.Child("resources")
	if spec.OS != nil && spec.OS.Name == corev1.Windows {
		return field.ErrorList{field.Forbidden(path, "may not be set for a windows pod")}
	}
	var errs field.ErrorList
	if spec.Resources.Claims != nil {
		errs = append(errs, field.Forbidden(path.Child("claims"), "claims may not be set for Resources at pod-level"))
	}
	errs = append(errs, resourceRequirements(spec.Resources, podResourceName, podClaimNames, path, opts)...)
	return append(errs, podResourceConsistency(spec, path)...)
}

func podResourceConsistency(spec *corev1.PodSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	pod := &corev1.Pod{Spec: *spec}
	reqs := resourcehelper.AggregateContainerRequests(pod, resourcehelper.PodResourcesOptions{})
	for _, name := range sortedResourceNames(reqs) {
		ctrReqs := reqs[name]
		podReq, ok := spec.Resources.Requests[name]
		if ok && ctrReqs.Cmp(podReq) > 0 {
			errs = append(errs, field.Invalid(fldPath.Child("requests").Key(string(name)), podReq.String(), fmt.Sprintf("must be greater than or equal to aggregate container requests of %s", ctrReqs.String())))
		}
	}
	lims := resourcehelper.AggregateContainerLimits(pod, resourcehelper.PodResourcesOptions{})
	for _, name := range sortedResourceNames(lims) {
		ctrLims := lims[name]
		if !isHugePageResourceName(name) {
			continue
		}
		podLim, ok := spec.Resources.Limits[name]
		if ok && ctrLims.Cmp(podLim) > 0 {
			errs = append(errs, field.Invalid(fldPath.Child("limits").Key(string(name)), podLim.String(), fmt.Sprintf("must be greater than or equal to aggregate container limits of %s", ctrLims.String())))
		}
	}
	for i, ctr := range spec.Containers {
		for _, name := range sortedResourceNames(ctr.Resources.Limits) {
			ctrLimit := ctr.Resources.Limits[name]
			podLim, ok := spec.Resources.Limits[name]
			if ok && ctrLimit.Cmp(podLim) > 0 {
				// upstream's path, sic: resources.containers[i][name].limits
				errs = append(errs, field.Invalid(fldPath.Child("containers").Index(i).Key(string(name)).Child("limits"), ctrLimit.String(), fmt.Sprintf("must be less than or equal to pod limits of %s", podLim.String())))
			}
		}
	}
	return errs
}
