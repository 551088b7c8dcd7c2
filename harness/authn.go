package harness

import (
	stdx509 "crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apiserver/pkg/apis/apiserver"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/authenticatorfactory"
	"k8s.io/apiserver/pkg/authentication/group"
	"k8s.io/apiserver/pkg/authentication/request/anonymous"
	"k8s.io/apiserver/pkg/authentication/request/bearertoken"
	"k8s.io/apiserver/pkg/authentication/request/headerrequest"
	unionauth "k8s.io/apiserver/pkg/authentication/request/union"
	"k8s.io/apiserver/pkg/authentication/request/websocket"
	"k8s.io/apiserver/pkg/authentication/request/x509"
	tokencache "k8s.io/apiserver/pkg/authentication/token/cache"
	"k8s.io/apiserver/pkg/authentication/token/tokenfile"
	tokenunion "k8s.io/apiserver/pkg/authentication/token/union"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	tokenwebhook "k8s.io/apiserver/plugin/pkg/authenticator/token/webhook"
	"k8s.io/client-go/informers"
	restclient "k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/memkube/memkube/harness/auth/bootstrap"
	"github.com/memkube/memkube/harness/pki"
)

// authenticate sets config's authentication as kube-apiserver assembles it
// (pkg/kubeapiserver/authenticator), in its order: the front proxy's
// request headers (if configured), client certificates of the server's CA,
// then bearer tokens — the static tokens of the admin and of the server's
// loopback client, service account token Secrets' tokens, TokenRequest's
// tokens, bootstrap tokens (if on: the Secrets of kube-system, through
// informers' lister), the JWT authenticators of the structured
// authentication configuration (if any) and the token webhook (if
// configured); every authenticated user is in system:authenticated;
// anonymous requests last (if on, by AuthOptions.Anonymous or the
// configuration's anonymous). The API audiences are the service account
// issuer's.
//
// Unlike kube-apiserver, token authentications are not cached (it keeps
// successes 10 s): a deleted service account's tokens fail at once.
func (s *Server) authenticate(config *genericapiserver.Config, opts AuthOptions, kubeInformers informers.SharedInformerFactory, loopbackToken, adminToken string) error {
	auds := s.saTokens.APIAudiences()
	saIssuers := []string{s.saTokens.Issuer()}
	structured, err := structuredAuthentication(opts, saIssuers)
	if err != nil {
		return err
	}
	config.Authentication.APIAudiences = auds
	var authenticators []authenticator.Request
	if rh := opts.RequestHeader; rh != nil {
		a, err := s.requestHeader(config, rh)
		if err != nil {
			return err
		}
		authenticators = append(authenticators, authenticator.WrapAudienceAgnosticRequest(auds, a))
	}
	clientCA := s.ca.Pool()
	authenticators = append(authenticators, x509.NewDynamic(func() (stdx509.VerifyOptions, bool) {
		opts := x509.DefaultVerifyOptions()
		opts.Roots = clientCA
		return opts, true
	}, x509.CommonNameUserConversion))

	static := tokenfile.New(map[string]*user.DefaultInfo{
		loopbackToken: {Name: user.APIServerUser, UID: string(uuid.NewUUID()), Groups: []string{user.SystemPrivilegedGroup}},
		adminToken:    {Name: adminUser, Groups: []string{user.SystemPrivilegedGroup}},
	})
	tokenAuthenticators := []authenticator.Token{
		authenticator.WrapAudienceAgnosticToken(auds, static),
		s.saTokens.LegacyAuthenticator(),
		s.saTokens.Authenticator(),
	}
	if opts.BootstrapTokens {
		secrets := kubeInformers.Core().V1().Secrets()
		s.bootstrapSecrets = secrets.Informer()
		a := bootstrap.NewTokenAuthenticator(secrets.Lister().Secrets(metav1.NamespaceSystem), s.clock)
		tokenAuthenticators = append(tokenAuthenticators, authenticator.WrapAudienceAgnosticToken(auds, a))
	}
	// after the service account authenticators, as upstream: both verify
	// JWTs, and only the OIDC ones may fetch keys on a miss.
	if structured != nil && len(structured.JWT) > 0 {
		if s.jwt, err = newJWTAuthenticators(structured, saIssuers); err != nil {
			return err
		}
		tokenAuthenticators = append(tokenAuthenticators, s.jwt.Authenticator(auds))
	}
	if w := opts.TokenWebhook; w != nil {
		a, err := tokenWebhook(w, auds)
		if err != nil {
			return err
		}
		tokenAuthenticators = append(tokenAuthenticators, a)
	}
	tokens := tokenunion.New(tokenAuthenticators...)
	authenticators = append(authenticators, bearertoken.New(tokens), websocket.NewProtocolAuthenticator(tokens))

	authn := group.NewAuthenticatedGroupAdder(unionauth.New(authenticators...))
	if anon := anonymousConfig(opts, structured); anon.Enabled {
		// bad credentials stay a 401; none make an anonymous user.
		authn = unionauth.NewFailOnError(authn, anonymous.NewAuthenticator(anon.Conditions))
	}
	config.Authentication.Authenticator = authn
	return nil
}

// anonymousConfig is the anonymous authenticator's configuration: the
// structured configuration's if it has one (whatever the authorizers),
// else AuthOptions.Anonymous, turned off with the AlwaysAllow authorizer
// as kube-apiserver turns --anonymous-auth off.
func anonymousConfig(opts AuthOptions, structured *apiserver.AuthenticationConfiguration) apiserver.AnonymousAuthConfig {
	if structured != nil && structured.Anonymous != nil {
		return *structured.Anonymous
	}
	if opts.Anonymous && slices.Contains(opts.AuthorizationModes, ModeAlwaysAllow) {
		klog.Warning("AnonymousAuth is not allowed with the AlwaysAllow authorizer. Resetting AnonymousAuth to false. You should use a different authorizer")
		return apiserver.AnonymousAuthConfig{}
	}
	return apiserver.AnonymousAuthConfig{Enabled: opts.Anonymous}
}

// stopAuthentication ends what the authenticators run in the background:
// the JWT authenticators' key fetching.
func (s *Server) stopAuthentication() {
	if s.jwt != nil {
		s.jwt.stop()
	}
}

// tokenWebhook is kube-apiserver's webhook token authenticator: reviews of
// the given version, cached CacheTTL.
func tokenWebhook(w *TokenWebhook, auds authenticator.Audiences) (authenticator.Token, error) {
	if w.KubeconfigFile == "" && w.Config == nil {
		return nil, errors.New("token webhook: no kubeconfig file or client config")
	}
	cfg, err := w.clientConfig()
	if err != nil {
		return nil, fmt.Errorf("token webhook: %w", err)
	}
	a, err := tokenwebhook.New(cfg, reviewVersion(w.Version), auds, *genericoptions.DefaultAuthWebhookRetryBackoff())
	if err != nil {
		return nil, fmt.Errorf("token webhook: %w", err)
	}
	if ttl := defaultTTL(w.CacheTTL, 2*time.Minute); ttl > 0 {
		return tokencache.New(a, false, ttl, ttl), nil
	}
	return a, nil
}

// requestHeader is the front-proxy authenticator of rh. The request-header
// CA joins the client CA the TLS handshake names, as in kube-apiserver,
// and the headers are cleared from authenticated requests.
func (s *Server) requestHeader(config *genericapiserver.Config, rh *RequestHeader) (authenticator.Request, error) {
	caPEM := rh.ClientCA
	if len(caPEM) == 0 {
		ca, err := pki.NewCA("memkube-front-proxy-ca")
		if err != nil {
			return nil, err
		}
		s.frontProxyCA, caPEM = ca, ca.CertPEM
	}
	ca, err := dynamiccertificates.NewStaticCAContent("request-header", caPEM)
	if err != nil {
		return nil, fmt.Errorf("request-header client CA: %w", err)
	}
	or := func(v []string, def ...string) headerrequest.StaticStringSlice {
		if len(v) == 0 {
			return def
		}
		return v
	}
	rc := &authenticatorfactory.RequestHeaderConfig{
		UsernameHeaders:     or(rh.UsernameHeaders, "X-Remote-User"),
		UIDHeaders:          or(rh.UIDHeaders),
		GroupHeaders:        or(rh.GroupHeaders, "X-Remote-Group"),
		ExtraHeaderPrefixes: or(rh.ExtraHeaderPrefixes, "X-Remote-Extra-"),
		CAContentProvider:   ca,
		AllowedClientNames:  or(rh.AllowedNames),
	}
	config.Authentication.RequestHeaderConfig = rc
	config.SecureServing.ClientCA = dynamiccertificates.NewUnionCAContentProvider(config.SecureServing.ClientCA, ca)
	return headerrequest.NewDynamicVerifyOptionsSecure(ca.VerifyOptions, rc.AllowedClientNames,
		rc.UsernameHeaders, rc.UIDHeaders, rc.GroupHeaders, rc.ExtraHeaderPrefixes), nil
}

// FrontProxyConfig returns a client config of a front proxy named name: a
// client certificate of the request-header CA the server made
// (AuthOptions.RequestHeader without ClientCA). Its requests carry no user
// headers: the caller adds them (WrapTransport).
func (s *Server) FrontProxyConfig(name string) (*restclient.Config, error) {
	if s.frontProxyCA == nil {
		return nil, errors.New("the server has no request-header CA of its own")
	}
	cert, err := s.frontProxyCA.IssueClient(name, nil)
	if err != nil {
		return nil, fmt.Errorf("front proxy certificate %s: %w", name, err)
	}
	cfg := restclient.CopyConfig(s.adminCfg)
	cfg.CertData, cfg.KeyData = cert.CertPEM, cert.KeyPEM
	return cfg, nil
}
