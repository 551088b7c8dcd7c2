package builtin

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/memkube/memkube/harness/registry"
)

// eventTTL is kube-apiserver's default --event-ttl, in seconds.
const eventTTL = 60 * 60

func coreKinds(ranges ServiceRanges) []*registry.Kind {
	return []*registry.Kind{
		with(kind[corev1.ConfigMap, corev1.ConfigMapList]("", "configmaps", "ConfigMap", true), short("cm")),
		with(kind[corev1.Endpoints, corev1.EndpointsList]("", "endpoints", "Endpoints", true), short("ep"), createOnUpdate),
		with(kind[corev1.Event, corev1.EventList]("", "events", "Event", true), short("ev"), ttl(eventTTL), noGC, createOnUpdate, selectable(eventFields)),
		with(kind[corev1.LimitRange, corev1.LimitRangeList]("", "limitranges", "LimitRange", true), short("limits"), createOnUpdate),
		with(kind[corev1.Namespace, corev1.NamespaceList]("", "namespaces", "Namespace", false), short("ns"), status, namespace, namespaceLifecycle, selectable(namespaceFields)),
		with(kind[corev1.Node, corev1.NodeList]("", "nodes", "Node", false), short("no"), status, selectable(nodeFields), nodeProxy),
		with(kind[corev1.PersistentVolumeClaim, corev1.PersistentVolumeClaimList]("", "persistentvolumeclaims", "PersistentVolumeClaim", true), short("pvc"), status),
		with(kind[corev1.PersistentVolume, corev1.PersistentVolumeList]("", "persistentvolumes", "PersistentVolume", false), short("pv"), status),
		with(kind[corev1.Pod, corev1.PodList]("", "pods", "Pod", true), short("po"), all, status, generation, podBinding, podConnect, podEviction, podCreate, selectable(podFields), podUpdates),
		with(kind[corev1.PodTemplate, corev1.PodTemplateList]("", "podtemplates", "PodTemplate", true), generation),
		with(kind[corev1.ReplicationController, corev1.ReplicationControllerList]("", "replicationcontrollers", "ReplicationController", true),
			short("rc"), all, status, generation, scale(replicationControllerScale), orphanIn(corev1.SchemeGroupVersion), selectable(replicationControllerFields)),
		with(kind[corev1.ResourceQuota, corev1.ResourceQuotaList]("", "resourcequotas", "ResourceQuota", true), short("quota"), status),
		with(kind[corev1.Secret, corev1.SecretList]("", "secrets", "Secret", true), selectable(secretFields)),
		with(kind[corev1.ServiceAccount, corev1.ServiceAccountList]("", "serviceaccounts", "ServiceAccount", true), short("sa"),
			names(apimachineryvalidation.ValidateServiceAccountName)),
		with(kind[corev1.Service, corev1.ServiceList]("", "services", "Service", true), short("svc"), all, status, createOnUpdate, selectable(serviceFields),
			names(apimachineryvalidation.NameIsDNS1035Label), serviceAllocation(ranges), serviceProxy),
	}
}

// podUpdates are the pod subresources that update parts of a pod.
func podUpdates(k *registry.Kind) {
	k.Updates = map[string]*registry.UpdateSubresource{"ephemeralcontainers": podEphemeralContainers, "resize": podResize}
}

func ttl(seconds uint64) opt { return func(k *registry.Kind) { k.TTL = seconds } }

func scale(s *registry.Scale) opt { return func(k *registry.Kind) { k.Scale = s } }

// namespace: cluster-scoped, a DNS label, phase Active on create, no
// deletecollection (as upstream, whose namespace REST does not offer it).
func namespace(k *registry.Kind) {
	k.NameValidation = apimachineryvalidation.ValidateNamespaceName
	k.NoDeleteCollection = true
	k.PrepareForCreate = func(_ context.Context, obj runtime.Object) {
		obj.(*corev1.Namespace).Status = corev1.NamespaceStatus{Phase: corev1.NamespaceActive}
		setNameLabel(obj.(*corev1.Namespace))
	}
	k.PrepareForUpdate = func(_ context.Context, obj, _ runtime.Object) { setNameLabel(obj.(*corev1.Namespace)) }
}

var replicationControllerScale = &registry.Scale{
	SpecReplicas: func(obj runtime.Object) int32 {
		if r := obj.(*corev1.ReplicationController).Spec.Replicas; r != nil {
			return *r
		}
		return 0
	},
	SetSpecReplicas: func(obj runtime.Object, n int32) { obj.(*corev1.ReplicationController).Spec.Replicas = &n },
	StatusReplicas:  func(obj runtime.Object) int32 { return obj.(*corev1.ReplicationController).Status.Replicas },
	Selector: func(obj runtime.Object) (string, error) {
		return labels.SelectorFromSet(obj.(*corev1.ReplicationController).Spec.Selector).String(), nil
	},
}

// setNameLabel labels a namespace with its name, as kube-apiserver does so
// that selectors can pick namespaces by name.
func setNameLabel(ns *corev1.Namespace) {
	if ns.Labels == nil {
		ns.Labels = map[string]string{}
	}
	ns.Labels[corev1.LabelMetadataName] = ns.Name
}
