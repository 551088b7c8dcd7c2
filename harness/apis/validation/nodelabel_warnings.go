package validation

import (
	"fmt"

	nodev1 "k8s.io/api/node/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// RuntimeClassWarnings are upstream's GetWarningsForRuntimeClass: one
// warning per deprecated node label in scheduling.nodeSelector, at the
// selector's path (upstream names no key).
func RuntimeClassWarnings(rc *nodev1.RuntimeClass) []string {
	if rc.Scheduling == nil {
		return nil
	}
	var warnings []string
	for key := range rc.Scheduling.NodeSelector {
		if msg, deprecated := deprecatedNodeLabels[key]; deprecated {
			warnings = append(warnings, fmt.Sprintf("%s: %s", field.NewPath("scheduling", "nodeSelector"), msg))
		}
	}
	return warnings
}

// StorageClassWarnings are upstream's GetWarningsForStorageClass:
// deprecated node labels in allowedTopologies.
func StorageClassWarnings(sc *storagev1.StorageClass) []string {
	var warnings []string
	for i, topo := range sc.AllowedTopologies {
		for j, e := range topo.MatchLabelExpressions {
			if msg, deprecated := deprecatedNodeLabels[e.Key]; deprecated {
				warnings = append(warnings, fmt.Sprintf("%s: %s", field.NewPath("allowedTopologies").Index(i).Child("matchLabelExpressions").Index(j).Child("key"), msg))
			}
		}
	}
	return warnings
}

// CSIStorageCapacityWarnings are upstream's
// GetWarningsForCSIStorageCapacity: deprecated node labels in nodeTopology.
func CSIStorageCapacityWarnings(c *storagev1.CSIStorageCapacity) []string {
	return nodeSelectorWarnings(c.NodeTopology, field.NewPath("nodeTopology"))
}

// nodeSelectorWarnings is upstream's GetWarningsForNodeSelector; a
// matchLabels key is a path child, not an index, as upstream's.
func nodeSelectorWarnings(selector *metav1.LabelSelector, path *field.Path) []string {
	if selector == nil {
		return nil
	}
	var warnings []string
	for i, e := range selector.MatchExpressions {
		if msg, deprecated := deprecatedNodeLabels[e.Key]; deprecated {
			warnings = append(warnings, fmt.Sprintf("%s: %s is %s", path.Child("matchExpressions").Index(i).Child("key"), e.Key, msg))
		}
	}
	for label := range selector.MatchLabels {
		if msg, deprecated := deprecatedNodeLabels[label]; deprecated {
			warnings = append(warnings, fmt.Sprintf("%s: %s", path.Child("matchLabels").Child(label), msg))
		}
	}
	return warnings
}
