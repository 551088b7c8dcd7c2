package harness_test

import (
	"slices"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// TestFieldSelectors lists and watches with the field selectors upstream's
// registries support, and checks the errors for those they do not.
func TestFieldSelectors(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	pods := c.CoreV1().Pods("default")
	pod := func(name string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
	}
	for _, name := range []string{"a", "b"} {
		if _, err := pods.Create(ctx, pod(name), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	w, err := pods.Watch(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=node-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if err := pods.Bind(ctx, &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Target: corev1.ObjectReference{Kind: "Node", Name: "node-1"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-w.ResultChan():
		if p, ok := ev.Object.(*corev1.Pod); ev.Type != watch.Added || !ok || p.Name != "a" {
			t.Errorf("watch spec.nodeName=node-1: %v %v, want pod a ADDED as it starts matching", ev.Type, ev.Object)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event for the bound pod")
	}

	secrets := c.CoreV1().Secrets("default")
	if _, err := secrets.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "tls"}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{"tls.crt": []byte("x"), "tls.key": []byte("y")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := secrets.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "opaque"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ev := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e"}, InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "a"}, Reason: "Scheduled", Type: corev1.EventTypeNormal}
	if _, err := c.CoreV1().Events("default").Create(ctx, ev, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.BatchV1().Jobs("default").Create(ctx, &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j"}, Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{
		Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// names are the names in a list, as the server returned them.
	names := func(list runtime.Object, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		items, err := meta.ExtractList(list)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, item := range items {
			m, err := meta.Accessor(item)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m.GetName())
		}
		return out
	}
	selector := func(s string) metav1.ListOptions { return metav1.ListOptions{FieldSelector: s} }
	for _, tc := range []struct {
		what string
		got  []string
		want []string
	}{
		{"pods spec.nodeName=node-1", names(pods.List(ctx, selector("spec.nodeName=node-1"))), []string{"a"}},
		{"pods spec.host=node-1 (old clients)", names(pods.List(ctx, selector("spec.host=node-1"))), []string{"a"}},
		{"pods spec.nodeName=", names(pods.List(ctx, selector("spec.nodeName="))), []string{"b"}},
		{"pods status.phase=Pending,spec.restartPolicy=Always", names(pods.List(ctx, selector("status.phase=Pending,spec.restartPolicy=Always"))), []string{"a", "b"}},
		{"pods spec.schedulerName!=default-scheduler", names(pods.List(ctx, selector("spec.schedulerName!=default-scheduler"))), nil},
		{"secrets type=kubernetes.io/tls", names(secrets.List(ctx, selector("type=kubernetes.io/tls"))), []string{"tls"}},
		{"events involvedObject.name=a,reason=Scheduled", names(c.CoreV1().Events("default").List(ctx, selector("involvedObject.name=a,reason=Scheduled"))), []string{"e"}},
		{"events.k8s.io regarding.name=a", names(c.EventsV1().Events("default").List(ctx, selector("regarding.name=a"))), []string{"e"}},
		{"namespaces status.phase=Active,metadata.name=default", names(c.CoreV1().Namespaces().List(ctx, selector("status.phase=Active,metadata.name=default"))), []string{"default"}},
		{"jobs status.successful=0", names(c.BatchV1().Jobs("default").List(ctx, selector("status.successful=0"))), []string{"j"}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.what, tc.got, tc.want)
		}
	}

	for _, tc := range []struct {
		what string
		err  error
		want string
	}{
		{"pods", func() error { _, err := pods.List(ctx, metav1.ListOptions{FieldSelector: "spec.foo=x"}); return err }(), "field label not supported: spec.foo"},
		{"jobs", func() error {
			_, err := c.BatchV1().Jobs("default").List(ctx, metav1.ListOptions{FieldSelector: "spec.parallelism=1"})
			return err
		}(), `field label "spec.parallelism" not supported for Job`},
		{"events.k8s.io", func() error {
			_, err := c.EventsV1().Events("default").List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=a"})
			return err
		}(), "field label not supported: involvedObject.name"},
		{"configmaps", func() error {
			_, err := c.CoreV1().ConfigMaps("default").List(ctx, metav1.ListOptions{FieldSelector: "data=x"})
			return err
		}(), `"data" is not a known field selector: only "metadata.name", "metadata.namespace"`},
	} {
		if !apierrors.IsBadRequest(tc.err) || tc.err.Error() != tc.want {
			t.Errorf("%s: %v, want 400 %q", tc.what, tc.err, tc.want)
		}
	}
}
