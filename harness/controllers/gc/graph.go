package gc

import (
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// objectReference is an object's coordinates in the graph: an owner
// reference's apiVersion, kind, name and uid, plus the namespace the object
// is (or, for an owner known only from references, is presumed to be) in.
// It is comparable, so it keys the absent-owner cache.
type objectReference struct {
	APIVersion string
	Kind       string
	Name       string
	UID        types.UID
	Namespace  string
}

func (r objectReference) String() string {
	return fmt.Sprintf("[%s/%s, namespace: %s, name: %s, uid: %s]", r.APIVersion, r.Kind, r.Namespace, r.Name, r.UID)
}

// refTo is the identity an owner reference names, placed in namespace.
func refTo(owner metav1.OwnerReference, namespace string) objectReference {
	return objectReference{APIVersion: owner.APIVersion, Kind: owner.Kind, Name: owner.Name, UID: owner.UID, Namespace: namespace}
}

// matches reports whether owner names r's apiVersion, kind, name and uid
// (namespaces are not part of an owner reference).
func (r objectReference) matches(owner metav1.OwnerReference) bool {
	return owner.UID == r.UID && owner.Name == r.Name && owner.Kind == r.Kind && owner.APIVersion == r.APIVersion
}

// node is an object in the dependency graph. The graph builder goroutine is
// the only writer of every field; workers read nodes concurrently, so the
// mutable fields are behind mu. identity never changes once the node is in
// the graph: a node whose identity must change is replaced by a clone.
//
// A virtual node stands for an owner that dependents name but that no
// informer has reported yet: it may not exist at all (a dangling reference),
// and its identity is what the first dependent said it was.
type node struct {
	identity objectReference

	// mu protects the fields below. No other lock is taken while it is held.
	mu sync.RWMutex
	// dependents are the nodes whose ownerReferences name this node's UID.
	dependents map[*node]struct{}
	// deletingDependents: the object has a deletionTimestamp and the
	// foregroundDeletion finalizer (it waits for its blocking dependents).
	deletingDependents bool
	// beingDeleted: the object has a deletionTimestamp; a one-way trip.
	beingDeleted bool
	// virtual: never observed through an informer (see the type's doc).
	virtual bool
	// owners are the object's ownerReferences as last observed.
	owners []metav1.OwnerReference
}

func newNode(identity objectReference) *node {
	return &node{identity: identity, dependents: map[*node]struct{}{}}
}

// clone copies n with every field; only the graph builder calls it.
func (n *node) clone() *node {
	n.mu.RLock()
	defer n.mu.RUnlock()
	c := &node{
		identity:           n.identity,
		dependents:         make(map[*node]struct{}, len(n.dependents)),
		deletingDependents: n.deletingDependents,
		beingDeleted:       n.beingDeleted,
		virtual:            n.virtual,
		owners:             append([]metav1.OwnerReference(nil), n.owners...),
	}
	for d := range n.dependents {
		c.dependents[d] = struct{}{}
	}
	return c
}

func (n *node) markBeingDeleted() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.beingDeleted = true
}

func (n *node) isBeingDeleted() bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.beingDeleted
}

func (n *node) markDeletingDependents() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.deletingDependents = true
}

func (n *node) isDeletingDependents() bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.deletingDependents
}

func (n *node) markObserved() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.virtual = false
}

func (n *node) isObserved() bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return !n.virtual
}

func (n *node) setOwners(owners []metav1.OwnerReference) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.owners = owners
}

// getOwners returns the owner references; callers must not modify them.
func (n *node) getOwners() []metav1.OwnerReference {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.owners
}

func (n *node) addDependent(d *node) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.dependents[d] = struct{}{}
}

func (n *node) deleteDependent(d *node) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.dependents, d)
}

func (n *node) dependentsLength() int {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return len(n.dependents)
}

// getDependents is a snapshot: dependents may come and go the moment it
// returns.
func (n *node) getDependents() []*node {
	n.mu.RLock()
	defer n.mu.RUnlock()
	deps := make([]*node, 0, len(n.dependents))
	for d := range n.dependents {
		deps = append(deps, d)
	}
	return deps
}

// blockingDependents are the dependents whose reference to n has
// blockOwnerDeletion=true: n's foreground deletion waits for them.
func (n *node) blockingDependents() []*node {
	var blocking []*node
	for _, d := range n.getDependents() {
		for _, owner := range d.getOwners() {
			if owner.UID == n.identity.UID && owner.BlockOwnerDeletion != nil && *owner.BlockOwnerDeletion {
				blocking = append(blocking, d)
			}
		}
	}
	return blocking
}

// uidToNode is the graph's index. The graph builder writes it; workers read.
type uidToNode struct {
	// mu protects nodes. It is never held while a node's mu is taken.
	mu    sync.RWMutex
	nodes map[types.UID]*node
}

func (g *uidToNode) write(n *node) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nodes[n.identity.UID] = n
}

func (g *uidToNode) read(uid types.UID) (*node, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n, ok := g.nodes[uid]
	return n, ok
}

func (g *uidToNode) delete(uid types.UID) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.nodes, uid)
}
