// Package node is kube-apiserver v1.37's Node authorizer
// (--authorization-mode=Node, plugin/pkg/auth/authorizer/node), written
// from upstream's source (k8s.io/kubernetes is not imported). It decides
// the requests of kubelets, users named system:node:<nodeName> in group
// system:nodes (harness/auth/nodeidentity), and has no opinion on anyone
// else's:
//
//   - secrets, config maps, PVCs, PVs, resource claims, volume
//     attachments, service accounts (and their tokens), resource slices
//     and pod certificate requests: only those related to the node in a
//     Graph of the cluster's bound pods, PVs, attachments, slices and
//     requests, kept up to date by informers;
//   - its own Node and Lease and CSINode, pods bound to it (list and
//     watch with a spec.nodeName field selector), mirror pods, pod status
//     and evictions; what a node may write is narrowed further by the
//     NodeRestriction admission plugin;
//   - anything else by the rules of the bootstrap ClusterRole system:node
//     (upstream's bootstrappolicy.NodeRules), matched as RBAC matches them.
//
// A request it does not allow gets no opinion, with upstream's reason
// ("no relationship found between node 'n1' and this object", "can only
// get individual resources of this type"): the next authorizer (RBAC)
// decides.
//
// Known gaps: the feature gates upstream consults are at their v1.37
// defaults, whatever the process enables (KubeletServiceAccountTokenForCredentialProviders
// and PodCertificateRequest on, CSIVolumeHealth off); the graph has no
// destination-edge index (upstream's speed-up for vertices of 200 edges
// and more; the answers are the same); no metrics; denials are logged at
// V(2) in memkube's words.
package node

import (
	"context"
	"errors"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/memkube/memkube/harness/auth/nodeidentity"
	"github.com/memkube/memkube/harness/auth/rbac"
)

// The feature gates of kube-apiserver v1.37 that change the authorizer's
// decisions, at their defaults.
const (
	kubeletServiceAccountTokenForCredentialProviders = true
	podCertificateRequest                            = true
	csiVolumeHealth                                  = false
)

// Authorizer is kube-apiserver's Node authorizer (see the package doc).
type Authorizer struct {
	graph     *Graph
	nodeRules []rbacv1.PolicyRule
	synced    []cache.InformerSynced
}

var (
	_ authorizer.Authorizer   = (*Authorizer)(nil)
	_ authorizer.RuleResolver = (*Authorizer)(nil)
)

// NewAuthorizer returns a Node authorizer whose graph the informers of
// factory keep up to date: it registers its handlers, factory.Start
// starts the informers, and until HasSynced the graph may miss objects
// (requests it would allow get no opinion). It starts no goroutine.
func NewAuthorizer(factory informers.SharedInformerFactory) (*Authorizer, error) {
	g := NewGraph()
	synced, err := populate(g, factory)
	if err != nil {
		return nil, err
	}
	a := newAuthorizer(g, nodeRules())
	a.synced = synced
	return a, nil
}

func newAuthorizer(g *Graph, rules []rbacv1.PolicyRule) *Authorizer {
	return &Authorizer{graph: g, nodeRules: rules}
}

// nodeRules are the rules of the bootstrap ClusterRole system:node, which
// upstream builds from the same function, NodeRules, as the authorizer's.
func nodeRules() []rbacv1.PolicyRule {
	for _, r := range rbac.BootstrapPolicy().ClusterRoles {
		if r.Name == "system:node" {
			return r.Rules
		}
	}
	panic("node authorizer: the bootstrap policy has no ClusterRole system:node")
}

// HasSynced reports whether the graph has seen every object the informers
// listed first.
func (a *Authorizer) HasSynced() bool {
	for _, synced := range a.synced {
		if !synced() {
			return false
		}
	}
	return true
}

var (
	configMapResource     = schema.GroupResource{Resource: "configmaps"}
	secretResource        = schema.GroupResource{Resource: "secrets"}
	podResource           = schema.GroupResource{Resource: "pods"}
	nodeResource          = schema.GroupResource{Resource: "nodes"}
	pvcResource           = schema.GroupResource{Resource: "persistentvolumeclaims"}
	pvResource            = schema.GroupResource{Resource: "persistentvolumes"}
	svcAcctResource       = schema.GroupResource{Resource: "serviceaccounts"}
	resourceSlice         = schema.GroupResource{Group: "resource.k8s.io", Resource: "resourceslices"}
	resourceClaimResource = schema.GroupResource{Group: "resource.k8s.io", Resource: "resourceclaims"}
	vaResource            = schema.GroupResource{Group: "storage.k8s.io", Resource: "volumeattachments"}
	csiNodeResource       = schema.GroupResource{Group: "storage.k8s.io", Resource: "csinodes"}
	leaseResource         = schema.GroupResource{Group: "coordination.k8s.io", Resource: "leases"}
	pcrResource           = schema.GroupResource{Group: "certificates.k8s.io", Resource: "podcertificaterequests"}
)

// errRulesNotSupported is RulesFor's answer for a node, as upstream's.
var errRulesNotSupported = errors.New("node authorizer does not support user rule resolution")

// RulesFor says that a node's permissions are not enumerable (incomplete,
// with an error, as upstream); others get no rules from this authorizer.
func (a *Authorizer) RulesFor(_ context.Context, u user.Info, _ string) ([]authorizer.ResourceRuleInfo, []authorizer.NonResourceRuleInfo, bool, error) {
	if _, isNode := nodeidentity.Of(u); isNode {
		return nil, nil, true, errRulesNotSupported
	}
	return nil, nil, false, nil
}

// ConditionsAwareAuthorize is Authorize: the authorizer has no conditions.
func (a *Authorizer) ConditionsAwareAuthorize(ctx context.Context, attrs authorizer.Attributes) authorizer.ConditionsAwareDecision {
	return authorizer.ConditionsAwareDecisionFromParts(a.Authorize(ctx, attrs))
}

// EvaluateConditions fails closed: the authorizer has no conditions.
func (*Authorizer) EvaluateConditions(context.Context, authorizer.ConditionsAwareDecision, authorizer.ConditionsData) (authorizer.Decision, string, error) {
	return authorizer.DecisionDeny, "", authorizer.ErrorConditionEvaluationNotSupported
}

// Authorize decides a node's request as upstream's NodeAuthorizer (see the
// package doc): allow, or no opinion with a reason. It never denies, and
// has no opinion, without a reason, on requests of users that are not
// nodes.
func (a *Authorizer) Authorize(ctx context.Context, attrs authorizer.Attributes) (authorizer.Decision, string, error) {
	nodeName, isNode := nodeidentity.Of(attrs.GetUser())
	if !isNode {
		return authorizer.DecisionNoOpinion, "", nil
	}
	r := request{attrs: attrs, node: nodeName, graph: a.graph, logger: klog.FromContext(ctx)}
	if nodeName == "" {
		return r.noOpinion(fmt.Sprintf("unknown node for user %q", attrs.GetUser().GetName()))
	}
	if attrs.IsResourceRequest() {
		switch (schema.GroupResource{Group: attrs.GetAPIGroup(), Resource: attrs.GetResource()}) {
		case secretResource:
			return r.readNamespaced(secretVertexType)
		case configMapResource:
			return r.readNamespaced(configMapVertexType)
		case pvcResource:
			if attrs.GetSubresource() == "status" {
				return r.statusUpdate(pvcVertexType)
			}
			return r.get(pvcVertexType)
		case pvResource:
			return r.get(pvVertexType)
		case resourceClaimResource:
			return r.get(resourceClaimVertexType)
		case vaResource:
			return r.get(vaVertexType)
		case svcAcctResource:
			return r.serviceAccount()
		case leaseResource:
			return r.lease()
		case csiNodeResource:
			return r.csiNode()
		case resourceSlice:
			return r.resourceSlice()
		case nodeResource:
			return r.nodeObject()
		case podResource:
			return r.pod()
		case pcrResource:
			if podCertificateRequest {
				return r.podCertificateRequest()
			}
			return authorizer.DecisionNoOpinion, "", nil
		}
	}
	// other resources are not subdivided: the static rules decide.
	for i := range a.nodeRules {
		if rbac.RuleAllows(attrs, &a.nodeRules[i]) {
			return authorizer.DecisionAllow, "", nil
		}
	}
	return authorizer.DecisionNoOpinion, "", nil
}
