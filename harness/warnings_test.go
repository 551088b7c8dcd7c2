package harness_test

import (
	"slices"
	"sync"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// warningRecorder records the Warning headers of a client's responses, as
// kubectl prints them.
type warningRecorder struct {
	mu  sync.Mutex // guards got
	got []string
}

func (r *warningRecorder) HandleWarningHeader(code int, _ string, text string) {
	if code != 299 || text == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, text)
}

// take returns the warnings recorded since the last take.
func (r *warningRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

// TestWarnings checks that pods', pod templates' and workloads' strategies
// return kube-apiserver's warnings, with its texts and field paths, on the
// endpoints upstream returns them from.
func TestWarnings(t *testing.T) {
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	rec := &warningRecorder{}
	cfg := s.RESTConfig()
	cfg.WarningHandler = rec
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const arch = `deprecated since v1.14; use "kubernetes.io/arch" instead`
	check := func(t *testing.T, step string, want ...string) {
		t.Helper()
		if got := rec.take(); !slices.Equal(got, want) {
			t.Errorf("%s: got warnings %q, want %q", step, got, want)
		}
	}
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	podSpec := func() corev1.PodSpec {
		return corev1.PodSpec{
			Containers:   []corev1.Container{{Name: "app", Image: "nginx"}},
			NodeSelector: map[string]string{"beta.kubernetes.io/arch": "amd64"},
		}
	}

	t.Run("pods", func(t *testing.T) {
		pods := c.CoreV1().Pods("default")
		pod, err := pods.Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web.1"}, Spec: podSpec()}, metav1.CreateOptions{})
		must(t, err)
		check(t, "create",
			`metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [must not contain dots]`,
			`spec.nodeSelector[beta.kubernetes.io/arch]: `+arch)

		pod.Labels = map[string]string{"a": "b"}
		pod, err = pods.Update(ctx, pod, metav1.UpdateOptions{})
		must(t, err)
		check(t, "update (pods warn on create only)")

		pod.Status.PodIP = "2001:db8:0::1"
		pod.Status.PodIPs = []corev1.PodIP{{IP: "2001:db8:0::1"}}
		_, err = pods.UpdateStatus(ctx, pod, metav1.UpdateOptions{})
		must(t, err)
		check(t, "status update", `status.podIPs[0].ip: IPv6 address "2001:db8:0::1" should be in RFC 5952 canonical format ("2001:db8::1")`)
	})

	t.Run("podtemplates", func(t *testing.T) {
		_, err := c.CoreV1().PodTemplates("default").Create(ctx, &corev1.PodTemplate{
			ObjectMeta: metav1.ObjectMeta{Name: "tpl"},
			Template:   corev1.PodTemplateSpec{Spec: podSpec()},
		}, metav1.CreateOptions{})
		must(t, err)
		check(t, "create", `template.spec.nodeSelector[beta.kubernetes.io/arch]: `+arch)
	})

	t.Run("deployments", func(t *testing.T) {
		deps := c.AppsV1().Deployments("default")
		d := deployment("web")
		d.Spec.Template.Spec.NodeSelector = map[string]string{"beta.kubernetes.io/arch": "amd64"}
		d, err := deps.Create(ctx, d, metav1.CreateOptions{})
		must(t, err)
		check(t, "create", `spec.template.spec.nodeSelector[beta.kubernetes.io/arch]: `+arch)

		d.Labels = map[string]string{"a": "b"}
		d, err = deps.Update(ctx, d, metav1.UpdateOptions{})
		must(t, err)
		check(t, "update of metadata only (generation unchanged)")

		d.Spec.Template.Spec.TerminationGracePeriodSeconds = new(int64)
		*d.Spec.Template.Spec.TerminationGracePeriodSeconds = -1
		d, err = deps.Update(ctx, d, metav1.UpdateOptions{})
		must(t, err)
		check(t, "update of the template",
			`spec.template.spec.nodeSelector[beta.kubernetes.io/arch]: `+arch,
			`spec.template.spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1`)

		d.Status.ObservedGeneration = d.Generation
		_, err = deps.UpdateStatus(ctx, d, metav1.UpdateOptions{})
		must(t, err)
		check(t, "status update")
	})

	t.Run("cronjobs", func(t *testing.T) {
		spec := podSpec()
		spec.RestartPolicy = corev1.RestartPolicyNever
		_, err := c.BatchV1().CronJobs("default").Create(ctx, &batchv1.CronJob{
			ObjectMeta: metav1.ObjectMeta{Name: "nightly.report"},
			Spec: batchv1.CronJobSpec{
				Schedule:    "0 0 * * *",
				JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: spec}}},
			},
		}, metav1.CreateOptions{})
		must(t, err)
		check(t, "create",
			`metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [must not contain dots]`,
			`spec.jobTemplate.spec.template.spec.nodeSelector[beta.kubernetes.io/arch]: `+arch)
	})
}

var _ rest.WarningHandler = (*warningRecorder)(nil)
