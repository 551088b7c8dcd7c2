package envtest_test

import (
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/envtest"
)

// TestAdmissionWebhook installs a validating webhook through
// WebhookInstallOptions, as controller-runtime users do, and checks the
// server really calls it back on 127.0.0.1.
func TestAdmissionWebhook(t *testing.T) {
	ctx := t.Context()
	none := admissionregistrationv1.SideEffectClassNone
	fail := admissionregistrationv1.Fail
	env := &envtest.Environment{WebhookInstallOptions: envtest.WebhookInstallOptions{
		ValidatingWebhooks: []*admissionregistrationv1.ValidatingWebhookConfiguration{{
			ObjectMeta: metav1.ObjectMeta{Name: "deny"},
			Webhooks: []admissionregistrationv1.ValidatingWebhook{{
				Name:                    "deny.memkube.io",
				ClientConfig:            admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{Name: "webhook", Namespace: "default", Path: ptr.To("/validate")}},
				Rules:                   []admissionregistrationv1.RuleWithOperations{{Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create}, Rule: admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"configmaps"}}}},
				SideEffects:             &none,
				FailurePolicy:           &fail,
				AdmissionReviewVersions: []string{"v1"},
			}},
		}},
	}}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer env.Stop()

	opts := env.WebhookInstallOptions
	cert, err := tls.LoadX509KeyPair(filepath.Join(opts.LocalServingCertDir, "tls.crt"), filepath.Join(opts.LocalServingCertDir, "tls.key"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", net.JoinHostPort(opts.LocalServingHost, strconv.Itoa(opts.LocalServingPort)), &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var review admissionv1.AdmissionReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil || r.URL.Path != "/validate" {
			http.Error(w, "bad review", http.StatusBadRequest)
			return
		}
		var cm corev1.ConfigMap
		_ = json.Unmarshal(review.Request.Object.Raw, &cm)
		review.Response = &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: cm.Name != "deny-me"}
		if !review.Response.Allowed {
			review.Response.Result = &metav1.Status{Message: "denied by test", Code: http.StatusForbidden}
		}
		review.Request = nil
		_ = json.NewEncoder(w).Encode(review)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	cms := kubernetes.NewForConfigOrDie(cfg).CoreV1().ConfigMaps("default")
	// the server's webhook informer sees the configuration moments after
	// WaitForWebhooks does, as in kube-apiserver: retry until it answers.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err = cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "deny-me"}}, metav1.CreateOptions{}); err != nil {
			break
		}
		if err := cms.Delete(ctx, "deny-me", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if want := `admission webhook "deny.memkube.io" denied the request: denied by test`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("denied create: %v, want %s", err, want)
	}
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "allow-me"}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("allowed create: %v", err)
	}
	if n := calls.Load(); n < 2 {
		t.Errorf("webhook called %d times, want at least 2", n)
	}
}
