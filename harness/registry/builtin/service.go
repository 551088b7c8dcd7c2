package builtin

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/memkube/memkube/harness/registry"
)

// The ranges of envtest's kube-apiserver flags: --service-cluster-ip-range
// 10.0.0.0/24 and the default --service-node-port-range.
var (
	ServiceCIDR      = netip.MustParsePrefix("10.0.0.0/24")
	nodePortFirst    = 30000
	nodePortLast     = 32767
	nodePortRangeStr = "30000-32767"
)

// ipAllocatorName is the manager of the IPAddress objects a Service's
// cluster IP is allocated with, as kube-apiserver labels them.
const ipAllocatorName = "ipallocator.k8s.io"

// serviceAllocation allocates cluster IPs and node ports as kube-apiserver
// v1.37 does: a cluster IP is an IPAddress object (networking.k8s.io/v1)
// whose parent is the Service, created before the Service is stored and
// deleted with it; node ports come from 30000-32767, unique among stored
// Services. Free addresses and ports are taken lowest first (upstream
// picks at random), so tests see the same values every run.
func serviceAllocation(k *registry.Kind) {
	a := &serviceAllocator{reserved: map[int32]bool{}}
	k.Customize = func(store *genericregistry.Store) {
		a.services = store
		store.BeginCreate = a.beginCreate
		store.BeginUpdate = a.beginUpdate
		store.AfterDelete = a.afterDelete
	}
	k.Link = func(storage map[schema.GroupVersion]map[string]rest.Storage) error {
		ips, ok := storage[networkingv1.SchemeGroupVersion]["ipaddresses"].(ipAddressStorage)
		if !ok {
			return errors.New("service allocation needs the ipaddresses registry")
		}
		a.ipAddresses = ips
		return nil
	}
}

type ipAddressStorage interface {
	rest.Creater
	rest.GracefulDeleter
	rest.Getter
}

type serviceAllocator struct {
	services    *genericregistry.Store
	ipAddresses ipAddressStorage

	// mu serialises node port choices; reserved holds the ports chosen for
	// Services not stored yet.
	mu       sync.Mutex
	reserved map[int32]bool
}

func needsClusterIP(svc *corev1.Service) bool { return svc.Spec.Type != corev1.ServiceTypeExternalName }

func needsNodePort(svc *corev1.Service) bool {
	switch svc.Spec.Type {
	case corev1.ServiceTypeNodePort:
		return true
	case corev1.ServiceTypeLoadBalancer:
		return svc.Spec.AllocateLoadBalancerNodePorts == nil || *svc.Spec.AllocateLoadBalancerNodePorts
	}
	return false
}

func (a *serviceAllocator) beginCreate(ctx context.Context, obj runtime.Object, options *metav1.CreateOptions) (genericregistry.FinishFunc, error) {
	svc := obj.(*corev1.Service)
	// as upstream's NormalizeClusterIPs, before anything looks at them.
	if len(svc.Spec.ClusterIPs) == 0 && svc.Spec.ClusterIP != "" {
		svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
	}
	dryRun := len(options.DryRun) > 0
	var allocated []string
	var ports []int32
	finish := func(ctx context.Context, success bool) {
		a.unreserve(ports)
		if !success {
			a.release(ctx, allocated)
		}
	}
	if needsClusterIP(svc) {
		ip, err := a.allocateIP(ctx, svc, dryRun)
		if err != nil {
			return nil, err
		}
		if ip != "" && ip != corev1.ClusterIPNone {
			allocated = append(allocated, ip)
		}
	}
	var err error
	if ports, err = a.allocateNodePorts(ctx, svc, nil); err != nil {
		finish(ctx, false)
		return nil, err
	}
	return finish, nil
}

func (a *serviceAllocator) beginUpdate(ctx context.Context, obj, old runtime.Object, options *metav1.UpdateOptions) (genericregistry.FinishFunc, error) {
	svc, oldSvc := obj.(*corev1.Service), old.(*corev1.Service)
	dryRun := len(options.DryRun) > 0
	// as upstream's patchAllocatedValues: what the update leaves out is kept.
	if needsClusterIP(oldSvc) && needsClusterIP(svc) {
		if svc.Spec.ClusterIP == "" {
			svc.Spec.ClusterIP = oldSvc.Spec.ClusterIP
		}
		if len(svc.Spec.ClusterIPs) == 0 {
			svc.Spec.ClusterIPs = oldSvc.Spec.ClusterIPs
		}
		if len(svc.Spec.IPFamilies) == 0 {
			svc.Spec.IPFamilies = oldSvc.Spec.IPFamilies
		}
		if svc.Spec.IPFamilyPolicy == nil {
			svc.Spec.IPFamilyPolicy = oldSvc.Spec.IPFamilyPolicy
		}
	}
	var allocated, released []string
	if needsClusterIP(svc) && !needsClusterIP(oldSvc) {
		ip, err := a.allocateIP(ctx, svc, dryRun)
		if err != nil {
			return nil, err
		}
		if ip != "" && ip != corev1.ClusterIPNone {
			allocated = append(allocated, ip)
		}
	}
	if !needsClusterIP(svc) && needsClusterIP(oldSvc) {
		released = oldSvc.Spec.ClusterIPs
	}
	ports, err := a.allocateNodePorts(ctx, svc, oldSvc)
	if err != nil {
		a.release(ctx, allocated)
		return nil, err
	}
	return func(ctx context.Context, success bool) {
		a.unreserve(ports)
		if !success {
			a.release(ctx, allocated)
			return
		}
		if !dryRun {
			a.release(ctx, released)
		}
	}, nil
}

func (a *serviceAllocator) afterDelete(obj runtime.Object, options *metav1.DeleteOptions) {
	if len(options.DryRun) > 0 {
		return
	}
	svc := obj.(*corev1.Service)
	a.release(genericapirequest.WithNamespace(context.Background(), svc.Namespace), svc.Spec.ClusterIPs)
}

// allocateIP fills spec.clusterIP(s), ipFamilies and ipFamilyPolicy of a
// Service that needs a cluster IP, creating its IPAddress; it returns the
// address (or "None" for a headless Service).
func (a *serviceAllocator) allocateIP(ctx context.Context, svc *corev1.Service, dryRun bool) (string, error) {
	if len(svc.Spec.IPFamilies) == 0 {
		svc.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol}
	}
	if svc.Spec.IPFamilyPolicy == nil {
		single := corev1.IPFamilyPolicySingleStack
		svc.Spec.IPFamilyPolicy = &single
	}
	requested := svc.Spec.ClusterIP
	if requested == "" && len(svc.Spec.ClusterIPs) > 0 {
		requested = svc.Spec.ClusterIPs[0]
	}
	if requested == corev1.ClusterIPNone {
		svc.Spec.ClusterIP, svc.Spec.ClusterIPs = corev1.ClusterIPNone, []string{corev1.ClusterIPNone}
		return corev1.ClusterIPNone, nil
	}
	invalid := func(msg string) error {
		return apierrors.NewInvalid(corev1.SchemeGroupVersion.WithKind("Service").GroupKind(), svc.Name,
			field.ErrorList{field.Invalid(field.NewPath("spec", "clusterIPs"), svc.Spec.ClusterIPs, msg)})
	}
	if requested != "" {
		ip, err := netip.ParseAddr(requested)
		if err != nil {
			return "", apierrors.NewInternalError(fmt.Errorf("failed to parse service IP %q", requested))
		}
		if !ServiceCIDR.Contains(ip) || ip == ServiceCIDR.Addr() || ip == lastAddr(ServiceCIDR) {
			return "", invalid(fmt.Sprintf("failed to allocate IP %v: the provided IP (%v) is not in the valid range. The range of valid IPs is %s", ip, ip, ServiceCIDR))
		}
		switch err := a.createIPAddress(ctx, svc, ip, dryRun); {
		case apierrors.IsAlreadyExists(err):
			return "", invalid(fmt.Sprintf("failed to allocate IP %v: provided IP is already allocated", ip))
		case err != nil:
			return "", apierrors.NewInternalError(fmt.Errorf("failed to allocate a serviceIP for Service %q: %w", svc.Name, err))
		}
		svc.Spec.ClusterIP, svc.Spec.ClusterIPs = ip.String(), []string{ip.String()}
		return ip.String(), nil
	}
	for ip := ServiceCIDR.Addr().Next(); ServiceCIDR.Contains(ip) && ip != lastAddr(ServiceCIDR); ip = ip.Next() {
		err := a.createIPAddress(ctx, svc, ip, dryRun)
		if apierrors.IsAlreadyExists(err) {
			continue
		}
		if err != nil {
			return "", apierrors.NewInternalError(fmt.Errorf("failed to allocate a serviceIP for Service %q: %w", svc.Name, err))
		}
		svc.Spec.ClusterIP, svc.Spec.ClusterIPs = ip.String(), []string{ip.String()}
		return ip.String(), nil
	}
	return "", apierrors.NewInternalError(fmt.Errorf("failed to allocate a serviceIP for Service %q: range is full", svc.Name))
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().As4()
	hostBits := 32 - p.Bits()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v |= (1 << hostBits) - 1
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// createIPAddress creates the IPAddress of a Service's cluster IP; dry-run
// only checks it is free.
func (a *serviceAllocator) createIPAddress(ctx context.Context, svc *corev1.Service, ip netip.Addr, dryRun bool) error {
	ctx = genericapirequest.WithNamespace(ctx, "")
	if dryRun {
		_, err := a.ipAddresses.Get(ctx, ip.String(), &metav1.GetOptions{})
		if err == nil {
			return apierrors.NewAlreadyExists(networkingv1.Resource("ipaddresses"), ip.String())
		}
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	_, err := a.ipAddresses.Create(ctx, &networkingv1.IPAddress{
		ObjectMeta: metav1.ObjectMeta{Name: ip.String(), Labels: map[string]string{
			networkingv1.LabelIPAddressFamily: string(corev1.IPv4Protocol),
			networkingv1.LabelManagedBy:       ipAllocatorName,
		}},
		Spec: networkingv1.IPAddressSpec{ParentRef: &networkingv1.ParentReference{Resource: "services", Namespace: svc.Namespace, Name: svc.Name}},
	}, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	return err
}

// release deletes the IPAddresses of ips.
func (a *serviceAllocator) release(ctx context.Context, ips []string) {
	ctx = genericapirequest.WithNamespace(ctx, "")
	for _, ip := range ips {
		if ip == "" || ip == corev1.ClusterIPNone {
			continue
		}
		_, _, _ = a.ipAddresses.Delete(ctx, ip, rest.ValidateAllObjectFunc, &metav1.DeleteOptions{})
	}
}

// allocateNodePorts gives every port of a NodePort or LoadBalancer Service
// a node port: requested ones must be free and in range; an update keeps
// the old Service's ports (by name) where the new one leaves them out.
// It returns the ports it reserved.
func (a *serviceAllocator) allocateNodePorts(ctx context.Context, svc, old *corev1.Service) ([]int32, error) {
	if old != nil && needsNodePort(old) && needsNodePort(svc) {
		byName := map[string]int32{}
		inNew := map[int32]bool{}
		for _, p := range svc.Spec.Ports {
			inNew[p.NodePort] = true
		}
		for _, p := range old.Spec.Ports {
			byName[p.Name] = p.NodePort
		}
		for i := range svc.Spec.Ports {
			if p := &svc.Spec.Ports[i]; p.NodePort == 0 && !inNew[byName[p.Name]] {
				p.NodePort = byName[p.Name]
			}
		}
	}
	if !needsNodePort(svc) {
		hasRequested := false
		for _, p := range svc.Spec.Ports {
			hasRequested = hasRequested || p.NodePort != 0
		}
		if !hasRequested || svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
			return nil, nil
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	used, err := a.usedNodePorts(ctx, svc)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	if old != nil {
		for _, p := range old.Spec.Ports {
			delete(used, p.NodePort) // the Service's own ports stay its own
		}
	}
	var reserved []int32
	byPort := map[int32]int32{}
	invalid := func(i int, np int32, msg string) error {
		a.unreserveLocked(reserved)
		return apierrors.NewInvalid(corev1.SchemeGroupVersion.WithKind("Service").GroupKind(), svc.Name,
			field.ErrorList{field.Invalid(field.NewPath("spec", "ports").Index(i).Child("nodePort"), np, msg)})
	}
	for i := range svc.Spec.Ports {
		p := &svc.Spec.Ports[i]
		if p.NodePort == 0 && !needsNodePort(svc) {
			continue
		}
		if p.NodePort == 0 {
			if np, ok := byPort[p.Port]; ok { // the same port, another protocol
				p.NodePort = np
				continue
			}
			next := int32(0)
			for candidate := int32(nodePortFirst); candidate <= int32(nodePortLast); candidate++ {
				if !used[candidate] && !a.reserved[candidate] {
					next = candidate
					break
				}
			}
			if next == 0 {
				a.unreserveLocked(reserved)
				return nil, apierrors.NewInternalError(errors.New("failed to allocate a nodePort: range is full"))
			}
			p.NodePort = next
		} else if byPort[p.Port] != p.NodePort {
			switch {
			case p.NodePort < int32(nodePortFirst) || p.NodePort > int32(nodePortLast):
				return nil, invalid(i, p.NodePort, "provided port is not in the valid range. The range of valid ports is "+nodePortRangeStr)
			case used[p.NodePort] || a.reserved[p.NodePort]:
				return nil, invalid(i, p.NodePort, "provided port is already allocated")
			}
		}
		byPort[p.Port] = p.NodePort
		if !a.reserved[p.NodePort] && !used[p.NodePort] {
			a.reserved[p.NodePort] = true
			reserved = append(reserved, p.NodePort)
		}
	}
	return reserved, nil
}

// usedNodePorts are the node ports of every stored Service but svc.
func (a *serviceAllocator) usedNodePorts(ctx context.Context, svc *corev1.Service) (map[int32]bool, error) {
	obj, err := a.services.List(genericapirequest.WithNamespace(ctx, metav1.NamespaceAll), &metainternalversion.ListOptions{})
	if err != nil {
		return nil, err
	}
	used := map[int32]bool{}
	for _, s := range obj.(*corev1.ServiceList).Items {
		if s.Namespace == svc.Namespace && s.Name == svc.Name {
			continue
		}
		for _, p := range s.Spec.Ports {
			if p.NodePort != 0 {
				used[p.NodePort] = true
			}
		}
	}
	return used, nil
}

func (a *serviceAllocator) unreserve(ports []int32) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unreserveLocked(ports)
}

func (a *serviceAllocator) unreserveLocked(ports []int32) {
	for _, p := range ports {
		delete(a.reserved, p)
	}
}
