package conversion

import (
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
)

// eventV1ToCore converts an events.k8s.io/v1 Event to the core/v1 Event both
// groups store, as upstream's Convert_v1_Event_To_core_Event: regarding,
// note and the deprecated* fields map to involvedObject, message, source,
// firstTimestamp, lastTimestamp and count; reportingController is the field
// core serializes as reportingComponent.
func eventV1ToCore(in *eventsv1.Event, out *corev1.Event) {
	out.ObjectMeta = in.ObjectMeta
	out.EventTime = in.EventTime
	out.Series = nil
	if in.Series != nil {
		series := corev1.EventSeries(*in.Series)
		out.Series = &series
	}
	out.ReportingController = in.ReportingController
	out.ReportingInstance = in.ReportingInstance
	out.Action = in.Action
	out.Reason = in.Reason
	out.InvolvedObject = in.Regarding
	out.Related = in.Related
	out.Message = in.Note
	out.Type = in.Type
	out.Source = in.DeprecatedSource
	out.FirstTimestamp = in.DeprecatedFirstTimestamp
	out.LastTimestamp = in.DeprecatedLastTimestamp
	out.Count = in.DeprecatedCount
}

// eventCoreToV1 is the inverse of eventV1ToCore, as upstream's
// Convert_core_Event_To_v1_Event. Every field has a counterpart, so the two
// round-trip losslessly.
func eventCoreToV1(in *corev1.Event, out *eventsv1.Event) {
	out.ObjectMeta = in.ObjectMeta
	out.EventTime = in.EventTime
	out.Series = nil
	if in.Series != nil {
		series := eventsv1.EventSeries(*in.Series)
		out.Series = &series
	}
	out.ReportingController = in.ReportingController
	out.ReportingInstance = in.ReportingInstance
	out.Action = in.Action
	out.Reason = in.Reason
	out.Regarding = in.InvolvedObject
	out.Related = in.Related
	out.Note = in.Message
	out.Type = in.Type
	out.DeprecatedSource = in.Source
	out.DeprecatedFirstTimestamp = in.FirstTimestamp
	out.DeprecatedLastTimestamp = in.LastTimestamp
	out.DeprecatedCount = in.Count
}

// eventListV1ToCore converts each item with eventV1ToCore; a nil Items stays
// nil.
func eventListV1ToCore(in *eventsv1.EventList, out *corev1.EventList) {
	out.ListMeta = in.ListMeta
	out.Items = nil
	if in.Items != nil {
		out.Items = make([]corev1.Event, len(in.Items))
		for i := range in.Items {
			eventV1ToCore(&in.Items[i], &out.Items[i])
		}
	}
}

// eventListCoreToV1 converts each item with eventCoreToV1; a nil Items stays
// nil.
func eventListCoreToV1(in *corev1.EventList, out *eventsv1.EventList) {
	out.ListMeta = in.ListMeta
	out.Items = nil
	if in.Items != nil {
		out.Items = make([]eventsv1.Event, len(in.Items))
		for i := range in.Items {
			eventCoreToV1(&in.Items[i], &out.Items[i])
		}
	}
}
