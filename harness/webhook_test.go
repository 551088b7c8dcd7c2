package harness_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
	"github.com/memkube/memkube/harness/pki"
)

// hooks is an admission webhook server of the test's: TLS with a
// certificate of a CA of its own, valid for 127.0.0.1 and for the service
// hooks.webhooks.svc; it keeps the requests of each path and answers them.
type hooks struct {
	srv      *httptest.Server
	caBundle []byte

	mu sync.Mutex // guards reviews
	// reviews are the requests received, by URL path.
	reviews map[string][]*admissionv1.AdmissionRequest
}

// hooksService is the Service a webhook can be reached at by reference.
const hooksNamespace, hooksService = "webhooks", "hooks"

// answers: a path's first segment says how the webhook answers.
//   - /block/...: never, until the server gives up (timeouts);
//   - /annotate/...: allowed, with a patch adding annotation "annotated";
//   - /label/...: allowed, with a patch adding label "labelled" if missing;
//   - anything else: allowed as is.
func startHooks(t *testing.T) *hooks {
	t.Helper()
	ca, err := pki.NewCA("webhooks-ca")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.IssueServing([]string{hooksService + "." + hooksNamespace + ".svc"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(cert.CertPEM, cert.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	h := &hooks{caBundle: ca.CertPEM, reviews: map[string][]*admissionv1.AdmissionRequest{}}
	h.srv = httptest.NewUnstartedServer(http.HandlerFunc(h.serve))
	h.srv.EnableHTTP2 = true
	h.srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	h.srv.StartTLS()
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hooks) serve(w http.ResponseWriter, r *http.Request) {
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.reviews[r.URL.Path] = append(h.reviews[r.URL.Path], review.Request)
	h.mu.Unlock()
	resp := &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
	var object struct {
		Metadata metav1.ObjectMeta `json:"metadata"`
	}
	_ = json.Unmarshal(review.Request.Object.Raw, &object)
	var patch []map[string]any
	switch strings.Split(r.URL.Path, "/")[1] {
	case "block":
		<-r.Context().Done()
		return
	case "annotate":
		if object.Metadata.Annotations == nil {
			patch = append(patch, map[string]any{"op": "add", "path": "/metadata/annotations", "value": map[string]string{}})
		}
		patch = append(patch, map[string]any{"op": "add", "path": "/metadata/annotations/annotated", "value": "yes"})
	case "label":
		if object.Metadata.Labels["labelled"] == "" {
			if object.Metadata.Labels == nil {
				patch = append(patch, map[string]any{"op": "add", "path": "/metadata/labels", "value": map[string]string{}})
			}
			patch = append(patch, map[string]any{"op": "add", "path": "/metadata/labels/labelled", "value": "yes"})
		}
	}
	if len(patch) > 0 {
		resp.Patch, _ = json.Marshal(patch)
		resp.PatchType = ptr.To(admissionv1.PatchTypeJSONPatch)
	}
	review.Response, review.Request = resp, nil
	_ = json.NewEncoder(w).Encode(review)
}

// url is the webhook at path, by URL.
func (h *hooks) url(path string) admissionregistrationv1.WebhookClientConfig {
	return admissionregistrationv1.WebhookClientConfig{URL: ptr.To(h.srv.URL + path), CABundle: h.caBundle}
}

// service is the webhook at path, by service reference.
func (h *hooks) service(name, path string) admissionregistrationv1.WebhookClientConfig {
	return admissionregistrationv1.WebhookClientConfig{
		Service:  &admissionregistrationv1.ServiceReference{Namespace: hooksNamespace, Name: name, Path: ptr.To(path), Port: ptr.To[int32](443)},
		CABundle: h.caBundle,
	}
}

// calls are the requests path received, for objects named name ("": all).
func (h *hooks) calls(path, name string) []*admissionv1.AdmissionRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*admissionv1.AdmissionRequest
	for _, r := range h.reviews[path] {
		if name == "" || r.Name == name {
			out = append(out, r)
		}
	}
	return out
}

// unreachable is a URL nothing listens at: a port the kernel gave and took
// back.
func unreachable(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return "https://127.0.0.1:" + strconv.Itoa(port) + "/"
}

// webhookEnv is a server, its webhooks, and a namespace per subtest.
type webhookEnv struct {
	s     *harness.Server
	c     kubernetes.Interface
	hooks *hooks
}

// namespace creates a namespace with labels; webhooks select it by its
// kubernetes.io/metadata.name label, so subtests do not see each other's.
func (e *webhookEnv) namespace(t *testing.T, name string, labels map[string]string) {
	t.Helper()
	if _, err := e.c.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// in selects the namespaces named.
func in(names ...string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpIn, Values: names}}}
}

// configMapRules are the rules of webhooks on configmaps.
func configMapRules(ops ...admissionregistrationv1.OperationType) []admissionregistrationv1.RuleWithOperations {
	if len(ops) == 0 {
		ops = []admissionregistrationv1.OperationType{admissionregistrationv1.Create}
	}
	return []admissionregistrationv1.RuleWithOperations{{Operations: ops, Rule: admissionregistrationv1.Rule{
		APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"configmaps"},
	}}}
}

// validating is a validating webhook of the test's: on configmaps of
// namespace ns, side-effect free, failing closed, review version v1.
func validating(name, ns string, cc admissionregistrationv1.WebhookClientConfig) admissionregistrationv1.ValidatingWebhook {
	return admissionregistrationv1.ValidatingWebhook{
		Name: name, ClientConfig: cc, Rules: configMapRules(), NamespaceSelector: in(ns),
		SideEffects: ptr.To(admissionregistrationv1.SideEffectClassNone), FailurePolicy: ptr.To(admissionregistrationv1.Fail),
		AdmissionReviewVersions: []string{"v1"},
	}
}

func (e *webhookEnv) validatingConfig(t *testing.T, name string, webhooks ...admissionregistrationv1.ValidatingWebhook) {
	t.Helper()
	if _, err := e.c.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(t.Context(), &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name}, Webhooks: webhooks,
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func (e *webhookEnv) mutatingConfig(t *testing.T, name string, webhooks ...admissionregistrationv1.MutatingWebhook) {
	t.Helper()
	if _, err := e.c.AdmissionregistrationV1().MutatingWebhookConfigurations().Create(t.Context(), &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name}, Webhooks: webhooks,
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// createConfigMap creates a ConfigMap in ns, dry-run if asked.
func (e *webhookEnv) createConfigMap(ctx context.Context, ns, name string, labels map[string]string, dryRun bool) error {
	opts := metav1.CreateOptions{}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	_, err := e.c.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}, opts)
	return err
}

// until polls cond every 5 ms for up to 10 s: webhook configurations take
// effect once the admission plugins' informers have them.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return cond(), nil
	}); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestAdmissionWebhooks checks that memkube runs k8s.io/apiserver's webhook
// admission as kube-apiserver does: failure policies, timeouts, match
// policy, selectors, match conditions, reinvocation, side effects and dry
// run, TLS with a CA bundle, by URL and by service reference.
func TestAdmissionWebhooks(t *testing.T) {
	t.Parallel()
	// without the root-CA publisher, whose ConfigMap in every new namespace
	// the test's webhooks would see (and fail).
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoServiceAccount: true}})
	e := &webhookEnv{s: s, c: kubernetes.NewForConfigOrDie(s.RESTConfig()), hooks: startHooks(t)}
	e.namespace(t, hooksNamespace, nil)
	// the webhook server, behind a Service without a selector and an
	// EndpointSlice of the test's, as a Deployment's would be.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(e.hooks.srv.URL, "https://"))
	p, _ := strconv.Atoi(port)
	for name, ready := range map[string]bool{hooksService: true, "not-ready": false} {
		if _, err := e.c.CoreV1().Services(hooksNamespace).Create(t.Context(), &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 443}}},
		}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.c.DiscoveryV1().EndpointSlices(hooksNamespace).Create(t.Context(), &discoveryv1.EndpointSlice{
			ObjectMeta:  metav1.ObjectMeta{Name: name, Labels: map[string]string{discoveryv1.LabelServiceName: name}},
			AddressType: discoveryv1.AddressTypeIPv4,
			Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{"127.0.0.1"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(ready)}}},
			// the Service's port is unnamed: so is the slice's.
			Ports: []discoveryv1.EndpointPort{{Name: ptr.To(""), Port: ptr.To(int32(p))}},
		}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("failurePolicy", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name   string
			cc     func(t *testing.T) admissionregistrationv1.WebhookClientConfig
			policy admissionregistrationv1.FailurePolicyType
			// want is what the error says; "" for none.
			want []string
		}{
			{"unreachable, Fail", func(t *testing.T) admissionregistrationv1.WebhookClientConfig {
				return admissionregistrationv1.WebhookClientConfig{URL: ptr.To(unreachable(t))}
			}, admissionregistrationv1.Fail, []string{`Internal error occurred: failed calling webhook "subject.memkube.test": failed to call webhook: Post "https://127.0.0.1:`, `connect: connection refused`}},
			{"unreachable, Ignore", func(t *testing.T) admissionregistrationv1.WebhookClientConfig {
				return admissionregistrationv1.WebhookClientConfig{URL: ptr.To(unreachable(t))}
			}, admissionregistrationv1.Ignore, nil},
			{"timeout, Fail", func(*testing.T) admissionregistrationv1.WebhookClientConfig { return e.hooks.url("/block/fail") },
				admissionregistrationv1.Fail, []string{`Internal error occurred: failed calling webhook "subject.memkube.test": failed to call webhook: Post "https://127.0.0.1:`, `/block/fail?timeout=1s": context deadline exceeded`}},
			{"timeout, Ignore", func(*testing.T) admissionregistrationv1.WebhookClientConfig { return e.hooks.url("/block/ignore") },
				admissionregistrationv1.Ignore, nil},
			{"unknown CA, Fail", func(*testing.T) admissionregistrationv1.WebhookClientConfig {
				cc := e.hooks.url("/untrusted")
				cc.CABundle = nil // the server's trust store does not know the test's CA
				return cc
			}, admissionregistrationv1.Fail, []string{`failed calling webhook "subject.memkube.test": failed to call webhook: Post "https://127.0.0.1:`, `tls: failed to verify certificate: x509: certificate signed by unknown authority`}},
			{"a service without ready endpoints, Fail", func(*testing.T) admissionregistrationv1.WebhookClientConfig { return e.hooks.service("not-ready", "/") },
				admissionregistrationv1.Fail, []string{`Internal error occurred: failed calling webhook "subject.memkube.test": failed to call webhook: Post "https://not-ready.webhooks.svc:443/?timeout=1s": no endpoints available for service "not-ready"`}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				ns := "fp-" + strings.NewReplacer(",", "", " ", "-").Replace(strings.ToLower(tc.name))
				e.namespace(t, ns, nil)
				subject := validating("subject.memkube.test", ns, tc.cc(t))
				subject.FailurePolicy, subject.TimeoutSeconds = &tc.policy, ptr.To[int32](1)
				// the witness, after the subject, is called once the
				// configuration is in effect.
				witness := validating("witness.memkube.test", ns, e.hooks.url("/witness/"+ns))
				e.validatingConfig(t, ns, subject, witness)
				var err error
				if tc.want != nil {
					until(t, "the subject webhook in effect", func() bool {
						err = e.createConfigMap(ctx, ns, "cm", nil, true)
						return err != nil
					})
					if !apierrors.IsInternalError(err) {
						t.Errorf("got %v, want an internal error (500)", err)
					}
					for _, w := range tc.want {
						if err == nil || !strings.Contains(err.Error(), w) {
							t.Errorf("got %v, want it to say %s", err, w)
						}
					}
					return
				}
				until(t, "the witness webhook called", func() bool {
					err = e.createConfigMap(ctx, ns, "probe", nil, true)
					return len(e.hooks.calls("/witness/"+ns, "")) > 0
				})
				if err != nil {
					t.Errorf("with the subject webhook failing open: %v", err)
				}
			})
		}
	})

	t.Run("matchPolicy", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		const ns = "match-policy"
		e.namespace(t, ns, nil)
		hpaRule := func(version string) []admissionregistrationv1.RuleWithOperations {
			return []admissionregistrationv1.RuleWithOperations{{Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create}, Rule: admissionregistrationv1.Rule{
				APIGroups: []string{"autoscaling"}, APIVersions: []string{version}, Resources: []string{"horizontalpodautoscalers"},
			}}}
		}
		equivalent := validating("equivalent.memkube.test", ns, e.hooks.url("/equivalent"))
		equivalent.Rules, equivalent.MatchPolicy = hpaRule("v2"), ptr.To(admissionregistrationv1.Equivalent)
		exact := validating("exact.memkube.test", ns, e.hooks.url("/exact"))
		exact.Rules, exact.MatchPolicy = hpaRule("v2"), ptr.To(admissionregistrationv1.Exact)
		witness := validating("witness.memkube.test", ns, e.hooks.url("/hpa-v1"))
		witness.Rules, witness.MatchPolicy = hpaRule("v1"), ptr.To(admissionregistrationv1.Exact)
		e.validatingConfig(t, ns, equivalent, exact, witness)
		hpa := &autoscalingv1.HorizontalPodAutoscaler{
			ObjectMeta: metav1.ObjectMeta{GenerateName: "web-"},
			Spec: autoscalingv1.HorizontalPodAutoscalerSpec{
				ScaleTargetRef: autoscalingv1.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
				MaxReplicas:    3, TargetCPUUtilizationPercentage: ptr.To[int32](70),
			},
		}
		until(t, "the webhooks in effect", func() bool {
			_, _ = e.c.AutoscalingV1().HorizontalPodAutoscalers(ns).Create(ctx, hpa, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			return len(e.hooks.calls("/hpa-v1", "")) > 0
		})
		calls := e.hooks.calls("/equivalent", "")
		if len(calls) == 0 {
			t.Fatal("the autoscaling/v2 webhook matching Equivalent was not called for an autoscaling/v1 create")
		}
		r := calls[0]
		if r.Kind.Version != "v2" || r.Resource.Version != "v2" || r.RequestKind.Version != "v1" || r.RequestResource.Version != "v1" {
			t.Errorf("review of kind %v resource %v, request kind %v resource %v; want v2 objects of a v1 request", r.Kind, r.Resource, r.RequestKind, r.RequestResource)
		}
		if !strings.Contains(string(r.Object.Raw), `"apiVersion":"autoscaling/v2"`) || !strings.Contains(string(r.Object.Raw), `"averageUtilization":70`) {
			t.Errorf("reviewed object %s, want the HPA converted to autoscaling/v2", r.Object.Raw)
		}
		if n := len(e.hooks.calls("/exact", "")); n != 0 {
			t.Errorf("the autoscaling/v2 webhook matching Exact was called %d times for autoscaling/v1 creates", n)
		}
	})

	t.Run("selectors", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		e.namespace(t, "team-a", map[string]string{"team": "a"})
		e.namespace(t, "team-b", map[string]string{"team": "b"})
		hook := validating("selective.memkube.test", "", e.hooks.url("/selective"))
		hook.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}}
		hook.ObjectSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
		e.validatingConfig(t, "selectors", hook)
		web := map[string]string{"app": "web"}
		until(t, "the webhook in effect", func() bool {
			_ = e.createConfigMap(ctx, "team-a", "probe", web, true)
			return len(e.hooks.calls("/selective", "probe")) > 0
		})
		for _, tc := range []struct {
			ns, name string
			labels   map[string]string
			called   bool
		}{
			{"team-a", "web-a", web, true},
			{"team-a", "other-a", map[string]string{"app": "db"}, false},
			{"team-b", "web-b", web, false},
		} {
			if err := e.createConfigMap(ctx, tc.ns, tc.name, tc.labels, false); err != nil {
				t.Fatal(err)
			}
			if called := len(e.hooks.calls("/selective", tc.name)) > 0; called != tc.called {
				t.Errorf("ConfigMap %s/%s labelled %v: webhook called %v, want %v", tc.ns, tc.name, tc.labels, called, tc.called)
			}
		}
	})

	t.Run("matchConditions", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		const ns = "match-conditions"
		e.namespace(t, ns, nil)
		hook := validating("conditional.memkube.test", ns, e.hooks.url("/conditional"))
		hook.MatchConditions = []admissionregistrationv1.MatchCondition{
			{Name: "checked-only", Expression: `object.metadata.name.startsWith("checked-")`},
			{Name: "not-the-admin", Expression: `request.userInfo.username != "nobody"`},
		}
		e.validatingConfig(t, ns, hook)
		until(t, "the webhook in effect", func() bool {
			_ = e.createConfigMap(ctx, ns, "checked-probe", nil, true)
			return len(e.hooks.calls("/conditional", "checked-probe")) > 0
		})
		for name, called := range map[string]bool{"checked-1": true, "unchecked": false} {
			if err := e.createConfigMap(ctx, ns, name, nil, false); err != nil {
				t.Fatal(err)
			}
			if got := len(e.hooks.calls("/conditional", name)) > 0; got != called {
				t.Errorf("ConfigMap %s: webhook called %v, want %v", name, got, called)
			}
		}
	})

	t.Run("reinvocationPolicy", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		for _, tc := range []struct {
			policy admissionregistrationv1.ReinvocationPolicyType
			calls  int
		}{{admissionregistrationv1.IfNeededReinvocationPolicy, 2}, {admissionregistrationv1.NeverReinvocationPolicy, 1}} {
			ns := "reinvoke-" + strings.ToLower(string(tc.policy))
			e.namespace(t, ns, nil)
			mutating := func(name, path string) admissionregistrationv1.MutatingWebhook {
				return admissionregistrationv1.MutatingWebhook{
					Name: name, ClientConfig: e.hooks.url(path), Rules: configMapRules(), NamespaceSelector: in(ns),
					SideEffects: ptr.To(admissionregistrationv1.SideEffectClassNone), FailurePolicy: ptr.To(admissionregistrationv1.Fail),
					AdmissionReviewVersions: []string{"v1"},
				}
			}
			// configurations run in order of name: the annotator first,
			// then the labeller, whose change may call the annotator again.
			annotator := mutating("annotator.memkube.test", "/annotate/"+ns)
			annotator.ReinvocationPolicy = &tc.policy
			e.mutatingConfig(t, ns+"-1", annotator)
			e.mutatingConfig(t, ns+"-2", mutating("labeller.memkube.test", "/label/"+ns))
			until(t, "the webhooks in effect", func() bool {
				_ = e.createConfigMap(ctx, ns, "probe", nil, true)
				return len(e.hooks.calls("/label/"+ns, "probe")) > 0 && len(e.hooks.calls("/annotate/"+ns, "probe")) > 0
			})
			if err := e.createConfigMap(ctx, ns, "cm", nil, false); err != nil {
				t.Fatal(err)
			}
			if n := len(e.hooks.calls("/annotate/"+ns, "cm")); n != tc.calls {
				t.Errorf("reinvocationPolicy %s: the annotator was called %d times, want %d", tc.policy, n, tc.calls)
			}
			cm, err := e.c.CoreV1().ConfigMaps(ns).Get(ctx, "cm", metav1.GetOptions{})
			if err != nil || cm.Annotations["annotated"] != "yes" || cm.Labels["labelled"] != "yes" {
				t.Errorf("stored ConfigMap: %v %v %v; want both webhooks' changes", err, cm.Annotations, cm.Labels)
			}
		}
	})

	t.Run("sideEffects", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		const ns = "side-effects"
		e.namespace(t, ns, nil)
		none := validating("none.memkube.test", ns, e.hooks.url("/side-effects/none"))
		onDryRun := validating("none-on-dry-run.memkube.test", ns, e.hooks.url("/side-effects/none-on-dry-run"))
		onDryRun.SideEffects = ptr.To(admissionregistrationv1.SideEffectClassNoneOnDryRun)
		e.validatingConfig(t, ns, none, onDryRun)
		until(t, "the webhooks in effect", func() bool {
			_ = e.createConfigMap(ctx, ns, "dry", nil, true)
			return len(e.hooks.calls("/side-effects/none-on-dry-run", "dry")) > 0
		})
		for _, path := range []string{"/side-effects/none", "/side-effects/none-on-dry-run"} {
			calls := e.hooks.calls(path, "dry")
			if len(calls) == 0 || calls[0].DryRun == nil || !*calls[0].DryRun {
				t.Errorf("%s: %d calls for a dry-run create, want them with dryRun true", path, len(calls))
			}
		}
		if _, err := e.c.CoreV1().ConfigMaps(ns).Get(ctx, "dry", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("the dry-run create stored its ConfigMap: %v", err)
		}
		// kube-apiserver has admissionregistration.k8s.io/v1 only, where a
		// webhook with side effects (which dry runs would have to skip) is
		// refused.
		some := validating("some.memkube.test", ns, e.hooks.url("/side-effects/some"))
		some.SideEffects = ptr.To(admissionregistrationv1.SideEffectClassSome)
		_, err := e.c.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, &admissionregistrationv1.ValidatingWebhookConfiguration{
			ObjectMeta: metav1.ObjectMeta{Name: "some"}, Webhooks: []admissionregistrationv1.ValidatingWebhook{some},
		}, metav1.CreateOptions{})
		want := `ValidatingWebhookConfiguration.admissionregistration.k8s.io "some" is invalid: webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"`
		if !apierrors.IsInvalid(err) || err.Error() != want {
			t.Errorf("a webhook with side effects: %v, want %s", err, want)
		}
	})

	t.Run("service reference", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		const ns = "by-service"
		e.namespace(t, ns, nil)
		e.validatingConfig(t, ns, validating("by-service.memkube.test", ns, e.hooks.service(hooksService, "/by-service")))
		until(t, "the webhook called through its service", func() bool {
			_ = e.createConfigMap(ctx, ns, "probe", nil, true)
			return len(e.hooks.calls("/by-service", "probe")) > 0
		})
	})
}
