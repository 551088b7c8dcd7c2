package admission

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"

	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	resourcev1 "k8s.io/api/resource/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	apiresource "k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/client-go/informers"
	corev1listers "k8s.io/client-go/listers/core/v1"
	storagev1listers "k8s.io/client-go/listers/storage/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/memkube/memkube/harness/auth/nodeidentity"
)

// NodeRestrictionPluginName is the name of the plugin that limits what a
// kubelet may write to the objects of its own node.
const NodeRestrictionPluginName = "NodeRestriction"

// The kube-apiserver v1.37 feature gates upstream's plugin reads, at their
// defaults (they are k8s.io/kubernetes gates, which memkube does not have).
const (
	// recoverVolumeExpansionFailure (GA, locked on): a node may change a
	// PVC's status.allocatedResources and allocatedResourceStatuses.
	recoverVolumeExpansionFailure = true
	// allowInsecureKubeletCertificateSigningRequests (deprecated, off):
	// a node's kubelet CSRs must name the node.
	allowInsecureKubeletCertificateSigningRequests = false
	// serviceAccountNodeAudienceRestriction (beta, on): a node may request
	// a token only for an audience its pod uses, or one it is authorized for.
	serviceAccountNodeAudienceRestriction = true
	// podCertificateRequest (GA, on): nodes create PodCertificateRequests.
	podCertificateRequest = true
	// csiVolumeHealth (alpha, off): a node may not write csinodes/status.
	csiVolumeHealth = false
)

// nodeRestriction is upstream's noderestriction plugin
// (plugin/pkg/admission/noderestriction) with v1.37's default feature
// gates. It restricts only users that are nodes (nodeidentity.Of:
// system:node:<name> in system:nodes); every other user passes. A node may
//
//   - create mirror pods bound to itself and owned by its Node, referencing
//     no other API object; delete pods bound to it; update the status of
//     and evict pods bound to it;
//   - create, update and delete its own Node only, without setting a
//     configSource, changing taints or ownerReferences, or changing labels
//     in the kubernetes.io and k8s.io namespaces other than the kubelet's
//     own (nodeLabelAllowed);
//   - update the status of PVCs only in capacity, conditions and the
//     allocated resources;
//   - request tokens only for pods bound to it (by name and uid), for an
//     audience the pod uses or one the authorizer allows it;
//   - create PodCertificateRequests only for pods bound to it;
//   - write only its own Lease in kube-node-lease and its own CSINode;
//     create and delete only ResourceSlices of its node;
//   - create kubelet CSRs only with its own system:node:<name> CN.
//
// Pods, nodes, service accounts, PVCs, PVs and CSIDrivers are read from
// informers, as upstream, so an object created an instant before the
// request may not be seen yet.
type nodeRestriction struct {
	*admission.Handler
	pods            corev1listers.PodLister
	nodes           corev1listers.NodeLister
	serviceAccounts corev1listers.ServiceAccountLister
	pvcs            corev1listers.PersistentVolumeClaimLister
	pvs             corev1listers.PersistentVolumeLister
	csiDrivers      storagev1listers.CSIDriverLister
	authz           authorizer.UnconditionalAuthorizer
}

var _ admission.MutationInterface = (*nodeRestriction)(nil)

func newNodeRestriction(f informers.SharedInformerFactory, authz authorizer.UnconditionalAuthorizer) *nodeRestriction {
	return &nodeRestriction{
		Handler:         admission.NewHandler(admission.Create, admission.Update, admission.Delete),
		pods:            f.Core().V1().Pods().Lister(),
		nodes:           f.Core().V1().Nodes().Lister(),
		serviceAccounts: f.Core().V1().ServiceAccounts().Lister(),
		pvcs:            f.Core().V1().PersistentVolumeClaims().Lister(),
		pvs:             f.Core().V1().PersistentVolumes().Lister(),
		csiDrivers:      f.Storage().V1().CSIDrivers().Lister(),
		authz:           authz,
	}
}

func nodeRestrictionInformers(f informers.SharedInformerFactory) []cache.SharedIndexInformer {
	return []cache.SharedIndexInformer{
		f.Core().V1().Pods().Informer(),
		f.Core().V1().Nodes().Informer(),
		f.Core().V1().ServiceAccounts().Informer(),
		f.Core().V1().PersistentVolumeClaims().Informer(),
		f.Core().V1().PersistentVolumes().Informer(),
		f.Storage().V1().CSIDrivers().Informer(),
	}
}

var (
	podResource                   = corev1.Resource("pods")
	nodeResource                  = corev1.Resource("nodes")
	pvcResource                   = corev1.Resource("persistentvolumeclaims")
	serviceAccountResource        = corev1.Resource("serviceaccounts")
	leaseResource                 = coordinationv1.Resource("leases")
	csiNodeResource               = storagev1.Resource("csinodes")
	resourceSliceResource         = resourcev1.Resource("resourceslices")
	podCertificateRequestResource = certificatesv1.Resource("podcertificaterequests")
)

// Admit decides a node's request; it mutates nothing, but runs with the
// mutating plugins, as upstream's.
func (p *nodeRestriction) Admit(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	nodeName, isNode := nodeidentity.Of(a.GetUserInfo())
	if !isNode {
		return nil
	}
	if nodeName == "" {
		return admission.NewForbidden(a, fmt.Errorf("could not determine node from user %q", a.GetUserInfo().GetName()))
	}
	switch a.GetResource().GroupResource() {
	case podResource:
		switch a.GetSubresource() {
		case "":
			return p.admitPod(nodeName, a)
		case "status":
			return p.admitPodStatus(nodeName, a)
		case "eviction":
			return p.admitPodEviction(nodeName, a)
		default:
			return admission.NewForbidden(a, fmt.Errorf("unexpected pod subresource %q, only 'status' and 'eviction' are allowed", a.GetSubresource()))
		}
	case nodeResource:
		return p.admitNode(nodeName, a)
	case pvcResource:
		if a.GetSubresource() != "status" {
			return admission.NewForbidden(a, fmt.Errorf("may only update PVC status"))
		}
		return p.admitPVCStatus(nodeName, a)
	case serviceAccountResource:
		return p.admitServiceAccount(ctx, nodeName, a)
	case podCertificateRequestResource:
		return p.admitPodCertificateRequest(ctx, nodeName, a)
	case leaseResource:
		return p.admitLease(nodeName, a)
	case csiNodeResource:
		return p.admitCSINode(nodeName, a)
	case resourceSliceResource:
		return p.admitResourceSlice(nodeName, a)
	case csrResource:
		if allowInsecureKubeletCertificateSigningRequests {
			return nil
		}
		return p.admitCSR(nodeName, a)
	}
	return nil
}

// admitPod lets a node create mirror pods of its own and delete pods bound
// to it.
func (p *nodeRestriction) admitPod(nodeName string, a admission.Attributes) error {
	switch a.GetOperation() {
	case admission.Create:
		return p.admitPodCreate(nodeName, a)
	case admission.Delete:
		existing, err := p.pods.Pods(a.GetNamespace()).Get(a.GetName())
		if apierrors.IsNotFound(err) {
			return err
		}
		if err != nil {
			return admission.NewForbidden(a, err)
		}
		if existing.Spec.NodeName != nodeName {
			return admission.NewForbidden(a, fmt.Errorf("node %q can only delete pods with spec.nodeName set to itself", nodeName))
		}
		return nil
	default:
		return admission.NewForbidden(a, fmt.Errorf("unexpected operation %q, node %q can only create and delete mirror pods", a.GetOperation(), nodeName))
	}
}

func (p *nodeRestriction) admitPodCreate(nodeName string, a admission.Attributes) error {
	pod, ok := a.GetObject().(*corev1.Pod)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
	}
	if _, mirror := pod.Annotations[corev1.MirrorPodAnnotationKey]; !mirror {
		return admission.NewForbidden(a, fmt.Errorf("pod does not have %q annotation, node %q can only create mirror pods", corev1.MirrorPodAnnotationKey, nodeName))
	}
	if pod.Spec.NodeName != nodeName {
		return admission.NewForbidden(a, fmt.Errorf("node %q can only create pods with spec.nodeName set to itself", nodeName))
	}
	switch len(pod.OwnerReferences) {
	case 0:
		return admission.NewForbidden(a, fmt.Errorf("node %q can only create pods with an owner reference set to itself", nodeName))
	case 1:
	default:
		return admission.NewForbidden(a, fmt.Errorf("node %q can only create pods with a single owner reference set to itself", nodeName))
	}
	owner := pod.OwnerReferences[0]
	if owner.APIVersion != corev1.SchemeGroupVersion.String() || owner.Kind != "Node" || owner.Name != nodeName {
		return admission.NewForbidden(a, fmt.Errorf("node %q can only create pods with an owner reference set to itself", nodeName))
	}
	if owner.Controller == nil || !*owner.Controller {
		return admission.NewForbidden(a, fmt.Errorf("node %q can only create pods with a controller owner reference set to itself", nodeName))
	}
	if owner.BlockOwnerDeletion != nil && *owner.BlockOwnerDeletion {
		return admission.NewForbidden(a, fmt.Errorf("node %q must not set blockOwnerDeletion on an owner reference", nodeName))
	}
	node, err := p.nodes.Get(nodeName)
	if apierrors.IsNotFound(err) {
		return err
	}
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("error looking up node %s to verify uid: %v", nodeName, err))
	}
	if owner.UID != node.UID {
		return admission.NewForbidden(a, fmt.Errorf("node %s UID mismatch: expected %s got %s", nodeName, owner.UID, node.UID))
	}
	references, what, err := podAPIObjectReference(pod)
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("error checking mirror pod for API references: %w", err))
	}
	if references {
		return admission.NewForbidden(a, fmt.Errorf("node %q can not create pods that reference %s", nodeName, what))
	}
	return nil
}

// podAPIObjectReference is upstream's HasAPIObjectReference
// (pkg/api/pod): whether a pod names another API object, and what kind of
// object, as the message says it. A volume or projection of a kind it does
// not know is an error.
func podAPIObjectReference(pod *corev1.Pod) (bool, string, error) {
	if pod.Spec.ServiceAccountName != "" {
		return true, "serviceaccounts", nil
	}
	if len(podSecretNames(pod)) > 0 {
		return true, "secrets", nil
	}
	if len(podConfigMapNames(pod)) > 0 {
		return true, "configmaps", nil
	}
	if len(pod.Spec.ResourceClaims) > 0 {
		return true, "resourceclaims", nil
	}
	for _, v := range pod.Spec.Volumes {
		switch s := v.VolumeSource; {
		case s.AWSElasticBlockStore != nil, s.AzureDisk != nil, s.CephFS != nil, s.Cinder != nil,
			s.DownwardAPI != nil, s.EmptyDir != nil, s.FC != nil, s.FlexVolume != nil, s.Flocker != nil, s.GCEPersistentDisk != nil,
			s.GitRepo != nil, s.HostPath != nil, s.Image != nil, s.ISCSI != nil, s.NFS != nil, s.PhotonPersistentDisk != nil,
			s.PortworxVolume != nil, s.Quobyte != nil, s.RBD != nil, s.ScaleIO != nil, s.StorageOS != nil, s.VsphereVolume != nil:
			continue
		case s.ConfigMap != nil:
			return true, "configmaps (via configmap volumes)", nil
		case s.Secret != nil:
			return true, "secrets (via secret volumes)", nil
		case s.CSI != nil:
			return true, "csidrivers (via CSI volumes)", nil
		case s.Glusterfs != nil:
			return true, "endpoints (via glusterFS volumes)", nil
		case s.PersistentVolumeClaim != nil:
			return true, "persistentvolumeclaims", nil
		case s.Ephemeral != nil:
			return true, "persistentvolumeclaims (via ephemeral volumes)", nil
		case s.AzureFile != nil:
			return true, "secrets (via azureFile volumes)", nil
		case s.Projected != nil:
			for _, src := range s.Projected.Sources {
				switch {
				case src.ConfigMap != nil:
					return true, "configmaps (via projected volumes)", nil
				case src.Secret != nil:
					return true, "secrets (via projected volumes)", nil
				case src.ServiceAccountToken != nil:
					return true, "serviceaccounts (via projected volumes)", nil
				case src.ClusterTrustBundle != nil:
					return true, "clustertrustbundles", nil
				case src.PodCertificate != nil:
					return true, "podcertificates", nil
				case src.DownwardAPI != nil:
					continue
				default:
					return true, "", fmt.Errorf("unknown source for projected volume %q", v.Name)
				}
			}
		default:
			return true, "", fmt.Errorf("unknown volume type for volume  %q", v.Name)
		}
	}
	return false, "", nil
}

// podConfigMapNames is upstream's VisitPodConfigmapNames: every config
// map a pod names (containers' env, volumes).
func podConfigMapNames(pod *corev1.Pod) []string {
	var out []string
	add := func(name string) {
		if name != "" {
			out = append(out, name)
		}
	}
	visit := func(env []corev1.EnvVar, envFrom []corev1.EnvFromSource) {
		for _, e := range envFrom {
			if e.ConfigMapRef != nil {
				add(e.ConfigMapRef.Name)
			}
		}
		for _, e := range env {
			if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
				add(e.ValueFrom.ConfigMapKeyRef.Name)
			}
		}
	}
	for _, c := range slices.Concat(pod.Spec.InitContainers, pod.Spec.Containers) {
		visit(c.Env, c.EnvFrom)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		visit(c.Env, c.EnvFrom)
	}
	for _, v := range pod.Spec.Volumes {
		switch s := v.VolumeSource; {
		case s.Projected != nil:
			for _, src := range s.Projected.Sources {
				if src.ConfigMap != nil {
					add(src.ConfigMap.Name)
				}
			}
		case s.ConfigMap != nil:
			add(s.ConfigMap.Name)
		}
	}
	return out
}

// admitPodStatus lets a node update the status of pods bound to it, but
// not their labels or resource claim statuses.
func (p *nodeRestriction) admitPodStatus(nodeName string, a admission.Attributes) error {
	if a.GetOperation() != admission.Update {
		return admission.NewForbidden(a, fmt.Errorf("unexpected operation %q", a.GetOperation()))
	}
	oldPod, ok := a.GetOldObject().(*corev1.Pod)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetOldObject()))
	}
	if oldPod.Spec.NodeName != nodeName {
		return admission.NewForbidden(a, fmt.Errorf("node %q can only update pod status for pods with spec.nodeName set to itself", nodeName))
	}
	newPod, ok := a.GetObject().(*corev1.Pod)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
	}
	if !labels.Equals(oldPod.Labels, newPod.Labels) {
		return admission.NewForbidden(a, fmt.Errorf("node %q cannot update labels through pod status", nodeName))
	}
	if !slices.EqualFunc(oldPod.Status.ResourceClaimStatuses, newPod.Status.ResourceClaimStatuses, resourceClaimStatusEqual) {
		return admission.NewForbidden(a, fmt.Errorf("node %q cannot update resource claim statues", nodeName))
	}
	if !extendedResourceClaimStatusEqual(oldPod.Status.ExtendedResourceClaimStatus, newPod.Status.ExtendedResourceClaimStatus) {
		return admission.NewForbidden(a, fmt.Errorf("node %q cannot update extended resource claim status", nodeName))
	}
	if !slices.EqualFunc(oldPod.Status.NodeAllocatableResourceClaimStatuses, newPod.Status.NodeAllocatableResourceClaimStatuses, nodeAllocatableResourceClaimStatusEqual) {
		return admission.NewForbidden(a, fmt.Errorf("node %q cannot update node allocatable resource claim statuses", nodeName))
	}
	return nil
}

func resourceClaimStatusEqual(a, b corev1.PodResourceClaimStatus) bool {
	if a.Name != b.Name || (a.ResourceClaimName == nil) != (b.ResourceClaimName == nil) {
		return false
	}
	return a.ResourceClaimName == nil || *a.ResourceClaimName == *b.ResourceClaimName
}

func extendedResourceClaimStatusEqual(a, b *corev1.PodExtendedResourceClaimStatus) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.ResourceClaimName == b.ResourceClaimName && slices.Equal(a.RequestMappings, b.RequestMappings)
}

func nodeAllocatableResourceClaimStatusEqual(a, b corev1.NodeAllocatableResourceClaimStatus) bool {
	return a.ResourceClaimName == b.ResourceClaimName &&
		slices.Equal(a.Containers, b.Containers) &&
		slices.EqualFunc(a.Mapping, b.Mapping, func(x, y corev1.NodeAllocatableMappedResources) bool {
			return x.Name == y.Name && apiresource.QuantityPtrEqual(x.Quantity, y.Quantity)
		}) &&
		slices.EqualFunc(a.Overhead, b.Overhead, func(x, y corev1.NodeAllocatableOverheadResources) bool {
			return x.Name == y.Name && apiresource.QuantityPtrEqual(x.PerPod, y.PerPod) && apiresource.QuantityPtrEqual(x.PerContainer, y.PerContainer)
		})
}

// admitPodEviction lets a node evict pods bound to it.
func (p *nodeRestriction) admitPodEviction(nodeName string, a admission.Attributes) error {
	if a.GetOperation() != admission.Create {
		return admission.NewForbidden(a, fmt.Errorf("unexpected operation %s", a.GetOperation()))
	}
	eviction, ok := a.GetObject().(*policyv1.Eviction)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
	}
	// The pod named in the URL, rather than in the Eviction, if it is set.
	podName := a.GetName()
	if podName == "" {
		if eviction.Name == "" {
			return admission.NewForbidden(a, fmt.Errorf("could not determine pod from request data"))
		}
		podName = eviction.Name
	}
	existing, err := p.pods.Pods(a.GetNamespace()).Get(podName)
	if apierrors.IsNotFound(err) {
		return err
	}
	if err != nil {
		return admission.NewForbidden(a, err)
	}
	if existing.Spec.NodeName != nodeName {
		return admission.NewForbidden(a, fmt.Errorf("node %s can only evict pods with spec.nodeName set to itself", nodeName))
	}
	return nil
}

// admitPVCStatus lets a node update a PVC's status capacity, conditions
// and allocated resources, nothing else.
func (p *nodeRestriction) admitPVCStatus(nodeName string, a admission.Attributes) error {
	if a.GetOperation() != admission.Update {
		return admission.NewForbidden(a, fmt.Errorf("unexpected operation %q", a.GetOperation()))
	}
	oldPVC, ok := a.GetOldObject().(*corev1.PersistentVolumeClaim)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetOldObject()))
	}
	newPVC, ok := a.GetObject().(*corev1.PersistentVolumeClaim)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
	}
	oldPVC, newPVC = oldPVC.DeepCopy(), newPVC.DeepCopy()
	for _, pvc := range []*corev1.PersistentVolumeClaim{oldPVC, newPVC} {
		// An unconditional update leaves resourceVersion empty; managed
		// fields change with every update.
		pvc.ResourceVersion = ""
		pvc.ManagedFields = nil
		pvc.Status.Capacity = nil
		pvc.Status.Conditions = nil
		if recoverVolumeExpansionFailure {
			pvc.Status.AllocatedResourceStatuses = nil
			pvc.Status.AllocatedResources = nil
		}
	}
	if !apiequality.Semantic.DeepEqual(oldPVC, newPVC) {
		return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to update fields other than status.quantity and status.conditions: %v", nodeName, diff.Diff(oldPVC, newPVC)))
	}
	return nil
}

// admitNode lets a node write its own Node only, within limits.
func (p *nodeRestriction) admitNode(nodeName string, a admission.Attributes) error {
	if a.GetName() != nodeName {
		return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to modify node %q", nodeName, a.GetName()))
	}
	switch a.GetOperation() {
	case admission.Create:
		node, ok := a.GetObject().(*corev1.Node)
		if !ok {
			return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
		}
		// The node's access is scoped by its spec: a configSource would
		// widen what it may read. (The message's "pods" is upstream's.)
		if node.Spec.ConfigSource != nil {
			return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to create pods with a non-nil configSource", nodeName))
		}
		if forbidden := forbiddenNodeLabels(modifiedLabels(node.Labels, nil)); len(forbidden) > 0 {
			return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to set the following labels: %s", nodeName, strings.Join(forbidden, ", ")))
		}
	case admission.Update:
		node, ok := a.GetObject().(*corev1.Node)
		if !ok {
			return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
		}
		oldNode, ok := a.GetOldObject().(*corev1.Node)
		if !ok {
			return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
		}
		// Only a new non-nil configSource: old kubelets drop the field
		// when they update status.
		if node.Spec.ConfigSource != nil && !apiequality.Semantic.DeepEqual(node.Spec.ConfigSource, oldNode.Spec.ConfigSource) {
			return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to update configSource to a new non-nil configSource", nodeName))
		}
		if !apiequality.Semantic.DeepEqual(node.Spec.Taints, oldNode.Spec.Taints) {
			return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to modify taints", nodeName))
		}
		if !apiequality.Semantic.DeepEqual(node.OwnerReferences, oldNode.OwnerReferences) {
			return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to modify ownerReferences", nodeName))
		}
		if forbidden := forbiddenNodeLabels(modifiedLabels(node.Labels, oldNode.Labels)); len(forbidden) > 0 {
			return admission.NewForbidden(a, fmt.Errorf("is not allowed to modify labels: %s", strings.Join(forbidden, ", ")))
		}
	}
	return nil
}

// modifiedLabels returns the keys added, removed or changed between a and b.
func modifiedLabels(a, b map[string]string) sets.Set[string] {
	modified := sets.New[string]()
	for k, v := range a {
		if w, ok := b[k]; !ok || v != w {
			modified.Insert(k)
		}
	}
	for k, v := range b {
		if w, ok := a[k]; !ok || v != w {
			modified.Insert(k)
		}
	}
	return modified
}

// forbiddenNodeLabels returns, sorted, the keys a node may not set on its
// Node: those in the node-restriction.kubernetes.io namespace, and those
// in the kubernetes.io and k8s.io namespaces a kubelet does not set
// (nodeLabelAllowed).
func forbiddenNodeLabels(modified sets.Set[string]) []string {
	forbidden := sets.New[string]()
	for key := range modified {
		namespace := labelNamespace(key)
		if inLabelNamespace(namespace, corev1.LabelNamespaceNodeRestriction) {
			forbidden.Insert(key)
		}
		if (inLabelNamespace(namespace, "kubernetes.io") || inLabelNamespace(namespace, "k8s.io")) && !nodeLabelAllowed(key) {
			forbidden.Insert(key)
		}
	}
	return sets.List(forbidden)
}

// kubeletLabels are the kubernetes.io labels a kubelet sets on its Node
// (k8s.io/kubelet/pkg/apis KubeletLabels, v0.37).
var kubeletLabels = sets.New(
	corev1.LabelHostname,
	corev1.LabelTopologyZone,
	corev1.LabelTopologyRegion,
	corev1.LabelFailureDomainBetaZone,
	corev1.LabelFailureDomainBetaRegion,
	corev1.LabelInstanceType,
	corev1.LabelInstanceTypeStable,
	corev1.LabelOSStable,
	corev1.LabelArchStable,
	"beta.kubernetes.io/os",
	"beta.kubernetes.io/arch",
)

// nodeLabelAllowed is k8s.io/kubelet's IsKubeletLabel: a kubelet label,
// or one in the [*.]kubelet.kubernetes.io or [*.]node.kubernetes.io
// namespace. (k8s.io/kubelet is not a dependency for one function.)
func nodeLabelAllowed(key string) bool {
	namespace := labelNamespace(key)
	return kubeletLabels.Has(key) ||
		inLabelNamespace(namespace, corev1.LabelNamespaceSuffixKubelet) ||
		inLabelNamespace(namespace, corev1.LabelNamespaceSuffixNode)
}

// labelNamespace is the prefix of a label key, "" if it has none.
func labelNamespace(key string) string {
	namespace, _, ok := strings.Cut(key, "/")
	if !ok {
		return ""
	}
	return namespace
}

// inLabelNamespace reports whether namespace is domain or a subdomain of it.
func inLabelNamespace(namespace, domain string) bool {
	return namespace == domain || strings.HasSuffix(namespace, "."+domain)
}

// admitLease lets a node write only its own Lease in kube-node-lease.
func (p *nodeRestriction) admitLease(nodeName string, a admission.Attributes) error {
	if a.GetNamespace() != corev1.NamespaceNodeLease {
		return admission.NewForbidden(a, fmt.Errorf("can only access leases in the %q system namespace", corev1.NamespaceNodeLease))
	}
	name := a.GetName()
	if a.GetOperation() == admission.Create {
		lease, ok := a.GetObject().(*coordinationv1.Lease)
		if !ok {
			return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
		}
		name = lease.Name
	}
	if name != nodeName {
		return admission.NewForbidden(a, fmt.Errorf("can only access node lease with the same name as the requesting node"))
	}
	return nil
}

// admitCSINode lets a node write only its own CSINode, and not its status
// (the CSIVolumeHealth gate is off).
func (p *nodeRestriction) admitCSINode(nodeName string, a admission.Attributes) error {
	name := a.GetName()
	if a.GetOperation() == admission.Create {
		accessor, err := meta.Accessor(a.GetObject())
		if err != nil {
			return admission.NewForbidden(a, fmt.Errorf("unable to access the object name"))
		}
		name = accessor.GetName()
	}
	if name != nodeName {
		return admission.NewForbidden(a, fmt.Errorf("can only access CSINode with the same name as the requesting node"))
	}
	if a.GetSubresource() == "status" {
		if !csiVolumeHealth {
			return admission.NewForbidden(a, fmt.Errorf("CSIVolumeHealth feature gate is disabled"))
		}
		return p.admitCSINodeStatus(nodeName, a)
	}
	return nil
}

// admitCSINodeStatus keeps a node from changing a CSINode's spec through
// its status.
func (p *nodeRestriction) admitCSINodeStatus(nodeName string, a admission.Attributes) error {
	if a.GetOperation() != admission.Update {
		return admission.NewForbidden(a, fmt.Errorf("unexpected operation %q", a.GetOperation()))
	}
	oldNode, ok := a.GetOldObject().(*storagev1.CSINode)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetOldObject()))
	}
	newNode, ok := a.GetObject().(*storagev1.CSINode)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
	}
	if !apiequality.Semantic.DeepEqual(oldNode.Spec, newNode.Spec) {
		return admission.NewForbidden(a, fmt.Errorf("node %q is not allowed to modify CSINode spec via status", nodeName))
	}
	return nil
}

// admitResourceSlice lets a node create and delete only the ResourceSlices
// of its node; the Node authorizer checks the other verbs (it cannot see
// the object of a create, nor each object of a deletecollection).
func (p *nodeRestriction) admitResourceSlice(nodeName string, a admission.Attributes) error {
	switch a.GetOperation() {
	case admission.Create:
		slice, ok := a.GetObject().(*resourcev1.ResourceSlice)
		if !ok {
			return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
		}
		if slice.Spec.NodeName == nil || *slice.Spec.NodeName != nodeName {
			return admission.NewForbidden(a, errors.New("can only create ResourceSlice with the same NodeName as the requesting node"))
		}
	case admission.Delete:
		slice, ok := a.GetOldObject().(*resourcev1.ResourceSlice)
		if !ok {
			return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetOldObject()))
		}
		if slice.Spec.NodeName == nil || *slice.Spec.NodeName != nodeName {
			return admission.NewForbidden(a, errors.New("can only delete ResourceSlice with the same NodeName as the requesting node"))
		}
	}
	return nil
}

// admitCSR lets a node create CSRs for the kubelet serving and kubelet
// client signers only with its own CN, system:node:<name>; the signer
// checks the rest.
func (p *nodeRestriction) admitCSR(nodeName string, a admission.Attributes) error {
	if a.GetOperation() != admission.Create {
		return nil
	}
	csr, ok := a.GetObject().(*certificatesv1.CertificateSigningRequest)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
	}
	if csr.Spec.SignerName != certificatesv1.KubeletServingSignerName && csr.Spec.SignerName != certificatesv1.KubeAPIServerClientKubeletSignerName {
		return nil
	}
	block, _ := pem.Decode(csr.Spec.Request)
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		return admission.NewForbidden(a, fmt.Errorf("unable to parse csr: %w", errors.New("PEM block type must be CERTIFICATE REQUEST")))
	}
	parsed, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("unable to parse csr: %w", err))
	}
	if parsed.Subject.CommonName != "system:node:"+nodeName {
		return admission.NewForbidden(a, fmt.Errorf("can only create a node CSR with CN=system:node:%s", nodeName))
	}
	return nil
}
