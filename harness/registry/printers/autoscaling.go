package printers

import (
	"fmt"
	"strings"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func autoscaling(s *set) {
	add[autoscalingv2.HorizontalPodAutoscaler, autoscalingv2.HorizontalPodAutoscalerList](s, hpaColumns, cells(printHPA), autoscalingv2.Resource("horizontalpodautoscalers"))
	// the scale subresource of any scalable kind
	addObject[autoscalingv1.Scale](s, scaleColumns, cells(printScale))
}

var hpaColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Reference", Type: "string", Description: autoscalingv2.HorizontalPodAutoscalerSpec{}.SwaggerDoc()["scaleTargetRef"]},
	{Name: "Targets", Type: "string", Description: autoscalingv2.HorizontalPodAutoscalerSpec{}.SwaggerDoc()["metrics"]},
	{Name: "MinPods", Type: "string", Description: autoscalingv2.HorizontalPodAutoscalerSpec{}.SwaggerDoc()["minReplicas"]},
	{Name: "MaxPods", Type: "string", Description: autoscalingv2.HorizontalPodAutoscalerSpec{}.SwaggerDoc()["maxReplicas"]},
	{Name: "Replicas", Type: "string", Description: autoscalingv2.HorizontalPodAutoscalerStatus{}.SwaggerDoc()["currentReplicas"]},
	ageColumn,
}

func printHPA(hpa *autoscalingv2.HorizontalPodAutoscaler) []interface{} {
	minPods := "<unset>"
	if hpa.Spec.MinReplicas != nil {
		minPods = fmt.Sprintf("%d", *hpa.Spec.MinReplicas)
	}
	reference := hpa.Spec.ScaleTargetRef.Kind + "/" + hpa.Spec.ScaleTargetRef.Name
	return []interface{}{hpa.Name, reference, hpaMetrics(hpa.Spec.Metrics, hpa.Status.CurrentMetrics), minPods,
		int64(hpa.Spec.MaxReplicas), int64(hpa.Status.CurrentReplicas), age(hpa.CreationTimestamp)}
}

// hpaMetrics is formatHPAMetrics: "current/target" for the first two metrics
// (the status at the same index is the current value), and how many more.
func hpaMetrics(specs []autoscalingv2.MetricSpec, statuses []autoscalingv2.MetricStatus) string {
	if len(specs) == 0 {
		return "<none>"
	}
	const max = 2
	list := make([]string, 0, len(specs))
	for i, spec := range specs {
		var st *autoscalingv2.MetricStatus
		if i < len(statuses) {
			st = &statuses[i]
		}
		list = append(list, hpaMetric(spec, st))
	}
	if len(list) > max {
		return fmt.Sprintf("%s + %d more...", strings.Join(list[:max], ", "), len(list)-max)
	}
	return strings.Join(list, ", ")
}

// hpaMetric prints one metric; st is its status, nil when there is none.
// A source missing for its type (which validation rejects) prints as an
// unknown type rather than fail.
func hpaMetric(spec autoscalingv2.MetricSpec, st *autoscalingv2.MetricStatus) string {
	const unknown = "<unknown>"
	switch spec.Type {
	case autoscalingv2.ExternalMetricSourceType:
		if spec.External == nil {
			break
		}
		current := unknown
		if target := spec.External.Target; target.AverageValue != nil {
			if st != nil && st.External != nil && st.External.Current.AverageValue != nil {
				current = quantityPtr(st.External.Current.AverageValue)
			}
			return fmt.Sprintf("%s/%s (avg)", current, quantityPtr(target.AverageValue))
		}
		if st != nil && st.External != nil {
			current = quantityPtr(st.External.Current.Value)
		}
		return fmt.Sprintf("%s/%s", current, quantityPtr(spec.External.Target.Value))
	case autoscalingv2.PodsMetricSourceType:
		if spec.Pods == nil {
			break
		}
		current := unknown
		if st != nil && st.Pods != nil {
			current = quantityPtr(st.Pods.Current.AverageValue)
		}
		return fmt.Sprintf("%s/%s", current, quantityPtr(spec.Pods.Target.AverageValue))
	case autoscalingv2.ObjectMetricSourceType:
		if spec.Object == nil {
			break
		}
		current := unknown
		if target := spec.Object.Target; target.AverageValue != nil {
			if st != nil && st.Object != nil && st.Object.Current.AverageValue != nil {
				current = quantityPtr(st.Object.Current.AverageValue)
			}
			return fmt.Sprintf("%s/%s (avg)", current, quantityPtr(target.AverageValue))
		}
		if st != nil && st.Object != nil {
			current = quantityPtr(st.Object.Current.Value)
		}
		return fmt.Sprintf("%s/%s", current, quantityPtr(spec.Object.Target.Value))
	case autoscalingv2.ResourceMetricSourceType:
		if spec.Resource == nil {
			break
		}
		var current *autoscalingv2.MetricValueStatus
		if st != nil && st.Resource != nil {
			current = &st.Resource.Current
		}
		return resourceMetric(spec.Resource.Name.String(), spec.Resource.Target, current)
	case autoscalingv2.ContainerResourceMetricSourceType:
		if spec.ContainerResource == nil {
			break
		}
		var current *autoscalingv2.MetricValueStatus
		if st != nil && st.ContainerResource != nil {
			current = &st.ContainerResource.Current
		}
		return resourceMetric(spec.ContainerResource.Name.String(), spec.ContainerResource.Target, current)
	}
	return "<unknown type>"
}

// resourceMetric is "name: current/target" of a (container) resource metric,
// by average value or utilisation (a target without one is "<auto>").
func resourceMetric(name string, target autoscalingv2.MetricTarget, current *autoscalingv2.MetricValueStatus) string {
	if target.AverageValue != nil {
		now := "<unknown>"
		if current != nil {
			now = quantityPtr(current.AverageValue)
		}
		return fmt.Sprintf("%s: %s/%s", name, now, quantityPtr(target.AverageValue))
	}
	now := "<unknown>"
	if current != nil && current.AverageUtilization != nil {
		now = fmt.Sprintf("%d%%", *current.AverageUtilization)
	}
	want := "<auto>"
	if target.AverageUtilization != nil {
		want = fmt.Sprintf("%d%%", *target.AverageUtilization)
	}
	return fmt.Sprintf("%s: %s/%s", name, now, want)
}

// quantityPtr prints a quantity that may be unset, "<nil>" then, as
// (*Quantity).String does.
func quantityPtr(q *resource.Quantity) string {
	if q == nil {
		return "<nil>"
	}
	return quantity(*q)
}

var scaleColumns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string", Description: objectMetaDoc["name"]},
	{Name: "Desired", Type: "integer", Description: autoscalingv1.ScaleSpec{}.SwaggerDoc()["replicas"]},
	{Name: "Available", Type: "integer", Description: autoscalingv1.ScaleStatus{}.SwaggerDoc()["replicas"]},
	ageColumn,
}

func printScale(s *autoscalingv1.Scale) []interface{} {
	return []interface{}{s.Name, int64(s.Spec.Replicas), int64(s.Status.Replicas), age(s.CreationTimestamp)}
}
