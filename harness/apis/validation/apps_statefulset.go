package validation

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// statefulSetOptions are upstream's StatefulSetValidationOptions that
// v1.37's defaults leave variable (StatefulSetRecreateStrategy is an alpha
// gate, off: Recreate is allowed only where the old object used it).
type statefulSetOptions struct {
	allowInvalidServiceName     bool
	skipPodTemplate             bool
	skipVolumeClaimTemplates    bool
	allowRecreateUpdateStrategy bool
	// oldTemplate is the stored pod template on update: what it used
	// stays allowed.
	oldTemplate *corev1.PodTemplateSpec
}

// StatefulSet validates a new StatefulSet, as upstream's ValidateStatefulSet
// (its name, a DNS label, is checked with ObjectMeta).
func StatefulSet(ss *appsv1.StatefulSet) field.ErrorList {
	return statefulSetSpec(&ss.Spec, field.NewPath("spec"), statefulSetOptions{})
}

// StatefulSetUpdate validates an update of a StatefulSet, as upstream's
// ValidateStatefulSetUpdate: the new spec is valid (tolerating an invalid
// serviceName and volumeClaimTemplates already stored, and skipping the pod
// template when the stored spec is invalid), and selector,
// volumeClaimTemplates, serviceName and podManagementPolicy are immutable.
// (v1.37 replaced the old "updates to statefulset spec for fields other
// than ... are forbidden" rule with these four.)
func StatefulSetUpdate(ss, old *appsv1.StatefulSet) field.ErrorList {
	opts := statefulSetOptions{
		allowInvalidServiceName:     true,
		skipVolumeClaimTemplates:    true,
		allowRecreateUpdateStrategy: old.Spec.UpdateStrategy.Type == appsv1.StatefulSetUpdateStrategyType("Recreate"),
	}
	if len(statefulSetSpec(&old.Spec, nil, opts)) > 0 {
		opts.skipPodTemplate = true
	}
	opts.oldTemplate = &old.Spec.Template
	spec := field.NewPath("spec")
	errs := statefulSetSpec(&ss.Spec, spec, opts)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(ss.Spec.Selector, old.Spec.Selector, spec.Child("selector")).WithOrigin("immutable")...)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(ss.Spec.VolumeClaimTemplates, old.Spec.VolumeClaimTemplates, spec.Child("volumeClaimTemplates")).WithOrigin("immutable")...)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(ss.Spec.ServiceName, old.Spec.ServiceName, spec.Child("serviceName")).WithOrigin("immutable")...)
	return append(errs, apimachineryvalidation.ValidateImmutableField(ss.Spec.PodManagementPolicy, old.Spec.PodManagementPolicy, spec.Child("podManagementPolicy")).WithOrigin("immutable")...)
}

// StatefulSetStatusUpdate validates an update of a StatefulSet's status, as
// upstream's ValidateStatefulSetStatusUpdate.
func StatefulSetStatusUpdate(ss, old *appsv1.StatefulSet) field.ErrorList {
	path := field.NewPath("status")
	s := &ss.Status
	errs := nonNegative(int64(s.Replicas), path.Child("replicas"))
	errs = append(errs, nonNegative(int64(s.ReadyReplicas), path.Child("readyReplicas"))...)
	errs = append(errs, nonNegative(int64(s.CurrentReplicas), path.Child("currentReplicas"))...)
	errs = append(errs, nonNegative(int64(s.UpdatedReplicas), path.Child("updatedReplicas"))...)
	errs = append(errs, nonNegative(int64(s.AvailableReplicas), path.Child("availableReplicas"))...)
	// v1's observedGeneration is a value; internal's a pointer set from it.
	errs = append(errs, nonNegative(s.ObservedGeneration, path.Child("observedGeneration"))...)
	if s.CollisionCount != nil {
		errs = append(errs, nonNegative(int64(*s.CollisionCount), path.Child("collisionCount"))...)
	}
	c := replicaCounts{path: path, replicas: s.Replicas, readyMsg: "cannot be greater than status.readyReplicas", available: s.AvailableReplicas, ready: s.ReadyReplicas}
	errs = append(errs, c.notAbove("readyReplicas", s.ReadyReplicas)...)
	errs = append(errs, c.notAbove("currentReplicas", s.CurrentReplicas)...)
	errs = append(errs, c.notAbove("updatedReplicas", s.UpdatedReplicas)...)
	errs = append(errs, c.notAbove("availableReplicas", s.AvailableReplicas)...)
	errs = append(errs, c.availableNotAboveReady()...)
	return append(errs, collisionCountDecrement(s.CollisionCount, old.Status.CollisionCount, path.Child("collisionCount"))...)
}

// statefulSetSpec is upstream's ValidateStatefulSetSpec.
func statefulSetSpec(spec *appsv1.StatefulSetSpec, fldPath *field.Path, opts statefulSetOptions) field.ErrorList {
	var errs field.ErrorList
	switch spec.PodManagementPolicy {
	case "":
		errs = append(errs, field.Required(fldPath.Child("podManagementPolicy"), ""))
	case appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement:
	default:
		errs = append(errs, field.Invalid(fldPath.Child("podManagementPolicy"), spec.PodManagementPolicy, fmt.Sprintf("must be '%s' or '%s'", appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement)))
	}
	errs = append(errs, statefulSetUpdateStrategy(&spec.UpdateStrategy, fldPath.Child("updateStrategy"), opts)...)
	if p := spec.PersistentVolumeClaimRetentionPolicy; p != nil {
		errs = append(errs, retentionPolicyType(p.WhenDeleted, fldPath.Child("persistentVolumeClaimRetentionPolicy", "whenDeleted"))...)
		errs = append(errs, retentionPolicyType(p.WhenScaled, fldPath.Child("persistentVolumeClaimRetentionPolicy", "whenScaled"))...)
	}
	if !opts.skipVolumeClaimTemplates {
		for i := range spec.VolumeClaimTemplates {
			errs = append(errs, volumeClaimTemplateSpec(&spec.VolumeClaimTemplates[i].Spec, fldPath.Child("volumeClaimTemplates").Index(i).Child("spec"))...)
		}
	}
	errs = append(errs, nonNegative(int64(orZero(spec.Replicas)), fldPath.Child("replicas"))...)
	errs = append(errs, nonNegative(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	if spec.Ordinals != nil {
		errs = append(errs, nonNegative(int64(spec.Ordinals.Start), fldPath.Child("ordinals.start"))...)
	}
	if !opts.allowInvalidServiceName && len(spec.ServiceName) > 0 {
		errs = append(errs, dns1123Label(spec.ServiceName, fldPath.Child("serviceName"))...)
	}
	errs = append(errs, replicaSetSelector(spec.Selector, "statefulset", fldPath.Child("selector"))...)
	if selector, err := metav1.LabelSelectorAsSelector(spec.Selector); err != nil {
		errs = append(errs, field.Invalid(fldPath.Child("selector"), spec.Selector, ""))
	} else {
		errs = append(errs, statefulSetTemplate(spec, selector, fldPath.Child("template"), opts)...)
	}
	return append(errs, alwaysRestarting(&spec.Template.Spec, "StatefulSet", fldPath.Child("template", "spec"))...)
}

// statefulSetTemplate is upstream's ValidatePodTemplateSpecForStatefulSet of
// the template as the controller will complete it: hostname and subdomain
// are the controller's to set, and every volume claim template is a volume.
// Labels and annotations are validated twice, as upstream does.
func statefulSetTemplate(spec *appsv1.StatefulSetSpec, selector labels.Selector, fldPath *field.Path, opts statefulSetOptions) field.ErrorList {
	template := &spec.Template
	if template.Spec.Subdomain != "" || template.Spec.Hostname != "" || len(spec.VolumeClaimTemplates) > 0 {
		template = template.DeepCopy()
		template.Spec.Subdomain, template.Spec.Hostname = "", ""
		if len(spec.VolumeClaimTemplates) > 0 {
			claims := map[string]bool{}
			var volumes []corev1.Volume
			for _, c := range spec.VolumeClaimTemplates {
				if !claims[c.Name] {
					volumes = append(volumes, corev1.Volume{Name: c.Name, VolumeSource: corev1.VolumeSource{
						PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: c.Name},
					}})
				}
				claims[c.Name] = true
			}
			for _, v := range template.Spec.Volumes {
				if !claims[v.Name] {
					volumes = append(volumes, v)
				}
			}
			template.Spec.Volumes = volumes
		}
	}
	errs := templateMatches(selector, template, fldPath)
	if !opts.skipPodTemplate {
		errs = append(errs, workloadTemplate(template, opts.oldTemplate, fldPath)...)
	}
	errs = append(errs, metav1validation.ValidateLabels(template.Labels, fldPath.Child("labels"))...)
	return append(errs, apimachineryvalidation.ValidateAnnotations(template.Annotations, fldPath.Child("annotations"))...)
}

// statefulSetUpdateStrategy is the updateStrategy part of upstream's
// ValidateStatefulSetSpec.
func statefulSetUpdateStrategy(s *appsv1.StatefulSetUpdateStrategy, fldPath *field.Path, opts statefulSetOptions) field.ErrorList {
	onlyRolling := fmt.Sprintf("only allowed for updateStrategy '%s'", appsv1.RollingUpdateStatefulSetStrategyType)
	switch {
	case s.Type == "":
		return field.ErrorList{field.Required(fldPath, "")}
	case s.Type == appsv1.OnDeleteStatefulSetStrategyType,
		s.Type == appsv1.StatefulSetUpdateStrategyType("Recreate") && opts.allowRecreateUpdateStrategy:
		if s.RollingUpdate != nil {
			return field.ErrorList{field.Invalid(fldPath.Child("rollingUpdate"), internalValue{s.RollingUpdate}, onlyRolling)}
		}
	case s.Type == appsv1.RollingUpdateStatefulSetStrategyType:
		if s.RollingUpdate != nil {
			return rollingUpdateStatefulSet(s.RollingUpdate, fldPath.Child("rollingUpdate"))
		}
	default:
		valid := fmt.Sprintf("must be '%s' or '%s'", appsv1.RollingUpdateStatefulSetStrategyType, appsv1.OnDeleteStatefulSetStrategyType)
		if opts.allowRecreateUpdateStrategy {
			valid = fmt.Sprintf("must be '%s', '%s', or '%s'", appsv1.RollingUpdateStatefulSetStrategyType, appsv1.OnDeleteStatefulSetStrategyType, "Recreate")
		}
		return field.ErrorList{field.Invalid(fldPath, internalValue{s}, valid)}
	}
	return nil
}

// rollingUpdateStatefulSet is upstream's validateRollingUpdateStatefulSet.
func rollingUpdateStatefulSet(ru *appsv1.RollingUpdateStatefulSetStrategy, fldPath *field.Path) field.ErrorList {
	errs := nonNegative(int64(orZero(ru.Partition)), fldPath.Child("partition"))
	if ru.MaxUnavailable != nil {
		path := fldPath.Child("maxUnavailable")
		errs = append(errs, positiveIntOrPercent(*ru.MaxUnavailable, path)...)
		if intOrPercentValue(*ru.MaxUnavailable) == 0 {
			errs = append(errs, field.Invalid(path, *ru.MaxUnavailable, "cannot be 0"))
		}
		errs = append(errs, notMoreThan100Percent(*ru.MaxUnavailable, path)...)
	}
	return errs
}

// retentionPolicyType is upstream's
// ValidatePersistentVolumeClaimRetentionPolicyType.
func retentionPolicyType(t appsv1.PersistentVolumeClaimRetentionPolicyType, fldPath *field.Path) field.ErrorList {
	switch t {
	case appsv1.RetainPersistentVolumeClaimRetentionPolicyType, appsv1.DeletePersistentVolumeClaimRetentionPolicyType:
		return nil
	}
	return field.ErrorList{field.NotSupported(fldPath, t, []string{string(appsv1.RetainPersistentVolumeClaimRetentionPolicyType), string(appsv1.DeletePersistentVolumeClaimRetentionPolicyType)})}
}

// volumeClaimTemplateSpec is the common part of upstream's
// ValidatePersistentVolumeClaimSpec (with the options of a create):
// access modes, selector, the storage request, storage class and volume
// mode. Data sources and the volume attributes class are not checked.
func volumeClaimTemplateSpec(spec *corev1.PersistentVolumeClaimSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(spec.AccessModes) == 0 {
		errs = append(errs, field.Required(fldPath.Child("accessModes"), "at least 1 access mode is required"))
	}
	if spec.Selector != nil {
		errs = append(errs, strictSelector(spec.Selector, fldPath.Child("selector"))...)
	}
	supported := sets.New(corev1.ReadWriteOnce, corev1.ReadOnlyMany, corev1.ReadWriteMany, corev1.ReadWriteOncePod)
	rwop, other := false, false
	for _, mode := range spec.AccessModes {
		switch {
		case !supported.Has(mode):
			errs = append(errs, field.NotSupported(fldPath.Child("accessModes"), mode, sets.List(supported)))
		case mode == corev1.ReadWriteOncePod:
			rwop = true
		default:
			other = true
		}
	}
	if rwop && other {
		errs = append(errs, field.Forbidden(fldPath.Child("accessModes"), "may not use ReadWriteOncePod with other access modes"))
	}
	storagePath := fldPath.Child("resources").Key(string(corev1.ResourceStorage))
	if storage, ok := spec.Resources.Requests[corev1.ResourceStorage]; !ok {
		errs = append(errs, field.Required(storagePath, ""))
	} else {
		errs = append(errs, positiveQuantity(storage, storagePath)...)
	}
	if spec.StorageClassName != nil && len(*spec.StorageClassName) > 0 {
		errs = append(errs, eachMessage(apimachineryvalidation.NameIsDNSSubdomain(*spec.StorageClassName, false), *spec.StorageClassName, fldPath.Child("storageClassName"), "")...)
	}
	if spec.VolumeMode != nil && *spec.VolumeMode != corev1.PersistentVolumeBlock && *spec.VolumeMode != corev1.PersistentVolumeFilesystem {
		errs = append(errs, field.NotSupported(fldPath.Child("volumeMode"), *spec.VolumeMode, []corev1.PersistentVolumeMode{corev1.PersistentVolumeBlock, corev1.PersistentVolumeFilesystem}))
	}
	return errs
}
