// Package registry is the common registry of memkube's built-in resources:
// one genericregistry.Store per resource with a strategy that does what every
// kube-apiserver strategy does (uid and creationTimestamp come from the store;
// generation, status reset and spec/status separation, ObjectMeta validation
// with kube-apiserver's messages, scope), plus the status and scale
// subresources. What is particular to a kind (defaults, validation, printer
// columns) is a Kind value the per-kind files of harness/registry/builtin fill in.
package registry

import (
	"context"
	"reflect"
	"slices"
	"strings"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage/names"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// Strategy is the create, update and delete strategy of a resource's main
// endpoint.
type Strategy struct {
	runtime.ObjectTyper
	names.NameGenerator
	kind *Kind
}

// NewStrategy returns the strategy of kind.
func NewStrategy(typer runtime.ObjectTyper, kind *Kind) *Strategy {
	return &Strategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator, kind: kind}
}

func (s *Strategy) NamespaceScoped() bool { return s.kind.Namespaced }

// DefaultGarbageCollectionPolicy is the kind's, background deletion if it
// has none.
func (s *Strategy) DefaultGarbageCollectionPolicy(ctx context.Context) rest.GarbageCollectionPolicy {
	if s.kind.GCPolicy != nil {
		return s.kind.GCPolicy(ctx)
	}
	return rest.DeleteDependents
}

// PrepareForCreate clears status where the kind has a status subresource
// (status is the status endpoint's to write), stamps creationTimestamp from
// the server clock, sets generation 1 where the kind tracks generations,
// and then runs the kind's own preparation.
func (s *Strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	if c, ok := ClockFrom(ctx); ok {
		// the store stamped real time; a dry run never reaches the
		// storage that would restamp it (harness/clock.go).
		if m, err := meta.Accessor(obj); err == nil {
			m.SetCreationTimestamp(metav1.NewTime(c.Now()))
		}
	}
	if s.kind.Status {
		setStatus(obj, nil)
	}
	if s.kind.Generation {
		if m, err := meta.Accessor(obj); err == nil {
			m.SetGeneration(1)
		}
	}
	if s.kind.PrepareForCreate != nil {
		s.kind.PrepareForCreate(ctx, obj)
	}
}

// PrepareForUpdate keeps the stored status where the kind has a status
// subresource, and bumps generation when the spec changed.
func (s *Strategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	if s.kind.Status {
		setStatus(obj, old)
	}
	if s.kind.PrepareForUpdate != nil {
		s.kind.PrepareForUpdate(ctx, obj, old)
	}
	if s.kind.Generation {
		bumpGeneration(obj, old)
	}
}

// Validate validates ObjectMeta as kube-apiserver does, then runs the kind's
// validation.
func (s *Strategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	m, err := meta.Accessor(obj)
	if err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("metadata"), err)}
	}
	errs := apimachineryvalidation.ValidateObjectMetaAccessor(m, s.kind.Namespaced, s.kind.nameValidator(), field.NewPath("metadata"))
	if s.kind.Validate != nil {
		errs = append(errs, s.kind.Validate(ctx, obj)...)
	}
	return errs
}

func (s *Strategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	errs := validateMetaUpdate(obj, old)
	if s.kind.ValidateUpdate != nil {
		errs = append(errs, s.kind.ValidateUpdate(ctx, obj, old)...)
	} else if s.kind.Validate != nil {
		errs = append(errs, s.kind.Validate(ctx, obj)...)
	}
	return errs
}

// WarningsOnCreate are the kind's Warnings.
func (s *Strategy) WarningsOnCreate(ctx context.Context, obj runtime.Object) []string {
	if s.kind.Warnings != nil {
		return s.kind.Warnings(ctx, obj)
	}
	return nil
}

// WarningsOnUpdate are the kind's WarningsUpdate, or its Warnings where it
// has no WarningsUpdate.
func (s *Strategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	if s.kind.WarningsUpdate != nil {
		return s.kind.WarningsUpdate(ctx, obj, old)
	}
	if s.kind.Warnings != nil {
		return s.kind.Warnings(ctx, obj)
	}
	return nil
}

func (s *Strategy) Canonicalize(runtime.Object)                   {}
func (s *Strategy) AllowCreateOnUpdate(context.Context) bool      { return s.kind.AllowCreateOnUpdate }
func (s *Strategy) AllowUnconditionalUpdate(context.Context) bool { return true }

// GetResetFields is what server-side apply must not let the main endpoint
// own: status, where the status subresource writes it.
func (s *Strategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	if !s.kind.Status {
		return nil
	}
	return s.kind.resetFields(fieldpath.NewSet(fieldpath.MakePathOrDie("status")))
}

// StatusStrategy is the update strategy of the status subresource: only
// status and metadata change; everything else is kept as stored.
type StatusStrategy struct {
	*Strategy
}

// PrepareForUpdate keeps every field but metadata and status as stored.
func (s StatusStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	keepSpec(obj, old)
	if s.kind.PrepareForStatusUpdate != nil {
		s.kind.PrepareForStatusUpdate(ctx, obj, old)
	}
}

func (s StatusStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	errs := validateMetaUpdate(obj, old)
	if s.kind.ValidateStatusUpdate != nil {
		errs = append(errs, s.kind.ValidateStatusUpdate(ctx, obj, old)...)
	}
	return errs
}

// WarningsOnUpdate are the kind's StatusWarnings: the main resource's
// warnings are not the status endpoint's, as upstream's status strategies.
func (s StatusStrategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	if s.kind.StatusWarnings != nil {
		return s.kind.StatusWarnings(ctx, obj, old)
	}
	return nil
}

// GetResetFields is what the status endpoint must not own: the spec.
func (s StatusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	set := fieldpath.NewSet()
	for _, name := range specFieldNames(reflect.TypeOf(s.kind.New()).Elem()) {
		set.Insert(fieldpath.MakePathOrDie(name))
	}
	return s.kind.resetFields(set)
}

func validateMetaUpdate(obj, old runtime.Object) field.ErrorList {
	newMeta, err1 := meta.Accessor(obj)
	oldMeta, err2 := meta.Accessor(old)
	if err1 != nil || err2 != nil {
		return field.ErrorList{field.InternalError(field.NewPath("metadata"), err1)}
	}
	return apimachineryvalidation.ValidateObjectMetaAccessorUpdate(newMeta, oldMeta, field.NewPath("metadata"))
}

// The helpers below work on any k8s.io/api object: a pointer to a struct of
// TypeMeta, ObjectMeta, usually Spec and Status, or top-level data fields.

// setStatus sets obj's Status to from's (the zero value if from is nil).
func setStatus(obj, from runtime.Object) {
	v := reflect.ValueOf(obj).Elem()
	status := v.FieldByName("Status")
	if !status.IsValid() {
		return
	}
	if from == nil {
		status.Set(reflect.Zero(status.Type()))
		return
	}
	status.Set(reflect.ValueOf(from).Elem().FieldByName("Status"))
}

// keepSpec copies every field of old but TypeMeta, ObjectMeta and Status into obj.
func keepSpec(obj, old runtime.Object) {
	v, o := reflect.ValueOf(obj).Elem(), reflect.ValueOf(old).Elem()
	for i := 0; i < v.NumField(); i++ {
		if isSpecField(v.Type().Field(i)) {
			v.Field(i).Set(o.Field(i))
		}
	}
}

// bumpGeneration sets obj's generation to old's, plus one if a spec field changed.
func bumpGeneration(obj, old runtime.Object) {
	newMeta, err1 := meta.Accessor(obj)
	oldMeta, err2 := meta.Accessor(old)
	if err1 != nil || err2 != nil {
		return
	}
	generation := oldMeta.GetGeneration()
	v, o := reflect.ValueOf(obj).Elem(), reflect.ValueOf(old).Elem()
	for i := 0; i < v.NumField(); i++ {
		if isSpecField(v.Type().Field(i)) && !apiequality.Semantic.DeepEqual(v.Field(i).Interface(), o.Field(i).Interface()) {
			generation++
			break
		}
	}
	newMeta.SetGeneration(generation)
}

func isSpecField(f reflect.StructField) bool {
	switch f.Name {
	case "TypeMeta", "ObjectMeta", "Status":
		return false
	}
	return f.IsExported()
}

// specFieldNames are the JSON names of a type's spec fields.
func specFieldNames(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !isSpecField(f) {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// UpdateSubresource is an update-only subresource of a kind: the parent
// object is read and written whole, and Prepare decides what of the
// request is kept.
type UpdateSubresource struct {
	// Prepare copies into obj, from old, everything the subresource must
	// not change.
	Prepare func(ctx context.Context, obj, old runtime.Object)
	// Validate validates the update; ObjectMeta is validated already.
	Validate func(ctx context.Context, obj, old runtime.Object) field.ErrorList
	// Owned are the top-level fields the subresource may change (for
	// server-side apply, every other field is reset).
	Owned []string
}

// updateStrategy is the strategy of an UpdateSubresource.
type updateStrategy struct {
	*Strategy
	sub *UpdateSubresource
}

func (s updateStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	s.sub.Prepare(ctx, obj, old)
}

func (s updateStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	errs := validateMetaUpdate(obj, old)
	if s.sub.Validate != nil {
		errs = append(errs, s.sub.Validate(ctx, obj, old)...)
	}
	return errs
}

// WarningsOnUpdate is none, as upstream's ephemeralcontainers, resize and
// approval strategies.
func (s updateStrategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

// GetResetFields is every top-level field but metadata and Owned.
func (s updateStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	set := fieldpath.NewSet()
	t := reflect.TypeOf(s.kind.New()).Elem()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		if f.Anonymous || name == "" || name == "metadata" || slices.Contains(s.sub.Owned, name) {
			continue
		}
		set.Insert(fieldpath.MakePathOrDie(name))
	}
	return s.kind.resetFields(set)
}
