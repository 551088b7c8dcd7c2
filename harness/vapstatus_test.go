package harness_test

import (
	"context"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestValidatingAdmissionPolicyStatus: a server runs kube-controller-manager's
// ValidatingAdmissionPolicy status controller by default, so a policy's
// observedGeneration catches up with its generation and type errors show
// in its status.
func TestValidatingAdmissionPolicyStatus(t *testing.T) {
	t.Parallel()
	s := harnesstest.Start(t, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "replicas"},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
				RuleWithOperations: admissionregistrationv1.RuleWithOperations{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
					Rule:       admissionregistrationv1.Rule{APIGroups: []string{"apps"}, APIVersions: []string{"v1"}, Resources: []string{"deployments"}},
				},
			}}},
			Validations: []admissionregistrationv1.Validation{{Expression: "object.spec.replicas > '1'"}},
		},
	}
	if _, err := c.AdmissionregistrationV1().ValidatingAdmissionPolicies().Create(t.Context(), policy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		var err error
		policy, err = c.AdmissionregistrationV1().ValidatingAdmissionPolicies().Get(ctx, "replicas", metav1.GetOptions{})
		return err == nil && policy.Status.ObservedGeneration == policy.Generation, err
	})
	if err != nil {
		t.Fatalf("observedGeneration: got %d, want %d (%v)", policy.Status.ObservedGeneration, policy.Generation, err)
	}
	if tc := policy.Status.TypeChecking; tc == nil || len(tc.ExpressionWarnings) != 1 || tc.ExpressionWarnings[0].FieldRef != "spec.validations[0].expression" ||
		!strings.Contains(tc.ExpressionWarnings[0].Warning, "found no matching overload for '_>_' applied to '(int, string)'") {
		t.Errorf("typeChecking: got %+v, want one warning on spec.validations[0].expression", tc)
	}
}
