package harness

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/apis/apiserver"
	apiserverinstall "k8s.io/apiserver/pkg/apis/apiserver/install"
	apiservervalidation "k8s.io/apiserver/pkg/apis/apiserver/validation"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	authenticationcel "k8s.io/apiserver/pkg/authentication/cel"
	tokenunion "k8s.io/apiserver/pkg/authentication/token/union"
	"k8s.io/apiserver/pkg/server/egressselector"
	"k8s.io/apiserver/plugin/pkg/authenticator/token/oidc"
	certutil "k8s.io/client-go/util/cert"
)

// structuredAuthentication is the AuthenticationConfiguration of opts
// (AuthenticationConfig or the file AuthenticationConfigFile names),
// validated as kube-apiserver validates --authentication-config, with
// serviceAccountIssuers disallowed as JWT issuers; nil if opts has none.
func structuredAuthentication(opts AuthOptions, serviceAccountIssuers []string) (*apiserver.AuthenticationConfiguration, error) {
	config := opts.AuthenticationConfig
	switch {
	case config != nil && opts.AuthenticationConfigFile != "":
		return nil, errors.New("AuthenticationConfig and AuthenticationConfigFile are mutually exclusive")
	case opts.AuthenticationConfigFile != "":
		var err error
		if config, err = loadAuthenticationConfig(opts.AuthenticationConfigFile); err != nil {
			return nil, fmt.Errorf("failed to load authentication configuration from file %q: %w", opts.AuthenticationConfigFile, err)
		}
	case config == nil:
		return nil, nil
	}
	if config.Anonymous != nil && opts.Anonymous {
		return nil, field.Forbidden(field.NewPath("anonymous"), "--anonymous-auth flag cannot be set when anonymous field is configured in authentication configuration file")
	}
	if err := apiservervalidation.ValidateAuthenticationConfiguration(authenticationcel.NewDefaultCompiler(), config, serviceAccountIssuers).ToAggregate(); err != nil {
		return nil, fmt.Errorf("invalid authentication configuration: %w", err)
	}
	return config, nil
}

// loadAuthenticationConfig decodes the AuthenticationConfiguration in path
// as kube-apiserver does: strictly, in any version of
// apiserver.config.k8s.io (v1, v1beta1, v1alpha1), defaulted.
func loadAuthenticationConfig(path string) (*apiserver.AuthenticationConfiguration, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, errors.New("empty config data")
	}
	scheme := runtime.NewScheme()
	apiserverinstall.Install(scheme)
	obj, err := runtime.Decode(serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDecoder(), data)
	if err != nil {
		return nil, err
	}
	config, ok := obj.(*apiserver.AuthenticationConfiguration)
	if !ok {
		return nil, fmt.Errorf("expected AuthenticationConfiguration, got %T", obj)
	}
	return config, nil
}

// jwtAuthenticators are the JWT authenticators of an
// AuthenticationConfiguration, built as kube-apiserver builds them
// (pkg/kubeapiserver/authenticator): one k8s.io/apiserver OIDC
// authenticator per issuer, asked in turn until one fails or succeeds,
// every signing algorithm it knows allowed.
//
// Each fetches its issuer's discovery document and keys in the background
// until stop: stop cancels their context (ending their polling and key
// fetches) and closes their idle connections. Unlike upstream's, whose
// HTTP client is its own, they share one transport of memkube's so that
// no connection outlives the server.
type jwtAuthenticators struct {
	authenticators []oidc.AuthenticatorTokenWithHealthCheck
	issuers        []string
	// apiServerID labels their metrics, which are process-global: stop
	// deletes this server's series.
	apiServerID string
	transports  []*http.Transport
	cancel      context.CancelFunc
}

// newJWTAuthenticators starts the JWT authenticators of config;
// serviceAccountIssuers may not be their issuers.
func newJWTAuthenticators(config *apiserver.AuthenticationConfiguration, serviceAccountIssuers []string) (_ *jwtAuthenticators, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	j := &jwtAuthenticators{apiServerID: "memkube-" + string(uuid.NewUUID()), cancel: cancel}
	defer func() {
		if err != nil {
			j.stop()
		}
	}()
	compiler := authenticationcel.NewDefaultCompiler()
	for _, jwt := range config.JWT {
		client, err := j.issuerClient(jwt.Issuer)
		if err != nil {
			return nil, err
		}
		a, err := oidc.New(ctx, oidc.Options{
			JWTAuthenticator: jwt,
			Client:           client,
			Compiler:         compiler,
			// as kube-apiserver with --authentication-config.
			SupportedSigningAlgs: oidc.AllValidSigningAlgorithms(),
			DisallowedIssuers:    serviceAccountIssuers,
			APIServerID:          j.apiServerID,
		})
		if err != nil {
			return nil, err
		}
		j.authenticators = append(j.authenticators, a)
		j.issuers = append(j.issuers, jwt.Issuer.URL)
	}
	return j, nil
}

// issuerClient is the HTTP client of an issuer: upstream's (its
// certificateAuthority or the host's roots, a 30 s timeout) on a transport
// stop closes.
func (j *jwtAuthenticators) issuerClient(issuer apiserver.Issuer) (*http.Client, error) {
	if t := issuer.EgressSelectorType; t != "" {
		// kube-apiserver without --egress-selector-config-file, as memkube.
		egress := egressselector.ControlPlane
		if t == apiserver.EgressSelectorCluster {
			egress = egressselector.Cluster
		}
		return nil, fmt.Errorf("oidc: egress lookup required with egress selector type %q", egress)
	}
	tlsConfig := &tls.Config{}
	if ca := issuer.CertificateAuthority; ca != "" {
		roots, err := certutil.NewPoolFromBytes([]byte(ca))
		if err != nil {
			return nil, fmt.Errorf("Failed to read the CA contents: %v", err)
		}
		tlsConfig.RootCAs = roots
	}
	tr := utilnet.SetTransportDefaults(&http.Transport{TLSClientConfig: tlsConfig})
	j.transports = append(j.transports, tr)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, nil
}

// Authenticator is the JWT authenticators as one, audience agnostic: the
// first to fail or succeed decides, as upstream.
func (j *jwtAuthenticators) Authenticator(auds authenticator.Audiences) authenticator.Token {
	tokens := make([]authenticator.Token, len(j.authenticators))
	for i, a := range j.authenticators {
		tokens[i] = a
	}
	return authenticator.WrapAudienceAgnosticToken(auds, tokenunion.NewFailOnError(tokens...))
}

// notInitialized ends the health check error of an authenticator that has
// not tried its issuer yet (oidc.New's initial state).
const notInitialized = "is not initialized"

// waitTried waits until every authenticator has tried its issuer's
// discovery document once: it is healthy, or unhealthy for another reason
// than not being initialized. A token of a reachable issuer then
// authenticates as soon as Start returns; an unreachable issuer is retried
// every 10 s, as in kube-apiserver, which does not wait.
func (j *jwtAuthenticators) waitTried(ctx context.Context) error {
	return wait.PollUntilContextCancel(ctx, time.Millisecond, true, func(context.Context) (bool, error) {
		for _, a := range j.authenticators {
			if err := a.HealthCheck(); err != nil && strings.HasSuffix(err.Error(), notInitialized) {
				return false, nil
			}
		}
		return true, nil
	})
}

// HealthCheck is the authenticators' health: nil once each has its
// issuer's keys.
func (j *jwtAuthenticators) HealthCheck() error {
	var errs []error
	for _, a := range j.authenticators {
		if err := a.HealthCheck(); err != nil {
			errs = append(errs, err)
		}
	}
	return utilerrors.NewAggregate(errs)
}

// stop ends the authenticators' goroutines and connections: a key fetch in
// flight is cancelled with their context, so none is idle afterwards.
func (j *jwtAuthenticators) stop() {
	j.cancel()
	for _, tr := range j.transports {
		tr.CloseIdleConnections()
	}
	for _, issuer := range j.issuers {
		oidc.DeleteJWKSFetchMetrics(issuer, j.apiServerID)
	}
}
