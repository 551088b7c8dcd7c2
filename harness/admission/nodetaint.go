package admission

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apiserver/pkg/admission"
)

// TaintNodesByConditionPluginName is the name of the plugin that taints
// new nodes not-ready.
const TaintNodesByConditionPluginName = "TaintNodesByCondition"

// nodeTaint gives every new node the node.kubernetes.io/not-ready
// NoSchedule taint, so that nothing is scheduled on it before it is ready:
// upstream's nodetaint plugin. In a cluster the node lifecycle controller
// removes the taint once the node is Ready; memkube runs no such
// controller, so a test that wants pods scheduled removes it itself.
type nodeTaint struct {
	*admission.Handler
}

var _ admission.MutationInterface = (*nodeTaint)(nil)

func newNodeTaint() *nodeTaint {
	return &nodeTaint{Handler: admission.NewHandler(admission.Create)}
}

func (p *nodeTaint) Admit(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != corev1.Resource("nodes") || a.GetSubresource() != "" {
		return nil
	}
	node, ok := a.GetObject().(*corev1.Node)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("unexpected type %T", a.GetObject()))
	}
	notReady := corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}
	for _, t := range node.Spec.Taints {
		if t.MatchTaint(&notReady) {
			return nil
		}
	}
	node.Spec.Taints = append(node.Spec.Taints, notReady)
	return nil
}
