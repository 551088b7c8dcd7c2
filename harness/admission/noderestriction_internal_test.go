package admission

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"strings"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	resourcev1 "k8s.io/api/resource/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	corev1listers "k8s.io/client-go/listers/core/v1"
	storagev1listers "k8s.io/client-go/listers/storage/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"
)

// nodeUser is the kubelet of node n1.
var nodeUser = &user.DefaultInfo{Name: "system:node:n1", Groups: []string{user.NodesGroup, user.AllAuthenticated}}

// audienceAuthorizer allows request-serviceaccounts-token-audience on
// audience "granted" and request-serviceaccounts-podcertificate-signer on
// signer "example.com:granted", nothing else.
type audienceAuthorizer struct{}

func (audienceAuthorizer) Authorize(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	switch {
	case a.GetVerb() == "request-serviceaccounts-token-audience" && a.GetResource() == "granted",
		a.GetVerb() == "request-serviceaccounts-podcertificate-signer" && a.GetResource() == "example.com:granted":
		return authorizer.DecisionAllow, "", nil
	}
	return authorizer.DecisionNoOpinion, "", nil
}

// newTestNodeRestriction is the plugin over listers holding objs.
func newTestNodeRestriction(t *testing.T, objs ...runtime.Object) *nodeRestriction {
	t.Helper()
	indexer := func() cache.Indexer {
		return cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	}
	pods, nodes, sas, pvcs, pvs, drivers := indexer(), indexer(), indexer(), indexer(), indexer(), indexer()
	for _, o := range objs {
		var i cache.Indexer
		switch o.(type) {
		case *corev1.Pod:
			i = pods
		case *corev1.Node:
			i = nodes
		case *corev1.ServiceAccount:
			i = sas
		case *corev1.PersistentVolumeClaim:
			i = pvcs
		case *corev1.PersistentVolume:
			i = pvs
		case *storagev1.CSIDriver:
			i = drivers
		default:
			t.Fatalf("no lister for %T", o)
		}
		if err := i.Add(o); err != nil {
			t.Fatal(err)
		}
	}
	return &nodeRestriction{
		Handler:         admission.NewHandler(admission.Create, admission.Update, admission.Delete),
		pods:            corev1listers.NewPodLister(pods),
		nodes:           corev1listers.NewNodeLister(nodes),
		serviceAccounts: corev1listers.NewServiceAccountLister(sas),
		pvcs:            corev1listers.NewPersistentVolumeClaimLister(pvcs),
		pvs:             corev1listers.NewPersistentVolumeLister(pvs),
		csiDrivers:      storagev1listers.NewCSIDriverLister(drivers),
		authz:           audienceAuthorizer{},
	}
}

// request is one request to the plugin.
type request struct {
	op          admission.Operation
	resource    schema.GroupVersionResource
	subresource string
	namespace   string
	name        string
	obj, old    runtime.Object
	user        user.Info
}

func (r request) attributes() admission.Attributes {
	u := r.user
	if u == nil {
		u = nodeUser
	}
	var opts runtime.Object
	switch r.op {
	case admission.Create:
		opts = &metav1.CreateOptions{}
	case admission.Update:
		opts = &metav1.UpdateOptions{}
	case admission.Delete:
		opts = &metav1.DeleteOptions{}
	}
	return admission.NewAttributesRecord(r.obj, r.old, schema.GroupVersionKind{}, r.namespace, r.name, r.resource, r.subresource, r.op, opts, false, u)
}

var (
	podsGVR           = corev1.SchemeGroupVersion.WithResource("pods")
	nodesGVR          = corev1.SchemeGroupVersion.WithResource("nodes")
	pvcsGVR           = corev1.SchemeGroupVersion.WithResource("persistentvolumeclaims")
	serviceAccountGVR = corev1.SchemeGroupVersion.WithResource("serviceaccounts")
	leasesGVR         = coordinationv1.SchemeGroupVersion.WithResource("leases")
	csiNodesGVR       = storagev1.SchemeGroupVersion.WithResource("csinodes")
	slicesGVR         = resourcev1.SchemeGroupVersion.WithResource("resourceslices")
	csrsGVR           = certificatesv1.SchemeGroupVersion.WithResource("certificatesigningrequests")
	pcrsGVR           = certificatesv1.SchemeGroupVersion.WithResource("podcertificaterequests")
)

// nrNode is node name with uid name-uid.
func nrNode(name string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name)}}
}

// nrPod is pod name in ns, uid name-uid, bound to node.
func nrPod(name, node string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID("uid-" + name)},
		Spec:       corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
	}
}

// mirrorPod is a mirror pod of n1 as its kubelet creates it.
func mirrorPod(change func(*corev1.Pod)) *corev1.Pod {
	p := nrPod("mirror", "n1")
	p.UID = ""
	p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "hash"}
	p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: "n1", UID: "uid-n1", Controller: ptr.To(true)}}
	if change != nil {
		change(p)
	}
	return p
}

func withVolume(vs corev1.VolumeSource) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "v", VolumeSource: vs})
	}
}

// nodeCSR is a CSR for signer with CN cn.
func nodeCSR(t *testing.T, signer, cn string) *certificatesv1.CertificateSigningRequest {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn, Organization: []string{user.NodesGroup}}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: "csr"},
		Spec:       certificatesv1.CertificateSigningRequestSpec{SignerName: signer, Request: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})},
	}
}

// TestNodeRestrictionDecisions: what a node may do, with upstream's
// messages (plugin/pkg/admission/noderestriction/admission_test.go).
func TestNodeRestrictionDecisions(t *testing.T) {
	t.Parallel()
	csiPod := nrPod("csi", "n1")
	csiPod.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{Driver: "csi.example.com"}}}}
	pvcPod := nrPod("pvc", "n1")
	pvcPod.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "claim"}}}}
	missingPVCPod := nrPod("missing-pvc", "n1")
	missingPVCPod.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "missing"}}}}
	ephemeralPod := nrPod("eph", "n1")
	ephemeralPod.Spec.Volumes = []corev1.Volume{{Name: "scratch", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{}}}}}
	inTreePod := nrPod("intree", "n1")
	inTreePod.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{AWSElasticBlockStore: &corev1.AWSElasticBlockStoreVolumeSource{VolumeID: "vol"}}}}
	inTreePVPod := nrPod("intree-pv", "n1")
	inTreePVPod.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "gce-claim"}}}}
	projectedPod := nrPod("projected", "n1")
	projectedPod.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
		{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Audience: "vault", Path: "token"}},
		{PodCertificate: &corev1.PodCertificateProjection{SignerName: "example.com/mounted"}},
	}}}}}
	projectedPod.Spec.ServiceAccountName = "sa"
	mirror := mirrorPod(nil)
	mirror.Name, mirror.UID, mirror.Spec.ServiceAccountName = "existing-mirror", "uid-existing-mirror", "sa"
	p := newTestNodeRestriction(t,
		nrNode("n1"), nrNode("n2"),
		nrPod("mine", "n1"), nrPod("theirs", "n2"), csiPod, pvcPod, missingPVCPod, ephemeralPod, inTreePod, inTreePVPod, projectedPod, mirror,
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "sa", UID: "uid-sa"}},
		&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "claim"}, Spec: corev1.PersistentVolumeClaimSpec{VolumeName: "pv"}},
		&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "eph-scratch"}, Spec: corev1.PersistentVolumeClaimSpec{VolumeName: "pv"}},
		&corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv"}, Spec: corev1.PersistentVolumeSpec{PersistentVolumeSource: corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{Driver: "csi.example.com", VolumeHandle: "h"}}}},
		&storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: "csi.example.com"}, Spec: storagev1.CSIDriverSpec{TokenRequests: []storagev1.TokenRequest{{Audience: "csi-aud"}}}},
		&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gce-claim"}, Spec: corev1.PersistentVolumeClaimSpec{VolumeName: "gce-pv"}},
		&corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "gce-pv"}, Spec: corev1.PersistentVolumeSpec{PersistentVolumeSource: corev1.PersistentVolumeSource{GCEPersistentDisk: &corev1.GCEPersistentDiskVolumeSource{PDName: "disk"}}}},
		&storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: "pd.csi.storage.gke.io"}, Spec: storagev1.CSIDriverSpec{TokenRequests: []storagev1.TokenRequest{{Audience: "gce-aud"}}}},
		&storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: "ebs.csi.aws.com"}, Spec: storagev1.CSIDriverSpec{TokenRequests: []storagev1.TokenRequest{{Audience: "ebs-aud"}}}},
	)

	podCreate := func(pod *corev1.Pod) request {
		return request{op: admission.Create, resource: podsGVR, namespace: "ns", name: pod.Name, obj: pod}
	}
	token := func(pod string, uid string, audiences ...string) request {
		tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{Audiences: audiences, BoundObjectRef: &authenticationv1.BoundObjectReference{APIVersion: "v1", Kind: "Pod", Name: pod, UID: types.UID(uid)}}}
		return request{op: admission.Create, resource: serviceAccountGVR, subresource: "token", namespace: "ns", name: "sa", obj: tr}
	}
	podStatus := func(old *corev1.Pod, change func(*corev1.Pod)) request {
		updated := old.DeepCopy()
		change(updated)
		return request{op: admission.Update, resource: podsGVR, subresource: "status", namespace: "ns", name: old.Name, obj: updated, old: old}
	}
	nodeUpdate := func(change func(*corev1.Node)) request {
		old := nrNode("n1")
		old.Labels = map[string]string{"kubernetes.io/hostname": "n1", "node-role.kubernetes.io/worker": ""}
		old.Spec.Taints = []corev1.Taint{{Key: "t", Effect: corev1.TaintEffectNoSchedule}}
		updated := old.DeepCopy()
		change(updated)
		return request{op: admission.Update, resource: nodesGVR, name: "n1", obj: updated, old: old}
	}
	nodeCreate := func(labels map[string]string) request {
		n := nrNode("n1")
		n.Labels = labels
		return request{op: admission.Create, resource: nodesGVR, name: "n1", obj: n}
	}
	pvcStatus := func(change func(*corev1.PersistentVolumeClaim)) request {
		old := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "claim", ResourceVersion: "1"}}
		updated := old.DeepCopy()
		updated.ResourceVersion = ""
		change(updated)
		return request{op: admission.Update, resource: pvcsGVR, subresource: "status", namespace: "ns", name: "claim", obj: updated, old: old}
	}
	pcr := func(change func(*certificatesv1.PodCertificateRequestSpec)) request {
		spec := certificatesv1.PodCertificateRequestSpec{
			SignerName: "example.com/mounted", PodName: "projected", PodUID: "uid-projected",
			ServiceAccountName: "sa", ServiceAccountUID: "uid-sa", NodeName: "n1", NodeUID: "uid-n1",
		}
		if change != nil {
			change(&spec)
		}
		return request{op: admission.Create, resource: pcrsGVR, namespace: "ns", obj: &certificatesv1.PodCertificateRequest{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "pcr"}, Spec: spec}}
	}
	slice := func(node *string) *resourcev1.ResourceSlice {
		return &resourcev1.ResourceSlice{ObjectMeta: metav1.ObjectMeta{Name: "slice"}, Spec: resourcev1.ResourceSliceSpec{NodeName: node}}
	}

	for _, tc := range []struct {
		name string
		req  request
		want string // "" to allow
	}{
		// Who is restricted.
		{"not a node", request{op: admission.Create, resource: podsGVR, namespace: "ns", obj: nrPod("x", "n2"), user: &user.DefaultInfo{Name: "alice"}}, ""},
		{"node without a name", request{op: admission.Create, resource: podsGVR, namespace: "ns", name: "x", obj: nrPod("x", "n2"), user: &user.DefaultInfo{Name: "system:node:", Groups: []string{user.NodesGroup}}},
			`pods "x" is forbidden: could not determine node from user "system:node:"`},
		{"other resources pass", request{op: admission.Create, resource: corev1.SchemeGroupVersion.WithResource("configmaps"), namespace: "ns", name: "cm", obj: &corev1.ConfigMap{}}, ""},

		// Pods.
		{"mirror pod", podCreate(mirrorPod(nil)), ""},
		{"pod not mirror", podCreate(nrPod("plain", "n1")), `pods "plain" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods`},
		{"mirror pod of another node", podCreate(mirrorPod(func(p *corev1.Pod) { p.Spec.NodeName = "n2" })), `pods "mirror" is forbidden: node "n1" can only create pods with spec.nodeName set to itself`},
		{"mirror pod without owner", podCreate(mirrorPod(func(p *corev1.Pod) { p.OwnerReferences = nil })), `pods "mirror" is forbidden: node "n1" can only create pods with an owner reference set to itself`},
		{"mirror pod with two owners", podCreate(mirrorPod(func(p *corev1.Pod) { p.OwnerReferences = append(p.OwnerReferences, p.OwnerReferences[0]) })),
			`pods "mirror" is forbidden: node "n1" can only create pods with a single owner reference set to itself`},
		{"mirror pod owned by another node", podCreate(mirrorPod(func(p *corev1.Pod) { p.OwnerReferences[0].Name = "n2" })), `pods "mirror" is forbidden: node "n1" can only create pods with an owner reference set to itself`},
		{"mirror pod owner not controller", podCreate(mirrorPod(func(p *corev1.Pod) { p.OwnerReferences[0].Controller = nil })),
			`pods "mirror" is forbidden: node "n1" can only create pods with a controller owner reference set to itself`},
		{"mirror pod blocking owner deletion", podCreate(mirrorPod(func(p *corev1.Pod) { p.OwnerReferences[0].BlockOwnerDeletion = ptr.To(true) })),
			`pods "mirror" is forbidden: node "n1" must not set blockOwnerDeletion on an owner reference`},
		{"mirror pod owner uid mismatch", podCreate(mirrorPod(func(p *corev1.Pod) { p.OwnerReferences[0].UID = "stale" })), `pods "mirror" is forbidden: node n1 UID mismatch: expected stale got uid-n1`},
		{"mirror pod of a node not yet seen", request{op: admission.Create, resource: podsGVR, namespace: "ns", name: "mirror", user: &user.DefaultInfo{Name: "system:node:n3", Groups: []string{user.NodesGroup}},
			obj: mirrorPod(func(p *corev1.Pod) { p.Spec.NodeName, p.OwnerReferences[0].Name = "n3", "n3" })}, `node "n3" not found`},
		{"mirror pod with service account", podCreate(mirrorPod(func(p *corev1.Pod) { p.Spec.ServiceAccountName = "sa" })), `pods "mirror" is forbidden: node "n1" can not create pods that reference serviceaccounts`},
		{"mirror pod with secret env", podCreate(mirrorPod(func(p *corev1.Pod) {
			p.Spec.Containers[0].EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}}}}
		})), `pods "mirror" is forbidden: node "n1" can not create pods that reference secrets`},
		{"mirror pod with configmap env", podCreate(mirrorPod(func(p *corev1.Pod) {
			p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "E", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}, Key: "k"}}}}
		})), `pods "mirror" is forbidden: node "n1" can not create pods that reference configmaps`},
		{"mirror pod with resource claim", podCreate(mirrorPod(func(p *corev1.Pod) { p.Spec.ResourceClaims = []corev1.PodResourceClaim{{Name: "gpu"}} })),
			`pods "mirror" is forbidden: node "n1" can not create pods that reference resourceclaims`},
		{"mirror pod with pvc", podCreate(mirrorPod(withVolume(corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "c"}}))),
			`pods "mirror" is forbidden: node "n1" can not create pods that reference persistentvolumeclaims`},
		{"mirror pod with csi volume", podCreate(mirrorPod(withVolume(corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{Driver: "d"}}))),
			`pods "mirror" is forbidden: node "n1" can not create pods that reference csidrivers (via CSI volumes)`},
		{"mirror pod with projected token", podCreate(mirrorPod(withVolume(corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "t"}}}}}))),
			`pods "mirror" is forbidden: node "n1" can not create pods that reference serviceaccounts (via projected volumes)`},
		{"mirror pod with cluster trust bundle", podCreate(mirrorPod(withVolume(corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{ClusterTrustBundle: &corev1.ClusterTrustBundleProjection{Path: "b"}}}}}))),
			`pods "mirror" is forbidden: node "n1" can not create pods that reference clustertrustbundles`},
		{"mirror pod with hostPath and downward API", podCreate(mirrorPod(func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{
				{Name: "h", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/etc"}}},
				{Name: "d", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{DownwardAPI: &corev1.DownwardAPIProjection{}}}}}},
			}
		})), ""},
		{"mirror pod with unknown volume", podCreate(mirrorPod(withVolume(corev1.VolumeSource{}))),
			`pods "mirror" is forbidden: error checking mirror pod for API references: unknown volume type for volume  "v"`},
		{"delete own pod", request{op: admission.Delete, resource: podsGVR, namespace: "ns", name: "mine"}, ""},
		{"delete other node's pod", request{op: admission.Delete, resource: podsGVR, namespace: "ns", name: "theirs"}, `pods "theirs" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself`},
		{"delete pod not seen", request{op: admission.Delete, resource: podsGVR, namespace: "ns", name: "gone"}, `pod "gone" not found`},
		{"update pod", request{op: admission.Update, resource: podsGVR, namespace: "ns", name: "mine", obj: nrPod("mine", "n1"), old: nrPod("mine", "n1")},
			`pods "mine" is forbidden: unexpected operation "UPDATE", node "n1" can only create and delete mirror pods`},
		{"pod binding", request{op: admission.Create, resource: podsGVR, subresource: "binding", namespace: "ns", name: "mine", obj: &corev1.Binding{}},
			`pods "mine" is forbidden: unexpected pod subresource "binding", only 'status' and 'eviction' are allowed`},

		// Pod status.
		{"own pod status", podStatus(nrPod("mine", "n1"), func(p *corev1.Pod) { p.Status.Phase = corev1.PodRunning }), ""},
		{"other node's pod status", podStatus(nrPod("theirs", "n2"), func(p *corev1.Pod) { p.Status.Phase = corev1.PodRunning }),
			`pods "theirs" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself`},
		{"labels through pod status", podStatus(nrPod("mine", "n1"), func(p *corev1.Pod) { p.Labels = map[string]string{"a": "b"} }),
			`pods "mine" is forbidden: node "n1" cannot update labels through pod status`},
		{"resource claim statuses", podStatus(nrPod("mine", "n1"), func(p *corev1.Pod) {
			p.Status.ResourceClaimStatuses = []corev1.PodResourceClaimStatus{{Name: "gpu", ResourceClaimName: ptr.To("claim")}}
		}), `pods "mine" is forbidden: node "n1" cannot update resource claim statues`},
		{"extended resource claim status", podStatus(nrPod("mine", "n1"), func(p *corev1.Pod) {
			p.Status.ExtendedResourceClaimStatus = &corev1.PodExtendedResourceClaimStatus{ResourceClaimName: "claim"}
		}), `pods "mine" is forbidden: node "n1" cannot update extended resource claim status`},
		{"node allocatable resource claim statuses", podStatus(nrPod("mine", "n1"), func(p *corev1.Pod) {
			p.Status.NodeAllocatableResourceClaimStatuses = []corev1.NodeAllocatableResourceClaimStatus{{ResourceClaimName: "claim", Mapping: []corev1.NodeAllocatableMappedResources{{Name: "cpu", Quantity: ptr.To(resource.MustParse("1"))}}}}
		}), `pods "mine" is forbidden: node "n1" cannot update node allocatable resource claim statuses`},

		// Evictions.
		{"evict own pod", request{op: admission.Create, resource: podsGVR, subresource: "eviction", namespace: "ns", name: "mine", obj: &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: "mine"}}}, ""},
		{"evict other node's pod", request{op: admission.Create, resource: podsGVR, subresource: "eviction", namespace: "ns", name: "theirs", obj: &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: "theirs"}}},
			`pods "theirs" is forbidden: node n1 can only evict pods with spec.nodeName set to itself`},
		{"evict named in the body", request{op: admission.Create, resource: podsGVR, subresource: "eviction", namespace: "ns", obj: &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: "theirs"}}},
			`pods "theirs" is forbidden: node n1 can only evict pods with spec.nodeName set to itself`},
		{"evict no pod", request{op: admission.Create, resource: podsGVR, subresource: "eviction", namespace: "ns", obj: &policyv1.Eviction{}},
			`pods "Unknown" is forbidden: could not determine pod from request data`},

		// Nodes.
		{"create own node", nodeCreate(map[string]string{"kubernetes.io/hostname": "n1", "topology.kubernetes.io/zone": "z", "beta.kubernetes.io/arch": "amd64", "node.kubernetes.io/exclude-from-external-load-balancers": "", "a.kubelet.kubernetes.io/x": "", "example.com/mine": ""}), ""},
		{"create other node", request{op: admission.Create, resource: nodesGVR, name: "n2", obj: nrNode("n2")}, `nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"`},
		{"create with forbidden labels", nodeCreate(map[string]string{
			"node-restriction.kubernetes.io/foo": "", "foo.node-restriction.kubernetes.io/foo": "", "other.kubernetes.io/foo": "", "other.k8s.io/foo": "", "node-role.kubernetes.io/master": "",
		}), `nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: foo.node-restriction.kubernetes.io/foo, node-restriction.kubernetes.io/foo, node-role.kubernetes.io/master, other.k8s.io/foo, other.kubernetes.io/foo`},
		{"create with config source", request{op: admission.Create, resource: nodesGVR, name: "n1", obj: &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}, Spec: corev1.NodeSpec{ConfigSource: &corev1.NodeConfigSource{}}}},
			`nodes "n1" is forbidden: node "n1" is not allowed to create pods with a non-nil configSource`},
		{"update own node status", nodeUpdate(func(n *corev1.Node) { n.Status.Phase = corev1.NodeRunning }), ""},
		{"update allowed label", nodeUpdate(func(n *corev1.Node) { n.Labels["kubernetes.io/hostname"] = "renamed" }), ""},
		{"update other node", request{op: admission.Update, resource: nodesGVR, name: "n2", obj: nrNode("n2"), old: nrNode("n2")}, `nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"`},
		{"delete other node", request{op: admission.Delete, resource: nodesGVR, name: "n2"}, `nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"`},
		{"delete own node", request{op: admission.Delete, resource: nodesGVR, name: "n1"}, ""},
		{"remove restricted label", nodeUpdate(func(n *corev1.Node) { delete(n.Labels, "node-role.kubernetes.io/worker") }), `nodes "n1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/worker`},
		{"update taints", nodeUpdate(func(n *corev1.Node) { n.Spec.Taints = nil }), `nodes "n1" is forbidden: node "n1" is not allowed to modify taints`},
		{"update owner references", nodeUpdate(func(n *corev1.Node) {
			n.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: "n2", UID: "u"}}
		}),
			`nodes "n1" is forbidden: node "n1" is not allowed to modify ownerReferences`},
		{"update config source", nodeUpdate(func(n *corev1.Node) { n.Spec.ConfigSource = &corev1.NodeConfigSource{} }),
			`nodes "n1" is forbidden: node "n1" is not allowed to update configSource to a new non-nil configSource`},

		// PVC status.
		{"pvc spec", request{op: admission.Update, resource: pvcsGVR, namespace: "ns", name: "claim", obj: &corev1.PersistentVolumeClaim{}, old: &corev1.PersistentVolumeClaim{}},
			`persistentvolumeclaims "claim" is forbidden: may only update PVC status`},
		{"pvc status capacity and allocation", pvcStatus(func(c *corev1.PersistentVolumeClaim) {
			c.Status.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Gi")}
			c.Status.AllocatedResources = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Gi")}
			c.Status.AllocatedResourceStatuses = map[corev1.ResourceName]corev1.ClaimResourceStatus{corev1.ResourceStorage: corev1.PersistentVolumeClaimNodeResizeInProgress}
			c.Status.Conditions = []corev1.PersistentVolumeClaimCondition{{Type: corev1.PersistentVolumeClaimResizing, Status: corev1.ConditionTrue}}
		}), ""},

		// Service account tokens.
		{"token for own pod, no audience", token("mine", "uid-mine"), `serviceaccounts "sa" is forbidden: system:node:n1 is not authorized to request tokens for audience ""`},
		{"token not bound", request{op: admission.Create, resource: serviceAccountGVR, subresource: "token", namespace: "ns", name: "sa", obj: &authenticationv1.TokenRequest{}},
			`serviceaccounts "sa" is forbidden: node requested token not bound to a pod`},
		{"token bound without uid", token("mine", ""), `serviceaccounts "sa" is forbidden: node requested token with a pod binding without a uid`},
		{"token with stale uid", token("mine", "stale"),
			`serviceaccounts "sa" is forbidden: the UID in the bound object reference (stale) does not match the UID in record. The object might have been deleted and then recreated`},
		{"token for other node's pod", token("theirs", "uid-theirs"), `serviceaccounts "sa" is forbidden: node requested token bound to a pod scheduled on a different node`},
		{"token for pod not seen", token("gone", "uid-gone"), `pod "gone" not found`},
		{"token for two audiences", token("mine", "uid-mine", "a", "b"), `serviceaccounts "sa" is forbidden: node may only request 0 or 1 audiences`},
		{"token for audience the pod does not use", token("mine", "uid-mine", "foo"), `serviceaccounts "sa" is forbidden: system:node:n1 is not authorized to request tokens for audience "foo"`},
		{"token for authorized audience", token("mine", "uid-mine", "granted"), ""},
		{"token for projected audience", token("projected", "uid-projected", "vault"), ""},
		{"token for csi driver audience", token("csi", "uid-csi", "csi-aud"), ""},
		{"token for audience csi driver lacks", token("csi", "uid-csi", "bar"), `serviceaccounts "sa" is forbidden: system:node:n1 is not authorized to request tokens for audience "bar"`},
		{"token through pvc", token("pvc", "uid-pvc", "csi-aud"), ""},
		{"token through ephemeral volume", token("eph", "uid-eph", "csi-aud"), ""},
		{"token through migrated in-tree volume", token("intree", "uid-intree", "ebs-aud"), ""},
		{"token through migrated in-tree PV", token("intree-pv", "uid-intree-pv", "gce-aud"), ""},
		{"token for audience the migrated driver lacks", token("intree-pv", "uid-intree-pv", "ebs-aud"),
			`serviceaccounts "sa" is forbidden: system:node:n1 is not authorized to request tokens for audience "ebs-aud"`},
		{"token through missing pvc", token("missing-pvc", "uid-missing-pvc", "csi-aud"),
			`serviceaccounts "sa" is forbidden: error validating audience "csi-aud": persistentvolumeclaim "missing" not found`},
		{"service account update passes", request{op: admission.Update, resource: serviceAccountGVR, namespace: "ns", name: "sa", obj: &corev1.ServiceAccount{}, old: &corev1.ServiceAccount{}}, ""},

		// Pod certificate requests.
		{"pod certificate for mounted signer", pcr(nil), ""},
		{"pod certificate for authorized signer", pcr(func(s *certificatesv1.PodCertificateRequestSpec) { s.SignerName = "example.com/granted" }), ""},
		{"pod certificate for other signer", pcr(func(s *certificatesv1.PodCertificateRequestSpec) { s.SignerName = "example.com/foo" }),
			`podcertificaterequests.certificates.k8s.io "pcr" is forbidden: pod "ns/projected" does not mount a podCertificate projected volume for signer "example.com/foo"`},
		{"pod certificate for other node", pcr(func(s *certificatesv1.PodCertificateRequestSpec) { s.NodeName = "n2" }),
			`podcertificaterequests.certificates.k8s.io "pcr" is forbidden: PodCertificateRequest.Spec.NodeName="n2", which is not the requesting node "n1"`},
		{"pod certificate with stale node uid", pcr(func(s *certificatesv1.PodCertificateRequestSpec) { s.NodeUID = "wrong-uid" }),
			`PodCertificateRequest for pod "ns/projected" names node UID "wrong-uid", inconsistent with the running node ("uid-n1")`},
		{"pod certificate with stale pod uid", pcr(func(s *certificatesv1.PodCertificateRequestSpec) { s.PodUID = "wrong-uid" }),
			`PodCertificateRequest for pod "ns/projected" contains pod UID ("wrong-uid") which differs from running pod "uid-projected"`},
		{"pod certificate for pod not seen", pcr(func(s *certificatesv1.PodCertificateRequestSpec) { s.PodName = "gone" }),
			`while retrieving pod "ns/gone" named in the PodCertificateRequest: pod "gone" not found`},
		{"pod certificate for other node's pod", pcr(func(s *certificatesv1.PodCertificateRequestSpec) { s.PodName, s.PodUID = "theirs", "uid-theirs" }),
			`podcertificaterequests.certificates.k8s.io "pcr" is forbidden: pod "ns/theirs" is not running on node "n1" named in the PodCertificateRequest`},
		{"pod certificate for mirror pod", pcr(func(s *certificatesv1.PodCertificateRequestSpec) {
			s.PodName, s.PodUID = "existing-mirror", "uid-existing-mirror"
		}),
			`podcertificaterequests.certificates.k8s.io "pcr" is forbidden: pod "ns/existing-mirror" is a mirror pod`},
		{"pod certificate for other service account", pcr(func(s *certificatesv1.PodCertificateRequestSpec) { s.ServiceAccountName = "other" }),
			`podcertificaterequests.certificates.k8s.io "pcr" is forbidden: PodCertificateRequest for pod "ns/projected" contains serviceAccountName ("other") that differs from running pod ("sa")`},
		{"pod certificate with stale service account uid", pcr(func(s *certificatesv1.PodCertificateRequestSpec) { s.ServiceAccountUID = "wrong-uid" }),
			`PodCertificateRequest for pod "ns/projected" names service account UID "wrong-uid", which differs from the running service account ("uid-sa")`},

		// Leases, CSINodes, ResourceSlices.
		{"own lease", request{op: admission.Create, resource: leasesGVR, namespace: "kube-node-lease", obj: &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}}, ""},
		{"other node's lease", request{op: admission.Create, resource: leasesGVR, namespace: "kube-node-lease", obj: &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: "n2"}}},
			`leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node`},
		{"update other node's lease", request{op: admission.Update, resource: leasesGVR, namespace: "kube-node-lease", name: "n2", obj: &coordinationv1.Lease{}, old: &coordinationv1.Lease{}},
			`leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node`},
		{"lease outside kube-node-lease", request{op: admission.Update, resource: leasesGVR, namespace: "ns", name: "n1", obj: &coordinationv1.Lease{}, old: &coordinationv1.Lease{}},
			`leases.coordination.k8s.io "n1" is forbidden: can only access leases in the "kube-node-lease" system namespace`},
		{"own csinode", request{op: admission.Create, resource: csiNodesGVR, obj: &storagev1.CSINode{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}}, ""},
		{"other node's csinode", request{op: admission.Delete, resource: csiNodesGVR, name: "n2"},
			`csinodes.storage.k8s.io "n2" is forbidden: can only access CSINode with the same name as the requesting node`},
		{"csinode status", request{op: admission.Update, resource: csiNodesGVR, subresource: "status", name: "n1", obj: &storagev1.CSINode{}, old: &storagev1.CSINode{}},
			`csinodes.storage.k8s.io "n1" is forbidden: CSIVolumeHealth feature gate is disabled`},
		{"own resource slice", request{op: admission.Create, resource: slicesGVR, obj: slice(ptr.To("n1"))}, ""},
		{"other node's resource slice", request{op: admission.Create, resource: slicesGVR, obj: slice(ptr.To("n2"))},
			`resourceslices.resource.k8s.io "slice" is forbidden: can only create ResourceSlice with the same NodeName as the requesting node`},
		{"delete resource slice of no node", request{op: admission.Delete, resource: slicesGVR, name: "slice", old: slice(nil)},
			`resourceslices.resource.k8s.io "slice" is forbidden: can only delete ResourceSlice with the same NodeName as the requesting node`},
		{"update resource slice passes", request{op: admission.Update, resource: slicesGVR, name: "slice", obj: slice(nil), old: slice(nil)}, ""},

		// Certificate signing requests.
		{"own kubelet client csr", request{op: admission.Create, resource: csrsGVR, obj: nodeCSR(t, certificatesv1.KubeAPIServerClientKubeletSignerName, "system:node:n1")}, ""},
		{"other node's serving csr", request{op: admission.Create, resource: csrsGVR, obj: nodeCSR(t, certificatesv1.KubeletServingSignerName, "system:node:n2")},
			`certificatesigningrequests.certificates.k8s.io "csr" is forbidden: can only create a node CSR with CN=system:node:n1`},
		{"csr for another signer", request{op: admission.Create, resource: csrsGVR, obj: nodeCSR(t, "example.com/signer", "system:node:n2")}, ""},
		{"unparsable kubelet csr", request{op: admission.Create, resource: csrsGVR, obj: &certificatesv1.CertificateSigningRequest{Spec: certificatesv1.CertificateSigningRequestSpec{SignerName: certificatesv1.KubeletServingSignerName, Request: []byte("junk")}}},
			`certificatesigningrequests.certificates.k8s.io "Unknown" is forbidden: unable to parse csr: PEM block type must be CERTIFICATE REQUEST`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := p.Admit(t.Context(), tc.req.attributes(), nil)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got error %q, want none", err)
			case tc.want != "" && err == nil:
				t.Fatalf("got no error, want %q", tc.want)
			case tc.want != "" && err.Error() != tc.want:
				t.Fatalf("got error %q, want %q", err, tc.want)
			}
		})
	}
}

// TestNodeRestrictionPVCStatusDiff: a node changing anything of a PVC but
// its status' capacity, conditions and allocation is forbidden, with the
// difference in the message.
func TestNodeRestrictionPVCStatusDiff(t *testing.T) {
	t.Parallel()
	p := newTestNodeRestriction(t)
	old := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "claim"}}
	updated := old.DeepCopy()
	updated.Labels = map[string]string{"a": "b"}
	err := p.Admit(t.Context(), request{op: admission.Update, resource: pvcsGVR, subresource: "status", namespace: "ns", name: "claim", obj: updated, old: old}.attributes(), nil)
	const prefix = `persistentvolumeclaims "claim" is forbidden: node "n1" is not allowed to update fields other than status.quantity and status.conditions: `
	if err == nil || !strings.HasPrefix(err.Error(), prefix) || err.Error() == prefix {
		t.Fatalf("got error %v, want one starting %q", err, prefix)
	}
}
