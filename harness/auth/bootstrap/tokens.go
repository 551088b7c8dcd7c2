// Package bootstrap authenticates bootstrap tokens as kube-apiserver does
// with --enable-bootstrap-token-auth (plugin/pkg/auth/authenticator/token/bootstrap
// in k8s.io/kubernetes, whose rules and log lines it repeats): a token
// "<id>.<secret>" is user system:bootstrap:<id> when kube-system holds a
// Secret bootstrap-token-<id> of type bootstrap.kubernetes.io/token with
// that token-id and token-secret, usage-bootstrap-authentication "true",
// not expired and not being deleted.
//
// The one difference: expiry is judged on the server clock, not the real
// one, so a test can step a fake clock past a token's expiration.
package bootstrap

import (
	"context"
	"crypto/subtle"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/user"
	corev1listers "k8s.io/client-go/listers/core/v1"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	bootstrapsecretutil "k8s.io/cluster-bootstrap/util/secrets"
	bootstraptokenutil "k8s.io/cluster-bootstrap/util/tokens"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

// TokenAuthenticator authenticates bootstrap tokens against the Secrets of
// a lister of kube-system: it sees a Secret's changes (a deletion
// included) once the lister's informer has, as upstream.
type TokenAuthenticator struct {
	secrets corev1listers.SecretNamespaceLister
	clock   clock.PassiveClock
}

var _ authenticator.Token = (*TokenAuthenticator)(nil)

// NewTokenAuthenticator returns an authenticator of the bootstrap tokens
// in secrets, a lister of the kube-system namespace, expiring them on c.
func NewTokenAuthenticator(secrets corev1listers.SecretNamespaceLister, c clock.PassiveClock) *TokenAuthenticator {
	return &TokenAuthenticator{secrets: secrets, clock: c}
}

// tokenErrorf logs why a Secret that matched a bearer token's id does not
// authenticate it.
func tokenErrorf(s *corev1.Secret, format string, i ...any) {
	format = fmt.Sprintf("Bootstrap secret %s/%s matching bearer token ", s.Namespace, s.Name) + format
	klog.V(3).Infof(format, i...)
}

// AuthenticateToken authenticates token if it is a bootstrap token whose
// Secret allows it, as user system:bootstrap:<id> in group
// system:bootstrappers and the Secret's auth-extra-groups (sorted, without
// duplicates). A token that is not of the form, or that no valid Secret
// matches, is not authenticated, without error: the next authenticator
// may know it.
func (t *TokenAuthenticator) AuthenticateToken(_ context.Context, token string) (*authenticator.Response, bool, error) {
	tokenID, tokenSecret, err := bootstraptokenutil.ParseToken(token)
	if err != nil {
		return nil, false, nil
	}
	secretName := bootstrapapi.BootstrapTokenSecretPrefix + tokenID
	secret, err := t.secrets.Get(secretName)
	if err != nil {
		if apierrors.IsNotFound(err) {
			klog.V(3).Infof("No secret of name %s to match bootstrap bearer token", secretName)
			return nil, false, nil
		}
		return nil, false, err
	}
	if secret.DeletionTimestamp != nil {
		tokenErrorf(secret, "is deleted and awaiting removal")
		return nil, false, nil
	}
	if secret.Type != bootstrapapi.SecretTypeBootstrapToken || secret.Data == nil {
		tokenErrorf(secret, "has invalid type, expected %s.", bootstrapapi.SecretTypeBootstrapToken)
		return nil, false, nil
	}
	ts := bootstrapsecretutil.GetData(secret, bootstrapapi.BootstrapTokenSecretKey)
	if subtle.ConstantTimeCompare([]byte(ts), []byte(tokenSecret)) != 1 {
		tokenErrorf(secret, "has invalid value for key %s.", bootstrapapi.BootstrapTokenSecretKey)
		return nil, false, nil
	}
	id := bootstrapsecretutil.GetData(secret, bootstrapapi.BootstrapTokenIDKey)
	if id != tokenID {
		tokenErrorf(secret, "has invalid value for key %s.", bootstrapapi.BootstrapTokenIDKey)
		return nil, false, nil
	}
	if bootstrapsecretutil.HasExpired(secret, t.clock.Now()) {
		// HasExpired logs why.
		return nil, false, nil
	}
	if bootstrapsecretutil.GetData(secret, bootstrapapi.BootstrapTokenUsageAuthentication) != "true" {
		tokenErrorf(secret, "not marked %s=true.", bootstrapapi.BootstrapTokenUsageAuthentication)
		return nil, false, nil
	}
	groups, err := bootstrapsecretutil.GetGroups(secret)
	if err != nil {
		tokenErrorf(secret, "has invalid value for key %s: %v.", bootstrapapi.BootstrapTokenExtraGroupsKey, err)
		return nil, false, nil
	}
	return &authenticator.Response{
		User: &user.DefaultInfo{Name: bootstrapapi.BootstrapUserPrefix + id, Groups: groups},
	}, true, nil
}
