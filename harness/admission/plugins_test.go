package admission_test

import (
	"testing"

	"github.com/memkube/memkube/harness"
)

// TestUnknownPlugins: a name memkube has no plugin of stops Start, with
// kube-apiserver's message for its flags.
func TestUnknownPlugins(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts harness.AdmissionOptions
		want string
	}{
		{"enable", harness.AdmissionOptions{Enable: []string{"AlwaysPullImages"}}, `admission: enable-admission-plugins plugin "AlwaysPullImages" is unknown`},
		{"disable", harness.AdmissionOptions{Disable: []string{"Nope"}}, `admission: disable-admission-plugins plugin "Nope" is unknown`},
		{"both", harness.AdmissionOptions{Enable: []string{"DefaultTolerationSeconds"}, Disable: []string{"DefaultTolerationSeconds"}},
			"admission: [DefaultTolerationSeconds] in enable-admission-plugins and disable-admission-plugins overlapped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := harness.Start(t.Context(), harness.Options{Admission: tc.opts})
			if err == nil {
				s.Stop()
				t.Fatalf("Start: got no error, want %q", tc.want)
			}
			if err.Error() != tc.want {
				t.Fatalf("Start: got %q, want %q", err, tc.want)
			}
		})
	}
}
