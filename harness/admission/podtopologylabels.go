package admission

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/informers"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// PodTopologyLabelsPluginName is the name of the plugin that copies a
// node's zone and region labels to the pods bound to it.
const PodTopologyLabelsPluginName = "PodTopologyLabels"

// topologyLabels are the node labels the plugin copies (kube-apiserver's
// configuration of it).
var topologyLabels = []string{corev1.LabelTopologyZone, corev1.LabelTopologyRegion}

// podTopologyLabels is upstream's podtopologylabels plugin (its feature
// gate, PodTopologyLabelsAdmission, is on in v1.37): a pod created with a
// nodeName, and a pods/binding to a Node, get the node's
// topology.kubernetes.io/zone and region labels, overwriting the pod's.
// Nodes are read from an informer; a node it does not have contributes
// nothing.
type podTopologyLabels struct {
	*admission.Handler
	nodes corev1listers.NodeLister
}

var _ admission.MutationInterface = (*podTopologyLabels)(nil)

func newPodTopologyLabels(f informers.SharedInformerFactory) *podTopologyLabels {
	nodes := f.Core().V1().Nodes()
	p := &podTopologyLabels{Handler: admission.NewHandler(admission.Create), nodes: nodes.Lister()}
	p.SetReadyFunc(nodes.Informer().HasSynced)
	return p
}

func nodeInformers(f informers.SharedInformerFactory) []cache.SharedIndexInformer {
	return []cache.SharedIndexInformer{f.Core().V1().Nodes().Informer()}
}

func (p *podTopologyLabels) Admit(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != corev1.Resource("pods") {
		return nil
	}
	var nodeName string
	var labels *map[string]string
	switch a.GetSubresource() {
	case "":
		pod, ok := a.GetObject().(*corev1.Pod)
		if !ok {
			return fmt.Errorf("expected Pod but got %T", a.GetObject())
		}
		nodeName, labels = pod.Spec.NodeName, &pod.Labels
	case "binding":
		binding, ok := a.GetObject().(*corev1.Binding)
		if !ok {
			return fmt.Errorf("expected Binding but got %s", a.GetKind().Kind)
		}
		if binding.Target.Kind != "Node" {
			return nil
		}
		nodeName, labels = binding.Target.Name, &binding.Labels
	default:
		return nil
	}
	if nodeName == "" {
		return nil
	}
	if !p.WaitForReady() {
		return admission.NewForbidden(a, fmt.Errorf("not yet ready to handle request"))
	}
	node, err := p.nodes.Get(nodeName)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, key := range topologyLabels {
		value, ok := node.Labels[key]
		if !ok {
			continue
		}
		if *labels == nil {
			*labels = map[string]string{}
		}
		(*labels)[key] = value
	}
	return nil
}
