// Package conversion holds the hand-written conversions memkube needs because
// it has no internal types of its own.
//
// memkube registers each group's storage-version Go types from k8s.io/api as
// that group's internal version, so most kinds convert by copying (see
// runtime.Scheme: an object converts to a version its Go type is registered
// in without calling any conversion func). Two served kinds have a Go type
// that differs from their internal one:
//
//   - autoscaling/v1 HorizontalPodAutoscaler(List) ↔ autoscaling/v2, which
//     carries the v2-only fields through v1 in annotations
//     (autoscaling.alpha.kubernetes.io/metrics, .../current-metrics,
//     .../conditions and .../behavior), as
//     k8s.io/kubernetes/pkg/apis/autoscaling/v1/conversion.go does.
//   - events.k8s.io/v1 Event(List) ↔ core/v1 Event, the storage type the two
//     groups share, as k8s.io/kubernetes/pkg/apis/events/v1/conversion.go does.
//   - policy/v1beta1 Eviction ↔ policy/v1 Eviction: policy/v1beta1 is not
//     served, but pods/eviction accepts its Eviction, as upstream.
//
// Upstream converts v1 to and from its internal autoscaling type, which
// mirrors v2 field for field; the code here is that logic rewritten against
// the v2 Go types, since memkube does not import k8s.io/kubernetes.
//
// Like upstream's conversions, a converted object may share memory (maps,
// pointers, slices) with its input; runtime.Scheme.ConvertToVersion copies the
// input first, UnsafeConvertToVersion does not.
//
// Known gaps:
//   - Upstream drops the round-trip annotations when autoscaling/v2 converts
//     to internal. In memkube that conversion is a copy that calls no func, so
//     an HPA written through v2 keeps such annotations in storage; whoever
//     serves v2 must call DropRoundTripAnnotations (v1 readers are unaffected:
//     the conversion to v1 drops and rewrites them).
//   - Defaulting (autoscaling/v1 minReplicas=1) and the events.k8s.io/v1 field
//     label conversions (regarding.name → involvedObject.name, ...) are not
//     conversion funcs and are not registered here.
//   - Only the top-level kinds and their lists are registered; nested types
//     (MetricSpec, EventSeries, ...) have no scheme conversion funcs.
package conversion
