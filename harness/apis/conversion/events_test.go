package conversion

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// fullEvents returns an events.k8s.io/v1 Event with every field set and the
// core/v1 Event upstream converts it to.
func fullEvents() (*eventsv1.Event, *corev1.Event) {
	meta := metav1.ObjectMeta{Name: "web-0.17f", Namespace: "ns", ResourceVersion: "7", Annotations: map[string]string{"a": "b"}}
	eventTime := metav1.NewMicroTime(time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC))
	observed := metav1.NewMicroTime(time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC))
	first := metav1.NewTime(time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC))
	last := metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC))
	regarding := corev1.ObjectReference{Kind: "Pod", Namespace: "ns", Name: "web-0", UID: "u1", APIVersion: "v1", ResourceVersion: "3", FieldPath: "spec.containers{app}"}
	related := corev1.ObjectReference{Kind: "Node", Name: "node-a"}
	source := corev1.EventSource{Component: "kubelet", Host: "node-a"}

	v1 := &eventsv1.Event{
		ObjectMeta:               meta,
		EventTime:                eventTime,
		Series:                   &eventsv1.EventSeries{Count: 4, LastObservedTime: observed},
		ReportingController:      "kubelet",
		ReportingInstance:        "kubelet-node-a",
		Action:                   "Pulling",
		Reason:                   "Pulled",
		Regarding:                regarding,
		Related:                  &related,
		Note:                     "pulled image",
		Type:                     corev1.EventTypeNormal,
		DeprecatedSource:         source,
		DeprecatedFirstTimestamp: first,
		DeprecatedLastTimestamp:  last,
		DeprecatedCount:          9,
	}
	core := &corev1.Event{
		ObjectMeta:          meta,
		InvolvedObject:      regarding,
		Reason:              "Pulled",
		Message:             "pulled image",
		Source:              source,
		FirstTimestamp:      first,
		LastTimestamp:       last,
		Count:               9,
		Type:                corev1.EventTypeNormal,
		EventTime:           eventTime,
		Series:              &corev1.EventSeries{Count: 4, LastObservedTime: observed},
		Action:              "Pulling",
		Related:             &related,
		ReportingController: "kubelet",
		ReportingInstance:   "kubelet-node-a",
	}
	return v1, core
}

func TestEventConversion(t *testing.T) {
	t.Parallel()
	fullV1, fullCore := fullEvents()
	tests := []struct {
		name string
		v1   *eventsv1.Event
		core *corev1.Event
	}{
		{"every field", fullV1, fullCore},
		{"zero", &eventsv1.Event{}, &corev1.Event{}},
		{"core-style event without series or related", &eventsv1.Event{
			ObjectMeta:      metav1.ObjectMeta{Name: "e", Namespace: "ns"},
			Regarding:       corev1.ObjectReference{Kind: "Pod", Name: "p"},
			Reason:          "Killing",
			Note:            "stopping",
			DeprecatedCount: 1,
		}, &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Name: "e", Namespace: "ns"},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "p"},
			Reason:         "Killing",
			Message:        "stopping",
			Count:          1,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/v1 to core", func(t *testing.T) {
			t.Parallel()
			var got corev1.Event
			eventV1ToCore(tt.v1, &got)
			checkEqual(t, &got, tt.core)

			var back eventsv1.Event
			eventCoreToV1(&got, &back)
			checkEqual(t, &back, tt.v1)
		})
		t.Run(tt.name+"/core to v1", func(t *testing.T) {
			t.Parallel()
			var got eventsv1.Event
			eventCoreToV1(tt.core, &got)
			checkEqual(t, &got, tt.v1)

			var back corev1.Event
			eventV1ToCore(&got, &back)
			checkEqual(t, &back, tt.core)
		})
	}
}

func TestEventSeriesIsNotShared(t *testing.T) {
	t.Parallel()
	v1, _ := fullEvents()
	var core corev1.Event
	eventV1ToCore(v1, &core)
	core.Series.Count++
	if v1.Series.Count != 4 {
		t.Fatalf("got input series count %d after changing the output, want 4", v1.Series.Count)
	}
}

func TestEventListConversion(t *testing.T) {
	t.Parallel()
	v1, core := fullEvents()
	listMeta := metav1.ListMeta{ResourceVersion: "12", Continue: "c"}
	tests := []struct {
		name string
		v1   *eventsv1.EventList
		core *corev1.EventList
	}{
		{"items", &eventsv1.EventList{ListMeta: listMeta, Items: []eventsv1.Event{*v1, {}}},
			&corev1.EventList{ListMeta: listMeta, Items: []corev1.Event{*core, {}}}},
		{"nil items", &eventsv1.EventList{ListMeta: listMeta}, &corev1.EventList{ListMeta: listMeta}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var gotCore corev1.EventList
			eventListV1ToCore(tt.v1, &gotCore)
			checkEqual(t, &gotCore, tt.core)
			if (gotCore.Items == nil) != (tt.core.Items == nil) {
				t.Fatalf("got core items nil=%t, want nil=%t", gotCore.Items == nil, tt.core.Items == nil)
			}

			var gotV1 eventsv1.EventList
			eventListCoreToV1(tt.core, &gotV1)
			checkEqual(t, &gotV1, tt.v1)
			if (gotV1.Items == nil) != (tt.v1.Items == nil) {
				t.Fatalf("got v1 items nil=%t, want nil=%t", gotV1.Items == nil, tt.v1.Items == nil)
			}
		})
	}
}
