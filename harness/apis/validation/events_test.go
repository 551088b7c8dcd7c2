package validation_test

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/memkube/memkube/harness/apis/validation"
)

var eventsV1 = schema.GroupVersion{Group: "events.k8s.io", Version: "v1"}

func newEvent() *corev1.Event {
	return &corev1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: "web.1", Namespace: "default"},
		InvolvedObject:      corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "web"},
		Reason:              "Started",
		Action:              "Start",
		Type:                corev1.EventTypeNormal,
		EventTime:           metav1.NewMicroTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		ReportingController: "example.com/controller",
		ReportingInstance:   "controller-0",
	}
}

func TestEvent(t *testing.T) {
	t.Parallel()
	matchErrors(t, validation.Event(newEvent(), eventsV1))
	matchErrors(t, validation.Event(newEvent(), corev1.SchemeGroupVersion))
	legacy := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "web.1", Namespace: "default"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "web"}, Count: 1}
	matchErrors(t, validation.Event(legacy, corev1.SchemeGroupVersion))
	for _, tc := range []struct {
		name   string
		change func(*corev1.Event)
		gv     schema.GroupVersion
		want   []string
	}{
		{"involved object in another namespace", func(e *corev1.Event) { e.EventTime = metav1.MicroTime{}; e.InvolvedObject.Namespace = "other" },
			corev1.SchemeGroupVersion, []string{`involvedObject.namespace: Invalid value: "other": does not match event.namespace`}},
		{"no reporting controller, core/v1", func(e *corev1.Event) { e.ReportingController = "" }, corev1.SchemeGroupVersion, []string{
			"reportingComponent: Required value",
			`reportingComponent: Invalid value: "": name part must be non-empty`,
			`reportingComponent: Invalid value: "": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`}},
		{"no action", func(e *corev1.Event) { e.Action = "" }, eventsV1, []string{"action: Required value"}},
		{"no event time", func(e *corev1.Event) { e.EventTime = metav1.MicroTime{} }, eventsV1, []string{"eventTime: Required value"}},
		{"bad type", func(e *corev1.Event) { e.Type = "Info" }, eventsV1, []string{`type: Invalid value: "": has invalid value: Info`}},
		{"deprecated count", func(e *corev1.Event) { e.Count = 2 }, eventsV1, []string{`count: Invalid value: "": needs to be unset`}},
		{"short series", func(e *corev1.Event) {
			e.Series = &corev1.EventSeries{Count: 1, LastObservedTime: e.EventTime}
		}, eventsV1, []string{`series.count: Invalid value: "": should be at least 2`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEvent()
			tc.change(e)
			matchErrors(t, validation.Event(e, tc.gv), tc.want...)
		})
	}
	t.Run("events.k8s.io fields are immutable", func(t *testing.T) {
		t.Parallel()
		e := newEvent()
		e.Message = "changed"
		e.Series = &corev1.EventSeries{Count: 2, LastObservedTime: e.EventTime}
		matchErrors(t, validation.EventUpdate(e, newEvent(), eventsV1), `message: Invalid value: "changed": field is immutable`)
		matchErrors(t, validation.EventUpdate(e, newEvent(), corev1.SchemeGroupVersion))
	})
}
