package defaults_test

import (
	"regexp"
	"testing"

	"github.com/memkube/memkube/harness/apis/defaults"
)

func TestImageTag(t *testing.T) {
	t.Parallel()
	const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	cases := []struct{ image, want string }{
		{"nginx", "latest"},
		{"nginx:1.27-alpine", "1.27-alpine"},
		{"library/nginx", "latest"},
		{"docker.io/nginx:stable", "stable"},
		{"index.docker.io/library/nginx:v1", "v1"},
		{"quay.io/org/team/app:v2.0.1", "v2.0.1"},
		{"localhost/app", "latest"},
		{"localhost:5000/app:_x", "_x"},
		{"10.0.0.1:5000/app", "latest"},
		{"[fd00::1]:5000/app:v1", "v1"},
		{"Registry.IO/app:v1", "v1"}, // an uppercase first element is a domain
		{"a__b/c---d.e_f", "latest"},
		{"app@sha256:" + hex64, ""},
		{"app:v1@sha256:" + hex64, "v1"},
		{"app@sha384:" + hex64 + hex64[:32], ""},
		{"app:latest@sha512:" + hex64 + hex64, "latest"},
		// Not parsable.
		{"", ""},
		{hex64, ""},
		{"App", ""},
		{"org/App:v1", ""},
		{"app:", ""},
		{"app:-v1", ""},
		{"app:v1:v2", ""},
		{"app@sha256:" + hex64[:63], ""},
		{"app@md5:" + hex64, ""},
		{"app@sha256:" + hex64[:60] + "ABCD", ""},
		{"a_-b", ""},
		{"/app", ""},
		{"app/", ""},
		{"registry.io:port/app", ""},
	}
	for _, tc := range cases {
		if got := defaults.ImageTag(tc.image); got != tc.want {
			t.Errorf("ImageTag(%q): got %q, want %q", tc.image, got, tc.want)
		}
	}
}

// FuzzImageTag checks that any input yields "" or a well-formed tag.
func FuzzImageTag(f *testing.F) {
	for _, s := range []string{"nginx", "localhost:5000/a:b", "a@sha256:0", "[::1]/x", "A/b"} {
		f.Add(s)
	}
	tag := regexp.MustCompile(`^[\w][\w.-]{0,127}$`)
	f.Fuzz(func(t *testing.T, image string) {
		if got := defaults.ImageTag(image); got != "" && !tag.MatchString(got) {
			t.Errorf("ImageTag(%q) = %q, not a tag", image, got)
		}
	})
}
