package admission

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	certificatesv1 "k8s.io/api/certificates/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"

	"github.com/memkube/memkube/harness/apis"
)

// The names of the plugins that guard certificate signing requests and
// cluster trust bundles.
const (
	CertificateApprovalPluginName           = "CertificateApproval"
	CertificateSigningPluginName            = "CertificateSigning"
	ClusterTrustBundleAttestPluginName      = "ClusterTrustBundleAttest"
	CertificateSubjectRestrictionPluginName = "CertificateSubjectRestriction"
)

var (
	csrResource          = certificatesv1.Resource("certificatesigningrequests")
	trustBundlesResource = certificatesv1.Resource("clustertrustbundles")
)

// certificateApproval is upstream's approval plugin: an update through
// certificatesigningrequests/approval needs permission to "approve" the
// request's signerName (the old object's: changing it there is refused by
// validation), by name or by the signer's domain with /*.
type certificateApproval struct {
	*admission.Handler
	authz authorizer.Authorizer
}

var _ admission.ValidationInterface = (*certificateApproval)(nil)

func newCertificateApproval(authz authorizer.Authorizer) *certificateApproval {
	return &certificateApproval{Handler: admission.NewHandler(admission.Update), authz: authz}
}

func (p *certificateApproval) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetSubresource() != "approval" || a.GetResource().GroupResource() != csrResource {
		return nil
	}
	old, ok := a.GetOldObject().(*certificatesv1.CertificateSigningRequest)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("expected type CertificateSigningRequest, got: %T", a.GetOldObject()))
	}
	if !authorizedForSigner(ctx, p.authz, a.GetUserInfo(), "approve", old.Spec.SignerName) {
		return admission.NewForbidden(a, fmt.Errorf("user not permitted to approve requests with signerName %q", old.Spec.SignerName))
	}
	return nil
}

// certificateSigning is upstream's signing plugin: an update of a
// CertificateSigningRequest's status that changes its certificate or
// conditions needs permission to "sign" the request's signerName (the
// synthetic resource certificates.k8s.io/signers, by name or by the
// signer's domain with /*).
type certificateSigning struct {
	*admission.Handler
	authz authorizer.Authorizer
}

var _ admission.ValidationInterface = (*certificateSigning)(nil)

func newCertificateSigning(authz authorizer.Authorizer) *certificateSigning {
	return &certificateSigning{Handler: admission.NewHandler(admission.Update), authz: authz}
}

func (p *certificateSigning) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetSubresource() != "status" || a.GetResource().GroupResource() != csrResource {
		return nil
	}
	old, ok := a.GetOldObject().(*certificatesv1.CertificateSigningRequest)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("expected type CertificateSigningRequest, got: %T", a.GetOldObject()))
	}
	csr, ok := a.GetObject().(*certificatesv1.CertificateSigningRequest)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("expected type CertificateSigningRequest, got: %T", a.GetObject()))
	}
	if reflect.DeepEqual(old.Status.Certificate, csr.Status.Certificate) && apiequality.Semantic.DeepEqual(old.Status.Conditions, csr.Status.Conditions) {
		return nil
	}
	// the old signer: changing it is refused by validation.
	if !authorizedForSigner(ctx, p.authz, a.GetUserInfo(), "sign", old.Spec.SignerName) {
		return admission.NewForbidden(a, fmt.Errorf("user not permitted to sign requests with signerName %q", old.Spec.SignerName))
	}
	return nil
}

// trustBundleAttest is upstream's ctbattest plugin: creating or updating a
// ClusterTrustBundle with a signerName needs permission to "attest" for
// it, unless the update changes only what the garbage collector and
// storage migration change.
type trustBundleAttest struct {
	*admission.Handler
	authz authorizer.Authorizer
}

var _ admission.ValidationInterface = (*trustBundleAttest)(nil)

func newTrustBundleAttest(authz authorizer.Authorizer) *trustBundleAttest {
	return &trustBundleAttest{Handler: admission.NewHandler(admission.Create, admission.Update), authz: authz}
}

func (p *trustBundleAttest) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != trustBundlesResource {
		return nil
	}
	bundle, ok := a.GetObject().(*certificatesv1.ClusterTrustBundle)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("expected type ClusterTrustBundle, got: %T", a.GetOldObject()))
	}
	if bundle.Spec.SignerName == "" {
		return nil
	}
	if a.GetOperation() == admission.Update && apis.OnlyMutatesGCFields(a.GetObject(), a.GetOldObject()) {
		return nil
	}
	if !authorizedForSigner(ctx, p.authz, a.GetUserInfo(), "attest", bundle.Spec.SignerName) {
		return admission.NewForbidden(a, fmt.Errorf("user not permitted to attest for signerName %q", bundle.Spec.SignerName))
	}
	return nil
}

// authorizedForSigner is upstream's IsAuthorizedForSignerName: verb on
// signers/<signerName>, or on signers/<domain>/*.
func authorizedForSigner(ctx context.Context, authz authorizer.Authorizer, u user.Info, verb, signerName string) bool {
	domain, _, _ := strings.Cut(signerName, "/")
	for _, name := range []string{signerName, domain + "/*"} {
		decision, _, err := authz.Authorize(ctx, authorizer.AttributesRecord{
			User: u, Verb: verb, Name: name,
			APIGroup: certificatesv1.GroupName, APIVersion: "*", Resource: "signers", ResourceRequest: true,
		})
		if err == nil && decision == authorizer.DecisionAllow {
			return true
		}
	}
	return false
}

// certificateSubjectRestriction is upstream's subjectrestriction plugin: a
// new CertificateSigningRequest for the kubernetes.io/kube-apiserver-client
// signer may not ask for the system:masters group.
type certificateSubjectRestriction struct {
	*admission.Handler
}

var _ admission.ValidationInterface = (*certificateSubjectRestriction)(nil)

func newCertificateSubjectRestriction() *certificateSubjectRestriction {
	return &certificateSubjectRestriction{Handler: admission.NewHandler(admission.Create)}
}

func (p *certificateSubjectRestriction) Validate(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != csrResource || a.GetSubresource() != "" {
		return nil
	}
	csr, ok := a.GetObject().(*certificatesv1.CertificateSigningRequest)
	if !ok {
		return admission.NewForbidden(a, fmt.Errorf("expected type CertificateSigningRequest, got: %T", a.GetObject()))
	}
	if csr.Spec.SignerName != certificatesv1.KubeAPIServerClientSignerName {
		return nil
	}
	block, _ := pem.Decode(csr.Spec.Request)
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		return admission.NewForbidden(a, fmt.Errorf("failed to parse CSR: %v", errors.New("PEM block type must be CERTIFICATE REQUEST")))
	}
	parsed, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return admission.NewForbidden(a, fmt.Errorf("failed to parse CSR: %v", err))
	}
	if slices.Contains(parsed.Subject.Organization, user.SystemPrivilegedGroup) {
		return admission.NewForbidden(a, fmt.Errorf("use of %s signer with system:masters group is not allowed", certificatesv1.KubeAPIServerClientSignerName))
	}
	return nil
}
