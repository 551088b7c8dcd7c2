package harness_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/memkube/memkube/harness"
)

// TestInProcessMayStream: the in-process transport serves in the caller's
// goroutine, buffered, only requests whose responses must end; anything
// that may stream (watches, upgrades, the connect subresources) is served
// beside its reader.
func TestInProcessMayStream(t *testing.T) {
	for _, c := range []struct {
		method, target string
		upgrade        bool
		want           bool
	}{
		{"GET", "/api/v1/namespaces/default/configmaps", false, false},
		{"GET", "/api/v1/namespaces/default/configmaps?watch=false&limit=5", false, false},
		{"POST", "/apis/apps/v1/namespaces/default/deployments", false, false},
		{"GET", "/api/v1/namespaces/default/configmaps?watch=true", false, true},
		{"GET", "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=5", false, true},
		{"GET", "/api/v1/namespaces/default/configmaps?resourceVersion=5&watch", false, true},
		{"GET", "/api/v1/watch/namespaces/default/configmaps", false, true},
		{"GET", "/api/v1/namespaces/default/pods/p/log?follow=true", false, true},
		{"POST", "/api/v1/namespaces/default/pods/p/exec?command=sh", true, true},
		{"POST", "/api/v1/namespaces/default/pods/p/portforward", true, true},
		{"GET", "/api/v1/namespaces/default/services/s:80/proxy/events", false, true},
		{"GET", "/api/v1/nodes/n/proxy/logs/", false, true},
		{"GET", "/apis/custom.example.com/v1/widgets", true, true},
	} {
		r := httptest.NewRequest(c.method, c.target, http.NoBody)
		if c.upgrade {
			r.Header.Set("Connection", "Upgrade")
			r.Header.Set("Upgrade", "websocket")
		}
		if got := harness.MayStream(r); got != c.want {
			t.Errorf("%s %s (upgrade %v): may stream %v, want %v", c.method, c.target, c.upgrade, got, c.want)
		}
	}
}
