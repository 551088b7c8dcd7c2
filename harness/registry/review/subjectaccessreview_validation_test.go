package review

import (
	"reflect"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// errorStrings is errs as their messages, the form the API shows them in.
func errorStrings(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestValidateSubjectAccessReview(t *testing.T) {
	nonResource := &authorizationv1.NonResourceAttributes{Path: "/healthz", Verb: "get"}
	tests := []struct {
		name string
		sar  authorizationv1.SubjectAccessReview
		want []string // nil for valid
	}{
		{
			name: "valid resource review",
			sar:  authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "get"}}},
		},
		{
			name: "groups stand in for user",
			sar:  authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{Groups: []string{"devs"}, NonResourceAttributes: nonResource}},
		},
		{
			name: "managedFields are not metadata",
			sar: authorizationv1.SubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}},
				Spec:       authorizationv1.SubjectAccessReviewSpec{User: "bob", NonResourceAttributes: nonResource},
			},
		},
		{
			name: "empty",
			want: []string{
				"spec: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified",
				`spec.user: Invalid value: "": at least one of user or group must be specified`,
			},
		},
		{
			name: "both attributes",
			sar: authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
				User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{}, NonResourceAttributes: nonResource,
			}},
			want: []string{`spec: Invalid value: {"Path":"/healthz","Verb":"get"}: exactly one of nonResourceAttributes or resourceAttributes must be specified`},
		},
		{
			name: "metadata",
			sar: authorizationv1.SubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Name: "x"},
				Spec:       authorizationv1.SubjectAccessReviewSpec{User: "bob", NonResourceAttributes: nonResource},
			},
			want: []string{`metadata: Invalid value: {"name":"x"}: must be empty`},
		},
		{
			name: "field selector with raw selector and requirements",
			sar: authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{
				FieldSelector: &authorizationv1.FieldSelectorAttributes{
					RawSelector:  "a=b",
					Requirements: []metav1.FieldSelectorRequirement{{Key: "a", Operator: metav1.FieldSelectorOpIn, Values: []string{"b"}}},
				},
			}}},
			want: []string{`spec.resourceAttributes.fieldSelector.rawSelector: Invalid value: "a=b": may not specified at the same time as requirements`},
		},
		{
			name: "empty selectors",
			sar: authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{
				FieldSelector: &authorizationv1.FieldSelectorAttributes{},
				LabelSelector: &authorizationv1.LabelSelectorAttributes{},
			}}},
			want: []string{
				"spec.resourceAttributes.fieldSelector.requirements: Required value: when spec.resourceAttributes.fieldSelector is specified, requirements or rawSelector is required",
				"spec.resourceAttributes.labelSelector.requirements: Required value: when spec.resourceAttributes.labelSelector is specified, requirements or rawSelector is required",
			},
		},
		{
			name: "bad requirements",
			sar: authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{
				FieldSelector: &authorizationv1.FieldSelectorAttributes{Requirements: []metav1.FieldSelectorRequirement{
					{Operator: metav1.FieldSelectorOpIn, Values: []string{"x"}},
					{Key: "a", Operator: metav1.FieldSelectorOpExists, Values: []string{"x"}},
				}},
				LabelSelector: &authorizationv1.LabelSelectorAttributes{Requirements: []metav1.LabelSelectorRequirement{
					{Key: "app", Operator: metav1.LabelSelectorOpIn},
					{Key: "bad key", Operator: metav1.LabelSelectorOpExists},
				}},
			}}},
			want: []string{
				"spec.resourceAttributes.fieldSelector.requirements[0].key: Required value: must be specified",
				"spec.resourceAttributes.fieldSelector.requirements[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
				"spec.resourceAttributes.labelSelector.requirements[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
				`spec.resourceAttributes.labelSelector.requirements[1].key: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
			},
		},
		{
			name: "unknown operators are allowed",
			sar: authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{
				FieldSelector: &authorizationv1.FieldSelectorAttributes{Requirements: []metav1.FieldSelectorRequirement{{Key: "a", Operator: "Near"}}},
				LabelSelector: &authorizationv1.LabelSelectorAttributes{Requirements: []metav1.LabelSelectorRequirement{{Key: "a", Operator: "Near"}}},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := errorStrings(validateSubjectAccessReview(&tt.sar))
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestValidateSelfSubjectAccessReview(t *testing.T) {
	tests := []struct {
		name string
		sar  authorizationv1.SelfSubjectAccessReview
		want []string
	}{
		{
			name: "valid without user",
			sar:  authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "list"}}},
		},
		{
			name: "empty",
			want: []string{"spec: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified"},
		},
		{
			name: "metadata and selector",
			sar: authorizationv1.SelfSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns"},
				Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
					LabelSelector: &authorizationv1.LabelSelectorAttributes{},
				}},
			},
			want: []string{
				"spec.resourceAttributes.labelSelector.requirements: Required value: when spec.resourceAttributes.labelSelector is specified, requirements or rawSelector is required",
				`metadata: Invalid value: {"namespace":"ns"}: must be empty`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := errorStrings(validateSelfSubjectAccessReview(&tt.sar))
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestValidateLocalSubjectAccessReview(t *testing.T) {
	tests := []struct {
		name string
		sar  authorizationv1.LocalSubjectAccessReview
		want []string
	}{
		{
			name: "valid",
			sar: authorizationv1.LocalSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: "foo"},
				Spec:       authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "foo"}},
			},
		},
		{
			name: "namespaces differ",
			sar: authorizationv1.LocalSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: "foo"},
				Spec:       authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "bar"}},
			},
			want: []string{`spec.resourceAttributes.namespace: Invalid value: "bar": must match metadata.namespace`},
		},
		{
			name: "non-resource and metadata",
			sar: authorizationv1.LocalSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: "foo", Labels: map[string]string{"a": "b"}},
				Spec:       authorizationv1.SubjectAccessReviewSpec{User: "bob", NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/x", Verb: "get"}},
			},
			want: []string{
				`metadata: Invalid value: {"namespace":"foo","labels":{"a":"b"}}: must be empty except for namespace`,
				`spec.nonResourceAttributes: Invalid value: {"Path":"/x","Verb":"get"}: disallowed on this kind of request`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := errorStrings(validateLocalSubjectAccessReview(&tt.sar))
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
