package builtin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/util/proxy"

	"github.com/memkube/memkube/harness/registry"
)

// serviceProxy serves services/proxy: HTTP to a ready endpoint of the
// service ("service", "service:port" by name or number,
// "scheme:service:port"), taken at random from its EndpointSlices, whose
// target must be a pod of the namespace with that IP, as upstream.
func serviceProxy(k *registry.Kind) {
	r := &serviceProxyREST{transport: insecureTransport()}
	addExtra(k, func(store *genericregistry.Store) map[string]rest.Storage {
		r.services = store
		return map[string]rest.Storage{"proxy": r}
	})
	addLink(k, func(storage map[schema.GroupVersion]map[string]rest.Storage) error {
		slices, ok := storage[discoveryv1.SchemeGroupVersion]["endpointslices"].(rest.Lister)
		if !ok {
			return fmt.Errorf("services/proxy needs the endpointslices registry")
		}
		pods, ok := storage[corev1.SchemeGroupVersion]["pods"].(rest.Getter)
		if !ok {
			return fmt.Errorf("services/proxy needs the pods registry")
		}
		r.endpointSlices, r.pods = slices, pods
		return nil
	})
}

type serviceProxyREST struct {
	services       rest.Getter
	endpointSlices rest.Lister
	pods           rest.Getter
	transport      *http.Transport
}

var _ rest.Connecter = &serviceProxyREST{}

func (r *serviceProxyREST) New() runtime.Object      { return &corev1.ServiceProxyOptions{} }
func (r *serviceProxyREST) Destroy()                 { r.transport.CloseIdleConnections() }
func (r *serviceProxyREST) ConnectMethods() []string { return proxyMethods }
func (r *serviceProxyREST) NewConnectOptions() (runtime.Object, bool, string) {
	return &corev1.ServiceProxyOptions{}, true, "path"
}

func (r *serviceProxyREST) Connect(ctx context.Context, id string, opts runtime.Object, responder rest.Responder) (http.Handler, error) {
	proxyOpts, ok := opts.(*corev1.ServiceProxyOptions)
	if !ok {
		return nil, fmt.Errorf("Invalid options object: %#v", opts)
	}
	scheme, name, port, valid := utilnet.SplitSchemeNamePort(id)
	if !valid {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid service request %q", id))
	}
	obj, err := r.services.Get(ctx, name, &metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	svc := obj.(*corev1.Service)
	if number, err := strconv.ParseInt(port, 10, 64); err == nil {
		port = ""
		found := false
		for _, p := range svc.Spec.Ports {
			if int64(p.Port) == number {
				port, found = p.Name, true
				break
			}
		}
		if !found {
			return nil, apierrors.NewServiceUnavailable(fmt.Sprintf("no service port %d found for service %q", number, name))
		}
	}
	namespace := genericapirequest.NamespaceValue(ctx)
	if namespace == "" {
		return nil, apierrors.NewBadRequest("missing required namespace")
	}
	slices, err := EndpointSlices(ctx, r.endpointSlices, name)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	if len(slices) == 0 {
		return nil, apierrors.NewServiceUnavailable(fmt.Sprintf("no endpoints available for service %q", name))
	}
	family := corev1.IPv4Protocol // the family of memkube's service CIDR
	hostPort, err := proxy.RandomEndpoint(name, slices, port, family, func(ep *discoveryv1.Endpoint) bool {
		return r.podHasIP(ctx, namespace, ep)
	})
	if err != nil {
		return nil, err
	}
	location := &url.URL{Scheme: scheme, Host: hostPort}
	location.Path = utilnet.JoinPreservingTrailingSlash(location.Path, proxyOpts.Path)
	return proxyHandler(location, r.transport, true, false, responder), nil
}

// podHasIP is upstream's isValidAddress: the endpoint's target is a pod of
// the namespace whose IPs include the endpoint's address.
func (r *serviceProxyREST) podHasIP(ctx context.Context, namespace string, ep *discoveryv1.Endpoint) bool {
	if ep.TargetRef == nil || ep.TargetRef.Namespace != namespace {
		return false
	}
	obj, err := r.pods.Get(ctx, ep.TargetRef.Name, &metav1.GetOptions{})
	if err != nil {
		return false
	}
	for _, ip := range obj.(*corev1.Pod).Status.PodIPs {
		if ip.IP == ep.Addresses[0] {
			return true
		}
	}
	return false
}

// EndpointSlices are the EndpointSlices of the service named name in ctx's
// namespace: those labelled with its name, as upstream's
// EndpointSliceGetter finds them.
func EndpointSlices(ctx context.Context, slices rest.Lister, name string) ([]*discoveryv1.EndpointSlice, error) {
	list, err := slices.List(ctx, &metainternalversion.ListOptions{
		LabelSelector: labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: name}),
	})
	if err != nil {
		return nil, err
	}
	items := list.(*discoveryv1.EndpointSliceList).Items
	out := make([]*discoveryv1.EndpointSlice, len(items))
	for i := range items {
		out[i] = &items[i]
	}
	return out, nil
}
