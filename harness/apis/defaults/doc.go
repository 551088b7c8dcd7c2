// Package defaults holds the API defaulting of the built-in types, as
// kube-apiserver v1.37.1 applies it: the SetDefaults_* funcs of
// k8s.io/kubernetes/pkg/apis/<group>/<version>/defaults.go and the walks of
// their zz_generated.defaults.go (Deployment → PodTemplateSpec → PodSpec →
// Containers → Probes, Ports, Env, ...), rewritten against the k8s.io/api
// types because memkube does not import k8s.io/kubernetes.
//
// AddToScheme registers one type defaulting func per top-level kind (and its
// list, which defaults every item) that upstream defaults. The codec
// factory's decoders call runtime.Scheme.Default on every object they decode
// (request bodies, patched objects, objects read from storage), so nothing
// else needs to call these funcs.
//
// Defaulting funcs are keyed by Go type. memkube's internal versions reuse
// the storage version's Go types (see harness/apis), so the funcs also run on
// an internal object if anyone calls Default on one; every default here is
// idempotent, so that is harmless.
//
// Kinds upstream does not default get no func here: every kind of
// policy/v1, coordination.k8s.io/v1, node.k8s.io/v1, events.k8s.io/v1,
// authorization.k8s.io/v1 and storagemigration.k8s.io/v1; in core/v1
// ServiceAccount, Event, Binding and ComponentStatus; Role, ClusterRole,
// Ingress, IPAddress, ServiceCIDR, CertificateSigningRequest,
// ClusterTrustBundle, DeviceClass, CSINode, CSIStorageCapacity and
// VolumeAttributesClass.
//
// Feature gates are fixed at their v1.37 defaults:
//
//   - ImageVolume (GA): image volumes get a pull policy.
//   - MaxUnavailableStatefulSet (beta, on): StatefulSet rolling updates get
//     maxUnavailable 1.
//   - PodLogsQuerySplitStreams (GA): PodLogOptions.stream defaults to All.
//   - SELinuxMountReadWriteOncePod (GA) and VolumeLimitScaling (beta, on):
//     CSIDriver seLinuxMount and preventPodSchedulingIfMissing default to
//     false.
//   - H2CContainerProbe (alpha, off): httpGet probes and handlers get no
//     protocol.
//   - PodLevelResourcesFixDefaulting (beta, on): pod-level requests and
//     hugepage limits are not defaulted here; upstream defers that to the pod
//     strategy's PrepareForCreate, after admission.
//
// Known gaps and deliberate differences:
//
//   - Only what defaults.go does is done here. Service clusterIP(s),
//     ipFamilies, ipFamilyPolicy and nodePort allocation, the namespace
//     label canonicalization on update and every other PrepareForCreate /
//     PrepareForUpdate rule belong to the registries' strategies.
//   - The autoscaling/v1 CPU-utilization default is applied by the v1 → v2
//     conversion (harness/apis/conversion), as upstream does.
//   - Where upstream aliases memory between fields (a Job's or
//     ReplicationController's labels and its template's labels, Node
//     allocatable and capacity, every EndpointSlice port sharing one name and
//     protocol pointer) the defaulted field here gets its own copy; the
//     serialized object is the same.
package defaults
