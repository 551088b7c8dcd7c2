package admission_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
)

func claim(name string) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}
}

func storageClass(name string, isDefault bool) *storagev1.StorageClass {
	sc := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Provisioner: "example.com/disk"}
	if isDefault {
		sc.Annotations = map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}
	}
	return sc
}

// defaultClassOf creates a claim without a class (dry run) and returns the
// class it got.
func defaultClassOf(ctx context.Context, c kubernetes.Interface) (string, error) {
	got, err := c.CoreV1().PersistentVolumeClaims("default").Create(ctx, claim("probe"), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err != nil {
		return "", err
	}
	return ptr.Deref(got.Spec.StorageClassName, "<nil>"), nil
}

// waitDefaultClass waits until new claims get class want: the plugin reads
// classes from an informer.
func waitDefaultClass(t *testing.T, c kubernetes.Interface, want string) {
	t.Helper()
	var got string
	err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		var err error
		got, err = defaultClassOf(ctx, c)
		return got == want, err
	})
	if err != nil {
		t.Fatalf("default class: got %s, want %s (%v)", got, want, err)
	}
}

func TestDefaultStorageClass(t *testing.T) {
	t.Parallel()
	clk := clocktesting.NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	c := start(t, harness.Options{Clock: clk})
	ctx := t.Context()
	create := func(sc *storagev1.StorageClass) {
		t.Helper()
		if _, err := c.StorageV1().StorageClasses().Create(ctx, sc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := defaultClassOf(ctx, c); err != nil || got != "<nil>" {
		t.Fatalf("without a default class: got %s, %v; want no class", got, err)
	}
	create(storageClass("plain", false))
	create(storageClass("b-default", true))
	waitDefaultClass(t, c, "b-default")
	// two defaults of the same second: the first by name.
	create(storageClass("a-default", true))
	waitDefaultClass(t, c, "a-default")
	// a newer default wins whatever its name.
	clk.Step(time.Minute)
	create(storageClass("z-newest", true))
	waitDefaultClass(t, c, "z-newest")

	for _, tc := range []struct {
		name  string
		claim func(*corev1.PersistentVolumeClaim)
		want  string
	}{
		{"no class", func(*corev1.PersistentVolumeClaim) {}, "z-newest"},
		{"its own class", func(p *corev1.PersistentVolumeClaim) { p.Spec.StorageClassName = ptr.To("plain") }, "plain"},
		{"explicitly none", func(p *corev1.PersistentVolumeClaim) { p.Spec.StorageClassName = ptr.To("") }, ""},
		{"beta annotation", func(p *corev1.PersistentVolumeClaim) {
			p.Annotations = map[string]string{"volume.beta.kubernetes.io/storage-class": "plain"}
		}, "<nil>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pvc := claim(podName(tc.name))
			tc.claim(pvc)
			got, err := c.CoreV1().PersistentVolumeClaims("default").Create(t.Context(), pvc, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if class := ptr.Deref(got.Spec.StorageClassName, "<nil>"); class != tc.want {
				t.Fatalf("got storageClassName %s, want %s", class, tc.want)
			}
		})
	}
}

func TestPersistentVolumeClaimResize(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	ctx := t.Context()
	grows := storageClass("grows", false)
	grows.AllowVolumeExpansion = ptr.To(true)
	for _, sc := range []*storagev1.StorageClass{grows, storageClass("fixed", false)} {
		if _, err := c.StorageV1().StorageClasses().Create(ctx, sc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// newClaim creates a claim of class, Bound if bound.
	newClaim := func(name, class string, bound bool) *corev1.PersistentVolumeClaim {
		t.Helper()
		pvc := claim(name)
		pvc.Spec.StorageClassName = ptr.To(class)
		pvc, err := c.CoreV1().PersistentVolumeClaims("default").Create(ctx, pvc, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if bound {
			pvc.Status.Phase = corev1.ClaimBound
			if pvc, err = c.CoreV1().PersistentVolumeClaims("default").UpdateStatus(ctx, pvc, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		return pvc
	}
	// the latest claim: the storage protection controller writes the
	// Unused condition of Bound claims.
	resize := func(ctx context.Context, pvc *corev1.PersistentVolumeClaim, size string) error {
		return retry.RetryOnConflict(retry.DefaultRetry, func() error {
			pvc, err := c.CoreV1().PersistentVolumeClaims("default").Get(ctx, pvc.Name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			pvc.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse(size)
			_, err = c.CoreV1().PersistentVolumeClaims("default").Update(ctx, pvc, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		})
	}
	// the plugin reads classes from an informer: wait until it allows.
	ok := newClaim("ok", "grows", true)
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		return resize(ctx, ok, "2Gi") == nil, nil
	}); err != nil {
		t.Fatalf("growing a bound claim of an expandable class: %v", resize(ctx, ok, "2Gi"))
	}
	const notExpandable = "is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"
	for _, tc := range []struct {
		name    string
		pvc     *corev1.PersistentVolumeClaim
		size    string
		wantErr string
	}{
		{"shrink is not this plugin's business", ok, "500Mi", ""},
		{"class without expansion", newClaim("fixed", "fixed", true), "2Gi", `persistentvolumeclaims "fixed" ` + notExpandable},
		{"class that does not exist", newClaim("gone", "gone", true), "2Gi", `persistentvolumeclaims "gone" ` + notExpandable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := resize(t.Context(), tc.pvc, tc.size)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantForbidden(t, err, tc.wantErr)
		})
	}
	// an unbound claim's request is immutable: validation refuses the
	// resize (422) before this validating plugin would, as kube-apiserver
	// validates first.
	unbound := newClaim("unbound", "grows", false)
	t.Run("unbound", func(t *testing.T) {
		t.Parallel()
		err := resize(t.Context(), unbound, "2Gi")
		if want := "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"; !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want 422 %q", err, want)
		}
	})
}
