package builtin_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	policyv1beta1 "k8s.io/api/policy/v1beta1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// evictionTime is the server's frozen clock in the eviction tests.
var evictionTime = time.Date(2031, 4, 5, 6, 7, 8, 0, time.UTC)

// newEvictionClient starts a server without the disruption controller:
// the tests write the budgets' status themselves.
func newEvictionClient(t *testing.T) kubernetes.Interface {
	t.Helper()
	s := harnesstest.Start(t, harness.Options{Clock: clocktesting.NewFakeClock(evictionTime), Controllers: harness.Controllers{NoDisruption: true}})
	return kubernetes.NewForConfigOrDie(s.RESTConfig())
}

// startPod creates a pod labelled app=name in phase, Ready or not; a
// finalizer keeps it visible after the eviction deletes it.
func startPod(t *testing.T, c kubernetes.Interface, name string, phase corev1.PodPhase, ready bool, finalizer bool) *corev1.Pod {
	t.Helper()
	ctx := t.Context()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": name}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
	}
	if finalizer {
		pod.Finalizers = []string{"example.com/keep"}
	}
	pod, err := c.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if phase == corev1.PodPending && !ready {
		return pod
	}
	pod.Status.Phase = phase
	readiness := corev1.ConditionFalse
	if ready {
		readiness = corev1.ConditionTrue
	}
	pod.Status.Conditions = append(pod.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: readiness})
	if pod, err = c.CoreV1().Pods("default").UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	return pod
}

// startBudget creates a budget selecting app=app with the given status,
// observed at the budget's generation unless the status says otherwise.
func startBudget(t *testing.T, c kubernetes.Interface, name, app string, status policyv1.PodDisruptionBudgetStatus) *policyv1.PodDisruptionBudget {
	t.Helper()
	ctx := t.Context()
	pdbs := c.PolicyV1().PodDisruptionBudgets("default")
	pdb, err := pdbs.Create(ctx, &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: ptr.To(intstr.FromInt32(1)),
			Selector:     &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if status.ObservedGeneration == 0 {
		status.ObservedGeneration = pdb.Generation
	} else if status.ObservedGeneration < 0 {
		status.ObservedGeneration = 0
	}
	pdb.Status = status
	if pdb, err = pdbs.UpdateStatus(ctx, pdb, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	return pdb
}

func evict(ctx context.Context, c kubernetes.Interface, name string, opts *metav1.DeleteOptions) error {
	return c.CoreV1().Pods("default").EvictV1(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}, DeleteOptions: opts})
}

func podGone(t *testing.T, c kubernetes.Interface, name string) bool {
	t.Helper()
	_, err := c.CoreV1().Pods("default").Get(t.Context(), name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return apierrors.IsNotFound(err)
}

// TestEvictionDeletes evicts pods that upstream lets go: no budget, a
// budget that allows a disruption, and pods a budget does not guard.
func TestEvictionDeletes(t *testing.T) {
	t.Parallel()
	c := newEvictionClient(t)
	for _, tc := range []struct {
		name    string
		phase   corev1.PodPhase
		ready   bool
		budget  *policyv1.PodDisruptionBudgetStatus
		v1beta1 bool // sent as client-go's deprecated Evict does
	}{
		{name: "no-budget", phase: corev1.PodRunning, ready: true},
		{name: "v1beta1", phase: corev1.PodRunning, ready: true, budget: &policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: 2, CurrentHealthy: 3, DesiredHealthy: 1, ExpectedPods: 3}, v1beta1: true},
		{name: "allowed", phase: corev1.PodRunning, ready: true, budget: &policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: 1, CurrentHealthy: 2, DesiredHealthy: 1, ExpectedPods: 2}},
		{name: "pending", phase: corev1.PodPending, budget: &policyv1.PodDisruptionBudgetStatus{}},
		{name: "succeeded", phase: corev1.PodSucceeded, budget: &policyv1.PodDisruptionBudgetStatus{}},
		{name: "failed", phase: corev1.PodFailed, budget: &policyv1.PodDisruptionBudgetStatus{}},
		{name: "unready-healthy-budget", phase: corev1.PodRunning, budget: &policyv1.PodDisruptionBudgetStatus{CurrentHealthy: 1, DesiredHealthy: 1, ExpectedPods: 2}},
		{name: "unready-always-allow", phase: corev1.PodRunning, budget: &policyv1.PodDisruptionBudgetStatus{CurrentHealthy: 0, DesiredHealthy: 1, ExpectedPods: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			startPod(t, c, tc.name, tc.phase, tc.ready, false)
			if tc.budget != nil {
				startBudget(t, c, tc.name, tc.name, *tc.budget)
				if tc.name == "unready-always-allow" {
					pdb, err := c.PolicyV1().PodDisruptionBudgets("default").Get(ctx, tc.name, metav1.GetOptions{})
					if err != nil {
						t.Fatal(err)
					}
					pdb.Spec.UnhealthyPodEvictionPolicy = ptr.To(policyv1.AlwaysAllow)
					if pdb, err = c.PolicyV1().PodDisruptionBudgets("default").Update(ctx, pdb, metav1.UpdateOptions{}); err != nil {
						t.Fatal(err)
					}
					// the eviction of an unready pod does not look at observedGeneration
					if pdb.Status.ObservedGeneration == pdb.Generation {
						t.Fatalf("budget generation %d was observed already", pdb.Generation)
					}
				}
			}
			var err error
			if tc.v1beta1 {
				err = c.CoreV1().Pods("default").EvictV1beta1(ctx, &policyv1beta1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: tc.name, Namespace: "default"}})
			} else {
				err = evict(ctx, c, tc.name, nil)
			}
			if err != nil {
				t.Fatalf("evict: got %v, want success", err)
			}
			if !podGone(t, c, tc.name) {
				t.Errorf("pod %s still exists after its eviction", tc.name)
			}
			if tc.budget == nil {
				return
			}
			pdb, err := c.PolicyV1().PodDisruptionBudgets("default").Get(ctx, tc.name, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			wantAllowed, wantDisrupted := tc.budget.DisruptionsAllowed, 0
			if tc.name == "allowed" || tc.v1beta1 {
				wantAllowed, wantDisrupted = tc.budget.DisruptionsAllowed-1, 1
			}
			if pdb.Status.DisruptionsAllowed != wantAllowed || len(pdb.Status.DisruptedPods) != wantDisrupted {
				t.Errorf("budget after eviction: disruptionsAllowed %d, disruptedPods %v; want %d and %d pods", pdb.Status.DisruptionsAllowed, pdb.Status.DisruptedPods, wantAllowed, wantDisrupted)
			}
		})
	}
}

// TestEvictionTakesDisruption checks what a successful eviction writes:
// the budget's disruption taken at the server's time, its condition, and the
// pod's DisruptionTarget condition before its deletion.
func TestEvictionTakesDisruption(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := newEvictionClient(t)
	startPod(t, c, "web", corev1.PodRunning, true, true)
	startBudget(t, c, "web", "web", policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: 1, CurrentHealthy: 2, DesiredHealthy: 1, ExpectedPods: 2})
	if err := evict(ctx, c, "web", nil); err != nil {
		t.Fatal(err)
	}
	pdb, err := c.PolicyV1().PodDisruptionBudgets("default").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if at, ok := pdb.Status.DisruptedPods["web"]; pdb.Status.DisruptionsAllowed != 0 || !ok || !at.Time.Equal(evictionTime) {
		t.Errorf("budget status: disruptionsAllowed %d, disruptedPods %v; want 0 and web at %v", pdb.Status.DisruptionsAllowed, pdb.Status.DisruptedPods, evictionTime)
	}
	if len(pdb.Status.Conditions) != 1 {
		t.Fatalf("budget conditions: got %v, want DisruptionAllowed", pdb.Status.Conditions)
	}
	if got := pdb.Status.Conditions[0]; got.Type != policyv1.DisruptionAllowedCondition || got.Status != metav1.ConditionFalse ||
		got.Reason != policyv1.InsufficientPodsReason || got.ObservedGeneration != pdb.Generation || !got.LastTransitionTime.Time.Equal(evictionTime) {
		t.Errorf("budget condition: got %+v, want DisruptionAllowed False InsufficientPods at generation %d, %v", got, pdb.Generation, evictionTime)
	}

	pod, err := c.CoreV1().Pods("default").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pod.DeletionTimestamp == nil {
		t.Error("the evicted pod (held by a finalizer) has no deletionTimestamp")
	}
	var target *corev1.PodCondition
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == corev1.DisruptionTarget {
			target = &pod.Status.Conditions[i]
		}
	}
	if target == nil || target.Status != corev1.ConditionTrue || target.Reason != "EvictionByEvictionAPI" || target.Message != "Eviction API: evicting" || !target.LastTransitionTime.Time.Equal(evictionTime) {
		t.Errorf("pod DisruptionTarget condition: got %+v, want True EvictionByEvictionAPI at %v", target, evictionTime)
	}

	// being deleted, the pod is evicted again without a budget check.
	if err := evict(ctx, c, "web", nil); err != nil {
		t.Errorf("evicting a pod being deleted: got %v, want success", err)
	}
}

// TestEvictionRefused checks upstream's refusals, their codes and causes;
// the pod stays and the budget does not change.
func TestEvictionRefused(t *testing.T) {
	t.Parallel()
	c := newEvictionClient(t)
	for _, tc := range []struct {
		name     string
		budget   policyv1.PodDisruptionBudgetStatus
		twice    bool
		eviction *policyv1.Eviction
		opts     *metav1.DeleteOptions
		code     int32
		message  string
		cause    string
	}{
		{
			name: "none-allowed", budget: policyv1.PodDisruptionBudgetStatus{CurrentHealthy: 1, DesiredHealthy: 1, ExpectedPods: 1},
			code: http.StatusTooManyRequests, message: "Cannot evict pod as it would violate the pod's disruption budget.",
			cause: "The disruption budget none-allowed needs 1 healthy pods and has 1 currently",
		},
		{
			name: "none-allowed-reason", budget: policyv1.PodDisruptionBudgetStatus{CurrentHealthy: 3, DesiredHealthy: 1, ExpectedPods: 3,
				Conditions: []metav1.Condition{{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionFalse, Reason: policyv1.SyncFailedReason, Message: "no controller", LastTransitionTime: metav1.Now()}}},
			code: http.StatusTooManyRequests, message: "Cannot evict pod as it would violate the pod's disruption budget.",
			cause: "The disruption budget none-allowed-reason does not allow evicting pods currently because it failed sync: no controller",
		},
		{
			name: "stale", budget: policyv1.PodDisruptionBudgetStatus{ObservedGeneration: -1, DisruptionsAllowed: 1, CurrentHealthy: 2, DesiredHealthy: 1},
			code: http.StatusTooManyRequests, message: "Cannot evict pod as it would violate the pod's disruption budget.",
			cause: "The disruption budget stale is still being processed by the server.",
		},
		{
			name: "two-budgets", budget: policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: 1, CurrentHealthy: 2, DesiredHealthy: 1}, twice: true,
			code: http.StatusInternalServerError, message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
		},
		{
			name: "name-mismatch", eviction: &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: "other", Namespace: "default"}},
			code: http.StatusBadRequest, message: "name in URL does not match name in Eviction object",
		},
		{
			name: "uid-precondition", opts: &metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: ptr.To(types.UID("not-it"))}},
			code: http.StatusConflict,
		},
		{
			name: "rv-precondition", opts: &metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: ptr.To("1")}},
			code: http.StatusConflict,
		},
		{
			name: "dry-run-mismatch", opts: &metav1.DeleteOptions{DryRun: []string{"All", "All"}},
			code: http.StatusInternalServerError,
		},
		{
			name: "ignore-store-read-error", opts: &metav1.DeleteOptions{IgnoreStoreReadErrorWithClusterBreakingPotential: ptr.To(true)},
			code:    http.StatusUnprocessableEntity,
			message: `Eviction.policy "ignore-store-read-error" is invalid: deleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential: Invalid value: true: can not be set for pod eviction, try after removing the option`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			startPod(t, c, tc.name, corev1.PodRunning, true, false)
			var budget *policyv1.PodDisruptionBudget
			if tc.budget.DesiredHealthy > 0 {
				budget = startBudget(t, c, tc.name, tc.name, tc.budget)
				if tc.twice {
					startBudget(t, c, tc.name+"-2", tc.name, tc.budget)
				}
			}
			eviction := tc.eviction
			if eviction == nil {
				eviction = &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: tc.name, Namespace: "default"}, DeleteOptions: tc.opts}
			}
			// no client retries: a 429 with Retry-After 10 is retried ten times.
			req := c.CoreV1().RESTClient().Post().Namespace("default").Resource("pods").Name(tc.name).SubResource("eviction").MaxRetries(0)
			if tc.name == "dry-run-mismatch" {
				req = req.Param("dryRun", "All")
			}
			err := req.Body(eviction).Do(ctx).Error()
			status, ok := err.(apierrors.APIStatus)
			if !ok {
				t.Fatalf("got %v, want HTTP %d", err, tc.code)
			}
			s := status.Status()
			if s.Code != tc.code || (tc.message != "" && s.Message != tc.message) {
				t.Errorf("got %d %q, want %d %q", s.Code, s.Message, tc.code, tc.message)
			}
			if tc.name == "stale" && (s.Details == nil || s.Details.RetryAfterSeconds != 10) {
				t.Errorf("got details %+v, want Retry-After 10", s.Details)
			}
			if tc.cause != "" {
				if s.Details == nil || len(s.Details.Causes) != 1 || s.Details.Causes[0].Type != policyv1.DisruptionBudgetCause || s.Details.Causes[0].Message != tc.cause {
					t.Errorf("got details %+v, want the cause %q", s.Details, tc.cause)
				}
			}
			if podGone(t, c, tc.name) {
				t.Error("the pod is gone")
			}
			if budget != nil {
				got, err := c.PolicyV1().PodDisruptionBudgets("default").Get(ctx, tc.name, metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if got.ResourceVersion != budget.ResourceVersion {
					t.Errorf("the budget changed: %+v", got.Status)
				}
			}
		})
	}
}

// TestEvictionDryRun takes nothing: the pod and the budget stay as they were.
func TestEvictionDryRun(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := newEvictionClient(t)
	pod := startPod(t, c, "dry", corev1.PodRunning, true, false)
	budget := startBudget(t, c, "dry", "dry", policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: 1, CurrentHealthy: 2, DesiredHealthy: 1})
	for name, evictDry := range map[string]func() error{
		"in the options": func() error { return evict(ctx, c, "dry", &metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}}) },
		"in the request": func() error {
			return c.CoreV1().RESTClient().Post().Namespace("default").Resource("pods").Name("dry").SubResource("eviction").
				Param("dryRun", "All").Body(&policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: "dry", Namespace: "default"}}).Do(ctx).Error()
		},
	} {
		if err := evictDry(); err != nil {
			t.Fatalf("dry run %s: %v", name, err)
		}
		got, err := c.CoreV1().Pods("default").Get(ctx, "dry", metav1.GetOptions{})
		if err != nil || got.ResourceVersion != pod.ResourceVersion {
			t.Errorf("dry run %s: pod %v, %v; want it unchanged", name, got, err)
		}
		gotBudget, err := c.PolicyV1().PodDisruptionBudgets("default").Get(ctx, "dry", metav1.GetOptions{})
		if err != nil || gotBudget.ResourceVersion != budget.ResourceVersion {
			t.Errorf("dry run %s: budget %v, %v; want it unchanged", name, gotBudget, err)
		}
	}
}
