package harness_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
	"github.com/memkube/memkube/harness/recording"
)

// events collects the events of an AuditOptions.Sink.
type events struct {
	mu  sync.Mutex
	evs []*auditv1.Event
}

func (e *events) sink(ev *auditv1.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.evs = append(e.evs, ev)
}

func (e *events) get() []*auditv1.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*auditv1.Event(nil), e.evs...)
}

// readAuditLog decodes a JSON audit log, one audit.k8s.io/v1 Event a line.
func readAuditLog(t *testing.T, path string) []*auditv1.Event {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []*auditv1.Event
	lines := bufio.NewScanner(bytes.NewReader(data))
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var ev auditv1.Event
		if err := json.Unmarshal(lines.Bytes(), &ev); err != nil {
			t.Fatalf("audit log line %s: %v", lines.Bytes(), err)
		}
		if ev.APIVersion != "audit.k8s.io/v1" || ev.Kind != "Event" {
			t.Errorf("audit log line of %s %s", ev.APIVersion, ev.Kind)
		}
		out = append(out, &ev)
	}
	return out
}

// describe is "verb resource stage level bodies" of each event, bodies
// being which of the request and response objects it has.
func describe(evs []*auditv1.Event) []string {
	var out []string
	for _, ev := range evs {
		resource := ev.RequestURI
		if ev.ObjectRef != nil {
			resource = ev.ObjectRef.Resource
		}
		var objects []string
		if ev.RequestObject != nil {
			objects = append(objects, "request")
		}
		if ev.ResponseObject != nil {
			objects = append(objects, "response")
		}
		bodies := strings.Join(objects, "+")
		if bodies == "" {
			bodies = "-"
		}
		out = append(out, strings.Join([]string{ev.Verb, resource, string(ev.Stage), string(ev.Level), bodies}, " "))
	}
	return out
}

// TestAuditLog runs a server with kube-apiserver's audit log (a policy
// file, a log file, a sink) and a Recorder wanting every body at once:
// the log has what the policy says — Secrets at Metadata with every stage,
// ConfigMaps with bodies but no managedFields, nothing else — and the
// Recorder has every request with its bodies, managedFields included.
func TestAuditLog(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "audit", "audit.log")
	var sunk events
	s := harnesstest.Start(t, harness.Options{Audit: harness.AuditOptions{
		PolicyFile: "testdata/audit-policy.yaml", LogPath: path, Sink: sunk.sink,
	}})
	rec := s.Record(recording.Options{Bodies: true, Match: recording.Match{Users: []string{"memkube-admin"}}})
	defer rec.Stop()
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}, StringData: map[string]string{"password": "hunter2"}}
	if _, err := c.CoreV1().Secrets("default").Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"}, Data: map[string]string{"k": "v"}}
	if _, err := c.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoreV1().ConfigMaps("default").Get(ctx, "cm", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}

	want := []string{
		"create secrets RequestReceived Metadata -",
		"create secrets ResponseComplete Metadata -",
		"create configmaps ResponseComplete RequestResponse request+response",
		"get configmaps ResponseComplete RequestResponse response",
	}
	// events are written as a request's stage ends, after its response.
	var logged []*auditv1.Event
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		logged = readAuditLog(t, path)
		return len(logged) >= len(want) && len(sunk.get()) >= len(want) && len(rec.Requests()) >= 4, nil
	}); err != nil {
		t.Fatalf("audit log %q, sink %q, recorded %d: %v", describe(logged), describe(sunk.get()), len(rec.Requests()), err)
	}
	if got := describe(logged); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, ev := range logged {
		for _, obj := range []*runtime.Unknown{ev.RequestObject, ev.ResponseObject} {
			if obj == nil {
				continue
			}
			body := string(obj.Raw)
			if strings.Contains(body, "managedFields") {
				t.Errorf("%s %s: managedFields in the log (the policy omits them): %s", ev.Verb, ev.Stage, body)
			}
		}
		if ev.User.Username != "memkube-admin" {
			t.Errorf("logged a request of %s", ev.User.Username)
		}
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("audit log file: %v, mode %v; want 0600", err, info.Mode())
	}
	// the sink gets what the file does.
	if got := describe(sunk.get()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sink:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, ev := range sunk.get() {
		if i < len(logged) && ev.AuditID != logged[i].AuditID {
			t.Errorf("sink event %d is of request %s, the log's of %s", i, ev.AuditID, logged[i].AuditID)
		}
	}

	// the Recorder has all four requests, with their bodies.
	reqs := rec.Requests()
	if len(reqs) != 4 {
		t.Fatalf("recorded %d requests, want 4", len(reqs))
	}
	if r := reqs[0]; r.Resource != "secrets" || !strings.Contains(string(r.RequestBody), "hunter2") {
		t.Errorf("recorded secret create: %s %s, body %s; want the secret's data", r.Verb, r.Resource, r.RequestBody)
	}
	if r := reqs[1]; r.Resource != "configmaps" || !strings.Contains(string(r.ResponseBody), "managedFields") {
		t.Errorf("recorded configmap create: %s %s, response %s; want managedFields", r.Verb, r.Resource, r.ResponseBody)
	}
	if r := reqs[2]; r.Resource != "namespaces" || r.Verb != "list" || len(r.ResponseBody) == 0 {
		t.Errorf("recorded %s %s, response of %d bytes; want the namespaces' list", r.Verb, r.Resource, len(r.ResponseBody))
	}
}

// TestAuditPolicyInGo: a policy given in Go, events to a sink only.
func TestAuditPolicyInGo(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var sunk events
	s := harnesstest.Start(t, harness.Options{Auth: allowAll, Audit: harness.AuditOptions{
		Policy: &auditv1.Policy{Rules: []auditv1.PolicyRule{{Level: auditv1.LevelRequest, Users: []string{"alice"}}}},
		Sink:   sunk.sink,
	}})
	alice, err := s.AddUser("alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kubernetes.NewForConfigOrDie(alice).CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := kubernetes.NewForConfigOrDie(s.RESTConfig()).CoreV1().ConfigMaps("default").Get(ctx, "a", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	want := []string{"create configmaps RequestReceived Request -", "create configmaps ResponseComplete Request request"}
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return len(sunk.get()) >= len(want), nil
	}); err != nil {
		t.Fatalf("sink %q: %v", describe(sunk.get()), err)
	}
	if got := describe(sunk.get()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sink:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestAuditOptionsInvalid: options kube-apiserver would ignore, or reject,
// fail the start.
func TestAuditOptionsInvalid(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Loud\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "audit.log")
	policy := &auditv1.Policy{Rules: []auditv1.PolicyRule{{Level: auditv1.LevelMetadata}}}
	for _, tc := range []struct {
		name string
		opts harness.AuditOptions
		want string
	}{
		{"a log without a policy", harness.AuditOptions{LogPath: log},
			"audit: a log path or sink needs a policy: kube-apiserver audits nothing without --audit-policy-file"},
		{"a policy without a log", harness.AuditOptions{Policy: policy}, "audit: a policy needs a log path or a sink"},
		{"two policies", harness.AuditOptions{Policy: policy, PolicyFile: bad, LogPath: log}, "audit: auditlog: a policy file and a policy are exclusive"},
		{"a bad policy", harness.AuditOptions{PolicyFile: bad, LogPath: log}, `rules[0].level: Unsupported value: "Loud"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := harness.Start(t.Context(), harness.Options{Audit: tc.opts})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}
}
