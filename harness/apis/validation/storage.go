package validation

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const (
	maxProvisionerParameterSize   = 256 * (1 << 10)
	maxProvisionerParameterLen    = 512
	maxAttachedVolumeMetadataSize = 256 * (1 << 10)
	maxVolumeErrorMessageSize     = 1024
	csiNodeIDMaxLength            = 256
)

var (
	supportedReclaimPolicies = sets.New(string(corev1.PersistentVolumeReclaimDelete), string(corev1.PersistentVolumeReclaimRetain))
	supportedBindingModes    = sets.New(string(storagev1.VolumeBindingImmediate), string(storagev1.VolumeBindingWaitForFirstConsumer))
	supportedFSGroupPolicies = sets.New(string(storagev1.ReadWriteOnceWithFSTypeFSGroupPolicy), string(storagev1.FileFSGroupPolicy), string(storagev1.NoneFSGroupPolicy))
)

// StorageClass is upstream's ValidateStorageClass.
func StorageClass(sc *storagev1.StorageClass) field.ErrorList {
	errs := provisioner(sc.Provisioner, field.NewPath("provisioner"))
	errs = append(errs, provisionerParameters(sc.Parameters, true, field.NewPath("parameters"))...)
	if p := sc.ReclaimPolicy; p != nil && *p != "" && !supportedReclaimPolicies.Has(string(*p)) {
		errs = append(errs, field.NotSupported(field.NewPath("reclaimPolicy"), p, sets.List(supportedReclaimPolicies)))
	}
	if m := sc.VolumeBindingMode; m == nil {
		errs = append(errs, field.Required(field.NewPath("volumeBindingMode"), ""))
	} else if !supportedBindingModes.Has(string(*m)) {
		errs = append(errs, field.NotSupported(field.NewPath("volumeBindingMode"), m, sets.List(supportedBindingModes)))
	}
	return append(errs, allowedTopologies(sc.AllowedTopologies, field.NewPath("allowedTopologies"))...)
}

// StorageClassUpdate adds to the create rules that parameters,
// provisioner, reclaimPolicy and volumeBindingMode are immutable.
func StorageClassUpdate(sc, old *storagev1.StorageClass) field.ErrorList {
	errs := StorageClass(sc)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(sc.Parameters, old.Parameters, field.NewPath("parameters")).WithOrigin("immutable")...)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(sc.Provisioner, old.Provisioner, field.NewPath("provisioner")).WithOrigin("immutable")...)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(sc.ReclaimPolicy, old.ReclaimPolicy, field.NewPath("reclaimPolicy")).WithOrigin("immutable")...)
	return append(errs, apimachineryvalidation.ValidateImmutableField(sc.VolumeBindingMode, old.VolumeBindingMode, field.NewPath("volumeBindingMode")).WithOrigin("immutable")...)
}

// provisioner is upstream's validateProvisioner: required, and a qualified
// name once lower-cased.
func provisioner(name string, path *field.Path) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(path, name)}
	}
	return qualifiedName(strings.ToLower(name), path)
}

func provisionerParameters(params map[string]string, allowEmpty bool, path *field.Path) field.ErrorList {
	if len(params) > maxProvisionerParameterLen {
		return field.ErrorList{field.TooLong(path, "", maxProvisionerParameterLen)}
	}
	var errs field.ErrorList
	var size int64
	for k, v := range params {
		if k == "" {
			errs = append(errs, field.Invalid(path, k, "field can not be empty."))
		}
		size += int64(len(k)) + int64(len(v))
	}
	if size > maxProvisionerParameterSize {
		errs = append(errs, field.TooLong(path, "", maxProvisionerParameterSize))
	}
	if !allowEmpty && len(params) == 0 {
		errs = append(errs, field.Required(path, "must contain at least one key/value pair"))
	}
	return errs
}

// allowedTopologies is upstream's validateAllowedTopologies with
// ValidateTopologySelectorTerm: values required and unique, keys label
// names, no key twice in a term, no term twice.
func allowedTopologies(terms []corev1.TopologySelectorTerm, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	var seen []map[string]sets.Set[string]
	for i, term := range terms {
		exprs := map[string]sets.Set[string]{}
		for j, req := range term.MatchLabelExpressions {
			reqPath := path.Index(i).Child("matchLabelExpressions").Index(j)
			values := sets.New[string]()
			if len(req.Values) == 0 {
				errs = append(errs, field.Required(reqPath.Child("values"), ""))
			}
			for k, v := range req.Values {
				if values.Has(v) {
					errs = append(errs, field.Duplicate(reqPath.Child("values").Index(k), v))
				}
				values.Insert(v)
			}
			errs = append(errs, metav1validation.ValidateLabelName(req.Key, reqPath.Child("key"))...)
			if _, dup := exprs[req.Key]; dup {
				errs = append(errs, field.Duplicate(reqPath.Child("key"), req.Key))
			}
			exprs[req.Key] = values
		}
		for _, other := range seen {
			if apiequality.Semantic.DeepEqual(exprs, other) {
				errs = append(errs, field.Duplicate(path.Index(i).Child("matchLabelExpressions"), ""))
			}
		}
		seen = append(seen, exprs)
	}
	return errs
}

// csiDriverName is upstream's core ValidateCSIDriverName.
func csiDriverName(name string, path *field.Path) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(path, "")}
	}
	var errs field.ErrorList
	if len(name) > 63 {
		errs = append(errs, field.TooLong(path, "", 63))
	}
	for _, msg := range validation.IsDNS1123Subdomain(strings.ToLower(name)) {
		errs = append(errs, field.Invalid(path, name, msg))
	}
	return errs
}

// CSIDriver is upstream's ValidateCSIDriver. The booleans defaulting sets
// (attachRequired, podInfoOnMount, storageCapacity, seLinuxMount,
// preventPodSchedulingIfMissing) are required, so a request that clears
// them fails.
func CSIDriver(d *storagev1.CSIDriver) field.ErrorList {
	return csiDriverSpec(&d.Spec, field.NewPath("spec"))
}

// CSIDriverUpdate adds that attachRequired and volumeLifecycleModes are
// immutable.
func CSIDriverUpdate(d, old *storagev1.CSIDriver) field.ErrorList {
	errs := csiDriverSpec(&d.Spec, field.NewPath("spec"))
	// upstream's path is spec.attachedRequired.
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(d.Spec.AttachRequired, old.Spec.AttachRequired, field.NewPath("spec", "attachedRequired"))...)
	return append(errs, apimachineryvalidation.ValidateImmutableField(d.Spec.VolumeLifecycleModes, old.Spec.VolumeLifecycleModes, field.NewPath("spec", "volumeLifecycleModes")).WithOrigin("immutable")...)
}

func csiDriverSpec(spec *storagev1.CSIDriverSpec, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	required := func(set bool, name string) {
		if !set {
			errs = append(errs, field.Required(path.Child(name), ""))
		}
	}
	required(spec.AttachRequired != nil, "attachedRequired")
	required(spec.PodInfoOnMount != nil, "podInfoOnMount")
	required(spec.StorageCapacity != nil, "storageCapacity")
	if p := spec.FSGroupPolicy; p != nil && !supportedFSGroupPolicies.Has(string(*p)) {
		errs = append(errs, field.NotSupported(path.Child("fsGroupPolicy"), p, sets.List(supportedFSGroupPolicies)))
	}
	audiences := map[string]bool{}
	for i, tr := range spec.TokenRequests {
		trPath := path.Child("tokenRequests").Index(i)
		if audiences[tr.Audience] {
			errs = append(errs, field.Duplicate(trPath.Child("audience"), tr.Audience))
			continue
		}
		audiences[tr.Audience] = true
		if tr.ExpirationSeconds == nil {
			continue
		}
		if *tr.ExpirationSeconds < int64((10 * time.Minute).Seconds()) {
			errs = append(errs, field.Invalid(trPath.Child("expirationSeconds"), *tr.ExpirationSeconds, "may not specify a duration less than 10 minutes"))
		}
		if *tr.ExpirationSeconds > 1<<32 {
			errs = append(errs, field.Invalid(trPath.Child("expirationSeconds"), *tr.ExpirationSeconds, "may not specify a duration larger than 2^32 seconds"))
		}
	}
	for _, mode := range spec.VolumeLifecycleModes {
		if mode != storagev1.VolumeLifecyclePersistent && mode != storagev1.VolumeLifecycleEphemeral {
			errs = append(errs, field.NotSupported(path.Child("volumeLifecycleModes"), mode,
				[]string{string(storagev1.VolumeLifecyclePersistent), string(storagev1.VolumeLifecycleEphemeral)}))
		}
	}
	required(spec.SELinuxMount != nil, "seLinuxMount")
	if p := spec.NodeAllocatableUpdatePeriodSeconds; p != nil && *p < 10 {
		errs = append(errs, field.Invalid(path.Child("nodeAllocatableUpdatePeriodSeconds"), *p, "must be greater than or equal to 10 seconds"))
	}
	if spec.ServiceAccountTokenInSecrets != nil && len(spec.TokenRequests) == 0 {
		errs = append(errs, field.Invalid(path.Child("serviceAccountTokenInSecrets"), spec.ServiceAccountTokenInSecrets, "serviceAccountTokenInSecrets is set but no tokenRequests are specified"))
	}
	required(spec.PreventPodSchedulingIfMissing != nil, "preventPodSchedulingIfMissing")
	return errs
}

// CSINode is upstream's ValidateCSINode: each driver's name, node ID,
// allocatable count and topology keys; driver names unique.
func CSINode(n *storagev1.CSINode) field.ErrorList {
	var errs field.ErrorList
	names := sets.New[string]()
	for i, d := range n.Spec.Drivers {
		path := field.NewPath("spec", "drivers").Index(i)
		errs = append(errs, csiDriverName(d.Name, path.Child("name"))...)
		if d.NodeID == "" {
			errs = append(errs, field.Required(path.Child("nodeID"), d.NodeID))
		}
		if len(d.NodeID) > csiNodeIDMaxLength {
			errs = append(errs, field.Invalid(path.Child("nodeID"), d.NodeID, fmt.Sprintf("must be %d characters or less", csiNodeIDMaxLength)))
		}
		if d.Allocatable != nil && d.Allocatable.Count != nil {
			errs = append(errs, nonNegative(int64(*d.Allocatable.Count), path.Child("allocatable", "count"))...)
		}
		if names.Has(d.Name) {
			errs = append(errs, field.Duplicate(path.Child("name"), d.Name))
		}
		names.Insert(d.Name)
		keys := sets.New[string]()
		for _, key := range d.TopologyKeys {
			if key == "" {
				errs = append(errs, field.Required(path, key))
			}
			if keys.Has(key) {
				errs = append(errs, field.Duplicate(path, key))
			}
			keys.Insert(key)
			errs = append(errs, qualifiedName(key, path)...)
		}
	}
	return errs
}

// CSINodeUpdate adds that a driver that stays keeps its entry, except its
// allocatable count (MutableCSINodeAllocatableCount is GA).
func CSINodeUpdate(n, old *storagev1.CSINode) field.ErrorList {
	errs := CSINode(n)
	for _, was := range old.Spec.Drivers {
		for _, is := range n.Spec.Drivers {
			if was.Name != is.Name {
				continue
			}
			was, is := was.DeepCopy(), is.DeepCopy()
			was.Allocatable, is.Allocatable = nil, nil
			errs = append(errs, apimachineryvalidation.ValidateImmutableField(is, was, field.NewPath("spec").Child("drivers"))...)
		}
	}
	return errs
}

// VolumeAttachment is upstream's ValidateVolumeAttachment, except that an
// inline volume spec is checked only for being the one source (the
// persistent volume spec rules belong to core).
func VolumeAttachment(va *storagev1.VolumeAttachment) field.ErrorList {
	spec := field.NewPath("spec")
	errs := csiDriverName(va.Spec.Attacher, spec.Child("attacher"))
	src, srcPath := va.Spec.Source, spec.Child("source")
	switch {
	case src.InlineVolumeSpec == nil && src.PersistentVolumeName == nil:
		errs = append(errs, field.Required(srcPath, "must specify exactly one of inlineVolumeSpec and persistentVolumeName"))
	case src.InlineVolumeSpec != nil && src.PersistentVolumeName != nil:
		errs = append(errs, field.Forbidden(srcPath, "must specify exactly one of inlineVolumeSpec and persistentVolumeName"))
	case src.PersistentVolumeName != nil && *src.PersistentVolumeName == "":
		errs = append(errs, field.Required(srcPath.Child("persistentVolumeName"), "must specify non empty persistentVolumeName"))
	}
	for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(va.Spec.NodeName, false) {
		errs = append(errs, field.Invalid(spec.Child("nodeName"), va.Spec.NodeName, msg))
	}
	errs = append(errs, volumeAttachmentStatus(&va.Status, field.NewPath("status"))...)
	if name := src.PersistentVolumeName; name != nil {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*name, false) {
			// upstream's path is one name with dots.
			errs = append(errs, field.Invalid(field.NewPath("spec.source.persistentVolumeName"), *name, msg))
		}
	}
	return errs
}

// VolumeAttachmentUpdate adds that the spec is immutable.
func VolumeAttachmentUpdate(va, old *storagev1.VolumeAttachment) field.ErrorList {
	errs := VolumeAttachment(va)
	return append(errs, apimachineryvalidation.ValidateImmutableField(va.Spec, old.Spec, field.NewPath("spec")).WithOrigin("immutable")...)
}

// VolumeAttachmentStatusUpdate is upstream's status strategy validation:
// ValidateVolumeAttachmentUpdate on an object whose spec is the stored one.
func VolumeAttachmentStatusUpdate(va, old *storagev1.VolumeAttachment) field.ErrorList {
	return VolumeAttachmentUpdate(va, old)
}

func volumeAttachmentStatus(s *storagev1.VolumeAttachmentStatus, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	var size int64
	for k, v := range s.AttachmentMetadata {
		size += int64(len(k)) + int64(len(v))
	}
	if size > maxAttachedVolumeMetadataSize {
		errs = append(errs, field.TooLong(path.Child("attachmentMetadata"), "", maxAttachedVolumeMetadataSize))
	}
	errs = append(errs, volumeError(s.AttachError, path.Child("attachError"))...)
	return append(errs, volumeError(s.DetachError, path.Child("detachError"))...)
}

func volumeError(e *storagev1.VolumeError, path *field.Path) field.ErrorList {
	if e == nil {
		return nil
	}
	var errs field.ErrorList
	if len(e.Message) > maxVolumeErrorMessageSize {
		errs = append(errs, field.TooLong(path.Child("message"), "", maxVolumeErrorMessageSize))
	}
	if e.ErrorCode != nil && *e.ErrorCode < 0 {
		errs = append(errs, field.Invalid(path.Child("errorCode"), *e.ErrorCode, validation.InclusiveRangeError(0, math.MaxInt32)))
	}
	return errs
}

// VolumeAttributesClass is upstream's ValidateVolumeAttributesClass.
func VolumeAttributesClass(vac *storagev1.VolumeAttributesClass) field.ErrorList {
	errs := provisioner(vac.DriverName, field.NewPath("driverName"))
	return append(errs, provisionerParameters(vac.Parameters, false, field.NewPath("parameters"))...)
}

// VolumeAttributesClassUpdate adds that driverName and parameters are
// fixed.
func VolumeAttributesClassUpdate(vac, old *storagev1.VolumeAttributesClass) field.ErrorList {
	var errs field.ErrorList
	if vac.DriverName != old.DriverName {
		errs = append(errs, field.Forbidden(field.NewPath("driverName"), "updates to driverName are forbidden."))
	}
	if !reflect.DeepEqual(old.Parameters, vac.Parameters) {
		errs = append(errs, field.Forbidden(field.NewPath("parameters"), "updates to parameters are forbidden."))
	}
	return append(errs, VolumeAttributesClass(vac)...)
}

const maxStorageHealthConditions = 16

var (
	storageHealthStatuses    = sets.New(storagev1.StorageUnreachable, storagev1.StorageDegraded)
	storageHealthAccessModes = sets.New(corev1.ReadWriteOnce, corev1.ReadOnlyMany, corev1.ReadWriteMany, corev1.ReadWriteOncePod)
)

// CSINodeStatusUpdate is upstream's ValidateCSINodeStatusUpdate: each
// storage health entry is a driver's, once, with at most 16 valid
// conditions.
func CSINodeStatusUpdate(n, _ *storagev1.CSINode) field.ErrorList {
	var errs field.ErrorList
	path := field.NewPath("status", "storageHealth")
	seen := sets.New[string]()
	for i, h := range n.Status.StorageHealth {
		hPath := path.Index(i)
		if seen.Has(h.Name) {
			errs = append(errs, field.Duplicate(hPath, h.Name))
		}
		seen.Insert(h.Name)
		errs = append(errs, csiDriverName(h.Name, hPath.Child("name"))...)
		if len(h.HealthConditions) > maxStorageHealthConditions {
			errs = append(errs, field.TooMany(hPath.Child("healthConditions"), len(h.HealthConditions), maxStorageHealthConditions))
			continue
		}
		for j, c := range h.HealthConditions {
			errs = append(errs, storageHealthCondition(c, hPath.Child("healthConditions").Index(j))...)
		}
	}
	return errs
}

func storageHealthCondition(c storagev1.StorageHealthCondition, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if !storageHealthStatuses.Has(c.Status) {
		errs = append(errs, field.NotSupported(path.Child("status"), c.Status, sets.List(storageHealthStatuses)))
	}
	if c.Reason == "" {
		errs = append(errs, field.Required(path.Child("reason"), ""))
	} else {
		for _, msg := range metav1validation.IsValidConditionReason(c.Reason) {
			errs = append(errs, field.Invalid(path.Child("reason"), c.Reason, msg))
		}
		if len(c.Reason) > 256 {
			errs = append(errs, field.TooLong(path.Child("reason"), c.Reason, 256))
		}
	}
	if len(c.Message) > 1024 {
		errs = append(errs, field.TooLong(path.Child("message"), c.Message, 1024))
	}
	if c.AccessMode != nil && !storageHealthAccessModes.Has(*c.AccessMode) {
		errs = append(errs, field.NotSupported(path.Child("accessMode"), *c.AccessMode, sets.List(storageHealthAccessModes)))
	}
	if m := c.VolumeMode; m != nil && *m != corev1.PersistentVolumeFilesystem && *m != corev1.PersistentVolumeBlock {
		errs = append(errs, field.NotSupported(path.Child("volumeMode"), *m, []corev1.PersistentVolumeMode{corev1.PersistentVolumeFilesystem, corev1.PersistentVolumeBlock}))
	}
	return errs
}

// CSIStorageCapacity is upstream's ValidateCSIStorageCapacity.
func CSIStorageCapacity(c *storagev1.CSIStorageCapacity) field.ErrorList {
	return csiStorageCapacity(c, false)
}

// CSIStorageCapacityUpdate is upstream's ValidateCSIStorageCapacityUpdate:
// nodeTopology and storageClassName are immutable; the strategy re-runs the
// create rules first, keeping an invalid topology label value the stored
// object had.
func CSIStorageCapacityUpdate(c, old *storagev1.CSIStorageCapacity) field.ErrorList {
	allowInvalid := len(metav1validation.ValidateLabelSelector(old.NodeTopology, metav1validation.LabelSelectorValidationOptions{}, nil)) > 0
	errs := csiStorageCapacity(c, allowInvalid)
	if !apiequality.Semantic.DeepEqual(c.NodeTopology, old.NodeTopology) {
		errs = append(errs, field.Invalid(field.NewPath("nodeTopology"), c.NodeTopology, "field is immutable"))
	}
	if c.StorageClassName != old.StorageClassName {
		errs = append(errs, field.Invalid(field.NewPath("storageClassName"), c.StorageClassName, "field is immutable"))
	}
	return errs
}

func csiStorageCapacity(c *storagev1.CSIStorageCapacity, allowInvalidLabelValue bool) field.ErrorList {
	errs := metav1validation.ValidateLabelSelector(c.NodeTopology, metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: allowInvalidLabelValue}, field.NewPath("nodeTopology"))
	for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(c.StorageClassName, false) {
		errs = append(errs, field.Invalid(field.NewPath("storageClassName"), c.StorageClassName, msg))
	}
	if c.Capacity != nil {
		errs = append(errs, nonNegativeQuantity(*c.Capacity, field.NewPath("capacity"))...)
	}
	return errs
}
