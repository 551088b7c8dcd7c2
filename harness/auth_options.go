package harness

import (
	"time"

	"k8s.io/apiserver/pkg/apis/apiserver"
	webhookutil "k8s.io/apiserver/pkg/util/webhook"
	restclient "k8s.io/client-go/rest"
)

// AuthOptions configures authentication and authorization as
// kube-apiserver's flags do. The zero value is memkube's default: client
// certificates of the server's CA, the admin's static token and service
// account tokens, no anonymous requests, and authorization by
// system:masters then RBAC.
type AuthOptions struct {
	// Anonymous is --anonymous-auth: a request with no credentials is user
	// system:anonymous in group system:unauthenticated (one with bad
	// credentials is still a 401). Off by default, where kube-apiserver's
	// default is on; as upstream, it is turned off if AuthorizationModes
	// has AlwaysAllow.
	Anonymous bool
	// AuthorizationModes is --authorization-mode: the authorizers asked in
	// turn, after system:masters (always allowed, as upstream), until one
	// allows or denies: AlwaysAllow, AlwaysDeny, Node, RBAC and Webhook.
	// Empty means RBAC; kube-apiserver deployments usually run Node,RBAC.
	// Node (harness/auth/node) decides the requests of kubelets
	// (system:node:<nodeName> in system:nodes) from a graph of the pods
	// bound to them, which informers update within milliseconds of a
	// change. ABAC is not available: its authorizer lives in
	// k8s.io/kubernetes, which memkube does not import.
	AuthorizationModes []string
	// AuthorizationWebhook configures mode Webhook
	// (--authorization-webhook-*).
	AuthorizationWebhook AuthorizationWebhook
	// TokenWebhook, if set, is --authentication-token-webhook-config-file:
	// bearer tokens are also reviewed by a remote TokenReview service,
	// after the server's own authenticators.
	TokenWebhook *TokenWebhook
	// RequestHeader, if set, is kube-apiserver's front-proxy
	// authentication (--requestheader-*): a client presenting a
	// certificate of the request-header CA is trusted to name the user in
	// headers.
	RequestHeader *RequestHeader
	// AuthenticationConfig, if set, is --authentication-config's
	// structured authentication configuration: JWT (OIDC) authenticators,
	// asked after the service account tokens and before the token
	// webhook, and the anonymous authenticator's configuration (with
	// which Anonymous may not be set). Start refuses a configuration
	// kube-apiserver's validation refuses, and waits until each JWT
	// issuer has been tried once (authn_jwt.go); it is not reloaded.
	AuthenticationConfig *apiserver.AuthenticationConfiguration
	// AuthenticationConfigFile is --authentication-config as a file
	// name: an AuthenticationConfiguration of apiserver.config.k8s.io
	// (v1, v1beta1 or v1alpha1), decoded strictly as kube-apiserver
	// decodes it. At most one of it and AuthenticationConfig is set.
	AuthenticationConfigFile string
	// BootstrapTokens is --enable-bootstrap-token-auth: Secrets of type
	// bootstrap.kubernetes.io/token named bootstrap-token-<id> in
	// kube-system authenticate the tokens "<id>.<secret>" as
	// system:bootstrap:<id> (harness/auth/bootstrap), expiring on the
	// server clock.
	BootstrapTokens bool
}

// Webhook is where a webhook is: a kubeconfig file, as kube-apiserver's
// flags take, or a client config (which wins if both are set).
type Webhook struct {
	KubeconfigFile string
	Config         *restclient.Config
}

// AuthorizationWebhook is a SubjectAccessReview webhook.
type AuthorizationWebhook struct {
	Webhook
	// Version is the authorization.k8s.io version of the reviews sent:
	// v1 or v1beta1 (the default, as kube-apiserver's).
	Version string
	// AuthorizedTTL and UnauthorizedTTL are how long the webhook's answers
	// are cached: zero is kube-apiserver's default (5 minutes, 30
	// seconds), negative is not at all.
	AuthorizedTTL, UnauthorizedTTL time.Duration
}

// TokenWebhook is a TokenReview webhook.
type TokenWebhook struct {
	Webhook
	// Version is the authentication.k8s.io version of the reviews sent:
	// v1 or v1beta1 (the default, as kube-apiserver's).
	Version string
	// CacheTTL is how long its answers are cached: zero is
	// kube-apiserver's default (2 minutes), negative is not at all.
	CacheTTL time.Duration
}

// RequestHeader configures front-proxy authentication.
type RequestHeader struct {
	// ClientCA (PEM) signs the front proxy's client certificates. Empty:
	// the server makes a CA of its own, and Server.FrontProxyConfig issues
	// its certificates.
	ClientCA []byte
	// AllowedNames are the common names a front proxy's certificate may
	// have; empty allows any.
	AllowedNames []string
	// The headers that carry the user's name, uid and groups, and the
	// prefixes of those that carry its extra; empty ones are kubeadm's:
	// X-Remote-User, none, X-Remote-Group and X-Remote-Extra-.
	UsernameHeaders, UIDHeaders, GroupHeaders, ExtraHeaderPrefixes []string
}

// defaultTTL is ttl, def if ttl is zero, and zero if ttl is negative.
func defaultTTL(ttl, def time.Duration) time.Duration {
	switch {
	case ttl == 0:
		return def
	case ttl < 0:
		return 0
	}
	return ttl
}

// reviewVersion is version, v1beta1 if empty.
func reviewVersion(version string) string {
	if version == "" {
		return "v1beta1"
	}
	return version
}

// clientConfig is the webhook's client config.
func (w Webhook) clientConfig() (*restclient.Config, error) {
	if w.Config != nil {
		return restclient.CopyConfig(w.Config), nil
	}
	return webhookutil.LoadKubeconfig(w.KubeconfigFile, nil)
}
