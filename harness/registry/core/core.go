// Package core serves core/v1 resources. So far: namespaces and configmaps,
// with the generic object-meta strategy and kube-apiserver's printer columns.
package core

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage/names"
)

// strategy is the generic strategy of a core resource: names, scope and
// ObjectMeta validation with kube-apiserver's messages.
type strategy struct {
	runtime.ObjectTyper
	names.NameGenerator
	namespaced bool
	// prepareForCreate sets what the server sets on create (e.g. status).
	prepareForCreate func(obj runtime.Object)
}

func (s strategy) NamespaceScoped() bool { return s.namespaced }
func (s strategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	if s.prepareForCreate != nil {
		s.prepareForCreate(obj)
	}
}
func (strategy) PrepareForUpdate(context.Context, runtime.Object, runtime.Object) {}
func (s strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	m, err := meta.Accessor(obj)
	if err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("metadata"), err)}
	}
	nameFn := apimachineryvalidation.NameIsDNSSubdomain
	if !s.namespaced {
		nameFn = apimachineryvalidation.ValidateNamespaceName
	}
	return apimachineryvalidation.ValidateObjectMetaAccessor(m, s.namespaced, nameFn, field.NewPath("metadata"))
}
func (strategy) WarningsOnCreate(context.Context, runtime.Object) []string { return nil }
func (strategy) Canonicalize(runtime.Object)                               {}
func (strategy) AllowCreateOnUpdate(context.Context) bool                  { return false }
func (strategy) AllowUnconditionalUpdate(context.Context) bool             { return true }
func (s strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	newMeta, err1 := meta.Accessor(obj)
	oldMeta, err2 := meta.Accessor(old)
	if err1 != nil || err2 != nil {
		return field.ErrorList{field.InternalError(field.NewPath("metadata"), fmt.Errorf("object has no metadata"))}
	}
	return apimachineryvalidation.ValidateObjectMetaAccessorUpdate(newMeta, oldMeta, field.NewPath("metadata"))
}
func (strategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

// REST is a resource's registry with its kubectl short names.
type REST struct {
	*genericregistry.Store
	shortNames []string
}

var _ rest.ShortNamesProvider = &REST{}

// ShortNames implements rest.ShortNamesProvider.
func (r *REST) ShortNames() []string { return r.shortNames }

// NewNamespaceREST returns the namespaces registry.
func NewNamespaceREST(typer runtime.ObjectTyper, optsGetter generic.RESTOptionsGetter) (*REST, error) {
	s := strategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator, prepareForCreate: func(obj runtime.Object) {
		ns := obj.(*corev1.Namespace)
		ns.Status = corev1.NamespaceStatus{Phase: corev1.NamespaceActive}
	}}
	return newStore(optsGetter, corev1.Resource("namespaces"), []string{"ns"}, s,
		func() runtime.Object { return &corev1.Namespace{} },
		func() runtime.Object { return &corev1.NamespaceList{} },
		namespaceTable())
}

// namespaceTable is kubectl get's view of namespaces: NAME, STATUS, AGE.
func namespaceTable() table {
	return table{columns: []metav1.TableColumnDefinition{
		{Name: "Name", Type: "string", Format: "name"},
		{Name: "Status", Type: "string"},
		{Name: "Age", Type: "string"},
	}, cells: func(obj runtime.Object) []interface{} {
		ns := obj.(*corev1.Namespace)
		return []interface{}{ns.Name, string(ns.Status.Phase), age(ns.CreationTimestamp)}
	}}
}

// NewConfigMapREST returns the configmaps registry.
func NewConfigMapREST(typer runtime.ObjectTyper, optsGetter generic.RESTOptionsGetter) (*REST, error) {
	s := strategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator, namespaced: true}
	return newStore(optsGetter, corev1.Resource("configmaps"), []string{"cm"}, s,
		func() runtime.Object { return &corev1.ConfigMap{} },
		func() runtime.Object { return &corev1.ConfigMapList{} },
		table{columns: []metav1.TableColumnDefinition{
			{Name: "Name", Type: "string", Format: "name"},
			{Name: "Data", Type: "string"},
			{Name: "Age", Type: "string"},
		}, cells: func(obj runtime.Object) []interface{} {
			cm := obj.(*corev1.ConfigMap)
			return []interface{}{cm.Name, int64(len(cm.Data) + len(cm.BinaryData)), age(cm.CreationTimestamp)}
		}})
}

func newStore(optsGetter generic.RESTOptionsGetter, gr schemaGroupResource, shortNames []string, s strategy, newFunc, newListFunc func() runtime.Object, tc rest.TableConvertor) (*REST, error) {
	store := &genericregistry.Store{
		NewFunc:                   newFunc,
		NewListFunc:               newListFunc,
		DefaultQualifiedResource:  gr,
		SingularQualifiedResource: singular(gr),
		CreateStrategy:            s,
		UpdateStrategy:            s,
		DeleteStrategy:            s,
		TableConvertor:            tc,
	}
	if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: optsGetter}); err != nil {
		return nil, fmt.Errorf("complete %s registry: %w", gr, err)
	}
	return &REST{Store: store, shortNames: shortNames}, nil
}

// age prints a creation time as kubectl shows it.
func age(t metav1.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t.Time))
}
