package validation_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

func validReplicationController() *corev1.ReplicationController {
	template := podTemplate()
	return defaulted(&corev1.ReplicationController{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec:       corev1.ReplicationControllerSpec{Selector: map[string]string{"app": "web"}, Template: &template},
	})
}

func TestReplicationController(t *testing.T) {
	t.Parallel()
	run(t, validReplicationController, validation.ReplicationController, []invalid[*corev1.ReplicationController]{
		{"negative replicas and minReadySeconds come last", func(rc *corev1.ReplicationController) {
			rc.Spec.Replicas = ptr.To[int32](-1)
			rc.Spec.MinReadySeconds = -1
			rc.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
		}, []string{
			`spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"`,
			"spec.replicas: Invalid value: -1: must be greater than or equal to 0",
			"spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0",
		}},
		{"no selector", func(rc *corev1.ReplicationController) { rc.Spec.Selector = nil },
			[]string{"spec.selector: Required value"}},
		{"selector does not match", func(rc *corev1.ReplicationController) { rc.Spec.Selector = map[string]string{"app": "api"} },
			[]string{"spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`"}},
		{"no template", func(rc *corev1.ReplicationController) { rc.Spec.Template = nil },
			[]string{"spec.template: Required value"}},
		{"activeDeadlineSeconds", func(rc *corev1.ReplicationController) { rc.Spec.Template.Spec.ActiveDeadlineSeconds = ptr.To[int64](5) },
			[]string{"spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicationController is not Supported"}},
	})
	if errs := updated(validReplicationController, func(rc *corev1.ReplicationController) {
		rc.Spec.Selector = map[string]string{"app": "web", "v": "2"}
		rc.Spec.Template.Labels["v"] = "2"
	}, validation.ReplicationControllerUpdate); len(errs) != 0 {
		t.Errorf("new selector: got %v, want no errors (a ReplicationController's selector is mutable)", errs)
	}
	rc := validReplicationController()
	rc.Status = corev1.ReplicationControllerStatus{Replicas: 1, ReadyReplicas: 1, AvailableReplicas: 2}
	wantErrs(t, validation.ReplicationControllerStatusUpdate(rc, validReplicationController()), []string{
		"status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas",
		"status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas",
	})
}
