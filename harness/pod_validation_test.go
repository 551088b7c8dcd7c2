package harness_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// wantInvalid fails the test unless err is a 422 whose causes are want
// ("field: message" as kube-apiserver reports them).
func wantInvalid(t *testing.T, err error, want ...string) {
	t.Helper()
	var status apierrors.APIStatus
	if !apierrors.IsInvalid(err) || !errorsAs(err, &status) || status.Status().Details == nil {
		t.Fatalf("got %v, want 422 Invalid", err)
	}
	var got []string
	for _, c := range status.Status().Details.Causes {
		got = append(got, c.Field+": "+c.Message)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got causes %q, want %q", got, want)
	}
}

func errorsAs(err error, status *apierrors.APIStatus) bool {
	s, ok := err.(apierrors.APIStatus)
	*status = s
	return ok
}

// TestPodValidation goes through the server: a pod a kube-apiserver
// rejects is rejected with the same causes, on create, update and status
// update, and nothing stored changes.
func TestPodValidation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := newClient(t)
	pods := c.CoreV1().Pods("default")

	bad := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "bad"}, Spec: corev1.PodSpec{Containers: []corev1.Container{
		{Name: "app"},
		{Name: "app", Image: "nginx", Ports: []corev1.ContainerPort{{ContainerPort: 70000}}},
	}}}
	_, err := pods.Create(ctx, bad, metav1.CreateOptions{})
	wantInvalid(t, err,
		"spec.containers[0].image: Required value",
		"spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
		`spec.containers[1].name: Duplicate value: "app"`,
	)
	if !strings.HasPrefix(err.Error(), `Pod "bad" is invalid: [spec.containers[0].image: Required value, `) {
		t.Errorf("got message %q, want kube-apiserver's", err.Error())
	}

	pod, err := pods.Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: "app", Image: "nginx"}},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	changed := pod.DeepCopy()
	changed.Spec.RestartPolicy = corev1.RestartPolicyNever
	_, err = pods.Update(ctx, changed, metav1.UpdateOptions{})
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`") ||
		!strings.Contains(err.Error(), `+ "RestartPolicy": "Never",`) {
		t.Errorf("got %v, want 422 refusing the restartPolicy change", err)
	}

	image := pod.DeepCopy()
	image.Spec.Containers[0].Image = "nginx:1.28"
	if pod, err = pods.Update(ctx, image, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("image update: %v", err)
	}

	status := pod.DeepCopy()
	status.Status.PodIP = "10.0.0.1"
	status.Status.PodIPs = []corev1.PodIP{{IP: "10.0.0.1"}, {IP: "10.0.0.2"}}
	_, err = pods.UpdateStatus(ctx, status, metav1.UpdateOptions{})
	wantInvalid(t, err, `status.podIPs: Invalid value: [{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}]: may specify no more than one IP for each IP family`)

	// a client that sends a status without the QoS class keeps it.
	running := pod.DeepCopy()
	running.Status = corev1.PodStatus{Phase: corev1.PodRunning}
	if running, err = pods.UpdateStatus(ctx, running, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("status update without qosClass: %v", err)
	}
	if running.Status.QOSClass != corev1.PodQOSBestEffort {
		t.Errorf("got qosClass %q, want the stored BestEffort", running.Status.QOSClass)
	}
	pod = running

	got, err := pods.Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.ResourceVersion != pod.ResourceVersion || got.Spec.RestartPolicy != corev1.RestartPolicyAlways || got.Status.PodIP != "" {
		t.Errorf("stored pod changed: resourceVersion %s (want %s), restartPolicy %q, podIP %q", got.ResourceVersion, pod.ResourceVersion, got.Spec.RestartPolicy, got.Status.PodIP)
	}
}

// TestPodTemplateValidation: pod templates validate their template, on
// create and update.
func TestPodTemplateValidation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	templates := newClient(t).CoreV1().PodTemplates("default")
	tmpl := &corev1.PodTemplate{ObjectMeta: metav1.ObjectMeta{Name: "t"}, Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: "app", Image: "nginx"}},
		Volumes: []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{
			EmptyDir: &corev1.EmptyDirVolumeSource{}, Secret: &corev1.SecretVolumeSource{SecretName: "s"},
		}}},
	}}}
	_, err := templates.Create(ctx, tmpl, metav1.CreateOptions{})
	wantInvalid(t, err, "template.spec.volumes[0].secret: Forbidden: may not specify more than 1 volume type")

	tmpl.Template.Spec.Volumes = nil
	created, err := templates.Create(ctx, tmpl, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Template.Spec.Containers[0].Image = ""
	_, err = templates.Update(ctx, created, metav1.UpdateOptions{})
	wantInvalid(t, err, "template.spec.containers[0].image: Required value")
}

// TestPodMatchLabelKeys: on create, matchLabelKeys become selector terms
// with the pod's values; a key also in the user's selector is refused.
func TestPodMatchLabelKeys(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pods := newClient(t).CoreV1().Pods("default")
	pod := func(name string, selector map[string]string) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "web", "rev": "7"}},
			Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "app", Image: "nginx"}},
				TopologySpreadConstraints: []corev1.TopologySpreadConstraint{{
					MaxSkew: 1, TopologyKey: "zone", WhenUnsatisfiable: corev1.DoNotSchedule,
					LabelSelector: &metav1.LabelSelector{MatchLabels: selector}, MatchLabelKeys: []string{"rev"},
				}},
			},
		}
	}
	got, err := pods.Create(ctx, pod("spread", map[string]string{"app": "web"}), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []metav1.LabelSelectorRequirement{{Key: "rev", Operator: metav1.LabelSelectorOpIn, Values: []string{"7"}}}
	if exprs := got.Spec.TopologySpreadConstraints[0].LabelSelector.MatchExpressions; len(exprs) != 1 || exprs[0].Key != want[0].Key ||
		exprs[0].Operator != want[0].Operator || len(exprs[0].Values) != 1 || exprs[0].Values[0] != "7" {
		t.Errorf("got matchExpressions %v, want %v", exprs, want)
	}
	_, err = pods.Create(ctx, pod("both", map[string]string{"rev": "7"}), metav1.CreateOptions{})
	// sic: upstream's path indexes the constraint.
	wantInvalid(t, err, `spec.topologySpreadConstraints[0][0]: Invalid value: "rev": exists in both matchLabelKeys and labelSelector`)
}
