package harness

import (
	"context"
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

// kubernetesServiceIP is the first address of the service CIDR envtest
// configures (10.0.0.0/24), where kube-apiserver puts default/kubernetes.
const kubernetesServiceIP = "10.0.0.1"

// bootstrap creates what kube-apiserver creates at start: the four system
// namespaces and the default/kubernetes Service.
func (s *Server) bootstrap(storage map[schema.GroupVersion]map[string]rest.Storage) error {
	core := storage[corev1.SchemeGroupVersion]
	for _, name := range []string{metav1.NamespaceDefault, metav1.NamespaceSystem, metav1.NamespacePublic, corev1.NamespaceNodeLease} {
		if err := create(core["namespaces"], "", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
			return fmt.Errorf("create namespace %s: %w", name, err)
		}
	}
	port, err := strconv.Atoi(s.port)
	if err != nil {
		return fmt.Errorf("server port %q: %w", s.port, err)
	}
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
	if err := create(core["services"], metav1.NamespaceDefault, svc); err != nil {
		return fmt.Errorf("create service default/kubernetes: %w", err)
	}
	return nil
}

func create(storage rest.Storage, namespace string, obj runtime.Object) error {
	ctx := genericapirequest.WithNamespace(context.Background(), namespace)
	_, err := storage.(rest.Creater).Create(ctx, obj, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	return err
}
