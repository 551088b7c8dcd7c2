package harness_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// bearer is a client of the server that authenticates with token only.
func bearer(t *testing.T, s *harness.Server, token string) kubernetes.Interface {
	t.Helper()
	cfg := s.RESTConfig()
	cfg.CertData, cfg.KeyData, cfg.BearerToken = nil, nil, token
	return kubernetes.NewForConfigOrDie(cfg)
}

// whoAmI is the user a client is, by SelfSubjectReview.
func whoAmI(ctx context.Context, c kubernetes.Interface) (authenticationv1.UserInfo, error) {
	r, err := c.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return authenticationv1.UserInfo{}, err
	}
	return r.Status.UserInfo, nil
}

// newServiceAccount creates namespace ns and service account name in it.
func newServiceAccount(t *testing.T, admin kubernetes.Interface, ns, name string) *corev1.ServiceAccount {
	t.Helper()
	ctx := t.Context()
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	sa, err := admin.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sa
}

// claimsOf decodes a JWT's payload, unverified.
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a compact JWT", token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(payload, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestServiceAccountToken requests a token, uses it as a bearer token and
// sees the service account's user, its RBAC, and TokenReview's answers.
func TestServiceAccountToken(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoServiceAccount: true}})
	admin := kubernetes.NewForConfigOrDie(s.RESTConfig())
	sa := newServiceAccount(t, admin, "robots", "robot")

	before := s.Clock().Now().Truncate(time.Second)
	tr, err := admin.CoreV1().ServiceAccounts("robots").CreateToken(ctx, "robot", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Spec.Audiences; !slices.Equal(got, []string{"https://kubernetes.default.svc.cluster.local"}) {
		t.Errorf("spec.audiences = %q, want the API audiences", got)
	}
	if got := *tr.Spec.ExpirationSeconds; got != 3600 {
		t.Errorf("spec.expirationSeconds = %d, want 3600", got)
	}
	if tr.Name != "robot" || tr.Namespace != "robots" || tr.UID != sa.UID {
		t.Errorf("metadata = %s/%s %s, want robots/robot %s", tr.Namespace, tr.Name, tr.UID, sa.UID)
	}
	if exp := tr.Status.ExpirationTimestamp.Time; exp.Before(before.Add(time.Hour)) || exp.After(time.Now().Add(time.Hour)) {
		t.Errorf("status.expirationTimestamp = %v, want an hour from %v", exp, before)
	}
	claims := claimsOf(t, tr.Status.Token)
	if claims["iss"] != "https://kubernetes.default.svc.cluster.local" || claims["sub"] != "system:serviceaccount:robots:robot" {
		t.Errorf("iss, sub = %v, %v", claims["iss"], claims["sub"])
	}
	if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != 3600 {
		t.Errorf("exp - iat = %v, want 3600", exp-iat)
	}
	wantK8s := map[string]any{"namespace": "robots", "serviceaccount": map[string]any{"name": "robot", "uid": string(sa.UID)}}
	if got, _ := json.Marshal(claims["kubernetes.io"]); string(got) != string(must(json.Marshal(wantK8s))) {
		t.Errorf("kubernetes.io claims = %s, want %s", got, must(json.Marshal(wantK8s)))
	}

	robot := bearer(t, s, tr.Status.Token)
	u, err := whoAmI(ctx, robot)
	if err != nil {
		t.Fatal(err)
	}
	wantGroups := []string{"system:serviceaccounts", "system:serviceaccounts:robots", "system:authenticated"}
	if u.Username != "system:serviceaccount:robots:robot" || u.UID != string(sa.UID) || !slices.Equal(u.Groups, wantGroups) {
		t.Errorf("user = %s %s %q, want system:serviceaccount:robots:robot %s %q", u.Username, u.UID, u.Groups, sa.UID, wantGroups)
	}
	if got, want := u.Extra["authentication.kubernetes.io/credential-id"], (authenticationv1.ExtraValue{"JTI=" + claims["jti"].(string)}); !slices.Equal(got, want) {
		t.Errorf("credential-id = %q, want %q", got, want)
	}

	// RBAC applies to the service account.
	_, err = robot.CoreV1().Pods("robots").List(ctx, metav1.ListOptions{})
	if want := `pods is forbidden: User "system:serviceaccount:robots:robot" cannot list resource "pods" in API group "" in the namespace "robots"`; !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("list pods: got %v, want %s", err, want)
	}
	if _, err := admin.RbacV1().RoleBindings("robots").Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "robot-view"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: "robots", Name: "robot"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := robot.CoreV1().Pods("robots").List(ctx, metav1.ListOptions{})
		return err == nil, nil
	}); err != nil {
		t.Errorf("the service account cannot list pods after the binding: %v", err)
	}

	// A token for another audience is not the API's.
	other, err := admin.CoreV1().ServiceAccounts("robots").CreateToken(ctx, "robot", &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{Audiences: []string{"vault"}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := whoAmI(ctx, bearer(t, s, other.Status.Token)); !apierrors.IsUnauthorized(err) {
		t.Errorf("a token for audience vault: got %v, want 401", err)
	}

	for _, tc := range []struct {
		name, token   string
		audiences     []string
		authenticated bool
		wantAuds      []string
		errContains   string
	}{
		{name: "API token", token: tr.Status.Token, authenticated: true, wantAuds: []string{"https://kubernetes.default.svc.cluster.local"}},
		{name: "vault token, vault audience", token: other.Status.Token, audiences: []string{"vault", "consul"}, authenticated: true, wantAuds: []string{"vault"}},
		{name: "vault token, API audience", token: other.Status.Token,
			errContains: `token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]`},
		{name: "tampered", token: tr.Status.Token[:len(tr.Status.Token)-4] + "AAAA", errContains: "go-jose/go-jose: error in cryptographic primitive"},
	} {
		t.Run("TokenReview/"+tc.name, func(t *testing.T) {
			r, err := admin.AuthenticationV1().TokenReviews().Create(ctx, &authenticationv1.TokenReview{
				Spec: authenticationv1.TokenReviewSpec{Token: tc.token, Audiences: tc.audiences},
			}, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			st := r.Status
			if st.Authenticated != tc.authenticated || !strings.Contains(st.Error, tc.errContains) {
				t.Errorf("authenticated, error = %v, %q; want %v, containing %q", st.Authenticated, st.Error, tc.authenticated, tc.errContains)
			}
			if !tc.authenticated {
				return
			}
			if st.User.Username != "system:serviceaccount:robots:robot" || !slices.Equal(st.Audiences, tc.wantAuds) {
				t.Errorf("user, audiences = %s, %q; want system:serviceaccount:robots:robot, %q", st.User.Username, st.Audiences, tc.wantAuds)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestServiceAccountTokenBound binds tokens to a pod (and its node), a
// secret and a node: their claims, the user's extra, and the token's end
// when its object goes.
func TestServiceAccountTokenBound(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoServiceAccount: true}})
	admin := kubernetes.NewForConfigOrDie(s.RESTConfig())
	newServiceAccount(t, admin, "bound", "robot")
	node, err := admin.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod, err := admin.CoreV1().Pods("bound").Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{ServiceAccountName: "robot", NodeName: "node-1",
			Containers: []corev1.Container{{Name: "c", Image: "nginx"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := admin.CoreV1().Secrets("bound").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	token := func(kind, name string, seconds int64) string {
		t.Helper()
		tr, err := admin.CoreV1().ServiceAccounts("bound").CreateToken(ctx, "robot", &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
			ExpirationSeconds: &seconds,
			BoundObjectRef:    &authenticationv1.BoundObjectReference{APIVersion: "v1", Kind: kind, Name: name},
		}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return tr.Status.Token
	}
	podToken, secretToken, nodeToken := token("Pod", "web", 3600), token("Secret", "s", 3600), token("Node", "node-1", 3600)
	kubelet := token("Pod", "web", 3607)

	for _, tc := range []struct {
		name, token string
		extra       map[string]authenticationv1.ExtraValue
	}{
		{"pod", podToken, map[string]authenticationv1.ExtraValue{
			"authentication.kubernetes.io/pod-name": {"web"}, "authentication.kubernetes.io/pod-uid": {string(pod.UID)},
			"authentication.kubernetes.io/node-name": {"node-1"}, "authentication.kubernetes.io/node-uid": {string(node.UID)},
		}},
		{"secret", secretToken, map[string]authenticationv1.ExtraValue{}},
		{"node", nodeToken, map[string]authenticationv1.ExtraValue{
			"authentication.kubernetes.io/node-name": {"node-1"}, "authentication.kubernetes.io/node-uid": {string(node.UID)},
		}},
	} {
		u, err := whoAmI(ctx, bearer(t, s, tc.token))
		if err != nil {
			t.Errorf("%s-bound token: %v", tc.name, err)
			continue
		}
		delete(u.Extra, "authentication.kubernetes.io/credential-id")
		if got, want := must(json.Marshal(u.Extra)), must(json.Marshal(tc.extra)); string(got) != string(want) {
			t.Errorf("%s-bound token: extra = %s, want %s", tc.name, got, want)
		}
	}
	if got := claimsOf(t, secretToken)["kubernetes.io"].(map[string]any)["secret"]; got.(map[string]any)["uid"] != string(secret.UID) {
		t.Errorf("secret claim = %v, want uid %s", got, secret.UID)
	}
	// kubelet's 3607 s pod tokens live a year and warn after the hour.
	c := claimsOf(t, kubelet)
	iat, exp, warn := c["iat"].(float64), c["exp"].(float64), c["kubernetes.io"].(map[string]any)["warnafter"].(float64)
	if exp-iat != 365*24*3600 || warn-iat != 3607 {
		t.Errorf("kubelet token: exp - iat = %v, warnafter - iat = %v; want a year and 3607", exp-iat, warn-iat)
	}

	// a token ends with its object.
	if err := admin.CoreV1().Pods("bound").Delete(ctx, "web", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	if err := admin.CoreV1().Secrets("bound").Delete(ctx, "s", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"pod": podToken, "secret": secretToken} {
		if _, err := whoAmI(ctx, bearer(t, s, tok)); !apierrors.IsUnauthorized(err) {
			t.Errorf("%s-bound token after the %s's deletion: got %v, want 401", name, name, err)
		}
	}
	r, err := admin.AuthenticationV1().TokenReviews().Create(ctx, &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: podToken}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status.Authenticated || r.Status.Error != "[invalid bearer token, service account token has been invalidated]" {
		t.Errorf("TokenReview of a deleted pod's token: authenticated %v, error %q", r.Status.Authenticated, r.Status.Error)
	}
	if _, err := whoAmI(ctx, bearer(t, s, nodeToken)); err != nil {
		t.Errorf("node-bound token: %v", err)
	}
}

// TestServiceAccountTokenEnd: a token stops working when it expires on the
// server clock, and when its service account is deleted (even if one of
// the same name comes back).
func TestServiceAccountTokenEnd(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	fake := clocktesting.NewFakeClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	s := harnesstest.Start(t, harness.Options{Clock: fake, Controllers: harness.Controllers{NoServiceAccount: true}})
	admin := kubernetes.NewForConfigOrDie(s.RESTConfig())
	newServiceAccount(t, admin, "ends", "robot")
	request := func() string {
		t.Helper()
		tr, err := admin.CoreV1().ServiceAccounts("ends").CreateToken(ctx, "robot", &authenticationv1.TokenRequest{
			Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](600)},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if want := fake.Now().Add(10 * time.Minute); !tr.Status.ExpirationTimestamp.Time.Equal(want) {
			t.Errorf("status.expirationTimestamp = %v, want %v", tr.Status.ExpirationTimestamp.Time, want)
		}
		return tr.Status.Token
	}
	review := func(token string) authenticationv1.TokenReviewStatus {
		t.Helper()
		r, err := admin.AuthenticationV1().TokenReviews().Create(ctx, &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: token}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return r.Status
	}

	token := request()
	robot := bearer(t, s, token)
	// the leeway is a minute.
	fake.Step(10*time.Minute + 59*time.Second)
	if _, err := whoAmI(ctx, robot); err != nil {
		t.Errorf("within the leeway: %v", err)
	}
	fake.Step(2 * time.Second)
	if _, err := whoAmI(ctx, robot); !apierrors.IsUnauthorized(err) {
		t.Errorf("expired token: got %v, want 401", err)
	}
	if st := review(token); st.Authenticated || st.Error != "[invalid bearer token, service account token has expired]" {
		t.Errorf("TokenReview of an expired token: %v %q", st.Authenticated, st.Error)
	}

	token = request()
	if err := admin.CoreV1().ServiceAccounts("ends").Delete(ctx, "robot", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := whoAmI(ctx, bearer(t, s, token)); !apierrors.IsUnauthorized(err) {
		t.Errorf("token of a deleted service account: got %v, want 401", err)
	}
	if st := review(token); st.Authenticated || st.Error != `[invalid bearer token, serviceaccounts "robot" not found]` {
		t.Errorf("TokenReview of a deleted service account's token: %v %q", st.Authenticated, st.Error)
	}
	again := newServiceAccount(t, admin, "ends", "robot")
	if st := review(token); st.Authenticated || !strings.HasPrefix(st.Error, "[invalid bearer token, service account UID ("+string(again.UID)+") does not match claim") {
		t.Errorf("TokenReview of a recreated service account's old token: %v %q", st.Authenticated, st.Error)
	}
}

// TestServiceAccountTokenRequestErrors: what kube-apiserver refuses, with
// its codes and messages.
func TestServiceAccountTokenRequestErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoServiceAccount: true}})
	admin := kubernetes.NewForConfigOrDie(s.RESTConfig())
	newServiceAccount(t, admin, "errs", "robot")
	newServiceAccount(t, admin, "errs", "other")
	if _, err := admin.CoreV1().Pods("errs").Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p"},
		Spec:       corev1.PodSpec{ServiceAccountName: "other", Containers: []corev1.Container{{Name: "c", Image: "nginx"}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CoreV1().Secrets("errs").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, sa string
		req      authenticationv1.TokenRequest
		code     int32
		msg      string
	}{
		{name: "no such service account", sa: "ghost", code: 404, msg: `serviceaccounts "ghost" not found`},
		{name: "short", sa: "robot", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](599)}},
			code: 422, msg: `TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes`},
		{name: "long", sa: "robot", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](1<<32 + 1)}},
			code: 422, msg: `TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds`},
		{name: "name mismatch", sa: "robot", req: authenticationv1.TokenRequest{ObjectMeta: metav1.ObjectMeta{Name: "other"}},
			code: 422, msg: `TokenRequest.authentication.k8s.io "robot" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified`},
		{name: "uid mismatch", sa: "robot", req: authenticationv1.TokenRequest{ObjectMeta: metav1.ObjectMeta{UID: "nope"}},
			code: 409, msg: `Operation cannot be fulfilled on TokenRequest.authentication.k8s.io "robot": the UID in the token request (nope) does not match the UID of the service account (`},
		{name: "pod of another service account", sa: "robot", req: bindTo("v1", "Pod", "p", ""),
			code: 400, msg: `cannot bind token for serviceaccount "robot" to pod running with different serviceaccount name.`},
		{name: "no such pod", sa: "robot", req: bindTo("v1", "Pod", "gone", ""), code: 404, msg: `pods "gone" not found`},
		{name: "secret uid mismatch", sa: "robot", req: bindTo("v1", "Secret", "s", "nope"),
			code: 409, msg: `Operation cannot be fulfilled on Secret "s": the UID in the bound object reference (nope) does not match the UID in record. The object might have been deleted and then recreated`},
		{name: "configmap", sa: "robot", req: bindTo("v1", "ConfigMap", "c", ""), code: 400, msg: `cannot bind token to object of type /v1, Kind=ConfigMap`},
		{name: "webhook", sa: "robot", req: webhookBound, code: 400, msg: `cannot bind token to object of type admissionregistration.k8s.io/v1, Kind=ValidatingWebhookConfiguration (feature gate APIServerWebhookAuthenticationToken is disabled)`},
		{name: "attestations without a webhook", sa: "robot", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
			Attestations: map[string]authenticationv1.AttestationValue{"admissionReviewAPIGroups": {"apps"}}}},
			code: 422, msg: `TokenRequest.authentication.k8s.io "" is invalid: spec.attestations: Invalid value: {"admissionReviewAPIGroups":["apps"]}: attestations may only be specified with a webhook bound object reference`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := admin.CoreV1().ServiceAccounts("errs").CreateToken(ctx, tc.sa, &tc.req, metav1.CreateOptions{})
			var status apierrors.APIStatus
			if !errors.As(err, &status) || status.Status().Code != tc.code || !strings.HasPrefix(err.Error(), tc.msg) {
				t.Errorf("got %v, want %d %s", err, tc.code, tc.msg)
			}
		})
	}
}

// webhookBound is a valid request for a token bound to a webhook
// configuration (an alpha feature, off).
var webhookBound = authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
	Audiences:      []string{"https://hook.example.com"},
	BoundObjectRef: &authenticationv1.BoundObjectReference{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingWebhookConfiguration", Name: "w"},
	Attestations:   map[string]authenticationv1.AttestationValue{"admissionReviewAPIGroups": {"apps"}},
}}

func bindTo(apiVersion, kind, name, uid string) authenticationv1.TokenRequest {
	return authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		BoundObjectRef: &authenticationv1.BoundObjectReference{APIVersion: apiVersion, Kind: kind, Name: name, UID: types.UID(uid)},
	}}
}

// TestServiceAccountTokenSecret: the token controller fills a
// kubernetes.io/service-account-token Secret, its token authenticates as
// the account (and marks the Secret used), and the Secret goes with the
// account.
func TestServiceAccountTokenSecret(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	admin := kubernetes.NewForConfigOrDie(s.RESTConfig())
	sa := newServiceAccount(t, admin, "legacy", "robot")
	tokenSecret := func(name, account string) *corev1.Secret {
		return &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{corev1.ServiceAccountNameKey: account}},
			Type:       corev1.SecretTypeServiceAccountToken,
		}
	}
	if _, err := admin.CoreV1().Secrets("legacy").Create(ctx, tokenSecret("robot-token", "robot"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	orphan, err := admin.CoreV1().Secrets("legacy").Create(ctx, tokenSecret("ghost-token", "ghost"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var secret *corev1.Secret
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		secret, err = admin.CoreV1().Secrets("legacy").Get(ctx, "robot-token", metav1.GetOptions{})
		return err == nil && len(secret.Data[corev1.ServiceAccountTokenKey]) > 0, nil
	}); err != nil {
		t.Fatalf("the token Secret is not filled: %v", err)
	}
	if got := string(secret.Data[corev1.ServiceAccountRootCAKey]); got != string(s.RESTConfig().CAData) {
		t.Errorf("ca.crt = %q, want the server's CA", got)
	}
	if got := string(secret.Data[corev1.ServiceAccountNamespaceKey]); got != "legacy" {
		t.Errorf("namespace = %q, want legacy", got)
	}
	if got := secret.Annotations[corev1.ServiceAccountUIDKey]; got != string(sa.UID) {
		t.Errorf("%s = %q, want %s", corev1.ServiceAccountUIDKey, got, sa.UID)
	}
	token := string(secret.Data[corev1.ServiceAccountTokenKey])
	if c := claimsOf(t, token); c["iss"] != "kubernetes/serviceaccount" || c["kubernetes.io/serviceaccount/secret.name"] != "robot-token" {
		t.Errorf("claims = %v", c)
	}
	u, err := whoAmI(ctx, bearer(t, s, token))
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "system:serviceaccount:legacy:robot" || u.UID != string(sa.UID) {
		t.Errorf("user = %s %s, want system:serviceaccount:legacy:robot %s", u.Username, u.UID, sa.UID)
	}
	used, err := admin.CoreV1().Secrets("legacy").Get(ctx, "robot-token", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := used.Labels["kubernetes.io/legacy-token-last-used"], s.Clock().Now().UTC().Format(time.DateOnly); got != want {
		t.Errorf("last-used label = %q, want %q", got, want)
	}

	// a Secret of no account goes; so does the account's when it goes.
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := admin.CoreV1().Secrets("legacy").Get(ctx, orphan.Name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	}); err != nil {
		t.Errorf("the Secret of a missing account stays: %v", err)
	}
	if err := admin.CoreV1().ServiceAccounts("legacy").Delete(ctx, "robot", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := whoAmI(ctx, bearer(t, s, token)); !apierrors.IsUnauthorized(err) {
		t.Errorf("token of a deleted account: got %v, want 401", err)
	}
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := admin.CoreV1().Secrets("legacy").Get(ctx, "robot-token", metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	}); err != nil {
		t.Errorf("the deleted account's token Secret stays: %v", err)
	}
}
