package namespace

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// conditionTypes are the namespace conditions the controller maintains, in
// the order it adds them.
var conditionTypes = []corev1.NamespaceConditionType{
	corev1.NamespaceDeletionDiscoveryFailure,
	corev1.NamespaceDeletionGVParsingFailure,
	corev1.NamespaceDeletionContentFailure,
	corev1.NamespaceContentRemaining,
	corev1.NamespaceFinalizersRemaining,
}

// okReasons and okMessages are the conditions' reasons and messages when
// nothing is wrong (status False).
var (
	okReasons = map[corev1.NamespaceConditionType]string{
		corev1.NamespaceDeletionDiscoveryFailure: "ResourcesDiscovered",
		corev1.NamespaceDeletionGVParsingFailure: "ParsedGroupVersions",
		corev1.NamespaceDeletionContentFailure:   "ContentDeleted",
		corev1.NamespaceContentRemaining:         "ContentRemoved",
		corev1.NamespaceFinalizersRemaining:      "ContentHasNoFinalizers",
	}
	okMessages = map[corev1.NamespaceConditionType]string{
		corev1.NamespaceDeletionDiscoveryFailure: "All resources successfully discovered",
		corev1.NamespaceDeletionGVParsingFailure: "All legacy kube types successfully parsed",
		corev1.NamespaceDeletionContentFailure:   "All content successfully deleted, may be waiting on finalization",
		corev1.NamespaceContentRemaining:         "All content successfully removed",
		corev1.NamespaceFinalizersRemaining:      "All content-preserving finalizers finished",
	}
)

// conditionUpdater collects what went wrong in one sync and turns it into
// namespace conditions: upstream's namespaceConditionUpdater.
type conditionUpdater struct {
	// now is the sync's time on the server clock: new conditions' and
	// changed ones' lastTransitionTime. Zero means real time.
	now                 metav1.Time
	newConditions       []corev1.NamespaceCondition
	deleteContentErrors []error
}

// contentTotals is what remains in a namespace after one sync.
type contentTotals struct {
	// byResource counts the remaining objects per resource.
	byResource map[schema.GroupVersionResource]int
	// byFinalizer counts the remaining objects per finalizer they carry.
	byFinalizer map[string]int
}

func (u *conditionUpdater) failed(t corev1.NamespaceConditionType, reason, message string) corev1.NamespaceCondition {
	return corev1.NamespaceCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: u.time(), Reason: reason, Message: message}
}

func (u *conditionUpdater) time() metav1.Time {
	if u.now.IsZero() {
		return metav1.Now()
	}
	return u.now
}

// processGroupVersionErr records that a group version did not parse.
func (u *conditionUpdater) processGroupVersionErr(err error) {
	u.newConditions = append(u.newConditions, u.failed(corev1.NamespaceDeletionGVParsingFailure, "GroupVersionParsingFailed", err.Error()))
}

// processDiscoverResourcesErr records that discovery failed, for some
// groups or altogether.
func (u *conditionUpdater) processDiscoverResourcesErr(err error) {
	msg := err.Error()
	var derr *discovery.ErrGroupDiscoveryFailed
	if errors.As(err, &derr) {
		msg = fmt.Sprintf("Discovery failed for some groups, %d failing: %v", len(derr.Groups), err)
	}
	u.newConditions = append(u.newConditions, u.failed(corev1.NamespaceDeletionDiscoveryFailure, "DiscoveryFailed", msg))
}

// processContentTotals records the content and finalizers that remain.
func (u *conditionUpdater) processContentTotals(totals contentTotals) {
	if len(totals.byResource) != 0 {
		var remaining []string
		for gvr, n := range totals.byResource {
			if n == 0 {
				continue
			}
			remaining = append(remaining, fmt.Sprintf("%s.%s has %d resource instances", gvr.Resource, gvr.Group, n))
		}
		// sorted for stable updates
		sort.Strings(remaining)
		u.newConditions = append(u.newConditions, u.failed(corev1.NamespaceContentRemaining, "SomeResourcesRemain",
			fmt.Sprintf("Some resources are remaining: %s", strings.Join(remaining, ", "))))
	}
	if len(totals.byFinalizer) != 0 {
		var remaining []string
		for f, n := range totals.byFinalizer {
			if n == 0 {
				continue
			}
			remaining = append(remaining, fmt.Sprintf("%s in %d resource instances", f, n))
		}
		sort.Strings(remaining)
		u.newConditions = append(u.newConditions, u.failed(corev1.NamespaceFinalizersRemaining, "SomeFinalizersRemain",
			fmt.Sprintf("Some content in the namespace has finalizers remaining: %s", strings.Join(remaining, ", "))))
	}
}

// processDeleteContentErr records that deleting a resource's content failed.
func (u *conditionUpdater) processDeleteContentErr(err error) {
	u.deleteContentErrors = append(u.deleteContentErrors, err)
}

// update sets every maintained condition on ns: the recorded failure, or
// the "ok" variant. It reports whether ns changed.
func (u *conditionUpdater) update(ns *corev1.Namespace) bool {
	if getCondition(u.newConditions, corev1.NamespaceDeletionContentFailure) == nil {
		if c := u.deleteContentCondition(); c != nil {
			u.newConditions = append(u.newConditions, *c)
		}
	}
	return updateConditions(&ns.Status, u.newConditions, u.time())
}

func (u *conditionUpdater) deleteContentCondition() *corev1.NamespaceCondition {
	errs := u.deleteContentErrors
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	sort.Strings(msgs)
	c := u.failed(corev1.NamespaceDeletionContentFailure, "ContentDeletionFailed",
		fmt.Sprintf("Failed to delete all resource types, %d remaining: %v", len(errs), strings.Join(msgs, ", ")))
	return &c
}

// updateConditions merges newConditions into status; a condition keeps its
// lastTransitionTime unless its status changes (to now).
func updateConditions(status *corev1.NamespaceStatus, newConditions []corev1.NamespaceCondition, now metav1.Time) (changed bool) {
	for _, t := range conditionTypes {
		c := getCondition(newConditions, t)
		if c == nil {
			c = &corev1.NamespaceCondition{Type: t, Status: corev1.ConditionFalse, LastTransitionTime: now, Reason: okReasons[t], Message: okMessages[t]}
		}
		old := getCondition(status.Conditions, t)
		switch {
		case old == nil:
			status.Conditions = append(status.Conditions, *c)
			changed = true
		case old.Status != c.Status || old.Message != c.Message || old.Reason != c.Reason:
			if old.Status != c.Status {
				old.LastTransitionTime = now
			}
			old.Status, old.Reason, old.Message = c.Status, c.Reason, c.Message
			changed = true
		}
	}
	return changed
}

func getCondition(conditions []corev1.NamespaceCondition, t corev1.NamespaceConditionType) *corev1.NamespaceCondition {
	for i := range conditions {
		if conditions[i].Type == t {
			return &conditions[i]
		}
	}
	return nil
}
