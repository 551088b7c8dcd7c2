// Package serviceaccount owns one server's service account tokens end to
// end, as kube-apiserver (pkg/serviceaccount, pkg/registry/core/serviceaccount)
// and kube-controller-manager's token controller share them:
//
//   - issuing: the serviceaccounts/token subresource (TokenRequest) signs
//     JWTs with the server's key, optionally bound to a Pod, Secret or
//     Node, carrying upstream's "kubernetes.io" claims;
//   - authenticating: Authenticator accepts those tokens (issuer, signature,
//     expiry on the server clock, audiences, and the service account and
//     bound object still existing with the same uid), LegacyAuthenticator
//     the long-lived tokens of kubernetes.io/service-account-token Secrets;
//   - LegacyToken signs the token such a Secret holds, for the token
//     controller.
//
// Each server has its own ECDSA P-256 key (generating one takes
// microseconds): a token of one server is not accepted by another.
//
// Known gaps: tokens bound to a ValidatingWebhookConfiguration or
// MutatingWebhookConfiguration (the alpha APIServerWebhookAuthenticationToken
// feature) are refused even when the feature gate is on; there is no
// --service-account-max-token-expiration; the OIDC discovery documents
// (/.well-known/openid-configuration, /openid/v1/jwks) are not served.
package serviceaccount

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"sync/atomic"

	jose "gopkg.in/go-jose/go-jose.v2"
	"gopkg.in/go-jose/go-jose.v2/jwt"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/registry/rest"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/utils/clock"
)

const (
	// DefaultIssuer is kube-apiserver's usual --service-account-issuer (and
	// so its default --api-audiences): the "iss" of the tokens it issues.
	DefaultIssuer = "https://kubernetes.default.svc.cluster.local"
	// LegacyIssuer is the "iss" of the tokens of service account token
	// Secrets.
	LegacyIssuer = "kubernetes/serviceaccount"
)

// Tokens issues and authenticates one server's service account tokens.
type Tokens struct {
	issuer    string
	audiences authenticator.Audiences
	key       *ecdsa.PrivateKey
	keyID     string
	signer    jose.Signer
	clock     clock.PassiveClock
	// objects are the registries tokens are checked against, set once the
	// server has built them (SetObjects); nil until then.
	objects atomic.Pointer[Objects]
}

// Objects are what tokens are checked against: the registries of
// ServiceAccounts, Pods, Secrets and Nodes (read through, so a deleted
// object invalidates its tokens at once, where upstream's informers may
// lag), and a client that labels Secrets whose legacy token was used.
type Objects struct {
	ServiceAccounts, Pods, Secrets, Nodes rest.Getter
	SecretsWriter                         typedcorev1.SecretsGetter
}

// New returns the tokens of a server whose clock is c, with a new key,
// issuer DefaultIssuer and the API audiences [DefaultIssuer]. Tokens are
// not authenticated until SetObjects is called.
func New(c clock.PassiveClock) (*Tokens, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("service account key: %w", err)
	}
	keyID, err := keyIDFromPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.ES256,
		Key:       &jose.JSONWebKey{Algorithm: string(jose.ES256), Key: key, KeyID: keyID, Use: "sig"},
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("service account token signer: %w", err)
	}
	return &Tokens{
		issuer:    DefaultIssuer,
		audiences: authenticator.Audiences{DefaultIssuer},
		key:       key,
		keyID:     keyID,
		signer:    signer,
		clock:     c,
	}, nil
}

// Issuer is the "iss" of the tokens TokenRequest issues.
func (t *Tokens) Issuer() string { return t.issuer }

// APIAudiences are the audiences the server identifies as (kube-apiserver's
// --api-audiences), the default audiences of requested tokens.
func (t *Tokens) APIAudiences() authenticator.Audiences {
	return append(authenticator.Audiences(nil), t.audiences...)
}

// SetObjects gives the authenticators the objects to check tokens against.
// Call it before the server serves.
func (t *Tokens) SetObjects(o Objects) { t.objects.Store(&o) }

// keyIDFromPublicKey is upstream's key ID: the unpadded base64url SHA-256
// of the key's DER form.
func keyIDFromPublicKey(publicKey any) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(publicKey)
	if err != nil {
		return "", fmt.Errorf("serialize the service account public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// sign signs the claims: private claims first, the public ones over them,
// the issuer last, as upstream's GenerateToken merges them.
func (t *Tokens) sign(iss string, public *jwt.Claims, private any) (string, error) {
	return jwt.Signed(t.signer).Claims(private).Claims(public).Claims(&jwt.Claims{Issuer: iss}).CompactSerialize()
}
