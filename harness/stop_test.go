package harness_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"go.uber.org/goleak"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestInProcessClientAndStop talks to a server through the in-process
// transport (requests, a watch, the authenticated user) and over TLS, then
// stops it with both kinds of client still connected: Stop must be quick.
func TestInProcessClientAndStop(t *testing.T) {
	ctx := t.Context()
	before := goleak.IgnoreCurrent()
	s, err := harness.Start(ctx, harness.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			s.Stop()
		}
	}()
	inProcess, err := kubernetes.NewForConfig(s.InProcessRESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	w, err := inProcess.CoreV1().ConfigMaps("default").Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=a"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if _, err := inProcess.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-w.ResultChan():
		if ev.Type != watch.Added || ev.Object.(*corev1.ConfigMap).Name != "a" {
			t.Fatalf("watch event %v %v, want ADDED a", ev.Type, ev.Object)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no watch event through the in-process transport")
	}
	review, err := inProcess.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if u := review.Status.UserInfo; u.Username != "memkube-admin" || len(u.Groups) != 2 || u.Groups[0] != "system:masters" || u.Groups[1] != "system:authenticated" {
		t.Fatalf("in-process user %+v, want memkube-admin in system:masters and system:authenticated", u)
	}

	overTLS, err := kubernetes.NewForConfig(s.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	tlsWatch, err := overTLS.CoreV1().ConfigMaps("default").Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tlsWatch.Stop()

	s.Stop()
	stopped = true
	// the clients' watches end with the server.
	for _, w := range []watch.Interface{w, tlsWatch} {
		select {
		case _, open := <-w.ResultChan():
			for open {
				_, open = <-w.ResultChan()
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a watch outlived the server")
		}
	}
	goleak.VerifyNone(t, append(harnesstest.IgnoreLeaks(), before)...)
}

// connCounter counts a test server's open connections.
type connCounter struct {
	mu   sync.Mutex // guards open
	open map[net.Conn]bool
}

func (c *connCounter) track(conn net.Conn, state http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch state {
	case http.StateNew:
		c.open[conn] = true
	case http.StateClosed, http.StateHijacked:
		delete(c.open, conn)
	}
}

func (c *connCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.open)
}

// startWebhookServer serves handler over TLS with HTTP/2, as
// controller-runtime's webhook server does, counting its connections.
func startWebhookServer(t *testing.T, handler http.HandlerFunc) (*httptest.Server, *connCounter) {
	t.Helper()
	conns := &connCounter{open: map[net.Conn]bool{}}
	srv := httptest.NewUnstartedServer(handler)
	srv.EnableHTTP2 = true
	srv.Config.ConnState = conns.track
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, conns
}

// TestStopClosesWebhookConnections calls an admission webhook and a CRD
// conversion webhook, then stops the server: the connections it opened to
// them must close, as they do when kube-apiserver exits. Left open, they
// keep client goroutines alive, and a webhook server's graceful shutdown
// waits a second for each HTTP/2 client to hang up.
func TestStopClosesWebhookConnections(t *testing.T) {
	ctx := t.Context()
	admissionSrv, admissionConns := startWebhookServer(t, func(w http.ResponseWriter, r *http.Request) {
		var review admissionv1.AdmissionReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		review.Response = &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
		review.Request = nil
		_ = json.NewEncoder(w).Encode(review)
	})
	conversionSrv, conversionConns := startWebhookServer(t, func(w http.ResponseWriter, r *http.Request) {
		var review apiextensionsv1.ConversionReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp := &apiextensionsv1.ConversionResponse{UID: review.Request.UID, Result: metav1.Status{Status: metav1.StatusSuccess}}
		for _, raw := range review.Request.Objects {
			var obj map[string]any
			_ = json.Unmarshal(raw.Raw, &obj)
			obj["apiVersion"] = review.Request.DesiredAPIVersion
			out, _ := json.Marshal(obj)
			resp.ConvertedObjects = append(resp.ConvertedObjects, runtime.RawExtension{Raw: out})
		}
		review.Response, review.Request = resp, nil
		_ = json.NewEncoder(w).Encode(review)
	})
	caBundle := func(srv *httptest.Server) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	}

	s, err := harness.Start(ctx, harness.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			s.Stop()
		}
	}()
	none, fail := admissionregistrationv1.SideEffectClassNone, admissionregistrationv1.Fail
	if _, err := kubernetes.NewForConfigOrDie(s.RESTConfig()).AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "widgets"},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    "widgets.memkube.io",
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: ptr.To(admissionSrv.URL + "/validate"), CABundle: caBundle(admissionSrv)},
			Rules:                   []admissionregistrationv1.RuleWithOperations{{Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create}, Rule: admissionregistrationv1.Rule{APIGroups: []string{"example.memkube.io"}, APIVersions: []string{"*"}, Resources: []string{"widgets"}}}},
			SideEffects:             &none,
			FailurePolicy:           &fail,
			AdmissionReviewVersions: []string{"v1"},
		}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	crd := widgetCRD()
	crd.Spec.Conversion = &apiextensionsv1.CustomResourceConversion{
		Strategy: apiextensionsv1.WebhookConverter,
		Webhook: &apiextensionsv1.WebhookConversion{
			ConversionReviewVersions: []string{"v1"},
			ClientConfig:             &apiextensionsv1.WebhookClientConfig{URL: ptr.To(conversionSrv.URL + "/convert"), CABundle: caBundle(conversionSrv)},
		},
	}
	if _, err := apiextensionsclient.NewForConfigOrDie(s.RESTConfig()).ApiextensionsV1().CustomResourceDefinitions().Create(ctx, crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// a v1beta1 create is converted to v1 to be stored, and admitted by the
	// webhook once the server's informer has its configuration.
	widgets := dynamic.NewForConfigOrDie(s.RESTConfig()).Resource(schema.GroupVersionResource{Group: "example.memkube.io", Version: "v1beta1", Resource: "widgets"}).Namespace("default")
	for i := 0; admissionConns.count() == 0 || conversionConns.count() == 0; i++ {
		if i == 1000 {
			t.Fatalf("webhooks not called: %d admission and %d conversion connections", admissionConns.count(), conversionConns.count())
		}
		w := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.memkube.io/v1beta1", "kind": "Widget",
			"metadata": map[string]any{"generateName": "w-"}, "spec": map[string]any{"size": int64(5)}}}
		_, _ = widgets.Create(ctx, w, metav1.CreateOptions{})
		time.Sleep(10 * time.Millisecond)
	}

	s.Stop()
	stopped = true
	deadline := time.Now().Add(5 * time.Second)
	for admissionConns.count() > 0 || conversionConns.count() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the stopped server keeps %d admission and %d conversion webhook connections open, want 0",
				admissionConns.count(), conversionConns.count())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStopClosesAggregatedServerConnections proxies a request to an
// aggregated API server (insecureSkipTLSVerify), then stops the server: the connections its
// aggregator opened (the proxy's, the availability checks') must close with
// it, leaving no goroutine, while the aggregated server still runs.
func TestStopClosesAggregatedServerConnections(t *testing.T) {
	before := goleak.IgnoreCurrent()
	s, err := harness.Start(t.Context(), harness.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := startWardle(t)
	registerWardle(t, s, w, true)
	flunders := dynamic.NewForConfigOrDie(s.InProcessRESTConfig()).Resource(schema.GroupVersionResource{Group: "wardle.example.com", Version: "v1alpha1", Resource: "flunders"}).Namespace("default")
	poll(t, func(ctx context.Context) (bool, error) {
		_, err := flunders.List(ctx, metav1.ListOptions{})
		return err == nil, nil
	})
	s.Stop()
	// the aggregated server's own goroutines are not the server's.
	goleak.VerifyNone(t, append(harnesstest.IgnoreLeaks(), before, goleak.IgnoreAnyFunction("net/http.(*conn).serve"), goleak.IgnoreAnyFunction("net/http/httptest.(*Server).goServe.func1"))...)
}
