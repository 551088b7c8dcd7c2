package validation

import (
	"fmt"
	"reflect"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1beta1 "k8s.io/api/events/v1beta1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Upstream's limits of an events.k8s.io Event's strings.
const (
	reportingInstanceLengthLimit = 128
	actionLengthLimit            = 128
	reasonLengthLimit            = 128
	noteLengthLimit              = 1024
)

// Event is upstream's ValidateEventCreate for a request to version gv:
// events written through core/v1 (or events.k8s.io/v1beta1) get only the
// legacy rules (the involved object's namespace; with eventTime set, the
// reporting fields), those written through events.k8s.io/v1 also need
// eventTime, a Normal or Warning type, valid series, and no deprecated
// fields. Field paths are core/v1's (reportingComponent through core/v1,
// reportingController otherwise), as upstream's internal ones. Metadata
// is validated by the registry.
func Event(event *corev1.Event, gv schema.GroupVersion) field.ErrorList {
	errs := legacyEvent(event, gv)
	if gv == corev1.SchemeGroupVersion || gv == eventsv1beta1.SchemeGroupVersion {
		return errs
	}
	errs = append(errs, eventSeries(event)...)
	if event.EventTime.IsZero() {
		errs = append(errs, field.Required(field.NewPath("eventTime"), ""))
	}
	if event.Type != corev1.EventTypeNormal && event.Type != corev1.EventTypeWarning {
		errs = append(errs, field.Invalid(field.NewPath("type"), "", fmt.Sprintf("has invalid value: %v", event.Type)))
	}
	if !event.FirstTimestamp.IsZero() {
		errs = append(errs, field.Invalid(field.NewPath("firstTimestamp"), "", "needs to be unset"))
	}
	if !event.LastTimestamp.IsZero() {
		errs = append(errs, field.Invalid(field.NewPath("lastTimestamp"), "", "needs to be unset"))
	}
	if event.Count != 0 {
		errs = append(errs, field.Invalid(field.NewPath("count"), "", "needs to be unset"))
	}
	if event.Source.Component != "" || event.Source.Host != "" {
		errs = append(errs, field.Invalid(field.NewPath("source"), "", "needs to be unset"))
	}
	return errs
}

// EventUpdate is upstream's ValidateEventUpdate: through events.k8s.io/v1
// every field but series and metadata is immutable.
func EventUpdate(event, old *corev1.Event, gv schema.GroupVersion) field.ErrorList {
	errs := legacyEvent(event, gv)
	if gv == corev1.SchemeGroupVersion || gv == eventsv1beta1.SchemeGroupVersion {
		return errs
	}
	if !reflect.DeepEqual(event.Series, old.Series) {
		errs = append(errs, eventSeries(event)...)
	}
	immutable := func(n, o any, name string) {
		errs = append(errs, apimachineryvalidation.ValidateImmutableField(n, o, field.NewPath(name))...)
	}
	immutable(event.InvolvedObject, old.InvolvedObject, "involvedObject")
	immutable(event.Reason, old.Reason, "reason")
	immutable(event.Message, old.Message, "message")
	immutable(event.Source, old.Source, "source")
	immutable(event.FirstTimestamp, old.FirstTimestamp, "firstTimestamp")
	immutable(event.LastTimestamp, old.LastTimestamp, "lastTimestamp")
	immutable(event.Count, old.Count, "count")
	immutable(event.Reason, old.Reason, "reason") // twice, as upstream
	immutable(event.Type, old.Type, "type")
	if !event.EventTime.Truncate(time.Microsecond).UTC().Equal(old.EventTime.Truncate(time.Microsecond).UTC()) {
		immutable(event.EventTime, old.EventTime, "eventTime")
	}
	immutable(event.Action, old.Action, "action")
	immutable(event.Related, old.Related, "related")
	immutable(event.ReportingController, old.ReportingController, "reportingController")
	immutable(event.ReportingInstance, old.ReportingInstance, "reportingInstance")
	return errs
}

func eventSeries(event *corev1.Event) field.ErrorList {
	var errs field.ErrorList
	if event.Series != nil {
		if event.Series.Count < 2 {
			errs = append(errs, field.Invalid(field.NewPath("series.count"), "", "should be at least 2"))
		}
		if event.Series.LastObservedTime.IsZero() {
			errs = append(errs, field.Required(field.NewPath("series.lastObservedTime"), ""))
		}
	}
	return errs
}

func legacyEvent(event *corev1.Event, gv schema.GroupVersion) field.ErrorList {
	var errs field.ErrorList
	reportingController := "reportingController"
	if gv == corev1.SchemeGroupVersion {
		reportingController = "reportingComponent"
	}
	nsPath := field.NewPath("involvedObject", "namespace")
	if event.EventTime.IsZero() {
		if len(event.InvolvedObject.Namespace) == 0 {
			if event.Namespace != metav1.NamespaceNone && event.Namespace != metav1.NamespaceDefault {
				errs = append(errs, field.Invalid(nsPath, event.InvolvedObject.Namespace, "does not match event.namespace"))
			}
		} else if event.Namespace != event.InvolvedObject.Namespace {
			errs = append(errs, field.Invalid(nsPath, event.InvolvedObject.Namespace, "does not match event.namespace"))
		}
		return errs
	}
	if len(event.InvolvedObject.Namespace) == 0 && event.Namespace != metav1.NamespaceDefault && event.Namespace != metav1.NamespaceSystem {
		errs = append(errs, field.Invalid(nsPath, event.InvolvedObject.Namespace, "does not match event.namespace"))
	}
	if len(event.ReportingController) == 0 {
		errs = append(errs, field.Required(field.NewPath(reportingController), ""))
	}
	errs = append(errs, qualifiedName(event.ReportingController, field.NewPath(reportingController))...)
	if len(event.ReportingInstance) == 0 {
		errs = append(errs, field.Required(field.NewPath("reportingInstance"), ""))
	}
	if len(event.ReportingInstance) > reportingInstanceLengthLimit {
		errs = append(errs, field.Invalid(field.NewPath("reportingInstance"), "", fmt.Sprintf("can have at most %v characters", reportingInstanceLengthLimit)))
	}
	if len(event.Action) == 0 {
		errs = append(errs, field.Required(field.NewPath("action"), ""))
	}
	if len(event.Action) > actionLengthLimit {
		errs = append(errs, field.Invalid(field.NewPath("action"), "", fmt.Sprintf("can have at most %v characters", actionLengthLimit)))
	}
	if len(event.Reason) == 0 {
		errs = append(errs, field.Required(field.NewPath("reason"), ""))
	}
	if len(event.Reason) > reasonLengthLimit {
		errs = append(errs, field.Invalid(field.NewPath("reason"), "", fmt.Sprintf("can have at most %v characters", reasonLengthLimit)))
	}
	if len(event.Message) > noteLengthLimit {
		errs = append(errs, field.Invalid(field.NewPath("message"), "", fmt.Sprintf("can have at most %v characters", noteLengthLimit)))
	}
	return errs
}
