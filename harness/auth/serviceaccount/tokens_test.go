package serviceaccount

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	clocktesting "k8s.io/utils/clock/testing"
)

// objects is a registry of one resource for tests: rest.Getter over a map.
type objects map[string]runtime.Object

func (o objects) Get(ctx context.Context, name string, _ *metav1.GetOptions) (runtime.Object, error) {
	info, _ := genericapirequest.RequestInfoFrom(ctx)
	if obj, ok := o[genericapirequest.NamespaceValue(ctx)+"/"+name]; ok {
		return obj, nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: info.Resource}, name)
}

func newTokens(t *testing.T, c *clocktesting.FakeClock, sa *corev1.ServiceAccount, secret *corev1.Secret) *Tokens {
	t.Helper()
	tokens, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	secrets := objects{}
	if secret != nil {
		secrets[secret.Namespace+"/"+secret.Name] = secret
	}
	tokens.SetObjects(Objects{ServiceAccounts: objects{sa.Namespace + "/" + sa.Name: sa}, Secrets: secrets, Pods: objects{}, Nodes: objects{}})
	return tokens
}

// TestAuthenticatorKeys: a server accepts its own tokens only, and none
// before its objects are set.
func TestAuthenticatorKeys(t *testing.T) {
	c := clocktesting.NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "robot", UID: "sa-uid"}}
	one, two := newTokens(t, c, sa, nil), newTokens(t, c, sa, nil)
	public, private := claims(sa, boundObjects{}, c.Now(), 600, 0, []string{DefaultIssuer})
	token, err := one.sign(DefaultIssuer, public, private)
	if err != nil {
		t.Fatal(err)
	}
	ctx := authenticator.WithAudiences(context.Background(), one.APIAudiences())
	resp, ok, err := one.Authenticator().AuthenticateToken(ctx, token)
	if err != nil || !ok || resp.User.GetName() != "system:serviceaccount:ns:robot" {
		t.Errorf("own token: %v %v %v", resp, ok, err)
	}
	if _, ok, err := two.Authenticator().AuthenticateToken(ctx, token); ok || err == nil || err.Error() != "invalid signature, no keys found" {
		t.Errorf("another server's token: ok %v, err %v; want invalid signature, no keys found", ok, err)
	}
	// the legacy authenticator does not take bound tokens, nor the reverse.
	if _, ok, err := one.LegacyAuthenticator().AuthenticateToken(ctx, token); ok || err != nil {
		t.Errorf("legacy authenticator on a bound token: ok %v, err %v; want not mine", ok, err)
	}
	unready, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	unready.signer = one.signer
	unready.key, unready.keyID = one.key, one.keyID
	if _, ok, err := unready.Authenticator().AuthenticateToken(ctx, token); ok || err != errNotReady {
		t.Errorf("before SetObjects: ok %v, err %v; want %v", ok, err, errNotReady)
	}
}

// TestLegacyAuthenticator: a Secret's token is good while the Secret holds
// it and the service account is the one it names.
func TestLegacyAuthenticator(t *testing.T) {
	c := clocktesting.NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "robot", UID: "sa-uid"}}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "robot-token", UID: "secret-uid"}, Type: corev1.SecretTypeServiceAccountToken}
	tokens := newTokens(t, c, sa, secret)
	token, err := tokens.LegacyToken(sa, secret)
	if err != nil {
		t.Fatal(err)
	}
	other, err := tokens.LegacyToken(&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "robot", UID: "old-uid"}}, secret)
	if err != nil {
		t.Fatal(err)
	}
	ctx := authenticator.WithAudiences(context.Background(), tokens.APIAudiences())
	for _, tc := range []struct {
		name, token, data, invalidSince string
		err                             string
	}{
		{name: "valid", token: token, data: token},
		{name: "not the secret's", token: token, data: "something else", err: "Token does not match server's copy"},
		{name: "old service account", token: other, data: other, err: "ServiceAccount UID (sa-uid) does not match claim (old-uid)"},
		{name: "invalidated", token: token, data: token, invalidSince: "2029-01-01",
			err: "the token in secret ns/robot-token for service account ns/robot has been marked invalid."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secret.Data = map[string][]byte{corev1.ServiceAccountTokenKey: []byte(tc.data)}
			secret.Labels = map[string]string{invalidSinceLabel: tc.invalidSince}
			resp, ok, err := tokens.LegacyAuthenticator().AuthenticateToken(ctx, tc.token)
			if tc.err != "" {
				if ok || err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Errorf("ok %v, err %v; want %s", ok, err, tc.err)
				}
				return
			}
			if err != nil || !ok {
				t.Fatalf("ok %v, err %v", ok, err)
			}
			u := resp.User
			if u.GetName() != "system:serviceaccount:ns:robot" || u.GetUID() != "sa-uid" || len(u.GetExtra()) != 0 {
				t.Errorf("user = %s %s %v", u.GetName(), u.GetUID(), u.GetExtra())
			}
			if want := tokens.APIAudiences(); !want.Has(resp.Audiences[0]) || len(resp.Audiences) != 1 {
				t.Errorf("audiences = %q, want the API's", resp.Audiences)
			}
		})
	}
}
