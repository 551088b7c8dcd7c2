package builtin

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/proxy"
	"k8s.io/apiserver/pkg/registry/rest"
)

// kubeletPort is kube-apiserver's default --kubelet-port, the port of a node
// whose status reports none.
const kubeletPort = 10250

// preferredAddressTypes is kube-apiserver's default
// --kubelet-preferred-address-types.
var preferredAddressTypes = []corev1.NodeAddressType{
	corev1.NodeHostName, corev1.NodeInternalDNS, corev1.NodeInternalIP, corev1.NodeExternalDNS, corev1.NodeExternalIP,
}

// kubeletConnection is where a node's kubelet is, as kube-apiserver finds
// it from the Node object: its preferred address and the port in
// status.daemonEndpoints, over HTTPS. kube-apiserver verifies the kubelet's
// certificate only with --kubelet-certificate-authority and presents a
// client certificate only with --kubelet-client-certificate; envtest sets
// neither, and neither does memkube, so a test can serve a fake kubelet
// (httptest.NewTLSServer) at a node's address and port and see pods' log,
// exec, attach and portforward requests.
type kubeletConnection struct {
	nodes     rest.Getter
	transport *http.Transport
}

// kubeletInfo is one node's kubelet.
type kubeletInfo struct {
	host, port string
	transport  http.RoundTripper
}

func newKubeletConnection() *kubeletConnection {
	return &kubeletConnection{transport: insecureTransport()}
}

// insecureTransport is an HTTPS transport that does not verify the server,
// as kube-apiserver's kubelet and proxy transports without a CA.
func insecureTransport() *http.Transport {
	return utilnet.SetTransportDefaults(&http.Transport{
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // as kube-apiserver without --kubelet-certificate-authority
		TLSHandshakeTimeout: 10 * time.Second,
	})
}

func (c *kubeletConnection) info(ctx context.Context, nodeName string) (*kubeletInfo, error) {
	obj, err := c.nodes.Get(ctx, nodeName, &metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	node := obj.(*corev1.Node)
	host, err := preferredNodeAddress(node)
	if err != nil {
		return nil, err
	}
	port := int(node.Status.DaemonEndpoints.KubeletEndpoint.Port)
	if port <= 0 {
		port = kubeletPort
	}
	return &kubeletInfo{host: host, port: strconv.Itoa(port), transport: c.transport}, nil
}

// preferredNodeAddress is upstream's GetPreferredNodeAddress with
// kube-apiserver's default preference.
func preferredNodeAddress(node *corev1.Node) (string, error) {
	for _, t := range preferredAddressTypes {
		for _, a := range node.Status.Addresses {
			if a.Type == t {
				return a.Address, nil
			}
		}
	}
	return "", fmt.Errorf("no preferred addresses found; known addresses: %v", node.Status.Addresses)
}

// close drops the transport's idle connections, so that no connection
// goroutine outlives the server.
func (c *kubeletConnection) close() { c.transport.CloseIdleConnections() }

// proxyHandler is upstream's newThrottledUpgradeAwareProxyHandler without
// a bandwidth limit (kube-apiserver has none by default).
func proxyHandler(location *url.URL, transport http.RoundTripper, wrapTransport, upgradeRequired bool, responder rest.Responder) http.Handler {
	return proxy.NewUpgradeAwareHandler(location, transport, wrapTransport, upgradeRequired, proxy.NewErrorResponder(responder))
}
