package review

import (
	"reflect"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestStorageShape(t *testing.T) {
	tests := []struct {
		storage    reviewStorage
		want       runtime.Object
		singular   string
		namespaced bool
	}{
		{NewTokenReview(nil, nil), &authenticationv1.TokenReview{}, "tokenreview", false},
		{NewSelfSubjectReview(), &authenticationv1.SelfSubjectReview{}, "selfsubjectreview", false},
		{NewSubjectAccessReview(nil), &authorizationv1.SubjectAccessReview{}, "subjectaccessreview", false},
		{NewSelfSubjectAccessReview(nil), &authorizationv1.SelfSubjectAccessReview{}, "selfsubjectaccessreview", false},
		{NewLocalSubjectAccessReview(nil), &authorizationv1.LocalSubjectAccessReview{}, "localsubjectaccessreview", true},
		{NewSelfSubjectRulesReview(nil), &authorizationv1.SelfSubjectRulesReview{}, "selfsubjectrulesreview", false},
	}
	for _, tt := range tests {
		t.Run(tt.singular, func(t *testing.T) {
			t.Parallel()
			if got := tt.storage.New(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("New() = %#v, want %#v", got, tt.want)
			}
			if got := tt.storage.GetSingularName(); got != tt.singular {
				t.Errorf("singular name %q, want %q", got, tt.singular)
			}
			if got := tt.storage.NamespaceScoped(); got != tt.namespaced {
				t.Errorf("namespaced %v, want %v", got, tt.namespaced)
			}
			tt.storage.Destroy()
		})
	}
}
