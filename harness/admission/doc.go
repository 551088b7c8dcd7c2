// Package admission has kube-apiserver's own admission plugins, the ones
// k8s.io/apiserver leaves to the kube-apiserver binary (which lives in
// k8s.io/kubernetes, never imported): each file is one plugin, written from
// upstream's plugin/pkg/admission (v1.37) with its rules and messages.
// Register adds them to k8s.io/apiserver's plugins, Enabled says which run
// and in which order, Informers which informers they read, and
// QuotaInitializer gives k8s.io/apiserver's ResourceQuota plugin
// harness/quota's evaluators.
//
// In kube-apiserver's order: NamespaceLifecycle (k8s.io/apiserver's),
// LimitRanger, ServiceAccount (off by default, as in envtest),
// NodeRestriction (off by default, as in kube-apiserver),
// TaintNodesByCondition, PodSecurity (k8s.io/pod-security-admission),
// Priority, DefaultTolerationSeconds, DefaultStorageClass,
// StorageObjectInUseProtection, PersistentVolumeClaimResize, RuntimeClass,
// CertificateApproval, CertificateSigning, ClusterTrustBundleAttest,
// CertificateSubjectRestriction, DefaultIngressClass, PodTopologyLabels,
// NodeDeclaredFeatureValidator, PodResizeValidator, then k8s.io/apiserver's
// policy and webhook plugins and ResourceQuota.
//
// The objects the plugins see are the k8s.io/api types: memkube's internal
// version of a group is its storage version's Go types (harness/apis).
//
// Known gaps: kube-apiserver's default PodGroupProtection is not here (the
// harness package doc says why), nor are its default-off
// plugins other than NodeRestriction (AlwaysPullImages, PodNodeSelector,
// ...); the plugins take no configuration (DefaultTolerationSeconds' 300 s,
// PodSecurity's defaults and exemptions are upstream's defaults).
// NodeDeclaredFeatureValidator checks pod updates only: its ResourceSlice
// check is behind DRANodeAllocatableResources, alpha and off in v1.37.
// NodeRestriction reads kube-apiserver v1.37's default feature gates, fixed
// (ServiceAccountNodeAudienceRestriction and PodCertificateRequest on,
// AllowInsecureKubeletCertificateSigningRequests and CSIVolumeHealth off);
// its message for a refused PVC status update shows the JSON difference of
// k8s.io/api objects, not of upstream's internal ones.
package admission
