package harness_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/apis/apiserver"
	"k8s.io/utils/ptr"

	"go.uber.org/goleak"
	jose "gopkg.in/go-jose/go-jose.v2"
	"gopkg.in/go-jose/go-jose.v2/jwt"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// oidcIssuer is an OpenID Connect provider on an httptest TLS server: its
// discovery document and its key set (one ES256 key), and tokens it signs.
// It counts its open connections.
type oidcIssuer struct {
	*httptest.Server
	key   *ecdsa.PrivateKey
	conns *connCounter
}

func newOIDCIssuer(t *testing.T) *oidcIssuer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	i := &oidcIssuer{key: key, conns: &connCounter{open: map[net.Conn]bool{}}}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                i.URL,
			"jwks_uri":                              i.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"ES256"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			{Key: &key.PublicKey, KeyID: "k1", Algorithm: string(jose.ES256), Use: "sig"},
		}})
	})
	i.Server = httptest.NewUnstartedServer(mux)
	i.Config.ConnState = i.conns.track
	i.StartTLS()
	t.Cleanup(i.Close)
	return i
}

// caPEM is the certificate the issuer serves with, as certificateAuthority.
func (i *oidcIssuer) caPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: i.Certificate().Raw}))
}

// token signs claims, adding the issuer, audience "memkube" and a one-hour
// expiry unless claims has them.
func (i *oidcIssuer) token(t *testing.T, claims map[string]any) string {
	t.Helper()
	all := map[string]any{"iss": i.URL, "aud": "memkube", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	for k, v := range claims {
		all[k] = v
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: i.key, KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	token, err := jwt.Signed(signer).Claims(all).CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// jwtAuthenticator is a JWT authenticator of the issuer for audience
// "memkube": usernames are "oidc:" and the sub claim, groups "oidc:" and
// the groups claim; a token must have claim "hd" example.com, and its
// "env", if any, must be "test"; no username may start with system:.
func (i *oidcIssuer) jwtAuthenticator() apiserver.JWTAuthenticator {
	return apiserver.JWTAuthenticator{
		Issuer: apiserver.Issuer{URL: i.URL, CertificateAuthority: i.caPEM(), Audiences: []string{"memkube"}},
		ClaimValidationRules: []apiserver.ClaimValidationRule{
			{Claim: "hd", RequiredValue: "example.com"},
			{Expression: `!has(claims.env) || claims.env == "test"`, Message: "env must be test"},
		},
		ClaimMappings: apiserver.ClaimMappings{
			Username: apiserver.PrefixedClaimOrExpression{Claim: "sub", Prefix: ptr.To("oidc:")},
			Groups:   apiserver.PrefixedClaimOrExpression{Claim: "groups", Prefix: ptr.To("oidc:")},
		},
		UserValidationRules: []apiserver.UserValidationRule{
			{Expression: `!user.username.startsWith("oidc:system:")`, Message: "no system users"},
		},
	}
}

// TestOIDC: a bearer token of an issuer of the structured authentication
// configuration authenticates as the user its claims map to, unless a
// claim or user validation rule refuses it.
func TestOIDC(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	issuer := newOIDCIssuer(t)
	other := newOIDCIssuer(t)
	cel := issuer.jwtAuthenticator()
	cel.Issuer.URL, cel.Issuer.CertificateAuthority = other.URL, other.caPEM()
	cel.ClaimValidationRules = nil
	cel.UserValidationRules = nil
	cel.ClaimMappings = apiserver.ClaimMappings{
		Username: apiserver.PrefixedClaimOrExpression{Expression: `"cel:" + claims.sub`},
		Groups:   apiserver.PrefixedClaimOrExpression{Expression: `dyn(claims.roles).map(r, "role:" + string(r))`},
		UID:      apiserver.ClaimOrExpression{Claim: "sub"},
		Extra:    []apiserver.ExtraMapping{{Key: "example.com/tenant", ValueExpression: "claims.tenant"}},
	}
	s := harnesstest.Start(t, harness.Options{Auth: harness.AuthOptions{AuthenticationConfig: &apiserver.AuthenticationConfiguration{
		JWT: []apiserver.JWTAuthenticator{issuer.jwtAuthenticator(), cel},
	}}})
	good := map[string]any{"sub": "alice", "hd": "example.com", "groups": []string{"devs", "ops"}}
	with := func(base map[string]any, kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
				continue
			}
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		issuer *oidcIssuer
		claims map[string]any
		want   *authenticationv1.UserInfo // nil: 401
	}{
		{name: "claim mappings with prefixes", issuer: issuer, claims: good,
			want: &authenticationv1.UserInfo{Username: "oidc:alice", Groups: []string{"oidc:devs", "oidc:ops", "system:authenticated"}}},
		{name: "a groups claim of one string", issuer: issuer, claims: with(good, "groups", "devs"),
			want: &authenticationv1.UserInfo{Username: "oidc:alice", Groups: []string{"oidc:devs", "system:authenticated"}}},
		{name: "no groups claim", issuer: issuer, claims: with(good, "groups", nil),
			want: &authenticationv1.UserInfo{Username: "oidc:alice", Groups: []string{"system:authenticated"}}},
		{name: "passing claim validation expression", issuer: issuer, claims: with(good, "env", "test"),
			want: &authenticationv1.UserInfo{Username: "oidc:alice", Groups: []string{"oidc:devs", "oidc:ops", "system:authenticated"}}},
		{name: "required claim missing", issuer: issuer, claims: with(good, "hd", nil)},
		{name: "required claim of another value", issuer: issuer, claims: with(good, "hd", "example.org")},
		{name: "claim validation expression false", issuer: issuer, claims: with(good, "env", "prod")},
		{name: "user validation rule false", issuer: issuer, claims: with(good, "sub", "system:admin")},
		{name: "another audience", issuer: issuer, claims: with(good, "aud", "someone-else")},
		{name: "expired", issuer: issuer, claims: with(good, "iat", time.Now().Add(-2*time.Hour).Unix(), "exp", time.Now().Add(-time.Hour).Unix())},
		{name: "no username claim", issuer: issuer, claims: with(good, "sub", nil)},
		{name: "CEL mappings", issuer: other, claims: map[string]any{"sub": "bob", "roles": []string{"a", "b"}, "tenant": "blue"},
			want: &authenticationv1.UserInfo{Username: "cel:bob", UID: "bob", Groups: []string{"role:a", "role:b", "system:authenticated"},
				Extra: map[string]authenticationv1.ExtraValue{"example.com/tenant": {"blue"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u, err := whoAmI(ctx, bearer(t, s, tc.issuer.token(t, tc.claims)))
			if tc.want == nil {
				if !apierrors.IsUnauthorized(err) {
					t.Errorf("got %+v, %v; want 401", u, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := must(json.Marshal(u)), must(json.Marshal(tc.want)); string(got) != string(want) {
				t.Errorf("user = %s, want %s", got, want)
			}
		})
	}
	t.Run("signed by another key", func(t *testing.T) {
		t.Parallel()
		forger := newOIDCIssuer(t)
		if _, err := whoAmI(ctx, bearer(t, s, forger.token(t, with(good, "iss", issuer.URL)))); !apierrors.IsUnauthorized(err) {
			t.Errorf("got %v, want 401", err)
		}
	})
	t.Run("the server's own tokens still work", func(t *testing.T) {
		t.Parallel()
		if u, err := whoAmI(ctx, addUser(t, s, "carol")); err != nil || u.Username != "carol" {
			t.Errorf("client certificate: %v, %v; want carol", u.Username, err)
		}
	})
}

// TestOIDCAuthenticationConfigFile: the configuration is read from a file
// as kube-apiserver's --authentication-config, in any version; its
// anonymous authenticator replaces AuthOptions.Anonymous.
func TestOIDCAuthenticationConfigFile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	issuer := newOIDCIssuer(t)
	indent := func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n      ") }
	for _, version := range []string{"v1", "v1beta1"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "authentication-config.yaml")
			config := `apiVersion: apiserver.config.k8s.io/` + version + `
kind: AuthenticationConfiguration
jwt:
- issuer:
    url: ` + issuer.URL + `
    audiences: [memkube]
    certificateAuthority: |
      ` + indent(issuer.caPEM()) + `
  claimMappings:
    username:
      claim: sub
      prefix: ""
anonymous:
  enabled: true
  conditions:
  - path: /version
`
			if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
				t.Fatal(err)
			}
			s := harnesstest.Start(t, harness.Options{Auth: harness.AuthOptions{AuthenticationConfigFile: path}})
			u, err := whoAmI(ctx, bearer(t, s, issuer.token(t, map[string]any{"sub": "dave"})))
			if err != nil || u.Username != "dave" {
				t.Errorf("token: got %q, %v; want dave", u.Username, err)
			}
			c := nobody(s)
			if _, err := c.Discovery().ServerVersion(); err != nil {
				t.Errorf("GET /version, anonymous by the configuration's condition: %v", err)
			}
			if err := listPods(ctx, c); !apierrors.IsUnauthorized(err) {
				t.Errorf("list pods, a path of no condition: got %v, want 401", err)
			}
		})
	}
}

// TestOIDCRefused: Start refuses what kube-apiserver refuses to start
// with, saying why.
func TestOIDCRefused(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	issuer := newOIDCIssuer(t)
	valid := issuer.jwtAuthenticator()
	config := func(edit func(*apiserver.JWTAuthenticator)) *apiserver.AuthenticationConfiguration {
		j := valid
		j.Issuer.Audiences = []string{"memkube"}
		edit(&j)
		return &apiserver.AuthenticationConfiguration{JWT: []apiserver.JWTAuthenticator{j}}
	}
	badFile := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(badFile, []byte("apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwts: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		auth harness.AuthOptions
		want string
	}{
		{"http issuer", harness.AuthOptions{AuthenticationConfig: config(func(j *apiserver.JWTAuthenticator) { j.Issuer.URL = "http://example.com" })},
			`invalid authentication configuration: jwt[0].issuer.url: Invalid value: "http://example.com": URL scheme must be https`},
		{"service account issuer", harness.AuthOptions{AuthenticationConfig: config(func(j *apiserver.JWTAuthenticator) {
			j.Issuer.URL = "https://kubernetes.default.svc.cluster.local"
		})}, `URL must not overlap with disallowed issuers: [https://kubernetes.default.svc.cluster.local]`},
		{"no prefix with a claim", harness.AuthOptions{AuthenticationConfig: config(func(j *apiserver.JWTAuthenticator) { j.ClaimMappings.Username.Prefix = nil })},
			`jwt[0].claimMappings.username.prefix: Required value: prefix is required when claim is set`},
		{"bad CEL", harness.AuthOptions{AuthenticationConfig: config(func(j *apiserver.JWTAuthenticator) {
			j.ClaimValidationRules = []apiserver.ClaimValidationRule{{Expression: "claims.("}}
		})}, `jwt[0].claimValidationRules[0].expression: Invalid value: "claims.(": compilation failed`},
		{"egress selector", harness.AuthOptions{AuthenticationConfig: config(func(j *apiserver.JWTAuthenticator) {
			j.Issuer.EgressSelectorType = apiserver.EgressSelectorCluster
		})}, `oidc: egress lookup required with egress selector type "cluster"`},
		{"anonymous twice", harness.AuthOptions{Anonymous: true, AuthenticationConfig: &apiserver.AuthenticationConfiguration{Anonymous: &apiserver.AnonymousAuthConfig{Enabled: true}}},
			"anonymous: Forbidden: --anonymous-auth flag cannot be set when anonymous field is configured in authentication configuration file"},
		{"config and file", harness.AuthOptions{AuthenticationConfig: config(func(*apiserver.JWTAuthenticator) {}), AuthenticationConfigFile: badFile},
			"AuthenticationConfig and AuthenticationConfigFile are mutually exclusive"},
		{"unknown field in the file", harness.AuthOptions{AuthenticationConfigFile: badFile},
			`failed to load authentication configuration from file "` + badFile + `": strict decoding error: unknown field "jwts"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := harness.Start(ctx, harness.Options{Auth: tc.auth})
			if err == nil {
				s.Stop()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Start: got %v, want %s", err, tc.want)
			}
		})
	}
}

// TestOIDCStop: the JWT authenticators' key fetching and connections end
// with the server, also with an issuer that cannot be reached.
func TestOIDCStop(t *testing.T) {
	ctx := t.Context()
	before := goleak.IgnoreCurrent()
	issuer := newOIDCIssuer(t)
	down := newOIDCIssuer(t)
	unreachable := down.jwtAuthenticator()
	down.Close()
	s, err := harness.Start(ctx, harness.Options{Auth: harness.AuthOptions{AuthenticationConfig: &apiserver.AuthenticationConfiguration{
		JWT: []apiserver.JWTAuthenticator{issuer.jwtAuthenticator(), unreachable},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := whoAmI(ctx, bearer(t, s, issuer.token(t, map[string]any{"sub": "erin", "hd": "example.com"})))
	if err != nil || u.Username != "oidc:erin" {
		s.Stop()
		t.Fatalf("token: got %q, %v; want oidc:erin", u.Username, err)
	}
	if issuer.conns.count() == 0 {
		s.Stop()
		t.Fatal("the server has no connection to the issuer")
	}
	s.Stop()
	// the issuer does not close idle connections: the server must.
	err = wait.PollUntilContextTimeout(ctx, time.Millisecond, 5*time.Second, true, func(context.Context) (bool, error) {
		return issuer.conns.count() == 0, nil
	})
	if err != nil {
		t.Errorf("the server's connections to the issuer: got %d open after Stop, want 0", issuer.conns.count())
	}
	issuer.Close()
	goleak.VerifyNone(t, append(harnesstest.IgnoreLeaks(), before)...)
}
