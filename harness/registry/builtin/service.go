package builtin

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	netutils "k8s.io/utils/net"

	"github.com/memkube/memkube/harness/apis/validation"
	"github.com/memkube/memkube/harness/registry"
)

// ServiceRanges are what Services are allocated from: kube-apiserver's
// --service-cluster-ip-range (IPv4: memkube is a single-stack IPv4
// cluster) and --service-node-port-range.
type ServiceRanges struct {
	ClusterIPs netip.Prefix
	NodePorts  utilnet.PortRange
}

// DefaultServiceRanges are envtest's kube-apiserver flags: 10.0.0.0/24 and
// the default node port range, 30000-32767.
var DefaultServiceRanges = ServiceRanges{
	ClusterIPs: netip.MustParsePrefix("10.0.0.0/24"),
	NodePorts:  utilnet.PortRange{Base: 30000, Size: 2768},
}

// first and last are the range's first and last node ports.
func (r ServiceRanges) first() int32 { return int32(r.NodePorts.Base) }
func (r ServiceRanges) last() int32  { return int32(r.NodePorts.Base + r.NodePorts.Size - 1) }

// ipAllocatorName is the manager of the IPAddress objects a Service's
// cluster IP is allocated with, as kube-apiserver labels them.
const ipAllocatorName = "ipallocator.k8s.io"

// serviceAllocation allocates cluster IPs and node ports as kube-apiserver
// v1.37 does: a cluster IP is an IPAddress object (networking.k8s.io/v1)
// whose parent is the Service, created before the Service is stored and
// deleted with it; node ports come from the node port range, unique among stored
// Services, including health check node ports. Free addresses and ports
// are taken lowest first (upstream picks at random), so tests see the same
// values every run. As upstream's allocator, it runs before the strategy's
// validation: it pre-validates the cluster IP fields and settles the IP
// families first (initIPFamilyFields), so that what it allocates is what
// validation then accepts; an update that changes the type drops the old
// type's fields (dropTypeDependentFields).
func serviceAllocation(ranges ServiceRanges) opt {
	return func(k *registry.Kind) { allocateServices(k, ranges) }
}

func allocateServices(k *registry.Kind, ranges ServiceRanges) {
	a := &serviceAllocator{ranges: ranges, reserved: map[int32]bool{}}
	k.PrepareForUpdate = func(_ context.Context, obj, old runtime.Object) {
		dropTypeDependentFields(obj.(*corev1.Service), old.(*corev1.Service))
	}
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
	ranges      ServiceRanges
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
		if err := initIPFamilyFields(svc, nil); err != nil {
			return nil, err
		}
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
	}
	if needsHealthCheckNodePort(oldSvc) && needsHealthCheckNodePort(svc) && svc.Spec.HealthCheckNodePort == 0 {
		svc.Spec.HealthCheckNodePort = oldSvc.Spec.HealthCheckNodePort
	}
	normalizeClusterIPsOnUpdate(svc, oldSvc)
	if needsClusterIP(svc) {
		if err := initIPFamilyFields(svc, oldSvc); err != nil {
			return nil, err
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
		if cidr := a.ranges.ClusterIPs; !cidr.Contains(ip) || ip == cidr.Addr() || ip == lastAddr(cidr) {
			return "", invalid(fmt.Sprintf("failed to allocate IP %v: the provided IP (%v) is not in the valid range. The range of valid IPs is %s", ip, ip, cidr))
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
	cidr := a.ranges.ClusterIPs
	for ip := cidr.Addr().Next(); cidr.Contains(ip) && ip != lastAddr(cidr); ip = ip.Next() {
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
	allocPorts := true
	if !needsNodePort(svc) {
		hasRequested := false
		for _, p := range svc.Spec.Ports {
			hasRequested = hasRequested || p.NodePort != 0
		}
		allocPorts = hasRequested && svc.Spec.Type == corev1.ServiceTypeLoadBalancer
	}
	allocHealthCheck := needsHealthCheckNodePort(svc) && (old == nil || !needsHealthCheckNodePort(old))
	if !allocPorts && !allocHealthCheck {
		return nil, nil
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
		delete(used, old.Spec.HealthCheckNodePort)
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
		if !allocPorts || (p.NodePort == 0 && !needsNodePort(svc)) {
			continue
		}
		if p.NodePort == 0 {
			if np, ok := byPort[p.Port]; ok { // the same port, another protocol
				p.NodePort = np
				continue
			}
			next := int32(0)
			for candidate := a.ranges.first(); candidate <= a.ranges.last(); candidate++ {
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
			case p.NodePort < a.ranges.first() || p.NodePort > a.ranges.last():
				return nil, invalid(i, p.NodePort, "provided port is not in the valid range. The range of valid ports is "+a.ranges.NodePorts.String())
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
	if allocHealthCheck {
		// as upstream's allocHealthCheckNodePort: its errors are 500s.
		own := map[int32]bool{}
		for _, np := range byPort {
			own[np] = true
		}
		taken := func(port int32) bool { return used[port] || a.reserved[port] || own[port] }
		hc := svc.Spec.HealthCheckNodePort
		switch {
		case hc == 0:
			for candidate := a.ranges.first(); candidate <= a.ranges.last(); candidate++ {
				if !taken(candidate) {
					hc = candidate
					break
				}
			}
			if hc == 0 {
				a.unreserveLocked(reserved)
				return nil, apierrors.NewInternalError(errors.New("failed to allocate a HealthCheck NodePort 0: range is full"))
			}
		case hc < a.ranges.first() || hc > a.ranges.last():
			a.unreserveLocked(reserved)
			return nil, apierrors.NewInternalError(fmt.Errorf("failed to allocate requested HealthCheck NodePort %v: provided port is not in the valid range. The range of valid ports is %s", hc, a.ranges.NodePorts.String()))
		case taken(hc):
			a.unreserveLocked(reserved)
			return nil, apierrors.NewInternalError(fmt.Errorf("failed to allocate requested HealthCheck NodePort %v: provided port is already allocated", hc))
		}
		svc.Spec.HealthCheckNodePort = hc
		a.reserved[hc] = true
		reserved = append(reserved, hc)
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
		if s.Spec.HealthCheckNodePort != 0 {
			used[s.Spec.HealthCheckNodePort] = true
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

// serviceInvalid is the 422 of a Service the allocator rejects.
func serviceInvalid(svc *corev1.Service, errs field.ErrorList) error {
	return apierrors.NewInvalid(corev1.SchemeGroupVersion.WithKind("Service").GroupKind(), svc.Name, errs)
}

// initIPFamilyFields is upstream's Allocators.initIPFamilyFields for a
// single-stack IPv4 cluster: ipFamilyPolicy defaults to the old Service's,
// else RequireDualStack for a headless selectorless Service, else
// SingleStack; the cluster IP fields are pre-validated; ipFamilies are
// inferred from clusterIPs; dual-stack and IPv6 requests are refused.
func initIPFamilyFields(svc, old *corev1.Service) error {
	if svc.Spec.IPFamilyPolicy == nil {
		switch {
		case old != nil && old.Spec.IPFamilyPolicy != nil:
			svc.Spec.IPFamilyPolicy = old.Spec.IPFamilyPolicy
		case svc.Spec.ClusterIP == corev1.ClusterIPNone && len(svc.Spec.Selector) == 0:
			p := corev1.IPFamilyPolicyRequireDualStack
			svc.Spec.IPFamilyPolicy = &p
		default:
			p := corev1.IPFamilyPolicySingleStack
			svc.Spec.IPFamilyPolicy = &p
		}
	}
	if errs := validation.ServiceClusterIPsRelatedFields(svc, old); len(errs) != 0 {
		return serviceInvalid(svc, errs)
	}
	policy := *svc.Spec.IPFamilyPolicy
	policyPath := field.NewPath("spec", "ipFamilyPolicy")
	var errs field.ErrorList
	if old != nil {
		if policy == corev1.IPFamilyPolicySingleStack {
			// single-stack is clear intent: drop the secondary if unchanged.
			if slices.Equal(old.Spec.ClusterIPs, svc.Spec.ClusterIPs) && len(svc.Spec.ClusterIPs) > 1 {
				svc.Spec.ClusterIPs = svc.Spec.ClusterIPs[0:1]
			}
			if slices.Equal(old.Spec.IPFamilies, svc.Spec.IPFamilies) && len(svc.Spec.IPFamilies) > 1 {
				svc.Spec.IPFamilies = svc.Spec.IPFamilies[0:1]
			}
		} else {
			if len(svc.Spec.ClusterIPs) < len(old.Spec.ClusterIPs) && len(svc.Spec.ClusterIPs) > 0 {
				errs = append(errs, field.Invalid(policyPath, svc.Spec.IPFamilyPolicy, "must be 'SingleStack' to release the secondary cluster IP"))
			}
			if len(svc.Spec.IPFamilies) < len(old.Spec.IPFamilies) && len(svc.Spec.IPFamilies) > 0 {
				errs = append(errs, field.Invalid(policyPath, svc.Spec.IPFamilyPolicy, "must be 'SingleStack' to release the secondary IP family"))
			}
		}
	}
	if policy == corev1.IPFamilyPolicySingleStack {
		if len(svc.Spec.ClusterIPs) == 2 {
			errs = append(errs, field.Invalid(policyPath, svc.Spec.IPFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"))
		}
		if len(svc.Spec.IPFamilies) == 2 {
			errs = append(errs, field.Invalid(policyPath, svc.Spec.IPFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"))
		}
	}
	for i, ip := range svc.Spec.ClusterIPs {
		if ip == corev1.ClusterIPNone {
			break
		}
		if i >= len(svc.Spec.IPFamilies) {
			if fam := ipFamilyOf(ip); fam != corev1.IPv4Protocol {
				errs = append(errs, field.Invalid(field.NewPath("spec", "clusterIPs").Index(i), svc.Spec.ClusterIPs, fmt.Sprintf("%s is not configured on this cluster", fam)))
			} else {
				svc.Spec.IPFamilies = append(svc.Spec.IPFamilies, fam)
			}
		}
	}
	if len(errs) > 0 {
		return serviceInvalid(svc, errs)
	}
	if svc.Spec.ClusterIP == corev1.ClusterIPNone && len(svc.Spec.Selector) == 0 {
		// headless and selectorless: any families, even on one stack.
		if len(svc.Spec.IPFamilies) == 0 {
			svc.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol}
		}
		if len(svc.Spec.IPFamilies) < 2 && policy != corev1.IPFamilyPolicySingleStack {
			if svc.Spec.IPFamilies[0] == corev1.IPv4Protocol {
				svc.Spec.IPFamilies = append(svc.Spec.IPFamilies, corev1.IPv6Protocol)
			} else {
				svc.Spec.IPFamilies = append(svc.Spec.IPFamilies, corev1.IPv4Protocol)
			}
		}
		return nil
	}
	if policy == corev1.IPFamilyPolicyRequireDualStack {
		errs = append(errs, field.Invalid(policyPath, svc.Spec.IPFamilyPolicy, "this cluster is not configured for dual-stack services"))
	}
	for i, fam := range svc.Spec.IPFamilies {
		if fam != corev1.IPv4Protocol {
			errs = append(errs, field.Invalid(field.NewPath("spec", "ipFamilies").Index(i), fam, "not configured on this cluster"))
		}
	}
	if len(errs) > 0 {
		return serviceInvalid(svc, errs)
	}
	if len(svc.Spec.IPFamilies) == 0 {
		svc.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol}
	}
	return nil
}

func ipFamilyOf(ip string) corev1.IPFamily {
	switch {
	case netutils.IsIPv4String(ip):
		return corev1.IPv4Protocol
	case netutils.IsIPv6String(ip):
		return corev1.IPv6Protocol
	}
	return "unknown"
}

// normalizeClusterIPsOnUpdate is the update half of upstream's
// normalizeClusterIPs: keeps clusterIP and clusterIPs in step for clients
// that set only one of them.
func normalizeClusterIPsOnUpdate(svc, old *corev1.Service) {
	if len(old.Spec.ClusterIPs) > 0 && len(svc.Spec.ClusterIPs) == 0 && old.Spec.ClusterIP == svc.Spec.ClusterIP {
		svc.Spec.ClusterIPs = old.Spec.ClusterIPs
	}
	if old.Spec.ClusterIP != svc.Spec.ClusterIP {
		sameIPs := slices.Equal(old.Spec.ClusterIPs, svc.Spec.ClusterIPs)
		if len(old.Spec.ClusterIP) > 0 && len(svc.Spec.ClusterIP) == 0 {
			if sameIPs {
				svc.Spec.ClusterIPs = nil
			}
		} else if sameIPs {
			svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
		}
	}
}

// needsHealthCheckNodePort is upstream's NeedsHealthCheck: a LoadBalancer
// with externalTrafficPolicy Local.
func needsHealthCheckNodePort(svc *corev1.Service) bool {
	return svc.Spec.Type == corev1.ServiceTypeLoadBalancer && svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal
}

// dropTypeDependentFields is upstream's: an update that changes a
// Service's type clears the fields the old type had allocated or defaulted
// and the new one does not use, when the client left them as they were.
func dropTypeDependentFields(svc, old *corev1.Service) {
	if needsClusterIP(old) && !needsClusterIP(svc) {
		if old.Spec.ClusterIP == svc.Spec.ClusterIP && slices.Equal(old.Spec.ClusterIPs, svc.Spec.ClusterIPs) {
			svc.Spec.ClusterIP, svc.Spec.ClusterIPs = "", nil
		}
		if slices.Equal(old.Spec.IPFamilies, svc.Spec.IPFamilies) {
			svc.Spec.IPFamilies = nil
		}
		if ptrEqual(old.Spec.IPFamilyPolicy, svc.Spec.IPFamilyPolicy) {
			svc.Spec.IPFamilyPolicy = nil
		}
	}
	if needsNodePort(old) && !needsNodePort(svc) {
		oldPorts := map[int32]bool{}
		for _, p := range old.Spec.Ports {
			oldPorts[p.NodePort] = true
		}
		same := true
		for _, p := range svc.Spec.Ports {
			same = same && (p.NodePort == 0 || oldPorts[p.NodePort])
		}
		if same {
			for i := range svc.Spec.Ports {
				svc.Spec.Ports[i].NodePort = 0
			}
		}
	}
	if needsHealthCheckNodePort(old) && !needsHealthCheckNodePort(svc) && old.Spec.HealthCheckNodePort == svc.Spec.HealthCheckNodePort {
		svc.Spec.HealthCheckNodePort = 0
	}
	if old.Spec.Type == corev1.ServiceTypeLoadBalancer && svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		if a, b := old.Spec.AllocateLoadBalancerNodePorts, svc.Spec.AllocateLoadBalancerNodePorts; a != nil && b != nil && *a == *b {
			svc.Spec.AllocateLoadBalancerNodePorts = nil
		}
		if ptrEqual(old.Spec.LoadBalancerClass, svc.Spec.LoadBalancerClass) {
			svc.Spec.LoadBalancerClass = nil
		}
	}
	if externallyAccessible(old) && !externallyAccessible(svc) && old.Spec.ExternalTrafficPolicy == svc.Spec.ExternalTrafficPolicy {
		svc.Spec.ExternalTrafficPolicy = ""
	}
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		svc.Status.LoadBalancer = corev1.LoadBalancerStatus{}
	}
}

func externallyAccessible(svc *corev1.Service) bool {
	return svc.Spec.Type == corev1.ServiceTypeLoadBalancer || svc.Spec.Type == corev1.ServiceTypeNodePort ||
		(svc.Spec.Type == corev1.ServiceTypeClusterIP && len(svc.Spec.ExternalIPs) > 0)
}

func ptrEqual[T comparable](a, b *T) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
