package admission

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/informers"
	corev1listers "k8s.io/client-go/listers/core/v1"
	resourcehelper "k8s.io/component-helpers/resource"
)

// PodResizeValidatorPluginName is the name of the plugin that checks an
// in-place resize of a bound pod against its node.
const PodResizeValidatorPluginName = "PodResizeValidator"

// The causes a refused resize carries, as upstream's.
const (
	reasonNodeCapacity        metav1.CauseType = "NodeCapacity"
	reasonUnsupportedPlatform metav1.CauseType = "UnsupportedPlatform"
)

// podResize is upstream's podresize plugin (InPlacePodVerticalScaling is
// GA in v1.37): an update through pods/resize that changes a bound pod's
// spec (its generation) is refused unless the pod's node is a Linux node
// (or has no OS label) whose allocatable CPU and memory cover the pod's
// requests after the resize.
type podResize struct {
	*admission.Handler
	nodes corev1listers.NodeLister
}

var _ admission.ValidationInterface = (*podResize)(nil)

func newPodResize(f informers.SharedInformerFactory) *podResize {
	nodes := f.Core().V1().Nodes()
	p := &podResize{Handler: admission.NewHandler(admission.Update), nodes: nodes.Lister()}
	p.SetReadyFunc(nodes.Informer().HasSynced)
	return p
}

func (p *podResize) Validate(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != corev1.Resource("pods") || a.GetSubresource() != "resize" {
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
		return nil // no change to the spec
	}
	if !p.WaitForReady() {
		return admission.NewForbidden(a, errors.New("not yet ready to handle request"))
	}
	node, err := p.nodes.Get(pod.Spec.NodeName)
	if apierrors.IsNotFound(err) {
		return admission.NewForbidden(a, fmt.Errorf("node %q not found", pod.Spec.NodeName))
	}
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("failed to get node %q: %w", pod.Spec.NodeName, err))
	}
	if os, ok := node.Labels[corev1.LabelOSStable]; ok && os != "linux" {
		return resizeForbidden(a, fmt.Errorf("pod resize is only supported on linux nodes, node %q is %q", node.Name, os), reasonUnsupportedPlatform)
	}
	if err := requestsWithinAllocatable(pod, node.Status.Allocatable); err != nil {
		return resizeForbidden(a, err, reasonNodeCapacity)
	}
	return nil
}

// resizeForbidden is a 403 for err with a cause of type reason.
func resizeForbidden(a admission.Attributes, err error, reason metav1.CauseType) error {
	forbidden := admission.NewForbidden(a, err)
	var status *apierrors.StatusError
	if errors.As(forbidden, &status) {
		status.ErrStatus.Details.Causes = append(status.ErrStatus.Details.Causes, metav1.StatusCause{Type: reason})
		return status
	}
	return forbidden
}

// requestsWithinAllocatable is upstream's validateRequestsWithinAllocatable:
// the pod's effective CPU and memory requests fit the node's allocatable.
func requestsWithinAllocatable(pod *corev1.Pod, allocatable corev1.ResourceList) error {
	cpuAllocatable, memAllocatable := allocatable.Cpu(), allocatable.Memory()
	requests := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
	cpu, mem := requests[corev1.ResourceCPU], requests[corev1.ResourceMemory]
	var msg []string
	if cpu.Cmp(*cpuAllocatable) > 0 {
		msg = append(msg, fmt.Sprintf("cpu, requested: %d, allocatable: %d", cpu.MilliValue(), cpuAllocatable.MilliValue()))
	}
	if mem.Cmp(*memAllocatable) > 0 {
		msg = append(msg, fmt.Sprintf("memory, requested: %d, allocatable: %d", mem.Value(), memAllocatable.Value()))
	}
	if len(msg) > 0 {
		return fmt.Errorf("node didn't have enough allocatable resources: %s", strings.Join(msg, "; "))
	}
	return nil
}
