package validation

import (
	"fmt"
	"path"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var (
	supportedReclaimPolicy = sets.New(corev1.PersistentVolumeReclaimDelete, corev1.PersistentVolumeReclaimRecycle,
		corev1.PersistentVolumeReclaimRetain)
	resizeStatusSet = sets.New(corev1.PersistentVolumeClaimControllerResizeInProgress,
		corev1.PersistentVolumeClaimControllerResizeInfeasible, corev1.PersistentVolumeClaimNodeResizePending,
		corev1.PersistentVolumeClaimNodeResizeInProgress, corev1.PersistentVolumeClaimNodeResizeInfeasible)
)

// betaToGALabel are the node labels a PersistentVolume's node affinity may
// move from their beta key to their GA key.
var betaToGALabel = map[string]string{
	corev1.LabelFailureDomainBetaZone:   corev1.LabelTopologyZone,
	corev1.LabelFailureDomainBetaRegion: corev1.LabelTopologyRegion,
	"beta.kubernetes.io/os":             corev1.LabelOSStable,
	"beta.kubernetes.io/arch":           corev1.LabelArchStable,
	corev1.LabelInstanceType:            corev1.LabelInstanceTypeStable,
}

// mountOptionAnnotation is the deprecated annotation of a PV's mount options.
const mountOptionAnnotation = "volume.beta.kubernetes.io/mount-options"

// accessModes requires known modes and ReadWriteOncePod alone.
func accessModes(modes []corev1.PersistentVolumeAccessMode, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	rwop, other := false, false
	for _, mode := range modes {
		if !supportedAccessModes.Has(mode) {
			errs = append(errs, field.NotSupported(fldPath, mode, sets.List(supportedAccessModes)))
		}
		if mode == corev1.ReadWriteOncePod {
			rwop = true
		} else if supportedAccessModes.Has(mode) {
			other = true
		}
	}
	if rwop && other {
		errs = append(errs, field.Forbidden(fldPath, "may not use ReadWriteOncePod with other access modes"))
	}
	return errs
}

// PersistentVolume is upstream's ValidatePersistentVolume below metadata,
// with the volume package's mount option rule.
func PersistentVolume(pv *corev1.PersistentVolume) field.ErrorList {
	return append(persistentVolumeSpec(&pv.Spec, persistentVolumeOptions(nil), field.NewPath("spec")), pvMountOptions(pv)...)
}

type pvOptions struct {
	allowInvalidLabelValueInRequiredNodeAffinity bool
}

func persistentVolumeOptions(old *corev1.PersistentVolume) pvOptions {
	var opts pvOptions
	if old != nil && old.Spec.NodeAffinity != nil && old.Spec.NodeAffinity.Required != nil {
		for _, term := range old.Spec.NodeAffinity.Required.NodeSelectorTerms {
			for _, req := range term.MatchExpressions {
				for _, v := range req.Values {
					opts.allowInvalidLabelValueInRequiredNodeAffinity = opts.allowInvalidLabelValueInRequiredNodeAffinity || len(validation.IsValidLabelValue(v)) != 0
				}
			}
		}
	}
	return opts
}

// PersistentVolumeUpdate is upstream's strategy ValidateUpdate: the new
// object is validated (twice, as upstream does: once by the strategy and
// once inside ValidatePersistentVolumeUpdate), the volume source and
// volumeMode are immutable, node affinity may only move beta labels to GA,
// and volumeAttributesClassName may not be unset.
func PersistentVolumeUpdate(pv, old *corev1.PersistentVolume) field.ErrorList {
	opts := persistentVolumeOptions(old)
	specErrs := persistentVolumeSpec(&pv.Spec, opts, field.NewPath("spec"))
	errs := append(append(field.ErrorList{}, specErrs...), pvMountOptions(pv)...)
	errs = append(errs, specErrs...)

	newSource := pv.Spec.PersistentVolumeSource
	// a CSI volume may gain a controllerExpandSecretRef.
	if old.Spec.CSI != nil && old.Spec.CSI.ControllerExpandSecretRef == nil && pv.Spec.CSI != nil && pv.Spec.CSI.ControllerExpandSecretRef != nil {
		csi := *pv.Spec.CSI
		csi.ControllerExpandSecretRef = nil
		newSource.CSI = &csi
	}
	if !apiequality.Semantic.DeepEqual(newSource, old.Spec.PersistentVolumeSource) {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "persistentvolumesource"),
			fmt.Sprintf("spec.persistentvolumesource is immutable after creation\n%v", diff.Diff(old.Spec.PersistentVolumeSource, newSource))))
	}
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(pv.Spec.VolumeMode, old.Spec.VolumeMode, field.NewPath("volumeMode"))...)
	// MutablePVNodeAffinity is off in v1.37.
	if old.Spec.NodeAffinity != nil && !sameNodeAffinityButGALabels(pv.Spec.NodeAffinity, old.Spec.NodeAffinity) {
		errs = append(errs, field.Invalid(field.NewPath("nodeAffinity"), pv.Spec.NodeAffinity, apimachineryvalidation.FieldImmutableErrorMsg+", except for updating from beta label to GA"))
	}
	if old.Spec.VolumeAttributesClassName != nil && pv.Spec.VolumeAttributesClassName == nil {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "volumeAttributesClassName"), "update from non-nil value to nil is forbidden"))
	}
	return errs
}

// PersistentVolumeStatusUpdate is upstream's
// ValidatePersistentVolumeStatusUpdate.
func PersistentVolumeStatusUpdate(pv, _ *corev1.PersistentVolume) field.ErrorList {
	if len(pv.ResourceVersion) == 0 {
		return field.ErrorList{field.Required(field.NewPath("resourceVersion"), "")}
	}
	return nil
}

func sameNodeAffinityButGALabels(affinity, old *corev1.VolumeNodeAffinity) bool {
	if affinity == nil || affinity.Required == nil || old.Required == nil ||
		len(affinity.Required.NodeSelectorTerms) != len(old.Required.NodeSelectorTerms) {
		return apiequality.Semantic.DeepEqual(affinity, old)
	}
	masked := old.DeepCopy()
	for i, term := range masked.Required.NodeSelectorTerms {
		newTerm := affinity.Required.NodeSelectorTerms[i]
		for j := range term.MatchExpressions {
			if j < len(newTerm.MatchExpressions) && betaToGALabel[term.MatchExpressions[j].Key] == newTerm.MatchExpressions[j].Key {
				term.MatchExpressions[j].Key = newTerm.MatchExpressions[j].Key
			}
		}
	}
	return apiequality.Semantic.DeepEqual(affinity, masked)
}

func pvMountOptions(pv *corev1.PersistentVolume) field.ErrorList {
	s := pv.Spec
	if s.GCEPersistentDisk != nil || s.AWSElasticBlockStore != nil || s.Glusterfs != nil || s.NFS != nil || s.RBD != nil ||
		s.Quobyte != nil || s.ISCSI != nil || s.Cinder != nil || s.CephFS != nil || s.AzureFile != nil || s.VsphereVolume != nil ||
		s.AzureDisk != nil || s.PhotonPersistentDisk != nil {
		return nil
	}
	if _, ok := pv.Annotations[mountOptionAnnotation]; ok {
		return field.ErrorList{field.Forbidden(field.NewPath("metadata").Child("annotations", mountOptionAnnotation), "may not specify mount options for this volume type")}
	}
	return nil
}

// pvSource is one of a PersistentVolume's volume sources: whether it is
// set, its field name, and its validation (nil: only counted).
type pvSource struct {
	set      bool
	name     string
	validate func(*field.Path) field.ErrorList
}

func persistentVolumeSpec(spec *corev1.PersistentVolumeSpec, opts pvOptions, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(spec.AccessModes) == 0 {
		errs = append(errs, field.Required(fldPath.Child("accessModes"), ""))
	}
	errs = append(errs, accessModes(spec.AccessModes, fldPath.Child("accessModes"))...)

	capPath := fldPath.Child("capacity")
	if len(spec.Capacity) == 0 {
		errs = append(errs, field.Required(capPath, ""))
	}
	if _, ok := spec.Capacity[corev1.ResourceStorage]; !ok || len(spec.Capacity) > 1 {
		errs = append(errs, field.NotSupported(capPath, spec.Capacity, []corev1.ResourceName{corev1.ResourceStorage}))
	}
	for _, r := range sortedResourceNames(spec.Capacity) {
		errs = append(errs, basicResource(spec.Capacity[r], capPath.Key(string(r)))...)
		errs = append(errs, positiveQuantity(spec.Capacity[r], capPath.Key(string(r)))...)
	}

	if p := spec.PersistentVolumeReclaimPolicy; len(p) > 0 && !supportedReclaimPolicy.Has(p) {
		errs = append(errs, field.NotSupported(fldPath.Child("persistentVolumeReclaimPolicy"), p, sets.List(supportedReclaimPolicy)))
	}

	nodeAffinitySpecified := false
	if na := spec.NodeAffinity; na != nil {
		nodeAffinitySpecified = true
		if na.Required != nil {
			errs = append(errs, NodeSelector(na.Required, opts.allowInvalidLabelValueInRequiredNodeAffinity, fldPath.Child("nodeAffinity", "required"))...)
		} else {
			errs = append(errs, field.Required(fldPath.Child("nodeAffinity", "required"), "must specify required node constraints"))
		}
	}

	src := &spec.PersistentVolumeSource
	sources := []pvSource{
		{src.HostPath != nil, "hostPath", func(p *field.Path) field.ErrorList { return hostPathVolume(src.HostPath, p) }},
		// upstream validates gcePersistentDisk under "persistentDisk".
		{src.GCEPersistentDisk != nil, "gcePersistentDisk", nil},
		{src.AWSElasticBlockStore != nil, "awsElasticBlockStore", nil},
		{src.Glusterfs != nil, "glusterfs", nil},
		{src.Flocker != nil, "flocker", nil},
		{src.NFS != nil, "nfs", func(p *field.Path) field.ErrorList { return nfsVolume(src.NFS, p) }},
		{src.RBD != nil, "rbd", nil},
		{src.Quobyte != nil, "quobyte", nil},
		{src.CephFS != nil, "cephFS", nil},
		{src.ISCSI != nil, "iscsi", nil},
		{src.Cinder != nil, "cinder", nil},
		{src.FC != nil, "fc", nil},
		{src.FlexVolume != nil, "flexVolume", nil},
		{src.AzureFile != nil, "azureFile", nil},
		{src.VsphereVolume != nil, "vsphereVolume", nil},
		{src.PhotonPersistentDisk != nil, "photonPersistentDisk", nil},
		{src.PortworxVolume != nil, "portworxVolume", nil},
		{src.AzureDisk != nil, "azureDisk", nil},
		{src.ScaleIO != nil, "scaleIO", nil},
		{src.Local != nil, "local", func(p *field.Path) field.ErrorList {
			var errs field.ErrorList
			if src.Local.Path == "" {
				errs = append(errs, field.Required(p.Child("path"), ""))
			} else {
				errs = append(errs, pathNoBacksteps(src.Local.Path, p.Child("path"))...)
			}
			if !nodeAffinitySpecified {
				errs = append(errs, field.Required(fldPath.Child("nodeAffinity"), "Local volume requires node affinity"))
			}
			return errs
		}},
		{src.StorageOS != nil, "storageos", nil},
		{src.CSI != nil, "csi", func(p *field.Path) field.ErrorList { return csiPersistentVolume(src.CSI, p) }},
	}
	numVolumes := 0
	for _, s := range sources {
		if !s.set {
			continue
		}
		// flexVolume is counted but never refused as a second source, as upstream.
		if numVolumes > 0 && s.name != "flexVolume" {
			errs = append(errs, field.Forbidden(fldPath.Child(s.name), "may not specify more than 1 volume type"))
			continue
		}
		numVolumes++
		if s.validate != nil {
			errs = append(errs, s.validate(fldPath.Child(s.name))...)
		}
	}
	if numVolumes == 0 {
		errs = append(errs, field.Required(fldPath, "must specify a volume type"))
	}

	if src.HostPath != nil && path.Clean(src.HostPath.Path) == "/" && spec.PersistentVolumeReclaimPolicy == corev1.PersistentVolumeReclaimRecycle {
		errs = append(errs, field.Forbidden(fldPath.Child("persistentVolumeReclaimPolicy"), "may not be 'recycle' for a hostPath mount of '/'"))
	}
	if len(spec.StorageClassName) > 0 {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(spec.StorageClassName, false) {
			errs = append(errs, field.Invalid(fldPath.Child("storageClassName"), spec.StorageClassName, msg))
		}
	}
	if spec.VolumeMode != nil && !supportedVolumeModes.Has(*spec.VolumeMode) {
		errs = append(errs, field.NotSupported(fldPath.Child("volumeMode"), *spec.VolumeMode, sets.List(supportedVolumeModes)))
	}
	// VolumeAttributesClass is GA in v1.37.
	if vac := spec.VolumeAttributesClassName; vac != nil {
		if len(*vac) == 0 {
			errs = append(errs, field.Required(fldPath.Child("volumeAttributesClassName"), "an empty string is disallowed"))
		} else {
			for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*vac, false) {
				errs = append(errs, field.Invalid(fldPath.Child("volumeAttributesClassName"), *vac, msg))
			}
		}
		if src.CSI == nil {
			errs = append(errs, field.Required(fldPath.Child("csi"), "has to be specified when using volumeAttributesClassName"))
		}
	}
	return errs
}

// basicResource is upstream's validateBasicResource.
func basicResource(q resource.Quantity, fldPath *field.Path) field.ErrorList {
	if q.Value() < 0 {
		return field.ErrorList{field.Invalid(fldPath, q.Value(), "must be a valid resource quantity")}
	}
	return nil
}

func nfsVolume(nfs *corev1.NFSVolumeSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(nfs.Server) == 0 {
		errs = append(errs, field.Required(fldPath.Child("server"), ""))
	}
	if len(nfs.Path) == 0 {
		errs = append(errs, field.Required(fldPath.Child("path"), ""))
	}
	if !path.IsAbs(nfs.Path) {
		errs = append(errs, field.Invalid(fldPath.Child("path"), nfs.Path, "must be an absolute path"))
	}
	return errs
}

func csiPersistentVolume(csi *corev1.CSIPersistentVolumeSource, fldPath *field.Path) field.ErrorList {
	errs := csiDriverName(csi.Driver, fldPath.Child("driver"))
	if len(csi.VolumeHandle) == 0 {
		errs = append(errs, field.Required(fldPath.Child("volumeHandle"), ""))
	}
	for _, ref := range []struct {
		name string
		ref  *corev1.SecretReference
	}{
		{"controllerPublishSecretRef", csi.ControllerPublishSecretRef}, {"controllerExpandSecretRef", csi.ControllerExpandSecretRef},
		{"nodePublishSecretRef", csi.NodePublishSecretRef}, {"nodeExpandSecretRef", csi.NodeExpandSecretRef},
	} {
		if ref.ref == nil {
			continue
		}
		p := fldPath.Child(ref.name)
		if len(ref.ref.Name) == 0 {
			errs = append(errs, field.Required(p.Child("name"), ""))
		} else {
			errs = append(errs, dns1123Subdomain(ref.ref.Name, p.Child("name"))...)
		}
		if len(ref.ref.Namespace) == 0 {
			errs = append(errs, field.Required(p.Child("namespace"), ""))
		} else {
			errs = append(errs, dns1123Label(ref.ref.Namespace, p.Child("namespace"))...)
		}
	}
	return errs
}

// pvcOptions are upstream's PersistentVolumeClaimSpecValidationOptions
// that depend on the old claim (the feature gates are on in v1.37).
type pvcOptions struct {
	allowInvalidLabelValueInSelector      bool
	allowInvalidAPIGroupInDataSourceOrRef bool
}

func persistentVolumeClaimOptions(old *corev1.PersistentVolumeClaim) pvcOptions {
	var opts pvcOptions
	if old == nil {
		return opts
	}
	opts.allowInvalidAPIGroupInDataSourceOrRef = (old.Spec.DataSource != nil && old.Spec.DataSource.APIGroup != nil) ||
		(old.Spec.DataSourceRef != nil && old.Spec.DataSourceRef.APIGroup != nil)
	opts.allowInvalidLabelValueInSelector = len(metav1validation.ValidateLabelSelector(old.Spec.Selector, metav1validation.LabelSelectorValidationOptions{}, nil)) > 0
	return opts
}

// PersistentVolumeClaim is upstream's ValidatePersistentVolumeClaim below
// metadata.
func PersistentVolumeClaim(pvc *corev1.PersistentVolumeClaim) field.ErrorList {
	return persistentVolumeClaimSpec(&pvc.Spec, field.NewPath("spec"), persistentVolumeClaimOptions(nil))
}

// PersistentVolumeClaimSpec is upstream's ValidatePersistentVolumeClaimSpec
// with a create's options (claim templates and ephemeral volumes).
func PersistentVolumeClaimSpec(spec *corev1.PersistentVolumeClaimSpec, fldPath *field.Path) field.ErrorList {
	return persistentVolumeClaimSpec(spec, fldPath, pvcOptions{})
}

func persistentVolumeClaimSpec(spec *corev1.PersistentVolumeClaimSpec, fldPath *field.Path, opts pvcOptions) field.ErrorList {
	var errs field.ErrorList
	if len(spec.AccessModes) == 0 {
		errs = append(errs, field.Required(fldPath.Child("accessModes"), "at least 1 access mode is required"))
	}
	if spec.Selector != nil {
		errs = append(errs, metav1validation.ValidateLabelSelector(spec.Selector,
			metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector}, fldPath.Child("selector"))...)
	}
	errs = append(errs, accessModes(spec.AccessModes, fldPath.Child("accessModes"))...)

	storagePath := fldPath.Child("resources").Key(string(corev1.ResourceStorage))
	if storage, ok := spec.Resources.Requests[corev1.ResourceStorage]; !ok {
		errs = append(errs, field.Required(storagePath, ""))
	} else if e := positiveQuantity(storage, storagePath); len(e) > 0 {
		errs = append(errs, e...)
	} else {
		errs = append(errs, resourceQuantityValue(corev1.ResourceStorage, storage, storagePath)...)
	}

	if spec.StorageClassName != nil && len(*spec.StorageClassName) > 0 {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*spec.StorageClassName, false) {
			errs = append(errs, field.Invalid(fldPath.Child("storageClassName"), *spec.StorageClassName, msg))
		}
	}
	if spec.VolumeMode != nil && !supportedVolumeModes.Has(*spec.VolumeMode) {
		errs = append(errs, field.NotSupported(fldPath.Child("volumeMode"), *spec.VolumeMode, sets.List(supportedVolumeModes)))
	}
	if ds := spec.DataSource; ds != nil {
		errs = append(errs, dataSource(ds.Name, ds.Kind, ds.APIGroup, fldPath.Child("dataSource"), opts.allowInvalidAPIGroupInDataSourceOrRef)...)
	}
	if ref := spec.DataSourceRef; ref != nil {
		errs = append(errs, dataSource(ref.Name, ref.Kind, ref.APIGroup, fldPath.Child("dataSourceRef"), opts.allowInvalidAPIGroupInDataSourceOrRef)...)
		if ref.Namespace != nil && len(*ref.Namespace) > 0 {
			for _, msg := range apimachineryvalidation.ValidateNamespaceName(*ref.Namespace, false) {
				errs = append(errs, field.Invalid(fldPath.Child("dataSourceRef", "namespace"), *ref.Namespace, msg))
			}
		}
	}
	if ref := spec.DataSourceRef; ref != nil && ref.Namespace != nil && len(*ref.Namespace) > 0 {
		if spec.DataSource != nil {
			errs = append(errs, field.Invalid(fldPath, fldPath.Child("dataSource"), "may not be specified when dataSourceRef.namespace is specified"))
		}
	} else if ds := spec.DataSource; ds != nil && ref != nil {
		if !ptrEqual(ds.APIGroup, ref.APIGroup) || ds.Kind != ref.Kind || ds.Name != ref.Name {
			errs = append(errs, field.Invalid(fldPath, fldPath.Child("dataSource"), "must match dataSourceRef"))
		}
	}
	if vac := spec.VolumeAttributesClassName; vac != nil && len(*vac) > 0 {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*vac, false) {
			errs = append(errs, field.Invalid(fldPath.Child("volumeAttributesClassName"), *vac, msg))
		}
	}
	return errs
}

func ptrEqual[T comparable](a, b *T) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func dataSource(name, kind string, apiGroup *string, fldPath *field.Path, allowInvalidAPIGroup bool) field.ErrorList {
	var errs field.ErrorList
	if len(name) == 0 {
		errs = append(errs, field.Required(fldPath.Child("name"), ""))
	}
	if len(kind) == 0 {
		errs = append(errs, field.Required(fldPath.Child("kind"), ""))
	}
	group := ""
	if apiGroup != nil {
		group = *apiGroup
	}
	if len(group) == 0 && kind != "PersistentVolumeClaim" {
		errs = append(errs, field.Invalid(fldPath, kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup"))
	}
	if len(group) > 0 && !allowInvalidAPIGroup {
		for _, msg := range validation.IsDNS1123Subdomain(group) {
			errs = append(errs, field.Invalid(fldPath.Child("apiGroup"), group, msg))
		}
	}
	return errs
}

// PersistentVolumeClaimUpdate is upstream's
// ValidatePersistentVolumeClaimUpdate: the new claim is valid, and its spec
// is immutable but for volumeName (set once), a storage class set where it
// was unset (or only in the beta annotation), and, once bound,
// resources.requests (grow only, or shrink to above status.capacity) and
// volumeAttributesClassName.
func PersistentVolumeClaimUpdate(pvc, old *corev1.PersistentVolumeClaim) field.ErrorList {
	errs := persistentVolumeClaimSpec(&pvc.Spec, field.NewPath("spec"), persistentVolumeClaimOptions(old))
	newSpec, oldSpec := pvc.Spec.DeepCopy(), old.Spec.DeepCopy()
	if len(old.Spec.VolumeName) == 0 {
		oldSpec.VolumeName = newSpec.VolumeName
	}
	oldSC, oldAnnotated := old.Annotations[corev1.BetaStorageClassAnnotation]
	newSC, newAnnotated := pvc.Annotations[corev1.BetaStorageClassAnnotation]
	if oldAnnotated && old.Spec.StorageClassName == nil && pvc.Spec.StorageClassName != nil && *pvc.Spec.StorageClassName == oldSC &&
		(!newAnnotated || newSC == oldSC) {
		newSpec.StorageClassName = nil
	} else {
		if newSC != oldSC {
			errs = append(errs, field.Invalid(field.NewPath("metadata").Child("annotations", corev1.BetaStorageClassAnnotation), newSC, apimachineryvalidation.FieldImmutableErrorMsg))
		}
		if pvc.Spec.StorageClassName != nil && old.Spec.StorageClassName == nil && (!oldAnnotated || *pvc.Spec.StorageClassName == oldSC) {
			newSpec.StorageClassName = oldSpec.StorageClassName
		}
	}
	if pvc.Status.Phase == corev1.ClaimBound {
		if newSpec.Resources.Requests != nil {
			newSpec.Resources.Requests[corev1.ResourceStorage] = old.Spec.Resources.Requests[corev1.ResourceStorage]
		}
		newSpec.VolumeAttributesClassName = oldSpec.VolumeAttributesClassName
	}
	if !apiequality.Semantic.DeepEqual(newSpec, oldSpec) {
		errs = append(errs, field.Forbidden(field.NewPath("spec"),
			fmt.Sprintf("spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n%v", diff.Diff(*oldSpec, *newSpec))))
	}
	// RecoverVolumeExpansionFailure is GA: a claim may shrink its request
	// back down to above what was provisioned.
	newSize, oldSize, statusSize := pvc.Spec.Resources.Requests[corev1.ResourceStorage], old.Spec.Resources.Requests[corev1.ResourceStorage], old.Status.Capacity[corev1.ResourceStorage]
	if newSize.Cmp(oldSize) < 0 && newSize.Cmp(statusSize) <= 0 {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "resources", "requests", "storage"), "field can not be less than status.capacity"))
	}
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(pvc.Spec.VolumeMode, old.Spec.VolumeMode, field.NewPath("volumeMode"))...)
	if !ptrEqual(old.Spec.VolumeAttributesClassName, pvc.Spec.VolumeAttributesClassName) && old.Status.CurrentVolumeAttributesClassName != nil {
		if pvc.Spec.VolumeAttributesClassName == nil {
			errs = append(errs, field.Forbidden(field.NewPath("spec", "volumeAttributesClassName"), "update to nil is forbidden when status.currentVolumeAttributesClassName is not nil"))
		} else if len(*pvc.Spec.VolumeAttributesClassName) == 0 {
			errs = append(errs, field.Forbidden(field.NewPath("spec", "volumeAttributesClassName"), "update to empty string is forbidden when status.currentVolumeAttributesClassName is not nil"))
		}
	}
	return errs
}

// PersistentVolumeClaimStatusUpdate is upstream's
// ValidatePersistentVolumeClaimStatusUpdate.
func PersistentVolumeClaimStatusUpdate(pvc, _ *corev1.PersistentVolumeClaim) field.ErrorList {
	var errs field.ErrorList
	if len(pvc.ResourceVersion) == 0 {
		errs = append(errs, field.Required(field.NewPath("resourceVersion"), ""))
	}
	if len(pvc.Spec.AccessModes) == 0 {
		errs = append(errs, field.Required(field.NewPath("Spec", "accessModes"), ""))
	}
	capPath := field.NewPath("status", "capacity")
	for _, r := range sortedResourceNames(pvc.Status.Capacity) {
		errs = append(errs, basicResource(pvc.Status.Capacity[r], capPath.Key(string(r)))...)
	}
	if h := pvc.Status.HealthStatus; h != nil {
		for i, c := range h.HealthConditions {
			if len(c.Reason) == 0 {
				continue
			}
			for _, msg := range metav1validation.IsValidConditionReason(c.Reason) {
				errs = append(errs, field.Invalid(field.NewPath("status", "healthStatus", "healthConditions").Index(i).Child("reason"), c.Reason, msg))
			}
		}
	}
	resizePath := field.NewPath("status", "allocatedResourceStatuses")
	for _, k := range sortedResourceKeys(pvc.Status.AllocatedResourceStatuses) {
		errs = append(errs, pvcResourceKey(string(k), resizePath)...)
		if !resizeStatusSet.Has(pvc.Status.AllocatedResourceStatuses[k]) {
			errs = append(errs, field.NotSupported(resizePath, k, sets.List(resizeStatusSet)))
		}
	}
	allocPath := field.NewPath("status", "allocatedResources")
	for _, r := range sortedResourceNames(pvc.Status.AllocatedResources) {
		if e := pvcResourceKey(string(r), allocPath); len(e) > 0 {
			errs = append(errs, e...)
			continue
		}
		if e := basicResource(pvc.Status.AllocatedResources[r], allocPath.Key(string(r))); len(e) > 0 {
			errs = append(errs, e...)
		} else {
			errs = append(errs, resourceQuantityValue(corev1.ResourceStorage, pvc.Status.AllocatedResources[r], allocPath.Key(string(r)))...)
		}
	}
	return errs
}

func sortedResourceKeys[V any](m map[corev1.ResourceName]V) []corev1.ResourceName {
	out := make([]corev1.ResourceName, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return sets.List(sets.New(out...))
}

func pvcResourceKey(value string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsQualifiedName(value) {
		errs = append(errs, field.Invalid(fldPath, value, msg))
	}
	if len(errs) != 0 {
		return errs
	}
	if isNativeResource(corev1.ResourceName(value)) && corev1.ResourceName(value) != corev1.ResourceStorage {
		return append(errs, field.NotSupported(fldPath, value, []corev1.ResourceName{corev1.ResourceStorage}))
	}
	return errs
}
