// Package builtin lists the built-in resources memkube serves, as a v1.37
// kube-apiserver does, and what is particular to each kind. A kind's
// registry behaviour (validation, subresources, allocation) is its file here
// (core.go, namespace.go, service.go, pod.go, ...); defaults are scheme
// defaulters (harness/apis/defaults) and printer columns are
// harness/registry/printers — not the common registry.
package builtin

import (
	"context"
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/api/validate/content"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/memkube/memkube/harness/registry"
	"github.com/memkube/memkube/harness/registry/printers"
)

// Kinds returns the built-in kinds, a fresh copy per call (servers must not
// share mutable registry state), allocating Services from
// DefaultServiceRanges.
func Kinds() []*registry.Kind { return kinds(DefaultServiceRanges) }

// kinds returns the built-in kinds with Services allocated from ranges.
func kinds(ranges ServiceRanges) []*registry.Kind {
	var out []*registry.Kind
	for _, group := range [][]*registry.Kind{
		coreKinds(ranges), appsKinds(), batchKinds(), autoscalingKinds(), networkingKinds(), policyKinds(),
		rbacKinds(), storageKinds(), admissionKinds(), otherKinds(), resourceKinds(),
	} {
		out = append(out, group...)
	}
	validate, warn := validations(), warnings()
	for _, k := range out {
		if v, ok := validate[k.Resource]; ok {
			v(k)
		}
		if w, ok := warn[k.Resource]; ok {
			w(k)
		}
		if k.Table == nil {
			k.Table = printers.For(k.Resource)
		}
	}
	return out
}

// Storage builds the registries of every built-in kind, Services allocated
// from ranges, and returns them by group version, each keyed by resource
// (and "resource/subresource").
func Storage(typer runtime.ObjectTyper, optsGetter generic.RESTOptionsGetter, ranges ServiceRanges) (map[schema.GroupVersion]map[string]rest.Storage, error) {
	out := map[schema.GroupVersion]map[string]rest.Storage{}
	kinds := kinds(ranges)
	for _, kind := range kinds {
		storage, err := registry.New(typer, optsGetter, kind)
		if err != nil {
			return nil, err
		}
		for _, v := range kind.Versions {
			gv := schema.GroupVersion{Group: kind.Resource.Group, Version: v}
			if out[gv] == nil {
				out[gv] = map[string]rest.Storage{}
			}
			for path, s := range storage {
				if _, dup := out[gv][path]; dup {
					return nil, fmt.Errorf("%s %s registered twice", gv, path)
				}
				out[gv][path] = s
			}
		}
	}
	for _, kind := range kinds {
		if kind.Link != nil {
			if err := kind.Link(out); err != nil {
				return nil, fmt.Errorf("%s: %w", kind.Resource, err)
			}
		}
	}
	return out, nil
}

// Resources lists "group/version/resource" paths served, sorted; for tests.
func Resources(storage map[schema.GroupVersion]map[string]rest.Storage) []string {
	var out []string
	for gv, m := range storage {
		for path := range m {
			out = append(out, gv.String()+"/"+path)
		}
	}
	sort.Strings(out)
	return out
}

// kind returns a Kind of a resource served at version v1 of group, with
// New and NewList of the Go types T and L.
func kind[T, L any, PT interface {
	*T
	runtime.Object
}, PL interface {
	*L
	runtime.Object
}](group, resource, name string, namespaced bool) *registry.Kind {
	return &registry.Kind{
		Resource:   schema.GroupResource{Group: group, Resource: resource},
		Versions:   []string{"v1"},
		Kind:       name,
		Namespaced: namespaced,
		New:        func() runtime.Object { return PT(new(T)) },
		NewList:    func() runtime.Object { return PL(new(L)) },
	}
}

// Options that read like the discovery document.
type opt func(*registry.Kind)

func with(k *registry.Kind, opts ...opt) *registry.Kind {
	for _, o := range opts {
		o(k)
	}
	return k
}

func short(names ...string) opt  { return func(k *registry.Kind) { k.ShortNames = names } }
func categories(c ...string) opt { return func(k *registry.Kind) { k.Categories = c } }
func status(k *registry.Kind)    { k.Status = true }

// createOnUpdate lets PUT create, where upstream's strategy allows it.
func createOnUpdate(k *registry.Kind) { k.AllowCreateOnUpdate = true }
func generation(k *registry.Kind)     { k.Generation = true }
func versions(v ...string) opt        { return func(k *registry.Kind) { k.Versions = v } }
func names(f apimachineryvalidation.ValidateNameFunc) opt {
	return func(k *registry.Kind) { k.NameValidation = f }
}

// all is the "all" category of kubectl get all.
var all = categories("all")

// apiExtensions is the category of the API-extension kinds.
var apiExtensions = categories("api-extensions")

// rbacName is RBAC's name rule: a path segment.
func rbacName(name string, _ bool) []string { return content.IsPathSegmentName(name) }

// anyName accepts every name, as certificate signing requests do.
func anyName(string, bool) []string { return nil }

// orphanIn is the garbage-collection policy of kinds that, for backward
// compatibility, orphan their dependents when deleted through gv (Jobs in
// batch/v1, ReplicationControllers in v1) and delete them otherwise.
func orphanIn(gv schema.GroupVersion) opt {
	return func(k *registry.Kind) {
		k.GCPolicy = func(ctx context.Context) rest.GarbageCollectionPolicy {
			if info, ok := genericapirequest.RequestInfoFrom(ctx); ok && (schema.GroupVersion{Group: info.APIGroup, Version: info.APIVersion}) == gv {
				return rest.OrphanDependents
			}
			return rest.DeleteDependents
		}
	}
}

// noGC is the policy of events: deletes never wait on dependents.
func noGC(k *registry.Kind) {
	k.GCPolicy = func(context.Context) rest.GarbageCollectionPolicy { return rest.Unsupported }
}
