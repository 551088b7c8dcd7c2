package review

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/klog/v2"
)

// errAudiences is upstream's answer when the authenticator accepted a token
// for none of the audiences the review asked about: a 500, not a status.
var errAudiences = apierrors.NewInternalError(errors.New("error validating audiences"))

// TokenReviewREST serves authentication.k8s.io/v1 tokenreviews.
type TokenReviewREST struct {
	auth         authenticator.Request
	apiAudiences authenticator.Audiences
}

// NewTokenReview returns the tokenreviews endpoint. auth authenticates a
// request carrying nothing but "Authorization: Bearer <spec.token>", as
// kube-apiserver runs its whole request authenticator; wrap an
// authenticator.Token with k8s.io/apiserver/pkg/authentication/request/bearertoken
// to use one. A nil auth echoes every review back unauthenticated, as upstream
// does. apiAudiences are the server's audiences, used when spec.audiences is
// empty.
func NewTokenReview(auth authenticator.Request, apiAudiences authenticator.Audiences) *TokenReviewREST {
	return &TokenReviewREST{auth: auth, apiAudiences: apiAudiences}
}

// New implements rest.Storage.
func (r *TokenReviewREST) New() runtime.Object { return &authenticationv1.TokenReview{} }

// Destroy implements rest.Storage; there is nothing to release.
func (r *TokenReviewREST) Destroy() {}

// NamespaceScoped implements rest.Scoper.
func (r *TokenReviewREST) NamespaceScoped() bool { return false }

// GetSingularName implements rest.SingularNameProvider.
func (r *TokenReviewREST) GetSingularName() string { return "tokenreview" }

// Create authenticates spec.token and fills status. An empty token is a 400;
// an authenticator error is reported in status.error, not returned.
func (r *TokenReviewREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	review, ok := obj.(*authenticationv1.TokenReview)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a TokenReview: %#v", obj))
	}
	if ns := genericapirequest.NamespaceValue(ctx); ns != "" {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("namespace is not allowed on this type: %v", ns))
	}
	if review.Spec.Token == "" {
		return nil, apierrors.NewBadRequest("token is required for TokenReview in authentication")
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	if r.auth == nil {
		return review, nil
	}

	req := &http.Request{Header: http.Header{}}
	req.Header.Add("Authorization", "Bearer "+review.Spec.Token)
	auds := authenticator.Audiences(review.Spec.Audiences)
	if len(auds) == 0 {
		auds = r.apiAudiences
	}
	if len(auds) > 0 {
		req = req.WithContext(authenticator.WithAudiences(req.Context(), auds))
	}

	resp, ok, err := r.auth.AuthenticateRequest(req)
	review.Status.Authenticated = ok
	if err != nil {
		review.Status.Error = err.Error()
	}
	if len(auds) > 0 && resp != nil && len(auds.Intersect(resp.Audiences)) == 0 {
		klog.FromContext(ctx).Error(nil, "error validating audience", "want", auds, "got", resp.Audiences)
		return nil, errAudiences
	}
	if resp != nil && resp.User != nil {
		review.Status.User = userInfo(resp.User.GetName(), resp.User.GetUID(), resp.User.GetGroups(), resp.User.GetExtra())
		review.Status.Audiences = resp.Audiences
	}
	return review, nil
}

// userInfo is the API form of a user.Info. Extra is never nil, as upstream.
func userInfo(name, uid string, groups []string, extra map[string][]string) authenticationv1.UserInfo {
	u := authenticationv1.UserInfo{
		Username: name,
		UID:      uid,
		Groups:   groups,
		Extra:    make(map[string]authenticationv1.ExtraValue, len(extra)),
	}
	for k, v := range extra {
		u.Extra[k] = v
	}
	return u
}
