package review

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
)

// fakeAuthenticator answers resp, ok, err and records the request it saw.
type fakeAuthenticator struct {
	resp *authenticator.Response
	ok   bool
	err  error

	header string                  // Authorization header seen
	auds   authenticator.Audiences // audiences on the request context
	called bool
}

func (f *fakeAuthenticator) AuthenticateRequest(req *http.Request) (*authenticator.Response, bool, error) {
	f.called = true
	f.header = req.Header.Get("Authorization")
	f.auds, _ = authenticator.AudiencesFrom(req.Context())
	return f.resp, f.ok, f.err
}

func TestTokenReviewCreate(t *testing.T) {
	alice := &user.DefaultInfo{Name: "alice", UID: "u-1", Groups: []string{"devs"}, Extra: map[string][]string{"scopes": {"a", "b"}}}
	aliceInfo := authenticationv1.UserInfo{Username: "alice", UID: "u-1", Groups: []string{"devs"}, Extra: map[string]authenticationv1.ExtraValue{"scopes": {"a", "b"}}}
	tests := []struct {
		name         string
		apiAuds      authenticator.Audiences
		spec         authenticationv1.TokenReviewSpec
		auth         fakeAuthenticator
		wantAuds     authenticator.Audiences
		wantStatus   authenticationv1.TokenReviewStatus
		wantInternal string // message of a 500, "" for success
	}{
		{
			name:       "authenticated",
			spec:       authenticationv1.TokenReviewSpec{Token: "tok"},
			auth:       fakeAuthenticator{resp: &authenticator.Response{User: alice}, ok: true},
			wantStatus: authenticationv1.TokenReviewStatus{Authenticated: true, User: aliceInfo},
		},
		{
			name:       "unauthenticated",
			spec:       authenticationv1.TokenReviewSpec{Token: "tok"},
			auth:       fakeAuthenticator{},
			wantStatus: authenticationv1.TokenReviewStatus{},
		},
		{
			name:       "authenticator error goes to status.error",
			spec:       authenticationv1.TokenReviewSpec{Token: "tok"},
			auth:       fakeAuthenticator{err: errors.New("token expired")},
			wantStatus: authenticationv1.TokenReviewStatus{Error: "token expired"},
		},
		{
			name:       "user without extra gets an empty extra map",
			spec:       authenticationv1.TokenReviewSpec{Token: "tok"},
			auth:       fakeAuthenticator{resp: &authenticator.Response{User: &user.DefaultInfo{Name: "bob"}}, ok: true},
			wantStatus: authenticationv1.TokenReviewStatus{Authenticated: true, User: authenticationv1.UserInfo{Username: "bob", Extra: map[string]authenticationv1.ExtraValue{}}},
		},
		{
			name:       "server audiences when spec has none",
			apiAuds:    authenticator.Audiences{"api"},
			spec:       authenticationv1.TokenReviewSpec{Token: "tok"},
			auth:       fakeAuthenticator{resp: &authenticator.Response{User: alice, Audiences: authenticator.Audiences{"api"}}, ok: true},
			wantAuds:   authenticator.Audiences{"api"},
			wantStatus: authenticationv1.TokenReviewStatus{Authenticated: true, User: aliceInfo, Audiences: []string{"api"}},
		},
		{
			name:       "spec audiences replace the server's",
			apiAuds:    authenticator.Audiences{"api"},
			spec:       authenticationv1.TokenReviewSpec{Token: "tok", Audiences: []string{"vault", "other"}},
			auth:       fakeAuthenticator{resp: &authenticator.Response{User: alice, Audiences: authenticator.Audiences{"vault"}}, ok: true},
			wantAuds:   authenticator.Audiences{"vault", "other"},
			wantStatus: authenticationv1.TokenReviewStatus{Authenticated: true, User: aliceInfo, Audiences: []string{"vault"}},
		},
		{
			name:         "authenticator audiences outside the review's",
			spec:         authenticationv1.TokenReviewSpec{Token: "tok", Audiences: []string{"vault"}},
			auth:         fakeAuthenticator{resp: &authenticator.Response{User: alice, Audiences: authenticator.Audiences{"api"}}, ok: true},
			wantAuds:     authenticator.Audiences{"vault"},
			wantInternal: "Internal error occurred: error validating audiences",
		},
		{
			name:         "audience-unaware authenticator with audiences asked",
			spec:         authenticationv1.TokenReviewSpec{Token: "tok", Audiences: []string{"vault"}},
			auth:         fakeAuthenticator{resp: &authenticator.Response{User: alice}, ok: true},
			wantAuds:     authenticator.Audiences{"vault"},
			wantInternal: "Internal error occurred: error validating audiences",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			auth := tt.auth
			r := NewTokenReview(&auth, tt.apiAuds)
			in := &authenticationv1.TokenReview{Spec: tt.spec}
			got, err := r.Create(context.Background(), in, nil, &metav1.CreateOptions{})
			if auth.header != "Bearer tok" {
				t.Errorf("Authorization header %q, want %q", auth.header, "Bearer tok")
			}
			if !reflect.DeepEqual(auth.auds, tt.wantAuds) {
				t.Errorf("request audiences %v, want %v", auth.auds, tt.wantAuds)
			}
			if tt.wantInternal != "" {
				if !apierrors.IsInternalError(err) || err.Error() != tt.wantInternal {
					t.Fatalf("got error %v, want a 500 %q", err, tt.wantInternal)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			status := got.(*authenticationv1.TokenReview).Status
			if !reflect.DeepEqual(status, tt.wantStatus) {
				t.Errorf("status\n got %#v\nwant %#v", status, tt.wantStatus)
			}
		})
	}
}

func TestTokenReviewCreateRejects(t *testing.T) {
	tests := []struct {
		name    string
		ctx     context.Context
		obj     runtime.Object
		wantMsg string
	}{
		{"empty token", context.Background(), &authenticationv1.TokenReview{}, "token is required for TokenReview in authentication"},
		{"namespace on the request", genericapirequest.WithNamespace(context.Background(), "ns1"),
			&authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: "tok"}}, "namespace is not allowed on this type: ns1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			auth := &fakeAuthenticator{ok: true}
			_, err := NewTokenReview(auth, nil).Create(tt.ctx, tt.obj, nil, nil)
			if !apierrors.IsBadRequest(err) || err.Error() != tt.wantMsg {
				t.Fatalf("got %v, want a 400 %q", err, tt.wantMsg)
			}
			if auth.called {
				t.Error("authenticator called, want the review rejected first")
			}
		})
	}
}

func TestTokenReviewCreateValidation(t *testing.T) {
	auth := &fakeAuthenticator{ok: true}
	denied := apierrors.NewForbidden(authenticationv1.Resource("tokenreviews"), "", errors.New("admission says no"))
	_, err := NewTokenReview(auth, nil).Create(context.Background(),
		&authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: "tok"}},
		func(context.Context, runtime.Object) error { return denied }, nil)
	if !errors.Is(err, denied) {
		t.Fatalf("got %v, want the createValidation error", err)
	}
	if auth.called {
		t.Error("authenticator called after createValidation failed")
	}
}

func TestTokenReviewWithoutAuthenticator(t *testing.T) {
	in := &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: "tok"}}
	got, err := NewTokenReview(nil, nil).Create(context.Background(), in, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: "tok"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want the review echoed unauthenticated", got)
	}
}
