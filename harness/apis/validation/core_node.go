package validation

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

// taintsAnnotationKey is upstream's core.TaintsAnnotationKey: taints as
// JSON in an annotation, validated like spec.taints.
const taintsAnnotationKey = "scheduler.alpha.kubernetes.io/taints"

var nodeDeclaredFeatureRegexp = regexp.MustCompile(`^[A-Z][a-zA-Z0-9]*(\/[a-zA-Z][a-zA-Z0-9]*)*$`)

// Node is upstream's ValidateNode below metadata: the taints annotation,
// taints (reported under metadata.taints, as upstream does), status
// quantities, swap capacity, declared features, and podCIDRs (valid, at
// most one per family).
func Node(node *corev1.Node) field.ErrorList {
	metaPath := field.NewPath("metadata")
	errs := nodeAnnotations(node.Annotations, metaPath.Child("annotations"))
	if len(node.Spec.Taints) > 0 {
		errs = append(errs, nodeTaints(node.Spec.Taints, metaPath.Child("taints"))...)
	}
	errs = append(errs, nodeResources(node)...)
	if swap := node.Status.NodeInfo.Swap; swap != nil && swap.Capacity != nil {
		// upstream's path, under metadata.
		errs = append(errs, positive(*swap.Capacity, metaPath.Child("nodeSwapStatus", "capacity"))...)
	}
	errs = append(errs, nodeDeclaredFeatures(node.Status.DeclaredFeatures, field.NewPath("status", "declaredFeatures"))...)
	if len(node.Spec.PodCIDRs) > 0 {
		podCIDRsField := field.NewPath("spec", "podCIDRs")
		for i, value := range node.Spec.PodCIDRs {
			errs = append(errs, isValidCIDRForLegacyField(podCIDRsField.Index(i), value, nil)...)
		}
		if len(node.Spec.PodCIDRs) > 1 {
			dualStack, err := netutils.IsDualStackCIDRStrings(node.Spec.PodCIDRs)
			if err != nil {
				errs = append(errs, field.InternalError(podCIDRsField, fmt.Errorf("invalid PodCIDRs. failed to check with dual stack with error:%v", err)))
			}
			if !dualStack || len(node.Spec.PodCIDRs) > 2 {
				errs = append(errs, field.Invalid(podCIDRsField, node.Spec.PodCIDRs, "may specify no more than one CIDR for each IP family"))
			}
		}
	}
	return errs
}

// NodeUpdate is upstream's node strategy ValidateUpdate: ValidateNode and
// then ValidateNodeUpdate.
func NodeUpdate(node, old *corev1.Node) field.ErrorList {
	return append(Node(node), NodeStatusUpdate(node, old)...)
}

// NodeStatusUpdate is upstream's ValidateNodeUpdate below metadata (the
// status endpoint's validation): no duplicate addresses, podCIDRs and
// providerID fixed once set, valid config source, taints.
func NodeStatusUpdate(node, old *corev1.Node) field.ErrorList {
	metaPath := field.NewPath("metadata")
	errs := nodeAnnotations(node.Annotations, metaPath.Child("annotations"))
	errs = append(errs, nodeResources(node)...)
	errs = append(errs, nodeDeclaredFeatures(node.Status.DeclaredFeatures, field.NewPath("status", "declaredFeatures"))...)

	addresses := map[corev1.NodeAddress]bool{}
	for i, address := range node.Status.Addresses {
		if addresses[address] {
			errs = append(errs, field.Duplicate(field.NewPath("status", "addresses").Index(i), internalNodeAddress(address)))
		}
		addresses[address] = true
	}

	// a controller may assign podCIDRs once.
	if len(old.Spec.PodCIDRs) > 0 {
		msg := "node updates may not change podCIDR except from \"\" to valid"
		if len(old.Spec.PodCIDRs) != len(node.Spec.PodCIDRs) {
			errs = append(errs, field.Forbidden(field.NewPath("spec", "podCIDRs"), msg))
		} else {
			for i, value := range old.Spec.PodCIDRs {
				if value != node.Spec.PodCIDRs[i] {
					errs = append(errs, field.Forbidden(field.NewPath("spec", "podCIDRs"), msg))
				}
			}
		}
	}
	if len(old.Spec.ProviderID) > 0 && len(node.Spec.ProviderID) > 0 && old.Spec.ProviderID != node.Spec.ProviderID {
		errs = append(errs, field.Invalid(field.NewPath("spec", "providerID"), nil, "field cannot be modified once set").WithOrigin("update"))
	}
	if len(old.Spec.ProviderID) > 0 && len(node.Spec.ProviderID) == 0 {
		errs = append(errs, field.Invalid(field.NewPath("spec", "providerID"), nil, "field cannot be cleared once set").WithOrigin("update"))
	}
	if node.Spec.ConfigSource != nil {
		errs = append(errs, nodeConfigSource(node.Spec.ConfigSource, true, field.NewPath("spec", "configSource"))...)
	}
	if c := node.Status.Config; c != nil {
		configPath := field.NewPath("status", "config")
		for _, s := range []struct {
			name   string
			source *corev1.NodeConfigSource
		}{{"assigned", c.Assigned}, {"active", c.Active}, {"lastKnownGood", c.LastKnownGood}} {
			if s.source != nil {
				errs = append(errs, nodeConfigSource(s.source, false, configPath.Child(s.name))...)
			}
		}
	}
	if len(node.Spec.Taints) > 0 {
		errs = append(errs, nodeTaints(node.Spec.Taints, metaPath.Child("taints"))...)
	}
	if node.Spec.DoNotUseExternalID != old.Spec.DoNotUseExternalID {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "externalID"), "may not be updated"))
	}
	return errs
}

// internalNodeAddress and internalTaint print duplicates as upstream's
// internal types (no JSON tags) print.
type internalNodeAddress struct {
	Type    corev1.NodeAddressType
	Address string
}

type internalTaint struct {
	Key       string
	Value     string
	Effect    corev1.TaintEffect
	TimeAdded *metav1.Time
}

func nodeAnnotations(annotations map[string]string, fldPath *field.Path) field.ErrorList {
	if annotations[taintsAnnotationKey] == "" {
		return nil
	}
	var taints []corev1.Taint
	if err := json.Unmarshal([]byte(annotations[taintsAnnotationKey]), &taints); err != nil {
		return field.ErrorList{field.Invalid(fldPath, taintsAnnotationKey, err.Error())}
	}
	if len(taints) > 0 {
		return nodeTaints(taints, fldPath.Child(taintsAnnotationKey))
	}
	return nil
}

// nodeTaints is upstream's validateNodeTaints: label-like keys and values,
// a known effect, unique by key and effect.
func nodeTaints(taints []corev1.Taint, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	unique := map[corev1.TaintEffect]sets.Set[string]{}
	for i, taint := range taints {
		idxPath := fldPath.Index(i)
		errs = append(errs, metav1validation.ValidateLabelName(taint.Key, idxPath.Child("key"))...)
		if msgs := validation.IsValidLabelValue(taint.Value); len(msgs) != 0 {
			errs = append(errs, field.Invalid(idxPath.Child("value"), taint.Value, strings.Join(msgs, ";")))
		}
		errs = append(errs, TaintEffect(taint.Effect, false, idxPath.Child("effect"))...)
		if unique[taint.Effect].Has(taint.Key) {
			dup := field.Duplicate(idxPath, internalTaint{Key: taint.Key, Value: taint.Value, Effect: taint.Effect, TimeAdded: taint.TimeAdded})
			dup.Detail = "taints must be unique by key and effect pair"
			errs = append(errs, dup)
			continue
		}
		if unique[taint.Effect] == nil {
			unique[taint.Effect] = sets.Set[string]{}
		}
		unique[taint.Effect].Insert(taint.Key)
	}
	return errs
}

// TaintEffect is upstream's validateTaintEffect (taints, and tolerations
// with allowEmpty).
func TaintEffect(effect corev1.TaintEffect, allowEmpty bool, fldPath *field.Path) field.ErrorList {
	if !allowEmpty && len(effect) == 0 {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	switch effect {
	case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		return nil
	}
	return field.ErrorList{field.NotSupported(fldPath, effect, []corev1.TaintEffect{
		corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute})}
}

// nodeResources is upstream's ValidateNodeResources (its paths are
// status.capacity.<name>, not keyed).
func nodeResources(node *corev1.Node) field.ErrorList {
	var errs field.ErrorList
	for _, k := range sortedResourceNames(node.Status.Capacity) {
		errs = append(errs, resourceQuantityValue(k, node.Status.Capacity[k], field.NewPath("status", "capacity", string(k)))...)
	}
	for _, k := range sortedResourceNames(node.Status.Allocatable) {
		errs = append(errs, resourceQuantityValue(k, node.Status.Allocatable[k], field.NewPath("status", "allocatable", string(k)))...)
	}
	return errs
}

func nodeDeclaredFeatures(features []string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, feature := range features {
		switch {
		case len(feature) > validation.DNS1123SubdomainMaxLength:
			errs = append(errs, field.Invalid(fldPath.Index(i), feature, fmt.Sprintf("invalid feature name %q: must be no more than %d characters", feature, validation.DNS1123SubdomainMaxLength)))
		case !nodeDeclaredFeatureRegexp.MatchString(feature):
			errs = append(errs, field.Invalid(fldPath.Index(i), feature, fmt.Sprintf("invalid feature name %q: must start with an UpperCamelCase segment, with subsequent segments separated by '/' (e.g., MyFeature or MyFeature/mySubFeature), and contain only alphanumeric characters and slashes", feature)))
		}
		if i+1 < len(features) {
			next := features[i+1]
			if feature == next {
				errs = append(errs, field.Duplicate(fldPath.Index(i+1), next))
			} else if feature > next {
				errs = append(errs, field.Invalid(fldPath.Index(i+1), next, "list must be sorted alphabetically"))
			}
		}
	}
	return errs
}

// nodeConfigSource validates spec.configSource (inSpec: uid and
// resourceVersion forbidden) or a status.config source (both required).
func nodeConfigSource(source *corev1.NodeConfigSource, inSpec bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	count := 0
	if cm := source.ConfigMap; cm != nil {
		count++
		cmPath := fldPath.Child("configMap")
		if inSpec {
			if cm.UID != "" {
				errs = append(errs, field.Forbidden(cmPath.Child("uid"), "uid must not be set in spec"))
			}
			if cm.ResourceVersion != "" {
				errs = append(errs, field.Forbidden(cmPath.Child("resourceVersion"), "resourceVersion must not be set in spec"))
			}
		} else {
			if cm.UID == "" {
				errs = append(errs, field.Required(cmPath.Child("uid"), ""))
			}
			if cm.ResourceVersion == "" {
				errs = append(errs, field.Required(cmPath.Child("resourceVersion"), ""))
			}
		}
		if cm.Namespace == "" {
			errs = append(errs, field.Required(cmPath.Child("namespace"), ""))
		} else {
			for _, msg := range apimachineryvalidation.ValidateNamespaceName(cm.Namespace, false) {
				errs = append(errs, field.Invalid(cmPath.Child("namespace"), cm.Namespace, msg))
			}
		}
		if cm.Name == "" {
			errs = append(errs, field.Required(cmPath.Child("name"), ""))
		} else {
			for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(cm.Name, false) {
				errs = append(errs, field.Invalid(cmPath.Child("name"), cm.Name, msg))
			}
		}
		if cm.KubeletConfigKey == "" {
			errs = append(errs, field.Required(cmPath.Child("kubeletConfigKey"), ""))
		} else {
			for _, msg := range validation.IsConfigMapKey(cm.KubeletConfigKey) {
				errs = append(errs, field.Invalid(cmPath.Child("kubeletConfigKey"), cm.KubeletConfigKey, msg))
			}
		}
	}
	if count != 1 {
		errs = append(errs, field.Invalid(fldPath, source, "exactly one reference subfield must be non-nil"))
	}
	return errs
}
