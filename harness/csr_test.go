package harness_test

import (
	"testing"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestCSRApproval approves a CertificateSigningRequest through its approval
// subresource and checks upstream's rules: only approval may approve or
// deny, conditions are not removed, the certificate is set once.
func TestCSRApproval(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	csrs := c.CertificatesV1().CertificateSigningRequests()
	csr, err := csrs.Create(ctx, &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: "node-csr"},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request: []byte("-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n"), SignerName: "example.com/signer",
			Usages: []certificatesv1.KeyUsage{certificatesv1.UsageClientAuth},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	approved := csr.DeepCopy()
	approved.Status.Conditions = []certificatesv1.CertificateSigningRequestCondition{{Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: "Test"}}
	if _, err := csrs.UpdateStatus(ctx, approved, metav1.UpdateOptions{}); !apierrors.IsInvalid(err) ||
		err.Error() != `CertificateSigningRequest.certificates.k8s.io "node-csr" is invalid: status.conditions: Forbidden: updates may not add a condition of type "Approved"` {
		t.Errorf("approving through status: %v", err)
	}
	approved.Spec.SignerName = "changed.example.com/ignored" // the approval subresource keeps the spec
	got, err := csrs.UpdateApproval(ctx, "node-csr", approved, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Status.Conditions) != 1 || got.Status.Conditions[0].LastUpdateTime.IsZero() || got.Status.Conditions[0].LastTransitionTime.IsZero() || got.Spec.SignerName != "example.com/signer" {
		t.Errorf("after approval: conditions %+v, signer %q", got.Status.Conditions, got.Spec.SignerName)
	}

	both := got.DeepCopy()
	both.Status.Conditions = append(both.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateDenied, Status: corev1.ConditionTrue})
	if _, err := csrs.UpdateApproval(ctx, "node-csr", both, metav1.UpdateOptions{}); !apierrors.IsInvalid(err) ||
		err.Error() != `CertificateSigningRequest.certificates.k8s.io "node-csr" is invalid: status.conditions: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive` {
		t.Errorf("approved and denied: %v", err)
	}
	removed := got.DeepCopy()
	removed.Status.Conditions = nil
	if _, err := csrs.UpdateApproval(ctx, "node-csr", removed, metav1.UpdateOptions{}); !apierrors.IsInvalid(err) ||
		err.Error() != `CertificateSigningRequest.certificates.k8s.io "node-csr" is invalid: status.conditions: Forbidden: updates may not remove a condition of type "Approved"` {
		t.Errorf("removing approval: %v", err)
	}

	issued := got.DeepCopy()
	issued.Status.Certificate = []byte("cert")
	got, err = csrs.UpdateStatus(ctx, issued, metav1.UpdateOptions{})
	if err != nil || string(got.Status.Certificate) != "cert" {
		t.Fatalf("issuing through status: %v", err)
	}
	got.Status.Certificate = []byte("other")
	if _, err := csrs.UpdateStatus(ctx, got, metav1.UpdateOptions{}); !apierrors.IsInvalid(err) ||
		err.Error() != `CertificateSigningRequest.certificates.k8s.io "node-csr" is invalid: status.certificate: Forbidden: updates may not modify existing certificate content` {
		t.Errorf("reissuing: %v", err)
	}
}
