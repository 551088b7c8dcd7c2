package defaults_test

import (
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	"k8s.io/utils/ptr"
)

func TestPodCertificateRequestDefaults(t *testing.T) {
	t.Parallel()
	runGolden(t, []goldenCase{
		{
			name: "maxExpirationSeconds 24h",
			in:   &certificatesv1.PodCertificateRequest{ObjectMeta: meta, Spec: certificatesv1.PodCertificateRequestSpec{SignerName: "example.com/s"}},
			want: &certificatesv1.PodCertificateRequest{ObjectMeta: meta, Spec: certificatesv1.PodCertificateRequestSpec{
				SignerName: "example.com/s", MaxExpirationSeconds: ptr.To[int32](86400),
			}},
		},
		{
			name: "list, set value kept",
			in: &certificatesv1.PodCertificateRequestList{Items: []certificatesv1.PodCertificateRequest{{
				Spec: certificatesv1.PodCertificateRequestSpec{MaxExpirationSeconds: ptr.To[int32](3600)},
			}}},
			want: &certificatesv1.PodCertificateRequestList{Items: []certificatesv1.PodCertificateRequest{{
				Spec: certificatesv1.PodCertificateRequestSpec{MaxExpirationSeconds: ptr.To[int32](3600)},
			}}},
		},
		{
			// CSRs have no defaulter.
			name: "CertificateSigningRequest untouched",
			in:   &certificatesv1.CertificateSigningRequest{Spec: certificatesv1.CertificateSigningRequestSpec{SignerName: "example.com/s"}},
			want: &certificatesv1.CertificateSigningRequest{Spec: certificatesv1.CertificateSigningRequestSpec{SignerName: "example.com/s"}},
		},
	})
}

func TestTokenRequestDefaults(t *testing.T) {
	t.Parallel()
	runGolden(t, []goldenCase{
		{
			name: "one hour",
			in:   &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{Audiences: []string{"api"}}},
			want: &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{Audiences: []string{"api"}, ExpirationSeconds: ptr.To[int64](3600)}},
		},
		{
			name: "set value kept",
			in:   &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](600)}},
			want: &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](600)}},
		},
	})
}
