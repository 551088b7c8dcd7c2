package harness

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/util/proxy"
	"k8s.io/apiserver/pkg/util/webhook"

	"github.com/memkube/memkube/harness/registry/builtin"
)

// serviceResolver finds where a webhook given as a service reference
// (admission webhooks, CRD conversion webhooks), or an APIService's
// aggregated server (aggregator.go), is: at one of the
// service's ready endpoints, from its EndpointSlices, as kube-apiserver
// does with --enable-aggregator-routing (k8s.io/apiserver's
// proxy.ResolveEndpoint, over the registries instead of listers).
//
// kube-apiserver's default, and so envtest's, calls the service's cluster
// IP instead, which only a cluster's network routes: in a test no service
// reference works there. memkube routes to endpoints, so that a test can
// serve a webhook on 127.0.0.1 behind a Service without a selector and an
// EndpointSlice of its own (no controller writes EndpointSlices in
// memkube). The webhook's certificate must then be valid for
// <service>.<namespace>.svc, the name the client checks.
type serviceResolver struct {
	// objects are the registries it reads; nil until the server has
	// installed them (installAPIs).
	objects atomic.Pointer[serviceObjects]
}

type serviceObjects struct {
	services       rest.Getter
	endpointSlices rest.Lister
}

var _ webhook.ServiceResolver = (*serviceResolver)(nil)

// setRegistries gives the resolver the core and discovery registries.
func (r *serviceResolver) setRegistries(core, discovery map[string]rest.Storage) error {
	services, ok := core["services"].(rest.Getter)
	if !ok {
		return errors.New("webhook service resolver: the services registry cannot get")
	}
	slices, ok := discovery["endpointslices"].(rest.Lister)
	if !ok {
		return errors.New("webhook service resolver: the endpointslices registry cannot list")
	}
	r.objects.Store(&serviceObjects{services: services, endpointSlices: slices})
	return nil
}

// ResolveEndpoint is upstream's proxy.ResolveEndpoint over the registries: an https
// URL of a ready endpoint of the service's port, preferably of its first
// IP family.
func (r *serviceResolver) ResolveEndpoint(namespace, name string, port int32) (*url.URL, error) {
	objs := r.objects.Load()
	if objs == nil {
		return nil, apierrors.NewServiceUnavailable("the server is not serving yet")
	}
	ctx := genericapirequest.WithNamespace(context.Background(), namespace)
	obj, err := objs.services.Get(ctx, name, &metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		// as a lister says it.
		return nil, apierrors.NewNotFound(corev1.Resource("service"), name)
	}
	if err != nil {
		return nil, err
	}
	svc := obj.(*corev1.Service)
	switch svc.Spec.Type {
	case corev1.ServiceTypeClusterIP, corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeNodePort:
	default:
		return nil, fmt.Errorf("unsupported service type %q", svc.Spec.Type)
	}
	var svcPort *corev1.ServicePort
	for i := range svc.Spec.Ports {
		if svc.Spec.Ports[i].Port == port {
			svcPort = &svc.Spec.Ports[i]
			break
		}
	}
	if svcPort == nil {
		return nil, apierrors.NewServiceUnavailable(fmt.Sprintf("no service port %d found for service %q", port, svc.Name))
	}
	slices, err := builtin.EndpointSlices(ctx, objs.endpointSlices, svc.Name)
	if err != nil {
		return nil, err
	}
	family := corev1.IPFamilyUnknown
	if len(svc.Spec.IPFamilies) > 0 {
		family = svc.Spec.IPFamilies[0]
	}
	hostPort, err := proxy.RandomEndpoint(svc.Name, slices, svcPort.Name, family, nil)
	if err != nil {
		return nil, err
	}
	return &url.URL{Scheme: "https", Host: hostPort}, nil
}
