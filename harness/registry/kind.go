package registry

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// Kind describes a built-in resource: what discovery says about it and what
// its strategy does beyond the common one. Zero-valued hooks do nothing.
type Kind struct {
	// Resource is the resource's group and plural name; Versions the
	// versions it is served in (the group's storage version's Go types are the
	// internal ones New returns).
	Resource schema.GroupResource
	Versions []string
	// Kind is the kind's name.
	Kind       string
	Namespaced bool
	ShortNames []string
	Categories []string
	New        func() runtime.Object
	NewList    func() runtime.Object

	// Status serves the status subresource: status is reset on create, kept
	// on update of the main resource, and only status changes through it.
	Status bool
	// Generation tracks metadata.generation: 1 on create, bumped when any
	// field but metadata and status changes.
	Generation bool
	// Scale serves the autoscaling/v1 scale subresource.
	Scale *Scale
	// NoDeleteCollection hides deletecollection, as for namespaces.
	NoDeleteCollection bool
	// AllowCreateOnUpdate lets PUT create the object.
	AllowCreateOnUpdate bool
	// TTL is how long objects live (seconds), as events' --event-ttl; 0 is forever.
	TTL uint64
	// Fields are the kind's selectable fields beyond metadata.name (and
	// metadata.namespace), for field selectors; the scheme must accept
	// their labels (harness/apis field label conversions).
	Fields func(obj runtime.Object) fields.Set

	// NameValidation validates metadata.name; the default is a DNS subdomain.
	NameValidation apimachineryvalidation.ValidateNameFunc
	// PrepareForCreate and PrepareForUpdate run after the common preparation.
	PrepareForCreate       func(ctx context.Context, obj runtime.Object)
	PrepareForUpdate       func(ctx context.Context, obj, old runtime.Object)
	PrepareForStatusUpdate func(ctx context.Context, obj, old runtime.Object)
	// Validate validates on create (and on update if ValidateUpdate is nil);
	// ObjectMeta is validated already.
	Validate             func(ctx context.Context, obj runtime.Object) field.ErrorList
	ValidateUpdate       func(ctx context.Context, obj, old runtime.Object) field.ErrorList
	ValidateStatusUpdate func(ctx context.Context, obj, old runtime.Object) field.ErrorList
	// Warnings are the warnings (HTTP Warning headers) of a create; of an
	// update of the main resource if WarningsUpdate is nil, else
	// WarningsUpdate's. They run after validation passed and, on update,
	// after PrepareForUpdate (generation is bumped already), as upstream's
	// WarningsOnCreate and WarningsOnUpdate.
	Warnings       func(ctx context.Context, obj runtime.Object) []string
	WarningsUpdate func(ctx context.Context, obj, old runtime.Object) []string
	// StatusWarnings are the warnings of an update through status.
	StatusWarnings func(ctx context.Context, obj, old runtime.Object) []string
	// Table is kubectl get's view; the default shows NAME and CREATED AT.
	Table rest.TableConvertor
	// GCPolicy is what a delete without propagation policy does to the
	// object's dependents; nil is background deletion.
	GCPolicy func(ctx context.Context) rest.GarbageCollectionPolicy
	// Customize adjusts the kind's store before it is completed (e.g.
	// ShouldDeleteDuringUpdate, ReturnDeletedObject).
	Customize func(store *genericregistry.Store)
	// Delete replaces the store's Delete (namespaces terminate first).
	Delete func(ctx context.Context, store *genericregistry.Store, name string, deleteValidation rest.ValidateObjectFunc, options *metav1.DeleteOptions) (runtime.Object, bool, error)
	// Updates are update-only subresources (get, update, patch of the
	// parent object) keyed by their name: CSR approval, pods'
	// ephemeralcontainers and resize.
	Updates map[string]*UpdateSubresource
	// Extra adds subresources particular to the kind, keyed by their name.
	Extra func(store *genericregistry.Store) (map[string]rest.Storage, error)
	// Link is called once every built-in registry exists, for kinds whose
	// registry uses another's (Services allocate IPAddresses).
	Link func(storage map[schema.GroupVersion]map[string]rest.Storage) error
	// Siblings are other resources of the group served from the kind's
	// store, keyed by resource name (the legacy bindings of pods).
	Siblings func(store *genericregistry.Store) map[string]rest.Storage
}

func (k *Kind) nameValidator() apimachineryvalidation.ValidateNameFunc {
	if k.NameValidation != nil {
		return k.NameValidation
	}
	return apimachineryvalidation.NameIsDNSSubdomain
}

// attrs is the kind's labels and selectable fields, as upstream's
// GetAttrs: metadata.name, metadata.namespace where namespaced, and Fields.
func (k *Kind) attrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, nil, err
	}
	set := fields.Set{"metadata.name": m.GetName()}
	if k.Namespaced {
		set["metadata.namespace"] = m.GetNamespace()
	}
	if k.Fields != nil {
		for f, v := range k.Fields(obj) {
			set[f] = v
		}
	}
	return labels.Set(m.GetLabels()), set, nil
}

// resetFields is set for every served version of the kind.
func (k *Kind) resetFields(set *fieldpath.Set) map[fieldpath.APIVersion]*fieldpath.Set {
	out := map[fieldpath.APIVersion]*fieldpath.Set{}
	for _, v := range k.Versions {
		out[fieldpath.APIVersion(schema.GroupVersion{Group: k.Resource.Group, Version: v}.String())] = set
	}
	return out
}

// REST is the main endpoint of a built-in resource.
type REST struct {
	*genericregistry.Store
	kind *Kind
}

var (
	_ rest.ShortNamesProvider = &REST{}
	_ rest.CategoriesProvider = &REST{}
)

func (r *REST) ShortNames() []string { return r.kind.ShortNames }

// Delete is the kind's Delete where it has one, the store's otherwise.
func (r *REST) Delete(ctx context.Context, name string, deleteValidation rest.ValidateObjectFunc, options *metav1.DeleteOptions) (runtime.Object, bool, error) {
	if r.kind.Delete != nil {
		return r.kind.Delete(ctx, r.Store, name, deleteValidation, options)
	}
	return r.Store.Delete(ctx, name, deleteValidation, options)
}
func (r *REST) Categories() []string { return r.kind.Categories }

// New builds the storage of kind: the main endpoint and its subresources,
// keyed "resource" and "resource/subresource", as APIGroupInfo wants them.
func New(typer runtime.ObjectTyper, optsGetter generic.RESTOptionsGetter, kind *Kind) (map[string]rest.Storage, error) {
	strategy := NewStrategy(typer, kind)
	store := &genericregistry.Store{
		NewFunc:                   kind.New,
		NewListFunc:               kind.NewList,
		DefaultQualifiedResource:  kind.Resource,
		SingularQualifiedResource: schema.GroupResource{Group: kind.Resource.Group, Resource: strings.ToLower(kind.Kind)},
		CreateStrategy:            strategy,
		UpdateStrategy:            strategy,
		DeleteStrategy:            strategy,
		ResetFieldsStrategy:       strategy,
		TableConvertor:            kind.Table,
	}
	if store.TableConvertor == nil {
		store.TableConvertor = rest.NewDefaultTableConvertor(kind.Resource)
	}
	if kind.Customize != nil {
		kind.Customize(store)
	}
	if kind.TTL > 0 {
		ttl := kind.TTL
		store.TTLFunc = func(runtime.Object, uint64, bool) (uint64, error) { return ttl, nil }
	}
	if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: optsGetter, AttrFunc: kind.attrs}); err != nil {
		return nil, fmt.Errorf("complete %s registry: %w", kind.Resource, err)
	}
	main := &REST{Store: store, kind: kind}
	out := map[string]rest.Storage{kind.Resource.Resource: main}
	if kind.NoDeleteCollection {
		out[kind.Resource.Resource] = &noCollection{main}
	}
	for name, sub := range kind.Updates {
		view := *store
		view.UpdateStrategy = updateStrategy{Strategy: strategy, sub: sub}
		view.ResetFieldsStrategy = updateStrategy{Strategy: strategy, sub: sub}
		out[kind.Resource.Resource+"/"+name] = &StatusREST{store: &view}
	}
	if kind.Status {
		status := *store
		status.UpdateStrategy = StatusStrategy{strategy}
		status.ResetFieldsStrategy = StatusStrategy{strategy}
		out[kind.Resource.Resource+"/status"] = &StatusREST{store: &status}
	}
	if kind.Scale != nil {
		out[kind.Resource.Resource+"/scale"] = &ScaleREST{store: store, scale: kind.Scale, resource: kind.Resource}
	}
	if kind.Extra != nil {
		extra, err := kind.Extra(store)
		if err != nil {
			return nil, err
		}
		for name, s := range extra {
			out[kind.Resource.Resource+"/"+name] = s
		}
	}
	if kind.Siblings != nil {
		for name, s := range kind.Siblings(store) {
			out[name] = s
		}
	}
	return out, nil
}

// noCollection serves a resource without the deletecollection verb: the
// endpoint installer offers a verb when the storage implements its interface.
type noCollection struct{ r *REST }

var (
	_ rest.Getter                 = &noCollection{}
	_ rest.Lister                 = &noCollection{}
	_ rest.CreaterUpdater         = &noCollection{}
	_ rest.GracefulDeleter        = &noCollection{}
	_ rest.Watcher                = &noCollection{}
	_ rest.Patcher                = &noCollection{}
	_ rest.ShortNamesProvider     = &noCollection{}
	_ rest.StorageVersionProvider = &noCollection{}
)

func (n *noCollection) New() runtime.Object                    { return n.r.New() }
func (n *noCollection) Destroy()                               { n.r.Destroy() }
func (n *noCollection) NamespaceScoped() bool                  { return n.r.NamespaceScoped() }
func (n *noCollection) GetSingularName() string                { return n.r.GetSingularName() }
func (n *noCollection) NewList() runtime.Object                { return n.r.NewList() }
func (n *noCollection) ShortNames() []string                   { return n.r.ShortNames() }
func (n *noCollection) Categories() []string                   { return n.r.Categories() }
func (n *noCollection) StorageVersion() runtime.GroupVersioner { return n.r.StorageVersion() }
func (n *noCollection) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return n.r.GetResetFields()
}
func (n *noCollection) Get(ctx context.Context, name string, opts *metav1.GetOptions) (runtime.Object, error) {
	return n.r.Get(ctx, name, opts)
}
func (n *noCollection) List(ctx context.Context, opts *metainternalversion.ListOptions) (runtime.Object, error) {
	return n.r.List(ctx, opts)
}
func (n *noCollection) ConvertToTable(ctx context.Context, obj, tableOptions runtime.Object) (*metav1.Table, error) {
	return n.r.ConvertToTable(ctx, obj, tableOptions)
}
func (n *noCollection) Create(ctx context.Context, obj runtime.Object, v rest.ValidateObjectFunc, opts *metav1.CreateOptions) (runtime.Object, error) {
	return n.r.Create(ctx, obj, v, opts)
}
func (n *noCollection) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, cv rest.ValidateObjectFunc, uv rest.ValidateObjectUpdateFunc, force bool, opts *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return n.r.Update(ctx, name, objInfo, cv, uv, force, opts)
}
func (n *noCollection) Delete(ctx context.Context, name string, v rest.ValidateObjectFunc, opts *metav1.DeleteOptions) (runtime.Object, bool, error) {
	return n.r.Delete(ctx, name, v, opts)
}
func (n *noCollection) Watch(ctx context.Context, opts *metainternalversion.ListOptions) (watch.Interface, error) {
	return n.r.Watch(ctx, opts)
}
