package builtin

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	storeerr "k8s.io/apiserver/pkg/storage/errors"
	"k8s.io/apiserver/pkg/util/dryrun"

	"github.com/memkube/memkube/harness/apis"
	"github.com/memkube/memkube/harness/registry"
)

// podBinding serves pods/binding and the legacy top-level bindings: what a
// scheduler calls to put a pod on a node.
func podBinding(k *registry.Kind) {
	k.Extra = func(store *genericregistry.Store) (map[string]rest.Storage, error) {
		return map[string]rest.Storage{"binding": &bindingREST{store: store}}, nil
	}
	k.Siblings = func(store *genericregistry.Store) map[string]rest.Storage {
		return map[string]rest.Storage{"bindings": &legacyBindingREST{&bindingREST{store: store}}}
	}
}

// bindingREST is pods/binding.
type bindingREST struct {
	store *genericregistry.Store
}

var (
	_ rest.NamedCreater         = &bindingREST{}
	_ rest.Creater              = &legacyBindingREST{}
	_ rest.SingularNameProvider = &legacyBindingREST{}
)

func (r *bindingREST) New() runtime.Object   { return &corev1.Binding{} }
func (r *bindingREST) Destroy()              {}
func (r *bindingREST) NamespaceScoped() bool { return true }

// Create binds the pod named in the URL to binding.target, as upstream:
// 409 when the pod is being deleted, already bound, or gated.
func (r *bindingREST) Create(ctx context.Context, name string, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	binding, ok := obj.(*corev1.Binding)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a Binding object: %#v", obj))
	}
	if name != binding.Name {
		return nil, apierrors.NewBadRequest("name in URL does not match name in Binding object")
	}
	if errs := validateBinding(binding); len(errs) != 0 {
		return nil, errs.ToAggregate()
	}
	if createValidation != nil {
		if err := createValidation(ctx, binding.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	if err := r.assign(ctx, binding, dryrun.IsDryRun(options.DryRun)); err != nil {
		return nil, err
	}
	return &metav1.Status{Status: metav1.StatusSuccess}, nil
}

func validateBinding(b *corev1.Binding) field.ErrorList {
	var errs field.ErrorList
	if b.Target.Kind != "" && b.Target.Kind != "Node" {
		errs = append(errs, field.NotSupported(field.NewPath("target", "kind"), b.Target.Kind, []string{"Node", "<empty>"}))
	}
	if b.Target.Name == "" {
		errs = append(errs, field.Required(field.NewPath("target", "name"), ""))
	}
	return errs
}

// initContainerAnnotations are legacy annotations a binding may not carry onto a pod.
var initContainerAnnotations = []string{
	"pod.beta.kubernetes.io/init-containers",
	"pod.alpha.kubernetes.io/init-containers",
	"pod.beta.kubernetes.io/init-container-statuses",
	"pod.alpha.kubernetes.io/init-container-statuses",
}

func (r *bindingREST) assign(ctx context.Context, b *corev1.Binding, dryRun bool) error {
	key, err := r.store.KeyFunc(ctx, b.Name)
	if err != nil {
		return err
	}
	var preconditions *storage.Preconditions
	if b.UID != "" || b.ResourceVersion != "" {
		preconditions = &storage.Preconditions{}
		if b.UID != "" {
			uid := types.UID(b.UID)
			preconditions.UID = &uid
		}
		if b.ResourceVersion != "" {
			preconditions.ResourceVersion = &b.ResourceVersion
		}
	}
	err = r.store.Storage.GuaranteedUpdate(ctx, key, &corev1.Pod{}, false, preconditions, storage.SimpleUpdate(func(obj runtime.Object) (runtime.Object, error) {
		pod := obj.(*corev1.Pod)
		switch {
		case pod.DeletionTimestamp != nil:
			return nil, fmt.Errorf("pod %s is being deleted, cannot be assigned to a host", pod.Name)
		case pod.Spec.NodeName != "":
			return nil, fmt.Errorf("pod %v is already assigned to node %q", pod.Name, pod.Spec.NodeName)
		case len(pod.Spec.SchedulingGates) != 0:
			return nil, fmt.Errorf("pod %v has non-empty .spec.schedulingGates", pod.Name)
		}
		pod.Spec.NodeName = b.Target.Name
		// ClearingNominatedNodeNameAfterBinding and PodTopologyLabelsAdmission are on in v1.37.
		pod.Status.NominatedNodeName = ""
		if pod.Annotations == nil {
			pod.Annotations = map[string]string{}
		}
		for k, v := range b.Annotations {
			pod.Annotations[k] = v
		}
		for _, k := range initContainerAnnotations {
			delete(pod.Annotations, k)
		}
		if len(b.Labels) > 0 && pod.Labels == nil {
			pod.Labels = map[string]string{}
		}
		for k, v := range b.Labels {
			pod.Labels[k] = v
		}
		setPodScheduled(ctx, &pod.Status)
		return pod, nil
	}), dryRun, nil)
	if err != nil {
		err = storeerr.InterpretGetError(err, corev1.Resource("pods"), b.Name)
		err = storeerr.InterpretUpdateError(err, corev1.Resource("pods"), b.Name)
		if _, ok := err.(*apierrors.StatusError); !ok {
			err = apierrors.NewConflict(corev1.Resource("pods/binding"), b.Name, err)
		}
	}
	return err
}

// setPodScheduled sets the PodScheduled condition True, moving its
// transition time only when its status changes.
func setPodScheduled(ctx context.Context, status *corev1.PodStatus) {
	now := registry.Now(ctx)
	for i, c := range status.Conditions {
		if c.Type == corev1.PodScheduled {
			if c.Status != corev1.ConditionTrue {
				status.Conditions[i].LastTransitionTime = now
			}
			status.Conditions[i].Status = corev1.ConditionTrue
			status.Conditions[i].Reason, status.Conditions[i].Message = "", ""
			status.Conditions[i].LastProbeTime = metav1.Time{}
			return
		}
	}
	status.Conditions = append(status.Conditions, corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now})
}

// legacyBindingREST is the top-level v1 bindings resource: the pod is named
// in the Binding, not the URL.
type legacyBindingREST struct {
	*bindingREST
}

func (r *legacyBindingREST) GetSingularName() string { return "binding" }

func (r *legacyBindingREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a Binding object: %T", obj))
	}
	return r.bindingREST.Create(ctx, m.GetName(), obj, createValidation, options)
}

// podCreate is upstream's pod PrepareForCreate: status starts Pending with
// the pod's QoS class; a pod with scheduling gates says so in PodScheduled;
// matchLabelKeys and mismatchLabelKeys become selector terms.
func podCreate(k *registry.Kind) {
	k.PrepareForCreate = func(ctx context.Context, obj runtime.Object) {
		pod := obj.(*corev1.Pod)
		pod.Status = corev1.PodStatus{Phase: corev1.PodPending}
		if len(pod.Spec.SchedulingGates) > 0 {
			pod.Status.Conditions = []corev1.PodCondition{{
				Type: corev1.PodScheduled, Status: corev1.ConditionFalse, LastTransitionTime: registry.Now(ctx),
				Reason: corev1.PodReasonSchedulingGated, Message: "Scheduling is blocked due to non-empty scheduling gates",
			}}
		}
		mergeLabelKeys(pod)
		pod.Status.QOSClass = apis.ComputePodQOS(pod)
	}
}
