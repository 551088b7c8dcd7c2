package harness

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"sort"
	"strconv"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/util/webhook"
)

// serviceResolver finds where a webhook given as a service reference
// (admission webhooks, CRD conversion webhooks) is: at one of the
// service's ready endpoints, from its EndpointSlices, as kube-apiserver
// does with --enable-aggregator-routing (k8s.io/apiserver's
// proxy.ResolveEndpoint, whose package memkube does not import: it brings
// the SPDY streaming modules).
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
	list, err := objs.endpointSlices.List(ctx, &metainternalversion.ListOptions{
		LabelSelector: labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: svc.Name}),
	})
	if err != nil {
		return nil, err
	}
	var slices []*discoveryv1.EndpointSlice
	for i := range list.(*discoveryv1.EndpointSliceList).Items {
		slices = append(slices, &list.(*discoveryv1.EndpointSliceList).Items[i])
	}
	family := corev1.IPFamilyUnknown
	if len(svc.Spec.IPFamilies) > 0 {
		family = svc.Spec.IPFamilies[0]
	}
	hostPort, err := randomEndpoint(svc.Name, slices, svcPort.Name, family)
	if err != nil {
		return nil, err
	}
	return &url.URL{Scheme: "https", Host: hostPort}, nil
}

// randomEndpoint is upstream's proxy.RandomEndpoint: "IP:port" of a ready
// endpoint of the slices serving the named port, picked at random, of the
// preferred family's slices first.
func randomEndpoint(svcName string, slices []*discoveryv1.EndpointSlice, portName string, family corev1.IPFamily) (string, error) {
	if len(slices) > 1 {
		order := rand.Perm(len(slices))
		rank := map[*discoveryv1.EndpointSlice]int{}
		for i, s := range slices {
			rank[s] = order[i]
		}
		preferred := discoveryv1.AddressType(family)
		sort.SliceStable(slices, func(i, j int) bool {
			if slices[i].AddressType != slices[j].AddressType {
				return slices[i].AddressType == preferred
			}
			return rank[slices[i]] < rank[slices[j]]
		})
	}
	for _, slice := range slices {
		for _, p := range slice.Ports {
			if p.Name == nil || *p.Name != portName || p.Port == nil || len(slice.Endpoints) == 0 {
				continue
			}
			offset := rand.IntN(len(slice.Endpoints))
			for i := range slice.Endpoints {
				ep := &slice.Endpoints[(i+offset)%len(slice.Endpoints)]
				if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
					continue
				}
				return net.JoinHostPort(ep.Addresses[0], strconv.Itoa(int(*p.Port))), nil
			}
		}
	}
	return "", apierrors.NewServiceUnavailable(fmt.Sprintf("no endpoints available for service %q", svcName))
}
