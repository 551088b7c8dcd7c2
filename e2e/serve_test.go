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
	defer cancel()
	serve := exec.CommandContext(ctx, bin, "serve", "--kubeconfig", kubeconfig)
	stdout, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	serve.Stderr = os.Stderr
	if err := serve.Start(); err != nil {
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

	kc := func(args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(ctx, kubectl, append([]string{"--kubeconfig", kubeconfig}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
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

	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := serve.Wait(); err != nil {
		t.Fatalf("memkube serve did not exit cleanly on SIGTERM: %v", err)
	}
}
