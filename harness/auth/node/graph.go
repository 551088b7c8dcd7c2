package node

import (
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/component-helpers/storage/ephemeral"
)

// vertexType is the kind of API object a vertex stands for.
type vertexType byte

const (
	configMapVertexType vertexType = iota
	sliceVertexType
	nodeVertexType
	podVertexType
	pvcVertexType
	pvVertexType
	resourceClaimVertexType
	secretVertexType
	vaVertexType
	serviceAccountVertexType
	pcrVertexType
)

// vertexTypes are upstream's names of the vertex types, as they appear in
// the authorizer's log lines.
var vertexTypes = map[vertexType]string{
	configMapVertexType:      "configmap",
	sliceVertexType:          "resourceslice",
	nodeVertexType:           "node",
	podVertexType:            "pod",
	pvcVertexType:            "pvc",
	pvVertexType:             "pv",
	resourceClaimVertexType:  "resourceclaim",
	secretVertexType:         "secret",
	vaVertexType:             "volumeattachment",
	serviceAccountVertexType: "serviceAccount",
	pcrVertexType:            "podcertificaterequest",
}

// vertexKey names the object a vertex stands for; cluster-scoped objects
// have no namespace.
type vertexKey struct {
	typ             vertexType
	namespace, name string
}

func (k vertexKey) String() string {
	if k.namespace == "" {
		return vertexTypes[k.typ] + ":" + k.name
	}
	return vertexTypes[k.typ] + ":" + k.namespace + "/" + k.name
}

// vertex is an API object in the graph, with its edges both ways.
type vertex struct {
	key vertexKey
	// out and in are the edges from and to this vertex, by the vertex at
	// their other end.
	out, in map[*vertex]*edge
}

// degree is the number of edges of v, both ways.
func (v *vertex) degree() int { return len(v.out) + len(v.in) }

// edge points from an object to one that grants access to it (a secret to
// the pod that uses it, a pod to its node). destination, if set, is the
// node the edge leads to: the pod's node for an edge to a pod; a
// traversal looking for another node does not follow it.
type edge struct {
	from, to, destination *vertex
}

// Graph is the Node authorizer's graph of which objects each node may
// read: upstream's (plugin/pkg/auth/authorizer/node/graph.go). Every edge
// points toward the node vertices:
//
//	node <- pod <- secret, configmap, serviceaccount, resourceclaim
//	        pod <- pvc <- pv <- secret
//	node <- volumeattachment, resourceslice, podcertificaterequest
//
// A vertex with no edges left is removed, so the graph holds exactly the
// objects some bound pod, PV, attachment, slice or request refers to.
// An object the graph does not hold may not be read by any node.
//
// Upstream keeps, for vertices of 200 edges or more, an index of the nodes
// they lead to, to answer without a traversal; the answers are the same
// without it, and a test's graph is small, so memkube has none.
type Graph struct {
	// mu guards vertices and every vertex's edges.
	mu       sync.RWMutex
	vertices map[vertexKey]*vertex
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{vertices: map[vertexKey]*vertex{}}
}

func (g *Graph) getLocked(typ vertexType, namespace, name string) *vertex {
	return g.vertices[vertexKey{typ, namespace, name}]
}

func (g *Graph) getOrCreateLocked(typ vertexType, namespace, name string) *vertex {
	key := vertexKey{typ, namespace, name}
	if v := g.vertices[key]; v != nil {
		return v
	}
	v := &vertex{key: key, out: map[*vertex]*edge{}, in: map[*vertex]*edge{}}
	g.vertices[key] = v
	return v
}

// addEdgeLocked sets the edge from → to. Only secrets and PVs have edges
// naming no node (secret → PV → PVC): edges from any other vertex lead to
// one node, and must name it, or the graph's writers have a bug.
func (g *Graph) addEdgeLocked(from, to, destination *vertex) {
	if destination == nil && from.key.typ != pvVertexType && from.key.typ != secretVertexType {
		panic(fmt.Sprintf("node authorizer graph: an edge from a %s needs its destination node", vertexTypes[from.key.typ]))
	}
	e := &edge{from: from, to: to, destination: destination}
	from.out[to] = e
	to.in[from] = e
}

// removeLocked removes v and its edges.
func (g *Graph) removeLocked(v *vertex) {
	for to := range v.out {
		delete(to.in, v)
	}
	for from := range v.in {
		delete(from.out, v)
	}
	delete(g.vertices, v.key)
}

// deleteVertexLocked removes the vertex of an object, and each neighbour
// whose only edge was to or from it.
func (g *Graph) deleteVertexLocked(typ vertexType, namespace, name string) {
	v := g.getLocked(typ, namespace, name)
	if v == nil {
		return
	}
	var orphans []*vertex
	for n := range v.out {
		if n.degree() == 1 {
			orphans = append(orphans, n)
		}
	}
	for n := range v.in {
		if n.degree() == 1 {
			orphans = append(orphans, n)
		}
	}
	g.removeLocked(v)
	for _, n := range orphans {
		g.removeLocked(n)
	}
}

// AddPod records a pod bound to a node (spec.nodeName set), replacing what
// was recorded of it: pod → node, and toward the pod its service account,
// the secrets and config maps it references (image pull secrets,
// environment, volumes), its PVCs (ephemeral volumes' included) and its
// resource claims. A mirror pod (annotation kubernetes.io/config.mirror)
// gets only pod → node: a node creates those, and must not grant itself
// access to other objects by doing so.
func (g *Graph) AddPod(pod *corev1.Pod) {
	g.mu.Lock()
	defer g.mu.Unlock()

	g.deleteVertexLocked(podVertexType, pod.Namespace, pod.Name)
	podVertex := g.getOrCreateLocked(podVertexType, pod.Namespace, pod.Name)
	nodeVertex := g.getOrCreateLocked(nodeVertexType, "", pod.Spec.NodeName)
	g.addEdgeLocked(podVertex, nodeVertex, nodeVertex)

	if _, mirror := pod.Annotations[corev1.MirrorPodAnnotationKey]; mirror {
		return
	}
	toPod := func(typ vertexType, name string) {
		g.addEdgeLocked(g.getOrCreateLocked(typ, pod.Namespace, name), podVertex, nodeVertex)
	}
	if pod.Spec.ServiceAccountName != "" {
		toPod(serviceAccountVertexType, pod.Spec.ServiceAccountName)
	}
	visitPodSecretNames(pod, func(name string) { toPod(secretVertexType, name) })
	visitPodConfigMapNames(pod, func(name string) { toPod(configMapVertexType, name) })
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		switch {
		case v.PersistentVolumeClaim != nil:
			if v.PersistentVolumeClaim.ClaimName != "" {
				toPod(pvcVertexType, v.PersistentVolumeClaim.ClaimName)
			}
		case v.Ephemeral != nil:
			toPod(pvcVertexType, ephemeral.VolumeClaimName(pod, v))
		}
	}
	for i := range pod.Spec.ResourceClaims {
		// a claim still to be generated from its template has no name
		// yet: the pod's update that names it adds it.
		if name := resourceClaimName(pod, &pod.Spec.ResourceClaims[i]); name != "" {
			toPod(resourceClaimVertexType, name)
		}
	}
	if s := pod.Status.ExtendedResourceClaimStatus; s != nil && s.ResourceClaimName != "" {
		toPod(resourceClaimVertexType, s.ResourceClaimName)
	}
}

// DeletePod forgets a pod, and the objects only it referred to.
func (g *Graph) DeletePod(name, namespace string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.deleteVertexLocked(podVertexType, namespace, name)
}

// AddPV records a persistent volume, replacing what was recorded of it: if
// it is bound to a claim, pv → pvc and, toward the PV, the secrets of its
// source the kubelet uses (not a CSI volume's controller secrets). These
// edges name no node: the claim may be used by pods on several nodes.
func (g *Graph) AddPV(pv *corev1.PersistentVolume) {
	g.mu.Lock()
	defer g.mu.Unlock()

	g.deleteVertexLocked(pvVertexType, "", pv.Name)
	if pv.Spec.ClaimRef == nil {
		return
	}
	pvVertex := g.getOrCreateLocked(pvVertexType, "", pv.Name)
	g.addEdgeLocked(pvVertex, g.getOrCreateLocked(pvcVertexType, pv.Spec.ClaimRef.Namespace, pv.Spec.ClaimRef.Name), nil)
	visitPVSecretNames(pv, func(namespace, name string, kubeletVisible bool) {
		if kubeletVisible {
			g.addEdgeLocked(g.getOrCreateLocked(secretVertexType, namespace, name), pvVertex, nil)
		}
	})
}

// DeletePV forgets a persistent volume.
func (g *Graph) DeletePV(name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.deleteVertexLocked(pvVertexType, "", name)
}

// AddVolumeAttachment records attachment → node, replacing what was
// recorded of the attachment; nothing if nodeName is empty.
func (g *Graph) AddVolumeAttachment(attachmentName, nodeName string) {
	g.addToNode(vaVertexType, "", attachmentName, nodeName)
}

// DeleteVolumeAttachment forgets a volume attachment.
func (g *Graph) DeleteVolumeAttachment(name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.deleteVertexLocked(vaVertexType, "", name)
}

// AddResourceSlice records slice → node for a slice of one node's devices,
// replacing what was recorded of the slice; nothing if nodeName is empty.
func (g *Graph) AddResourceSlice(sliceName, nodeName string) {
	g.addToNode(sliceVertexType, "", sliceName, nodeName)
}

// DeleteResourceSlice forgets a resource slice.
func (g *Graph) DeleteResourceSlice(name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.deleteVertexLocked(sliceVertexType, "", name)
}

// AddPodCertificateRequest records request → node (the request names its
// pod's node; NodeRestriction checks that it is true), replacing what was
// recorded of it.
func (g *Graph) AddPodCertificateRequest(namespace, name, nodeName string) {
	g.addToNode(pcrVertexType, namespace, name, nodeName)
}

// DeletePodCertificateRequest forgets a pod certificate request.
func (g *Graph) DeletePodCertificateRequest(namespace, name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.deleteVertexLocked(pcrVertexType, namespace, name)
}

// addToNode replaces the edges of an object with one to node nodeName, or
// none if nodeName is empty. Upstream records a pod certificate request
// even with an empty node name (an edge to node ""); no node has that name.
func (g *Graph) addToNode(typ vertexType, namespace, name, nodeName string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.deleteVertexLocked(typ, namespace, name)
	if nodeName == "" && typ != pcrVertexType {
		return
	}
	v := g.getOrCreateLocked(typ, namespace, name)
	nodeVertex := g.getOrCreateLocked(nodeVertexType, "", nodeName)
	g.addEdgeLocked(v, nodeVertex, nodeVertex)
}

// hasPathFrom reports whether there is a path from the object to node
// nodeName; if not, the error says why, in upstream's words ("node 'n1'
// cannot get unknown secret default/s1").
func (g *Graph) hasPathFrom(nodeName string, typ vertexType, namespace, name string) (bool, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()

	nodeVertex := g.getLocked(nodeVertexType, "", nodeName)
	if nodeVertex == nil {
		return false, fmt.Errorf("unknown node '%s' cannot get %s %s/%s", nodeName, vertexTypes[typ], namespace, name)
	}
	start := g.getLocked(typ, namespace, name)
	if start == nil {
		return false, fmt.Errorf("node '%s' cannot get unknown %s %s/%s", nodeName, vertexTypes[typ], namespace, name)
	}
	// depth first, not following edges that lead to other nodes.
	seen := map[*vertex]bool{start: true}
	stack := []*vertex{start}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if v == nodeVertex {
			return true, nil
		}
		for to, e := range v.out {
			if e.destination != nil {
				if e.destination != nodeVertex {
					continue
				}
				return true, nil
			}
			if !seen[to] {
				seen[to] = true
				stack = append(stack, to)
			}
		}
	}
	return false, fmt.Errorf("node '%s' cannot get %s %s/%s, no relationship to this object was found in the node authorizer graph", nodeName, vertexTypes[typ], namespace, name)
}
