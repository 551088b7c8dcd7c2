package harness_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// nobody is a client of the server that presents no credentials.
func nobody(s *harness.Server) kubernetes.Interface {
	cfg := s.RESTConfig()
	cfg.CertData, cfg.KeyData = nil, nil
	return kubernetes.NewForConfigOrDie(cfg)
}

func addUser(t *testing.T, s *harness.Server, name string, groups ...string) kubernetes.Interface {
	t.Helper()
	cfg, err := s.AddUser(name, groups)
	if err != nil {
		t.Fatal(err)
	}
	return kubernetes.NewForConfigOrDie(cfg)
}

func listPods(ctx context.Context, c kubernetes.Interface) error {
	_, err := c.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
	return err
}

// TestAnonymous: without credentials a request is a 401, or, with
// Anonymous, system:anonymous whom RBAC lets read /version only.
func TestAnonymous(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, tc := range []struct {
		name  string
		opts  harness.AuthOptions
		anon  bool
		pods  string
		badOK bool
	}{
		{name: "default"},
		{name: "on", opts: harness.AuthOptions{Anonymous: true}, anon: true,
			pods: `pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"`},
		{name: "off with AlwaysAllow", opts: harness.AuthOptions{Anonymous: true, AuthorizationModes: []string{"AlwaysAllow"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := harnesstest.Start(t, harness.Options{Auth: tc.opts})
			c := nobody(s)
			_, err := c.Discovery().ServerVersion()
			if tc.anon != (err == nil) || (!tc.anon && !apierrors.IsUnauthorized(err)) {
				t.Errorf("GET /version: %v", err)
			}
			err = listPods(ctx, c)
			if tc.anon && (!apierrors.IsForbidden(err) || err.Error() != tc.pods) || !tc.anon && !apierrors.IsUnauthorized(err) {
				t.Errorf("list pods: got %v, want %s", err, tc.pods)
			}
			// a bad token is never anonymous.
			if _, err := bearer(t, s, "nonsense").Discovery().ServerVersion(); !apierrors.IsUnauthorized(err) {
				t.Errorf("GET /version with a bad token: got %v, want 401", err)
			}
		})
	}
}

// TestAuthorizationModes: the modes are asked in order after
// system:masters; Start refuses what kube-apiserver refuses.
func TestAuthorizationModes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const denied = `pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"`
	for _, tc := range []struct {
		name      string
		modes     []string
		bind      bool
		aliceErr  string
		masterErr bool
	}{
		{name: "AlwaysAllow", modes: []string{"AlwaysAllow"}},
		{name: "AlwaysDeny", modes: []string{"AlwaysDeny"}, aliceErr: denied + ": alwaysdeny: Everything is forbidden."},
		{name: "RBAC without a binding", modes: []string{"RBAC"}, aliceErr: denied},
		{name: "AlwaysDeny then RBAC", modes: []string{"AlwaysDeny", "RBAC"}, bind: true},
		{name: "RBAC then AlwaysAllow", modes: []string{"RBAC", "AlwaysAllow"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := harnesstest.Start(t, harness.Options{Auth: harness.AuthOptions{AuthorizationModes: tc.modes}})
			admin := kubernetes.NewForConfigOrDie(s.RESTConfig())
			if err := listPods(ctx, admin); err != nil {
				t.Errorf("system:masters: %v", err)
			}
			alice := addUser(t, s, "alice")
			if tc.bind {
				bindView(t, admin, "alice")
			}
			err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
				err := listPods(ctx, alice)
				return (tc.aliceErr == "" && err == nil) || (err != nil && err.Error() == tc.aliceErr), nil
			})
			if err != nil {
				t.Errorf("alice: got %v, want %q", listPods(ctx, alice), tc.aliceErr)
			}
		})
	}
	for _, tc := range []struct {
		name string
		auth harness.AuthOptions
		want string
	}{
		{"unknown", harness.AuthOptions{AuthorizationModes: []string{"Sometimes"}}, `authorization-mode "Sometimes" is not a valid mode`},
		{"ABAC", harness.AuthOptions{AuthorizationModes: []string{"ABAC", "RBAC"}}, `authorization-mode "ABAC" is not available in memkube`},
		{"twice", harness.AuthOptions{AuthorizationModes: []string{"RBAC", "RBAC"}}, `authorization-mode ["RBAC" "RBAC"] has mode specified more than once`},
		{"Webhook without config", harness.AuthOptions{AuthorizationModes: []string{"Webhook"}}, "authorization-mode Webhook's authorization config file not passed"},
		{"config without Webhook", harness.AuthOptions{AuthorizationWebhook: harness.AuthorizationWebhook{Webhook: harness.Webhook{KubeconfigFile: "x"}}},
			"cannot specify --authorization-webhook-config-file without mode Webhook"},
	} {
		t.Run("refused/"+tc.name, func(t *testing.T) {
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

func bindView(t *testing.T, admin kubernetes.Interface, user string) {
	t.Helper()
	if _, err := admin.RbacV1().RoleBindings("default").Create(t.Context(), &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-view"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// reviewServer is a webhook answering authorization.k8s.io or
// authentication.k8s.io reviews (any version) with decide, which fills the
// review's status from its spec; it records what it was asked.
type reviewServer struct {
	*httptest.Server
	mu    sync.Mutex
	specs []map[string]any // guarded by mu
}

func newReviewServer(t *testing.T, decide func(spec map[string]any) map[string]any) *reviewServer {
	t.Helper()
	r := &reviewServer{}
	r.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var review map[string]any
		if err := json.NewDecoder(req.Body).Decode(&review); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		spec, _ := review["spec"].(map[string]any)
		r.mu.Lock()
		r.specs = append(r.specs, spec)
		r.mu.Unlock()
		review["status"] = decide(spec)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(review)
	}))
	t.Cleanup(r.Close)
	return r
}

// config is a client config of the webhook.
func (r *reviewServer) config() *rest.Config {
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate().Raw})
	return &rest.Config{Host: r.URL, TLSClientConfig: rest.TLSClientConfig{CAData: ca}}
}

// kubeconfig writes a kubeconfig file of the webhook, as kube-apiserver's
// webhook flags take.
func (r *reviewServer) kubeconfig(t *testing.T) string {
	t.Helper()
	cfg := r.config()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["webhook"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["apiserver"] = &clientcmdapi.AuthInfo{}
	kc.Contexts["webhook"] = &clientcmdapi.Context{Cluster: "webhook", AuthInfo: "apiserver"}
	kc.CurrentContext = "webhook"
	path := filepath.Join(t.TempDir(), "webhook.kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func (r *reviewServer) asked() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.specs)
}

// TestAuthorizationWebhook: mode Webhook asks a SubjectAccessReview
// webhook (after RBAC here), through a client config or a kubeconfig file.
func TestAuthorizationWebhook(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	hook := newReviewServer(t, func(spec map[string]any) map[string]any {
		attrs, _ := spec["resourceAttributes"].(map[string]any)
		if spec["user"] == "alice" && attrs["resource"] == "pods" && attrs["verb"] == "list" {
			return map[string]any{"allowed": true, "reason": "alice may"}
		}
		return map[string]any{"allowed": false, "reason": "not on my watch"}
	})
	for _, tc := range []struct {
		name    string
		webhook harness.AuthorizationWebhook
		version string
	}{
		{"client config, v1", harness.AuthorizationWebhook{Webhook: harness.Webhook{Config: hook.config()}, Version: "v1", AuthorizedTTL: -1, UnauthorizedTTL: -1}, "authorization.k8s.io/v1"},
		{"kubeconfig file, v1beta1", harness.AuthorizationWebhook{Webhook: harness.Webhook{KubeconfigFile: hook.kubeconfig(t)}}, "authorization.k8s.io/v1beta1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := harnesstest.Start(t, harness.Options{Auth: harness.AuthOptions{
				AuthorizationModes: []string{"RBAC", "Webhook"}, AuthorizationWebhook: tc.webhook}})
			alice := addUser(t, s, "alice", "devs")
			if err := listPods(ctx, alice); err != nil {
				t.Errorf("list pods, allowed by the webhook: %v", err)
			}
			_, err := alice.CoreV1().Secrets("default").List(ctx, metav1.ListOptions{})
			if want := `secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "default": webhook: not on my watch`; !apierrors.IsForbidden(err) || err.Error() != want {
				t.Errorf("list secrets: got %v, want %s", err, want)
			}
			var sawAlice bool
			for _, spec := range hook.asked() {
				groups, _ := spec["groups"].([]any) // v1
				if groups == nil {
					groups, _ = spec["group"].([]any) // v1beta1
				}
				if spec["user"] == "alice" && slices.Contains(groups, any("devs")) && slices.Contains(groups, any("system:authenticated")) {
					sawAlice = true
				}
			}
			if !sawAlice {
				t.Errorf("the webhook was not asked about alice in her groups: %v", hook.asked())
			}
			// SubjectAccessReview asks the same authorizers.
			sar, err := kubernetes.NewForConfigOrDie(s.RESTConfig()).AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
				Spec: authorizationv1.SubjectAccessReviewSpec{User: "alice", ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "default", Verb: "list", Resource: "pods"}},
			}, metav1.CreateOptions{})
			if err != nil || !sar.Status.Allowed || sar.Status.Reason != "alice may" {
				t.Errorf("SubjectAccessReview: %+v, %v; want allowed by the webhook", sar.Status, err)
			}
		})
	}
}

// TestTokenWebhook: bearer tokens the server does not know are reviewed by
// a TokenReview webhook.
func TestTokenWebhook(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	hook := newReviewServer(t, func(spec map[string]any) map[string]any {
		if spec["token"] != "good-token" {
			return map[string]any{"authenticated": false, "error": "unknown token"}
		}
		return map[string]any{"authenticated": true, "user": map[string]any{
			"username": "carol", "uid": "carol-uid", "groups": []string{"wh"}, "extra": map[string][]string{"scopes": {"read"}},
		}}
	})
	for _, tc := range []struct {
		name    string
		webhook harness.TokenWebhook
	}{
		{"client config, v1", harness.TokenWebhook{Webhook: harness.Webhook{Config: hook.config()}, Version: "v1", CacheTTL: -1}},
		{"kubeconfig file, v1beta1", harness.TokenWebhook{Webhook: harness.Webhook{KubeconfigFile: hook.kubeconfig(t)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			webhook := tc.webhook
			s := harnesstest.Start(t, harness.Options{Auth: harness.AuthOptions{TokenWebhook: &webhook}})
			u, err := whoAmI(ctx, bearer(t, s, "good-token"))
			if err != nil {
				t.Fatal(err)
			}
			want := authenticationv1.UserInfo{Username: "carol", UID: "carol-uid", Groups: []string{"wh", "system:authenticated"},
				Extra: map[string]authenticationv1.ExtraValue{"scopes": {"read"}}}
			if got, want := must(json.Marshal(u)), must(json.Marshal(want)); string(got) != string(want) {
				t.Errorf("user = %s, want %s", got, want)
			}
			if _, err := whoAmI(ctx, bearer(t, s, "bad-token")); !apierrors.IsUnauthorized(err) {
				t.Errorf("a token the webhook refuses: got %v, want 401", err)
			}
			r, err := kubernetes.NewForConfigOrDie(s.RESTConfig()).AuthenticationV1().TokenReviews().Create(ctx,
				&authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: "good-token"}}, metav1.CreateOptions{})
			if err != nil || !r.Status.Authenticated || r.Status.User.Username != "carol" {
				t.Errorf("TokenReview: %+v, %v; want carol", r.Status, err)
			}
		})
	}
}

// TestRequestHeader: a front proxy with a certificate of the request-header
// CA and an allowed name says who the user is in headers; no one else can.
func TestRequestHeader(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{Auth: harness.AuthOptions{RequestHeader: &harness.RequestHeader{AllowedNames: []string{"front-proxy"}}}})
	as := func(cfg *rest.Config, headers map[string]string) kubernetes.Interface {
		cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
			return roundTripper(func(req *http.Request) (*http.Response, error) {
				req = req.Clone(req.Context())
				for k, v := range headers {
					req.Header.Set(k, v)
				}
				return rt.RoundTrip(req)
			})
		}
		return kubernetes.NewForConfigOrDie(cfg)
	}
	bob := map[string]string{"X-Remote-User": "bob", "X-Remote-Group": "devs", "X-Remote-Extra-Scopes": "read"}
	proxy, err := s.FrontProxyConfig("front-proxy")
	if err != nil {
		t.Fatal(err)
	}
	u, err := whoAmI(ctx, as(proxy, bob))
	if err != nil {
		t.Fatal(err)
	}
	want := authenticationv1.UserInfo{Username: "bob", Groups: []string{"devs", "system:authenticated"}, Extra: map[string]authenticationv1.ExtraValue{"scopes": {"read"}}}
	if got, want := must(json.Marshal(u)), must(json.Marshal(want)); string(got) != string(want) {
		t.Errorf("through the front proxy: user = %s, want %s", got, want)
	}
	other, err := s.FrontProxyConfig("other-proxy")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := whoAmI(ctx, as(other, bob)); !apierrors.IsUnauthorized(err) {
		t.Errorf("a proxy of a name not allowed: got %v, want 401", err)
	}
	aliceCfg, err := s.AddUser("alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := whoAmI(ctx, as(aliceCfg, bob)); err != nil || u.Username != "alice" {
		t.Errorf("a client certificate of the client CA with the headers: %v, %v; want alice", u.Username, err)
	}
	if _, err := harnesstest.Start(t, harness.Options{}).FrontProxyConfig("front-proxy"); err == nil {
		t.Error("FrontProxyConfig of a server without request-header authentication: no error")
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// bootstrapToken is a bootstrap token Secret of kube-system for token
// "<id>.0123456789abcdef", with the given data besides the token's.
func bootstrapToken(id string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-" + id, Namespace: metav1.NamespaceSystem},
		Type:       "bootstrap.kubernetes.io/token",
		// Data, not StringData: memkube does not fold stringData into data yet.
		Data: map[string][]byte{"token-id": []byte(id), "token-secret": []byte("0123456789abcdef")},
	}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

// TestBootstrapTokens: with BootstrapTokens, a bootstrap token Secret
// authenticates its token, until it expires on the server clock or is
// deleted; without, no Secret does.
func TestBootstrapTokens(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	clk := clocktesting.NewFakeClock(time.Now())
	s := harnesstest.Start(t, harness.Options{Clock: clk, Auth: harness.AuthOptions{BootstrapTokens: true}})
	off := harnesstest.Start(t, harness.Options{})
	for _, server := range []*harness.Server{s, off} {
		secrets := kubernetes.NewForConfigOrDie(server.RESTConfig()).CoreV1().Secrets(metav1.NamespaceSystem)
		// created in this order: once the server knows the last, it knows them all.
		for _, secret := range []*corev1.Secret{
			bootstrapToken("unused", map[string]string{"usage-bootstrap-authentication": "false"}),
			bootstrapToken("nousag", nil),
			bootstrapToken("expire", map[string]string{"usage-bootstrap-authentication": "true",
				"expiration": clk.Now().Add(time.Hour).Format(time.RFC3339)}),
			bootstrapToken("delete", map[string]string{"usage-bootstrap-authentication": "true"}),
			bootstrapToken("abcdef", map[string]string{"usage-bootstrap-authentication": "true",
				"auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token"}),
		} {
			if _, err := secrets.Create(ctx, secret, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var u authenticationv1.UserInfo
	err := wait.PollUntilContextTimeout(ctx, time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		var err error
		u, err = whoAmI(ctx, bearer(t, s, "abcdef.0123456789abcdef"))
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("the token of bootstrap-token-abcdef: %v", err)
	}
	want := authenticationv1.UserInfo{Username: "system:bootstrap:abcdef",
		Groups: []string{"system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token", "system:authenticated"}}
	if got, want := must(json.Marshal(u)), must(json.Marshal(want)); string(got) != string(want) {
		t.Errorf("user = %s, want %s", got, want)
	}
	for _, tc := range []struct {
		name, token string
		server      *harness.Server
		ok          bool
	}{
		{"not expired", "expire.0123456789abcdef", s, true},
		{"usage-bootstrap-authentication false", "unused.0123456789abcdef", s, false},
		{"no usage-bootstrap-authentication", "nousag.0123456789abcdef", s, false},
		{"another secret", "abcdef.0123456789abcdee", s, false},
		{"no Secret", "zzzzzz.0123456789abcdef", s, false},
		{"bootstrap tokens off", "abcdef.0123456789abcdef", off, false},
	} {
		_, err := whoAmI(ctx, bearer(t, tc.server, tc.token))
		if tc.ok && err != nil || !tc.ok && !apierrors.IsUnauthorized(err) {
			t.Errorf("%s: got %v, want ok %v (else 401)", tc.name, err, tc.ok)
		}
	}

	admin := kubernetes.NewForConfigOrDie(s.RESTConfig())
	if err := admin.CoreV1().Secrets(metav1.NamespaceSystem).Delete(ctx, "bootstrap-token-delete", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := whoAmI(ctx, bearer(t, s, "delete.0123456789abcdef"))
		return apierrors.IsUnauthorized(err), nil
	})
	if err != nil {
		t.Errorf("the token of a deleted Secret: still authenticated")
	}

	clk.Step(time.Hour)
	if _, err := whoAmI(ctx, bearer(t, s, "expire.0123456789abcdef")); !apierrors.IsUnauthorized(err) {
		t.Errorf("a token expired on the server clock: got %v, want 401", err)
	}
}
