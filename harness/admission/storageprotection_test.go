package admission_test

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/memkube/memkube/harness"
)

func TestStorageObjectInUseProtection(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	pv := func(name string) *corev1.PersistentVolume {
		return &corev1.PersistentVolume{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.PersistentVolumeSpec{
				Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
				AccessModes:            []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/tmp"}},
			},
		}
	}
	claimNamed := func(t *testing.T, name string, finalizers []string) (*metav1.ObjectMeta, error) {
		pvc := claim(name)
		pvc.Finalizers = finalizers
		got, err := c.CoreV1().PersistentVolumeClaims("default").Create(t.Context(), pvc, metav1.CreateOptions{})
		if err != nil {
			return nil, err
		}
		return &got.ObjectMeta, nil
	}
	for _, tc := range []struct {
		name   string
		create func(t *testing.T, finalizers []string) (*metav1.ObjectMeta, error)
		given  []string
		want   []string
	}{
		{"claim", func(t *testing.T, f []string) (*metav1.ObjectMeta, error) { return claimNamed(t, "claim", f) },
			nil, []string{"kubernetes.io/pvc-protection"}},
		{"claim with its own finalizer", func(t *testing.T, f []string) (*metav1.ObjectMeta, error) { return claimNamed(t, "claim-own", f) },
			[]string{"example.com/mine"}, []string{"example.com/mine", "kubernetes.io/pvc-protection"}},
		{"claim with the finalizer", func(t *testing.T, f []string) (*metav1.ObjectMeta, error) { return claimNamed(t, "claim-has", f) },
			[]string{"kubernetes.io/pvc-protection"}, []string{"kubernetes.io/pvc-protection"}},
		{"volume", func(t *testing.T, f []string) (*metav1.ObjectMeta, error) {
			v := pv("volume")
			v.Finalizers = f
			got, err := c.CoreV1().PersistentVolumes().Create(t.Context(), v, metav1.CreateOptions{})
			if err != nil {
				return nil, err
			}
			return &got.ObjectMeta, nil
		}, nil, []string{"kubernetes.io/pv-protection"}},
		{"volume attributes class", func(t *testing.T, f []string) (*metav1.ObjectMeta, error) {
			vac := &storagev1.VolumeAttributesClass{ObjectMeta: metav1.ObjectMeta{Name: "vac", Finalizers: f}, DriverName: "example.com/disk", Parameters: map[string]string{"iops": "3000"}}
			got, err := c.StorageV1().VolumeAttributesClasses().Create(t.Context(), vac, metav1.CreateOptions{})
			if err != nil {
				return nil, err
			}
			return &got.ObjectMeta, nil
		}, nil, []string{"kubernetes.io/vac-protection"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.create(t, tc.given)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Finalizers, tc.want) {
				t.Fatalf("got finalizers %q, want %q", got.Finalizers, tc.want)
			}
		})
	}
}
