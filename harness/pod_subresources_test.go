package harness_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestPodEphemeralContainers adds a debug container through
// pods/ephemeralcontainers, as kubectl debug does.
func TestPodEphemeralContainers(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	pods := c.CoreV1().Pods("default")
	pod, err := pods.Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "app"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	debug := pod.DeepCopy()
	debug.Spec.EphemeralContainers = []corev1.EphemeralContainer{{TargetContainerName: "app", EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger", Image: "busybox", TTY: true, Stdin: true}}}
	debug.Spec.Containers[0].Image = "ignored" // only ephemeral containers change here
	debug.Labels = map[string]string{"ignored": "too"}
	got, err := pods.UpdateEphemeralContainers(ctx, "app", debug, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Spec.EphemeralContainers) != 1 || got.Spec.Containers[0].Image != "nginx" || got.Labels["ignored"] != "" || got.Generation != pod.Generation+1 {
		t.Errorf("after adding: ephemeral %v, image %q, labels %v, generation %d (was %d)", got.Spec.EphemeralContainers, got.Spec.Containers[0].Image, got.Labels, got.Generation, pod.Generation)
	}

	for _, tc := range []struct {
		name   string
		change func(p *corev1.Pod)
		want   string
	}{
		{"removed", func(p *corev1.Pod) { p.Spec.EphemeralContainers = nil }, `spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger" may not be removed`},
		{"changed", func(p *corev1.Pod) { p.Spec.EphemeralContainers[0].Image = "alpine" }, `spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger" may not be changed`},
		{"ports", func(p *corev1.Pod) {
			p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
				Name: "web", Image: "nginx", Ports: []corev1.ContainerPort{{ContainerPort: 80}}}})
		}, `spec.ephemeralContainers[1].ports: Forbidden: cannot be set for an Ephemeral Container`},
		{"duplicate", func(p *corev1.Pod) {
			p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "app", Image: "busybox"}})
		}, `spec.ephemeralContainers[1].name: Duplicate value: "app"`},
		{"target", func(p *corev1.Pod) {
			p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, corev1.EphemeralContainer{TargetContainerName: "nope", EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "d2", Image: "busybox"}})
		}, `spec.ephemeralContainers[1].targetContainerName: Not found: "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := got.DeepCopy()
			tc.change(p)
			_, err := pods.UpdateEphemeralContainers(ctx, "app", p, metav1.UpdateOptions{})
			if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want 422 with %q", err, tc.want)
			}
		})
	}
}
