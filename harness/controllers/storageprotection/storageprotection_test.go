package storageprotection_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/controllers/storageprotection"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestMain fails the package if a stopped controller (or server) leaves
// goroutines behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, harnesstest.IgnoreLeaks()...)
}

// start starts a server with opts but without its own storage protection
// controllers, and runs them until the test ends.
func start(t *testing.T, opts harness.Options) kubernetes.Interface {
	t.Helper()
	opts.Controllers.NoStorageProtection = true
	s := harnesstest.Start(t, opts)
	c, err := storageprotection.New(s.InProcessRESTConfig(), clock.RealClock{})
	if err != nil {
		t.Fatal(err)
	}
	harnesstest.Run(t, func(ctx context.Context) { c.Run(ctx, 1) })
	return kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
}

func waitFor(t *testing.T, what string, cond func(context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// gone: get returns 404.
func gone(get func(context.Context) error) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		err := get(ctx)
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	}
}

func claim(name string) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}
}

func podWithClaim(name, claimName, node string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{
			NodeName:   node,
			Containers: []corev1.Container{{Name: "c", Image: "busybox"}},
			Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claimName},
			}}},
		},
	}
}

func TestClaims(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	ctx := t.Context()
	claims := c.CoreV1().PersistentVolumeClaims("default")
	for _, name := range []string{"unused", "used", "pending-pod"} {
		if _, err := claims.Create(ctx, claim(name), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []*corev1.Pod{podWithClaim("user", "used", "node-1"), podWithClaim("unscheduled", "pending-pod", "")} {
		if _, err := c.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"unused", "used", "pending-pod"} {
		if err := claims.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	getClaim := func(name string) func(context.Context) error {
		return func(ctx context.Context) error { _, err := claims.Get(ctx, name, metav1.GetOptions{}); return err }
	}
	// an unscheduled pod does not hold its claim: kubelet never starts it
	// with a claim being deleted.
	waitFor(t, "the unused claim to go", gone(getClaim("unused")))
	waitFor(t, "the claim of an unscheduled pod to go", gone(getClaim("pending-pod")))
	used, err := claims.Get(ctx, "used", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the claim of a scheduled pod: %v", err)
	}
	if used.DeletionTimestamp == nil || !slices.Contains(used.Finalizers, storageprotection.PVCProtectionFinalizer) {
		t.Fatalf("the claim of a scheduled pod: deletionTimestamp %v finalizers %v, want Terminating with the finalizer", used.DeletionTimestamp, used.Finalizers)
	}
	if err := c.CoreV1().Pods("default").Delete(ctx, "user", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the claim to go after its pod", gone(getClaim("used")))
}

func TestUnusedCondition(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	ctx := t.Context()
	claims := c.CoreV1().PersistentVolumeClaims("default")
	pvc, err := claims.Create(ctx, claim("bound"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pvc.Status.Phase = corev1.ClaimBound
	if _, err := claims.UpdateStatus(ctx, pvc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	condition := func(status corev1.ConditionStatus, reason string) func(context.Context) (bool, error) {
		return func(ctx context.Context) (bool, error) {
			pvc, err := claims.Get(ctx, "bound", metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			for _, c := range pvc.Status.Conditions {
				if c.Type == corev1.PersistentVolumeClaimUnused {
					return c.Status == status && c.Reason == reason, nil
				}
			}
			return false, nil
		}
	}
	waitFor(t, "Unused=True", condition(corev1.ConditionTrue, "NoPodsUsingPVC"))
	if _, err := c.CoreV1().Pods("default").Create(ctx, podWithClaim("user", "bound", ""), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Unused=False", condition(corev1.ConditionFalse, "PodUsingPVC"))
	if err := c.CoreV1().Pods("default").Delete(ctx, "user", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Unused=True again", condition(corev1.ConditionTrue, "NoPodsUsingPVC"))
}

func TestVolumesAndClasses(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	ctx := t.Context()
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "pv"},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:    corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			// a volume attributes class needs a CSI volume.
			PersistentVolumeSource:    corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{Driver: "disk.example.com", VolumeHandle: "vol-1"}},
			VolumeAttributesClassName: ptr.To("fast"),
		},
	}
	pv, err := c.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pv.Status.Phase = corev1.VolumeBound
	if _, err := c.CoreV1().PersistentVolumes().UpdateStatus(ctx, pv, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	vac := &storagev1.VolumeAttributesClass{ObjectMeta: metav1.ObjectMeta{Name: "fast"}, DriverName: "disk.example.com", Parameters: map[string]string{"iops": "3000"}}
	if _, err := c.StorageV1().VolumeAttributesClasses().Create(ctx, vac, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	free := pv.DeepCopy()
	free.ObjectMeta = metav1.ObjectMeta{Name: "free"}
	free.Spec.VolumeAttributesClassName = nil
	if _, err := c.CoreV1().PersistentVolumes().Create(ctx, free, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// deleted in this order, and the one worker handles them in order:
	// once "free" is gone, "pv" was looked at.
	for _, name := range []string{"pv", "free"} {
		if err := c.CoreV1().PersistentVolumes().Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.StorageV1().VolumeAttributesClasses().Delete(ctx, "fast", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	getPV := func(name string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := c.CoreV1().PersistentVolumes().Get(ctx, name, metav1.GetOptions{})
			return err
		}
	}
	getVAC := func(ctx context.Context) error {
		_, err := c.StorageV1().VolumeAttributesClasses().Get(ctx, "fast", metav1.GetOptions{})
		return err
	}
	waitFor(t, "the unbound volume to go", gone(getPV("free")))
	// a Bound volume stays, and so does the class it names.
	if err := getPV("pv")(ctx); err != nil {
		t.Fatalf("a Bound volume being deleted: %v", err)
	}
	if err := getVAC(ctx); err != nil {
		t.Fatalf("a class a volume names, being deleted: %v", err)
	}
	pv, err = c.CoreV1().PersistentVolumes().Get(ctx, "pv", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pv.Status.Phase = corev1.VolumeReleased
	if _, err := c.CoreV1().PersistentVolumes().UpdateStatus(ctx, pv, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the released volume to go", gone(getPV("pv")))
	waitFor(t, "the class to go with the last volume naming it", gone(getVAC))
}

// TestAddsFinalizers: objects created without the admission plugin get
// the finalizers from the controllers.
func TestAddsFinalizers(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{Admission: harness.AdmissionOptions{Disable: []string{"StorageObjectInUseProtection"}}})
	ctx := t.Context()
	if _, err := c.CoreV1().PersistentVolumeClaims("default").Create(ctx, claim("late"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	vac := &storagev1.VolumeAttributesClass{ObjectMeta: metav1.ObjectMeta{Name: "late"}, DriverName: "disk.example.com", Parameters: map[string]string{"iops": "3000"}}
	if _, err := c.StorageV1().VolumeAttributesClasses().Create(ctx, vac, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the claim's finalizer", func(ctx context.Context) (bool, error) {
		pvc, err := c.CoreV1().PersistentVolumeClaims("default").Get(ctx, "late", metav1.GetOptions{})
		return err == nil && slices.Equal(pvc.Finalizers, []string{storageprotection.PVCProtectionFinalizer}), err
	})
	waitFor(t, "the class's finalizer", func(ctx context.Context) (bool, error) {
		vac, err := c.StorageV1().VolumeAttributesClasses().Get(ctx, "late", metav1.GetOptions{})
		return err == nil && slices.Equal(vac.Finalizers, []string{storageprotection.VACProtectionFinalizer}), err
	})
}

// TestNamespaceDeletion: with the server's own controllers, a namespace
// with a claim is deleted, claim included.
func TestNamespaceDeletion(t *testing.T) {
	t.Parallel()
	s := harnesstest.Start(t, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	ctx := t.Context()
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "doomed"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoreV1().PersistentVolumeClaims("doomed").Create(ctx, claim("data"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.CoreV1().Namespaces().Delete(ctx, "doomed", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the namespace to go", gone(func(ctx context.Context) error {
		_, err := c.CoreV1().Namespaces().Get(ctx, "doomed", metav1.GetOptions{})
		return err
	}))
}
