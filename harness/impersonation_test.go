package harness_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// allow grants user the rules cluster-wide, under name.
func allow(t *testing.T, admin kubernetes.Interface, name, user string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	ctx := t.Context()
	if _, err := admin.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// untilNoError polls f until it returns nil (RBAC follows its objects through
// an informer) and returns its last error.
func untilNoError(ctx context.Context, f func(context.Context) error) error {
	var last error
	_ = wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		last = f(ctx)
		return last == nil, nil
	})
	return last
}

// TestImpersonation impersonates users, groups, uids, extra and service
// accounts through client-go, with and without the impersonate verbs
// (legacy and constrained), and sees kube-apiserver's 403s and users.
func TestImpersonation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoServiceAccount: true}})
	admin := kubernetes.NewForConfigOrDie(s.RESTConfig())
	as := func(user string, imp rest.ImpersonationConfig) kubernetes.Interface {
		cfg, err := s.AddUser(user, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Impersonate = imp
		return kubernetes.NewForConfigOrDie(cfg)
	}
	userJSON := func(u authenticationv1.UserInfo) string { return string(must(json.Marshal(u))) }

	// nobody may impersonate without the verbs; the first mode tried
	// (user-info, constrained impersonation) says why.
	_, err := whoAmI(ctx, as("mallory", rest.ImpersonationConfig{UserName: "bob"}))
	if want := `selfsubjectreviews.authentication.k8s.io is forbidden: User "mallory" cannot impersonate-on:user-info:create resource "selfsubjectreviews" in API group "authentication.k8s.io" at the cluster scope`; !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("impersonation without rights: got %v, want %s", err, want)
	}
	err = listPods(ctx, as("mallory", rest.ImpersonationConfig{UserName: "system:serviceaccount:default:robot"}))
	if want := `pods is forbidden: User "mallory" cannot impersonate-on:serviceaccount:list resource "pods" in API group "" in the namespace "default"`; !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("service account impersonation without rights: got %v, want %s", err, want)
	}

	// legacy impersonation: the impersonate verb on users, groups, uids,
	// userextras and serviceaccounts, by name.
	allow(t, admin, "alice-impersonates", "alice",
		rbacv1.PolicyRule{Verbs: []string{"impersonate"}, APIGroups: []string{""}, Resources: []string{"users"}, ResourceNames: []string{"bob"}},
		rbacv1.PolicyRule{Verbs: []string{"impersonate"}, APIGroups: []string{""}, Resources: []string{"groups"}, ResourceNames: []string{"devs"}},
		rbacv1.PolicyRule{Verbs: []string{"impersonate"}, APIGroups: []string{""}, Resources: []string{"serviceaccounts"}, ResourceNames: []string{"robot"}},
		rbacv1.PolicyRule{Verbs: []string{"impersonate"}, APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"uids"}, ResourceNames: []string{"bob-uid"}},
		rbacv1.PolicyRule{Verbs: []string{"impersonate"}, APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"userextras/scopes"}, ResourceNames: []string{"read"}},
	)
	full := rest.ImpersonationConfig{UserName: "bob", UID: "bob-uid", Groups: []string{"devs"}, Extra: map[string][]string{"scopes": {"read"}}}
	alice := as("alice", full)
	var u authenticationv1.UserInfo
	err = untilNoError(ctx, func(ctx context.Context) (err error) {
		u, err = whoAmI(ctx, alice)
		return err
	})
	want := authenticationv1.UserInfo{Username: "bob", UID: "bob-uid", Groups: []string{"devs", "system:authenticated"}, Extra: map[string]authenticationv1.ExtraValue{"scopes": {"read"}}}
	if err != nil || userJSON(u) != userJSON(want) {
		t.Errorf("alice as bob: %s, %v; want %s", userJSON(u), err, userJSON(want))
	}
	// the impersonated user's own rights apply.
	err = listPods(ctx, as("alice", rest.ImpersonationConfig{UserName: "bob"}))
	if want := `pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"`; !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("alice as bob lists pods: got %v, want %s", err, want)
	}
	u, err = whoAmI(ctx, as("alice", rest.ImpersonationConfig{UserName: "system:serviceaccount:default:robot"}))
	if want := []string{"system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"}; err != nil || u.Username != "system:serviceaccount:default:robot" || !slices.Equal(u.Groups, want) {
		t.Errorf("alice as a service account: %s, %v; want its groups %q", userJSON(u), err, want)
	}

	// each part of the user is checked: the first one refused is named.
	// The legacy mode answers: it is tried first for a request whose last
	// impersonation it allowed (the filter remembers, without expiry).
	for _, tc := range []struct {
		name string
		imp  rest.ImpersonationConfig
		want string
	}{
		{"user", rest.ImpersonationConfig{UserName: "carol"},
			`users "carol" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope`},
		{"group", rest.ImpersonationConfig{UserName: "bob", Groups: []string{"admins"}},
			`groups "admins" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope`},
		{"uid", rest.ImpersonationConfig{UserName: "bob", UID: "other-uid"},
			`uids.authentication.k8s.io "other-uid" is forbidden: User "alice" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope`},
		{"extra", rest.ImpersonationConfig{UserName: "bob", Extra: map[string][]string{"scopes": {"write"}}},
			`userextras.authentication.k8s.io "write" is forbidden: User "alice" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope`},
		{"service account", rest.ImpersonationConfig{UserName: "system:serviceaccount:kube-system:other"},
			`serviceaccounts "other" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "kube-system"`},
	} {
		t.Run("refused/"+tc.name, func(t *testing.T) {
			_, err := whoAmI(ctx, as("alice", tc.imp))
			if !apierrors.IsForbidden(err) || err.Error() != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}

	// constrained impersonation: dave may act as bob for listing pods
	// only, and bob's rights still apply.
	allow(t, admin, "dave-impersonates", "dave",
		rbacv1.PolicyRule{Verbs: []string{"impersonate:user-info"}, APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"users"}, ResourceNames: []string{"bob"}},
		rbacv1.PolicyRule{Verbs: []string{"impersonate-on:user-info:list"}, APIGroups: []string{""}, Resources: []string{"pods"}},
	)
	allow(t, admin, "bob-reads-pods", "bob", rbacv1.PolicyRule{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}})
	daveAsBob := as("dave", rest.ImpersonationConfig{UserName: "bob"})
	if err := untilNoError(ctx, func(ctx context.Context) error { return listPods(ctx, daveAsBob) }); err != nil {
		t.Errorf("dave as bob lists pods: %v", err)
	}
	_, err = daveAsBob.CoreV1().ConfigMaps("default").List(ctx, metav1.ListOptions{})
	if want := `configmaps is forbidden: User "dave" cannot impersonate-on:user-info:list resource "configmaps" in API group "" in the namespace "default"`; !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("dave as bob lists configmaps: got %v, want %s", err, want)
	}

	// system:masters impersonates anyone.
	u, err = whoAmI(ctx, kubernetes.NewForConfigOrDie(impersonating(s.RESTConfig(), rest.ImpersonationConfig{UserName: "erin", Groups: []string{"ops"}})))
	if err != nil || u.Username != "erin" || !slices.Equal(u.Groups, []string{"ops", "system:authenticated"}) {
		t.Errorf("admin as erin: %s, %v", userJSON(u), err)
	}

	// groups without a user are a bad request.
	cfg := s.RESTConfig()
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(req *http.Request) (*http.Response, error) {
			req = req.Clone(req.Context())
			req.Header.Set(authenticationv1.ImpersonateGroupHeader, "devs")
			return rt.RoundTrip(req)
		})
	}
	_, err = whoAmI(ctx, kubernetes.NewForConfigOrDie(cfg))
	if !apierrors.IsBadRequest(err) || !strings.HasSuffix(err.Error(), "without impersonating a user name") {
		t.Errorf("a group without a user: got %v, want 400 ... without impersonating a user name", err)
	}
}

func impersonating(cfg *rest.Config, imp rest.ImpersonationConfig) *rest.Config {
	cfg.Impersonate = imp
	return cfg
}
