package harness_test

import (
	"errors"
	"testing"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestGroupsValidation proves the wiring of the groups' validation through
// the server: a create gets 422 with upstream's causes, an update that
// breaks a rule is rejected and the stored object stays, and an
// autoscaling/v1 HPA is validated as the autoscaling/v2 object it is stored
// as.
func TestGroupsValidation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := newClient(t)

	_, err := c.NetworkingV1().Ingresses("default").Create(ctx, &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: "example.com", IngressRuleValue: networkingv1.IngressRuleValue{
			HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{Path: "api", PathType: ptr.To(networkingv1.PathTypePrefix),
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web"}}}}},
		}}}},
	}, metav1.CreateOptions{})
	var status apierrors.APIStatus
	if !apierrors.IsInvalid(err) || !errors.As(err, &status) || len(status.Status().Details.Causes) != 2 {
		t.Fatalf("creating an invalid ingress: got %v, want 422 with two causes", err)
	}
	if got, want := err.Error(), `Ingress.networking.k8s.io "web" is invalid: [spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path, spec.rules[0].http.paths[0].backend: Required value: port name or number is required]`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}

	bindings := c.RbacV1().RoleBindings("default")
	if _, err := bindings.Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "read"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "default"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := bindings.Get(ctx, "read", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b.RoleRef.Name = "edit"
	if _, err := bindings.Update(ctx, b, metav1.UpdateOptions{}); !apierrors.IsInvalid(err) || err.Error() !=
		`RoleBinding.rbac.authorization.k8s.io "read" is invalid: roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"}: field is immutable` {
		t.Errorf("changing roleRef: got %v, want it immutable", err)
	}
	if stored, err := bindings.Get(ctx, "read", metav1.GetOptions{}); err != nil || stored.RoleRef.Name != "view" || stored.ResourceVersion != b.ResourceVersion {
		t.Errorf("after the rejected update: got %+v, %v; want roleRef view at resourceVersion %s", stored.RoleRef, err, b.ResourceVersion)
	}

	_, err = c.AutoscalingV1().HorizontalPodAutoscalers("default").Create(ctx, &autoscalingv1.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: autoscalingv1.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv1.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			MinReplicas:    ptr.To[int32](3), MaxReplicas: 2,
		},
	}, metav1.CreateOptions{})
	if !apierrors.IsInvalid(err) || err.Error() != `HorizontalPodAutoscaler.autoscaling "web" is invalid: spec.maxReplicas: Invalid value: 2: must be greater than or equal to `+"`minReplicas`" {
		t.Errorf("creating an autoscaling/v1 HPA with max below min: got %v", err)
	}
}
