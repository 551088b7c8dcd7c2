package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/cri-streaming/pkg/streaming/remotecommand"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// kubectlTimeout bounds one kubectl invocation.
const kubectlTimeout = 30 * time.Second

// kubectlServer is a fresh memkube server with a kubectl configured for it
// through a kubeconfig file, and a client-go clientset for setting up and
// checking what kubectl did.
type kubectlServer struct {
	t          *testing.T
	server     *harness.Server
	client     kubernetes.Interface
	bin        string
	kubeconfig string
	cacheDir   string // kubectl's discovery and HTTP cache, private to the test
}

// startKubectl skips the test when kubectl is not installed, marks it
// parallel and starts its server.
func startKubectl(t *testing.T) *kubectlServer {
	t.Helper()
	return startKubectlWith(t, harness.Options{})
}

// startKubectlWith is startKubectl with a server of opts (its storage is
// the run's).
func startKubectlWith(t *testing.T, opts harness.Options) *kubectlServer {
	t.Helper()
	bin, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed")
	}
	t.Parallel()
	opts.Storage = e2eStorage
	s := harnesstest.Start(t, opts)
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := s.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatalf("write kubeconfig: %v", err)
	}
	client, err := kubernetes.NewForConfig(s.RESTConfig())
	if err != nil {
		t.Fatalf("clientset: %v", err)
	}
	return &kubectlServer{t: t, server: s, client: client, bin: bin, kubeconfig: kubeconfig, cacheDir: filepath.Join(dir, "cache")}
}

// command is kubectl with args against the test's server.
func (k *kubectlServer) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, k.bin, append([]string{"--kubeconfig", k.kubeconfig, "--cache-dir", k.cacheDir}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECTL_INTERACTIVE_DELETE=false")
	return cmd
}

// run runs kubectl with args and returns its stdout and stderr.
func (k *kubectlServer) run(args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(k.t.Context(), kubectlTimeout)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := k.command(ctx, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// kubectl runs kubectl with args, fails the test if it fails, and returns its stdout.
func (k *kubectlServer) kubectl(args ...string) string {
	k.t.Helper()
	out, errOut, err := k.run(args...)
	if err != nil {
		k.t.Fatalf("kubectl %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// kubectlFails runs kubectl with args, fails the test if it succeeds, and
// returns its stderr.
func (k *kubectlServer) kubectlFails(args ...string) string {
	k.t.Helper()
	out, errOut, err := k.run(args...)
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		k.t.Fatalf("kubectl %s: got err %v, want a non-zero exit\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, errOut)
	}
	return errOut
}

// writeFile writes content to name in a temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantOutput fails the test unless out is exactly the lines of want.
func wantOutput(t *testing.T, cmd, out string, want ...string) {
	t.Helper()
	if got, w := strings.TrimRight(out, "\n"), strings.Join(want, "\n"); got != w {
		t.Errorf("kubectl %s printed\n%s\nwant\n%s", cmd, got, w)
	}
}

// wantMatch fails the test unless, for each pattern, some line of out matches it.
func wantMatch(t *testing.T, cmd, out string, patterns ...string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	var missing []string
	for _, pattern := range patterns {
		re := regexp.MustCompile(pattern)
		if !slices.ContainsFunc(lines, re.MatchString) {
			missing = append(missing, pattern)
		}
	}
	if len(missing) > 0 {
		t.Errorf("kubectl %s: no line matches\n  %s\nin\n%s", cmd, strings.Join(missing, "\n  "), out)
	}
}

func managerOf(fields []metav1.ManagedFieldsEntry, manager string) *metav1.ManagedFieldsEntry {
	for i := range fields {
		if fields[i].Manager == manager {
			return &fields[i]
		}
	}
	return nil
}

func newDeployment(name string, containers ...corev1.Container) *appsv1.Deployment {
	if len(containers) == 0 {
		containers = []corev1.Container{{Name: name, Image: "nginx:1.27"}}
	}
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: metav1.NamespaceDefault, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: new(int32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: containers},
			},
		},
	}
}

// TestKubectlApply applies a multi-document manifest client-side, then
// applies it again with changes: kubectl must see created, configured and
// unchanged objects as it does against kube-apiserver.
func TestKubectlApply(t *testing.T) {
	k := startKubectl(t)
	ctx := t.Context()

	out := k.kubectl("apply", "-f", "testdata/app.yaml")
	wantOutput(t, "apply", out,
		"namespace/shop created",
		"configmap/web-config created",
		"deployment.apps/web created",
		"service/web created")

	dep, err := k.client.AppsV1().Deployments("shop").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if dep.Annotations[corev1.LastAppliedConfigAnnotation] == "" {
		t.Errorf("deployment lacks the %s annotation", corev1.LastAppliedConfigAnnotation)
	}
	if m := managerOf(dep.ManagedFields, "kubectl-client-side-apply"); m == nil || m.Operation != metav1.ManagedFieldsOperationUpdate {
		t.Errorf("deployment managedFields = %+v, want manager kubectl-client-side-apply with operation Update", dep.ManagedFields)
	}
	if dep.Generation != 1 {
		t.Errorf("deployment generation = %d, want 1", dep.Generation)
	}
	// kube-apiserver's defaulting (pkg/apis/apps/v1 and core/v1 defaults).
	spec, pod := dep.Spec, dep.Spec.Template.Spec
	if spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || spec.RevisionHistoryLimit == nil || *spec.RevisionHistoryLimit != 10 ||
		spec.ProgressDeadlineSeconds == nil || *spec.ProgressDeadlineSeconds != 600 {
		t.Errorf("deployment spec strategy %q revisionHistoryLimit %v progressDeadlineSeconds %v, want defaults RollingUpdate, 10, 600",
			spec.Strategy.Type, spec.RevisionHistoryLimit, spec.ProgressDeadlineSeconds)
	}
	if pod.RestartPolicy != corev1.RestartPolicyAlways || pod.DNSPolicy != corev1.DNSClusterFirst || pod.SchedulerName != corev1.DefaultSchedulerName ||
		pod.Containers[0].ImagePullPolicy != corev1.PullIfNotPresent || pod.Containers[0].Ports[0].Protocol != corev1.ProtocolTCP {
		t.Errorf("pod template restartPolicy %q dnsPolicy %q schedulerName %q imagePullPolicy %q port protocol %q, want defaults Always, ClusterFirst, default-scheduler, IfNotPresent, TCP",
			pod.RestartPolicy, pod.DNSPolicy, pod.SchedulerName, pod.Containers[0].ImagePullPolicy, pod.Containers[0].Ports[0].Protocol)
	}
	svc, err := k.client.CoreV1().Services("shop").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Spec.Type != corev1.ServiceTypeClusterIP || !strings.HasPrefix(svc.Spec.ClusterIP, "10.0.0.") || svc.Spec.SessionAffinity != corev1.ServiceAffinityNone ||
		svc.Spec.Ports[0].Protocol != corev1.ProtocolTCP {
		t.Errorf("service spec type %q clusterIP %q sessionAffinity %q port protocol %q, want ClusterIP, an address allocated from 10.0.0.0/24, None, TCP",
			svc.Spec.Type, svc.Spec.ClusterIP, svc.Spec.SessionAffinity, svc.Spec.Ports[0].Protocol)
	}

	manifest, err := os.ReadFile("testdata/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changed := writeFile(t, "app.yaml", strings.NewReplacer("replicas: 1", "replicas: 2", "color: blue", "color: green").Replace(string(manifest)))
	out = k.kubectl("apply", "-f", changed)
	wantOutput(t, "apply (changed)", out,
		"namespace/shop unchanged",
		"configmap/web-config configured",
		"deployment.apps/web configured",
		"service/web unchanged")
	out = k.kubectl("apply", "-f", changed)
	wantOutput(t, "apply (again)", out,
		"namespace/shop unchanged",
		"configmap/web-config unchanged",
		"deployment.apps/web unchanged",
		"service/web unchanged")

	dep, err = k.client.AppsV1().Deployments("shop").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := *dep.Spec.Replicas; got != 2 {
		t.Errorf("deployment replicas = %d, want 2", got)
	}
	if dep.Generation != 2 {
		t.Errorf("deployment generation = %d, want 2 (one spec change)", dep.Generation)
	}
	cm, err := k.client.CoreV1().ConfigMaps("shop").Get(ctx, "web-config", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := cm.Data["color"]; got != "green" {
		t.Errorf("configmap color = %q, want green", got)
	}
}

// TestKubectlServerSideApply applies with two field managers: the second
// conflicts on a field the first owns until it forces the conflict.
func TestKubectlServerSideApply(t *testing.T) {
	k := startKubectl(t)
	ctx := t.Context()
	const doc = `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
  namespace: default
data:
`
	first := writeFile(t, "first.yaml", doc+"  owner: kubectl\n  shared: one\n")
	second := writeFile(t, "second.yaml", doc+"  shared: two\n")

	out := k.kubectl("apply", "--server-side", "-f", first)
	wantOutput(t, "apply --server-side", out, "configmap/ssa serverside-applied")
	cm, err := k.client.CoreV1().ConfigMaps("default").Get(ctx, "ssa", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := managerOf(cm.ManagedFields, "kubectl")
	if m == nil || m.Operation != metav1.ManagedFieldsOperationApply || m.FieldsV1 == nil ||
		!strings.Contains(string(m.FieldsV1.Raw), `"f:shared"`) {
		t.Fatalf("managedFields = %+v, want manager kubectl, operation Apply, owning f:data.f:shared", cm.ManagedFields)
	}

	errOut := k.kubectlFails("apply", "--server-side", "--field-manager", "other", "-f", second)
	if want := `error: Apply failed with 1 conflict: conflict with "kubectl": .data.shared`; !strings.Contains(errOut, want) {
		t.Errorf("conflicting apply printed\n%s\nwant it to contain %q", errOut, want)
	}

	out = k.kubectl("apply", "--server-side", "--field-manager", "other", "--force-conflicts", "-f", second)
	wantOutput(t, "apply --server-side --force-conflicts", out, "configmap/ssa serverside-applied")
	cm, err = k.client.CoreV1().ConfigMaps("default").Get(ctx, "ssa", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cm.Data["shared"] != "two" || cm.Data["owner"] != "kubectl" {
		t.Errorf("data = %v, want owner=kubectl shared=two", cm.Data)
	}
	other, kubectl := managerOf(cm.ManagedFields, "other"), managerOf(cm.ManagedFields, "kubectl")
	if other == nil || !strings.Contains(string(other.FieldsV1.Raw), `"f:shared"`) {
		t.Errorf("managedFields = %+v, want manager other owning f:shared", cm.ManagedFields)
	}
	if kubectl == nil || strings.Contains(string(kubectl.FieldsV1.Raw), `"f:shared"`) || !strings.Contains(string(kubectl.FieldsV1.Raw), `"f:owner"`) {
		t.Errorf("managedFields = %+v, want manager kubectl owning f:owner and no longer f:shared", cm.ManagedFields)
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// watchEvent is what `kubectl get -w --output-watch-events -o json` prints per event.
type watchEvent struct {
	Type   string `json:"type"`
	Object struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Data map[string]string `json:"data"`
	} `json:"object"`
}

// TestKubectlGetWatch reads the events of `kubectl get -w` while the test
// creates, modifies and deletes a ConfigMap.
func TestKubectlGetWatch(t *testing.T) {
	k := startKubectl(t)
	ctx := t.Context()
	cms := k.client.CoreV1().ConfigMaps("default")
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "before", Labels: map[string]string{"e2e": "watch"}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	cmdCtx, cancel := context.WithTimeout(ctx, kubectlTimeout)
	defer cancel()
	cmd := k.command(cmdCtx, "get", "configmaps", "-n", "default", "-l", "e2e=watch", "-w", "--output-watch-events", "-o", "json")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer // read on failure while kubectl may still write
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	events := make(chan watchEvent)
	done := make(chan struct{}) // closed when kubectl's output ends, after decodeErr is set
	var decodeErr error
	go func() {
		defer close(done)
		dec := json.NewDecoder(stdout)
		for {
			var e watchEvent
			if decodeErr = dec.Decode(&e); decodeErr != nil {
				return
			}
			select {
			case events <- e:
			case <-cmdCtx.Done():
				decodeErr = cmdCtx.Err()
				return
			}
		}
	}()
	defer func() {
		_ = cmd.Process.Kill()
		cancel()
		<-done
		_ = cmd.Wait()
	}()
	next := func(wantType, wantName, wantColor string) {
		t.Helper()
		select {
		case e := <-events:
			if e.Type != wantType || e.Object.Metadata.Name != wantName || e.Object.Data["color"] != wantColor {
				t.Fatalf("kubectl get -w: got %s %s color=%q, want %s %s color=%q", e.Type, e.Object.Metadata.Name, e.Object.Data["color"], wantType, wantName, wantColor)
			}
		case <-done:
			t.Fatalf("kubectl get -w output ended: %v\nstderr:\n%s", decodeErr, stderr.String())
		case <-time.After(10 * time.Second):
			t.Fatalf("kubectl get -w: no %s event for %s\nstderr:\n%s", wantType, wantName, stderr.String())
		}
	}
	// the listed object: from here on kubectl is watching from the list's resourceVersion.
	next("ADDED", "before", "")

	cm, err := cms.Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "w", Labels: map[string]string{"e2e": "watch"}},
		Data:       map[string]string{"color": "blue"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	next("ADDED", "w", "blue")
	cm.Data["color"] = "green"
	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	next("MODIFIED", "w", "green")
	if err := cms.Delete(ctx, "w", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	next("DELETED", "w", "green")
}

// TestKubectlPatch patches a Deployment with each patch type: a strategic
// merge patch merges the containers list by name, a JSON merge patch
// replaces it, a JSON patch edits by path and fails on a failed test.
func TestKubectlPatch(t *testing.T) {
	k := startKubectl(t)
	ctx := t.Context()
	deps := k.client.AppsV1().Deployments("default")
	if _, err := deps.Create(ctx, newDeployment("web",
		corev1.Container{Name: "web", Image: "nginx:1.27"},
		corev1.Container{Name: "sidecar", Image: "busybox:1.36"},
	), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	images := func() []string {
		t.Helper()
		dep, err := deps.Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range dep.Spec.Template.Spec.Containers {
			got = append(got, c.Name+"="+c.Image)
		}
		return got
	}

	out := k.kubectl("patch", "deployment", "web", "-n", "default", "--type", "strategic",
		"-p", `{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}`)
	wantOutput(t, "patch --type strategic", out, "deployment.apps/web patched")
	if got, want := strings.Join(images(), ","), "web=nginx:1.27,sidecar=busybox:1.37"; got != want {
		t.Errorf("containers after strategic merge patch = %s, want %s", got, want)
	}

	out = k.kubectl("patch", "deployment", "web", "-n", "default", "--type", "json",
		"-p", `[{"op":"test","path":"/spec/replicas","value":1},{"op":"replace","path":"/spec/replicas","value":4}]`)
	wantOutput(t, "patch --type json", out, "deployment.apps/web patched")
	errOut := k.kubectlFails("patch", "deployment", "web", "-n", "default", "--type", "json",
		"-p", `[{"op":"test","path":"/spec/replicas","value":1},{"op":"replace","path":"/spec/replicas","value":5}]`)
	// kube-apiserver answers 422 with a generic message and drops the patch
	// error (errors.NewGenericServerResponse without causes).
	const rejected = "the server rejected our request due to an error in our request"
	if want := "The request is invalid: " + rejected; strings.TrimSpace(errOut) != want {
		t.Errorf("json patch with a failing test printed\n%s\nwant\n%s", errOut, want)
	}
	_, err := deps.Patch(ctx, "web", types.JSONPatchType, []byte(`[{"op":"test","path":"/spec/replicas","value":1}]`), metav1.PatchOptions{})
	if !apierrors.IsInvalid(err) || err.Error() != rejected {
		t.Errorf("json patch with a failing test: got %v, want 422 Invalid %q", err, rejected)
	}

	out = k.kubectl("patch", "deployment", "web", "-n", "default", "--type", "merge",
		"-p", `{"metadata":{"labels":{"tier":"frontend"}},"spec":{"template":{"spec":{"containers":[{"name":"only","image":"nginx:1.28"}]}}}}`)
	wantOutput(t, "patch --type merge", out, "deployment.apps/web patched")
	if got, want := strings.Join(images(), ","), "only=nginx:1.28"; got != want {
		t.Errorf("containers after JSON merge patch = %s, want %s", got, want)
	}
	dep, err := deps.Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *dep.Spec.Replicas != 4 || dep.Labels["tier"] != "frontend" {
		t.Errorf("replicas %d labels %v, want 4 and tier=frontend", *dep.Spec.Replicas, dep.Labels)
	}
	if c := dep.Spec.Template.Spec.Containers[0]; c.ImagePullPolicy != corev1.PullIfNotPresent || c.TerminationMessagePath != corev1.TerminationMessagePathDefault {
		t.Errorf("patched container imagePullPolicy %q terminationMessagePath %q, want defaults IfNotPresent and %s",
			c.ImagePullPolicy, c.TerminationMessagePath, corev1.TerminationMessagePathDefault)
	}
}

// TestKubectlDiscovery checks what kubectl learns from discovery and
// OpenAPI: api-resources and explain.
func TestKubectlDiscovery(t *testing.T) {
	k := startKubectl(t)

	out := k.kubectl("api-resources")
	wantMatch(t, "api-resources", out,
		`^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$`,
		`^bindings\s+v1\s+true\s+Binding$`,
		`^componentstatuses\s+cs\s+v1\s+false\s+ComponentStatus$`,
		`^configmaps\s+cm\s+v1\s+true\s+ConfigMap$`,
		`^namespaces\s+ns\s+v1\s+false\s+Namespace$`,
		`^services\s+svc\s+v1\s+true\s+Service$`,
		`^apiservices\s+apiregistration.k8s.io/v1\s+false\s+APIService$`,
		`^deployments\s+deploy\s+apps/v1\s+true\s+Deployment$`,
		`^statefulsets\s+sts\s+apps/v1\s+true\s+StatefulSet$`,
		`^selfsubjectreviews\s+authentication.k8s.io/v1\s+false\s+SelfSubjectReview$`,
		`^horizontalpodautoscalers\s+hpa\s+autoscaling/v2\s+true\s+HorizontalPodAutoscaler$`,
		`^cronjobs\s+cj\s+batch/v1\s+true\s+CronJob$`,
		`^leases\s+coordination.k8s.io/v1\s+true\s+Lease$`,
		`^ingresses\s+ing\s+networking.k8s.io/v1\s+true\s+Ingress$`,
		`^clusterroles\s+rbac.authorization.k8s.io/v1\s+false\s+ClusterRole$`)
	// kube-aggregator's local APIServices, as a real server lists them.
	out = k.kubectl("get", "apiservices")
	wantMatch(t, "get apiservices", out,
		`^NAME\s+SERVICE\s+AVAILABLE\s+AGE$`,
		`^v1\.\s+Local\s+True\s+`,
		`^v1\.apps\s+Local\s+True\s+`,
		`^v2\.autoscaling\s+Local\s+True\s+`,
		`^v1\.apiextensions\.k8s\.io\s+Local\s+True\s+`)
	out = k.kubectl("api-resources", "--api-group", "apps", "-o", "name")
	wantOutput(t, "api-resources --api-group apps -o name", out,
		"controllerrevisions.apps",
		"daemonsets.apps",
		"deployments.apps",
		"replicasets.apps",
		"statefulsets.apps")

	out = k.kubectl("explain", "deployment.spec.replicas")
	wantMatch(t, "explain deployment.spec.replicas", out,
		`^GROUP:\s+apps$`,
		`^KIND:\s+Deployment$`,
		`^VERSION:\s+v1$`,
		`^FIELD:\s+replicas <integer>$`,
		`^DESCRIPTION:$`,
		`^\s+Number of desired pods\.`)
	out = k.kubectl("explain", "configmap", "--recursive")
	wantMatch(t, "explain configmap --recursive", out, `^\s+binaryData\s+<map\[string\]string>$`)
}

// TestKubectlDeployment drives a Deployment through wait, scale, get and
// delete; the test plays the deployment controller through the status
// subresource.
func TestKubectlDeployment(t *testing.T) {
	k := startKubectl(t)
	ctx := t.Context()
	deps := k.client.AppsV1().Deployments("default")
	dep, err := deps.Create(ctx, newDeployment("web"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	// kubectl wait runs while the condition is still unmet.
	waitCtx, cancel := context.WithTimeout(ctx, kubectlTimeout)
	defer cancel()
	var waitOut, waitErr bytes.Buffer
	wait := k.command(waitCtx, "wait", "--for=condition=Available", "deployment/web", "-n", "default", "--timeout=10s")
	wait.Stdout, wait.Stderr = &waitOut, &waitErr
	if err := wait.Start(); err != nil {
		t.Fatal(err)
	}
	dep.Status = appsv1.DeploymentStatus{
		ObservedGeneration: dep.Generation,
		Replicas:           1, UpdatedReplicas: 1, ReadyReplicas: 1, AvailableReplicas: 1,
		Conditions: []appsv1.DeploymentCondition{{
			Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue,
			Reason: "MinimumReplicasAvailable", Message: "Deployment has minimum availability.",
			LastUpdateTime: metav1.Now(), LastTransitionTime: metav1.Now(),
		}},
	}
	if dep, err = deps.UpdateStatus(ctx, dep, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := wait.Wait(); err != nil {
		t.Fatalf("kubectl wait --for=condition=Available: %v\nstdout:\n%s\nstderr:\n%s", err, waitOut.String(), waitErr.String())
	}
	wantOutput(t, "wait --for=condition=Available", waitOut.String(), "deployment.apps/web condition met")

	out := k.kubectl("scale", "deployment", "web", "-n", "default", "--replicas=3")
	wantOutput(t, "scale", out, "deployment.apps/web scaled")
	scale, err := deps.GetScale(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if scale.Spec.Replicas != 3 || scale.Status.Replicas != 1 || scale.Status.Selector != "app=web" {
		t.Errorf("scale = spec.replicas %d status.replicas %d status.selector %q, want 3, 1, app=web",
			scale.Spec.Replicas, scale.Status.Replicas, scale.Status.Selector)
	}
	out = k.kubectl("wait", "--for=jsonpath={.spec.replicas}=3", "deployment/web", "-n", "default", "--timeout=10s")
	wantOutput(t, "wait --for=jsonpath", out, "deployment.apps/web condition met")
	got, err := deps.Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Generation != dep.Generation+1 || got.Status.ObservedGeneration != dep.Generation {
		t.Errorf("after scale: generation %d observedGeneration %d, want %d and %d", got.Generation, got.Status.ObservedGeneration, dep.Generation+1, dep.Generation)
	}

	out = k.kubectl("get", "deploy", "-n", "default")
	wantMatch(t, "get deploy", out, `^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$`, `^web\s+1/3\s+1\s+1\s+\d+s$`)
	out = k.kubectl("get", "deploy", "-n", "default", "-o", "wide")
	wantMatch(t, "get deploy -o wide", out, `^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$`,
		`^web\s+1/3\s+1\s+1\s+\d+s\s+web\s+nginx:1\.27\s+app=web$`)

	out = k.kubectl("delete", "deployment", "web", "-n", "default")
	wantOutput(t, "delete", out, `deployment.apps "web" deleted`)
	if _, err := deps.Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("get after delete: got %v, want NotFound", err)
	}
	errOut := k.kubectlFails("get", "deployment", "web", "-n", "default")
	if want := `Error from server (NotFound): deployments.apps "web" not found`; strings.TrimSpace(errOut) != want {
		t.Errorf("get of a deleted deployment printed\n%s\nwant\n%s", errOut, want)
	}
}

// TestKubectlLogs reads a pod's log with kubectl logs: the server forwards
// it to the kubelet of the pod's node, here a fake one the test serves at
// the node's address and kubelet port.
func TestKubectlLogs(t *testing.T) {
	k := startKubectl(t)
	kubelet := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/containerLogs/default/web/nginx" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "started\ntail=%s\n", r.URL.Query().Get("tailLines"))
	}))
	defer kubelet.Close()
	k.podAtKubelet(t, kubelet)
	out := k.kubectl("logs", "web", "-n", "default", "--tail=3")
	wantOutput(t, "logs", out, "started", "tail=3")
	errOut := k.kubectlFails("logs", "web", "-n", "default", "-c", "php")
	if want := "error: container php is not valid for pod web"; strings.TrimSpace(errOut) != want {
		t.Errorf("logs of a missing container printed\n%s\nwant\n%s", errOut, want)
	}
}

// podAtKubelet creates node-1, whose kubelet is the test server kubelet,
// and the pod default/web (container nginx) on it.
func (k *kubectlServer) podAtKubelet(t *testing.T, kubelet *httptest.Server) {
	t.Helper()
	ctx := t.Context()
	host, port, _ := net.SplitHostPort(kubelet.Listener.Addr().String())
	portNumber, _ := strconv.Atoi(port)
	node, err := k.client.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: host}}
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(portNumber)
	if _, err := k.client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"}, Spec: corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "nginx", Image: "nginx:1.27"}}}}
	if _, err := k.client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// echoExecutor runs every command by writing its arguments, joined, to
// stdout: the fake kubelet's container runtime.
type echoExecutor struct{}

func (echoExecutor) ExecInContainer(_ context.Context, pod, _, container string, cmd []string, _ io.Reader, out, _ io.WriteCloser, _ bool, _ <-chan remotecommand.TerminalSize, _ time.Duration) error {
	_, err := fmt.Fprintf(out, "%s/%s: %s\n", pod, container, strings.Join(cmd, " "))
	return err
}

// TestKubectlExec runs kubectl exec: kubectl speaks WebSockets to the
// server, which translates them to SPDY for the kubelet, as kube-apiserver
// does; the kubelet here is a fake one serving the kubelet's streaming
// protocol (k8s.io/cri-streaming) at the pod's node.
func TestKubectlExec(t *testing.T) {
	k := startKubectl(t)
	kubelet := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// /exec/<namespace>/<pod>/<container>
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if len(parts) != 4 || parts[0] != "exec" {
			http.NotFound(w, r)
			return
		}
		opts, err := remotecommand.NewOptions(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		remotecommand.ServeExec(w, r, echoExecutor{}, parts[2], "", parts[3], r.URL.Query()["command"], opts, time.Minute, 10*time.Second, remotecommand.SupportedStreamingProtocols)
	}))
	defer kubelet.Close()
	k.podAtKubelet(t, kubelet)
	out := k.kubectl("exec", "web", "-n", "default", "--", "ls", "-l", "/")
	wantOutput(t, "exec", out, "web/nginx: ls -l /")
}
