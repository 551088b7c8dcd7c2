package harness

import (
	"net/http"
	"sync"

	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apiserver/pkg/util/webhook"
	restclient "k8s.io/client-go/rest"
)

// webhookTransports remembers the transports of the clients a server calls
// admission and CRD conversion webhooks with, so Stop can close their
// connections: when kube-apiserver exits its connections close; a stopped
// memkube server would keep them open in the process (their goroutines
// stay, and a webhook server's graceful shutdown waits a second for each
// HTTP/2 client to hang up). The transports come from client-go's
// process-wide cache, so another server calling the same webhook with the
// same CA may share one; closing its idle connections only makes that
// server dial again.
type webhookTransports struct {
	mu sync.Mutex // guards rts
	// rts are the base transports of the webhook clients built so far (a
	// few per webhook configuration: k8s.io/apiserver caches the clients).
	rts []http.RoundTripper
}

// wrapResolver is an AuthenticationInfoResolverWrapper (kube-apiserver's
// wraps for egress and tracing) that records each client's transport.
func (w *webhookTransports) wrapResolver(r webhook.AuthenticationInfoResolver) webhook.AuthenticationInfoResolver {
	return &webhook.AuthenticationInfoResolverDelegator{
		ClientConfigForFunc: func(hostPort string) (*restclient.Config, error) {
			cfg, err := r.ClientConfigFor(hostPort)
			return w.track(cfg), err
		},
		ClientConfigForServiceFunc: func(name, namespace string, port int) (*restclient.Config, error) {
			cfg, err := r.ClientConfigForService(name, namespace, port)
			return w.track(cfg), err
		},
	}
}

func (w *webhookTransports) track(cfg *restclient.Config) *restclient.Config {
	if cfg == nil {
		return nil
	}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.rts = append(w.rts, rt)
		return rt
	})
	return cfg
}

// closeIdle closes the idle connections of every webhook client; once the
// server's requests have drained, that is all of them.
func (w *webhookTransports) closeIdle() {
	w.mu.Lock()
	rts := w.rts
	w.rts = nil
	w.mu.Unlock()
	for _, rt := range rts {
		utilnet.CloseIdleConnectionsFor(rt)
	}
}
