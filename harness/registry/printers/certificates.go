package printers

import (
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	certificatesv1beta1 "k8s.io/api/certificates/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/duration"
)

func certificates(s *set) {
	r := certificatesv1.Resource
	add[certificatesv1.CertificateSigningRequest, certificatesv1.CertificateSigningRequestList](s, csrColumns, cells(printCSR), r("certificatesigningrequests"))
	add[certificatesv1.ClusterTrustBundle, certificatesv1.ClusterTrustBundleList](s, clusterTrustBundleColumns, cells(printClusterTrustBundle), r("clustertrustbundles"))
	add[certificatesv1.PodCertificateRequest, certificatesv1.PodCertificateRequestList](s, podCertificateRequestColumns, cells(printPodCertificateRequest), r("podcertificaterequests"))
}

var csrColumns = []metav1.TableColumnDefinition{
	nameColumn,
	ageColumn,
	{Name: "SignerName", Type: "string", Description: certificatesv1beta1.CertificateSigningRequestSpec{}.SwaggerDoc()["signerName"]},
	{Name: "Requestor", Type: "string", Description: certificatesv1beta1.CertificateSigningRequestSpec{}.SwaggerDoc()["request"]},
	{Name: "RequestedDuration", Type: "string", Description: certificatesv1beta1.CertificateSigningRequestSpec{}.SwaggerDoc()["expirationSeconds"]},
	{Name: "Condition", Type: "string", Description: certificatesv1beta1.CertificateSigningRequestStatus{}.SwaggerDoc()["conditions"]},
}

func printCSR(csr *certificatesv1.CertificateSigningRequest) []interface{} {
	signerName := "<none>"
	if csr.Spec.SignerName != "" {
		signerName = csr.Spec.SignerName
	}
	requestedDuration := "<none>"
	if csr.Spec.ExpirationSeconds != nil {
		requestedDuration = duration.HumanDuration(time.Duration(*csr.Spec.ExpirationSeconds) * time.Second)
	}
	return []interface{}{csr.Name, age(csr.CreationTimestamp), signerName, csr.Spec.Username, requestedDuration, csrCondition(csr)}
}

// csrCondition is Denied, Approved or Pending (in that precedence), then
// ",Failed" and ",Issued" when they apply.
func csrCondition(csr *certificatesv1.CertificateSigningRequest) string {
	var approved, denied, failed bool
	for _, c := range csr.Status.Conditions {
		switch c.Type {
		case certificatesv1.CertificateApproved:
			approved = true
		case certificatesv1.CertificateDenied:
			denied = true
		case certificatesv1.CertificateFailed:
			failed = true
		}
	}
	status := "Pending"
	if denied {
		status = "Denied"
	} else if approved {
		status = "Approved"
	}
	if failed {
		status += ",Failed"
	}
	if len(csr.Status.Certificate) > 0 {
		status += ",Issued"
	}
	return status
}

var clusterTrustBundleColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "SignerName", Type: "string", Description: certificatesv1.ClusterTrustBundleSpec{}.SwaggerDoc()["signerName"]},
}

func printClusterTrustBundle(b *certificatesv1.ClusterTrustBundle) []interface{} {
	signerName := "<none>"
	if b.Spec.SignerName != "" {
		signerName = b.Spec.SignerName
	}
	return []interface{}{b.Name, signerName}
}

var podCertificateRequestColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "PodName", Type: "string", Description: certificatesv1.PodCertificateRequestSpec{}.SwaggerDoc()["podName"]},
	{Name: "ServiceAccountName", Type: "string", Description: certificatesv1.PodCertificateRequestSpec{}.SwaggerDoc()["serviceAccountName"]},
	{Name: "NodeName", Type: "string", Description: certificatesv1.PodCertificateRequestSpec{}.SwaggerDoc()["nodeName"]},
	{Name: "SignerName", Type: "string", Description: certificatesv1.PodCertificateRequestSpec{}.SwaggerDoc()["signerName"]},
	{Name: "State", Type: "string", Description: "Is the request Pending, Issued, Denied, or Failed?"},
	{Name: "UnverifiedUserAnnotations", Type: "string", Description: certificatesv1.PodCertificateRequestSpec{}.SwaggerDoc()["unverifiedUserAnnotations"]},
}

// printPodCertificateRequest: STATE is that of the last Issued, Denied or
// Failed condition (they exclude each other), else Pending.
func printPodCertificateRequest(r *certificatesv1.PodCertificateRequest) []interface{} {
	state := "Pending"
	for _, c := range r.Status.Conditions {
		switch c.Type {
		case certificatesv1.PodCertificateRequestConditionTypeIssued:
			state = "Issued"
		case certificatesv1.PodCertificateRequestConditionTypeDenied:
			state = "Denied"
		case certificatesv1.PodCertificateRequestConditionTypeFailed:
			state = "Failed"
		}
	}
	return []interface{}{r.Name, r.Spec.PodName, r.Spec.ServiceAccountName, string(r.Spec.NodeName), r.Spec.SignerName, state,
		labels.FormatLabels(r.Spec.UnverifiedUserAnnotations)}
}
