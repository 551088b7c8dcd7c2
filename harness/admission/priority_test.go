package admission_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
)

// TestPriority resolves pods' priorities from the system classes, a class
// of the test's, and the lack of a default class.
func TestPriority(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	never := corev1.PreemptNever
	createClass(t, c, &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "high"}, Value: 1000, PreemptionPolicy: &never})
	lower, neverPolicy := ptr.To(corev1.PreemptLowerPriority), ptr.To(corev1.PreemptNever)
	for _, tc := range []struct {
		name, class string
		priority    *int32
		policy      *corev1.PreemptionPolicy
		wantValue   int32
		wantPolicy  *corev1.PreemptionPolicy
		wantErr     string
	}{
		{name: "no class", wantValue: 0, wantPolicy: lower},
		{name: "system-node-critical", class: "system-node-critical", wantValue: 2000001000, wantPolicy: lower},
		{name: "system-cluster-critical", class: "system-cluster-critical", wantValue: 2000000000, wantPolicy: lower},
		{name: "own class", class: "high", wantValue: 1000, wantPolicy: neverPolicy},
		{name: "own class, same value given", class: "high", priority: ptr.To[int32](1000), wantValue: 1000, wantPolicy: neverPolicy},
		{name: "missing class", class: "nope", wantErr: `pods "missing-class" is forbidden: no PriorityClass with name nope was found`},
		{name: "other value given", class: "high", priority: ptr.To[int32](7),
			wantErr: `pods "other-value-given" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name`},
		{name: "other policy given", class: "high", policy: lower,
			wantErr: `pods "other-policy-given" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := pod(podName(tc.name))
			p.Spec.PriorityClassName, p.Spec.Priority, p.Spec.PreemptionPolicy = tc.class, tc.priority, tc.policy
			got, err := c.CoreV1().Pods("default").Create(t.Context(), p, metav1.CreateOptions{})
			if tc.wantErr != "" {
				wantForbidden(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Spec.Priority == nil || *got.Spec.Priority != tc.wantValue {
				t.Errorf("got priority %v, want %d", ptr.Deref(got.Spec.Priority, -1), tc.wantValue)
			}
			if got.Spec.PriorityClassName != tc.class {
				t.Errorf("got priorityClassName %q, want %q", got.Spec.PriorityClassName, tc.class)
			}
			if ptr.Deref(got.Spec.PreemptionPolicy, "") != *tc.wantPolicy {
				t.Errorf("got preemptionPolicy %v, want %v", ptr.Deref(got.Spec.PreemptionPolicy, ""), *tc.wantPolicy)
			}
		})
	}
}

// TestPriorityGlobalDefault: pods without a class get the global default;
// a second global default is refused.
func TestPriorityGlobalDefault(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	createClass(t, c, &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "default-class"}, Value: 42, GlobalDefault: true})
	got, err := c.CoreV1().Pods("default").Create(t.Context(), pod("p"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.PriorityClassName != "default-class" || ptr.Deref(got.Spec.Priority, -1) != 42 {
		t.Fatalf("got class %q priority %v, want default-class 42", got.Spec.PriorityClassName, ptr.Deref(got.Spec.Priority, -1))
	}
	_, err = c.SchedulingV1().PriorityClasses().Create(t.Context(),
		&schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "second"}, Value: 1, GlobalDefault: true}, metav1.CreateOptions{})
	wantForbidden(t, err, `priorityclasses.scheduling.k8s.io "second" is forbidden: PriorityClass default-class is already marked as default. Only one default can exist`)
	// the default itself may be updated.
	pc, err := c.SchedulingV1().PriorityClasses().Get(t.Context(), "default-class", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pc.Description = "still the default"
	if _, err := c.SchedulingV1().PriorityClasses().Update(t.Context(), pc, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update the default class: %v", err)
	}
}

// createClass creates a PriorityClass and waits until the plugin's informer
// has it: classes are read from a cache, as upstream.
func createClass(t *testing.T, c kubernetes.Interface, pc *schedulingv1.PriorityClass) {
	t.Helper()
	if _, err := c.SchedulingV1().PriorityClasses().Create(t.Context(), pc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	probe := pod("")
	probe.GenerateName, probe.Spec.PriorityClassName = "probe-", pc.Name
	err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := c.CoreV1().Pods("default").Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("PriorityClass %s never resolved: %v", pc.Name, err)
	}
}

// TestPriorityDelete: deleting a pod does not go through the pod rules.
func TestPriorityDelete(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	if _, err := c.CoreV1().Pods("default").Create(t.Context(), pod("p"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.CoreV1().Pods("default").Delete(t.Context(), "p", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
}
