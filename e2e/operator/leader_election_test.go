package operator_test

import (
	"context"
	"os"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest/komega"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

// startCandidate starts a manager with nothing to run but leader election
// for id, stopped when the spec ends or cancel is called.
func startCandidate(id string, releaseOnCancel bool) (ctrl.Manager, context.CancelFunc) {
	GinkgoHelper()
	leaseDuration, renewDeadline, retryPeriod := 2*time.Second, time.Second, 50*time.Millisecond
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		LeaderElection:                true,
		LeaderElectionID:              id,
		LeaderElectionNamespace:       "default",
		LeaderElectionReleaseOnCancel: releaseOnCancel,
		LeaseDuration:                 &leaseDuration,
		RenewDeadline:                 &renewDeadline,
		RetryPeriod:                   &retryPeriod,
		Metrics:                       metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress:        "0",
	})
	Expect(err).NotTo(HaveOccurred())
	mgrCtx, mgrCancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		defer GinkgoRecover()
		done <- mgr.Start(mgrCtx)
	}()
	stop := sync.OnceFunc(func() {
		mgrCancel()
		Eventually(done).Should(Receive(BeNil()))
	})
	DeferCleanup(stop)
	return mgr, stop
}

var _ = Describe("Leader election", func() {
	It("makes the suite's manager leader, holding and renewing a Lease", func() {
		Eventually(k8sManager.Elected()).Should(BeClosed())
		lease := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: leaderElectionID, Namespace: "default"}}
		Expect(komega.Object(lease)()).To(HaveField("Spec.HolderIdentity", HaveValue(HavePrefix(hostname()+"_"))))
		renewed := lease.Spec.RenewTime.DeepCopy()
		Eventually(komega.Object(lease)).Should(HaveField("Spec.RenewTime.Time", BeTemporally(">", renewed.Time)))
	})

	It("keeps a second candidate waiting while the leader holds the Lease", func() {
		second, _ := startCandidate(leaderElectionID, false)
		Consistently(second.Elected(), 300*time.Millisecond, 20*time.Millisecond).ShouldNot(BeClosed())
	})

	It("hands over to a waiting candidate when the leader releases the Lease", func() {
		const id = "handover.webapp.memkube.io"
		first, stopFirst := startCandidate(id, true)
		Eventually(first.Elected()).Should(BeClosed())
		lease := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: id, Namespace: "default"}}
		Expect(komega.Get(lease)()).To(Succeed())
		firstHolder := *lease.Spec.HolderIdentity

		second, _ := startCandidate(id, true)
		Consistently(second.Elected(), 200*time.Millisecond, 20*time.Millisecond).ShouldNot(BeClosed())
		stopFirst()
		// a released Lease is taken at the candidate's next retry, not
		// after the lease duration.
		Eventually(second.Elected(), time.Second).Should(BeClosed())
		Expect(komega.Object(lease)()).To(HaveField("Spec.HolderIdentity", HaveValue(Not(Equal(firstHolder)))))
	})
})

func hostname() string {
	h, err := os.Hostname()
	Expect(err).NotTo(HaveOccurred())
	return h
}
