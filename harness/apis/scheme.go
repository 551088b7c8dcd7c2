// Package apis builds the runtime.Scheme of the built-in API groups memkube
// serves: the k8s.io/api types of every served group version, and an
// internal version per group that the registries work in.
//
// memkube has no internal types (k8s.io/kubernetes is not imported). A group's
// internal version is its storage version's Go types registered a second time,
// so converting between the two is a copy: runtime.Scheme converts an object
// to a version its type is registered in by copying it. Where a kind is served
// in a version whose Go type differs (autoscaling/v1 HorizontalPodAutoscaler,
// events.k8s.io/v1 Event), harness/apis/conversion converts.
package apis

import (
	"fmt"
	"reflect"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	eventsv1 "k8s.io/api/events/v1"
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	networkingv1 "k8s.io/api/networking/v1"
	nodev1 "k8s.io/api/node/v1"
	policyv1 "k8s.io/api/policy/v1"
	policyv1beta1 "k8s.io/api/policy/v1beta1"
	rbacv1 "k8s.io/api/rbac/v1"
	resourcev1 "k8s.io/api/resource/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	storagemigrationv1 "k8s.io/api/storagemigration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"

	"github.com/memkube/memkube/harness/apis/conversion"
	"github.com/memkube/memkube/harness/apis/defaults"
)

// servedVersions are the built-in group versions a v1.37 kube-apiserver
// serves by default, with the k8s.io/api registration of each. A group's
// first version is its preferred version.
var servedVersions = []struct {
	gv  schema.GroupVersion
	add func(*runtime.Scheme) error
}{
	{corev1.SchemeGroupVersion, corev1.AddToScheme},
	{appsv1.SchemeGroupVersion, appsv1.AddToScheme},
	{eventsv1.SchemeGroupVersion, eventsv1.AddToScheme},
	{authenticationv1.SchemeGroupVersion, authenticationv1.AddToScheme},
	{authorizationv1.SchemeGroupVersion, authorizationv1.AddToScheme},
	{autoscalingv2.SchemeGroupVersion, autoscalingv2.AddToScheme},
	{autoscalingv1.SchemeGroupVersion, autoscalingv1.AddToScheme},
	{batchv1.SchemeGroupVersion, batchv1.AddToScheme},
	{certificatesv1.SchemeGroupVersion, certificatesv1.AddToScheme},
	{networkingv1.SchemeGroupVersion, networkingv1.AddToScheme},
	{policyv1.SchemeGroupVersion, policyv1.AddToScheme},
	{rbacv1.SchemeGroupVersion, rbacv1.AddToScheme},
	{storagev1.SchemeGroupVersion, storagev1.AddToScheme},
	{admissionregistrationv1.SchemeGroupVersion, admissionregistrationv1.AddToScheme},
	{schedulingv1.SchemeGroupVersion, schedulingv1.AddToScheme},
	{coordinationv1.SchemeGroupVersion, coordinationv1.AddToScheme},
	{nodev1.SchemeGroupVersion, nodev1.AddToScheme},
	{discoveryv1.SchemeGroupVersion, discoveryv1.AddToScheme},
	{resourcev1.SchemeGroupVersion, resourcev1.AddToScheme},
	{flowcontrolv1.SchemeGroupVersion, flowcontrolv1.AddToScheme},
	{storagemigrationv1.SchemeGroupVersion, storagemigrationv1.AddToScheme},
}

// GroupVersions returns the served built-in group versions, preferred
// version of each group first, in kube-apiserver's discovery order.
func GroupVersions() []schema.GroupVersion {
	out := make([]schema.GroupVersion, len(servedVersions))
	for i, v := range servedVersions {
		out[i] = v.gv
	}
	return out
}

// StorageVersion is the version objects of a group are stored in (and whose
// Go types the group's internal version uses).
func StorageVersion(group string) schema.GroupVersion {
	switch group {
	case autoscalingv2.GroupName:
		return autoscalingv2.SchemeGroupVersion
	case eventsv1.GroupName:
		// events.k8s.io events cohabit with core events, as in kube-apiserver.
		return corev1.SchemeGroupVersion
	}
	for _, v := range servedVersions {
		if v.gv.Group == group {
			return v.gv
		}
	}
	return schema.GroupVersion{Group: group, Version: "v1"}
}

// NewScheme returns a scheme of every served built-in group version and its
// internal version, with a codec factory over it.
func NewScheme() (*runtime.Scheme, serializer.CodecFactory) {
	scheme := runtime.NewScheme()
	if err := AddToScheme(scheme); err != nil {
		panic(err) // registration of static types cannot fail
	}
	return scheme, serializer.NewCodecFactory(scheme)
}

// AddToScheme registers the served built-in types, their internal versions
// and the conversions between them.
func AddToScheme(scheme *runtime.Scheme) error {
	for _, v := range servedVersions {
		if err := v.add(scheme); err != nil {
			return fmt.Errorf("register %s: %w", v.gv, err)
		}
	}
	for _, v := range servedVersions {
		internal := schema.GroupVersion{Group: v.gv.Group, Version: runtime.APIVersionInternal}
		if v.gv != StorageVersion(v.gv.Group) {
			continue
		}
		addInternal(scheme, v.gv, internal)
	}
	// Scale exists in autoscaling/v1 only; the internal version is v2's.
	scheme.AddKnownTypes(schema.GroupVersion{Group: autoscalingv1.GroupName, Version: runtime.APIVersionInternal}, &autoscalingv1.Scale{})
	// pods/eviction accepts policy/v1beta1 Evictions though the version is
	// not served (harness/apis/conversion converts them).
	scheme.AddKnownTypes(policyv1beta1.SchemeGroupVersion, &policyv1beta1.Eviction{})
	// events.k8s.io's internal Event is core's, as upstream.
	scheme.AddKnownTypes(schema.GroupVersion{Group: eventsv1.GroupName, Version: runtime.APIVersionInternal}, &corev1.Event{}, &corev1.EventList{})
	if err := conversion.AddQueryConversions(scheme); err != nil {
		return err
	}
	if err := conversion.AddConversions(scheme); err != nil {
		return err
	}
	if err := addFieldLabelConversions(scheme); err != nil {
		return err
	}
	if err := defaults.AddToScheme(scheme); err != nil {
		return err
	}
	metav1.AddToGroupVersion(scheme, schema.GroupVersion{Version: "v1"})
	scheme.AddUnversionedTypes(schema.GroupVersion{Version: "v1"},
		&metav1.Status{}, &metav1.APIVersions{}, &metav1.APIGroupList{}, &metav1.APIGroup{}, &metav1.APIResourceList{})
	return nil
}

// addInternal registers the kinds of external version gv that are defined in
// gv's own Go package (not the meta/v1 options every version carries) under
// the internal version too.
func addInternal(scheme *runtime.Scheme, gv, internal schema.GroupVersion) {
	own := ownPackage(scheme, gv)
	for kind, t := range scheme.KnownTypes(gv) {
		if t.PkgPath() == own {
			scheme.AddKnownTypeWithName(internal.WithKind(kind), reflect.New(t).Interface().(runtime.Object))
		}
	}
}

// ownPackage is the Go package of gv's types: the package of any kind that is
// not from meta/v1.
func ownPackage(scheme *runtime.Scheme, gv schema.GroupVersion) string {
	meta := reflect.TypeOf(metav1.Status{}).PkgPath()
	for _, t := range scheme.KnownTypes(gv) {
		if t.PkgPath() != meta {
			return t.PkgPath()
		}
	}
	return ""
}
