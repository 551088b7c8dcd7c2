package registry

import (
	"context"
	"fmt"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	"k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// StatusREST is the status subresource: get, update and patch of the
// parent object where only status (and metadata) may change.
type StatusREST struct {
	store *genericregistry.Store
}

var (
	_ rest.Patcher                  = &StatusREST{}
	_ rest.ResetFieldsStrategy      = &StatusREST{}
	_ rest.TableConvertor           = &StatusREST{}
	_ rest.GroupVersionKindProvider = &ScaleREST{}
)

func (r *StatusREST) New() runtime.Object { return r.store.New() }

// Destroy does nothing: the store is the main endpoint's.
func (r *StatusREST) Destroy() {}

func (r *StatusREST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	return r.store.Get(ctx, name, options)
}

// Update never creates: a status update of a missing object is 404.
func (r *StatusREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, _ bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return r.store.Update(ctx, name, objInfo, createValidation, updateValidation, false, options)
}

func (r *StatusREST) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return r.store.GetResetFields()
}

func (r *StatusREST) ConvertToTable(ctx context.Context, obj, tableOptions runtime.Object) (*metav1.Table, error) {
	return r.store.ConvertToTable(ctx, obj, tableOptions)
}

// Scale reads and writes the replicas of a scalable kind.
type Scale struct {
	// SpecReplicas and SetSpecReplicas read and write spec.replicas.
	SpecReplicas    func(obj runtime.Object) int32
	SetSpecReplicas func(obj runtime.Object, replicas int32)
	// StatusReplicas reads status.replicas.
	StatusReplicas func(obj runtime.Object) int32
	// Selector returns the label selector of the pods, as a string.
	Selector func(obj runtime.Object) (string, error)
}

// ScaleREST is the autoscaling/v1 scale subresource of a scalable kind.
type ScaleREST struct {
	store    *genericregistry.Store
	scale    *Scale
	resource schema.GroupResource
}

func (r *ScaleREST) New() runtime.Object { return &autoscalingv1.Scale{} }

// Destroy does nothing: the store is the main endpoint's.
func (r *ScaleREST) Destroy() {}

// GroupVersionKind is autoscaling/v1 Scale in every group, as upstream.
func (r *ScaleREST) GroupVersionKind(schema.GroupVersion) schema.GroupVersionKind {
	return autoscalingv1.SchemeGroupVersion.WithKind("Scale")
}

func (r *ScaleREST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	obj, err := r.store.Get(ctx, name, options)
	if err != nil {
		return nil, err
	}
	scale, err := r.toScale(obj)
	if err != nil {
		return nil, errors.NewBadRequest(err.Error())
	}
	return scale, nil
}

func (r *ScaleREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, _ bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	obj, _, err := r.store.Update(ctx, name, &scaleUpdate{r: r, name: name, req: objInfo},
		func(ctx context.Context, obj runtime.Object) error {
			scale, err := r.toScale(obj)
			if err != nil {
				return err
			}
			return createValidation(ctx, scale)
		},
		func(ctx context.Context, obj, old runtime.Object) error {
			newScale, err := r.toScale(obj)
			if err != nil {
				return err
			}
			oldScale, err := r.toScale(old)
			if err != nil {
				return err
			}
			return updateValidation(ctx, newScale, oldScale)
		}, false, options)
	if err != nil {
		return nil, false, err
	}
	scale, err := r.toScale(obj)
	if err != nil {
		return nil, false, errors.NewBadRequest(err.Error())
	}
	return scale, false, nil
}

func (r *ScaleREST) ConvertToTable(ctx context.Context, obj, tableOptions runtime.Object) (*metav1.Table, error) {
	return r.store.ConvertToTable(ctx, obj, tableOptions)
}

func (r *ScaleREST) toScale(obj runtime.Object) (*autoscalingv1.Scale, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	selector, err := r.scale.Selector(obj)
	if err != nil {
		return nil, err
	}
	return &autoscalingv1.Scale{
		ObjectMeta: metav1.ObjectMeta{
			Name:              m.GetName(),
			Namespace:         m.GetNamespace(),
			UID:               m.GetUID(),
			ResourceVersion:   m.GetResourceVersion(),
			CreationTimestamp: m.GetCreationTimestamp(),
		},
		Spec:   autoscalingv1.ScaleSpec{Replicas: r.scale.SpecReplicas(obj)},
		Status: autoscalingv1.ScaleStatus{Replicas: r.scale.StatusReplicas(obj), Selector: selector},
	}, nil
}

// scaleUpdate turns the stored object into a Scale, applies the request to
// it, and moves the new replicas back into the object, as upstream's
// scaleUpdatedObjectInfo does (managed fields included).
type scaleUpdate struct {
	r    *ScaleREST
	name string
	req  rest.UpdatedObjectInfo
}

func (u *scaleUpdate) Preconditions() *metav1.Preconditions { return u.req.Preconditions() }

func (u *scaleUpdate) UpdatedObject(ctx context.Context, oldObj runtime.Object) (runtime.Object, error) {
	obj := oldObj.DeepCopyObject()
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	if m.GetResourceVersion() == "" {
		return nil, errors.NewNotFound(schema.GroupResource{Group: u.r.resource.Group, Resource: u.r.resource.Resource + "/scale"}, u.name)
	}
	gv := schema.GroupVersion{Group: u.r.resource.Group, Version: "v1"}
	if info, ok := genericapirequest.RequestInfoFrom(ctx); ok && info.APIVersion != "" {
		gv = schema.GroupVersion{Group: info.APIGroup, Version: info.APIVersion}
	}
	handler := managedfields.NewScaleHandler(m.GetManagedFields(), gv,
		managedfields.ResourcePathMappings{gv.String(): fieldpath.MakePathOrDie("spec", "replicas")})
	oldScale, err := u.r.toScale(obj)
	if err != nil {
		return nil, err
	}
	if oldScale.ManagedFields, err = handler.ToSubresource(); err != nil {
		return nil, err
	}
	newObj, err := u.req.UpdatedObject(ctx, oldScale)
	if err != nil {
		return nil, err
	}
	if newObj == nil {
		return nil, errors.NewBadRequest("nil update passed to Scale")
	}
	scale, ok := newObj.(*autoscalingv1.Scale)
	if !ok {
		return nil, errors.NewBadRequest(fmt.Sprintf("expected input object type to be Scale, but %T", newObj))
	}
	if errs := validateScale(scale); len(errs) > 0 {
		return nil, errors.NewInvalid(autoscalingv1.SchemeGroupVersion.WithKind("Scale").GroupKind(), m.GetName(), errs)
	}
	if scale.UID != "" && scale.UID != m.GetUID() {
		return nil, errors.NewConflict(schema.GroupResource{Group: u.r.resource.Group, Resource: u.r.resource.Resource + "/scale"}, m.GetName(),
			fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", scale.UID, m.GetUID()))
	}
	u.r.scale.SetSpecReplicas(obj, scale.Spec.Replicas)
	m.SetResourceVersion(scale.ResourceVersion)
	entries, err := handler.ToParent(scale.ManagedFields)
	if err != nil {
		return nil, err
	}
	m.SetManagedFields(entries)
	return obj, nil
}

// validateScale is upstream's ValidateScale: managed fields and replicas.
func validateScale(scale *autoscalingv1.Scale) field.ErrorList {
	errs := metav1validation.ValidateManagedFields(scale.GetManagedFields(), field.NewPath("metadata").Child("managedFields"))
	if scale.Spec.Replicas < 0 {
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(scale.Spec.Replicas), field.NewPath("spec", "replicas"))...)
	}
	return errs
}
