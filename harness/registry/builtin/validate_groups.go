package builtin

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	networkingv1 "k8s.io/api/networking/v1"
	nodev1 "k8s.io/api/node/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/memkube/memkube/harness/apis/validation"
)

// groupValidation is the validation of the kinds outside core, apps and
// batch: networking, policy, autoscaling, RBAC, storage, scheduling, node
// and admission policies. Webhook configurations validate in webhooks.go.
func groupValidation() map[schema.GroupResource]opt {
	networking := func(r string) schema.GroupResource {
		return schema.GroupResource{Group: networkingv1.GroupName, Resource: r}
	}
	rbac := func(r string) schema.GroupResource { return schema.GroupResource{Group: rbacv1.GroupName, Resource: r} }
	storage := func(r string) schema.GroupResource {
		return schema.GroupResource{Group: storagev1.GroupName, Resource: r}
	}
	admission := func(r string) schema.GroupResource {
		return schema.GroupResource{Group: admissionregistrationv1.GroupName, Resource: r}
	}
	return map[schema.GroupResource]opt{
		networking("ingresses"):       validated(validation.Ingress, validation.IngressUpdate, validation.IngressStatusUpdate),
		networking("ingressclasses"):  validated(validation.IngressClass, validation.IngressClassUpdate, nil),
		networking("networkpolicies"): validated(validation.NetworkPolicy, validation.NetworkPolicyUpdate, nil),

		{Group: policyv1.GroupName, Resource: "poddisruptionbudgets"}: validated(validation.PodDisruptionBudget,
			validation.PodDisruptionBudgetUpdate, validation.PodDisruptionBudgetStatusUpdate),
		{Group: autoscalingv2.GroupName, Resource: "horizontalpodautoscalers"}: validated(validation.HorizontalPodAutoscaler,
			validation.HorizontalPodAutoscalerUpdate, validation.HorizontalPodAutoscalerStatusUpdate),

		rbac("roles"):               validated(validation.Role, nil, nil),
		rbac("clusterroles"):        validated(validation.ClusterRole, validation.ClusterRoleUpdate, nil),
		rbac("rolebindings"):        validated(validation.RoleBinding, validation.RoleBindingUpdate, nil),
		rbac("clusterrolebindings"): validated(validation.ClusterRoleBinding, validation.ClusterRoleBindingUpdate, nil),

		storage("storageclasses"):          validated(validation.StorageClass, validation.StorageClassUpdate, nil),
		storage("csidrivers"):              validated(validation.CSIDriver, validation.CSIDriverUpdate, nil),
		storage("csinodes"):                validated(validation.CSINode, validation.CSINodeUpdate, validation.CSINodeStatusUpdate),
		storage("csistoragecapacities"):    validated(validation.CSIStorageCapacity, validation.CSIStorageCapacityUpdate, nil),
		storage("volumeattachments"):       validated(validation.VolumeAttachment, validation.VolumeAttachmentUpdate, validation.VolumeAttachmentStatusUpdate),
		storage("volumeattributesclasses"): validated(validation.VolumeAttributesClass, validation.VolumeAttributesClassUpdate, nil),

		{Group: schedulingv1.GroupName, Resource: "priorityclasses"}: validated(validation.PriorityClass, validation.PriorityClassUpdate, nil),
		{Group: nodev1.GroupName, Resource: "runtimeclasses"}:        validated(validation.RuntimeClass, validation.RuntimeClassUpdate, nil),

		admission("validatingadmissionpolicies"): validated(validation.ValidatingAdmissionPolicy,
			validation.ValidatingAdmissionPolicyUpdate, validation.ValidatingAdmissionPolicyStatusUpdate),
		admission("validatingadmissionpolicybindings"): validated(validation.ValidatingAdmissionPolicyBinding, validation.ValidatingAdmissionPolicyBindingUpdate, nil),
		admission("mutatingadmissionpolicies"):         validated(validation.MutatingAdmissionPolicy, validation.MutatingAdmissionPolicyUpdate, nil),
		admission("mutatingadmissionpolicybindings"):   validated(validation.MutatingAdmissionPolicyBinding, validation.MutatingAdmissionPolicyBindingUpdate, nil),
	}
}
