package harness

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	flowcontrolbootstrap "k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/klog/v2"
)

// flowControlBootstrap keeps kube-apiserver's bootstrap API Priority and
// Fairness configuration (k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap:
// 8 PriorityLevelConfigurations, 11 FlowSchemas) in the registries, as
// kube-apiserver's priority-and-fairness-config-producer post-start hook
// does (k8s.io/kubernetes pkg/registry/flowcontrol/rest and ensurer), at
// start and then every minute, whether APF is on or not:
//   - a missing object is created;
//   - a mandatory one (exempt, catch-all) gets bootstrap's spec back when it
//     differs (the exempt level's shares and lendable percent excepted);
//   - a suggested one does too while annotated
//     apf.kubernetes.io/autoupdate-spec "true" (or, without a valid
//     annotation, while at generation 1), and its annotation is set to say
//     which;
//   - an object annotated "true" that bootstrap no longer has is deleted.
//
// It writes straight into the registries, as bootstrapRBAC does: 19
// requests through the handler chain would slow every server's start. So
// the objects have no managedFields entry of upstream's field manager
// (api-priority-and-fairness-config-producer-v1).
type flowControlBootstrap struct {
	flowSchemas    apfKind[*flowcontrolv1.FlowSchema]
	priorityLevels apfKind[*flowcontrolv1.PriorityLevelConfiguration]
	// found: ensureObjects found objects already there. Only written
	// before the server runs (then run's goroutine owns it).
	found bool
}

// flowControlResync is how often kube-apiserver ensures the bootstrap
// configuration again after start.
const flowControlResync = time.Minute

func newFlowControlBootstrap(storage map[string]rest.Storage, scheme *runtime.Scheme) *flowControlBootstrap {
	b := &flowControlBootstrap{
		flowSchemas: apfKind[*flowcontrolv1.FlowSchema]{
			resource: "flowschema",
			storage:  storage["flowschemas"],
			specEqualish: func(expected, actual *flowcontrolv1.FlowSchema) bool {
				e := expected.DeepCopy()
				scheme.Default(e)
				return apiequality.Semantic.DeepEqual(e.Spec, actual.Spec)
			},
			replaceSpec: func(into, from *flowcontrolv1.FlowSchema) *flowcontrolv1.FlowSchema {
				c := into.DeepCopy()
				c.Spec = *from.Spec.DeepCopy()
				return c
			},
		},
		priorityLevels: apfKind[*flowcontrolv1.PriorityLevelConfiguration]{
			resource: "prioritylevelconfiguration",
			storage:  storage["prioritylevelconfigurations"],
			// upstream's plcSpecEqualish: users may change the exempt
			// level's shares and lendable percent.
			specEqualish: func(expected, actual *flowcontrolv1.PriorityLevelConfiguration) bool {
				e := expected.DeepCopy()
				scheme.Default(e)
				if expected.Name == flowcontrolv1.PriorityLevelConfigurationNameExempt {
					if actual.Spec.Exempt == nil {
						return false
					}
					e.Spec.Exempt.NominalConcurrencyShares = actual.Spec.Exempt.NominalConcurrencyShares
					e.Spec.Exempt.LendablePercent = actual.Spec.Exempt.LendablePercent
				}
				return apiequality.Semantic.DeepEqual(e.Spec, actual.Spec)
			},
			replaceSpec: func(into, from *flowcontrolv1.PriorityLevelConfiguration) *flowcontrolv1.PriorityLevelConfiguration {
				c := into.DeepCopy()
				c.Spec = *from.Spec.DeepCopy()
				return c
			},
		},
	}
	b.flowSchemas.found, b.priorityLevels.found = &b.found, &b.found
	return b
}

// ensure brings the configuration in line with bootstrap's once, in
// upstream's order: suggested objects, mandatory ones, then deletions.
func (b *flowControlBootstrap) ensure(ctx context.Context) error {
	if err := b.ensureObjects(ctx); err != nil {
		return err
	}
	return b.removeUnwanted(ctx)
}

// ensureObjects creates the bootstrap objects, or updates them as needed;
// found records that some existed.
func (b *flowControlBootstrap) ensureObjects(ctx context.Context) error {
	if err := b.priorityLevels.ensure(ctx, flowcontrolbootstrap.SuggestedPriorityLevelConfigurations, false); err != nil {
		return fmt.Errorf("ensure the suggested APF configuration: %w", err)
	}
	if err := b.flowSchemas.ensure(ctx, flowcontrolbootstrap.SuggestedFlowSchemas, false); err != nil {
		return fmt.Errorf("ensure the suggested APF configuration: %w", err)
	}
	if err := b.priorityLevels.ensure(ctx, flowcontrolbootstrap.MandatoryPriorityLevelConfigurations, true); err != nil {
		return fmt.Errorf("ensure the mandatory APF configuration: %w", err)
	}
	if err := b.flowSchemas.ensure(ctx, flowcontrolbootstrap.MandatoryFlowSchemas, true); err != nil {
		return fmt.Errorf("ensure the mandatory APF configuration: %w", err)
	}
	return nil
}

// removeUnwanted deletes the objects bootstrap no longer has. It lists,
// which the registries' watch caches only serve once the server runs.
func (b *flowControlBootstrap) removeUnwanted(ctx context.Context) error {
	if err := b.flowSchemas.removeUnwanted(ctx, slices.Concat(flowcontrolbootstrap.MandatoryFlowSchemas, flowcontrolbootstrap.SuggestedFlowSchemas)); err != nil {
		return fmt.Errorf("delete APF configuration bootstrap no longer has: %w", err)
	}
	if err := b.priorityLevels.removeUnwanted(ctx, slices.Concat(flowcontrolbootstrap.MandatoryPriorityLevelConfigurations, flowcontrolbootstrap.SuggestedPriorityLevelConfigurations)); err != nil {
		return fmt.Errorf("delete APF configuration bootstrap no longer has: %w", err)
	}
	return nil
}

// run ensures the configuration every flowControlResync until ctx ends.
func (b *flowControlBootstrap) run(ctx context.Context) {
	t := time.NewTicker(flowControlResync)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := b.ensure(ctx); err != nil {
				klog.ErrorS(err, "APF bootstrap ensurer ran into error, will retry later")
			}
		}
	}
}

// apfObject is a FlowSchema or a PriorityLevelConfiguration.
type apfObject interface {
	comparable
	metav1.Object
	runtime.Object
}

// apfKind is the registry of one kind and how its spec compares and is
// replaced (upstream's ensurer.ObjectOps).
type apfKind[T apfObject] struct {
	// resource names the kind in errors.
	resource string
	storage  rest.Storage
	// specEqualish says whether expected, defaulted, has actual's spec.
	specEqualish func(expected, actual T) bool
	// replaceSpec is a copy of into with from's spec.
	replaceSpec func(into, from T) T
	// found is set when an object exists already (a reused store).
	found *bool
}

// clusterScoped is the context of a request for cluster-scoped objects.
func clusterScoped(ctx context.Context) context.Context {
	return genericapirequest.WithNamespace(ctx, metav1.NamespaceNone)
}

func (k apfKind[T]) ensure(ctx context.Context, boots []T, mandatory bool) error {
	for _, boot := range boots {
		if err := k.ensureOne(ctx, boot, mandatory); err != nil {
			return err
		}
	}
	return nil
}

// ensureOne is upstream's EnsureConfiguration.
func (k apfKind[T]) ensureOne(ctx context.Context, boot T, mandatory bool) error {
	ctx = clusterScoped(ctx)
	name := boot.GetName()
	var current T
	for {
		obj, err := k.storage.(rest.Getter).Get(ctx, name, &metav1.GetOptions{})
		if err == nil {
			current = obj.(T)
			*k.found = true
			break
		}
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("get %s %s: %w", k.resource, name, err)
		}
		_, err = k.storage.(rest.Creater).Create(ctx, boot.DeepCopyObject(), rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
		if err == nil {
			return nil
		}
		if !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create %s %s: %w", k.resource, name, err)
		}
	}
	revised, ok := k.revise(current, boot, mandatory)
	if !ok {
		return nil
	}
	_, _, err := k.storage.(rest.Updater).Update(ctx, name, rest.DefaultUpdatedObjectInfo(revised),
		rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	if err != nil && !apierrors.IsConflict(err) { // a conflict is looked at again next time
		return fmt.Errorf("update %s %s: %w", k.resource, name, err)
	}
	return nil
}

// revise is upstream's strategy.ReviseIfNeeded: current with bootstrap's
// spec and the auto-update annotation as they should be, and whether that
// is a change.
func (k apfKind[T]) revise(current, boot T, mandatory bool) (T, bool) {
	autoUpdateSpec := mandatory || shouldUpdateSpec(current)
	value, set := current.GetAnnotations()[flowcontrolv1.AutoUpdateAnnotationKey]
	parsed, err := strconv.ParseBool(value)
	updateAnnotation := !set || err != nil || parsed != autoUpdateSpec
	specChanged := autoUpdateSpec && !k.specEqualish(boot, current)
	if !updateAnnotation && !specChanged {
		var zero T
		return zero, false
	}
	revised := current.DeepCopyObject().(T)
	if specChanged {
		revised = k.replaceSpec(current, boot)
	}
	if updateAnnotation {
		annotations := revised.GetAnnotations()
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[flowcontrolv1.AutoUpdateAnnotationKey] = strconv.FormatBool(autoUpdateSpec)
		revised.SetAnnotations(annotations)
	}
	return revised, true
}

// shouldUpdateSpec reads the auto-update annotation of a suggested object;
// without a valid one, an object its users have not changed (generation 1)
// is kept up to date.
func shouldUpdateSpec(obj metav1.Object) bool {
	if autoUpdate, err := strconv.ParseBool(obj.GetAnnotations()[flowcontrolv1.AutoUpdateAnnotationKey]); err == nil {
		return autoUpdate
	}
	return obj.GetGeneration() == 1
}

// removeUnwanted is upstream's RemoveUnwantedObjects: objects annotated
// auto-update "true" that boots does not name are deleted.
func (k apfKind[T]) removeUnwanted(ctx context.Context, boots []T) error {
	ctx = clusterScoped(ctx)
	wanted := map[string]bool{}
	for _, b := range boots {
		wanted[b.GetName()] = true
	}
	list, err := k.storage.(rest.Lister).List(ctx, &metainternalversion.ListOptions{})
	if err != nil {
		return err
	}
	return meta.EachListItem(list, func(item runtime.Object) error {
		obj := item.(T)
		if wanted[obj.GetName()] {
			return nil
		}
		if autoUpdate, err := strconv.ParseBool(obj.GetAnnotations()[flowcontrolv1.AutoUpdateAnnotationKey]); err != nil || !autoUpdate {
			return nil // a user's object
		}
		_, _, err := k.storage.(rest.GracefulDeleter).Delete(ctx, obj.GetName(), rest.ValidateAllObjectFunc, &metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete %s %s: %w", k.resource, obj.GetName(), err)
		}
		return nil
	})
}

// bootstrapFlowControl creates the bootstrap APF configuration, or brings
// it up to date over a reused store, before the server runs.
func (s *Server) bootstrapFlowControl(storage map[string]rest.Storage, scheme *runtime.Scheme) error {
	s.apfBootstrap = newFlowControlBootstrap(storage, scheme)
	if err := s.apfBootstrap.ensureObjects(context.Background()); err != nil {
		return fmt.Errorf("bootstrap APF configuration: %w", err)
	}
	return nil
}

// runFlowControlBootstrap, once the server is ready, deletes what a reused
// store has of an older bootstrap configuration (a fresh one has none),
// then keeps the configuration until runCtx ends.
func (s *Server) runFlowControlBootstrap(ctx, runCtx context.Context) error {
	if s.apfBootstrap.found {
		if err := s.apfBootstrap.removeUnwanted(ctx); err != nil {
			return fmt.Errorf("bootstrap APF configuration: %w", err)
		}
	}
	s.controllers.Go(func() { s.apfBootstrap.run(runCtx) })
	return nil
}
