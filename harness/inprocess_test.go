package harness_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
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

// TestInProcessBufferedBodies: a buffered response's body is reused once
// closed, so a response still open keeps its own bytes, and a closed one
// reads no more.
func TestInProcessBufferedBodies(t *testing.T) {
	s := harnesstest.Start(t, harness.Options{})
	cfg := s.InProcessRESTConfig()
	c := kubernetes.NewForConfigOrDie(cfg)
	for _, name := range []string{"first", "second", "third"} {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"key": strings.Repeat(name, 1000)}}
		if _, err := c.CoreV1().ConfigMaps("default").Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	rt, err := restclient.TransportFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), "GET", cfg.Host+"/api/v1/namespaces/default/configmaps/"+name, http.NoBody)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", name, resp.Status)
		}
		return resp
	}
	first := get("first")
	second := get("second")
	if err := second.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := second.Body.Read(make([]byte, 10)); n != 0 || err == nil {
		t.Errorf("read after close: %d bytes, error %v; want an error", n, err)
	}
	third := get("third") // may reuse second's buffer
	for _, r := range []struct {
		name string
		resp *http.Response
	}{{"first", first}, {"third", third}} {
		body, err := io.ReadAll(r.resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(body)) != r.resp.ContentLength {
			t.Errorf("%s: read %d bytes, Content-Length %d", r.name, len(body), r.resp.ContentLength)
		}
		if !strings.Contains(string(body), strings.Repeat(r.name, 1000)) || strings.Contains(string(body), "secondsecond") {
			t.Errorf("%s: body is not its object's: %.200s", r.name, body)
		}
		_ = r.resp.Body.Close()
	}
}
