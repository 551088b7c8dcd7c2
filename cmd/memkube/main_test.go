package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	"k8s.io/apiserver/pkg/audit"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/memkube/memkube/harness"
)

func TestParseStorage(t *testing.T) {
	tests := []struct {
		in      string
		want    harness.StorageOptions
		wantErr bool
	}{
		{in: "memory", want: harness.StorageOptions{Backend: harness.Memory}},
		{in: "etcd-embedded", want: harness.StorageOptions{Backend: harness.EmbeddedEtcd}},
		{in: "etcd=http://127.0.0.1:2379,http://127.0.0.1:22379", want: harness.StorageOptions{Backend: harness.ExternalEtcd, Endpoints: []string{"http://127.0.0.1:2379", "http://127.0.0.1:22379"}}},
		{in: "etcd=", wantErr: true},
		{in: "etcd", wantErr: true},
		{in: "postgres", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseStorage(tt.in)
		if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseStorage(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestServeAuditLog runs memkube serve with --audit-log: a client's
// requests are in the file as kube-apiserver's JSON audit log, which
// decodes as audit.k8s.io/v1 Events.
func TestServeAuditLog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	kubeconfig, auditLog := filepath.Join(dir, "kubeconfig"), filepath.Join(dir, "audit.log")
	ctx, cancel := context.WithCancel(t.Context())
	stdout, ready := readyWriter()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--kubeconfig", kubeconfig, "--audit-log", auditLog, "--audit-log-bodies"}, stdout)
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve ended before it was ready: %v", err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.UserAgent = "audit-test"
	c := kubernetes.NewForConfigOrDie(cfg)
	if _, err := c.CoreV1().ConfigMaps("default").Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}

	log, err := os.ReadFile(auditLog)
	if err != nil {
		t.Fatal(err)
	}
	var creates []*auditv1.Event
	for line := range bytes.Lines(log) {
		obj, _, err := audit.Codecs.UniversalDeserializer().Decode(line, nil, nil)
		ev, ok := obj.(*auditv1.Event)
		if err != nil || !ok {
			t.Fatalf("audit log line %s: %v, %T; want an audit.k8s.io/v1 Event", line, err, obj)
		}
		if ev.UserAgent == "audit-test" {
			creates = append(creates, ev)
		}
	}
	if len(creates) != 1 {
		t.Fatalf("%d events of the client, want its create:\n%s", len(creates), log)
	}
	ev := creates[0]
	if ev.Verb != "create" || ev.User.Username != "memkube-admin" || ev.ObjectRef.Resource != "configmaps" || ev.ObjectRef.Name != "cm" ||
		ev.ResponseStatus.Code != 201 || ev.Level != auditv1.LevelRequestResponse || ev.RequestObject == nil || ev.ResponseObject == nil {
		t.Errorf("the create's event: %+v; want memkube-admin's create of configmaps cm, 201, with bodies", ev)
	}
}

// TestServeAuditPolicy runs memkube serve with kube-apiserver's
// --audit-policy-file and --audit-log-path, and --enable-priority-and-fairness:
// the log has what the policy selects, at its level, and responses are
// classified by APF.
func TestServeAuditPolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	kubeconfig, auditLog, policy := filepath.Join(dir, "kubeconfig"), filepath.Join(dir, "audit.log"), filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(policy, []byte(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
  resources: [{group: "", resources: ["configmaps"]}]
`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	stdout, ready := readyWriter()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--kubeconfig", kubeconfig, "--audit-policy-file", policy, "--audit-log-path", auditLog, "--enable-priority-and-fairness"}, stdout)
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve ended before it was ready: %v", err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	c := kubernetes.NewForConfigOrDie(cfg)
	if _, err := c.CoreV1().ConfigMaps("default").Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Until APF's config controller has digested the bootstrap FlowSchemas,
	// requests are classified by its built-in mandatory ones, which have no
	// UID (as on kube-apiserver, whose readiness does not wait for it).
	if err := wait.PollUntilContextTimeout(t.Context(), 10*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		resp, err := hc.Get(cfg.Host + "/version")
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		return resp.Header.Get(flowcontrolv1.ResponseHeaderMatchedFlowSchemaUID) != "", nil
	}); err != nil {
		t.Errorf("GET /version: no %s header: APF is not on (%v)", flowcontrolv1.ResponseHeaderMatchedFlowSchemaUID, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}

	log, err := os.ReadFile(auditLog)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for line := range bytes.Lines(log) {
		obj, _, err := audit.Codecs.UniversalDeserializer().Decode(line, nil, nil)
		ev, ok := obj.(*auditv1.Event)
		if err != nil || !ok {
			t.Fatalf("audit log line %s: %v, %T; want an audit.k8s.io/v1 Event", line, err, obj)
		}
		got = append(got, fmt.Sprintf("%s %s %s %s %s", ev.User.Username, ev.Verb, ev.ObjectRef.Resource, ev.Stage, ev.Level))
	}
	// the server's own clients' configmaps (kube-root-ca.crt) are logged too.
	if !slices.Contains(got, "memkube-admin create configmaps ResponseComplete Metadata") {
		t.Errorf("audit log:\n%s\nwant memkube-admin's create at Metadata", strings.Join(got, "\n"))
	}
	for _, line := range got {
		if !strings.Contains(line, " configmaps ") || !strings.HasSuffix(line, " Metadata") || strings.Contains(line, "RequestReceived") {
			t.Errorf("audit log line %q: the policy logs configmaps at Metadata, without RequestReceived", line)
		}
	}
}

// readyWriter is a stdout for run that closes ready at the ready line.
func readyWriter() (io.Writer, <-chan struct{}) {
	ready := make(chan struct{})
	r, w := io.Pipe()
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "memkube ready ") {
				close(ready)
				break
			}
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	return w, ready
}
