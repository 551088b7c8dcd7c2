package review

import (
	"context"
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

// SelfSubjectRulesReviewREST serves authorization.k8s.io/v1
// selfsubjectrulesreviews.
type SelfSubjectRulesReviewREST struct {
	rules authorizer.RuleResolver
}

// NewSelfSubjectRulesReview returns the selfsubjectrulesreviews endpoint; r
// must not be nil.
func NewSelfSubjectRulesReview(r authorizer.RuleResolver) *SelfSubjectRulesReviewREST {
	return &SelfSubjectRulesReviewREST{rules: r}
}

// New implements rest.Storage.
func (r *SelfSubjectRulesReviewREST) New() runtime.Object {
	return &authorizationv1.SelfSubjectRulesReview{}
}

// Destroy implements rest.Storage; there is nothing to release.
func (r *SelfSubjectRulesReviewREST) Destroy() {}

// NamespaceScoped implements rest.Scoper.
func (r *SelfSubjectRulesReviewREST) NamespaceScoped() bool { return false }

// GetSingularName implements rest.SingularNameProvider.
func (r *SelfSubjectRulesReviewREST) GetSingularName() string { return "selfsubjectrulesreview" }

// Create lists what the requesting user may do in spec.namespace. As
// upstream, it returns a new object holding only status (spec is not echoed),
// with empty, not null, rule lists, and the resolver's error in
// status.evaluationError.
func (r *SelfSubjectRulesReviewREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	srr, ok := obj.(*authorizationv1.SelfSubjectRulesReview)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a SelfSubjectRulesReview: %#v", obj))
	}
	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("no user present on request")
	}
	ns := srr.Spec.Namespace
	if ns == "" {
		return nil, apierrors.NewBadRequest("no namespace on request")
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}

	resourceInfos, nonResourceInfos, incomplete, err := r.rules.RulesFor(ctx, u, ns)
	out := &authorizationv1.SelfSubjectRulesReview{
		Status: authorizationv1.SubjectRulesReviewStatus{
			ResourceRules:    make([]authorizationv1.ResourceRule, len(resourceInfos)),
			NonResourceRules: make([]authorizationv1.NonResourceRule, len(nonResourceInfos)),
			Incomplete:       incomplete,
		},
	}
	for i, info := range resourceInfos {
		out.Status.ResourceRules[i] = authorizationv1.ResourceRule{
			Verbs:         info.GetVerbs(),
			APIGroups:     info.GetAPIGroups(),
			Resources:     info.GetResources(),
			ResourceNames: info.GetResourceNames(),
		}
	}
	for i, info := range nonResourceInfos {
		out.Status.NonResourceRules[i] = authorizationv1.NonResourceRule{
			Verbs:           info.GetVerbs(),
			NonResourceURLs: info.GetNonResourceURLs(),
		}
	}
	if err != nil {
		out.Status.EvaluationError = err.Error()
	}
	return out, nil
}
