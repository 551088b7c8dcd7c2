package admission

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	versionutil "k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/informers"
	corev1listers "k8s.io/client-go/listers/core/v1"
	ndf "k8s.io/component-helpers/nodedeclaredfeatures"
)

// NodeDeclaredFeatureValidatorPluginName is the name of the plugin that
// checks an update of a bound pod against the features its node declares.
const NodeDeclaredFeatureValidatorPluginName = "NodeDeclaredFeatureValidator"

// kubeVersion is the version the plugin infers feature requirements for:
// kube-apiserver's own (harness.Version; harness imports this package).
var kubeVersion = versionutil.MustParse("1.37.1")

// nodeDeclaredFeatures is upstream's nodedeclaredfeatures plugin
// (NodeDeclaredFeatures is GA in v1.37): an update of a bound pod (or
// through pods/resize) that changes its spec (its generation) and needs
// node features — as k8s.io/component-helpers' framework infers them, e.g.
// resizing pod-level resources — is refused unless the pod's node lists
// them in status.declaredFeatures. Its ResourceSlice check belongs to
// DRANodeAllocatableResources, alpha and off in v1.37, so it is not here.
type nodeDeclaredFeatures struct {
	*admission.Handler
	nodes     corev1listers.NodeLister
	framework *ndf.Framework
}

var _ admission.ValidationInterface = (*nodeDeclaredFeatures)(nil)

func newNodeDeclaredFeatures(f informers.SharedInformerFactory) *nodeDeclaredFeatures {
	nodes := f.Core().V1().Nodes()
	p := &nodeDeclaredFeatures{Handler: admission.NewHandler(admission.Create, admission.Update), nodes: nodes.Lister(), framework: ndf.DefaultFramework}
	p.SetReadyFunc(nodes.Informer().HasSynced)
	return p
}

func (p *nodeDeclaredFeatures) Validate(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != corev1.Resource("pods") || a.GetOperation() != admission.Update {
		return nil
	}
	if sub := a.GetSubresource(); sub != "" && sub != "resize" {
		return nil
	}
	pod, ok := a.GetObject().(*corev1.Pod)
	if !ok {
		return apierrors.NewBadRequest(fmt.Sprintf("expected a pod but got a %T", a.GetObject()))
	}
	if pod.Spec.NodeName == "" {
		return nil
	}
	old, ok := a.GetOldObject().(*corev1.Pod)
	if !ok {
		return apierrors.NewBadRequest(fmt.Sprintf("expected an old pod but got a %T", a.GetOldObject()))
	}
	if old.Generation == pod.Generation {
		return nil
	}
	if !p.WaitForReady() {
		return admission.NewForbidden(a, errors.New("not yet ready to handle request"))
	}
	reqs, err := p.framework.InferForPodUpdate(&ndf.PodInfo{Spec: &old.Spec, Status: &old.Status}, &ndf.PodInfo{Spec: &pod.Spec, Status: &pod.Status}, kubeVersion)
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("failed to infer pod capability requirements: %w", err))
	}
	if reqs.IsEmpty() {
		return nil
	}
	node, err := p.nodes.Get(pod.Spec.NodeName)
	if apierrors.IsNotFound(err) {
		return admission.NewForbidden(a, fmt.Errorf("node %q not found", pod.Spec.NodeName))
	}
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("failed to get node %q: %w", pod.Spec.NodeName, err))
	}
	result, err := p.framework.MatchNode(reqs, node)
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("failed to match pod requirements against node %q: %w", node.Name, err))
	}
	if !result.IsMatch {
		return admission.NewForbidden(a, fmt.Errorf("pod update requires features %s which are not available on node %q", strings.Join(result.UnsatisfiedRequirements, ", "), node.Name))
	}
	return nil
}
