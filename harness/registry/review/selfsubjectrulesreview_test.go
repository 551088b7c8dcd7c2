package review

import (
	"context"
	"errors"
	"reflect"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
)

// fakeRuleResolver answers fixed rules and records whom it was asked about.
type fakeRuleResolver struct {
	resource    []authorizer.ResourceRuleInfo
	nonResource []authorizer.NonResourceRuleInfo
	incomplete  bool
	err         error

	user      user.Info
	namespace string
}

func (f *fakeRuleResolver) RulesFor(_ context.Context, u user.Info, ns string) ([]authorizer.ResourceRuleInfo, []authorizer.NonResourceRuleInfo, bool, error) {
	f.user, f.namespace = u, ns
	return f.resource, f.nonResource, f.incomplete, f.err
}

func TestSelfSubjectRulesReviewCreate(t *testing.T) {
	alice := &user.DefaultInfo{Name: "alice"}
	ctx := genericapirequest.WithUser(context.Background(), alice)
	tests := []struct {
		name     string
		resolver fakeRuleResolver
		want     authorizationv1.SubjectRulesReviewStatus
	}{
		{
			name: "complete",
			resolver: fakeRuleResolver{
				resource: []authorizer.ResourceRuleInfo{&authorizer.DefaultResourceRuleInfo{
					Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{"p1"},
				}},
				nonResource: []authorizer.NonResourceRuleInfo{&authorizer.DefaultNonResourceRuleInfo{
					Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"},
				}},
			},
			want: authorizationv1.SubjectRulesReviewStatus{
				ResourceRules:    []authorizationv1.ResourceRule{{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{"p1"}}},
				NonResourceRules: []authorizationv1.NonResourceRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}},
			},
		},
		{
			name:     "incomplete with an evaluation error and no rules",
			resolver: fakeRuleResolver{incomplete: true, err: errors.New("webhook authorizer does not support user rule resolution")},
			want: authorizationv1.SubjectRulesReviewStatus{
				ResourceRules:    []authorizationv1.ResourceRule{},
				NonResourceRules: []authorizationv1.NonResourceRule{},
				Incomplete:       true,
				EvaluationError:  "webhook authorizer does not support user rule resolution",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resolver := tt.resolver
			in := &authorizationv1.SelfSubjectRulesReview{Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: "ns1"}}
			got, err := NewSelfSubjectRulesReview(&resolver).Create(ctx, in, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resolver.user != alice || resolver.namespace != "ns1" {
				t.Errorf("resolver asked about %v in %q, want alice in ns1", resolver.user, resolver.namespace)
			}
			want := &authorizationv1.SelfSubjectRulesReview{Status: tt.want} // spec is not echoed
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestSelfSubjectRulesReviewRejects(t *testing.T) {
	tests := []struct {
		name    string
		ctx     context.Context
		ns      string
		wantMsg string
	}{
		{"no user", context.Background(), "ns1", "no user present on request"},
		{"no namespace", genericapirequest.WithUser(context.Background(), &user.DefaultInfo{Name: "alice"}), "", "no namespace on request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resolver := &fakeRuleResolver{}
			in := &authorizationv1.SelfSubjectRulesReview{Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: tt.ns}}
			_, err := NewSelfSubjectRulesReview(resolver).Create(tt.ctx, in, nil, nil)
			if !apierrors.IsBadRequest(err) || err.Error() != tt.wantMsg {
				t.Fatalf("got %v, want a 400 %q", err, tt.wantMsg)
			}
			if resolver.user != nil {
				t.Error("resolver asked about a rejected review")
			}
		})
	}
}
