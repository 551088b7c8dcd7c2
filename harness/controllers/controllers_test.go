package controllers_test

import (
	"strings"
	"testing"

	"github.com/memkube/memkube/harness/controllers"
)

func TestUserAgent(t *testing.T) {
	t.Parallel()
	got := controllers.UserAgent("namespace-controller")
	if !strings.HasPrefix(got, "kube-controller-manager/") || !strings.HasSuffix(got, "/namespace-controller") {
		t.Errorf("got %q, want kube-controller-manager/<version> (...)/namespace-controller", got)
	}
}
