package builtin

import (
	"context"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/registry"
)

// TestWebhookMatchConditionsOnUpdate: a configuration whose match
// conditions do not change is not revalidated for them (upstream lets
// stored expressions stay valid across CEL environment changes); changing
// one revalidates them all.
func TestWebhookMatchConditionsOnUpdate(t *testing.T) {
	t.Parallel()
	strategy := registry.NewStrategy(nil, kindOf(t, admissionregistrationv1.Resource("validatingwebhookconfigurations")))
	config := func(expression string, timeout int32) *admissionregistrationv1.ValidatingWebhookConfiguration {
		return &admissionregistrationv1.ValidatingWebhookConfiguration{
			ObjectMeta: metav1.ObjectMeta{Name: "hooks", ResourceVersion: "1"},
			Webhooks: []admissionregistrationv1.ValidatingWebhook{{
				Name: "check.memkube.test", ClientConfig: admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://127.0.0.1:8443/")},
				SideEffects: ptr.To(admissionregistrationv1.SideEffectClassNone), AdmissionReviewVersions: []string{"v1"}, TimeoutSeconds: ptr.To(timeout),
				MatchConditions: []admissionregistrationv1.MatchCondition{{Name: "size", Expression: expression}},
			}},
		}
	}
	old := config("object.data.size()", 10)
	if errs := strategy.ValidateUpdate(context.Background(), config("object.data.size()", 20), old); len(errs) != 0 {
		t.Errorf("unchanged match conditions: got %v, want no errors", errs)
	}
	errs := strategy.ValidateUpdate(context.Background(), config("object.data.size() + 1", 20), old)
	if want := `webhooks[0].matchConditions[0].expression: Invalid value: "object.data.size() + 1": must evaluate to bool but got int`; len(errs) != 1 || errs[0].Error() != want {
		t.Errorf("changed match conditions: got %v, want %s", errs, want)
	}
}
