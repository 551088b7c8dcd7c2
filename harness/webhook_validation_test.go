package harness_test

import (
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestWebhookConfigurationValidation: webhook configurations are validated
// as kube-apiserver validates them.
func TestWebhookConfigurationValidation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig()).AdmissionregistrationV1()
	good := func() admissionregistrationv1.MutatingWebhook {
		return admissionregistrationv1.MutatingWebhook{
			Name: "good.memkube.test", ClientConfig: admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://127.0.0.1:8443/")},
			Rules: []admissionregistrationv1.RuleWithOperations{{Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule: admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"configmaps"}}}},
			SideEffects: ptr.To(admissionregistrationv1.SideEffectClassNone), AdmissionReviewVersions: []string{"v1"},
		}
	}
	for _, tc := range []struct {
		name   string
		change func(*admissionregistrationv1.MutatingWebhook)
		want   string // "" for valid
	}{
		{"valid", func(*admissionregistrationv1.MutatingWebhook) {}, ""},
		{"no side effects", func(h *admissionregistrationv1.MutatingWebhook) { h.SideEffects = nil },
			`webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun`},
		{"timeout", func(h *admissionregistrationv1.MutatingWebhook) { h.TimeoutSeconds = ptr.To[int32](31) },
			`webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds`},
		{"name", func(h *admissionregistrationv1.MutatingWebhook) { h.Name = "short" },
			`webhooks[0].name: Invalid value: "short": should be a domain with at least three segments separated by dots`},
		{"url and service", func(h *admissionregistrationv1.MutatingWebhook) {
			h.ClientConfig.Service = &admissionregistrationv1.ServiceReference{Namespace: "a", Name: "b"}
		}, `webhooks[0].clientConfig: Required value: exactly one of url or service is required`},
		{"http", func(h *admissionregistrationv1.MutatingWebhook) { h.ClientConfig.URL = ptr.To("http://127.0.0.1/") },
			`webhooks[0].clientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme; desired format: https://host[/path]`},
		{"review versions", func(h *admissionregistrationv1.MutatingWebhook) { h.AdmissionReviewVersions = []string{"v2"} },
			`webhooks[0].admissionReviewVersions: Invalid value: ["v2"]: must include at least one of v1, v1beta1`},
		{"reinvocation", func(h *admissionregistrationv1.MutatingWebhook) {
			h.ReinvocationPolicy = ptr.To(admissionregistrationv1.ReinvocationPolicyType("Always"))
		}, `webhooks[0].reinvocationPolicy: Unsupported value: "Always": supported values: "IfNeeded", "Never"`},
		{"rule without operations", func(h *admissionregistrationv1.MutatingWebhook) { h.Rules[0].Operations = nil },
			`webhooks[0].rules[0].operations: Required value`},
		{"match condition not bool", func(h *admissionregistrationv1.MutatingWebhook) {
			h.MatchConditions = []admissionregistrationv1.MatchCondition{{Name: "size", Expression: "object.data.size()"}}
		}, `webhooks[0].matchConditions[0].expression: Invalid value: "object.data.size()": must evaluate to bool but got int`},
		{"static name", func(h *admissionregistrationv1.MutatingWebhook) {}, `metadata.name: Invalid value: "static.static.k8s.io": names ending with ".static.k8s.io" are reserved for static manifest-based configurations and cannot be managed via the API`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := good()
			tc.change(&h)
			name := strings.ReplaceAll(tc.name, " ", "-")
			if tc.name == "static name" {
				name = "static.static.k8s.io"
			}
			_, err := c.MutatingWebhookConfigurations().Create(ctx, &admissionregistrationv1.MutatingWebhookConfiguration{
				ObjectMeta: metav1.ObjectMeta{Name: name}, Webhooks: []admissionregistrationv1.MutatingWebhook{h},
			}, metav1.CreateOptions{})
			want := `MutatingWebhookConfiguration.admissionregistration.k8s.io "` + name + `" is invalid: ` + tc.want
			if tc.want == "" && err != nil || tc.want != "" && (!apierrors.IsInvalid(err) || err.Error() != want) {
				t.Errorf("got %v, want %s", err, want)
			}
		})
	}
}
