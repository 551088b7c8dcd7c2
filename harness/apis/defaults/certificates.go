package defaults

import (
	certificatesv1 "k8s.io/api/certificates/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// addCertificates registers the certificates.k8s.io/v1 defaulters
// (pkg/apis/certificates/v1). CertificateSigningRequest and
// ClusterTrustBundle have none.
func addCertificates(s *runtime.Scheme) {
	register(s, setPodCertificateRequest)
	register(s, func(l *certificatesv1.PodCertificateRequestList) { each(l.Items, setPodCertificateRequest) })
}

// setPodCertificateRequest defaults maxExpirationSeconds to 24 hours.
func setPodCertificateRequest(r *certificatesv1.PodCertificateRequest) {
	if r.Spec.MaxExpirationSeconds == nil {
		r.Spec.MaxExpirationSeconds = ptr.To[int32](86400)
	}
}
