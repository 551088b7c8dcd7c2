package validation_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/memkube/memkube/harness/apis/validation"
)

func TestNodeLabelWarnings(t *testing.T) {
	t.Parallel()
	const zone = `deprecated since v1.17; use "topology.kubernetes.io/zone" instead`
	cases := []struct {
		name string
		got  func() []string
		want []string
	}{
		{
			name: "runtimeclass",
			got: func() []string {
				return validation.RuntimeClassWarnings(&nodev1.RuntimeClass{Scheduling: &nodev1.Scheduling{
					NodeSelector: map[string]string{"failure-domain.beta.kubernetes.io/zone": "a", "kubernetes.io/os": "linux"},
				}})
			},
			want: []string{`scheduling.nodeSelector: ` + zone},
		},
		{
			name: "runtimeclass without scheduling",
			got:  func() []string { return validation.RuntimeClassWarnings(&nodev1.RuntimeClass{}) },
		},
		{
			name: "storageclass",
			got: func() []string {
				return validation.StorageClassWarnings(&storagev1.StorageClass{AllowedTopologies: []corev1.TopologySelectorTerm{{
					MatchLabelExpressions: []corev1.TopologySelectorLabelRequirement{{Key: "topology.kubernetes.io/zone"}, {Key: "failure-domain.beta.kubernetes.io/zone"}},
				}}})
			},
			want: []string{`allowedTopologies[0].matchLabelExpressions[1].key: ` + zone},
		},
		{
			name: "csistoragecapacity",
			got: func() []string {
				return validation.CSIStorageCapacityWarnings(&storagev1.CSIStorageCapacity{NodeTopology: &metav1.LabelSelector{
					MatchLabels:      map[string]string{"failure-domain.beta.kubernetes.io/zone": "a"},
					MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "failure-domain.beta.kubernetes.io/zone", Operator: metav1.LabelSelectorOpExists}},
				}})
			},
			want: []string{
				`nodeTopology.matchExpressions[0].key: failure-domain.beta.kubernetes.io/zone is ` + zone,
				`nodeTopology.matchLabels.failure-domain.beta.kubernetes.io/zone: ` + zone,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkWarnings(t, tc.got(), tc.want)
		})
	}
}
