package validation_test

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// groupCase is a table row for the groups' kinds: change breaks a valid
// object, want is every error, in order, as errs[i].Error() prints it.
type groupCase[T any] struct {
	name   string
	change func(T)
	want   []string
}

// runGroupCases validates valid() changed by each case with validate.
func runGroupCases[T any](t *testing.T, valid func() T, validate func(T) field.ErrorList, cases []groupCase[T]) {
	t.Helper()
	if errs := validate(valid()); len(errs) != 0 {
		t.Fatalf("valid object: got %v, want no errors", errs)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			obj := valid()
			tc.change(obj)
			assertErrors(t, validate(obj), tc.want)
		})
	}
}

func assertErrors(t *testing.T, errs field.ErrorList, want []string) {
	t.Helper()
	got := make([]string, len(errs))
	for i, err := range errs {
		got[i] = err.Error()
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got errors\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
