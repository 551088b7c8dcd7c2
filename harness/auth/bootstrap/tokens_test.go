package bootstrap_test

import (
	"encoding/json"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/memkube/memkube/harness/auth/bootstrap"
)

// TestTokenAuthenticator checks upstream's rules one by one against a
// Secret that passes them all.
func TestTokenAuthenticator(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	valid := func() *corev1.Secret {
		return &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-abcdef", Namespace: "kube-system"},
			Type:       "bootstrap.kubernetes.io/token",
			Data: map[string][]byte{
				"token-id":                       []byte("abcdef"),
				"token-secret":                   []byte("0123456789abcdef"),
				"usage-bootstrap-authentication": []byte("true"),
				"auth-extra-groups":              []byte("system:bootstrappers:nodes,system:bootstrappers:b"),
				"expiration":                     []byte(now.Add(time.Hour).Format(time.RFC3339)),
			},
		}
	}
	for _, tc := range []struct {
		name   string
		token  string
		edit   func(*corev1.Secret)
		user   string   // empty: not authenticated
		groups []string // of user
	}{
		{name: "valid", token: "abcdef.0123456789abcdef", user: "system:bootstrap:abcdef",
			groups: []string{"system:bootstrappers", "system:bootstrappers:b", "system:bootstrappers:nodes"}},
		{name: "no extra groups", token: "abcdef.0123456789abcdef", edit: func(s *corev1.Secret) { delete(s.Data, "auth-extra-groups") },
			user: "system:bootstrap:abcdef", groups: []string{"system:bootstrappers"}},
		{name: "no expiration", token: "abcdef.0123456789abcdef", edit: func(s *corev1.Secret) { delete(s.Data, "expiration") },
			user: "system:bootstrap:abcdef", groups: []string{"system:bootstrappers", "system:bootstrappers:b", "system:bootstrappers:nodes"}},
		{name: "not a bootstrap token", token: "abcdef0123456789abcdef"},
		{name: "upper case", token: "ABCDEF.0123456789ABCDEF"},
		{name: "no such secret", token: "zzzzzz.0123456789abcdef"},
		{name: "wrong secret", token: "abcdef.0123456789abcdee"},
		{name: "wrong type", token: "abcdef.0123456789abcdef", edit: func(s *corev1.Secret) { s.Type = corev1.SecretTypeOpaque }},
		{name: "token-id differs", token: "abcdef.0123456789abcdef", edit: func(s *corev1.Secret) { s.Data["token-id"] = []byte("abcdeg") }},
		{name: "expired", token: "abcdef.0123456789abcdef", edit: func(s *corev1.Secret) { s.Data["expiration"] = []byte(now.Format(time.RFC3339)) }},
		{name: "unparseable expiration", token: "abcdef.0123456789abcdef", edit: func(s *corev1.Secret) { s.Data["expiration"] = []byte("tomorrow") }},
		{name: "usage not true", token: "abcdef.0123456789abcdef", edit: func(s *corev1.Secret) { s.Data["usage-bootstrap-authentication"] = []byte("yes") }},
		{name: "usage missing", token: "abcdef.0123456789abcdef", edit: func(s *corev1.Secret) { delete(s.Data, "usage-bootstrap-authentication") }},
		{name: "invalid extra group", token: "abcdef.0123456789abcdef", edit: func(s *corev1.Secret) { s.Data["auth-extra-groups"] = []byte("system:masters") }},
		{name: "being deleted", token: "abcdef.0123456789abcdef", edit: func(s *corev1.Secret) { s.DeletionTimestamp = &metav1.Time{Time: now} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			secret := valid()
			if tc.edit != nil {
				tc.edit(secret)
			}
			indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
			if err := indexer.Add(secret); err != nil {
				t.Fatal(err)
			}
			a := bootstrap.NewTokenAuthenticator(corev1listers.NewSecretLister(indexer).Secrets("kube-system"), clocktesting.NewFakePassiveClock(now))
			resp, ok, err := a.AuthenticateToken(t.Context(), tc.token)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if tc.user == "" {
				if ok {
					t.Errorf("got user %v, want none", resp.User)
				}
				return
			}
			if !ok {
				t.Fatalf("got no user, want %s", tc.user)
			}
			got, _ := json.Marshal([]any{resp.User.GetName(), resp.User.GetGroups()})
			want, _ := json.Marshal([]any{tc.user, tc.groups})
			if string(got) != string(want) {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
}
