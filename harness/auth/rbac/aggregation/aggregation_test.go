package aggregation_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
	rbacv1 "k8s.io/api/rbac/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/auth/rbac/aggregation"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestMain fails the package if a stopped controller (or server) leaves
// goroutines behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, harnesstest.IgnoreLeaks()...)
}

// start starts a server and the controller, which the test's cleanup stops
// (and waits for) before the server.
func start(t *testing.T) kubernetes.Interface {
	t.Helper()
	s := harnesstest.Start(t, harness.Options{})
	c, err := aggregation.New(s.InProcessRESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	harnesstest.Run(t, func(ctx context.Context) { c.Run(ctx) })
	return kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
}

func rule(verb, resource string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: []string{verb}, APIGroups: []string{"example.com"}, Resources: []string{resource}}
}

// waitRules waits until the ClusterRole name has rules want, and returns it.
func waitRules(t *testing.T, client kubernetes.Interface, name string, want []rbacv1.PolicyRule) *rbacv1.ClusterRole {
	t.Helper()
	var got *rbacv1.ClusterRole
	err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		var err error
		got, err = client.RbacV1().ClusterRoles().Get(ctx, name, metav1.GetOptions{})
		return err == nil && apiequality.Semantic.DeepEqual(got.Rules, want), err
	})
	if err != nil {
		t.Fatalf("waiting for %s to have rules %+v (has %+v): %v", name, want, got.Rules, err)
	}
	return got
}

func TestAggregates(t *testing.T) {
	t.Parallel()
	client := start(t)
	ctx := t.Context()
	roles := client.RbacV1().ClusterRoles()
	create := func(r *rbacv1.ClusterRole) {
		t.Helper()
		if _, err := roles.Create(ctx, r, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	first := map[string]string{"example.com/first": "true"}
	second := map[string]string{"example.com/second": "true"}
	r1, r2, r3, r4, r5 := rule("get", "a"), rule("get", "b"), rule("list", "a"), rule("delete", "c"), rule("watch", "d")
	// selected by the first selector: in order of name, b after a.
	create(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "part-b", Labels: first}, Rules: []rbacv1.PolicyRule{r1, r2}})
	create(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "part-a", Labels: first}, Rules: []rbacv1.PolicyRule{r2, r3}})
	// by the second, after all of the first's.
	create(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "part-0", Labels: second}, Rules: []rbacv1.PolicyRule{r1, r4}})
	// the aggregated role matches its own selector: it is skipped, and its rules replaced.
	create(&rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "whole", Labels: first},
		AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
			{MatchLabels: first}, {MatchLabels: second},
		}},
		Rules: []rbacv1.PolicyRule{r5},
	})

	whole := waitRules(t, client, "whole", []rbacv1.PolicyRule{r2, r3, r1, r4})
	if ok, err := aggregation.Converged(ctx, client); !ok || err != nil {
		t.Errorf("Converged = %v, %v after aggregation; want true", ok, err)
	}
	var applied bool
	for _, f := range whole.ManagedFields {
		applied = applied || f.Manager == aggregation.FieldManager && f.Operation == metav1.ManagedFieldsOperationApply
	}
	if !applied {
		t.Errorf("managedFields %+v: no Apply by %s", whole.ManagedFields, aggregation.FieldManager)
	}

	// changes to a part.
	part, err := roles.Get(ctx, "part-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	part.Rules = []rbacv1.PolicyRule{r5}
	if _, err := roles.Update(ctx, part, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	waitRules(t, client, "whole", []rbacv1.PolicyRule{r2, r3, r1, r5})

	// a part leaving.
	if err := roles.Delete(ctx, "part-a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRules(t, client, "whole", []rbacv1.PolicyRule{r1, r2, r5})

	// a part relabelled away.
	part, err = roles.Get(ctx, "part-b", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	part.Labels = nil
	if _, err := roles.Update(ctx, part, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRules(t, client, "whole", []rbacv1.PolicyRule{r5})

	// an aggregated role of aggregated roles.
	create(&rbacv1.ClusterRole{
		ObjectMeta:      metav1.ObjectMeta{Name: "outer"},
		AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: first}}},
	})
	waitRules(t, client, "outer", []rbacv1.PolicyRule{r5})
	part, err = roles.Get(ctx, "part-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	part.Rules = []rbacv1.PolicyRule{r4, r5}
	if _, err := roles.Update(ctx, part, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRules(t, client, "outer", []rbacv1.PolicyRule{r4, r5})
}
