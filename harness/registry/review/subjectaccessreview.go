package review

import (
	"context"
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

// invalid is the 422 for a review that fails validation. Upstream names the
// kind from the object's TypeMeta, which is always empty there (the request is
// converted into an internal object and conversion does not copy TypeMeta), so
// the message reads `.authorization.k8s.io "" is invalid: ...`. memkube decodes
// straight into the v1 object with kind set, hence the fixed empty kind.
func invalid(errs field.ErrorList) error {
	return apierrors.NewInvalid(schema.GroupKind{Group: authorizationv1.GroupName}, "", errs)
}

// decide asks a about attrs and turns the answer into a review status.
func decide(ctx context.Context, a authorizer.UnconditionalAuthorizer, attrs authorizer.AttributesRecord) authorizationv1.SubjectAccessReviewStatus {
	decision, reason, err := a.Authorize(ctx, attrs)
	return authorizationv1.SubjectAccessReviewStatus{
		Allowed:         decision == authorizer.DecisionAllow,
		Denied:          decision == authorizer.DecisionDeny,
		Reason:          reason,
		EvaluationError: evaluationError(err, attrs),
	}
}

// SubjectAccessReviewREST serves authorization.k8s.io/v1 subjectaccessreviews.
type SubjectAccessReviewREST struct {
	authz authorizer.UnconditionalAuthorizer
}

// NewSubjectAccessReview returns the subjectaccessreviews endpoint; a must not
// be nil (upstream serves no authorization group without an authorizer).
func NewSubjectAccessReview(a authorizer.UnconditionalAuthorizer) *SubjectAccessReviewREST {
	return &SubjectAccessReviewREST{authz: a}
}

// New implements rest.Storage.
func (r *SubjectAccessReviewREST) New() runtime.Object {
	return &authorizationv1.SubjectAccessReview{}
}

// Destroy implements rest.Storage; there is nothing to release.
func (r *SubjectAccessReviewREST) Destroy() {}

// NamespaceScoped implements rest.Scoper.
func (r *SubjectAccessReviewREST) NamespaceScoped() bool { return false }

// GetSingularName implements rest.SingularNameProvider.
func (r *SubjectAccessReviewREST) GetSingularName() string { return "subjectaccessreview" }

// Create validates the review, asks the authorizer whether spec's user may
// do what spec describes, and returns the review with status filled.
func (r *SubjectAccessReviewREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	sar, ok := obj.(*authorizationv1.SubjectAccessReview)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a SubjectAccessReview: %#v", obj))
	}
	if errs := validateSubjectAccessReview(sar); len(errs) > 0 {
		return nil, invalid(errs)
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	sar.Status = decide(ctx, r.authz, attributesFor(sar.Spec))
	return sar, nil
}

// SelfSubjectAccessReviewREST serves authorization.k8s.io/v1
// selfsubjectaccessreviews.
type SelfSubjectAccessReviewREST struct {
	authz authorizer.UnconditionalAuthorizer
}

// NewSelfSubjectAccessReview returns the selfsubjectaccessreviews endpoint; a
// must not be nil.
func NewSelfSubjectAccessReview(a authorizer.UnconditionalAuthorizer) *SelfSubjectAccessReviewREST {
	return &SelfSubjectAccessReviewREST{authz: a}
}

// New implements rest.Storage.
func (r *SelfSubjectAccessReviewREST) New() runtime.Object {
	return &authorizationv1.SelfSubjectAccessReview{}
}

// Destroy implements rest.Storage; there is nothing to release.
func (r *SelfSubjectAccessReviewREST) Destroy() {}

// NamespaceScoped implements rest.Scoper.
func (r *SelfSubjectAccessReviewREST) NamespaceScoped() bool { return false }

// GetSingularName implements rest.SingularNameProvider.
func (r *SelfSubjectAccessReviewREST) GetSingularName() string { return "selfsubjectaccessreview" }

// Create is SubjectAccessReviewREST.Create for the requesting user, taken
// from the context.
func (r *SelfSubjectAccessReviewREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	sar, ok := obj.(*authorizationv1.SelfSubjectAccessReview)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a SelfSubjectAccessReview: %#v", obj))
	}
	if errs := validateSelfSubjectAccessReview(sar); len(errs) > 0 {
		return nil, invalid(errs)
	}
	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("no user present on request")
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	sar.Status = decide(ctx, r.authz, attributesOf(u, sar.Spec.ResourceAttributes, sar.Spec.NonResourceAttributes))
	return sar, nil
}

// LocalSubjectAccessReviewREST serves authorization.k8s.io/v1
// localsubjectaccessreviews, a namespaced SubjectAccessReview.
type LocalSubjectAccessReviewREST struct {
	authz authorizer.UnconditionalAuthorizer
}

// NewLocalSubjectAccessReview returns the localsubjectaccessreviews endpoint;
// a must not be nil.
func NewLocalSubjectAccessReview(a authorizer.UnconditionalAuthorizer) *LocalSubjectAccessReviewREST {
	return &LocalSubjectAccessReviewREST{authz: a}
}

// New implements rest.Storage.
func (r *LocalSubjectAccessReviewREST) New() runtime.Object {
	return &authorizationv1.LocalSubjectAccessReview{}
}

// Destroy implements rest.Storage; there is nothing to release.
func (r *LocalSubjectAccessReviewREST) Destroy() {}

// NamespaceScoped implements rest.Scoper.
func (r *LocalSubjectAccessReviewREST) NamespaceScoped() bool { return true }

// GetSingularName implements rest.SingularNameProvider.
func (r *LocalSubjectAccessReviewREST) GetSingularName() string { return "localsubjectaccessreview" }

// Create is SubjectAccessReviewREST.Create restricted to the request's
// namespace: metadata.namespace and spec.resourceAttributes.namespace must
// both be it, and non-resource attributes are refused.
func (r *LocalSubjectAccessReviewREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	sar, ok := obj.(*authorizationv1.LocalSubjectAccessReview)
	if !ok {
		// Upstream's message, typo included.
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a LocaLocalSubjectAccessReview: %#v", obj))
	}
	if errs := validateLocalSubjectAccessReview(sar); len(errs) > 0 {
		return nil, invalid(errs)
	}
	ns := genericapirequest.NamespaceValue(ctx)
	if ns == "" {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("namespace is required on this type: %v", ns))
	}
	if ns != sar.Namespace {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("spec.resourceAttributes.namespace must match namespace: %v", ns))
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	sar.Status = decide(ctx, r.authz, attributesFor(sar.Spec))
	return sar, nil
}
