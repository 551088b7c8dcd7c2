package admission

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/informers"
	schedulingv1listers "k8s.io/client-go/listers/scheduling/v1"
	"k8s.io/client-go/tools/cache"
)

// PriorityPluginName is the name of the plugin that resolves a pod's
// priority from its PriorityClass.
const PriorityPluginName = "Priority"

// priority is upstream's priority plugin for pods and PriorityClasses
// (PodGroups and CompositePodGroups are alpha and beta, not served):
//
//   - a new pod gets the value and preemption policy of the PriorityClass
//     it names (403 if there is none of that name), or of the global
//     default class, or priority 0 and PreemptLowerPriority; a priority or
//     preemption policy of its own that differs is a 403;
//   - an update keeps the pod's priority and preemption policy;
//   - a second globalDefault PriorityClass is a 403.
//
// Classes are read from an informer, as upstream: a pod created right
// after its class may not see it yet.
type priority struct {
	*admission.Handler
	classes schedulingv1listers.PriorityClassLister
}

var (
	_ admission.MutationInterface   = (*priority)(nil)
	_ admission.ValidationInterface = (*priority)(nil)
)

func newPriority(f informers.SharedInformerFactory) *priority {
	classes := f.Scheduling().V1().PriorityClasses()
	p := &priority{Handler: admission.NewHandler(admission.Create, admission.Update, admission.Delete), classes: classes.Lister()}
	p.SetReadyFunc(classes.Informer().HasSynced)
	return p
}

func priorityInformers(f informers.SharedInformerFactory) []cache.SharedIndexInformer {
	return []cache.SharedIndexInformer{f.Scheduling().V1().PriorityClasses().Informer()}
}

func (p *priority) Admit(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	op := a.GetOperation()
	if a.GetSubresource() != "" || a.GetResource().GroupResource() != corev1.Resource("pods") || (op != admission.Create && op != admission.Update) {
		return nil
	}
	pod, ok := a.GetObject().(*corev1.Pod)
	if !ok {
		return apierrors.NewBadRequest("resource was marked with kind Pod but was unable to be converted")
	}
	switch op {
	case admission.Update:
		old, ok := a.GetOldObject().(*corev1.Pod)
		if !ok {
			return apierrors.NewBadRequest("resource was marked with kind Pod but was unable to be converted")
		}
		// set on create; validation refuses other changes.
		if pod.Spec.Priority == nil && old.Spec.Priority != nil {
			pod.Spec.Priority = old.Spec.Priority
		}
		if pod.Spec.PreemptionPolicy == nil && old.Spec.PreemptionPolicy != nil {
			pod.Spec.PreemptionPolicy = old.Spec.PreemptionPolicy
		}
	case admission.Create:
		name, value, policy, err := p.establish(a, pod.Spec.PriorityClassName)
		if err != nil {
			return err
		}
		pod.Spec.PriorityClassName = name
		if pod.Spec.Priority != nil && *pod.Spec.Priority != value {
			return admission.NewForbidden(a, fmt.Errorf("the integer value of priority (%d) must not be provided in pod spec; priority admission controller computed %d from the given PriorityClass name", *pod.Spec.Priority, value))
		}
		pod.Spec.Priority = &value
		if policy != nil {
			if pod.Spec.PreemptionPolicy != nil && *pod.Spec.PreemptionPolicy != *policy {
				return admission.NewForbidden(a, fmt.Errorf("the string value of PreemptionPolicy (%s) must not be provided in pod spec; priority admission controller computed %s from the given PriorityClass name", *pod.Spec.PreemptionPolicy, *policy))
			}
			pod.Spec.PreemptionPolicy = policy
		}
	}
	return nil
}

func (p *priority) Validate(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetSubresource() != "" || a.GetResource().GroupResource() != schedulingv1.Resource("priorityclasses") {
		return nil
	}
	op := a.GetOperation()
	if op != admission.Create && op != admission.Update {
		return nil
	}
	pc, ok := a.GetObject().(*schedulingv1.PriorityClass)
	if !ok {
		return apierrors.NewBadRequest("resource was marked with kind PriorityClass but was unable to be converted")
	}
	if !pc.GlobalDefault {
		return nil
	}
	def, err := p.defaultClass()
	if err != nil {
		return fmt.Errorf("failed to get default priority class: %v", err)
	}
	if def != nil && (op == admission.Create || def.Name != pc.Name) {
		return admission.NewForbidden(a, fmt.Errorf("PriorityClass %v is already marked as default. Only one default can exist", def.Name))
	}
	return nil
}

// establish resolves a priority class name: the named class, else the
// global default, else no class, priority 0 and PreemptLowerPriority.
func (p *priority) establish(a admission.Attributes, className string) (string, int32, *corev1.PreemptionPolicy, error) {
	if className == "" {
		def, err := p.defaultClass()
		if err != nil {
			return "", 0, nil, fmt.Errorf("error occurred while retrieving default priority class: %w", err)
		}
		if def != nil {
			return def.Name, def.Value, def.PreemptionPolicy, nil
		}
		lower := corev1.PreemptLowerPriority
		return "", 0, &lower, nil
	}
	pc, err := p.classes.Get(className)
	if apierrors.IsNotFound(err) {
		return "", 0, nil, admission.NewForbidden(a, fmt.Errorf("no PriorityClass with name %v was found", className))
	}
	if err != nil {
		return "", 0, nil, fmt.Errorf("failed to resolve PriorityClass with name %s: %w", className, err)
	}
	return className, pc.Value, pc.PreemptionPolicy, nil
}

// defaultClass is the globalDefault class; if a race made several, the
// one of lowest value.
func (p *priority) defaultClass() (*schedulingv1.PriorityClass, error) {
	list, err := p.classes.List(labels.Everything())
	if err != nil {
		return nil, err
	}
	var def *schedulingv1.PriorityClass
	for _, pc := range list {
		if pc.GlobalDefault && (def == nil || def.Value > pc.Value) {
			def = pc
		}
	}
	return def, nil
}
