package review

import (
	"context"
	"errors"
	"reflect"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
)

// fakeAuthorizer answers decision, reason, err and records what it was asked.
type fakeAuthorizer struct {
	decision authorizer.Decision
	reason   string
	err      error

	attrs authorizer.Attributes
}

func (f *fakeAuthorizer) Authorize(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	f.attrs = a
	return f.decision, f.reason, f.err
}

func mustParseLabels(t *testing.T, s string) labels.Requirements {
	t.Helper()
	sel, err := labels.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	reqs, _ := sel.Requirements()
	return reqs
}

func TestSubjectAccessReviewCreate(t *testing.T) {
	bob := &user.DefaultInfo{Name: "bob"}
	tests := []struct {
		name       string
		spec       authorizationv1.SubjectAccessReviewSpec
		authz      fakeAuthorizer
		wantAttrs  authorizer.AttributesRecord // parse errors are compared by presence only
		wantStatus authorizationv1.SubjectAccessReviewStatus
	}{
		{
			name:       "non-resource, no opinion with reason and error",
			spec:       authorizationv1.SubjectAccessReviewSpec{User: "bob", NonResourceAttributes: &authorizationv1.NonResourceAttributes{Verb: "get", Path: "/mypath"}},
			authz:      fakeAuthorizer{decision: authorizer.DecisionNoOpinion, reason: "myreason", err: errors.New("myerror")},
			wantAttrs:  authorizer.AttributesRecord{User: bob, Verb: "get", Path: "/mypath"},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{Reason: "myreason", EvaluationError: "myerror"},
		},
		{
			name:       "non-resource allowed",
			spec:       authorizationv1.SubjectAccessReviewSpec{User: "bob", NonResourceAttributes: &authorizationv1.NonResourceAttributes{Verb: "get", Path: "/mypath"}},
			authz:      fakeAuthorizer{decision: authorizer.DecisionAllow, reason: "allowed"},
			wantAttrs:  authorizer.AttributesRecord{User: bob, Verb: "get", Path: "/mypath"},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{Allowed: true, Reason: "allowed"},
		},
		{
			name: "resource allowed, subject carried over",
			spec: authorizationv1.SubjectAccessReviewSpec{
				User: "bob", UID: "u-1", Groups: []string{"devs"}, Extra: map[string]authorizationv1.ExtraValue{"scopes": {"a"}},
				ResourceAttributes: &authorizationv1.ResourceAttributes{
					Namespace: "myns", Verb: "create", Group: "apps", Version: "v1",
					Resource: "deployments", Subresource: "scale", Name: "mydeployment",
				},
			},
			authz: fakeAuthorizer{decision: authorizer.DecisionAllow, reason: "allowed"},
			wantAttrs: authorizer.AttributesRecord{
				User:      &user.DefaultInfo{Name: "bob", UID: "u-1", Groups: []string{"devs"}, Extra: map[string][]string{"scopes": {"a"}}},
				Namespace: "myns", Verb: "create", APIGroup: "apps", APIVersion: "v1",
				Resource: "deployments", Subresource: "scale", Name: "mydeployment", ResourceRequest: true,
			},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{Allowed: true, Reason: "allowed"},
		},
		{
			name:       "resource denied, empty version matches all",
			spec:       authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{}},
			authz:      fakeAuthorizer{decision: authorizer.DecisionDeny, reason: "denied by policy"},
			wantAttrs:  authorizer.AttributesRecord{User: bob, ResourceRequest: true, APIVersion: "*"},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{Denied: true, Reason: "denied by policy"},
		},
		{
			name: "valid raw selectors",
			spec: authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{
				FieldSelector: &authorizationv1.FieldSelectorAttributes{RawSelector: "foo=bar"},
				LabelSelector: &authorizationv1.LabelSelectorAttributes{RawSelector: "key=value"},
			}},
			authz: fakeAuthorizer{decision: authorizer.DecisionDeny},
			wantAttrs: authorizer.AttributesRecord{
				User: bob, ResourceRequest: true, APIVersion: "*",
				FieldSelectorRequirements: fields.Requirements{{Operator: "=", Field: "foo", Value: "bar"}},
				LabelSelectorRequirements: mustParseLabels(t, "key=value"),
			},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{Denied: true},
		},
		{
			name: "unparsable raw selectors are ignored",
			spec: authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{
				FieldSelector: &authorizationv1.FieldSelectorAttributes{RawSelector: "key in value"},
				LabelSelector: &authorizationv1.LabelSelectorAttributes{RawSelector: "&"},
			}},
			authz: fakeAuthorizer{decision: authorizer.DecisionDeny},
			wantAttrs: authorizer.AttributesRecord{
				User: bob, ResourceRequest: true, APIVersion: "*",
				FieldSelectorParsingErr: errors.New("any"), LabelSelectorParsingErr: errors.New("any"),
			},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{
				Denied:          true,
				EvaluationError: "spec.resourceAttributes.fieldSelector ignored due to parse error; spec.resourceAttributes.labelSelector ignored due to parse error",
			},
		},
		{
			name: "requirements partially ignored, after the authorizer's error",
			spec: authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{
				FieldSelector: &authorizationv1.FieldSelectorAttributes{Requirements: []metav1.FieldSelectorRequirement{
					{Key: "spec.nodeName", Operator: metav1.FieldSelectorOpIn, Values: []string{"n1"}},
					{Key: "spec.nodeName", Operator: metav1.FieldSelectorOpExists},
					{Key: "status.phase", Operator: metav1.FieldSelectorOpNotIn, Values: []string{"Failed"}},
				}},
				LabelSelector: &authorizationv1.LabelSelectorAttributes{Requirements: []metav1.LabelSelectorRequirement{
					{Key: "app", Operator: "Near"},
				}},
			}},
			authz: fakeAuthorizer{decision: authorizer.DecisionNoOpinion, err: errors.New("webhook timed out")},
			wantAttrs: authorizer.AttributesRecord{
				User: bob, ResourceRequest: true, APIVersion: "*",
				FieldSelectorRequirements: fields.Requirements{
					{Operator: "=", Field: "spec.nodeName", Value: "n1"},
					{Operator: "!=", Field: "status.phase", Value: "Failed"},
				},
				FieldSelectorParsingErr: errors.New("any"), LabelSelectorParsingErr: errors.New("any"),
			},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{
				EvaluationError: "webhook timed out; spec.resourceAttributes.fieldSelector partially ignored due to parse error; spec.resourceAttributes.labelSelector ignored due to parse error",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			authz := tt.authz
			in := &authorizationv1.SubjectAccessReview{Spec: tt.spec}
			got, err := NewSubjectAccessReview(&authz).Create(context.Background(), in, nil, &metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			checkAttrs(t, authz.attrs, tt.wantAttrs)
			if status := got.(*authorizationv1.SubjectAccessReview).Status; status != tt.wantStatus {
				t.Errorf("status\n got %#v\nwant %#v", status, tt.wantStatus)
			}
		})
	}
}

// checkAttrs compares what the authorizer was asked with want; selector
// parse errors are compared by presence.
func checkAttrs(t *testing.T, gotAttrs authorizer.Attributes, want authorizer.AttributesRecord) {
	t.Helper()
	got, ok := gotAttrs.(authorizer.AttributesRecord)
	if !ok {
		t.Fatalf("authorizer asked %#v, want an AttributesRecord", gotAttrs)
	}
	if (got.FieldSelectorParsingErr != nil) != (want.FieldSelectorParsingErr != nil) {
		t.Errorf("field selector parse error %v, want one: %v", got.FieldSelectorParsingErr, want.FieldSelectorParsingErr != nil)
	}
	if (got.LabelSelectorParsingErr != nil) != (want.LabelSelectorParsingErr != nil) {
		t.Errorf("label selector parse error %v, want one: %v", got.LabelSelectorParsingErr, want.LabelSelectorParsingErr != nil)
	}
	got.FieldSelectorParsingErr, want.FieldSelectorParsingErr = nil, nil
	got.LabelSelectorParsingErr, want.LabelSelectorParsingErr = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("authorizer asked\n %#v\nwant %#v", got, want)
	}
}

func TestSubjectAccessReviewInvalid(t *testing.T) {
	authz := &fakeAuthorizer{decision: authorizer.DecisionAllow}
	_, err := NewSubjectAccessReview(authz).Create(context.Background(), &authorizationv1.SubjectAccessReview{}, nil, nil)
	// Upstream's message, kind-less (see invalid).
	want := `.authorization.k8s.io "" is invalid: [spec: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified, spec.user: Invalid value: "": at least one of user or group must be specified]`
	if !apierrors.IsInvalid(err) || err.Error() != want {
		t.Fatalf("got %v\nwant a 422 %s", err, want)
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		t.Fatalf("got %T, want an APIStatus", err)
	}
	d := status.Status().Details
	if d.Group != "authorization.k8s.io" || len(d.Causes) != 2 || d.Causes[0].Field != "spec" || d.Causes[1].Field != "spec.user" {
		t.Fatalf("details %+v, want group authorization.k8s.io and causes on spec, spec.user", d)
	}
	if authz.attrs != nil {
		t.Error("authorizer asked about an invalid review")
	}
}

func TestSelfSubjectAccessReviewCreate(t *testing.T) {
	alice := &user.DefaultInfo{Name: "alice", Groups: []string{"devs"}}
	ctx := genericapirequest.WithUser(context.Background(), alice)
	tests := []struct {
		name       string
		spec       authorizationv1.SelfSubjectAccessReviewSpec
		authz      fakeAuthorizer
		wantAttrs  authorizer.AttributesRecord
		wantStatus authorizationv1.SubjectAccessReviewStatus
	}{
		{
			name:       "resource allowed for the requesting user",
			spec:       authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "ns1", Verb: "list", Resource: "pods"}},
			authz:      fakeAuthorizer{decision: authorizer.DecisionAllow, reason: "RBAC: allowed"},
			wantAttrs:  authorizer.AttributesRecord{User: alice, Namespace: "ns1", Verb: "list", Resource: "pods", APIVersion: "*", ResourceRequest: true},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{Allowed: true, Reason: "RBAC: allowed"},
		},
		{
			name:       "non-resource denied",
			spec:       authorizationv1.SelfSubjectAccessReviewSpec{NonResourceAttributes: &authorizationv1.NonResourceAttributes{Verb: "get", Path: "/metrics"}},
			authz:      fakeAuthorizer{decision: authorizer.DecisionDeny, reason: "no", err: errors.New("boom")},
			wantAttrs:  authorizer.AttributesRecord{User: alice, Verb: "get", Path: "/metrics"},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{Denied: true, Reason: "no", EvaluationError: "boom"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			authz := tt.authz
			got, err := NewSelfSubjectAccessReview(&authz).Create(ctx, &authorizationv1.SelfSubjectAccessReview{Spec: tt.spec}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkAttrs(t, authz.attrs, tt.wantAttrs)
			if status := got.(*authorizationv1.SelfSubjectAccessReview).Status; status != tt.wantStatus {
				t.Errorf("status\n got %#v\nwant %#v", status, tt.wantStatus)
			}
		})
	}
}

func TestSelfSubjectAccessReviewRejects(t *testing.T) {
	withUser := genericapirequest.WithUser(context.Background(), &user.DefaultInfo{Name: "alice"})
	valid := authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "get"}}
	tests := []struct {
		name    string
		ctx     context.Context
		spec    authorizationv1.SelfSubjectAccessReviewSpec
		isErr   func(error) bool
		wantMsg string
	}{
		{"invalid before the user is looked at", context.Background(), authorizationv1.SelfSubjectAccessReviewSpec{}, apierrors.IsInvalid,
			`.authorization.k8s.io "" is invalid: spec: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified`},
		{"no user", context.Background(), valid, apierrors.IsBadRequest, "no user present on request"},
		{"invalid", withUser, authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{FieldSelector: &authorizationv1.FieldSelectorAttributes{}}}, apierrors.IsInvalid,
			`.authorization.k8s.io "" is invalid: spec.resourceAttributes.fieldSelector.requirements: Required value: when spec.resourceAttributes.fieldSelector is specified, requirements or rawSelector is required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			authz := &fakeAuthorizer{decision: authorizer.DecisionAllow}
			_, err := NewSelfSubjectAccessReview(authz).Create(tt.ctx, &authorizationv1.SelfSubjectAccessReview{Spec: tt.spec}, nil, nil)
			if !tt.isErr(err) || err.Error() != tt.wantMsg {
				t.Fatalf("got %v\nwant %s", err, tt.wantMsg)
			}
			if authz.attrs != nil {
				t.Error("authorizer asked about a rejected review")
			}
		})
	}
}

func TestLocalSubjectAccessReviewCreate(t *testing.T) {
	authz := &fakeAuthorizer{decision: authorizer.DecisionAllow, reason: "ok"}
	ctx := genericapirequest.WithNamespace(context.Background(), "foo")
	in := &authorizationv1.LocalSubjectAccessReview{
		ObjectMeta: metav1.ObjectMeta{Namespace: "foo"},
		Spec: authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: "foo", Verb: "get", Resource: "secrets",
		}},
	}
	got, err := NewLocalSubjectAccessReview(authz).Create(ctx, in, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkAttrs(t, authz.attrs, authorizer.AttributesRecord{
		User: &user.DefaultInfo{Name: "bob"}, Namespace: "foo", Verb: "get", Resource: "secrets", APIVersion: "*", ResourceRequest: true,
	})
	want := authorizationv1.SubjectAccessReviewStatus{Allowed: true, Reason: "ok"}
	if status := got.(*authorizationv1.LocalSubjectAccessReview).Status; status != want {
		t.Fatalf("status %#v, want %#v", status, want)
	}
}

func TestLocalSubjectAccessReviewRejects(t *testing.T) {
	review := func(metaNS, specNS string) *authorizationv1.LocalSubjectAccessReview {
		return &authorizationv1.LocalSubjectAccessReview{
			ObjectMeta: metav1.ObjectMeta{Namespace: metaNS},
			Spec:       authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: specNS, Verb: "get"}},
		}
	}
	tests := []struct {
		name    string
		ctxNS   string
		obj     runtime.Object
		isErr   func(error) bool
		wantMsg string
	}{
		{"spec namespace differs from metadata", "foo", review("foo", "bar"), apierrors.IsInvalid,
			`.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "bar": must match metadata.namespace`},
		{"non-resource attributes", "foo", &authorizationv1.LocalSubjectAccessReview{
			ObjectMeta: metav1.ObjectMeta{Namespace: "foo"},
			Spec:       authorizationv1.SubjectAccessReviewSpec{User: "bob", NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/healthz", Verb: "get"}},
		}, apierrors.IsInvalid,
			`.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: {"Path":"/healthz","Verb":"get"}: disallowed on this kind of request`},
		{"no namespace on the request", "", review("foo", "foo"), apierrors.IsBadRequest, "namespace is required on this type: "},
		{"request namespace differs", "other", review("foo", "foo"), apierrors.IsBadRequest, "spec.resourceAttributes.namespace must match namespace: other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if tt.ctxNS != "" {
				ctx = genericapirequest.WithNamespace(ctx, tt.ctxNS)
			}
			authz := &fakeAuthorizer{decision: authorizer.DecisionAllow}
			_, err := NewLocalSubjectAccessReview(authz).Create(ctx, tt.obj, nil, nil)
			if !tt.isErr(err) || err.Error() != tt.wantMsg {
				t.Fatalf("got %v\nwant %s", err, tt.wantMsg)
			}
			if authz.attrs != nil {
				t.Error("authorizer asked about a rejected review")
			}
		})
	}
}

func TestSubjectAccessReviewCreateValidation(t *testing.T) {
	authz := &fakeAuthorizer{decision: authorizer.DecisionAllow}
	boom := errors.New("admission says no")
	var seen runtime.Object
	in := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{}}}
	_, err := NewSubjectAccessReview(authz).Create(context.Background(), in,
		func(_ context.Context, obj runtime.Object) error { seen = obj; return boom }, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the createValidation error", err)
	}
	if seen == runtime.Object(in) || !reflect.DeepEqual(seen, in) {
		t.Errorf("createValidation got %p, want a deep copy of %p", seen, in)
	}
	if authz.attrs != nil {
		t.Error("authorizer asked after createValidation failed")
	}
}
