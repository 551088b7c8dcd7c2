package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestServeWithKubectl builds cmd/memkube, runs `memkube serve` and drives it
// with kubectl, as the README's first command promises.
func TestServeWithKubectl(t *testing.T) {
	kc, stop := serve(t)
	out := kc("get", "ns")
	for _, ns := range []string{"default", "kube-system", "kube-public", "kube-node-lease"} {
		if !strings.Contains(out, ns) {
			t.Errorf("kubectl get ns lacks %s:\n%s", ns, out)
		}
	}
	if !strings.HasPrefix(out, "NAME") || !strings.Contains(out, "Active") {
		t.Errorf("kubectl get ns is not kube-apiserver's table (NAME STATUS AGE):\n%s", out)
	}
	kc("create", "configmap", "cm", "-n", "default", "--from-literal=a=b")
	if out := kc("get", "configmap", "cm", "-n", "default", "-o", "jsonpath={.data.a}"); out != "b" {
		t.Errorf("configmap data = %q, want b", out)
	}
	stop()
}

// TestServeSaveAndLoad stops a server with --save and starts another with
// --load: the second serves the first one's objects.
func TestServeSaveAndLoad(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.snapshot")
	kc, stop := serve(t, "--save", state)
	kc("create", "namespace", "team")
	kc("create", "configmap", "cm", "-n", "team", "--from-literal=a=b")
	uid := kc("get", "configmap", "cm", "-n", "team", "-o", "jsonpath={.metadata.uid}")
	stop()

	kc, stop = serve(t, "--load", state)
	if out := kc("get", "configmap", "cm", "-n", "team", "-o", "jsonpath={.metadata.uid} {.data.a}"); out != uid+" b" {
		t.Errorf("the loaded configmap: %q, want %q", out, uid+" b")
	}
	kc("create", "configmap", "more", "-n", "team")
	stop()
}

// TestServeEmbeddedEtcdWithCRDs runs `memkube serve` over embedded etcd with
// CRDs installed at start: they are served by the time it says ready.
func TestServeEmbeddedEtcdWithCRDs(t *testing.T) {
	kc, stop := serve(t, "--storage", "etcd-embedded", "--crds", "testdata/serve-crds")
	manifest := filepath.Join(t.TempDir(), "w.yaml")
	if err := os.WriteFile(manifest, []byte("apiVersion: example.memkube.io/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: default\nspec: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	kc("apply", "-f", manifest)
	if out := kc("get", "wg", "w1", "-n", "default", "-o", "jsonpath={.spec.size}"); out != "3" {
		t.Errorf("widget spec.size = %q, want the schema default 3", out)
	}
	stop()
}

// binary is cmd/memkube, built once per test binary: linking it takes
// seconds.
var binary struct {
	once sync.Once
	path string
	err  error
}

func memkubeBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "memkube-e2e-")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "memkube")
		if out, err := exec.Command("go", "build", "-o", binary.path, "../cmd/memkube").CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// TestMain removes the built binary after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if binary.path != "" {
		_ = os.RemoveAll(filepath.Dir(binary.path))
	}
	os.Exit(code)
}

// syncBuffer is a bytes.Buffer for a process's output, read while written.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serve builds cmd/memkube, starts `memkube serve` with args, waits for its
// ready line, and returns a kubectl runner that fails the test when kubectl
// fails, and a function that stops the server with SIGTERM and checks it
// exits cleanly.
func serve(t *testing.T, args ...string) (kc func(args ...string) string, stop func()) {
	t.Helper()
	run, stop := serveKubectl(t, args...)
	kc = func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	return kc, stop
}

// serveKubectl is serve with a kubectl runner that returns kubectl's output
// (stdout and stderr) and error.
func serveKubectl(t *testing.T, args ...string) (run func(args ...string) (string, error), stop func()) {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed")
	}
	bin := memkubeBinary(t)
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "memkube.kubeconfig")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--kubeconfig", kubeconfig}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// the server's logs, shown only if the test fails.
	var logs syncBuffer
	cmd.Stderr = &logs
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("memkube serve's logs:\n%s", logs.String())
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "memkube ready ") {
				ready <- true
			}
		}
		ready <- false // the output ended: the process exited
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("memkube serve exited before it was ready")
		}
	case <-ctx.Done():
		t.Fatal("memkube serve did not print its ready line")
	}
	run = func(args ...string) (string, error) {
		out, err := exec.CommandContext(ctx, kubectl, append([]string{"--kubeconfig", kubeconfig}, args...)...).CombinedOutput()
		return string(out), err
	}
	stop = func() {
		t.Helper()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("memkube serve did not exit cleanly on SIGTERM: %v", err)
		}
	}
	return run, stop
}
