package harness

import (
	"fmt"

	genericapiserver "k8s.io/apiserver/pkg/server"
	utilflowcontrol "k8s.io/apiserver/pkg/util/flowcontrol"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
)

// FlowControlOptions limits how many requests the server serves at once, as
// kube-apiserver's --max-requests-inflight, --max-mutating-requests-inflight
// and --enable-priority-and-fairness do. The zero value is memkube's
// default: the max-in-flight filter at kube-apiserver's default limits (400
// reads and 200 writes at once), that is kube-apiserver with
// --enable-priority-and-fairness=false.
//
// kube-apiserver's own default, and so envtest's, is API Priority and
// Fairness (APF) over 600 seats. memkube leaves it off unless asked: its
// config controller runs informers and writes the status of every
// FlowSchema after start (requests a Recorder sees), and classifying costs
// every request a little, for limits a test never reaches. Turn it on to
// test a client against APF: its 429s, its X-Kubernetes-PF-FlowSchema-UID
// and X-Kubernetes-PF-PriorityLevel-UID response headers, FlowSchemas and
// PriorityLevelConfigurations of the test's own.
//
// Either way the server has kube-apiserver's bootstrap FlowSchemas and
// PriorityLevelConfigurations (bootstrap_flowcontrol.go): kube-apiserver
// creates them whether APF is on or not. Only APF writes their status
// (the Dangling condition, kubectl's MISSINGPL column).
//
// A rejected request is a 429 with a Retry-After header and upstream's
// plain-text body, "Too many requests, please try again later." (client-go:
// apierrors.IsTooManyRequests, after retrying on its own, up to 10 times by
// default). Requests of group system:masters (the admin, the server's own
// clients) are never rejected: the max-in-flight filter lets them through
// when full, and APF's "exempt" FlowSchema exempts them. Watches are not
// counted by the max-in-flight filter; APF counts a watch while it starts.
type FlowControlOptions struct {
	// PriorityAndFairness is --enable-priority-and-fairness: requests are
	// classified by FlowSchemas into PriorityLevelConfigurations, which
	// share MaxRequestsInFlight+MaxMutatingRequestsInFlight seats, queue
	// and reject (k8s.io/apiserver's WithPriorityAndFairness, built as
	// kube-apiserver builds it). The max-in-flight filter is then off.
	PriorityAndFairness bool
	// MaxRequestsInFlight is --max-requests-inflight: how many reads (get,
	// list) are served at once, other than watches. Zero means 400,
	// kube-apiserver's default; negative means no limit (kube-apiserver's
	// 0).
	MaxRequestsInFlight int
	// MaxMutatingRequestsInFlight is --max-mutating-requests-inflight: how
	// many writes are served at once. Zero means 200, kube-apiserver's
	// default; negative means no limit.
	MaxMutatingRequestsInFlight int
}

// kube-apiserver's defaults of --max-requests-inflight and
// --max-mutating-requests-inflight.
const (
	defaultMaxRequestsInFlight         = 400
	defaultMaxMutatingRequestsInFlight = 200
)

// installFlowControl sets the server's in-flight limits, and APF if the
// options ask, as kube-apiserver's FeatureOptions.ApplyTo does: APF's
// controller reads FlowSchemas and PriorityLevelConfigurations through
// informers, writes their status through the server's own client, and is
// run by k8s.io/apiserver's priority-and-fairness-config-consumer
// post-start hook.
func installFlowControl(config *genericapiserver.Config, opts FlowControlOptions, client kubernetes.Interface, factory informers.SharedInformerFactory) error {
	config.MaxRequestsInFlight = inFlightLimit(opts.MaxRequestsInFlight, defaultMaxRequestsInFlight)
	config.MaxMutatingRequestsInFlight = inFlightLimit(opts.MaxMutatingRequestsInFlight, defaultMaxMutatingRequestsInFlight)
	if !opts.PriorityAndFairness {
		return nil
	}
	seats := config.MaxRequestsInFlight + config.MaxMutatingRequestsInFlight
	if seats <= 0 {
		return fmt.Errorf("invalid configuration: MaxRequestsInFlight=%d and MaxMutatingRequestsInFlight=%d; they must add up to something positive",
			config.MaxRequestsInFlight, config.MaxMutatingRequestsInFlight)
	}
	config.FlowControl = utilflowcontrol.New(factory, client.FlowcontrolV1(), seats)
	return nil
}

// inFlightLimit is an option's limit as k8s.io/apiserver takes it: def for
// zero, 0 (no limit) for negative.
func inFlightLimit(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	}
	return n
}
