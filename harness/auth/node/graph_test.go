package node

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

func secretPod(name, node string, secrets ...string) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns1", UID: k8stypes.UID("uid-" + name)},
		Spec:       corev1.PodSpec{NodeName: node},
	}
	for _, s := range secrets {
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: s, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: s}}})
	}
	return pod
}

// reaches reports whether node may get the secret ns1/name.
func reaches(g *Graph, node, secret string) bool {
	ok, _ := g.hasPathFrom(node, secretVertexType, "ns1", secret)
	return ok
}

// TestGraphSharedSecrets is upstream's TestNodeAuthorizerSharedResources:
// a secret used by pods on several nodes is readable by each of them, and
// no longer by a node whose pod stops using it.
func TestGraphSharedSecrets(t *testing.T) {
	t.Parallel()
	g := NewGraph()
	g.AddPod(secretPod("pod1-node1", "node1", "node1-only", "node1-node2-only", "shared-all"))
	g.AddPod(secretPod("pod2-node2", "node2", "node1-node2-only", "shared-all"))
	pod3 := secretPod("pod3-node3", "node3", "shared-all")
	g.AddPod(pod3)

	for _, tc := range []struct {
		node, secret string
		want         bool
	}{
		{"node1", "node1-only", true},
		{"node1", "node1-node2-only", true},
		{"node1", "shared-all", true},
		{"node2", "node1-only", false},
		{"node2", "node1-node2-only", true},
		{"node2", "shared-all", true},
		{"node3", "node1-only", false},
		{"node3", "node1-node2-only", false},
		{"node3", "shared-all", true},
	} {
		if got := reaches(g, tc.node, tc.secret); got != tc.want {
			t.Errorf("%s gets secret %s: got %v, want %v", tc.node, tc.secret, got, tc.want)
		}
	}

	pod3.Spec.Volumes = nil
	g.AddPod(pod3)
	if reaches(g, "node3", "shared-all") {
		t.Errorf("node3 gets secret shared-all once its pod stopped using it: got true, want false")
	}
	if !reaches(g, "node1", "shared-all") {
		t.Errorf("node1 gets secret shared-all: got false, want true")
	}
}

// TestGraphDeletePod checks that deleting a pod removes the vertices only
// it held: its secrets, and its node once no pod is left on it.
func TestGraphDeletePod(t *testing.T) {
	t.Parallel()
	g := NewGraph()
	g.AddPod(secretPod("a", "node1", "only-a", "shared"))
	g.AddPod(secretPod("b", "node1", "shared"))

	g.DeletePod("a", "ns1")
	if g.getLocked(secretVertexType, "ns1", "only-a") != nil {
		t.Errorf("secret only-a is still in the graph after its only pod was deleted")
	}
	if !reaches(g, "node1", "shared") {
		t.Errorf("node1 gets secret shared of pod b: got false, want true")
	}
	g.DeletePod("b", "ns1")
	if got := len(g.vertices); got != 0 {
		t.Errorf("got %d vertices after deleting every pod, want 0: %v", got, g.vertices)
	}
}

// TestGraphPVSecrets: a PV's kubelet secrets are reachable from the nodes
// of the pods using its claim, and no longer once the PV is rebound.
func TestGraphPVSecrets(t *testing.T) {
	t.Parallel()
	g := NewGraph()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns1"},
		Spec: corev1.PodSpec{NodeName: "node1", Volumes: []corev1.Volume{
			{Name: "v", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "claim"}}},
			{Name: "e", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{}}},
		}},
	}
	g.AddPod(pod)
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "pv"},
		Spec: corev1.PersistentVolumeSpec{
			ClaimRef: &corev1.ObjectReference{Namespace: "ns1", Name: "claim"},
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				RBD: &corev1.RBDPersistentVolumeSource{SecretRef: &corev1.SecretReference{Name: "rbd-secret"}},
			},
		},
	}
	g.AddPV(pv)
	if !reaches(g, "node1", "rbd-secret") {
		t.Errorf("node1 gets the PV's secret (in its claim's namespace): got false, want true")
	}
	if ok, _ := g.hasPathFrom("node1", pvcVertexType, "ns1", "p-e"); !ok {
		t.Errorf("node1 gets the ephemeral volume's PVC p-e: got false, want true")
	}
	pv.Spec.ClaimRef = &corev1.ObjectReference{Namespace: "ns1", Name: "other"}
	g.AddPV(pv)
	if reaches(g, "node1", "rbd-secret") {
		t.Errorf("node1 gets the secret of a PV bound to another claim: got true, want false")
	}
}

func TestUpdatePod(t *testing.T) {
	t.Parallel()
	withEphemeral := func(p *corev1.Pod) *corev1.Pod {
		p = p.DeepCopy()
		p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: "debug",
			Env:  []corev1.EnvVar{{Name: "X", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "debug-secret"}}}}},
		}})
		return p
	}
	withClaim := func(p *corev1.Pod) *corev1.Pod {
		p = p.DeepCopy()
		p.Spec.ResourceClaims = []corev1.PodResourceClaim{{Name: "gpu", ResourceClaimTemplateName: ptr.To("t")}}
		p.Status.ResourceClaimStatuses = []corev1.PodResourceClaimStatus{{Name: "gpu", ResourceClaimName: ptr.To("generated")}}
		return p
	}
	for _, tc := range []struct {
		name      string
		old, pod  *corev1.Pod
		typ       vertexType
		object    string
		wantReach bool
	}{
		{"unbound pod is not recorded", nil, secretPod("p", "", "s"), secretVertexType, "s", false},
		{"binding records the pod", secretPod("p", "", "s"), secretPod("p", "node1", "s"), secretVertexType, "s", true},
		{"ephemeral container's secret", secretPod("p", "node1"), withEphemeral(secretPod("p", "node1")), secretVertexType, "debug-secret", true},
		{"generated claim recorded in status", secretPod("p", "node1"), withClaim(secretPod("p", "node1")), resourceClaimVertexType, "generated", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := NewGraph()
			if tc.old != nil {
				updatePod(g, nil, tc.old)
				updatePod(g, tc.old, tc.pod)
			} else {
				updatePod(g, nil, tc.pod)
			}
			if got, _ := g.hasPathFrom("node1", tc.typ, "ns1", tc.object); got != tc.wantReach {
				t.Errorf("node1 reaches %s %s: got %v, want %v", vertexTypes[tc.typ], tc.object, got, tc.wantReach)
			}
		})
	}
}

func TestHasPathFromErrors(t *testing.T) {
	t.Parallel()
	g := NewGraph()
	g.AddPod(secretPod("p", "n1", "s1"))
	g.AddPod(secretPod("q", "n2", "s2"))
	for _, tc := range []struct {
		node, secret, wantErr string
	}{
		{"n3", "s1", "unknown node 'n3' cannot get secret ns1/s1"},
		{"n1", "s9", "node 'n1' cannot get unknown secret ns1/s9"},
		{"n1", "s2", "node 'n1' cannot get secret ns1/s2, no relationship to this object was found in the node authorizer graph"},
	} {
		ok, err := g.hasPathFrom(tc.node, secretVertexType, "ns1", tc.secret)
		if ok || err == nil || err.Error() != tc.wantErr {
			t.Errorf("%s gets %s: got %v, %v; want false, %q", tc.node, tc.secret, ok, err, tc.wantErr)
		}
	}
}
