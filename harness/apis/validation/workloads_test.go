package validation_test

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/memkube/memkube/harness/apis/defaults"
)

// scheme defaults test objects as a request's decoding does, so that they
// reach validation as they would through the server.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := defaults.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}()

func defaulted[T runtime.Object](obj T) T {
	scheme.Default(obj)
	return obj
}

// podTemplate is a valid pod template labelled app=web.
func podTemplate() corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}},
	}
}

func webSelector() *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
}

// invalid is one table case: change makes a valid object invalid, and want
// is every error, in order, as errs[i].Error().
type invalid[T any] struct {
	name   string
	change func(T)
	want   []string
}

// run checks that valid() passes validate and that each case fails it with
// exactly its errors.
func run[T runtime.Object](t *testing.T, valid func() T, validate func(T) field.ErrorList, cases []invalid[T]) {
	t.Helper()
	if errs := validate(valid()); len(errs) != 0 {
		t.Fatalf("valid object: got %v, want no errors", errs)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			obj := valid()
			tc.change(obj)
			wantErrs(t, validate(obj), tc.want)
		})
	}
}

func wantErrs(t *testing.T, errs field.ErrorList, want []string) {
	t.Helper()
	var got []string
	for _, err := range errs {
		got = append(got, err.Error())
	}
	if !slices.Equal(got, want) {
		t.Errorf("got errors\n%q\nwant\n%q", got, want)
	}
}

// updated returns validate of an update from valid() to valid() changed.
func updated[T runtime.Object](valid func() T, change func(T), validate func(obj, old T) field.ErrorList) field.ErrorList {
	old, obj := valid(), valid()
	change(obj)
	return validate(obj, old)
}
