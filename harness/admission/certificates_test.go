package admission_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"math/big"
	"strings"
	"testing"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// csrPEM is a certificate request for CN name in organizations orgs.
func csrPEM(t *testing.T, name string, orgs ...string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: name, Organization: orgs}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// certPEM is a self-signed CA certificate.
func certPEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// grant gives user the rules through a ClusterRole and its binding, and
// waits until the authorizer sees them.
func grant(t *testing.T, admin, as kubernetes.Interface, user string, rules []rbacv1.PolicyRule, check func(context.Context) error) {
	t.Helper()
	ctx := t.Context()
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: user}, Rules: rules}
	if _, err := admin.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: user},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		return check(ctx) == nil, nil
	}); err != nil {
		t.Fatalf("the grant to %s never took effect: %v", user, check(ctx))
	}
}

func TestCertificates(t *testing.T) {
	t.Parallel()
	s := harnesstest.Start(t, harness.Options{})
	admin := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	userClient := func(name string) kubernetes.Interface {
		cfg, err := s.AddUser(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		return kubernetes.NewForConfigOrDie(cfg)
	}
	ctx := t.Context()

	t.Run("CertificateSubjectRestriction", func(t *testing.T) {
		csr := &certificatesv1.CertificateSigningRequest{
			ObjectMeta: metav1.ObjectMeta{Name: "masters"},
			Spec: certificatesv1.CertificateSigningRequestSpec{
				Request: csrPEM(t, "mallory", "system:masters"), SignerName: certificatesv1.KubeAPIServerClientSignerName,
				Usages: []certificatesv1.KeyUsage{certificatesv1.UsageClientAuth},
			},
		}
		_, err := admin.CertificatesV1().CertificateSigningRequests().Create(ctx, csr, metav1.CreateOptions{})
		wantForbidden(t, err, `certificatesigningrequests.certificates.k8s.io "masters" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed`)
		csr.Name, csr.Spec.Request = "ok", csrPEM(t, "alice", "developers")
		if _, err := admin.CertificatesV1().CertificateSigningRequests().Create(ctx, csr, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("CertificateApproval", func(t *testing.T) {
		const signer = "example.com/approved"
		csr := &certificatesv1.CertificateSigningRequest{
			ObjectMeta: metav1.ObjectMeta{Name: "to-approve"},
			Spec:       certificatesv1.CertificateSigningRequestSpec{Request: csrPEM(t, "carol"), SignerName: signer, Usages: []certificatesv1.KeyUsage{certificatesv1.UsageClientAuth}},
		}
		csr, err := admin.CertificatesV1().CertificateSigningRequests().Create(ctx, csr, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		csr.Status.Conditions = []certificatesv1.CertificateSigningRequestCondition{{
			Type: certificatesv1.CertificateApproved, Status: "True", Reason: "Test", Message: "approved by the test",
		}}
		approverClient := userClient("approver")
		approve := func(ctx context.Context) error {
			_, err := approverClient.CertificatesV1().CertificateSigningRequests().UpdateApproval(ctx, csr.Name, csr, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		}
		// may update approval, not approve for the signer.
		grant(t, admin, approverClient, "approver", []rbacv1.PolicyRule{{
			APIGroups: []string{certificatesv1.GroupName}, Resources: []string{"certificatesigningrequests/approval"}, Verbs: []string{"update"},
		}}, func(ctx context.Context) error {
			if err := approve(ctx); err != nil && !isForbiddenBy(err, "user not permitted") {
				return err
			}
			return nil
		})
		wantForbidden(t, approve(ctx), `certificatesigningrequests.certificates.k8s.io "to-approve" is forbidden: user not permitted to approve requests with signerName "example.com/approved"`)
		role, err := admin.RbacV1().ClusterRoles().Get(ctx, "approver", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		role.Rules = append(role.Rules, rbacv1.PolicyRule{APIGroups: []string{certificatesv1.GroupName}, Resources: []string{"signers"}, ResourceNames: []string{signer}, Verbs: []string{"approve"}})
		if _, err := admin.RbacV1().ClusterRoles().Update(ctx, role, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
			return approve(ctx) == nil, nil
		}); err != nil {
			t.Fatalf("approving with approve on %s: %v", signer, approve(ctx))
		}
	})

	t.Run("CertificateSigning", func(t *testing.T) {
		const signer = "example.com/signer"
		csr := &certificatesv1.CertificateSigningRequest{
			ObjectMeta: metav1.ObjectMeta{Name: "to-sign"},
			Spec:       certificatesv1.CertificateSigningRequestSpec{Request: csrPEM(t, "bob"), SignerName: signer, Usages: []certificatesv1.KeyUsage{certificatesv1.UsageClientAuth}},
		}
		csr, err := admin.CertificatesV1().CertificateSigningRequests().Create(ctx, csr, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		csr.Status.Conditions = []certificatesv1.CertificateSigningRequestCondition{{
			Type: certificatesv1.CertificateFailed, Status: "True", Reason: "Nope", Message: "no",
		}}
		signerClient := userClient("signer")
		sign := func(ctx context.Context) error {
			_, err := signerClient.CertificatesV1().CertificateSigningRequests().UpdateStatus(ctx, csr, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		}
		// may update the status, not sign for the signer.
		grant(t, admin, signerClient, "signer", []rbacv1.PolicyRule{{
			APIGroups: []string{certificatesv1.GroupName}, Resources: []string{"certificatesigningrequests/status"}, Verbs: []string{"update"},
		}}, func(ctx context.Context) error {
			if err := sign(ctx); err != nil && !isForbiddenBy(err, "user not permitted") {
				return err
			}
			return nil
		})
		wantForbidden(t, sign(ctx), `certificatesigningrequests.certificates.k8s.io "to-sign" is forbidden: user not permitted to sign requests with signerName "example.com/signer"`)
		role, err := admin.RbacV1().ClusterRoles().Get(ctx, "signer", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		role.Rules = append(role.Rules, rbacv1.PolicyRule{APIGroups: []string{certificatesv1.GroupName}, Resources: []string{"signers"}, ResourceNames: []string{"example.com/*"}, Verbs: []string{"sign"}})
		if _, err := admin.RbacV1().ClusterRoles().Update(ctx, role, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
			return sign(ctx) == nil, nil
		}); err != nil {
			t.Fatalf("signing with sign on example.com/*: %v", sign(ctx))
		}
	})

	t.Run("ClusterTrustBundleAttest", func(t *testing.T) {
		bundle := &certificatesv1.ClusterTrustBundle{
			ObjectMeta: metav1.ObjectMeta{Name: "example.com:signer:bundle"},
			Spec:       certificatesv1.ClusterTrustBundleSpec{SignerName: "example.com/signer", TrustBundle: certPEM(t)},
		}
		attester := userClient("attester")
		create := func(ctx context.Context) error {
			_, err := attester.CertificatesV1().ClusterTrustBundles().Create(ctx, bundle, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		}
		grant(t, admin, attester, "attester", []rbacv1.PolicyRule{{
			APIGroups: []string{certificatesv1.GroupName}, Resources: []string{"clustertrustbundles"}, Verbs: []string{"create"},
		}}, func(ctx context.Context) error {
			if err := create(ctx); err != nil && !isForbiddenBy(err, "user not permitted") {
				return err
			}
			return nil
		})
		wantForbidden(t, create(ctx), `clustertrustbundles.certificates.k8s.io "example.com:signer:bundle" is forbidden: user not permitted to attest for signerName "example.com/signer"`)
		// without a signer, nothing to attest.
		plain := bundle.DeepCopy()
		plain.Name, plain.Spec.SignerName = "plain", ""
		if _, err := attester.CertificatesV1().ClusterTrustBundles().Create(ctx, plain, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		// the admin may attest; a signer's bundle is named after it.
		if _, err := admin.CertificatesV1().ClusterTrustBundles().Create(ctx, bundle, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		misnamed := bundle.DeepCopy()
		misnamed.Name = "bundle"
		_, err := admin.CertificatesV1().ClusterTrustBundles().Create(ctx, misnamed, metav1.CreateOptions{})
		if want := `ClusterTrustBundle.certificates.k8s.io "bundle" is invalid: metadata.name: Invalid value: "bundle": ClusterTrustBundle for signerName example.com/signer must be named with prefix example.com:signer:`; !apierrors.IsInvalid(err) || err.Error() != want {
			t.Fatalf("a misnamed bundle: got %v, want %s", err, want)
		}
	})
}

// isForbiddenBy: err is a 403 whose message contains s.
func isForbiddenBy(err error, s string) bool {
	return err != nil && strings.Contains(err.Error(), s) && apierrors.IsForbidden(err)
}
