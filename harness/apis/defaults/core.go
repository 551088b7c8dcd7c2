package defaults

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// addCore registers the core/v1 defaulters (pkg/apis/core/v1). The pod spec
// walk shared with the workload kinds is in core_pod.go.
func addCore(s *runtime.Scheme) {
	register(s, setPod)
	register(s, func(l *corev1.PodList) { each(l.Items, setPod) })
	register(s, setPodTemplate)
	register(s, func(l *corev1.PodTemplateList) { each(l.Items, setPodTemplate) })
	register(s, setReplicationController)
	register(s, func(l *corev1.ReplicationControllerList) { each(l.Items, setReplicationController) })
	register(s, setService)
	register(s, func(l *corev1.ServiceList) { each(l.Items, setService) })
	register(s, setPersistentVolume)
	register(s, func(l *corev1.PersistentVolumeList) { each(l.Items, setPersistentVolume) })
	register(s, setPersistentVolumeClaim)
	register(s, func(l *corev1.PersistentVolumeClaimList) { each(l.Items, setPersistentVolumeClaim) })
	register(s, setSecret)
	register(s, func(l *corev1.SecretList) { each(l.Items, setSecret) })
	register(s, setConfigMap)
	register(s, func(l *corev1.ConfigMapList) { each(l.Items, setConfigMap) })
	register(s, setNamespace)
	register(s, func(l *corev1.NamespaceList) { each(l.Items, setNamespace) })
	register(s, setNode)
	register(s, func(l *corev1.NodeList) { each(l.Items, setNode) })
	register(s, setEndpoints)
	register(s, func(l *corev1.EndpointsList) { each(l.Items, setEndpoints) })
	register(s, setLimitRange)
	register(s, func(l *corev1.LimitRangeList) { each(l.Items, setLimitRange) })
	register(s, setResourceQuota)
	register(s, func(l *corev1.ResourceQuotaList) { each(l.Items, setResourceQuota) })
	register(s, setPodLogOptions)
}

// setPodTemplate defaults a PodTemplate. Unlike a Pod, a template gets only
// the pod spec walk: no requests from limits, no enableServiceLinks, no
// hostNetwork host ports (upstream keeps those on Pod for historical reasons).
func setPodTemplate(t *corev1.PodTemplate) {
	setPodSpec(&t.Template.Spec)
}

func setReplicationController(rc *corev1.ReplicationController) {
	if rc.Spec.Template != nil && rc.Spec.Template.Labels != nil {
		if len(rc.Spec.Selector) == 0 {
			rc.Spec.Selector = maps.Clone(rc.Spec.Template.Labels)
		}
		if len(rc.Labels) == 0 {
			rc.Labels = maps.Clone(rc.Spec.Template.Labels)
		}
	}
	if rc.Spec.Replicas == nil {
		rc.Spec.Replicas = ptr.To[int32](1)
	}
	if rc.Spec.Template != nil {
		setPodSpec(&rc.Spec.Template.Spec)
	}
}

func setService(svc *corev1.Service) {
	spec := &svc.Spec
	if spec.SessionAffinity == "" {
		spec.SessionAffinity = corev1.ServiceAffinityNone
	}
	switch spec.SessionAffinity {
	case corev1.ServiceAffinityNone:
		spec.SessionAffinityConfig = nil
	case corev1.ServiceAffinityClientIP:
		if c := spec.SessionAffinityConfig; c == nil || c.ClientIP == nil || c.ClientIP.TimeoutSeconds == nil {
			spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{
				ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr.To(corev1.DefaultClientIPServiceAffinitySeconds)},
			}
		}
	}
	if spec.Type == "" {
		spec.Type = corev1.ServiceTypeClusterIP
	}
	for i := range spec.Ports {
		p := &spec.Ports[i]
		if p.Protocol == "" {
			p.Protocol = corev1.ProtocolTCP
		}
		if p.TargetPort == intstr.FromInt32(0) || p.TargetPort == intstr.FromString("") {
			p.TargetPort = intstr.FromInt32(p.Port)
		}
	}
	if externallyAccessible(svc) && spec.ExternalTrafficPolicy == "" {
		spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
	}
	if spec.InternalTrafficPolicy == nil {
		switch spec.Type {
		case corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
			spec.InternalTrafficPolicy = ptr.To(corev1.ServiceInternalTrafficPolicyCluster)
		}
	}
	if spec.Type == corev1.ServiceTypeLoadBalancer {
		if spec.AllocateLoadBalancerNodePorts == nil {
			spec.AllocateLoadBalancerNodePorts = ptr.To(true)
		}
		for i := range svc.Status.LoadBalancer.Ingress {
			ing := &svc.Status.LoadBalancer.Ingress[i]
			if ing.IP != "" && ing.IPMode == nil {
				ing.IPMode = ptr.To(corev1.LoadBalancerIPModeVIP)
			}
		}
	}
}

// externallyAccessible is upstream's pkg/api/v1/service.ExternallyAccessible:
// the service types reachable from outside the cluster, and ClusterIP
// services with external IPs.
func externallyAccessible(svc *corev1.Service) bool {
	switch svc.Spec.Type {
	case corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeNodePort:
		return true
	case corev1.ServiceTypeClusterIP:
		return len(svc.Spec.ExternalIPs) > 0
	}
	return false
}

func setPersistentVolume(pv *corev1.PersistentVolume) {
	if pv.Status.Phase == "" {
		pv.Status.Phase = corev1.VolumePending
	}
	if pv.Spec.PersistentVolumeReclaimPolicy == "" {
		pv.Spec.PersistentVolumeReclaimPolicy = corev1.PersistentVolumeReclaimRetain
	}
	if pv.Spec.VolumeMode == nil {
		pv.Spec.VolumeMode = ptr.To(corev1.PersistentVolumeFilesystem)
	}
	roundUpResources(pv.Spec.Capacity)
	setPersistentVolumeSource(&pv.Spec.PersistentVolumeSource)
}

// setPersistentVolumeSource defaults the volume sources of a PV spec, in a
// PersistentVolume or inline in a VolumeAttachment.
func setPersistentVolumeSource(src *corev1.PersistentVolumeSource) {
	if src.HostPath != nil {
		setHostPath(src.HostPath)
	}
	if rbd := src.RBD; rbd != nil {
		setRBD(&rbd.RBDPool, &rbd.RadosUser, &rbd.Keyring)
	}
	if src.ISCSI != nil && src.ISCSI.ISCSIInterface == "" {
		src.ISCSI.ISCSIInterface = "default"
	}
	if src.AzureDisk != nil {
		setAzureDisk(src.AzureDisk)
	}
	if sio := src.ScaleIO; sio != nil {
		setScaleIO(&sio.StorageMode, &sio.FSType)
	}
}

func setPersistentVolumeClaim(pvc *corev1.PersistentVolumeClaim) {
	if pvc.Status.Phase == "" {
		pvc.Status.Phase = corev1.ClaimPending
	}
	setPersistentVolumeClaimSpec(&pvc.Spec)
	roundUpResources(pvc.Status.Capacity)
	roundUpResources(pvc.Status.AllocatedResources)
}

// setPersistentVolumeClaimSpec defaults a claim spec: of a PVC, of a
// StatefulSet's volumeClaimTemplates and of a pod's ephemeral volumes.
func setPersistentVolumeClaimSpec(spec *corev1.PersistentVolumeClaimSpec) {
	if spec.VolumeMode == nil {
		spec.VolumeMode = ptr.To(corev1.PersistentVolumeFilesystem)
	}
	roundUpResources(spec.Resources.Limits)
	roundUpResources(spec.Resources.Requests)
}

func setSecret(s *corev1.Secret) {
	if s.Type == "" {
		s.Type = corev1.SecretTypeOpaque
	}
}

func setConfigMap(cm *corev1.ConfigMap) {
	if cm.Data == nil {
		cm.Data = map[string]string{}
	}
}

// setNamespace labels a named namespace with its name (a namespace created
// with generateName has none yet; the strategy labels it later).
func setNamespace(ns *corev1.Namespace) {
	if ns.Name != "" {
		if ns.Labels == nil {
			ns.Labels = map[string]string{}
		}
		ns.Labels[corev1.LabelMetadataName] = ns.Name
	}
	if ns.Status.Phase == "" {
		ns.Status.Phase = corev1.NamespaceActive
	}
}

func setNode(n *corev1.Node) {
	if n.Status.Allocatable == nil && n.Status.Capacity != nil {
		n.Status.Allocatable = make(corev1.ResourceList, len(n.Status.Capacity))
		for name, q := range n.Status.Capacity {
			n.Status.Allocatable[name] = q.DeepCopy()
		}
	}
	roundUpResources(n.Status.Capacity)
	roundUpResources(n.Status.Allocatable)
}

func setEndpoints(ep *corev1.Endpoints) {
	for i := range ep.Subsets {
		for j := range ep.Subsets[i].Ports {
			if p := &ep.Subsets[i].Ports[j]; p.Protocol == "" {
				p.Protocol = corev1.ProtocolTCP
			}
		}
	}
}

func setLimitRange(lr *corev1.LimitRange) {
	for i := range lr.Spec.Limits {
		item := &lr.Spec.Limits[i]
		setLimitRangeItem(item)
		roundUpResources(item.Max)
		roundUpResources(item.Min)
		roundUpResources(item.Default)
		roundUpResources(item.DefaultRequest)
		roundUpResources(item.MaxLimitRequestRatio)
	}
}

// setLimitRangeItem fills a Container item's default limit from its max, and
// its default request from its default limit, else from its min.
func setLimitRangeItem(item *corev1.LimitRangeItem) {
	if item.Type != corev1.LimitTypeContainer {
		return
	}
	if item.Default == nil {
		item.Default = corev1.ResourceList{}
	}
	if item.DefaultRequest == nil {
		item.DefaultRequest = corev1.ResourceList{}
	}
	fillMissing(item.Default, item.Max)
	fillMissing(item.DefaultRequest, item.Default)
	fillMissing(item.DefaultRequest, item.Min)
}

// fillMissing copies into dst each resource of src that dst lacks.
func fillMissing(dst, src corev1.ResourceList) {
	for name, q := range src {
		if _, ok := dst[name]; !ok {
			dst[name] = q.DeepCopy()
		}
	}
}

func setResourceQuota(rq *corev1.ResourceQuota) {
	roundUpResources(rq.Spec.Hard)
	roundUpResources(rq.Status.Hard)
	roundUpResources(rq.Status.Used)
}

func setPodLogOptions(o *corev1.PodLogOptions) {
	if o.Stream == nil {
		o.Stream = ptr.To(corev1.LogStreamAll)
	}
}

// roundUpResources rounds every quantity of l up to a multiple of 1m, the
// finest precision the API keeps (upstream SetDefaults_ResourceList).
func roundUpResources(l corev1.ResourceList) {
	for name, q := range l {
		q.RoundUp(-3)
		l[name] = q
	}
}
