package builtin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/memkube/memkube/harness/registry"
)

// nodeProxy serves nodes/proxy: HTTP to the node's kubelet ("node" or
// "node:<kubelet port>"), or to another port of the node over plain
// transport ("scheme:node:port"). As upstream, the node's address must
// resolve to global unicast addresses only (not loopback).
func nodeProxy(k *registry.Kind) {
	addExtra(k, func(store *genericregistry.Store) map[string]rest.Storage {
		return map[string]rest.Storage{"proxy": &nodeProxyREST{
			kubelet: &kubeletConnection{nodes: store, transport: insecureTransport()}, proxyTransport: insecureTransport(),
		}}
	})
}

type nodeProxyREST struct {
	kubelet        *kubeletConnection
	proxyTransport *http.Transport
}

var _ rest.Connecter = &nodeProxyREST{}

func (r *nodeProxyREST) New() runtime.Object      { return &corev1.NodeProxyOptions{} }
func (r *nodeProxyREST) ConnectMethods() []string { return proxyMethods }
func (r *nodeProxyREST) NewConnectOptions() (runtime.Object, bool, string) {
	return &corev1.NodeProxyOptions{}, true, "path"
}

func (r *nodeProxyREST) Destroy() {
	r.kubelet.close()
	r.proxyTransport.CloseIdleConnections()
}

func (r *nodeProxyREST) Connect(ctx context.Context, id string, opts runtime.Object, responder rest.Responder) (http.Handler, error) {
	proxyOpts, ok := opts.(*corev1.NodeProxyOptions)
	if !ok {
		return nil, fmt.Errorf("Invalid options object: %#v", opts)
	}
	scheme, name, port, valid := utilnet.SplitSchemeNamePort(id)
	if !valid {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid node request %q", id))
	}
	info, err := r.kubelet.info(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := proxyableHostname(ctx, info.host); err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	location, transport := &url.URL{Scheme: "https", Host: net.JoinHostPort(info.host, info.port)}, info.transport
	if port != "" && port != info.port {
		location, transport = &url.URL{Scheme: scheme, Host: net.JoinHostPort(info.host, port)}, r.proxyTransport
	}
	location.Path = utilnet.JoinPreservingTrailingSlash(location.Path, proxyOpts.Path)
	return proxyHandler(location, transport, true, false, responder), nil
}

// proxyableHostname is upstream's isProxyableHostname.
func proxyableHostname(ctx context.Context, hostname string) error {
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, hostname)
	if err != nil {
		return err
	}
	if len(addrs) == 0 {
		return errors.New("no addresses for hostname")
	}
	for _, a := range addrs {
		if !a.IP.IsGlobalUnicast() {
			return errors.New("address not allowed")
		}
	}
	return nil
}
