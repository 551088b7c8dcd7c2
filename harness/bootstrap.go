package harness

import (
	"context"
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/utils/clock"

	"github.com/memkube/memkube/harness/auth/rbac"
)

// bootstrap creates what kube-apiserver creates at start: the four system
// namespaces, the system PriorityClasses, the default ServiceCIDR and the
// default/kubernetes Service. Over a reused etcd they may exist already:
// they are kept.
func (s *Server) bootstrap(storage map[schema.GroupVersion]map[string]rest.Storage) error {
	core := storage[corev1.SchemeGroupVersion]
	for _, name := range []string{metav1.NamespaceDefault, metav1.NamespaceSystem, metav1.NamespacePublic, corev1.NamespaceNodeLease} {
		if err := create(core["namespaces"], "", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create namespace %s: %w", name, err)
		}
	}
	// kube-apiserver's scheduling/bootstrap-system-priority-classes hook.
	for _, pc := range systemPriorityClasses() {
		if err := create(storage[schedulingv1.SchemeGroupVersion]["priorityclasses"], "", pc); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create priorityclass %s: %w", pc.Name, err)
		}
	}
	if err := bootstrapServiceCIDR(storage[networkingv1.SchemeGroupVersion], s.serviceRanges.ClusterIPs.String(), s.clock); err != nil {
		return err
	}
	port, err := strconv.Atoi(s.port)
	if err != nil {
		return fmt.Errorf("server port %q: %w", s.port, err)
	}
	// default/kubernetes is at the first address of the service range, as
	// kube-apiserver puts it.
	kubernetesServiceIP := s.serviceRanges.ClusterIPs.Addr().Next().String()
	single := corev1.IPFamilyPolicySingleStack
	cluster := corev1.ServiceInternalTrafficPolicyCluster
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{
			Name: "kubernetes", Namespace: metav1.NamespaceDefault,
			Labels: map[string]string{"component": "apiserver", "provider": "kubernetes"},
		},
		Spec: corev1.ServiceSpec{
			Type:                  corev1.ServiceTypeClusterIP,
			ClusterIP:             kubernetesServiceIP,
			ClusterIPs:            []string{kubernetesServiceIP},
			IPFamilies:            []corev1.IPFamily{corev1.IPv4Protocol},
			IPFamilyPolicy:        &single,
			InternalTrafficPolicy: &cluster,
			SessionAffinity:       corev1.ServiceAffinityNone,
			Ports: []corev1.ServicePort{{
				Name: "https", Port: 443, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(int32(port)),
			}},
		},
	}
	getCtx := genericapirequest.WithNamespace(context.Background(), metav1.NamespaceDefault)
	if _, err := core["services"].(rest.Getter).Get(getCtx, svc.Name, &metav1.GetOptions{}); err == nil {
		return nil // a reused etcd: it is there, with its IPAddress
	}
	if err := create(core["services"], metav1.NamespaceDefault, svc); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create service default/kubernetes: %w", err)
	}
	return nil
}

// systemPriorityClasses are upstream's SystemPriorityClasses
// (pkg/apis/scheduling/v1): the two classes above user-definable values.
func systemPriorityClasses() []*schedulingv1.PriorityClass {
	const systemCritical = 2 * 1000000000 // 2 * HighestUserDefinablePriority
	return []*schedulingv1.PriorityClass{
		{
			ObjectMeta:  metav1.ObjectMeta{Name: "system-node-critical"},
			Value:       systemCritical + 1000,
			Description: "Used for system critical pods that must not be moved from their current node.",
		},
		{
			ObjectMeta:  metav1.ObjectMeta{Name: "system-cluster-critical"},
			Value:       systemCritical,
			Description: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
		},
	}
}

func create(storage rest.Storage, namespace string, obj runtime.Object) error {
	ctx := genericapirequest.WithNamespace(context.Background(), namespace)
	_, err := storage.(rest.Creater).Create(ctx, obj, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	return err
}

// bootstrapServiceCIDR creates the "kubernetes" ServiceCIDR, Ready, as
// kube-apiserver's default-servicecidr controller does.
func bootstrapServiceCIDR(networking map[string]rest.Storage, serviceCIDR string, clk clock.PassiveClock) error {
	cidr := &networkingv1.ServiceCIDR{
		ObjectMeta: metav1.ObjectMeta{Name: "kubernetes"},
		Spec:       networkingv1.ServiceCIDRSpec{CIDRs: []string{serviceCIDR}},
	}
	ctx := genericapirequest.WithNamespace(context.Background(), "")
	created, err := networking["servicecidrs"].(rest.Creater).Create(ctx, cidr, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil // a reused etcd: it is there, Ready from its first server
	}
	if err != nil {
		return fmt.Errorf("create servicecidr kubernetes: %w", err)
	}
	ready := created.(*networkingv1.ServiceCIDR)
	ready.Status.Conditions = []metav1.Condition{{
		Type: networkingv1.ServiceCIDRConditionReady, Status: metav1.ConditionTrue,
		Message: "Kubernetes default Service CIDR is ready", LastTransitionTime: metav1.NewTime(clk.Now()),
	}}
	_, _, err = networking["servicecidrs/status"].(rest.Updater).Update(ctx, ready.Name, rest.DefaultUpdatedObjectInfo(ready),
		rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	if err != nil {
		return fmt.Errorf("servicecidr kubernetes status: %w", err)
	}
	return nil
}

// bootstrapRBAC writes kube-apiserver's bootstrap RBAC policy straight into
// the registries, as it stands once kube-controller-manager has aggregated
// admin, edit and view (kube-apiserver creates it through its own client in
// a post-start hook; 150 requests through the handler chain would double a
// server's start). When some exist already (a reused etcd), Start
// reconciles the policy afterwards as kube-apiserver does.
func (s *Server) bootstrapRBAC(storage map[string]rest.Storage) error {
	p := rbac.AggregatedBootstrapPolicy()
	creates := func(resource, namespace string, obj runtime.Object) error {
		err := create(storage[resource], namespace, obj)
		if apierrors.IsAlreadyExists(err) {
			s.reconcileRBAC = true
			return nil
		}
		return err
	}
	for i := range p.ClusterRoles {
		if err := creates("clusterroles", "", &p.ClusterRoles[i]); err != nil {
			return fmt.Errorf("bootstrap clusterrole %s: %w", p.ClusterRoles[i].Name, err)
		}
	}
	for i := range p.ClusterRoleBindings {
		if err := creates("clusterrolebindings", "", &p.ClusterRoleBindings[i]); err != nil {
			return fmt.Errorf("bootstrap clusterrolebinding %s: %w", p.ClusterRoleBindings[i].Name, err)
		}
	}
	for i := range p.Roles {
		if err := creates("roles", p.Roles[i].Namespace, &p.Roles[i]); err != nil {
			return fmt.Errorf("bootstrap role %s/%s: %w", p.Roles[i].Namespace, p.Roles[i].Name, err)
		}
	}
	for i := range p.RoleBindings {
		if err := creates("rolebindings", p.RoleBindings[i].Namespace, &p.RoleBindings[i]); err != nil {
			return fmt.Errorf("bootstrap rolebinding %s/%s: %w", p.RoleBindings[i].Namespace, p.RoleBindings[i].Name, err)
		}
	}
	return nil
}
