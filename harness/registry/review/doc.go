// Package review serves the create-only "review" resources of kube-apiserver
// v1.37: authentication.k8s.io/v1 tokenreviews and selfsubjectreviews, and
// authorization.k8s.io/v1 subjectaccessreviews, selfsubjectaccessreviews,
// localsubjectaccessreviews and selfsubjectrulesreviews.
//
// Nothing is stored: Create answers from the authenticator, authorizer or rule
// resolver given to the constructor, or from the user on the request context.
// The behaviour (order of checks, status fields, error kinds and messages,
// validation field paths) is rewritten from k8s.io/kubernetes
// pkg/registry/authentication, pkg/registry/authorization and
// pkg/apis/authorization/validation at v1.37.1.
//
// memkube has no internal types: each group's __internal version holds the v1
// Go types, so New returns and Create receives k8s.io/api/.../v1 objects.
//
// Known gaps:
//   - Declarative validation is not run. In v1.37 every declarative rule on
//     these types is +k8s:alpha, which upstream always shadows behind the
//     handwritten validation written here, so the answers are the same; if a
//     later version promotes a rule, its errors must be added by hand.
//   - authentication.k8s.io/v1beta1 selfsubjectreviews is not served here:
//     upstream disables that version by default.
//   - The audience mismatch in TokenReview is logged through the context's
//     logger (klog.FromContext) instead of the global klog.
package review

import "k8s.io/apiserver/pkg/registry/rest"

// reviewStorage is what every review resource implements: a create-only
// endpoint without a store.
type reviewStorage interface {
	rest.Storage
	rest.Creater
	rest.Scoper
	rest.SingularNameProvider
}

var (
	_ reviewStorage = (*TokenReviewREST)(nil)
	_ reviewStorage = (*SelfSubjectReviewREST)(nil)
	_ reviewStorage = (*SubjectAccessReviewREST)(nil)
	_ reviewStorage = (*SelfSubjectAccessReviewREST)(nil)
	_ reviewStorage = (*LocalSubjectAccessReviewREST)(nil)
	_ reviewStorage = (*SelfSubjectRulesReviewREST)(nil)
)
