package harness_test

import (
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestNamespaceLifecycle checks kube-apiserver's side of namespace deletion:
// the "kubernetes" finalizer, Terminating, NamespaceLifecycle admission, and
// the finalize subresource.
func TestNamespaceLifecycle(t *testing.T) {
	ctx := t.Context()
	// without the namespace controller, which would finalize the namespace itself.
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoNamespace: true}})
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	namespaces := c.CoreV1().Namespaces()
	ns, err := namespaces.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns.Spec.Finalizers) != 1 || ns.Spec.Finalizers[0] != corev1.FinalizerKubernetes || ns.Labels[corev1.LabelMetadataName] != "team" {
		t.Fatalf("created namespace: finalizers %v labels %v, want [kubernetes] and the name label", ns.Spec.Finalizers, ns.Labels)
	}
	ns.Spec.Finalizers = nil
	if updated, err := namespaces.Update(ctx, ns, metav1.UpdateOptions{}); err != nil || len(updated.Spec.Finalizers) != 1 {
		t.Fatalf("an update may not change spec.finalizers: %v %v", updated.Spec.Finalizers, err)
	}

	if err := namespaces.Delete(ctx, "team", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	ns, err = namespaces.Get(ctx, "team", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("a namespace with finalizers is not deleted at once: %v", err)
	}
	if ns.DeletionTimestamp == nil || ns.Status.Phase != corev1.NamespaceTerminating {
		t.Fatalf("deleted namespace: deletionTimestamp %v phase %s, want set and Terminating", ns.DeletionTimestamp, ns.Status.Phase)
	}
	_, err = c.CoreV1().ConfigMaps("team").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "late"}}, metav1.CreateOptions{})
	if want := `configmaps "late" is forbidden: unable to create new content in namespace team because it is being terminated`; !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("create in a terminating namespace: %v, want 403 %s", err, want)
	}
	_, err = c.CoreV1().ConfigMaps("nope").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
	if want := `namespaces "nope" not found`; !apierrors.IsNotFound(err) || err.Error() != want {
		t.Errorf("create in a missing namespace: %v, want 404 %s", err, want)
	}
	err = namespaces.Delete(ctx, "kube-system", metav1.DeleteOptions{})
	if want := `namespaces "kube-system" is forbidden: this namespace may not be deleted`; !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("delete kube-system: %v, want 403 %s", err, want)
	}

	ns.Spec.Finalizers = nil
	if _, err := namespaces.Finalize(ctx, ns, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := namespaces.Get(ctx, "team", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("finalized namespace: %v, want it gone", err)
	}
}

// TestNamespaceControllers checks what the server's in-process controllers
// do, as kube-controller-manager would: a new namespace gets its default
// ServiceAccount and kube-root-ca.crt, and a deleted one is emptied and goes.
func TestNamespaceControllers(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "default ServiceAccount and kube-root-ca.crt", func() bool {
		_, errSA := c.CoreV1().ServiceAccounts("team").Get(ctx, "default", metav1.GetOptions{})
		cm, errCM := c.CoreV1().ConfigMaps("team").Get(ctx, "kube-root-ca.crt", metav1.GetOptions{})
		return errSA == nil && errCM == nil && cm.Data["ca.crt"] != ""
	})
	if _, err := c.CoreV1().Secrets("team").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.CoreV1().Namespaces().Delete(ctx, "team", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "namespace team gone", func() bool {
		_, err := c.CoreV1().Namespaces().Get(ctx, "team", metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestGarbageCollection checks the server's in-process garbage collector and
// kube-apiserver's deletion policies: dependents follow their owner, and a
// batch/v1 Job orphans its pods unless told otherwise.
func TestGarbageCollection(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	// The Job and its pod come first: the collector must have the pod in
	// its graph before it orphans the Job's dependents, or it finds none,
	// lets the Job go and then deletes the pod as dangling (upstream's
	// collector would too). The ConfigMap case below gives it that time.
	job, err := c.BatchV1().Jobs("default").Create(ctx, &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "job"},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "c", Image: "busybox"}},
		}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	isController := true
	podRef := []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: "job", UID: job.UID, Controller: &isController}}
	if _, err := c.CoreV1().Pods("default").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "job-pod", OwnerReferences: podRef},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	owner, err := c.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "owner"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ref := []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "owner", UID: owner.UID}}
	if _, err := c.CoreV1().Secrets("default").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "dependent", OwnerReferences: ref}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.CoreV1().ConfigMaps("default").Delete(ctx, "owner", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the dependent of a deleted owner to go", func() bool {
		_, err := c.CoreV1().Secrets("default").Get(ctx, "dependent", metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})

	if err := c.BatchV1().Jobs("default").Delete(ctx, "job", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the job to go and its pod to be orphaned", func() bool {
		_, errJob := c.BatchV1().Jobs("default").Get(ctx, "job", metav1.GetOptions{})
		pod, errPod := c.CoreV1().Pods("default").Get(ctx, "job-pod", metav1.GetOptions{})
		return apierrors.IsNotFound(errJob) && errPod == nil && len(pod.OwnerReferences) == 0
	})
}
