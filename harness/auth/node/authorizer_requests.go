package node

import (
	"fmt"

	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/klog/v2"
)

// nodeLeaseNamespace is where nodes' leases live.
const nodeLeaseNamespace = "kube-node-lease"

// request is one node's request being decided; its methods are upstream's
// authorize* functions, with their reasons.
type request struct {
	attrs  authorizer.Attributes
	node   string
	graph  *Graph
	logger klog.Logger
}

var allow = authorizer.DecisionAllow

// noOpinion declines the request with reason, logged as upstream's
// "NODE DENY" lines are, at V(2).
func (r request) noOpinion(reason string) (authorizer.Decision, string, error) {
	r.logger.V(2).Info("NODE DENY", "node", r.node, "verb", r.attrs.GetVerb(), "resource", r.attrs.GetResource(),
		"subresource", r.attrs.GetSubresource(), "namespace", r.attrs.GetNamespace(), "name", r.attrs.GetName(), "reason", reason)
	return authorizer.DecisionNoOpinion, reason, nil
}

// statusUpdate allows update and patch of the status of an object related
// to the node.
func (r request) statusUpdate(typ vertexType) (authorizer.Decision, string, error) {
	switch r.attrs.GetVerb() {
	case "update", "patch":
	default:
		return r.noOpinion("can only get/update/patch this type")
	}
	if r.attrs.GetSubresource() != "status" {
		return r.noOpinion("can only update status subresource")
	}
	return r.related(typ)
}

// get allows a get of an object related to the node.
func (r request) get(typ vertexType) (authorizer.Decision, string, error) {
	if r.attrs.GetVerb() != "get" {
		return r.noOpinion("can only get individual resources of this type")
	}
	if r.attrs.GetSubresource() != "" {
		return r.noOpinion("cannot get subresource")
	}
	return r.related(typ)
}

// readNamespaced allows get, list and watch of one namespaced object
// related to the node (a list or watch names it with a
// metadata.name field selector).
func (r request) readNamespaced(typ vertexType) (authorizer.Decision, string, error) {
	switch r.attrs.GetVerb() {
	case "get", "list", "watch":
	default:
		return r.noOpinion("can only read resources of this type")
	}
	if r.attrs.GetSubresource() != "" {
		return r.noOpinion("cannot read subresource")
	}
	if r.attrs.GetNamespace() == "" {
		return r.noOpinion("can only read namespaced object of this type")
	}
	return r.related(typ)
}

// related allows the request if its object is related to the node in the
// graph.
func (r request) related(typ vertexType) (authorizer.Decision, string, error) {
	if r.attrs.GetName() == "" {
		return r.noOpinion("No Object name found")
	}
	if ok, err := r.graph.hasPathFrom(r.node, typ, r.attrs.GetNamespace(), r.attrs.GetName()); !ok {
		// the reason does not say why; the log does, as upstream's
		// ("node 'n1' cannot get unknown secret default/s1").
		r.logger.V(2).Info("NODE DENY", "err", err)
		return authorizer.DecisionNoOpinion, fmt.Sprintf("no relationship found between node '%s' and this object", r.node), nil
	}
	return allow, "", nil
}

// serviceAccount allows a get of a service account of a pod on the node,
// and the creation of its tokens.
func (r request) serviceAccount() (authorizer.Decision, string, error) {
	if r.attrs.GetVerb() == "get" && r.attrs.GetSubresource() == "" {
		if !kubeletServiceAccountTokenForCredentialProviders && !podCertificateRequest {
			return r.noOpinion("not allowed to get service accounts")
		}
		return r.readNamespaced(serviceAccountVertexType)
	}
	if r.attrs.GetVerb() != "create" || r.attrs.GetName() == "" {
		return r.noOpinion("can only create tokens for individual service accounts")
	}
	if r.attrs.GetSubresource() != "token" {
		return r.noOpinion("can only create token subresource of serviceaccount")
	}
	return r.related(serviceAccountVertexType)
}

// lease allows a node its own Lease in kube-node-lease. A create names no
// object: NodeRestriction checks its name.
func (r request) lease() (authorizer.Decision, string, error) {
	verb := r.attrs.GetVerb()
	switch verb {
	case "get", "create", "update", "patch", "delete":
	default:
		return r.noOpinion("can only get, create, update, patch, or delete a node lease")
	}
	if r.attrs.GetNamespace() != nodeLeaseNamespace {
		return r.noOpinion(fmt.Sprintf("can only access leases in the %q system namespace", nodeLeaseNamespace))
	}
	if verb != "create" && r.attrs.GetName() != r.node {
		return r.noOpinion("can only access node lease with the same name as the requesting node")
	}
	return allow, "", nil
}

// csiNode allows a node its own CSINode (its status only with
// CSIVolumeHealth).
func (r request) csiNode() (authorizer.Decision, string, error) {
	verb := r.attrs.GetVerb()
	switch r.attrs.GetSubresource() {
	case "":
		switch verb {
		case "get", "create", "update", "patch", "delete":
		default:
			return r.noOpinion("can only get, create, update, patch, or delete a CSINode")
		}
	case "status":
		if !csiVolumeHealth {
			return r.noOpinion("CSINode status access requires CSIVolumeHealth feature")
		}
		switch verb {
		case "get", "update", "patch":
		default:
			return r.noOpinion("can only get, update, or patch CSINode status")
		}
	default:
		return r.noOpinion("cannot authorize CSINode subresources")
	}
	if verb != "create" && r.attrs.GetName() != r.node {
		return r.noOpinion("can only access CSINode with the same name as the requesting node")
	}
	return allow, "", nil
}

// resourceSlice allows a node the slices of its devices: create (NodeRestriction
// checks spec.nodeName), reads and writes of slices of the node in the
// graph, and lists, watches and collection deletes selecting
// spec.nodeName=<node>.
func (r request) resourceSlice() (authorizer.Decision, string, error) {
	if r.attrs.GetSubresource() != "" {
		return r.noOpinion("cannot authorize ResourceSlice subresources")
	}
	switch r.attrs.GetVerb() {
	case "create":
		return allow, "", nil
	case "get", "update", "patch", "delete":
		return r.related(sliceVertexType)
	case "watch", "list", "deletecollection":
		if r.selectsNode("spec.nodeName") {
			return allow, "", nil
		}
		return r.noOpinion("can only list/watch/deletecollection resourceslices with nodeName field selector")
	default:
		return r.noOpinion("only the following verbs are allowed for a ResourceSlice: get, watch, list, create, update, patch, delete, deletecollection")
	}
}

// podCertificateRequest allows a node to create requests (NodeRestriction
// checks them), get those of its pods, and list or watch them selecting
// spec.nodeName=<node>.
func (r request) podCertificateRequest() (authorizer.Decision, string, error) {
	if r.attrs.GetSubresource() != "" {
		return r.noOpinion("nodes may not access the status subresource of PodCertificateRequests")
	}
	switch r.attrs.GetVerb() {
	case "create":
		return allow, "", nil
	case "get":
		return r.related(pcrVertexType)
	case "list", "watch":
		if r.selectsNode("spec.nodeName") {
			return allow, "", nil
		}
		return r.noOpinion("can only list/watch podcertificaterequests with nodeName field selector")
	}
	return r.noOpinion(fmt.Sprintf("nodes may not %s podcertificaterequests", r.attrs.GetVerb()))
}

// nodeObject allows a node to read its own Node (by name, even before it
// exists) and to create and update Nodes and their status (NodeRestriction
// limits them to its own).
func (r request) nodeObject() (authorizer.Decision, string, error) {
	switch r.attrs.GetSubresource() {
	case "":
		switch r.attrs.GetVerb() {
		case "create", "update", "patch":
			return allow, "", nil
		case "get", "list", "watch":
			switch r.attrs.GetName() {
			case r.node:
				return allow, "", nil
			case "":
				return r.noOpinion(fmt.Sprintf("node '%s' cannot read all nodes, only its own Node object", r.node))
			default:
				return r.noOpinion(fmt.Sprintf("node '%s' cannot read '%s', only its own Node object", r.node, r.attrs.GetName()))
			}
		}
	case "status":
		switch r.attrs.GetVerb() {
		case "update", "patch":
			return allow, "", nil
		}
	}
	return r.noOpinion("")
}

// pod allows a node to get pods bound to it, list and watch them with a
// spec.nodeName=<node> field selector, create and delete (mirror) pods,
// update their status and evict them; NodeRestriction limits the writes
// to its own pods.
func (r request) pod() (authorizer.Decision, string, error) {
	switch r.attrs.GetSubresource() {
	case "":
		switch r.attrs.GetVerb() {
		case "get":
			return r.get(podVertexType)
		case "list", "watch":
			if r.selectsNode("spec.nodeName") {
				return allow, "", nil
			}
			if r.attrs.GetName() != "" {
				return r.related(podVertexType)
			}
			return r.noOpinion("can only list/watch pods with spec.nodeName field selector")
		case "create", "delete":
			return allow, "", nil
		}
	case "status":
		switch r.attrs.GetVerb() {
		case "update", "patch":
			return allow, "", nil
		}
	case "eviction":
		if r.attrs.GetVerb() == "create" {
			return allow, "", nil
		}
	}
	return r.noOpinion("")
}

// selectsNode reports whether the request's field selector requires
// field == <node>.
func (r request) selectsNode(field string) bool {
	reqs, _ := r.attrs.GetFieldSelector()
	for _, req := range reqs {
		if req.Field == field && req.Operator == selection.Equals && req.Value == r.node {
			return true
		}
	}
	return false
}
