package builtin

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	storeerr "k8s.io/apiserver/pkg/storage/errors"
	"k8s.io/apiserver/pkg/util/dryrun"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/memkube/memkube/harness/registry"
)

// namespaceLifecycle is how kube-apiserver keeps namespaces: created with
// the "kubernetes" finalizer, which only the finalize subresource changes;
// deleting one first marks it Terminating, and it goes away once its
// finalizers are gone (the namespace controller removes "kubernetes" when
// the namespace is empty).
func namespaceLifecycle(k *registry.Kind) {
	prepareCreate, prepareUpdate := k.PrepareForCreate, k.PrepareForUpdate
	k.PrepareForCreate = func(ctx context.Context, obj runtime.Object) {
		if prepareCreate != nil {
			prepareCreate(ctx, obj)
		}
		ns := obj.(*corev1.Namespace)
		for _, f := range ns.Spec.Finalizers {
			if f == corev1.FinalizerKubernetes {
				return
			}
		}
		ns.Spec.Finalizers = append(ns.Spec.Finalizers, corev1.FinalizerKubernetes)
	}
	k.PrepareForUpdate = func(ctx context.Context, obj, old runtime.Object) {
		if prepareUpdate != nil {
			prepareUpdate(ctx, obj, old)
		}
		obj.(*corev1.Namespace).Spec.Finalizers = old.(*corev1.Namespace).Spec.Finalizers
	}
	k.Validate = func(_ context.Context, obj runtime.Object) field.ErrorList {
		var errs field.ErrorList
		for _, f := range obj.(*corev1.Namespace).Spec.Finalizers {
			errs = append(errs, validateFinalizerName(string(f), field.NewPath("spec", "finalizers"))...)
		}
		return errs
	}
	k.ValidateUpdate = func(context.Context, runtime.Object, runtime.Object) field.ErrorList { return nil }
	k.ValidateStatusUpdate = func(_ context.Context, obj, _ runtime.Object) field.ErrorList {
		ns := obj.(*corev1.Namespace)
		phase := field.NewPath("status", "Phase")
		if ns.DeletionTimestamp.IsZero() {
			if ns.Status.Phase != corev1.NamespaceActive {
				return field.ErrorList{field.Invalid(phase, ns.Status.Phase, "may only be 'Active' if `deletionTimestamp` is empty")}
			}
		} else if ns.Status.Phase != corev1.NamespaceTerminating {
			return field.ErrorList{field.Invalid(phase, ns.Status.Phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")}
		}
		return nil
	}
	k.Customize = func(store *genericregistry.Store) {
		store.ReturnDeletedObject = true
		store.ShouldDeleteDuringUpdate = func(ctx context.Context, key string, obj, existing runtime.Object) bool {
			return len(obj.(*corev1.Namespace).Spec.Finalizers) == 0 && genericregistry.ShouldDeleteDuringUpdate(ctx, key, obj, existing)
		}
	}
	k.Delete = deleteNamespace
	k.Extra = func(store *genericregistry.Store) (map[string]rest.Storage, error) {
		finalize := *store
		s := &finalizeStrategy{Strategy: store.UpdateStrategy.(*registry.Strategy)}
		finalize.UpdateStrategy, finalize.ResetFieldsStrategy = s, s
		return map[string]rest.Storage{"finalize": &finalizeREST{store: &finalize}}, nil
	}
}

// validateFinalizerName is upstream's rule for spec.finalizers: a finalizer
// name that is standard or qualified.
func validateFinalizerName(name string, path *field.Path) field.ErrorList {
	errs := apimachineryvalidation.ValidateFinalizerName(name, path)
	if !strings.Contains(name, "/") {
		switch name {
		case string(corev1.FinalizerKubernetes), metav1.FinalizerOrphanDependents, metav1.FinalizerDeleteDependents:
		default:
			errs = append(errs, field.Invalid(path, name, "name is neither a standard finalizer name nor is it fully qualified"))
		}
	}
	return errs
}

// deleteNamespace is upstream's namespace Delete: the first request marks
// the namespace Terminating (deletionTimestamp, phase, and the orphan or
// foreground finalizer the propagation policy asks for); the namespace is
// deleted only once spec.finalizers is empty.
func deleteNamespace(ctx context.Context, store *genericregistry.Store, name string, deleteValidation rest.ValidateObjectFunc, options *metav1.DeleteOptions) (runtime.Object, bool, error) {
	obj, err := store.Get(ctx, name, &metav1.GetOptions{})
	if err != nil {
		return nil, false, err
	}
	ns := obj.(*corev1.Namespace)
	if options == nil {
		options = metav1.NewDeleteOptions(0)
	}
	if options.Preconditions == nil {
		options.Preconditions = &metav1.Preconditions{}
	}
	if options.Preconditions.UID == nil {
		options.Preconditions.UID = &ns.UID
	} else if *options.Preconditions.UID != ns.UID {
		return nil, false, apierrors.NewConflict(corev1.Resource("namespaces"), name,
			fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *options.Preconditions.UID, ns.UID))
	}
	if options.Preconditions.ResourceVersion != nil && *options.Preconditions.ResourceVersion != ns.ResourceVersion {
		return nil, false, apierrors.NewConflict(corev1.Resource("namespaces"), name,
			fmt.Errorf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v", *options.Preconditions.ResourceVersion, ns.ResourceVersion))
	}
	if !ns.DeletionTimestamp.IsZero() {
		if len(ns.Spec.Finalizers) != 0 {
			return ns, false, nil
		}
		return store.Delete(ctx, name, deleteValidation, options)
	}
	key, err := store.KeyFunc(ctx, name)
	if err != nil {
		return nil, false, err
	}
	out := store.NewFunc()
	preconditions := storage.Preconditions{UID: options.Preconditions.UID, ResourceVersion: options.Preconditions.ResourceVersion}
	err = store.Storage.GuaranteedUpdate(ctx, key, out, false, &preconditions, storage.SimpleUpdate(func(existing runtime.Object) (runtime.Object, error) {
		ns, ok := existing.(*corev1.Namespace)
		if !ok {
			return nil, fmt.Errorf("expected *v1.Namespace, got %T", existing)
		}
		if err := deleteValidation(ctx, ns); err != nil {
			return nil, err
		}
		if ns.DeletionTimestamp.IsZero() {
			now := registry.Now(ctx)
			ns.DeletionTimestamp = &now
		}
		ns.Status.Phase = corev1.NamespaceTerminating
		ns.Finalizers = propagationFinalizers(ns.Finalizers, options)
		return ns, nil
	}), dryrun.IsDryRun(options.DryRun), nil)
	if err != nil {
		err = storeerr.InterpretGetError(err, corev1.Resource("namespaces"), name)
		err = storeerr.InterpretUpdateError(err, corev1.Resource("namespaces"), name)
		if _, ok := err.(*apierrors.StatusError); !ok {
			err = apierrors.NewInternalError(err)
		}
		return nil, false, err
	}
	return out, false, nil
}

// propagationFinalizers adds or removes the orphan and foregroundDeletion
// finalizers as a namespace deletion's options ask, keeping the others.
func propagationFinalizers(finalizers []string, options *metav1.DeleteOptions) []string {
	want := map[string]*bool{metav1.FinalizerOrphanDependents: nil, metav1.FinalizerDeleteDependents: nil}
	//nolint:staticcheck // SA1019: OrphanDependents is still honoured, as upstream.
	if o := options.OrphanDependents; o != nil {
		orphan, foreground := *o, !*o
		want[metav1.FinalizerOrphanDependents], want[metav1.FinalizerDeleteDependents] = &orphan, &foreground
	} else if p := options.PropagationPolicy; p != nil {
		orphan, foreground := *p == metav1.DeletePropagationOrphan, *p == metav1.DeletePropagationForeground
		want[metav1.FinalizerOrphanDependents], want[metav1.FinalizerDeleteDependents] = &orphan, &foreground
	}
	var out []string
	have := map[string]bool{}
	for _, f := range finalizers {
		have[f] = true
		if w, ok := want[f]; ok && w != nil && !*w {
			continue
		}
		out = append(out, f)
	}
	for _, f := range []string{metav1.FinalizerOrphanDependents, metav1.FinalizerDeleteDependents} {
		if w := want[f]; w != nil && *w && !have[f] {
			out = append(out, f)
		}
	}
	return out
}

// finalizeStrategy lets the finalize subresource change spec.finalizers
// (and metadata), never status.
type finalizeStrategy struct {
	*registry.Strategy
}

func (finalizeStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	obj.(*corev1.Namespace).Status = old.(*corev1.Namespace).Status
}

func (s finalizeStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	newNS, oldNS := obj.(*corev1.Namespace), old.(*corev1.Namespace)
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&newNS.ObjectMeta, &oldNS.ObjectMeta, field.NewPath("metadata"))
	path := field.NewPath("spec", "finalizers")
	for i, f := range newNS.Spec.Finalizers {
		errs = append(errs, validateFinalizerName(string(f), path.Index(i))...)
	}
	return errs
}

func (finalizeStrategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

func (finalizeStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{"v1": fieldpath.NewSet(fieldpath.MakePathOrDie("status"))}
}

// finalizeREST is namespaces/finalize: update only.
type finalizeREST struct {
	store *genericregistry.Store
}

var _ rest.Updater = &finalizeREST{}

func (r *finalizeREST) New() runtime.Object { return &corev1.Namespace{} }

// Destroy does nothing: the store is the namespaces endpoint's.
func (r *finalizeREST) Destroy() {}

func (r *finalizeREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, _ bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return r.store.Update(ctx, name, objInfo, createValidation, updateValidation, false, options)
}
