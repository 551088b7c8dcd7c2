package review

import (
	"context"
	"fmt"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/utils/clock"
)

// SelfSubjectReviewREST serves authentication.k8s.io/v1 selfsubjectreviews.
type SelfSubjectReviewREST struct {
	clock clock.PassiveClock // stamps metadata.creationTimestamp
}

// NewSelfSubjectReview returns the selfsubjectreviews endpoint.
func NewSelfSubjectReview() *SelfSubjectReviewREST {
	return &SelfSubjectReviewREST{clock: clock.RealClock{}}
}

// New implements rest.Storage.
func (r *SelfSubjectReviewREST) New() runtime.Object { return &authenticationv1.SelfSubjectReview{} }

// Destroy implements rest.Storage; there is nothing to release.
func (r *SelfSubjectReviewREST) Destroy() {}

// NamespaceScoped implements rest.Scoper.
func (r *SelfSubjectReviewREST) NamespaceScoped() bool { return false }

// GetSingularName implements rest.SingularNameProvider.
func (r *SelfSubjectReviewREST) GetSingularName() string { return "selfsubjectreview" }

// Create returns a new review whose status is the requesting user and whose
// creationTimestamp is now; nothing of the posted object is kept.
func (r *SelfSubjectReviewREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	// Upstream runs createValidation before the type check; kept in that order.
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	if _, ok := obj.(*authenticationv1.SelfSubjectReview); !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a SelfSubjectReview: %#v", obj))
	}
	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("no user present on request")
	}
	return &authenticationv1.SelfSubjectReview{
		ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(r.clock.Now())},
		Status: authenticationv1.SelfSubjectReviewStatus{
			UserInfo: userInfo(u.GetName(), u.GetUID(), u.GetGroups(), u.GetExtra()),
		},
	}, nil
}
