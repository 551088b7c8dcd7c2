package builtin

import (
	"context"
	"fmt"
	"reflect"
	"unicode"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/memkube/memkube/harness/registry"
)

// podEphemeralContainers serves pods/ephemeralcontainers as upstream's
// podEphemeralContainersStrategy: only spec.ephemeralContainers changes,
// containers are added and never changed or removed, and the fields an
// ephemeral container may not set are refused.
var podEphemeralContainers = &registry.UpdateSubresource{
	Prepare: func(_ context.Context, obj, old runtime.Object) {
		pod, oldPod := obj.(*corev1.Pod), old.(*corev1.Pod)
		ephemeral := pod.Spec.EphemeralContainers
		pod.Spec = oldPod.Spec
		pod.Status = oldPod.Status
		metav1.ResetObjectMetaForStatus(&pod.ObjectMeta, &oldPod.ObjectMeta)
		pod.Spec.EphemeralContainers = ephemeral
		if !apiequality.Semantic.DeepEqual(pod.Spec, oldPod.Spec) {
			pod.Generation = oldPod.Generation + 1
		}
	},
	Validate: func(_ context.Context, obj, old runtime.Object) field.ErrorList {
		pod, oldPod := obj.(*corev1.Pod), old.(*corev1.Pod)
		if _, ok := oldPod.Annotations[corev1.MirrorPodAnnotationKey]; ok {
			return field.ErrorList{field.Forbidden(field.NewPath(""), "static pods do not support ephemeral containers")}
		}
		path := field.NewPath("spec", "ephemeralContainers")
		errs := validateEphemeralContainers(pod, path)
		byName := map[string]*corev1.EphemeralContainer{}
		for i := range pod.Spec.EphemeralContainers {
			byName[pod.Spec.EphemeralContainers[i].Name] = &pod.Spec.EphemeralContainers[i]
		}
		for _, o := range oldPod.Spec.EphemeralContainers {
			n, ok := byName[o.Name]
			switch {
			case !ok:
				errs = append(errs, field.Forbidden(path, fmt.Sprintf("existing ephemeral containers %q may not be removed\n", o.Name)))
			case !apiequality.Semantic.DeepEqual(o, *n):
				errs = append(errs, field.Forbidden(path, fmt.Sprintf("existing ephemeral containers %q may not be changed\n%v", o.Name, diff.Diff(o, *n))))
			}
		}
		return errs
	},
	Owned: []string{"spec"},
}

// allowedEphemeralContainerFields are the fields of EphemeralContainerCommon
// an ephemeral container may set (upstream's allow list).
var allowedEphemeralContainerFields = sets.New(
	"Name", "Image", "Command", "Args", "WorkingDir", "EnvFrom", "Env", "VolumeMounts", "VolumeDevices",
	"TerminationMessagePath", "TerminationMessagePolicy", "ImagePullPolicy", "SecurityContext", "Stdin", "StdinOnce", "TTY",
)

// validateEphemeralContainers is the part of upstream's
// validateEphemeralContainers memkube has: names, images, targets and the
// allow list (not the whole container validation).
func validateEphemeralContainers(pod *corev1.Pod, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	others, all := sets.New[string](), sets.New[string]()
	for _, c := range append(append([]corev1.Container{}, pod.Spec.Containers...), pod.Spec.InitContainers...) {
		others.Insert(c.Name)
		all.Insert(c.Name)
	}
	for i, ec := range pod.Spec.EphemeralContainers {
		p := path.Index(i)
		switch {
		case ec.Name == "":
			errs = append(errs, field.Required(p.Child("name"), ""))
		default:
			for _, msg := range validation.IsDNS1123Label(ec.Name) {
				errs = append(errs, field.Invalid(p.Child("name"), ec.Name, msg))
			}
		}
		if ec.Image == "" {
			errs = append(errs, field.Required(p.Child("image"), ""))
		}
		if ec.Name != "" {
			if all.Has(ec.Name) {
				errs = append(errs, field.Duplicate(p.Child("name"), ec.Name))
			} else {
				all.Insert(ec.Name)
			}
		}
		if ec.TargetContainerName != "" && !others.Has(ec.TargetContainerName) {
			errs = append(errs, field.NotFound(p.Child("targetContainerName"), ec.TargetContainerName))
		}
		t, v := reflect.TypeOf(ec.EphemeralContainerCommon), reflect.ValueOf(ec.EphemeralContainerCommon)
		for j := 0; j < t.NumField(); j++ {
			f := t.Field(j)
			if allowedEphemeralContainerFields.Has(f.Name) || v.Field(j).IsZero() {
				continue
			}
			r, n := utf8.DecodeRuneInString(f.Name)
			errs = append(errs, field.Forbidden(p.Child(string(unicode.ToLower(r))+f.Name[n:]), "cannot be set for an Ephemeral Container"))
		}
		for j, vm := range ec.VolumeMounts {
			if vm.SubPath != "" {
				errs = append(errs, field.Forbidden(p.Child("volumeMounts").Index(j).Child("subPath"), "cannot be set for an Ephemeral Container"))
			}
			if vm.SubPathExpr != "" {
				errs = append(errs, field.Forbidden(p.Child("volumeMounts").Index(j).Child("subPathExpr"), "cannot be set for an Ephemeral Container"))
			}
		}
	}
	return errs
}
