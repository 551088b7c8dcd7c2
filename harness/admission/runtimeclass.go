package admission

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	nodev1listers "k8s.io/client-go/listers/node/v1"
	"k8s.io/client-go/tools/cache"
)

// RuntimeClassPluginName is the name of the plugin that applies a pod's
// RuntimeClass: its overhead and scheduling.
const RuntimeClassPluginName = "RuntimeClass"

// runtimeClass is upstream's runtimeclass plugin, on new pods that name a
// RuntimeClass (a 403 if it does not exist, looked up live when the
// informer does not have it):
//
//   - mutating: spec.overhead is set to the class's overhead.podFixed (a
//     403 if the pod has a different one); the class's
//     scheduling.nodeSelector is merged into the pod's (a 403 on a
//     conflicting value) and its tolerations into the pod's, keeping the
//     broader of two that overlap;
//   - validating: the overhead must still be the class's, and a pod whose
//     class has no overhead (or that has no class) may not have one.
type runtimeClass struct {
	*admission.Handler
	classes nodev1listers.RuntimeClassLister
	client  kubernetes.Interface
}

var (
	_ admission.MutationInterface   = (*runtimeClass)(nil)
	_ admission.ValidationInterface = (*runtimeClass)(nil)
)

func newRuntimeClass(f informers.SharedInformerFactory, client kubernetes.Interface) *runtimeClass {
	classes := f.Node().V1().RuntimeClasses()
	p := &runtimeClass{Handler: admission.NewHandler(admission.Create), classes: classes.Lister(), client: client}
	p.SetReadyFunc(classes.Informer().HasSynced)
	return p
}

func runtimeClassInformers(f informers.SharedInformerFactory) []cache.SharedIndexInformer {
	return []cache.SharedIndexInformer{f.Node().V1().RuntimeClasses().Informer()}
}

func (p *runtimeClass) Admit(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetSubresource() != "" || a.GetResource().GroupResource() != corev1.Resource("pods") {
		return nil
	}
	pod, class, err := p.objects(ctx, a)
	if err != nil || class == nil {
		return err
	}
	if class.Overhead != nil {
		if len(pod.Spec.Overhead) > 0 && !apiequality.Semantic.DeepEqual(class.Overhead.PodFixed, pod.Spec.Overhead) {
			return admission.NewForbidden(a, errors.New("pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead"))
		}
		pod.Spec.Overhead = class.Overhead.PodFixed.DeepCopy()
	}
	if s := class.Scheduling; s != nil {
		selector := pod.Spec.NodeSelector
		if selector == nil {
			selector = s.NodeSelector
		} else {
			for key, value := range s.NodeSelector {
				if podValue, ok := selector[key]; ok && podValue != value {
					return admission.NewForbidden(a, fmt.Errorf("conflict: runtimeClass.scheduling.nodeSelector[%s] = %s; pod.spec.nodeSelector[%s] = %s", key, value, key, podValue))
				}
				selector[key] = value
			}
		}
		pod.Spec.NodeSelector = selector
		pod.Spec.Tolerations = mergeTolerations(pod.Spec.Tolerations, s.Tolerations)
	}
	return nil
}

func (p *runtimeClass) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetSubresource() != "" || a.GetResource().GroupResource() != corev1.Resource("pods") {
		return nil
	}
	pod, class, err := p.objects(ctx, a)
	if err != nil {
		return err
	}
	if class != nil && class.Overhead != nil {
		if !apiequality.Semantic.DeepEqual(class.Overhead.PodFixed, pod.Spec.Overhead) {
			return admission.NewForbidden(a, errors.New("pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead"))
		}
	} else if pod.Spec.Overhead != nil {
		return admission.NewForbidden(a, errors.New("pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead"))
	}
	return nil
}

// objects returns the pod and its RuntimeClass (nil if it names none).
func (p *runtimeClass) objects(ctx context.Context, a admission.Attributes) (*corev1.Pod, *nodev1.RuntimeClass, error) {
	pod, ok := a.GetObject().(*corev1.Pod)
	if !ok {
		return nil, nil, apierrors.NewBadRequest("Resource was marked with kind Pod but was unable to be converted")
	}
	if pod.Spec.RuntimeClassName == nil {
		return pod, nil, nil
	}
	name := *pod.Spec.RuntimeClassName
	class, err := p.classes.Get(name)
	if apierrors.IsNotFound(err) {
		// the informer may lag: look it up live.
		class, err = p.client.NodeV1().RuntimeClasses().Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return pod, nil, admission.NewForbidden(a, fmt.Errorf("pod rejected: RuntimeClass %q not found", name))
		}
	}
	return pod, class, err
}

// mergeTolerations is upstream's MergeTolerations: both lists, without a
// toleration that another one tolerates a superset of (of two equal ones,
// the first stays).
func mergeTolerations(first, second []corev1.Toleration) []corev1.Toleration {
	all := append(append([]corev1.Toleration(nil), first...), second...)
	var merged []corev1.Toleration
next:
	for i, t := range all {
		for _, m := range merged {
			if isSuperset(m, t) {
				continue next
			}
		}
		for _, later := range all[i+1:] {
			if !apiequality.Semantic.DeepEqual(&t, &later) && isSuperset(later, t) {
				continue next
			}
		}
		merged = append(merged, t)
	}
	return merged
}

// isSuperset says whether ss tolerates every taint t does.
func isSuperset(ss, t corev1.Toleration) bool {
	if apiequality.Semantic.DeepEqual(&t, &ss) {
		return true
	}
	// an empty key with Exists matches every key.
	if t.Key != ss.Key && (ss.Key != "" || ss.Operator != corev1.TolerationOpExists) {
		return false
	}
	// an empty effect matches every effect.
	if t.Effect != ss.Effect && ss.Effect != "" {
		return false
	}
	if ss.Effect == corev1.TaintEffectNoExecute && ss.TolerationSeconds != nil {
		if t.TolerationSeconds == nil || *t.TolerationSeconds > *ss.TolerationSeconds {
			return false
		}
	}
	switch ss.Operator {
	case corev1.TolerationOpEqual, "":
		return t.Operator == corev1.TolerationOpEqual && t.Value == ss.Value
	case corev1.TolerationOpExists:
		return true
	}
	return false
}
