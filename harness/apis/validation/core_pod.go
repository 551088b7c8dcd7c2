package validation

import (
	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// PodTemplateSpec validates a pod template (of a PodTemplate, Deployment,
// Job, ...) at fldPath, as upstream's ValidatePodTemplateSpec.
func PodTemplateSpec(spec *corev1.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	errs := metav1validation.ValidateLabels(spec.Labels, fldPath.Child("labels"))
	errs = append(errs, apimachineryvalidation.ValidateAnnotations(spec.Annotations, fldPath.Child("annotations"))...)
	errs = append(errs, PodSpec(&spec.Spec, fldPath.Child("spec"))...)
	if len(spec.Spec.EphemeralContainers) > 0 {
		errs = append(errs, field.Forbidden(fldPath.Child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"))
	}
	return errs
}

// PodSpec validates a pod's spec at fldPath, as upstream's ValidatePodSpec.
func PodSpec(spec *corev1.PodSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.TerminationGracePeriodSeconds == nil {
		errs = append(errs, field.Required(fldPath.Child("terminationGracePeriodSeconds"), ""))
	}
	errs = append(errs, containers(spec.Containers, fldPath.Child("containers"))...)
	return errs
}

// containers validates the regular containers of a pod.
func containers(ctrs []corev1.Container, fldPath *field.Path) field.ErrorList {
	if len(ctrs) == 0 {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	var errs field.ErrorList
	seen := sets.New[string]()
	for i := range ctrs {
		path := fldPath.Index(i)
		errs = append(errs, containerCommon(&ctrs[i], path)...)
		if seen.Has(ctrs[i].Name) {
			errs = append(errs, field.Duplicate(path.Child("name"), ctrs[i].Name))
		}
		seen.Insert(ctrs[i].Name)
	}
	return errs
}

// containerCommon is what every kind of container is validated with.
func containerCommon(ctr *corev1.Container, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if ctr.Name == "" {
		errs = append(errs, field.Required(path.Child("name"), ""))
	} else {
		errs = append(errs, dns1123Label(ctr.Name, path.Child("name"))...)
	}
	if ctr.Image == "" {
		errs = append(errs, field.Required(path.Child("image"), ""))
	}
	return errs
}
