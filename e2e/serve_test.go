package e2e

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	dir := t.TempDir()
	bin := filepath.Join(dir, "memkube")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/memkube").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	kubeconfig := filepath.Join(dir, "memkube.kubeconfig")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--kubeconfig", kubeconfig}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
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
