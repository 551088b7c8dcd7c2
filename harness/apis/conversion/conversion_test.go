package conversion

import (
	"testing"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/utils/ptr"
)

// checkEqual fails t unless got and want are semantically equal (quantities
// by value, nil and empty alike).
func checkEqual(t *testing.T, got, want any) {
	t.Helper()
	if !apiequality.Semantic.DeepEqual(got, want) {
		t.Fatalf("got differs from want (-want +got):\n%s", diff.Diff(want, got))
	}
}

// newScheme registers the types as memkube does: the storage version's Go
// types double as the internal version.
func newScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		autoscalingv1.AddToScheme, autoscalingv2.AddToScheme, corev1.AddToScheme, eventsv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			t.Fatal(err)
		}
	}
	s.AddKnownTypes(schema.GroupVersion{Group: autoscalingv2.GroupName, Version: runtime.APIVersionInternal},
		&autoscalingv2.HorizontalPodAutoscaler{}, &autoscalingv2.HorizontalPodAutoscalerList{})
	s.AddKnownTypes(schema.GroupVersion{Group: eventsv1.GroupName, Version: runtime.APIVersionInternal},
		&corev1.Event{}, &corev1.EventList{})
	if err := AddConversions(s); err != nil {
		t.Fatalf("AddConversions: %v", err)
	}
	return s
}

func TestSchemeConvertToVersion(t *testing.T) {
	t.Parallel()
	s := newScheme(t)
	autoscalingInternal := schema.GroupVersion{Group: autoscalingv2.GroupName, Version: runtime.APIVersionInternal}
	eventsInternal := schema.GroupVersion{Group: eventsv1.GroupName, Version: runtime.APIVersionInternal}

	hpaV1 := &autoscalingv1.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns"},
		Spec: autoscalingv1.HorizontalPodAutoscalerSpec{
			ScaleTargetRef:                 autoscalingv1.CrossVersionObjectReference{Kind: "Deployment", Name: "web", APIVersion: "apps/v1"},
			MinReplicas:                    ptr.To[int32](1),
			MaxReplicas:                    5,
			TargetCPUUtilizationPercentage: ptr.To[int32](60),
		},
	}
	hpaInternal := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: hpaV1.ObjectMeta,
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: "Deployment", Name: "web", APIVersion: "apps/v1"},
			MinReplicas:    ptr.To[int32](1),
			MaxReplicas:    5,
			Metrics:        []autoscalingv2.MetricSpec{cpuUtilizationTarget(60)},
		},
	}
	eventV1 := &eventsv1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: "web.1", Namespace: "ns"},
		Regarding:  corev1.ObjectReference{Kind: "Pod", Name: "web-0"},
		Note:       "pulled",
	}
	eventInternal := &corev1.Event{
		ObjectMeta:     eventV1.ObjectMeta,
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "web-0"},
		Message:        "pulled",
	}
	// withKind is obj as ConvertToVersion returns it from an internal version.
	withKind := func(obj runtime.Object, gvk schema.GroupVersionKind) runtime.Object {
		obj = obj.DeepCopyObject()
		obj.GetObjectKind().SetGroupVersionKind(gvk)
		return obj
	}

	tests := []struct {
		name   string
		in     runtime.Object
		target schema.GroupVersion
		want   runtime.Object
	}{
		{"hpa v1 to internal", hpaV1, autoscalingInternal, hpaInternal},
		{"hpa internal to v1", hpaInternal, autoscalingv1.SchemeGroupVersion,
			withKind(hpaV1, autoscalingv1.SchemeGroupVersion.WithKind("HorizontalPodAutoscaler"))},
		{"hpa list v1 to internal",
			&autoscalingv1.HorizontalPodAutoscalerList{Items: []autoscalingv1.HorizontalPodAutoscaler{*hpaV1}},
			autoscalingInternal,
			&autoscalingv2.HorizontalPodAutoscalerList{Items: []autoscalingv2.HorizontalPodAutoscaler{*hpaInternal}}},
		{"hpa list internal to v1",
			&autoscalingv2.HorizontalPodAutoscalerList{Items: []autoscalingv2.HorizontalPodAutoscaler{*hpaInternal}},
			autoscalingv1.SchemeGroupVersion,
			withKind(&autoscalingv1.HorizontalPodAutoscalerList{Items: []autoscalingv1.HorizontalPodAutoscaler{*hpaV1}},
				autoscalingv1.SchemeGroupVersion.WithKind("HorizontalPodAutoscalerList"))},
		{"event v1 to internal", eventV1, eventsInternal, eventInternal},
		{"event internal to v1", eventInternal, eventsv1.SchemeGroupVersion,
			withKind(eventV1, eventsv1.SchemeGroupVersion.WithKind("Event"))},
		{"event list v1 to internal",
			&eventsv1.EventList{Items: []eventsv1.Event{*eventV1}},
			eventsInternal,
			&corev1.EventList{Items: []corev1.Event{*eventInternal}}},
		{"event list internal to v1",
			&corev1.EventList{Items: []corev1.Event{*eventInternal}},
			eventsv1.SchemeGroupVersion,
			withKind(&eventsv1.EventList{Items: []eventsv1.Event{*eventV1}}, eventsv1.SchemeGroupVersion.WithKind("EventList"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in.DeepCopyObject()
			got, err := s.ConvertToVersion(in, tt.target)
			if err != nil {
				t.Fatalf("ConvertToVersion: %v", err)
			}
			checkEqual(t, got, tt.want)
			checkEqual(t, in, tt.in)
		})
	}
}

func TestAddConversionsTwice(t *testing.T) {
	t.Parallel()
	s := newScheme(t)
	if err := AddConversions(s); err != nil {
		t.Fatalf("got %v, want registering again to succeed", err)
	}
}
