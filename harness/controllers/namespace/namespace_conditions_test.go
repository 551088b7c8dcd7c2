package namespace

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestLeftoverStatus checks the conditions' texts for remaining content
// and failures, which a live server rarely produces.
func TestLeftoverStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		apply func(*conditionUpdater)
		want  map[corev1.NamespaceConditionType]string // type -> "Status Reason: Message" of the failed ones
	}{{
		name: "content and finalizers remain",
		apply: func(u *conditionUpdater) {
			u.processContentTotals(contentTotals{
				byResource:  map[schema.GroupVersionResource]int{{Version: "v1", Resource: "pods"}: 2, {Group: "example.memkube.io", Version: "v1", Resource: "gadgets"}: 1, {Group: "apps", Version: "v1", Resource: "deployments"}: 0},
				byFinalizer: map[string]int{"b.example.com/x": 1, "a.example.com/y": 2},
			})
		},
		want: map[corev1.NamespaceConditionType]string{
			corev1.NamespaceContentRemaining:    "True SomeResourcesRemain: Some resources are remaining: gadgets.example.memkube.io has 1 resource instances, pods. has 2 resource instances",
			corev1.NamespaceFinalizersRemaining: "True SomeFinalizersRemain: Some content in the namespace has finalizers remaining: a.example.com/y in 2 resource instances, b.example.com/x in 1 resource instances",
		},
	}, {
		name: "delete and parse errors",
		apply: func(u *conditionUpdater) {
			u.processDeleteContentErr(errors.New("b failed"))
			u.processDeleteContentErr(errors.New("a failed"))
			u.processGroupVersionErr(errors.New("unexpected GroupVersion string: a/b/c"))
			u.processDiscoverResourcesErr(errors.New("connection refused"))
		},
		want: map[corev1.NamespaceConditionType]string{
			corev1.NamespaceDeletionContentFailure:   "True ContentDeletionFailed: Failed to delete all resource types, 2 remaining: a failed, b failed",
			corev1.NamespaceDeletionGVParsingFailure: "True GroupVersionParsingFailed: unexpected GroupVersion string: a/b/c",
			corev1.NamespaceDeletionDiscoveryFailure: "True DiscoveryFailed: connection refused",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := &corev1.Namespace{}
			var u conditionUpdater
			tt.apply(&u)
			if !u.update(ns) {
				t.Fatal("update reported no change on a namespace without conditions")
			}
			if len(ns.Status.Conditions) != len(conditionTypes) {
				t.Fatalf("got %d conditions, want %d", len(ns.Status.Conditions), len(conditionTypes))
			}
			for _, c := range ns.Status.Conditions {
				got := fmt.Sprintf("%s %s: %s", c.Status, c.Reason, c.Message)
				want, failed := tt.want[c.Type]
				if !failed {
					want = fmt.Sprintf("False %s: %s", okReasons[c.Type], okMessages[c.Type])
				}
				if got != want {
					t.Errorf("%s = %q, want %q", c.Type, got, want)
				}
			}
			// the same outcome again changes nothing; all well changes all back.
			var again conditionUpdater
			tt.apply(&again)
			if again.update(ns) {
				t.Error("update reported a change for the same outcome")
			}
			before := ns.DeepCopy()
			if !(&conditionUpdater{}).update(ns) {
				t.Error("update reported no change when all went well")
			}
			for i, c := range ns.Status.Conditions {
				if c.Status != corev1.ConditionFalse {
					t.Errorf("%s stayed %s", c.Type, c.Status)
				}
				if _, failed := tt.want[c.Type]; !failed && !c.LastTransitionTime.Equal(&before.Status.Conditions[i].LastTransitionTime) {
					t.Errorf("%s: lastTransitionTime changed without a status change", c.Type)
				}
			}
		})
	}
	if !strings.Contains((&resourcesRemainingError{estimate: 15}).Error(), "estimate 15 seconds") {
		t.Error("resourcesRemainingError does not say its estimate")
	}
}
