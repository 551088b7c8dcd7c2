package harness_test

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestWorkloadValidation checks that the workload kinds' validation is
// wired into the server: invalid creates, updates and status updates get
// kube-apiserver's 422 with its causes, and nothing stored changes.
func TestWorkloadValidation(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	deps := c.AppsV1().Deployments("default")

	bad := deployment("bad")
	bad.Spec.Template.Labels = map[string]string{"app": "other"}
	_, err := deps.Create(ctx, bad, metav1.CreateOptions{})
	want := "Deployment.apps \"bad\" is invalid: spec.template.metadata.labels: Invalid value: {\"app\":\"other\"}: `selector` does not match template `labels`"
	if !apierrors.IsInvalid(err) || err.Error() != want {
		t.Fatalf("create with a selector that does not match: got %v, want 422 %s", err, want)
	}
	if causes := err.(apierrors.APIStatus).Status().Details.Causes; len(causes) != 1 || causes[0].Field != "spec.template.metadata.labels" || causes[0].Type != metav1.CauseTypeFieldValueInvalid {
		t.Errorf("causes %+v, want one FieldValueInvalid on spec.template.metadata.labels", causes)
	}
	if _, err := deps.Get(ctx, "bad", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("get after the rejected create: %v, want NotFound", err)
	}

	web, err := deps.Create(ctx, deployment("web"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	changed := web.DeepCopy()
	changed.Spec.Selector.MatchLabels["tier"] = "front"
	changed.Spec.Template.Labels["tier"] = "front"
	_, err = deps.Update(ctx, changed, metav1.UpdateOptions{})
	want = `Deployment.apps "web" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"front"}}: field is immutable`
	if !apierrors.IsInvalid(err) || err.Error() != want {
		t.Errorf("update of the selector: got %v, want 422 %s", err, want)
	}
	status := web.DeepCopy()
	status.Status = appsv1.DeploymentStatus{Replicas: 1, ReadyReplicas: 2}
	_, err = deps.UpdateStatus(ctx, status, metav1.UpdateOptions{})
	want = `Deployment.apps "web" is invalid: status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas`
	if !apierrors.IsInvalid(err) || err.Error() != want {
		t.Errorf("status update: got %v, want 422 %s", err, want)
	}
	got, err := deps.Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.ResourceVersion != web.ResourceVersion {
		t.Errorf("resourceVersion %s after rejected updates, want %s unchanged", got.ResourceVersion, web.ResourceVersion)
	}

	job, err := c.BatchV1().Jobs("default").Create(ctx, &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "pi"}, Spec: batchv1.JobSpec{
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "pi", Image: "perl"}}}},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create a job with a generated selector: %v", err)
	}
	job.Spec.Template.Spec.Containers[0].Image = "perl:6"
	if _, err := c.BatchV1().Jobs("default").Update(ctx, job, metav1.UpdateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("update of a running job's template: got %v, want 422", err)
	}

	_, err = c.BatchV1().CronJobs("default").Create(ctx, &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: "nightly"}, Spec: batchv1.CronJobSpec{
		Schedule:    "at midnight",
		JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: job.Spec.Template}},
	}}, metav1.CreateOptions{})
	want = `CronJob.batch "nightly" is invalid: spec.schedule: Invalid value: "at midnight": expected exactly 5 fields, found 2: [at midnight]`
	if !apierrors.IsInvalid(err) || err.Error() != want {
		t.Errorf("create a cronjob with a bad schedule: got %v, want 422 %s", err, want)
	}
}
