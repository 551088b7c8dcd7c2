package admission

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apiserver/pkg/admission"
)

// DefaultTolerationSecondsPluginName is the name of the plugin that lets
// every pod tolerate not-ready and unreachable nodes for 300 s.
const DefaultTolerationSecondsPluginName = "DefaultTolerationSeconds"

// defaultTolerationSeconds is kube-apiserver's
// --default-not-ready-toleration-seconds and
// --default-unreachable-toleration-seconds.
const defaultTolerationSeconds = 300

// defaultTolerations adds to a pod that has none for them the tolerations of
// the node.kubernetes.io/not-ready and node.kubernetes.io/unreachable
// NoExecute taints, for 300 s, on create and update: upstream's
// defaulttolerationseconds plugin. A toleration with an empty key or an
// empty effect counts as one for them.
type defaultTolerations struct {
	*admission.Handler
}

var _ admission.MutationInterface = (*defaultTolerations)(nil)

func newDefaultTolerationSeconds() *defaultTolerations {
	return &defaultTolerations{Handler: admission.NewHandler(admission.Create, admission.Update)}
}

func (p *defaultTolerations) Admit(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != corev1.Resource("pods") || a.GetSubresource() != "" {
		return nil
	}
	pod, ok := a.GetObject().(*corev1.Pod)
	if !ok {
		return apierrors.NewBadRequest(fmt.Sprintf("expected *api.Pod but got %T", a.GetObject()))
	}
	var notReady, unreachable bool
	for _, t := range pod.Spec.Tolerations {
		noExecute := t.Effect == corev1.TaintEffectNoExecute || t.Effect == ""
		notReady = notReady || (t.Key == corev1.TaintNodeNotReady || t.Key == "") && noExecute
		unreachable = unreachable || (t.Key == corev1.TaintNodeUnreachable || t.Key == "") && noExecute
	}
	if !notReady {
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, tolerateFor(corev1.TaintNodeNotReady))
	}
	if !unreachable {
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, tolerateFor(corev1.TaintNodeUnreachable))
	}
	return nil
}

// tolerateFor is the default toleration of the NoExecute taint key.
func tolerateFor(key string) corev1.Toleration {
	seconds := int64(defaultTolerationSeconds)
	return corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &seconds}
}
