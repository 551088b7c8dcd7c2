package builtin

import (
	"context"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"

	"github.com/memkube/memkube/harness/apis/validation"
	"github.com/memkube/memkube/harness/registry"
)

// coreValidation validates the core kinds but pods, pod templates and
// replication controllers, and the coordination, discovery and events
// groups, as their v1.37 strategies do; it also does what those
// strategies prepare before validating. Namespaces validate in
// namespace.go.
func coreValidation() map[schema.GroupResource]opt {
	return map[schema.GroupResource]opt{
		{Resource: "services"}: combined(
			validated(validation.Service, validation.ServiceUpdate, validation.ServiceStatusUpdate),
			// RelaxedServiceNameValidation is GA in v1.37: a DNS-1123 label.
			names(apimachineryvalidation.NameIsDNSLabel)),
		{Resource: "configmaps"}: validated(validation.ConfigMap, validation.ConfigMapUpdate, nil),
		{Resource: "secrets"}:    combined(prepared(mergeStringData, func(s, _ *corev1.Secret) { mergeStringData(s) }), validated(validation.Secret, validation.SecretUpdate, nil)),
		// upstream validates a ServiceAccount's metadata only, and keeps
		// only the names of its secrets.
		{Resource: "serviceaccounts"}: prepared(cleanSecretReferences, func(sa, _ *corev1.ServiceAccount) { cleanSecretReferences(sa) }),
		{Resource: "nodes"}: combined(nodeStatusOnCreate,
			prepared(func(n *corev1.Node) { n.Spec.ConfigSource, n.Status.Config = nil, nil }, dropNodeConfigSource),
			validated(validation.Node, validation.NodeUpdate, validation.NodeStatusUpdate)),
		{Resource: "endpoints"}:      validated(validation.Endpoints, validation.EndpointsUpdate, nil),
		{Resource: "resourcequotas"}: validated(validation.ResourceQuota, validation.ResourceQuotaUpdate, validation.ResourceQuotaStatusUpdate),
		{Resource: "limitranges"}:    combined(limitRangeName, validated(validation.LimitRange, nil, nil)),
		{Resource: "persistentvolumes"}: combined(persistentVolumePending,
			validated(validation.PersistentVolume, validation.PersistentVolumeUpdate, validation.PersistentVolumeStatusUpdate)),
		{Resource: "persistentvolumeclaims"}: combined(
			prepared(func(pvc *corev1.PersistentVolumeClaim) { prepareClaimDataSources(&pvc.Spec, nil) },
				func(pvc, old *corev1.PersistentVolumeClaim) { prepareClaimDataSources(&pvc.Spec, &old.Spec) }),
			validated(validation.PersistentVolumeClaim, validation.PersistentVolumeClaimUpdate, validation.PersistentVolumeClaimStatusUpdate)),
		{Resource: "events"}:                         eventValidation,
		{Group: "events.k8s.io", Resource: "events"}: eventValidation,
		{Group: coordinationv1.GroupName, Resource: "leases"}: combined(
			prepared(func(l *coordinationv1.Lease) { dropLeaseStrategy(l, nil) }, dropLeaseStrategy),
			validated(validation.Lease, nil, nil)),
		{Group: discoveryv1.GroupName, Resource: "endpointslices"}: combined(endpointSliceTopology,
			validated(validation.EndpointSlice, validation.EndpointSliceUpdate, nil)),
	}
}

// combined applies opts in order.
func combined(opts ...opt) opt {
	return func(k *registry.Kind) {
		for _, o := range opts {
			o(k)
		}
	}
}

// prepared adds typed preparation to a kind's create and update (after
// any it has).
func prepared[T runtime.Object](create func(T), update func(obj, old T)) opt {
	return func(k *registry.Kind) {
		prevCreate, prevUpdate := k.PrepareForCreate, k.PrepareForUpdate
		k.PrepareForCreate = func(ctx context.Context, obj runtime.Object) {
			if prevCreate != nil {
				prevCreate(ctx, obj)
			}
			create(obj.(T))
		}
		k.PrepareForUpdate = func(ctx context.Context, obj, old runtime.Object) {
			if prevUpdate != nil {
				prevUpdate(ctx, obj, old)
			}
			update(obj.(T), old.(T))
		}
	}
}

// mergeStringData is upstream's v1-to-internal conversion of a Secret:
// stringData overwrites data's keys and is not stored.
func mergeStringData(s *corev1.Secret) {
	if len(s.StringData) > 0 {
		if s.Data == nil {
			s.Data = map[string][]byte{}
		}
		for k, v := range s.StringData {
			s.Data[k] = []byte(v)
		}
	}
	s.StringData = nil
}

func cleanSecretReferences(sa *corev1.ServiceAccount) {
	for i, s := range sa.Secrets {
		sa.Secrets[i] = corev1.ObjectReference{Name: s.Name}
	}
}

// dropNodeConfigSource is the node strategy's: spec.configSource is
// deprecated and kept only where the node already has one.
func dropNodeConfigSource(n, old *corev1.Node) {
	if old.Spec.ConfigSource == nil {
		n.Spec.ConfigSource = nil
	}
}

// limitRangeName names a LimitRange created without a name, as upstream's
// strategy does.
func limitRangeName(k *registry.Kind) {
	k.PrepareForCreate = func(_ context.Context, obj runtime.Object) {
		if lr := obj.(*corev1.LimitRange); lr.Name == "" && lr.GenerateName == "" {
			lr.Name = string(uuid.NewUUID())
		}
	}
}

// persistentVolumePending starts a PersistentVolume in phase Pending, as
// upstream's strategy does.
func persistentVolumePending(k *registry.Kind) {
	k.PrepareForCreate = func(ctx context.Context, obj runtime.Object) {
		pv := obj.(*corev1.PersistentVolume)
		now := registry.Now(ctx)
		pv.Status = corev1.PersistentVolumeStatus{Phase: corev1.VolumePending, LastPhaseTransitionTime: &now}
	}
}

// prepareClaimDataSources is the claim strategy's data source handling:
// dataSourceRef's namespace is dropped (CrossNamespaceVolumeDataSource is
// off) unless in use; dataSource kinds other than claims and snapshots are
// dropped for old clients; dataSource and dataSourceRef are filled from
// each other.
func prepareClaimDataSources(spec, old *corev1.PersistentVolumeClaimSpec) {
	if spec.DataSourceRef != nil && (old == nil || old.DataSourceRef == nil || old.DataSourceRef.Namespace == nil) {
		spec.DataSourceRef.Namespace = nil
	}
	if (old == nil || old.DataSource == nil) && spec.DataSourceRef == nil && spec.DataSource != nil {
		ds := spec.DataSource
		group := ""
		if ds.APIGroup != nil {
			group = *ds.APIGroup
		}
		if !(group == "" && ds.Kind == "PersistentVolumeClaim") && !(group == "snapshot.storage.k8s.io" && ds.Kind == "VolumeSnapshot") {
			spec.DataSource = nil
		}
	}
	switch {
	case spec.DataSource != nil && spec.DataSourceRef == nil:
		spec.DataSourceRef = &corev1.TypedObjectReference{Kind: spec.DataSource.Kind, Name: spec.DataSource.Name, APIGroup: copyString(spec.DataSource.APIGroup)}
	case spec.DataSourceRef != nil && spec.DataSource == nil && (spec.DataSourceRef.Namespace == nil || *spec.DataSourceRef.Namespace == ""):
		spec.DataSource = &corev1.TypedLocalObjectReference{Kind: spec.DataSourceRef.Kind, Name: spec.DataSourceRef.Name, APIGroup: copyString(spec.DataSourceRef.APIGroup)}
	}
}

func copyString(s *string) *string {
	if s == nil {
		return nil
	}
	c := *s
	return &c
}

// dropLeaseStrategy drops a Lease's strategy and preferredHolder:
// CoordinatedLeaderElection is off in v1.37, unless the Lease had one.
func dropLeaseStrategy(l, old *coordinationv1.Lease) {
	if old == nil || old.Spec.Strategy == nil {
		l.Spec.Strategy = nil
		l.Spec.PreferredHolder = nil
	}
}

// eventValidation validates core and events.k8s.io Events by the version
// of the request, as upstream's event strategy does.
func eventValidation(k *registry.Kind) {
	k.Validate = func(ctx context.Context, obj runtime.Object) field.ErrorList {
		return validation.Event(obj.(*corev1.Event), requestGroupVersion(ctx))
	}
	k.ValidateUpdate = func(ctx context.Context, obj, old runtime.Object) field.ErrorList {
		return validation.EventUpdate(obj.(*corev1.Event), old.(*corev1.Event), requestGroupVersion(ctx))
	}
}

func requestGroupVersion(ctx context.Context) schema.GroupVersion {
	if info, ok := genericapirequest.RequestInfoFrom(ctx); ok {
		return schema.GroupVersion{Group: info.APIGroup, Version: info.APIVersion}
	}
	return schema.GroupVersion{}
}

// endpointSliceTopology is upstream's dropTopologyOnV1: writes of
// deprecatedTopology through discovery.k8s.io/v1 are dropped (where the
// endpoints change), keeping a node name the old slice recorded there.
func endpointSliceTopology(k *registry.Kind) {
	drop := func(ctx context.Context, eps, old *discoveryv1.EndpointSlice) {
		if _, ok := genericapirequest.RequestInfoFrom(ctx); !ok {
			return
		}
		if old != nil && apiequality.Semantic.DeepEqual(old.Endpoints, eps.Endpoints) {
			return
		}
		prev := map[string]bool{}
		if old != nil {
			for _, ep := range old.Endpoints {
				if name, ok := ep.DeprecatedTopology[corev1.LabelHostname]; ok {
					prev[name] = true
				}
			}
		}
		for i := range eps.Endpoints {
			ep := &eps.Endpoints[i]
			if name, ok := ep.DeprecatedTopology[corev1.LabelHostname]; ok && ep.NodeName == nil && prev[name] &&
				len(apimachineryvalidation.NameIsDNSSubdomain(name, false)) == 0 {
				ep.NodeName = &name
			}
			ep.DeprecatedTopology = nil
		}
	}
	k.PrepareForCreate = func(ctx context.Context, obj runtime.Object) {
		drop(ctx, obj.(*discoveryv1.EndpointSlice), nil)
	}
	k.PrepareForUpdate = func(ctx context.Context, obj, old runtime.Object) {
		drop(ctx, obj.(*discoveryv1.EndpointSlice), old.(*discoveryv1.EndpointSlice))
	}
}

// nodeStatusOnCreate keeps the status a Node is created with, as upstream's
// node strategy does (a kubelet registers its node with its capacity and
// addresses): the common strategy clears status on create.
func nodeStatusOnCreate(k *registry.Kind) {
	customize := k.Customize
	k.Customize = func(store *genericregistry.Store) {
		if customize != nil {
			customize(store)
		}
		store.CreateStrategy = nodeCreateStrategy{store.CreateStrategy.(*registry.Strategy)}
	}
}

type nodeCreateStrategy struct {
	*registry.Strategy
}

func (s nodeCreateStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	node := obj.(*corev1.Node)
	status := node.Status
	s.Strategy.PrepareForCreate(ctx, obj)
	status.Config = node.Status.Config // as the kind's preparation left it
	node.Status = status
}
