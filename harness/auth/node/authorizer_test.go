package node

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/utils/ptr"
)

// boundPod is a pod of namespace ns0 on node that references, by names
// ending in -<name>-<node>: a config map, a secret, a PVC, a service
// account, a named resource claim and one generated from a template; and
// the secret "secret-shared".
func boundPod(name, node string) *corev1.Pod {
	suffix := "-" + name + "-" + node
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-" + node, Namespace: "ns0", UID: types.UID("uid" + suffix)},
		Spec: corev1.PodSpec{
			NodeName:           node,
			ServiceAccountName: "svcacct0-" + node,
			Containers: []corev1.Container{{
				Name: "c",
				EnvFrom: []corev1.EnvFromSource{
					{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "configmap0" + suffix}}},
				},
			}},
			Volumes: []corev1.Volume{
				{Name: "s", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "secret0" + suffix}}},
				{Name: "shared", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "secret-shared"}}},
				{Name: "pvc", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "pvc0" + suffix}}},
			},
			ResourceClaims: []corev1.PodResourceClaim{
				{Name: "named", ResourceClaimName: ptr.To("claim0" + suffix)},
				{Name: "templated", ResourceClaimTemplateName: ptr.To("template0")},
				{Name: "pending", ResourceClaimTemplateName: ptr.To("template0")},
			},
		},
		Status: corev1.PodStatus{ResourceClaimStatuses: []corev1.PodResourceClaimStatus{
			{Name: "templated", ResourceClaimName: ptr.To("generated-claim" + suffix)},
		}},
	}
}

// boundPV is a PV bound to the PVC of boundPod(name, node), with a CSI
// node-publish secret (the kubelet's) and a controller-publish one (not).
func boundPV(name, node string) *corev1.PersistentVolume {
	suffix := "-" + name + "-" + node
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "pv0" + suffix},
		Spec: corev1.PersistentVolumeSpec{
			ClaimRef: &corev1.ObjectReference{Namespace: "ns0", Name: "pvc0" + suffix},
			PersistentVolumeSource: corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{
				Driver:                     "csi.example.com",
				NodePublishSecretRef:       &corev1.SecretReference{Namespace: "ns0", Name: "secret-pv0" + suffix},
				ControllerPublishSecretRef: &corev1.SecretReference{Namespace: "ns0", Name: "secret-controller" + suffix},
			}},
		},
	}
}

// sampleGraph has, for node0 and node1: pod0 (boundPod) and its PV, a
// volume attachment, a resource slice and a pod certificate request; and
// a mirror pod on node0 referencing a secret.
func sampleGraph() *Graph {
	g := NewGraph()
	for _, node := range []string{"node0", "node1"} {
		g.AddPod(boundPod("pod0", node))
		g.AddPV(boundPV("pod0", node))
		g.AddVolumeAttachment("attachment0-"+node, node)
		g.AddResourceSlice("slice0-"+node, node)
		g.AddPodCertificateRequest("ns0", "pcr0-pod0-"+node, node)
	}
	mirror := boundPod("mirror", "node0")
	mirror.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"}
	g.AddPod(mirror)
	return g
}

func TestAuthorize(t *testing.T) {
	t.Parallel()
	authz := newAuthorizer(sampleGraph(), nodeRules())
	node0 := &user.DefaultInfo{Name: "system:node:node0", Groups: []string{user.NodesGroup}}
	unregistered := &user.DefaultInfo{Name: "system:node:nodeunregistered", Groups: []string{user.NodesGroup}}
	const (
		allow     = authorizer.DecisionAllow
		noOpinion = authorizer.DecisionNoOpinion
	)
	onNode := func(node string) fields.Requirements {
		return fields.Requirements{{Field: "spec.nodeName", Operator: "=", Value: node}}
	}
	for _, tc := range []struct {
		name       string
		attrs      authorizer.AttributesRecord
		want       authorizer.Decision
		wantReason string
	}{
		// not nodes
		{name: "not a node", attrs: authorizer.AttributesRecord{User: &user.DefaultInfo{Name: "alice"}, ResourceRequest: true, Verb: "get", Resource: "secrets", Name: "secret0-pod0-node0", Namespace: "ns0"}, want: noOpinion},
		{name: "node name without group", attrs: authorizer.AttributesRecord{User: &user.DefaultInfo{Name: "system:node:node0"}, ResourceRequest: true, Verb: "get", Resource: "secrets", Name: "secret0-pod0-node0", Namespace: "ns0"}, want: noOpinion},
		{name: "empty node name", attrs: authorizer.AttributesRecord{User: &user.DefaultInfo{Name: "system:node:", Groups: []string{user.NodesGroup}}, ResourceRequest: true, Verb: "get", Resource: "secrets", Name: "s", Namespace: "ns0"}, want: noOpinion, wantReason: `unknown node for user "system:node:"`},

		// graph: allowed
		{name: "allowed configmap", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "configmaps", Name: "configmap0-pod0-node0", Namespace: "ns0"}, want: allow},
		{name: "allowed secret via pod", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "secrets", Name: "secret0-pod0-node0", Namespace: "ns0"}, want: allow},
		{name: "list allowed secret via pod", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", Resource: "secrets", Name: "secret0-pod0-node0", Namespace: "ns0"}, want: allow},
		{name: "watch allowed secret via pod", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "watch", Resource: "secrets", Name: "secret0-pod0-node0", Namespace: "ns0"}, want: allow},
		{name: "allowed shared secret via pod", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "secrets", Name: "secret-shared", Namespace: "ns0"}, want: allow},
		{name: "allowed secret via pvc", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "secrets", Name: "secret-pv0-pod0-node0", Namespace: "ns0"}, want: allow},
		{name: "allowed pvc", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "persistentvolumeclaims", Name: "pvc0-pod0-node0", Namespace: "ns0"}, want: allow},
		{name: "allowed resource claim", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "resourceclaims", APIGroup: "resource.k8s.io", Name: "claim0-pod0-node0", Namespace: "ns0"}, want: allow},
		{name: "allowed resource claim with template", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "resourceclaims", APIGroup: "resource.k8s.io", Name: "generated-claim-pod0-node0", Namespace: "ns0"}, want: allow},
		{name: "allowed pv", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "persistentvolumes", Name: "pv0-pod0-node0"}, want: allow},
		{name: "allowed attachment", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "volumeattachments", APIGroup: "storage.k8s.io", Name: "attachment0-node0"}, want: allow},
		{name: "allowed svcacct token create", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "create", Resource: "serviceaccounts", Subresource: "token", Name: "svcacct0-node0", Namespace: "ns0"}, want: allow},
		{name: "get allowed svcacct via pod", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "serviceaccounts", Name: "svcacct0-node0", Namespace: "ns0"}, want: allow},

		// graph: not related
		{name: "disallowed configmap", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "configmaps", Name: "configmap0-pod0-node1", Namespace: "ns0"}, want: noOpinion, wantReason: "no relationship found between node 'node0' and this object"},
		{name: "disallowed secret via pod", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "secrets", Name: "secret0-pod0-node1", Namespace: "ns0"}, want: noOpinion, wantReason: "no relationship found between node 'node0' and this object"},
		{name: "unknown secret", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "secrets", Name: "nobody-uses-it", Namespace: "ns0"}, want: noOpinion, wantReason: "no relationship found between node 'node0' and this object"},
		{name: "secret of a mirror pod", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "secrets", Name: "secret0-mirror-node0", Namespace: "ns0"}, want: noOpinion, wantReason: "no relationship found between node 'node0' and this object"},
		{name: "disallowed secret via pvc", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "secrets", Name: "secret-pv0-pod0-node1", Namespace: "ns0"}, want: noOpinion},
		{name: "controller secret of a pv", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "secrets", Name: "secret-controller-pod0-node0", Namespace: "ns0"}, want: noOpinion},
		{name: "disallowed pvc", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "persistentvolumeclaims", Name: "pvc0-pod0-node1", Namespace: "ns0"}, want: noOpinion},
		{name: "disallowed resource claim, other node", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "resourceclaims", APIGroup: "resource.k8s.io", Name: "claim0-pod0-node1", Namespace: "ns0"}, want: noOpinion},
		{name: "disallowed pv", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "persistentvolumes", Name: "pv0-pod0-node1"}, want: noOpinion},
		{name: "disallowed attachment", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "volumeattachments", APIGroup: "storage.k8s.io", Name: "attachment0-node1"}, want: noOpinion},
		{name: "disallowed svcacct token create - not attached to node", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "create", Resource: "serviceaccounts", Subresource: "token", Name: "svcacct0-node1", Namespace: "ns0"}, want: noOpinion, wantReason: "no relationship found between node 'node0' and this object"},
		{name: "unregistered node", attrs: authorizer.AttributesRecord{User: unregistered, ResourceRequest: true, Verb: "get", Resource: "secrets", Name: "secret0-pod0-node0", Namespace: "ns0"}, want: noOpinion, wantReason: "no relationship found between node 'nodeunregistered' and this object"},

		// verbs and shapes the graph types refuse
		{name: "disallowed list many secrets", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", Resource: "secrets", Namespace: "ns0"}, want: noOpinion, wantReason: "No Object name found"},
		{name: "disallowed list secrets from all namespaces with name", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", Resource: "secrets", Name: "secret0-pod0-node0"}, want: noOpinion, wantReason: "can only read namespaced object of this type"},
		{name: "disallowed update secret", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "update", Resource: "secrets", Name: "secret0-pod0-node0", Namespace: "ns0"}, want: noOpinion, wantReason: "can only read resources of this type"},
		{name: "disallowed list pvcs", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", Resource: "persistentvolumeclaims", Name: "pvc0-pod0-node0", Namespace: "ns0"}, want: noOpinion, wantReason: "can only get individual resources of this type"},
		{name: "disallowed pvc subresource get", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "persistentvolumeclaims", Subresource: "foo", Name: "pvc0-pod0-node0", Namespace: "ns0"}, want: noOpinion, wantReason: "cannot get subresource"},
		{name: "allowed pvc status update", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "update", Resource: "persistentvolumeclaims", Subresource: "status", Name: "pvc0-pod0-node0", Namespace: "ns0"}, want: allow},
		{name: "disallowed pvc status get", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "persistentvolumeclaims", Subresource: "status", Name: "pvc0-pod0-node0", Namespace: "ns0"}, want: noOpinion, wantReason: "can only get/update/patch this type"},
		{name: "disallowed svcacct token create - no subresource", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "create", Resource: "serviceaccounts", Name: "svcacct0-node0", Namespace: "ns0"}, want: noOpinion, wantReason: "can only create token subresource of serviceaccount"},
		{name: "disallowed svcacct token create - non create", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "update", Resource: "serviceaccounts", Subresource: "token", Name: "svcacct0-node0", Namespace: "ns0"}, want: noOpinion, wantReason: "can only create tokens for individual service accounts"},
		{name: "disallowed list svcacct", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", Resource: "serviceaccounts", Name: "svcacct0-node0", Namespace: "ns0"}, want: noOpinion, wantReason: "can only create tokens for individual service accounts"},

		// pod certificate requests
		{name: "allowed pcr create", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "create", APIGroup: "certificates.k8s.io", Resource: "podcertificaterequests", Namespace: "ns0"}, want: allow},
		{name: "allowed pcr get", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", APIGroup: "certificates.k8s.io", Resource: "podcertificaterequests", Name: "pcr0-pod0-node0", Namespace: "ns0"}, want: allow},
		{name: "disallowed pcr get of another node", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", APIGroup: "certificates.k8s.io", Resource: "podcertificaterequests", Name: "pcr0-pod0-node1", Namespace: "ns0"}, want: noOpinion},
		{name: "disallowed pcr list (un-filtered)", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", APIGroup: "certificates.k8s.io", Resource: "podcertificaterequests", Namespace: "ns0"}, want: noOpinion, wantReason: "can only list/watch podcertificaterequests with nodeName field selector"},
		{name: "disallowed pcr watch (filtered to other node)", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "watch", APIGroup: "certificates.k8s.io", Resource: "podcertificaterequests", Namespace: "ns0", FieldSelectorRequirements: onNode("othernode")}, want: noOpinion, wantReason: "can only list/watch podcertificaterequests with nodeName field selector"},
		{name: "allowed pcr list (filtered to correct node)", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", APIGroup: "certificates.k8s.io", Resource: "podcertificaterequests", Namespace: "ns0", FieldSelectorRequirements: onNode("node0")}, want: allow},
		{name: "disallowed pcr delete", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "delete", APIGroup: "certificates.k8s.io", Resource: "podcertificaterequests", Name: "pcr0-pod0-node0", Namespace: "ns0"}, want: noOpinion, wantReason: "nodes may not delete podcertificaterequests"},
		{name: "disallowed pcr status", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "update", APIGroup: "certificates.k8s.io", Resource: "podcertificaterequests", Subresource: "status", Name: "pcr0-pod0-node0", Namespace: "ns0"}, want: noOpinion, wantReason: "nodes may not access the status subresource of PodCertificateRequests"},

		// leases
		{name: "allowed get node lease", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "leases", APIGroup: "coordination.k8s.io", Name: "node0", Namespace: "kube-node-lease"}, want: allow},
		{name: "allowed create node lease", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "create", Resource: "leases", APIGroup: "coordination.k8s.io", Namespace: "kube-node-lease"}, want: allow},
		{name: "disallowed lease in another namespace", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "leases", APIGroup: "coordination.k8s.io", Name: "node0", Namespace: "foo"}, want: noOpinion, wantReason: `can only access leases in the "kube-node-lease" system namespace`},
		{name: "disallowed update another node's lease", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "update", Resource: "leases", APIGroup: "coordination.k8s.io", Name: "node1", Namespace: "kube-node-lease"}, want: noOpinion, wantReason: "can only access node lease with the same name as the requesting node"},
		{name: "disallowed list node leases", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", Resource: "leases", APIGroup: "coordination.k8s.io", Namespace: "kube-node-lease"}, want: noOpinion, wantReason: "can only get, create, update, patch, or delete a node lease"},

		// CSINodes
		{name: "allowed get CSINode", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "csinodes", APIGroup: "storage.k8s.io", Name: "node0"}, want: allow},
		{name: "allowed create CSINode", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "create", Resource: "csinodes", APIGroup: "storage.k8s.io", Name: "node0"}, want: allow},
		{name: "disallowed get another node's CSINode", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "csinodes", APIGroup: "storage.k8s.io", Name: "node1"}, want: noOpinion, wantReason: "can only access CSINode with the same name as the requesting node"},
		{name: "disallowed list CSINodes", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", Resource: "csinodes", APIGroup: "storage.k8s.io"}, want: noOpinion, wantReason: "can only get, create, update, patch, or delete a CSINode"},
		{name: "disallowed CSINode with unknown subresource", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "csinodes", Subresource: "csiDrivers", APIGroup: "storage.k8s.io", Name: "node0"}, want: noOpinion, wantReason: "cannot authorize CSINode subresources"},
		{name: "disallowed update CSINode status - feature disabled", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "update", Resource: "csinodes", Subresource: "status", APIGroup: "storage.k8s.io", Name: "node0"}, want: noOpinion, wantReason: "CSINode status access requires CSIVolumeHealth feature"},

		// resource slices
		{name: "allowed get ResourceSlice", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "resourceslices", APIGroup: "resource.k8s.io", Name: "slice0-node0"}, want: allow},
		{name: "allowed create ResourceSlice", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "create", Resource: "resourceslices", APIGroup: "resource.k8s.io"}, want: allow},
		{name: "disallowed delete another node's ResourceSlice", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "delete", Resource: "resourceslices", APIGroup: "resource.k8s.io", Name: "slice0-node1"}, want: noOpinion, wantReason: "no relationship found between node 'node0' and this object"},
		{name: "allowed filtered list ResourceSlices", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", Resource: "resourceslices", APIGroup: "resource.k8s.io", FieldSelectorRequirements: onNode("node0")}, want: allow},
		{name: "disallowed unfiltered watch ResourceSlices", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "watch", Resource: "resourceslices", APIGroup: "resource.k8s.io"}, want: noOpinion, wantReason: "can only list/watch/deletecollection resourceslices with nodeName field selector"},
		{name: "disallowed ResourceSlice with subresource", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "resourceslices", Subresource: "status", APIGroup: "resource.k8s.io", Name: "slice0-node0"}, want: noOpinion, wantReason: "cannot authorize ResourceSlice subresources"},

		// nodes
		{name: "get own node", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "nodes", Name: "node0"}, want: allow},
		{name: "get own node before it exists", attrs: authorizer.AttributesRecord{User: unregistered, ResourceRequest: true, Verb: "get", Resource: "nodes", Name: "nodeunregistered"}, want: allow},
		{name: "get another node", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "nodes", Name: "node1"}, want: noOpinion, wantReason: "node 'node0' cannot read 'node1', only its own Node object"},
		{name: "list nodes", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", Resource: "nodes"}, want: noOpinion, wantReason: "node 'node0' cannot read all nodes, only its own Node object"},
		{name: "update node status", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "patch", Resource: "nodes", Subresource: "status", Name: "node0"}, want: allow},
		{name: "delete node", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "delete", Resource: "nodes", Name: "node0"}, want: noOpinion},

		// pods
		{name: "get related pod", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "pods", Name: "pod0-node0", Namespace: "ns0"}, want: allow},
		{name: "get unrelated pod", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "pods", Name: "pod0-node1", Namespace: "ns0"}, want: noOpinion, wantReason: "no relationship found between node 'node0' and this object"},
		{name: "list related pod", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", Resource: "pods", Name: "pod0-node0", Namespace: "ns0"}, want: allow},
		{name: "list pods on the node", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", Resource: "pods", FieldSelectorRequirements: onNode("node0")}, want: allow},
		{name: "watch unrelated pods", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "watch", Resource: "pods", FieldSelectorRequirements: onNode("node1")}, want: noOpinion, wantReason: "can only list/watch pods with spec.nodeName field selector"},
		{name: "create unnamed pod", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "create", Resource: "pods", Namespace: "ns0"}, want: allow},
		{name: "create pod proxy subresource forbidden", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "create", Resource: "pods", Subresource: "proxy", Name: "pod0-node0", Namespace: "ns0"}, want: noOpinion},
		{name: "delete unrelated pod", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "delete", Resource: "pods", Name: "pod0-node1", Namespace: "ns0"}, want: allow},
		{name: "update pod status", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "update", Resource: "pods", Subresource: "status", Name: "pod0-node0", Namespace: "ns0"}, want: allow},
		{name: "get pod status", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "get", Resource: "pods", Subresource: "status", Name: "pod0-node0", Namespace: "ns0"}, want: noOpinion},
		{name: "create pod eviction", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "create", Resource: "pods", Subresource: "eviction", Name: "pod0-node0", Namespace: "ns0"}, want: allow},

		// the static rules (system:node's)
		{name: "allowed create event", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "create", Resource: "events", Namespace: "ns0"}, want: allow},
		{name: "allowed get services", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "list", Resource: "services"}, want: allow},
		{name: "allowed create tokenreviews", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "create", Resource: "tokenreviews", APIGroup: "authentication.k8s.io"}, want: allow},
		{name: "disallowed create deployment", attrs: authorizer.AttributesRecord{User: node0, ResourceRequest: true, Verb: "create", Resource: "deployments", APIGroup: "apps", Namespace: "ns0"}, want: noOpinion},
		{name: "disallowed non-resource path", attrs: authorizer.AttributesRecord{User: node0, Verb: "get", Path: "/metrics"}, want: noOpinion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, reason, err := authz.Authorize(context.Background(), tc.attrs)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got != tc.want {
				t.Errorf("got decision %v (%q), want %v", got, reason, tc.want)
			}
			if tc.wantReason != "" && reason != tc.wantReason {
				t.Errorf("got reason %q, want %q", reason, tc.wantReason)
			}
		})
	}
}

func TestRulesFor(t *testing.T) {
	t.Parallel()
	authz := newAuthorizer(NewGraph(), nodeRules())
	for _, tc := range []struct {
		name           string
		user           user.Info
		wantIncomplete bool
		wantErr        bool
	}{
		{"node", &user.DefaultInfo{Name: "system:node:n1", Groups: []string{user.NodesGroup}}, true, true},
		{"not a node", &user.DefaultInfo{Name: "alice"}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rules, nonResource, incomplete, err := authz.RulesFor(context.Background(), tc.user, "ns0")
			if len(rules) != 0 || len(nonResource) != 0 || incomplete != tc.wantIncomplete || (err != nil) != tc.wantErr {
				t.Errorf("got %v, %v, incomplete %v, error %v; want no rules, incomplete %v, error %v", rules, nonResource, incomplete, err, tc.wantIncomplete, tc.wantErr)
			}
		})
	}
}
