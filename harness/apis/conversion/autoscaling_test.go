package conversion

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func quantityOf(s string) *resource.Quantity { return ptr.To(resource.MustParse(s)) }

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// JSON carries times to the second, so fixtures use whole seconds.
var (
	scaleTime      = metav1.NewTime(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	transitionTime = metav1.NewTime(time.Date(2026, 3, 4, 5, 0, 0, 0, time.UTC))
)

var (
	webTargetV1 = autoscalingv1.CrossVersionObjectReference{Kind: "Deployment", Name: "web", APIVersion: "apps/v1"}
	webTargetV2 = autoscalingv2.CrossVersionObjectReference{Kind: "Deployment", Name: "web", APIVersion: "apps/v1"}
	ingressV2   = autoscalingv2.CrossVersionObjectReference{Kind: "Ingress", Name: "main", APIVersion: "networking.k8s.io/v1"}
	ingressV1   = autoscalingv1.CrossVersionObjectReference{Kind: "Ingress", Name: "main", APIVersion: "networking.k8s.io/v1"}
)

// fullV2 returns an HPA using every v2 feature in a form that survives
// v2 → v1 → v2: the CPU-utilization target is last (v1 puts it after the
// annotated metrics), targets have the type v1 infers, and statuses set the
// values v1 cannot omit.
func fullV2() *autoscalingv2.HorizontalPodAutoscaler {
	selector := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", Generation: 3, Annotations: map[string]string{"team": "a"}},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: webTargetV2,
			MinReplicas:    ptr.To[int32](2),
			MaxReplicas:    10,
			Metrics: []autoscalingv2.MetricSpec{
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
					Name: corev1.ResourceMemory, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: quantityOf("512Mi")}}},
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
					Name: corev1.ResourceMemory, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](75)}}},
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
					Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: quantityOf("300m")}}},
				{Type: autoscalingv2.ContainerResourceMetricSourceType, ContainerResource: &autoscalingv2.ContainerResourceMetricSource{
					Name: corev1.ResourceCPU, Container: "app", Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](50)}}},
				{Type: autoscalingv2.PodsMetricSourceType, Pods: &autoscalingv2.PodsMetricSource{
					Metric: autoscalingv2.MetricIdentifier{Name: "qps", Selector: selector},
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: quantityOf("100")}}},
				{Type: autoscalingv2.ObjectMetricSourceType, Object: &autoscalingv2.ObjectMetricSource{
					DescribedObject: ingressV2, Metric: autoscalingv2.MetricIdentifier{Name: "requests"},
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType, Value: quantityOf("2k")}}},
				{Type: autoscalingv2.ObjectMetricSourceType, Object: &autoscalingv2.ObjectMetricSource{
					DescribedObject: ingressV2, Metric: autoscalingv2.MetricIdentifier{Name: "latency", Selector: selector},
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: quantityOf("500m")}}},
				{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricSource{
					Metric: autoscalingv2.MetricIdentifier{Name: "queue", Selector: selector},
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType, Value: quantityOf("30")}}},
				{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricSource{
					Metric: autoscalingv2.MetricIdentifier{Name: "backlog"},
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: quantityOf("3")}}},
				cpuUtilizationTarget(70),
			},
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleUp: &autoscalingv2.HPAScalingRules{
					StabilizationWindowSeconds: ptr.To[int32](0),
					SelectPolicy:               ptr.To(autoscalingv2.MaxChangePolicySelect),
					Policies: []autoscalingv2.HPAScalingPolicy{
						{Type: autoscalingv2.PodsScalingPolicy, Value: 4, PeriodSeconds: 15},
						{Type: autoscalingv2.PercentScalingPolicy, Value: 100, PeriodSeconds: 15},
					},
					Tolerance: quantityOf("50m"),
				},
				ScaleDown: &autoscalingv2.HPAScalingRules{
					StabilizationWindowSeconds: ptr.To[int32](300),
					Policies:                   []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PercentScalingPolicy, Value: 100, PeriodSeconds: 15}},
				},
			},
		},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{
			ObservedGeneration: ptr.To[int64](3),
			LastScaleTime:      &scaleTime,
			CurrentReplicas:    4,
			DesiredReplicas:    5,
			CurrentMetrics: []autoscalingv2.MetricStatus{
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
					Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageValue: quantityOf("200m"), AverageUtilization: ptr.To[int32](66)}}},
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
					Name: corev1.ResourceMemory, Current: autoscalingv2.MetricValueStatus{AverageValue: quantityOf("400Mi")}}},
				{Type: autoscalingv2.ContainerResourceMetricSourceType, ContainerResource: &autoscalingv2.ContainerResourceMetricStatus{
					Name: corev1.ResourceCPU, Container: "app", Current: autoscalingv2.MetricValueStatus{AverageValue: quantityOf("100m"), AverageUtilization: ptr.To[int32](40)}}},
				{Type: autoscalingv2.PodsMetricSourceType, Pods: &autoscalingv2.PodsMetricStatus{
					Metric: autoscalingv2.MetricIdentifier{Name: "qps", Selector: selector}, Current: autoscalingv2.MetricValueStatus{AverageValue: quantityOf("90")}}},
				{Type: autoscalingv2.ObjectMetricSourceType, Object: &autoscalingv2.ObjectMetricStatus{
					DescribedObject: ingressV2, Metric: autoscalingv2.MetricIdentifier{Name: "requests"},
					Current: autoscalingv2.MetricValueStatus{Value: quantityOf("1500"), AverageValue: quantityOf("375")}}},
				{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricStatus{
					Metric: autoscalingv2.MetricIdentifier{Name: "queue", Selector: selector}, Current: autoscalingv2.MetricValueStatus{Value: quantityOf("12"), AverageValue: quantityOf("3")}}},
			},
			Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
				{Type: autoscalingv2.AbleToScale, Status: corev1.ConditionTrue, LastTransitionTime: transitionTime, Reason: "ReadyForNewScale", Message: "recommended size matches current size", ObservedGeneration: ptr.To[int64](3)},
				{Type: autoscalingv2.ScalingLimited, Status: corev1.ConditionFalse, LastTransitionTime: transitionTime, Reason: "DesiredWithinRange"},
			},
		},
	}
}

// fullV1 returns an autoscaling/v1 HPA that carries v2 fields in every
// round-trip annotation, in the form this package (and upstream) writes them.
func fullV1(t *testing.T) *autoscalingv1.HorizontalPodAutoscaler {
	t.Helper()
	metrics := []autoscalingv1.MetricSpec{
		{Type: autoscalingv1.ResourceMetricSourceType, Resource: &autoscalingv1.ResourceMetricSource{Name: corev1.ResourceMemory, TargetAverageValue: quantityOf("1Gi")}},
		{Type: autoscalingv1.PodsMetricSourceType, Pods: &autoscalingv1.PodsMetricSource{MetricName: "qps", TargetAverageValue: resource.MustParse("10")}},
		{Type: autoscalingv1.ObjectMetricSourceType, Object: &autoscalingv1.ObjectMetricSource{Target: ingressV1, MetricName: "requests", TargetValue: resource.MustParse("1k")}},
		{Type: autoscalingv1.ExternalMetricSourceType, External: &autoscalingv1.ExternalMetricSource{MetricName: "queue", TargetAverageValue: quantityOf("5")}},
		{Type: autoscalingv1.ContainerResourceMetricSourceType, ContainerResource: &autoscalingv1.ContainerResourceMetricSource{Name: corev1.ResourceCPU, Container: "app", TargetAverageUtilization: ptr.To[int32](60)}},
	}
	currentMetrics := []autoscalingv1.MetricStatus{
		{Type: autoscalingv1.ResourceMetricSourceType, Resource: &autoscalingv1.ResourceMetricStatus{Name: corev1.ResourceCPU, CurrentAverageUtilization: ptr.To[int32](55), CurrentAverageValue: resource.MustParse("110m")}},
		{Type: autoscalingv1.PodsMetricSourceType, Pods: &autoscalingv1.PodsMetricStatus{MetricName: "qps", CurrentAverageValue: resource.MustParse("8")}},
		{Type: autoscalingv1.ExternalMetricSourceType, External: &autoscalingv1.ExternalMetricStatus{MetricName: "queue", CurrentValue: resource.MustParse("20"), CurrentAverageValue: quantityOf("4")}},
	}
	conditions := []autoscalingv1.HorizontalPodAutoscalerCondition{
		{Type: autoscalingv1.ScalingActive, Status: corev1.ConditionTrue, LastTransitionTime: transitionTime, Reason: "ValidMetricFound", ObservedGeneration: ptr.To[int64](2)},
	}
	return &autoscalingv1.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", Annotations: map[string]string{
			"team":                   "a",
			MetricSpecsAnnotation:    mustJSON(t, metrics),
			MetricStatusesAnnotation: mustJSON(t, currentMetrics),
			HorizontalPodAutoscalerConditionsAnnotation: mustJSON(t, conditions),
			BehaviorSpecsAnnotation:                     `{"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":60,"SelectPolicy":"Min","Policies":[{"Type":"Pods","Value":1,"PeriodSeconds":30}],"Tolerance":"20m"}}`,
		}},
		Spec: autoscalingv1.HorizontalPodAutoscalerSpec{
			ScaleTargetRef:                 webTargetV1,
			MinReplicas:                    ptr.To[int32](1),
			MaxReplicas:                    4,
			TargetCPUUtilizationPercentage: ptr.To[int32](65),
		},
		Status: autoscalingv1.HorizontalPodAutoscalerStatus{
			ObservedGeneration:              ptr.To[int64](2),
			LastScaleTime:                   &scaleTime,
			CurrentReplicas:                 2,
			DesiredReplicas:                 3,
			CurrentCPUUtilizationPercentage: ptr.To[int32](55),
		},
	}
}

func convertV2ToV1(t *testing.T, in *autoscalingv2.HorizontalPodAutoscaler) *autoscalingv1.HorizontalPodAutoscaler {
	t.Helper()
	var out autoscalingv1.HorizontalPodAutoscaler
	if err := horizontalPodAutoscalerV2ToV1(in, &out); err != nil {
		t.Fatalf("convert v2 to v1: %v", err)
	}
	return &out
}

func convertV1ToV2(t *testing.T, in *autoscalingv1.HorizontalPodAutoscaler) *autoscalingv2.HorizontalPodAutoscaler {
	t.Helper()
	var out autoscalingv2.HorizontalPodAutoscaler
	if err := horizontalPodAutoscalerV1ToV2(in, &out); err != nil {
		t.Fatalf("convert v1 to v2: %v", err)
	}
	return &out
}

func TestHorizontalPodAutoscalerRoundTripFromV2(t *testing.T) {
	t.Parallel()
	withoutBehavior := fullV2()
	withoutBehavior.Spec.Behavior = nil
	cpuOnly := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: webTargetV2, MinReplicas: ptr.To[int32](1), MaxReplicas: 3,
			Metrics: []autoscalingv2.MetricSpec{cpuUtilizationTarget(80)},
		},
	}
	scaleUpOnly := cpuOnly.DeepCopy()
	scaleUpOnly.Spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp: &autoscalingv2.HPAScalingRules{SelectPolicy: ptr.To(autoscalingv2.DisabledPolicySelect)},
	}

	tests := []struct {
		name string
		in   *autoscalingv2.HorizontalPodAutoscaler
		// annotations are the keys the v1 form must carry.
		annotations []string
	}{
		{"every field", fullV2(), []string{"team", MetricSpecsAnnotation, MetricStatusesAnnotation, HorizontalPodAutoscalerConditionsAnnotation, BehaviorSpecsAnnotation}},
		{"no behavior", withoutBehavior, []string{"team", MetricSpecsAnnotation, MetricStatusesAnnotation, HorizontalPodAutoscalerConditionsAnnotation}},
		{"cpu target only", cpuOnly, nil},
		{"scale-up behavior only", scaleUpOnly, []string{BehaviorSpecsAnnotation}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in.DeepCopy()
			v1 := convertV2ToV1(t, in)
			checkEqual(t, in, tt.in) // the input is left alone

			if got := sortedKeys(v1.Annotations); !reflect.DeepEqual(got, sortedKeys(keySet(tt.annotations))) {
				t.Fatalf("got v1 annotations %v, want keys %v", got, tt.annotations)
			}
			back := convertV1ToV2(t, v1)
			checkEqual(t, back, tt.in)
		})
	}
}

func TestHorizontalPodAutoscalerRoundTripFromV1(t *testing.T) {
	t.Parallel()
	onlyCPU := &autoscalingv1.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec:       autoscalingv1.HorizontalPodAutoscalerSpec{ScaleTargetRef: webTargetV1, MinReplicas: ptr.To[int32](1), MaxReplicas: 3, TargetCPUUtilizationPercentage: ptr.To[int32](50)},
		Status:     autoscalingv1.HorizontalPodAutoscalerStatus{CurrentReplicas: 1, DesiredReplicas: 1},
	}
	tests := []struct {
		name string
		in   *autoscalingv1.HorizontalPodAutoscaler
	}{
		{"every annotation", fullV1(t)},
		{"cpu target only", onlyCPU},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in.DeepCopy()
			v2 := convertV1ToV2(t, in)
			checkEqual(t, in, tt.in)
			for _, key := range roundTripAnnotations {
				if _, ok := v2.Annotations[key]; ok {
					t.Fatalf("got annotation %s on v2, want round-trip annotations dropped", key)
				}
			}
			back := convertV2ToV1(t, v2)
			checkEqual(t, back, tt.in)
			// Annotations are compared as strings: the JSON must come back byte for byte.
			if !maps.Equal(back.Annotations, tt.in.Annotations) {
				t.Fatalf("got annotations %v, want %v", back.Annotations, tt.in.Annotations)
			}
		})
	}
}

// TestHorizontalPodAutoscalerSpecV2ToV1 is upstream's
// TestConvert_autoscaling_HorizontalPodAutoscalerSpec_To_v1_HorizontalPodAutoscalerSpec
// (kubernetes#101370), on v2 types.
func TestHorizontalPodAutoscalerSpecV2ToV1(t *testing.T) {
	t.Parallel()
	cpuAverageValue := autoscalingv2.MetricSpec{
		Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{
			Name:   corev1.ResourceCPU,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: resource.NewMilliQuantity(300, resource.DecimalSI)},
		},
	}
	tests := []struct {
		name string
		in   autoscalingv2.HorizontalPodAutoscalerSpec
		out  autoscalingv1.HorizontalPodAutoscalerSpec // before conversion
		want autoscalingv1.HorizontalPodAutoscalerSpec
	}{
		{
			name: "TestConversionWithCPUAverageValueAndUtilizationBoth1",
			in: autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1), MaxReplicas: 3,
				Metrics: []autoscalingv2.MetricSpec{cpuAverageValue, cpuUtilizationTarget(70)}},
			want: autoscalingv1.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1), MaxReplicas: 3, TargetCPUUtilizationPercentage: ptr.To[int32](70)},
		},
		{
			name: "TestConversionWithCPUAverageValueAndUtilizationBoth2",
			in: autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1), MaxReplicas: 3,
				Metrics: []autoscalingv2.MetricSpec{cpuAverageValue, cpuUtilizationTarget(70)}},
			out:  autoscalingv1.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](2), MaxReplicas: 4, TargetCPUUtilizationPercentage: ptr.To[int32](60)},
			want: autoscalingv1.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1), MaxReplicas: 3, TargetCPUUtilizationPercentage: ptr.To[int32](70)},
		},
		{
			name: "TestConversionWithoutMetrics",
			in:   autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1), MaxReplicas: 3, Metrics: []autoscalingv2.MetricSpec{}},
			out:  autoscalingv1.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1), MaxReplicas: 4, TargetCPUUtilizationPercentage: ptr.To[int32](60)},
			want: autoscalingv1.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1), MaxReplicas: 3, TargetCPUUtilizationPercentage: ptr.To[int32](60)},
		},
		{
			name: "TestConversionWithCPUUtilizationOnly",
			in: autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1), MaxReplicas: 3,
				Metrics: []autoscalingv2.MetricSpec{cpuUtilizationTarget(60)}},
			want: autoscalingv1.HorizontalPodAutoscalerSpec{MinReplicas: ptr.To[int32](1), MaxReplicas: 3, TargetCPUUtilizationPercentage: ptr.To[int32](60)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := tt.out
			specV2ToV1(&tt.in, &out)
			checkEqual(t, &out, &tt.want)
		})
	}
}

func TestHorizontalPodAutoscalerV2ToV1(t *testing.T) {
	t.Parallel()
	memory := autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
		Name: corev1.ResourceMemory, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: quantityOf("1Gi")}}}
	memoryV1 := autoscalingv1.MetricSpec{Type: autoscalingv1.ResourceMetricSourceType, Resource: &autoscalingv1.ResourceMetricSource{
		Name: corev1.ResourceMemory, TargetAverageValue: quantityOf("1Gi")}}
	cpuStatus := func(utilization int32) autoscalingv2.MetricStatus {
		return autoscalingv2.MetricStatus{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
			Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageUtilization: ptr.To(utilization)}}}
	}
	cpuStatusV1 := func(utilization int32) autoscalingv1.MetricStatus {
		return autoscalingv1.MetricStatus{Type: autoscalingv1.ResourceMetricSourceType, Resource: &autoscalingv1.ResourceMetricStatus{
			Name: corev1.ResourceCPU, CurrentAverageUtilization: ptr.To(utilization)}}
	}
	hpa := func(meta metav1.ObjectMeta, spec autoscalingv2.HorizontalPodAutoscalerSpec, status autoscalingv2.HorizontalPodAutoscalerStatus) *autoscalingv2.HorizontalPodAutoscaler {
		spec.ScaleTargetRef, spec.MaxReplicas = webTargetV2, 3
		return &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: meta, Spec: spec, Status: status}
	}
	hpaV1 := func(annotations map[string]string, spec autoscalingv1.HorizontalPodAutoscalerSpec, status autoscalingv1.HorizontalPodAutoscalerStatus) *autoscalingv1.HorizontalPodAutoscaler {
		spec.ScaleTargetRef, spec.MaxReplicas = webTargetV1, 3
		return &autoscalingv1.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: "web", Annotations: annotations}, Spec: spec, Status: status}
	}
	web := metav1.ObjectMeta{Name: "web"}

	tests := []struct {
		name string
		in   *autoscalingv2.HorizontalPodAutoscaler
		want *autoscalingv1.HorizontalPodAutoscaler
	}{
		{
			name: "no metrics: no target, no annotation",
			in:   hpa(web, autoscalingv2.HorizontalPodAutoscalerSpec{}, autoscalingv2.HorizontalPodAutoscalerStatus{}),
			want: hpaV1(nil, autoscalingv1.HorizontalPodAutoscalerSpec{}, autoscalingv1.HorizontalPodAutoscalerStatus{}),
		},
		{
			name: "first cpu utilization is the target, every cpu utilization is left out of the annotation",
			in: hpa(web, autoscalingv2.HorizontalPodAutoscalerSpec{
				Metrics: []autoscalingv2.MetricSpec{cpuUtilizationTarget(70), memory, cpuUtilizationTarget(90)},
			}, autoscalingv2.HorizontalPodAutoscalerStatus{}),
			want: hpaV1(map[string]string{MetricSpecsAnnotation: mustJSON(t, []autoscalingv1.MetricSpec{memoryV1})},
				autoscalingv1.HorizontalPodAutoscalerSpec{TargetCPUUtilizationPercentage: ptr.To[int32](70)},
				autoscalingv1.HorizontalPodAutoscalerStatus{}),
		},
		{
			name: "last cpu status is the current utilization, every status is annotated",
			in: hpa(web, autoscalingv2.HorizontalPodAutoscalerSpec{}, autoscalingv2.HorizontalPodAutoscalerStatus{
				CurrentMetrics: []autoscalingv2.MetricStatus{cpuStatus(40), cpuStatus(45)},
			}),
			want: hpaV1(map[string]string{MetricStatusesAnnotation: mustJSON(t, []autoscalingv1.MetricStatus{cpuStatusV1(40), cpuStatusV1(45)})},
				autoscalingv1.HorizontalPodAutoscalerSpec{},
				autoscalingv1.HorizontalPodAutoscalerStatus{CurrentCPUUtilizationPercentage: ptr.To[int32](45)}),
		},
		{
			name: "stale round-trip annotations are replaced",
			in: hpa(metav1.ObjectMeta{Name: "web", Annotations: map[string]string{
				"team":                                      "a",
				MetricSpecsAnnotation:                       "stale",
				MetricStatusesAnnotation:                    "stale",
				BehaviorSpecsAnnotation:                     "stale",
				ToleranceScaleUpAnnotation:                  "stale",
				ToleranceScaleDownAnnotation:                "stale",
				HorizontalPodAutoscalerConditionsAnnotation: "stale",
			}}, autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: []autoscalingv2.MetricSpec{memory}}, autoscalingv2.HorizontalPodAutoscalerStatus{}),
			want: hpaV1(map[string]string{"team": "a", MetricSpecsAnnotation: mustJSON(t, []autoscalingv1.MetricSpec{memoryV1})},
				autoscalingv1.HorizontalPodAutoscalerSpec{}, autoscalingv1.HorizontalPodAutoscalerStatus{}),
		},
		{
			name: "annotations are written as upstream writes them",
			in: hpa(web, autoscalingv2.HorizontalPodAutoscalerSpec{
				Metrics: []autoscalingv2.MetricSpec{
					{Type: autoscalingv2.ObjectMetricSourceType, Object: &autoscalingv2.ObjectMetricSource{
						DescribedObject: ingressV2, Metric: autoscalingv2.MetricIdentifier{Name: "rps"},
						Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: quantityOf("500m")}}},
				},
				Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
					ScaleDown: &autoscalingv2.HPAScalingRules{
						StabilizationWindowSeconds: ptr.To[int32](60),
						Policies:                   []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PodsScalingPolicy, Value: 1, PeriodSeconds: 30}},
						Tolerance:                  quantityOf("0.05"),
					},
				},
			}, autoscalingv2.HorizontalPodAutoscalerStatus{
				Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
					{Type: autoscalingv2.ScalingActive, Status: corev1.ConditionFalse, LastTransitionTime: transitionTime, Reason: "FailedGetResourceMetric"},
				},
			}),
			want: hpaV1(map[string]string{
				MetricSpecsAnnotation:                       `[{"type":"Object","object":{"target":{"kind":"Ingress","name":"main","apiVersion":"networking.k8s.io/v1"},"metricName":"rps","targetValue":"0","averageValue":"500m"}}]`,
				BehaviorSpecsAnnotation:                     `{"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":60,"SelectPolicy":null,"Policies":[{"Type":"Pods","Value":1,"PeriodSeconds":30}],"Tolerance":"50m"}}`,
				HorizontalPodAutoscalerConditionsAnnotation: `[{"type":"ScalingActive","status":"False","lastTransitionTime":"2026-03-04T05:00:00Z","reason":"FailedGetResourceMetric"}]`,
			}, autoscalingv1.HorizontalPodAutoscalerSpec{}, autoscalingv1.HorizontalPodAutoscalerStatus{}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in.DeepCopy()
			got := convertV2ToV1(t, in)
			checkEqual(t, in, tt.in)
			checkEqual(t, got, tt.want)
			if !maps.Equal(got.Annotations, tt.want.Annotations) || (got.Annotations == nil) != (tt.want.Annotations == nil) {
				t.Fatalf("got annotations %#v, want %#v", got.Annotations, tt.want.Annotations)
			}
		})
	}
}

func TestHorizontalPodAutoscalerV1ToV2(t *testing.T) {
	t.Parallel()
	hpaV1 := func(annotations map[string]string, spec autoscalingv1.HorizontalPodAutoscalerSpec, status autoscalingv1.HorizontalPodAutoscalerStatus) *autoscalingv1.HorizontalPodAutoscaler {
		spec.ScaleTargetRef, spec.MaxReplicas = webTargetV1, 3
		return &autoscalingv1.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: "web", Annotations: annotations}, Spec: spec, Status: status}
	}
	hpa := func(annotations map[string]string, spec autoscalingv2.HorizontalPodAutoscalerSpec, status autoscalingv2.HorizontalPodAutoscalerStatus) *autoscalingv2.HorizontalPodAutoscaler {
		spec.ScaleTargetRef, spec.MaxReplicas = webTargetV2, 3
		return &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: "web", Annotations: annotations}, Spec: spec, Status: status}
	}
	metrics := func(t *testing.T, m ...autoscalingv1.MetricSpec) string { return mustJSON(t, m) }
	object := func(target autoscalingv1.ObjectMetricSource) autoscalingv1.MetricSpec {
		target.Target, target.MetricName = ingressV1, "rps"
		return autoscalingv1.MetricSpec{Type: autoscalingv1.ObjectMetricSourceType, Object: &target}
	}
	objectV2 := func(target autoscalingv2.MetricTarget) autoscalingv2.MetricSpec {
		return autoscalingv2.MetricSpec{Type: autoscalingv2.ObjectMetricSourceType, Object: &autoscalingv2.ObjectMetricSource{
			DescribedObject: ingressV2, Metric: autoscalingv2.MetricIdentifier{Name: "rps"}, Target: target}}
	}
	external := func(target autoscalingv1.ExternalMetricSource) autoscalingv1.MetricSpec {
		target.MetricName = "queue"
		return autoscalingv1.MetricSpec{Type: autoscalingv1.ExternalMetricSourceType, External: &target}
	}
	externalV2 := func(target autoscalingv2.MetricTarget) autoscalingv2.MetricSpec {
		return autoscalingv2.MetricSpec{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricSource{
			Metric: autoscalingv2.MetricIdentifier{Name: "queue"}, Target: target}}
	}
	memoryV1 := autoscalingv1.MetricSpec{Type: autoscalingv1.ResourceMetricSourceType, Resource: &autoscalingv1.ResourceMetricSource{
		Name: corev1.ResourceMemory, TargetAverageValue: quantityOf("1Gi")}}
	memory := autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
		Name: corev1.ResourceMemory, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: quantityOf("1Gi")}}}
	defaultCPU := []autoscalingv2.MetricSpec{cpuUtilizationTarget(80)}
	noSpec, noStatus := autoscalingv1.HorizontalPodAutoscalerSpec{}, autoscalingv1.HorizontalPodAutoscalerStatus{}
	noStatusV2 := autoscalingv2.HorizontalPodAutoscalerStatus{}

	tests := []struct {
		name string
		in   *autoscalingv1.HorizontalPodAutoscaler
		want *autoscalingv2.HorizontalPodAutoscaler
	}{
		{
			name: "no target and no metrics default to 80% cpu",
			in:   hpaV1(nil, noSpec, noStatus),
			want: hpa(nil, autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: defaultCPU}, noStatusV2),
		},
		{
			name: "target cpu becomes a utilization target",
			in:   hpaV1(nil, autoscalingv1.HorizontalPodAutoscalerSpec{TargetCPUUtilizationPercentage: ptr.To[int32](30)}, noStatus),
			want: hpa(nil, autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: []autoscalingv2.MetricSpec{cpuUtilizationTarget(30)}}, noStatusV2),
		},
		{
			name: "annotated metrics come before the cpu target",
			in: hpaV1(map[string]string{MetricSpecsAnnotation: metrics(t, memoryV1)},
				autoscalingv1.HorizontalPodAutoscalerSpec{TargetCPUUtilizationPercentage: ptr.To[int32](30)}, noStatus),
			want: hpa(map[string]string{}, autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: []autoscalingv2.MetricSpec{memory, cpuUtilizationTarget(30)}}, noStatusV2),
		},
		{
			name: "annotated metrics without a cpu target get no default",
			in:   hpaV1(map[string]string{MetricSpecsAnnotation: metrics(t, memoryV1)}, noSpec, noStatus),
			want: hpa(map[string]string{}, autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: []autoscalingv2.MetricSpec{memory}}, noStatusV2),
		},
		{
			name: "an empty metrics annotation still defaults",
			in:   hpaV1(map[string]string{MetricSpecsAnnotation: "[]"}, noSpec, noStatus),
			want: hpa(map[string]string{}, autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: defaultCPU}, noStatusV2),
		},
		{
			name: "undecodable annotations are ignored and dropped",
			in: hpaV1(map[string]string{
				"team":                                      "a",
				MetricSpecsAnnotation:                       "{",
				MetricStatusesAnnotation:                    "{",
				BehaviorSpecsAnnotation:                     "[",
				ToleranceScaleUpAnnotation:                  "0.1",
				ToleranceScaleDownAnnotation:                "0.1",
				HorizontalPodAutoscalerConditionsAnnotation: "{",
			}, noSpec, autoscalingv1.HorizontalPodAutoscalerStatus{CurrentCPUUtilizationPercentage: ptr.To[int32](20)}),
			want: hpa(map[string]string{"team": "a"}, autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: defaultCPU},
				autoscalingv2.HorizontalPodAutoscalerStatus{CurrentMetrics: []autoscalingv2.MetricStatus{{
					Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
						Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageUtilization: ptr.To[int32](20)}}}}}),
		},
		{
			name: "an empty behavior is no behavior",
			in:   hpaV1(map[string]string{BehaviorSpecsAnnotation: "{}"}, noSpec, noStatus),
			want: hpa(map[string]string{}, autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: defaultCPU}, noStatusV2),
		},
		{
			name: "behavior field names match case-insensitively",
			in:   hpaV1(map[string]string{BehaviorSpecsAnnotation: `{"scaleUp":{"selectPolicy":"Disabled","policies":[{"type":"Percent","value":10,"periodSeconds":60}]}}`}, noSpec, noStatus),
			want: hpa(map[string]string{}, autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: defaultCPU, Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleUp: &autoscalingv2.HPAScalingRules{
					SelectPolicy: ptr.To(autoscalingv2.DisabledPolicySelect),
					Policies:     []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PercentScalingPolicy, Value: 10, PeriodSeconds: 60}},
				},
			}}, noStatusV2),
		},
		{
			name: "the current-metrics annotation wins over currentCPUUtilizationPercentage",
			in: hpaV1(map[string]string{MetricStatusesAnnotation: mustJSON(t, []autoscalingv1.MetricStatus{{
				Type: autoscalingv1.PodsMetricSourceType, Pods: &autoscalingv1.PodsMetricStatus{MetricName: "qps", CurrentAverageValue: resource.MustParse("7")},
			}})}, noSpec, autoscalingv1.HorizontalPodAutoscalerStatus{CurrentCPUUtilizationPercentage: ptr.To[int32](20)}),
			want: hpa(map[string]string{}, autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: defaultCPU}, autoscalingv2.HorizontalPodAutoscalerStatus{
				CurrentMetrics: []autoscalingv2.MetricStatus{{Type: autoscalingv2.PodsMetricSourceType, Pods: &autoscalingv2.PodsMetricStatus{
					Metric: autoscalingv2.MetricIdentifier{Name: "qps"}, Current: autoscalingv2.MetricValueStatus{AverageValue: quantityOf("7")}}}},
			}),
		},
		{
			name: "statuses get the values v1 cannot omit",
			in: hpaV1(map[string]string{MetricStatusesAnnotation: mustJSON(t, []autoscalingv1.MetricStatus{
				{Type: autoscalingv1.ResourceMetricSourceType, Resource: &autoscalingv1.ResourceMetricStatus{Name: corev1.ResourceCPU, CurrentAverageUtilization: ptr.To[int32](20)}},
				{Type: autoscalingv1.ObjectMetricSourceType, Object: &autoscalingv1.ObjectMetricStatus{Target: ingressV1, MetricName: "rps", AverageValue: quantityOf("2")}},
				{Type: autoscalingv1.ExternalMetricSourceType, External: &autoscalingv1.ExternalMetricStatus{MetricName: "queue", CurrentAverageValue: quantityOf("3")}},
			})}, noSpec, noStatus),
			want: hpa(map[string]string{}, autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: defaultCPU}, autoscalingv2.HorizontalPodAutoscalerStatus{
				CurrentMetrics: []autoscalingv2.MetricStatus{
					{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{Name: corev1.ResourceCPU,
						Current: autoscalingv2.MetricValueStatus{AverageValue: quantityOf("0"), AverageUtilization: ptr.To[int32](20)}}},
					{Type: autoscalingv2.ObjectMetricSourceType, Object: &autoscalingv2.ObjectMetricStatus{DescribedObject: ingressV2, Metric: autoscalingv2.MetricIdentifier{Name: "rps"},
						Current: autoscalingv2.MetricValueStatus{Value: quantityOf("0"), AverageValue: quantityOf("2")}}},
					{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricStatus{Metric: autoscalingv2.MetricIdentifier{Name: "queue"},
						Current: autoscalingv2.MetricValueStatus{Value: quantityOf("0"), AverageValue: quantityOf("3")}}},
				},
			}),
		},
		{
			name: "object and external targets get their type from the fields set",
			in: hpaV1(map[string]string{MetricSpecsAnnotation: metrics(t,
				object(autoscalingv1.ObjectMetricSource{TargetValue: resource.MustParse("10")}),
				object(autoscalingv1.ObjectMetricSource{AverageValue: quantityOf("2")}),                                        // v1 sends targetValue "0": dropped
				object(autoscalingv1.ObjectMetricSource{TargetValue: resource.MustParse("10"), AverageValue: quantityOf("2")}), // non-zero: kept
				external(autoscalingv1.ExternalMetricSource{TargetValue: quantityOf("5"), TargetAverageValue: quantityOf("1")}),
				external(autoscalingv1.ExternalMetricSource{TargetAverageValue: quantityOf("1")}),
			)}, noSpec, noStatus),
			want: hpa(map[string]string{}, autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: []autoscalingv2.MetricSpec{
				objectV2(autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType, Value: quantityOf("10")}),
				objectV2(autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: quantityOf("2")}),
				objectV2(autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, Value: quantityOf("10"), AverageValue: quantityOf("2")}),
				externalV2(autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType, Value: quantityOf("5"), AverageValue: quantityOf("1")}),
				externalV2(autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: quantityOf("1")}),
			}}, noStatusV2),
		},
		{
			name: "conditions come from their annotation",
			in: hpaV1(map[string]string{HorizontalPodAutoscalerConditionsAnnotation: `[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-03-04T05:00:00Z","reason":"SucceededRescale","observedGeneration":4}]`},
				noSpec, noStatus),
			want: hpa(map[string]string{}, autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: defaultCPU}, autoscalingv2.HorizontalPodAutoscalerStatus{
				Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{{
					Type: autoscalingv2.AbleToScale, Status: corev1.ConditionTrue, LastTransitionTime: transitionTime, Reason: "SucceededRescale", ObservedGeneration: ptr.To[int64](4),
				}},
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in.DeepCopy()
			got := convertV1ToV2(t, in)
			checkEqual(t, in, tt.in)
			checkEqual(t, got, tt.want)
			if !maps.Equal(got.Annotations, tt.want.Annotations) {
				t.Fatalf("got annotations %#v, want %#v", got.Annotations, tt.want.Annotations)
			}
		})
	}
}

func TestHorizontalPodAutoscalerListConversion(t *testing.T) {
	t.Parallel()
	listMeta := metav1.ListMeta{ResourceVersion: "9"}
	v2 := fullV2()
	v1 := convertV2ToV1(t, v2)
	tests := []struct {
		name string
		v1   *autoscalingv1.HorizontalPodAutoscalerList
		v2   *autoscalingv2.HorizontalPodAutoscalerList
	}{
		{"items",
			&autoscalingv1.HorizontalPodAutoscalerList{ListMeta: listMeta, Items: []autoscalingv1.HorizontalPodAutoscaler{*v1, *v1}},
			&autoscalingv2.HorizontalPodAutoscalerList{ListMeta: listMeta, Items: []autoscalingv2.HorizontalPodAutoscaler{*v2, *v2}}},
		{"nil items", &autoscalingv1.HorizontalPodAutoscalerList{ListMeta: listMeta}, &autoscalingv2.HorizontalPodAutoscalerList{ListMeta: listMeta}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var gotV1 autoscalingv1.HorizontalPodAutoscalerList
			if err := horizontalPodAutoscalerListV2ToV1(tt.v2, &gotV1); err != nil {
				t.Fatal(err)
			}
			checkEqual(t, &gotV1, tt.v1)
			if (gotV1.Items == nil) != (tt.v1.Items == nil) {
				t.Fatalf("got v1 items nil=%t, want nil=%t", gotV1.Items == nil, tt.v1.Items == nil)
			}

			var gotV2 autoscalingv2.HorizontalPodAutoscalerList
			if err := horizontalPodAutoscalerListV1ToV2(tt.v1, &gotV2); err != nil {
				t.Fatal(err)
			}
			checkEqual(t, &gotV2, tt.v2)
			if (gotV2.Items == nil) != (tt.v2.Items == nil) {
				t.Fatalf("got v2 items nil=%t, want nil=%t", gotV2.Items == nil, tt.v2.Items == nil)
			}
		})
	}
}

func TestDropRoundTripAnnotations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      map[string]string
		want    map[string]string
		wantNew bool // the result is a copy
	}{
		{"nil", nil, nil, false},
		{"none to drop", map[string]string{"team": "a"}, map[string]string{"team": "a"}, false},
		{"every key", map[string]string{
			"team": "a", MetricSpecsAnnotation: "", MetricStatusesAnnotation: "", BehaviorSpecsAnnotation: "",
			HorizontalPodAutoscalerConditionsAnnotation: "", ToleranceScaleUpAnnotation: "", ToleranceScaleDownAnnotation: "",
		}, map[string]string{"team": "a"}, true},
		{"only round-trip keys", map[string]string{BehaviorSpecsAnnotation: "{}"}, map[string]string{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := maps.Clone(tt.in)
			got := DropRoundTripAnnotations(in)
			if !maps.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
			if !maps.Equal(in, tt.in) {
				t.Fatalf("got input changed to %#v, want %#v", in, tt.in)
			}
			if in == nil {
				return
			}
			if same := reflect.ValueOf(got).Pointer() == reflect.ValueOf(in).Pointer(); same == tt.wantNew {
				t.Fatalf("got result is the input: %t, want %t", same, !tt.wantNew)
			}
		})
	}
}

func keySet(keys []string) map[string]string {
	m := make(map[string]string, len(keys))
	for _, k := range keys {
		m[k] = ""
	}
	return m
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
