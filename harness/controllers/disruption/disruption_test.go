package disruption_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/controllers/disruption"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestMain fails the package if a stopped controller (or server) leaves
// goroutines behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, harnesstest.IgnoreLeaks()...)
}

var t0 = time.Date(2032, 3, 4, 5, 6, 7, 0, time.UTC)

// start starts a server on a fake clock at t0 without its own disruption
// controller, and runs one until the test ends. The garbage collector is
// off: it would delete pods whose controller the tests leave missing.
func start(t *testing.T) (kubernetes.Interface, *clocktesting.FakeClock) {
	t.Helper()
	clk := clocktesting.NewFakeClock(t0)
	s := harnesstest.Start(t, harness.Options{Clock: clk, Controllers: harness.Controllers{NoDisruption: true, NoGarbageCollector: true}})
	c, err := disruption.New(s.InProcessRESTConfig(), clk)
	if err != nil {
		t.Fatal(err)
	}
	harnesstest.Run(t, func(ctx context.Context) { c.Run(ctx, 1) })
	return kubernetes.NewForConfigOrDie(s.InProcessRESTConfig()), clk
}

// pod creates a pod labelled app=app, Running and Ready or not, controlled
// by owner if given.
func pod(t *testing.T, c kubernetes.Interface, name, app string, ready bool, owner *metav1.OwnerReference) {
	t.Helper()
	ctx := t.Context()
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": app}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
	}
	if owner != nil {
		p.OwnerReferences = []metav1.OwnerReference{*owner}
	}
	p, err := c.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	p.Status.Phase = corev1.PodRunning
	p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: status})
	if _, err := c.CoreV1().Pods("default").UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func budget(t *testing.T, c kubernetes.Interface, name, app string, minAvailable, maxUnavailable *intstr.IntOrString) {
	t.Helper()
	_, err := c.PolicyV1().PodDisruptionBudgets("default").Create(t.Context(), &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: minAvailable, MaxUnavailable: maxUnavailable,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// want is the part of a budget's status the tests check.
type want struct {
	expected, healthy, desired, allowed int32
	reason                              string
	disrupted                           int
}

func (w want) String() string {
	return fmt.Sprintf("expected %d, healthy %d, desired %d, allowed %d, condition %s, %d disrupted", w.expected, w.healthy, w.desired, w.allowed, w.reason, w.disrupted)
}

func statusOf(pdb *policyv1.PodDisruptionBudget) want {
	s := pdb.Status
	got := want{expected: s.ExpectedPods, healthy: s.CurrentHealthy, desired: s.DesiredHealthy, allowed: s.DisruptionsAllowed, disrupted: len(s.DisruptedPods)}
	if c := meta.FindStatusCondition(s.Conditions, policyv1.DisruptionAllowedCondition); c != nil {
		got.reason = c.Reason
	}
	return got
}

// waitStatus waits until the budget's status, observed at its generation,
// is w.
func waitStatus(t *testing.T, c kubernetes.Interface, name string, w want) *policyv1.PodDisruptionBudget {
	t.Helper()
	var last *policyv1.PodDisruptionBudget
	err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		pdb, err := c.PolicyV1().PodDisruptionBudgets("default").Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = pdb
		return pdb.Status.ObservedGeneration == pdb.Generation && statusOf(pdb) == w, nil
	})
	if err != nil {
		t.Fatalf("budget %s: got %v (observed generation %d of %d), want %v", name, statusOf(last), last.Status.ObservedGeneration, last.Generation, w)
	}
	return last
}

func TestBudgetStatus(t *testing.T) {
	t.Parallel()
	c, _ := start(t)
	ctx := t.Context()

	// integer minAvailable counts the selected pods, managed or not.
	pod(t, c, "solo-1", "solo", true, nil)
	pod(t, c, "solo-2", "solo", true, nil)
	pod(t, c, "solo-3", "solo", false, nil)
	budget(t, c, "solo", "solo", ptr.To(intstr.FromInt32(1)), nil)
	pdb := waitStatus(t, c, "solo", want{expected: 3, healthy: 2, desired: 1, allowed: 1, reason: policyv1.SufficientPodsReason})
	cond := meta.FindStatusCondition(pdb.Status.Conditions, policyv1.DisruptionAllowedCondition)
	if cond.Status != metav1.ConditionTrue || !cond.LastTransitionTime.Time.Equal(t0) || cond.ObservedGeneration != pdb.Generation {
		t.Errorf("condition: got %+v, want True at %v, generation %d", cond, t0, pdb.Generation)
	}

	// maxUnavailable and percentages scale against the controller's replicas.
	d, err := c.AppsV1().Deployments("default").Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](4),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := c.AppsV1().ReplicaSets("default").Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: "web-1", OwnerReferences: []metav1.OwnerReference{{
			APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name, UID: d.UID, Controller: ptr.To(true),
		}}},
		Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](4), Selector: d.Spec.Selector, Template: d.Spec.Template},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	owner := &metav1.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: ptr.To(true)}
	for i := range 3 {
		pod(t, c, fmt.Sprintf("web-%d", i), "web", i < 2, owner)
	}
	budget(t, c, "web-max", "web", nil, ptr.To(intstr.FromString("25%")))
	waitStatus(t, c, "web-max", want{expected: 4, healthy: 2, desired: 3, allowed: 0, reason: policyv1.InsufficientPodsReason})

	// a pod whose controller is gone fails the sync.
	pod(t, c, "orphan", "orphan", true, &metav1.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "gone", UID: "gone-uid", Controller: ptr.To(true)})
	budget(t, c, "orphan", "orphan", ptr.To(intstr.FromString("50%")), nil)
	err = wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		pdb, err := c.PolicyV1().PodDisruptionBudgets("default").Get(ctx, "orphan", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		cond := meta.FindStatusCondition(pdb.Status.Conditions, policyv1.DisruptionAllowedCondition)
		return cond != nil && cond.Reason == policyv1.SyncFailedReason && cond.Message == `found no controllers for pod "orphan"` && pdb.Status.DisruptionsAllowed == 0, nil
	})
	if err != nil {
		t.Errorf("a budget over a pod whose controller is gone: %v, want SyncFailed", err)
	}
	waitEvent(t, c, "orphan", corev1.EventTypeWarning, "CalculateExpectedPodCountFailed", `Failed to calculate the number of expected pods: found no controllers for pod "orphan"`)
}

// waitEvent waits for the controller's event about the budget.
func waitEvent(t *testing.T, c kubernetes.Interface, budget, eventType, reason, message string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		events, err := c.CoreV1().Events("default").List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, e := range events.Items {
			if e.InvolvedObject.Kind == "PodDisruptionBudget" && e.InvolvedObject.Name == budget && e.Type == eventType && e.Reason == reason && e.Message == message &&
				e.Source.Component == "controllermanager" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Errorf("no %s event %s %q about budget %s: %v", eventType, reason, message, budget, err)
	}
}

// TestBudgetAfterEviction evicts pods through pods/eviction: the budget
// counts an evicted pod out, and once disruptedPods expires on the server's
// clock counts a pod that was not deleted back in.
func TestBudgetAfterEviction(t *testing.T) {
	t.Parallel()
	c, clk := start(t)
	ctx := t.Context()
	for i := range 3 {
		pod(t, c, fmt.Sprintf("db-%d", i), "db", true, nil)
	}
	budget(t, c, "db", "db", ptr.To(intstr.FromInt32(2)), nil)
	waitStatus(t, c, "db", want{expected: 3, healthy: 3, desired: 2, allowed: 1, reason: policyv1.SufficientPodsReason})

	evict := func(name string) error {
		return c.CoreV1().Pods("default").EvictV1(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}})
	}
	if err := evict("db-0"); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, c, "db", want{expected: 2, healthy: 2, desired: 2, allowed: 0, reason: policyv1.InsufficientPodsReason})
	if err := evict("db-1"); err == nil {
		t.Fatal("a second eviction was allowed")
	}

	// a disruption taken for a pod that is not deleted expires.
	pod(t, c, "db-3", "db", true, nil)
	pdb := waitStatus(t, c, "db", want{expected: 3, healthy: 3, desired: 2, allowed: 1, reason: policyv1.SufficientPodsReason})
	pdb.Status.DisruptionsAllowed = 0
	pdb.Status.DisruptedPods = map[string]metav1.Time{"db-3": metav1.NewTime(t0)}
	if _, err := c.PolicyV1().PodDisruptionBudgets("default").UpdateStatus(ctx, pdb, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, c, "db", want{expected: 3, healthy: 2, desired: 2, allowed: 0, reason: policyv1.InsufficientPodsReason, disrupted: 1})
	clk.Step(disruption.DeletionTimeout + time.Second)
	waitStatus(t, c, "db", want{expected: 3, healthy: 3, desired: 2, allowed: 1, reason: policyv1.SufficientPodsReason})
}

// TestServerRunsController: a server runs the controller unless
// Controllers.NoDisruption says otherwise.
func TestServerRunsController(t *testing.T) {
	t.Parallel()
	s := harnesstest.Start(t, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	budget(t, c, "default-on", "nothing", ptr.To(intstr.FromInt32(1)), nil)
	waitStatus(t, c, "default-on", want{desired: 1, reason: policyv1.InsufficientPodsReason})
	waitEvent(t, c, "default-on", corev1.EventTypeNormal, "NoPods", "No matching pods found")
}

// TestStaleDisruptionTarget: an eviction's DisruptionTarget condition on a
// pod that was not deleted turns False two minutes later on the server
// clock.
func TestStaleDisruptionTarget(t *testing.T) {
	t.Parallel()
	c, clk := start(t)
	ctx := t.Context()
	pod(t, c, "kept", "kept", true, nil)
	p, err := c.CoreV1().Pods("default").Get(ctx, "kept", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{
		Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue, Reason: "EvictionByEvictionAPI", Message: "Eviction API: evicting",
		LastTransitionTime: metav1.NewTime(t0),
	})
	if _, err := c.CoreV1().Pods("default").UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	clk.Step(disruption.StalePodDisruptionTimeout)
	var last *corev1.PodCondition
	err = wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods("default").Get(ctx, "kept", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for i := range p.Status.Conditions {
			if p.Status.Conditions[i].Type == corev1.DisruptionTarget {
				last = &p.Status.Conditions[i]
			}
		}
		return last != nil && last.Status == corev1.ConditionFalse, nil
	})
	if err != nil {
		t.Fatalf("DisruptionTarget condition: got %+v, want False", last)
	}
	if want := t0.Add(disruption.StalePodDisruptionTimeout); last.Reason != "" || last.Message != "" || !last.LastTransitionTime.Time.Equal(want) || last.ObservedGeneration != 1 {
		t.Errorf("DisruptionTarget condition: got %+v, want False at %v, generation 1, no reason", last, want)
	}
}
