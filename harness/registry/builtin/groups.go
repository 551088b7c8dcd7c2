package builtin

import (
	"context"
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	networkingv1 "k8s.io/api/networking/v1"
	nodev1 "k8s.io/api/node/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	resourcev1 "k8s.io/api/resource/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	storagemigrationv1 "k8s.io/api/storagemigration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/memkube/memkube/harness/apis/conversion"
	"github.com/memkube/memkube/harness/registry"
)

func batchKinds() []*registry.Kind {
	return []*registry.Kind{
		with(kind[batchv1.CronJob, batchv1.CronJobList]("batch", "cronjobs", "CronJob", true), short("cj"), all, status, generation),
		with(kind[batchv1.Job, batchv1.JobList]("batch", "jobs", "Job", true), all, status, generation, orphanIn(batchv1.SchemeGroupVersion), jobSelector, selectable(jobFields)),
	}
}

// jobSelector is upstream's job PrepareForCreate: unless the job asks for a
// manual selector, its pods are labelled with the job's name and uid and
// selected by the uid.
func jobSelector(k *registry.Kind) {
	k.PrepareForCreate = func(_ context.Context, obj runtime.Object) {
		job := obj.(*batchv1.Job)
		if job.Spec.ManualSelector != nil && *job.Spec.ManualSelector {
			return
		}
		if job.Spec.Template.Labels == nil {
			job.Spec.Template.Labels = map[string]string{}
		}
		for label, value := range map[string]string{
			"job-name": job.Name, batchv1.JobNameLabel: job.Name,
			"controller-uid": string(job.UID), batchv1.ControllerUidLabel: string(job.UID),
		} {
			if _, set := job.Spec.Template.Labels[label]; !set {
				job.Spec.Template.Labels[label] = value
			}
		}
		if job.Spec.Selector == nil {
			job.Spec.Selector = &metav1.LabelSelector{}
		}
		if job.Spec.Selector.MatchLabels == nil {
			job.Spec.Selector.MatchLabels = map[string]string{}
		}
		if _, set := job.Spec.Selector.MatchLabels[batchv1.ControllerUidLabel]; !set {
			job.Spec.Selector.MatchLabels[batchv1.ControllerUidLabel] = string(job.UID)
		}
	}
}

func autoscalingKinds() []*registry.Kind {
	return []*registry.Kind{
		// stored as autoscaling/v2; v1 converts (harness/apis/conversion).
		with(kind[autoscalingv2.HorizontalPodAutoscaler, autoscalingv2.HorizontalPodAutoscalerList]("autoscaling", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true),
			versions("v2", "v1"), short("hpa"), all, status, generation, dropHPARoundTripAnnotations),
	}
}

// dropHPARoundTripAnnotations drops the annotations autoscaling/v1 uses to
// carry v2-only fields: upstream's internal object never keeps them, whichever
// version wrote it.
func dropHPARoundTripAnnotations(k *registry.Kind) {
	drop := func(obj runtime.Object) {
		hpa := obj.(*autoscalingv2.HorizontalPodAutoscaler)
		hpa.Annotations = conversion.DropRoundTripAnnotations(hpa.Annotations)
	}
	k.PrepareForCreate = func(_ context.Context, obj runtime.Object) { drop(obj) }
	k.PrepareForUpdate = func(_ context.Context, obj, _ runtime.Object) { drop(obj) }
}

func networkingKinds() []*registry.Kind {
	const g = networkingv1.GroupName
	return []*registry.Kind{
		with(kind[networkingv1.IngressClass, networkingv1.IngressClassList](g, "ingressclasses", "IngressClass", false), generation),
		with(kind[networkingv1.Ingress, networkingv1.IngressList](g, "ingresses", "Ingress", true), short("ing"), status, generation),
		with(kind[networkingv1.IPAddress, networkingv1.IPAddressList](g, "ipaddresses", "IPAddress", false), short("ip"), names(ipAddressName)),
		with(kind[networkingv1.NetworkPolicy, networkingv1.NetworkPolicyList](g, "networkpolicies", "NetworkPolicy", true), short("netpol"), generation),
		with(kind[networkingv1.ServiceCIDR, networkingv1.ServiceCIDRList](g, "servicecidrs", "ServiceCIDR", false), status),
	}
}

// trustBundleName is upstream's ValidateClusterTrustBundleName, which reads
// the spec: a bundle of a signer is named <signer, / as :>:<subdomain>, one
// without may have no ":" in its DNS-subdomain name. The name is checked
// with the object, not by the name rule.
func trustBundleName(k *registry.Kind) {
	k.NameValidation = anyName
	k.Validate = func(_ context.Context, obj runtime.Object) field.ErrorList {
		b := obj.(*certificatesv1.ClusterTrustBundle)
		var msgs []string
		if b.Spec.SignerName == "" {
			if strings.Contains(b.Name, ":") {
				msgs = []string{`ClusterTrustBundle without signer name must not have ":" in its name`}
			} else {
				msgs = validation.IsDNS1123Subdomain(b.Name)
			}
		} else if prefix := strings.ReplaceAll(b.Spec.SignerName, "/", ":") + ":"; !strings.HasPrefix(b.Name, prefix) {
			msgs = []string{fmt.Sprintf("ClusterTrustBundle for signerName %s must be named with prefix %s", b.Spec.SignerName, prefix)}
		} else {
			msgs = validation.IsDNS1123Subdomain(strings.TrimPrefix(b.Name, prefix))
		}
		var errs field.ErrorList
		for _, msg := range msgs {
			errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), b.Name, msg))
		}
		return errs
	}
}

// ipAddressName is upstream's ValidateIPAddressName: the name is the IP.
func ipAddressName(name string, _ bool) []string {
	var out []string
	for _, err := range validation.IsValidIP(&field.Path{}, name) {
		out = append(out, err.Detail)
	}
	return out
}

func policyKinds() []*registry.Kind {
	return []*registry.Kind{
		with(kind[policyv1.PodDisruptionBudget, policyv1.PodDisruptionBudgetList]("policy", "poddisruptionbudgets", "PodDisruptionBudget", true), short("pdb"), status, generation),
	}
}

func rbacKinds() []*registry.Kind {
	const g = rbacv1.GroupName
	return []*registry.Kind{
		with(kind[rbacv1.ClusterRoleBinding, rbacv1.ClusterRoleBindingList](g, "clusterrolebindings", "ClusterRoleBinding", false), names(rbacName), createOnUpdate),
		with(kind[rbacv1.ClusterRole, rbacv1.ClusterRoleList](g, "clusterroles", "ClusterRole", false), names(rbacName), createOnUpdate),
		with(kind[rbacv1.RoleBinding, rbacv1.RoleBindingList](g, "rolebindings", "RoleBinding", true), names(rbacName), createOnUpdate),
		with(kind[rbacv1.Role, rbacv1.RoleList](g, "roles", "Role", true), names(rbacName), createOnUpdate),
	}
}

func storageKinds() []*registry.Kind {
	const g = storagev1.GroupName
	return []*registry.Kind{
		kind[storagev1.CSIDriver, storagev1.CSIDriverList](g, "csidrivers", "CSIDriver", false),
		with(kind[storagev1.CSINode, storagev1.CSINodeList](g, "csinodes", "CSINode", false), status),
		kind[storagev1.CSIStorageCapacity, storagev1.CSIStorageCapacityList](g, "csistoragecapacities", "CSIStorageCapacity", true),
		with(kind[storagev1.StorageClass, storagev1.StorageClassList](g, "storageclasses", "StorageClass", false), short("sc")),
		with(kind[storagev1.VolumeAttachment, storagev1.VolumeAttachmentList](g, "volumeattachments", "VolumeAttachment", false), status),
		with(kind[storagev1.VolumeAttributesClass, storagev1.VolumeAttributesClassList](g, "volumeattributesclasses", "VolumeAttributesClass", false), short("vac")),
	}
}

func admissionKinds() []*registry.Kind {
	const g = admissionregistrationv1.GroupName
	return []*registry.Kind{
		with(kind[admissionregistrationv1.MutatingAdmissionPolicy, admissionregistrationv1.MutatingAdmissionPolicyList](g, "mutatingadmissionpolicies", "MutatingAdmissionPolicy", false), apiExtensions, generation),
		with(kind[admissionregistrationv1.MutatingAdmissionPolicyBinding, admissionregistrationv1.MutatingAdmissionPolicyBindingList](g, "mutatingadmissionpolicybindings", "MutatingAdmissionPolicyBinding", false), apiExtensions, generation),
		with(kind[admissionregistrationv1.MutatingWebhookConfiguration, admissionregistrationv1.MutatingWebhookConfigurationList](g, "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false), apiExtensions, generation, validateWebhooks),
		with(kind[admissionregistrationv1.ValidatingAdmissionPolicy, admissionregistrationv1.ValidatingAdmissionPolicyList](g, "validatingadmissionpolicies", "ValidatingAdmissionPolicy", false), apiExtensions, status, generation),
		with(kind[admissionregistrationv1.ValidatingAdmissionPolicyBinding, admissionregistrationv1.ValidatingAdmissionPolicyBindingList](g, "validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding", false), apiExtensions, generation),
		with(kind[admissionregistrationv1.ValidatingWebhookConfiguration, admissionregistrationv1.ValidatingWebhookConfigurationList](g, "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false), apiExtensions, generation, validateWebhooks),
	}
}

func resourceKinds() []*registry.Kind {
	const g = resourcev1.GroupName
	return []*registry.Kind{
		with(kind[resourcev1.DeviceClass, resourcev1.DeviceClassList](g, "deviceclasses", "DeviceClass", false), generation),
		with(kind[resourcev1.DeviceTaintRule, resourcev1.DeviceTaintRuleList](g, "devicetaintrules", "DeviceTaintRule", false), status, generation),
		with(kind[resourcev1.ResourceClaim, resourcev1.ResourceClaimList](g, "resourceclaims", "ResourceClaim", true), status),
		kind[resourcev1.ResourceClaimTemplate, resourcev1.ResourceClaimTemplateList](g, "resourceclaimtemplates", "ResourceClaimTemplate", true),
		with(kind[resourcev1.ResourceSlice, resourcev1.ResourceSliceList](g, "resourceslices", "ResourceSlice", false), generation, selectable(resourceSliceFields)),
	}
}

// otherKinds are the groups of one or two kinds each.
func otherKinds() []*registry.Kind {
	return []*registry.Kind{
		with(kind[certificatesv1.CertificateSigningRequest, certificatesv1.CertificateSigningRequestList](certificatesv1.GroupName, "certificatesigningrequests", "CertificateSigningRequest", false),
			short("csr"), status, names(anyName), selectable(csrFields), csrConditions),
		with(kind[certificatesv1.ClusterTrustBundle, certificatesv1.ClusterTrustBundleList](certificatesv1.GroupName, "clustertrustbundles", "ClusterTrustBundle", false), trustBundleName, selectable(clusterTrustBundleFields)),
		with(kind[certificatesv1.PodCertificateRequest, certificatesv1.PodCertificateRequestList](certificatesv1.GroupName, "podcertificaterequests", "PodCertificateRequest", true), status, selectable(podCertificateRequestFields)),
		with(kind[coordinationv1.Lease, coordinationv1.LeaseList](coordinationv1.GroupName, "leases", "Lease", true), createOnUpdate),
		with(kind[discoveryv1.EndpointSlice, discoveryv1.EndpointSliceList](discoveryv1.GroupName, "endpointslices", "EndpointSlice", true), generation),
		// events.k8s.io events are core events, stored with them.
		with(kind[corev1.Event, corev1.EventList]("events.k8s.io", "events", "Event", true), short("ev"), ttl(eventTTL), noGC, createOnUpdate, selectable(eventFields)),
		with(kind[flowcontrolv1.FlowSchema, flowcontrolv1.FlowSchemaList](flowcontrolv1.GroupName, "flowschemas", "FlowSchema", false), status, generation),
		with(kind[flowcontrolv1.PriorityLevelConfiguration, flowcontrolv1.PriorityLevelConfigurationList](flowcontrolv1.GroupName, "prioritylevelconfigurations", "PriorityLevelConfiguration", false), status, generation),
		with(kind[nodev1.RuntimeClass, nodev1.RuntimeClassList](nodev1.GroupName, "runtimeclasses", "RuntimeClass", false), createOnUpdate),
		with(kind[schedulingv1.PriorityClass, schedulingv1.PriorityClassList](schedulingv1.GroupName, "priorityclasses", "PriorityClass", false), short("pc"), generation),
		with(kind[storagemigrationv1.StorageVersionMigration, storagemigrationv1.StorageVersionMigrationList](storagemigrationv1.GroupName, "storageversionmigrations", "StorageVersionMigration", false), status),
	}
}
