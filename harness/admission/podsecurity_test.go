package admission_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// warnings records the warnings a client is sent.
type warnings struct {
	mu   sync.Mutex
	text []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.text = append(w.text, text)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.text
	w.text = nil
	return out
}

// restrictedPod is a pod the restricted level admits.
func restrictedPod(name string) *corev1.Pod {
	p := pod(name)
	p.Spec.SecurityContext = &corev1.PodSecurityContext{
		RunAsNonRoot:   ptr.To(true),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
	return p
}

func TestPodSecurity(t *testing.T) {
	t.Parallel()
	s := harnesstest.Start(t, harness.Options{})
	cfg := s.InProcessRESTConfig()
	w := &warnings{}
	cfg.WarningHandler = w
	c := kubernetes.NewForConfigOrDie(cfg)
	ctx := t.Context()
	for name, labels := range map[string]map[string]string{
		"restricted": {"pod-security.kubernetes.io/enforce": "restricted"},
		"baseline":   {"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted"},
		"unlabelled": nil,
	} {
		if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	hostNetwork := func(name string) *corev1.Pod {
		p := pod(name)
		p.Spec.HostNetwork = true
		return p
	}
	const restrictedViolations = `allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ` +
		`unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ` +
		`runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ` +
		`seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`
	for _, tc := range []struct {
		name, namespace string
		pod             *corev1.Pod
		wantErr         string
		wantWarnings    []string
	}{
		{name: "restricted pod in restricted", namespace: "restricted", pod: restrictedPod("ok")},
		{name: "plain pod in restricted", namespace: "restricted", pod: pod("plain"),
			wantErr: `pods "plain" is forbidden: violates PodSecurity "restricted:latest": ` + restrictedViolations},
		{name: "plain pod in baseline warns of restricted", namespace: "baseline", pod: pod("plain"),
			wantWarnings: []string{`would violate PodSecurity "restricted:latest": ` + restrictedViolations}},
		{name: "host network in baseline", namespace: "baseline", pod: hostNetwork("host"),
			wantErr: `pods "host" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)`},
		{name: "host network unlabelled", namespace: "unlabelled", pod: hostNetwork("host")},
	} {
		// not parallel: the warnings come through one client.
		t.Run(tc.name, func(t *testing.T) {
			w.take()
			_, err := c.CoreV1().Pods(tc.namespace).Create(t.Context(), tc.pod, metav1.CreateOptions{})
			if tc.wantErr != "" {
				wantForbidden(t, err, tc.wantErr)
			} else if err != nil {
				t.Fatal(err)
			}
			if got := w.take(); !slices.Equal(got, tc.wantWarnings) {
				t.Fatalf("got warnings %q, want %q", got, tc.wantWarnings)
			}
		})
	}

	t.Run("templates only warn", func(t *testing.T) {
		w.take()
		labels := map[string]string{"app": "web"}
		d := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "web"},
			Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: pod("").Spec},
			},
		}
		if _, err := c.AppsV1().Deployments("restricted").Create(t.Context(), d, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		want := []string{`would violate PodSecurity "restricted:latest": ` + restrictedViolations}
		if got := w.take(); !slices.Equal(got, want) {
			t.Fatalf("got warnings %q, want %q", got, want)
		}
	})

	t.Run("labelling a namespace warns of its pods", func(t *testing.T) {
		ns, err := c.CoreV1().Namespaces().Get(t.Context(), "unlabelled", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ns.Labels = map[string]string{"pod-security.kubernetes.io/enforce": "baseline"}
		want := []string{
			`existing pods in namespace "unlabelled" violate the new PodSecurity enforce level "baseline:latest"`,
			`host: host namespaces`,
		}
		// the plugin lists pods from an informer: dry runs until it has
		// the pod the subtests above created.
		var got []string
		err = wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
			w.take()
			_, err := c.CoreV1().Namespaces().Update(ctx, ns, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}})
			got = w.take()
			return slices.Equal(got, want), err
		})
		if err != nil {
			t.Fatalf("got warnings %q, want %q (%v)", got, want, err)
		}
	})
}
