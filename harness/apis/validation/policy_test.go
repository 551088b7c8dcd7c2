package validation_test

import (
	"testing"

	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

func validPDB() *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable:               ptr.To(intstr.FromString("50%")),
			Selector:                   &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			UnhealthyPodEvictionPolicy: ptr.To(policyv1.AlwaysAllow),
		},
	}
}

func TestPodDisruptionBudget(t *testing.T) {
	t.Parallel()
	runGroupCases(t, validPDB, validation.PodDisruptionBudget, []groupCase[*policyv1.PodDisruptionBudget]{
		{"more than 100%", func(p *policyv1.PodDisruptionBudget) { p.Spec.MinAvailable = ptr.To(intstr.FromString("120%")) },
			[]string{`spec.minAvailable: Invalid value: "120%": must not be greater than 100%`}},
		{"not a percentage", func(p *policyv1.PodDisruptionBudget) { p.Spec.MinAvailable = ptr.To(intstr.FromString("half")) },
			[]string{`spec.minAvailable: Invalid value: "half": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`}},
		{"negative maxUnavailable", func(p *policyv1.PodDisruptionBudget) {
			p.Spec.MinAvailable = nil
			p.Spec.MaxUnavailable = ptr.To(intstr.FromInt32(-1))
		}, []string{`spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0`}},
		{"unknown eviction policy", func(p *policyv1.PodDisruptionBudget) {
			p.Spec.UnhealthyPodEvictionPolicy = ptr.To(policyv1.UnhealthyPodEvictionPolicyType("Never"))
		}, []string{`spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"`}},
	})

	both := validPDB()
	both.Spec.MaxUnavailable = ptr.To(intstr.FromInt32(1))
	errs := validation.PodDisruptionBudget(both)
	if len(errs) != 1 || errs[0].Field != "spec" || errs[0].Detail != "minAvailable and maxUnavailable cannot be both set" {
		t.Errorf("got %v, want minAvailable and maxUnavailable rejected together", errs)
	}

	status := validPDB()
	status.Status = policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: -1, ExpectedPods: 3}
	assertErrors(t, validation.PodDisruptionBudgetStatusUpdate(status, validPDB()), []string{"status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0"})
}
