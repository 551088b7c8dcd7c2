package operator_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest/komega"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/conversion"

	"github.com/memkube/memkube/envtest" // was "sigs.k8s.io/controller-runtime/pkg/envtest"

	webappv1 "github.com/memkube/memkube/e2e/operator/api/v1"
	webappv2 "github.com/memkube/memkube/e2e/operator/api/v2"
	"github.com/memkube/memkube/e2e/operator/internal/controller"
	webhookv1 "github.com/memkube/memkube/e2e/operator/internal/webhook/v1"
)

// These tests use Ginkgo (BDD-style Go testing framework). Refer to
// http://onsi.github.io/ginkgo/ to learn more about Ginkgo.

var (
	ctx        context.Context
	cancel     context.CancelFunc
	testEnv    *envtest.Environment
	cfg        *rest.Config
	k8sClient  client.Client
	k8sManager ctrl.Manager
	managerErr = make(chan error, 1)
	// conversions records the ConversionReviews the API server sent the
	// manager's conversion webhook.
	conversions = &conversionRecorder{}
)

// leaderElectionID names the Lease the suite's manager holds.
const leaderElectionID = "website-operator.webapp.memkube.io"

func TestOperator(t *testing.T) {
	RegisterFailHandler(Fail)

	RunSpecs(t, "Operator Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	SetDefaultEventuallyTimeout(10 * time.Second)
	SetDefaultEventuallyPollingInterval(10 * time.Millisecond)

	ctx, cancel = context.WithCancel(context.TODO())

	var err error
	err = webappv1.AddToScheme(scheme.Scheme)
	Expect(err).NotTo(HaveOccurred())
	err = webappv2.AddToScheme(scheme.Scheme)
	Expect(err).NotTo(HaveOccurred())
	err = apiextensionsv1.AddToScheme(scheme.Scheme)
	Expect(err).NotTo(HaveOccurred())

	By("bootstrapping test environment")
	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,

		WebhookInstallOptions: envtest.WebhookInstallOptions{
			Paths: []string{filepath.Join("config", "webhook")},
		},
	}
	// memkube's own e2e runs choose the storage backend (backend_test.go);
	// a suite needs no such lines.
	if os.Getenv(storageEnv) != "" {
		testEnv.Options.Storage = e2eStorage
	}

	// cfg is defined in this file globally.
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	Expect(cfg).NotTo(BeNil())

	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme.Scheme})
	Expect(err).NotTo(HaveOccurred())
	Expect(k8sClient).NotTo(BeNil())
	komega.SetClient(k8sClient)
	komega.SetContext(ctx)

	By("starting the manager: controller, webhooks, leader election")
	webhookInstallOptions := &testEnv.WebhookInstallOptions
	leaseDuration, renewDeadline, retryPeriod := 2*time.Second, time.Second, 100*time.Millisecond
	k8sManager, err = ctrl.NewManager(cfg, ctrl.Options{
		Scheme: scheme.Scheme,
		WebhookServer: webhook.NewServer(webhook.Options{
			Host:    webhookInstallOptions.LocalServingHost,
			Port:    webhookInstallOptions.LocalServingPort,
			CertDir: webhookInstallOptions.LocalServingCertDir,
		}),
		LeaderElection:          true,
		LeaderElectionID:        leaderElectionID,
		LeaderElectionNamespace: "default",
		LeaseDuration:           &leaseDuration,
		RenewDeadline:           &renewDeadline,
		RetryPeriod:             &retryPeriod,
		Metrics:                 metricsserver.Options{BindAddress: "0"},
	})
	Expect(err).NotTo(HaveOccurred())

	err = (&controller.WebsiteReconciler{
		Client:    k8sManager.GetClient(),
		Scheme:    k8sManager.GetScheme(),
		APIReader: k8sManager.GetAPIReader(),
	}).SetupWithManager(k8sManager)
	Expect(err).NotTo(HaveOccurred())

	// controller-runtime's conversion handler, registered before the
	// webhook builder would, to record what the API server asks of it.
	k8sManager.GetWebhookServer().Register("/convert", conversions.wrap(
		conversion.NewWebhookHandler(k8sManager.GetScheme(), k8sManager.GetConverterRegistry())))
	err = webhookv1.SetupWebsiteWebhookWithManager(k8sManager)
	Expect(err).NotTo(HaveOccurred())

	go func() {
		defer GinkgoRecover()
		managerErr <- k8sManager.Start(ctx)
	}()

	// wait for the webhook server to get ready.
	dialer := &net.Dialer{Timeout: time.Second}
	addrPort := fmt.Sprintf("%s:%d", webhookInstallOptions.LocalServingHost, webhookInstallOptions.LocalServingPort)
	Eventually(func() error {
		conn, err := tls.DialWithDialer(dialer, "tcp", addrPort, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			return err
		}

		return conn.Close()
	}).Should(Succeed())
})

var _ = AfterSuite(func() {
	By("tearing down the test environment")
	cancel()
	err := testEnv.Stop()
	Expect(err).NotTo(HaveOccurred())
	// the manager is done before the parallel tests of this package start.
	Eventually(managerErr).Should(Receive(BeNil()))
})

// conversionReview is what the suite keeps of one ConversionReview request.
type conversionReview struct {
	DesiredAPIVersion string
	// Objects are "apiVersion namespace/name" of the objects sent.
	Objects []string
}

// conversionRecorder wraps the conversion webhook's handler and records the
// reviews it receives.
type conversionRecorder struct {
	mu      sync.Mutex // guards reviews
	reviews []conversionReview
}

func (r *conversionRecorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		review := &apiextensionsv1.ConversionReview{}
		if err := json.Unmarshal(body, review); err == nil && review.Request != nil {
			rec := conversionReview{DesiredAPIVersion: review.Request.DesiredAPIVersion}
			for _, raw := range review.Request.Objects {
				u := &unstructured.Unstructured{}
				if err := u.UnmarshalJSON(raw.Raw); err == nil {
					rec.Objects = append(rec.Objects, u.GetAPIVersion()+" "+u.GetNamespace()+"/"+u.GetName())
				}
			}
			r.mu.Lock()
			r.reviews = append(r.reviews, rec)
			r.mu.Unlock()
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, req)
	})
}

// Reviews returns the reviews recorded so far.
func (r *conversionRecorder) Reviews() []conversionReview {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]conversionReview(nil), r.reviews...)
}
