package validation_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

func validPV() *corev1.PersistentVolume {
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "pv-1"},
		Spec: corev1.PersistentVolumeSpec{
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			VolumeMode:                    ptr.To(corev1.PersistentVolumeFilesystem),
			PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/data", Type: ptr.To(corev1.HostPathUnset)}},
		},
	}
}

func TestPersistentVolume(t *testing.T) {
	t.Parallel()
	matchErrors(t, validation.PersistentVolume(validPV()))
	for _, tc := range []struct {
		name   string
		change func(*corev1.PersistentVolume)
		want   []string
	}{
		{"no access modes", func(pv *corev1.PersistentVolume) { pv.Spec.AccessModes = nil }, []string{"spec.accessModes: Required value"}},
		{"bad access mode", func(pv *corev1.PersistentVolume) {
			pv.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{"ReadWriteAll"}
		},
			[]string{`spec.accessModes: Unsupported value: "ReadWriteAll": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"`}},
		{"ReadWriteOncePod with another", func(pv *corev1.PersistentVolume) {
			pv.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOncePod, corev1.ReadOnlyMany}
		}, []string{"spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"}},
		{"no capacity", func(pv *corev1.PersistentVolume) { pv.Spec.Capacity = nil }, []string{
			"spec.capacity: Required value", `spec.capacity: Unsupported value: null: supported values: "storage"`}},
		{"zero capacity", func(pv *corev1.PersistentVolume) { pv.Spec.Capacity[corev1.ResourceStorage] = resource.MustParse("0") },
			[]string{`spec.capacity[storage]: Invalid value: "0": must be greater than zero`}},
		{"no source", func(pv *corev1.PersistentVolume) { pv.Spec.HostPath = nil }, []string{"spec: Required value: must specify a volume type"}},
		{"two sources", func(pv *corev1.PersistentVolume) {
			pv.Spec.NFS = &corev1.NFSVolumeSource{Server: "nfs", Path: "/export"}
		},
			[]string{"spec.nfs: Forbidden: may not specify more than 1 volume type"}},
		{"relative nfs path", func(pv *corev1.PersistentVolume) {
			pv.Spec.HostPath, pv.Spec.NFS = nil, &corev1.NFSVolumeSource{Server: "nfs", Path: "export"}
		}, []string{`spec.nfs.path: Invalid value: "export": must be an absolute path`}},
		{"local without node affinity", func(pv *corev1.PersistentVolume) {
			pv.Spec.HostPath, pv.Spec.Local = nil, &corev1.LocalVolumeSource{Path: "/mnt/disk"}
		}, []string{"spec.nodeAffinity: Required value: Local volume requires node affinity"}},
		{"csi without handle", func(pv *corev1.PersistentVolume) {
			pv.Spec.HostPath, pv.Spec.CSI = nil, &corev1.CSIPersistentVolumeSource{Driver: "ebs.csi.aws.com"}
		}, []string{"spec.csi.volumeHandle: Required value"}},
		{"bad reclaim policy", func(pv *corev1.PersistentVolume) { pv.Spec.PersistentVolumeReclaimPolicy = "Keep" },
			[]string{`spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"`}},
		{"node affinity without required", func(pv *corev1.PersistentVolume) { pv.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{} },
			[]string{"spec.nodeAffinity.required: Required value: must specify required node constraints"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pv := validPV()
			tc.change(pv)
			matchErrors(t, validation.PersistentVolume(pv), tc.want...)
		})
	}
	t.Run("source is immutable", func(t *testing.T) {
		t.Parallel()
		pv := validPV()
		pv.Spec.HostPath.Path = "/other"
		errs := validation.PersistentVolumeUpdate(pv, validPV())
		if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\n") {
			t.Errorf("got %v, want the source immutable", errs)
		}
	})
	t.Run("claimRef and capacity change", func(t *testing.T) {
		t.Parallel()
		pv := validPV()
		pv.Spec.ClaimRef = &corev1.ObjectReference{Namespace: "default", Name: "data"}
		pv.Spec.Capacity[corev1.ResourceStorage] = resource.MustParse("2Gi")
		matchErrors(t, validation.PersistentVolumeUpdate(pv, validPV()))
	})
}

func validPVC() *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: "default"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
			VolumeMode:  ptr.To(corev1.PersistentVolumeFilesystem),
		},
	}
}

func TestPersistentVolumeClaim(t *testing.T) {
	t.Parallel()
	matchErrors(t, validation.PersistentVolumeClaim(validPVC()))
	for _, tc := range []struct {
		name   string
		change func(*corev1.PersistentVolumeClaim)
		want   []string
	}{
		{"no access modes", func(c *corev1.PersistentVolumeClaim) { c.Spec.AccessModes = nil },
			[]string{"spec.accessModes: Required value: at least 1 access mode is required"}},
		{"no storage", func(c *corev1.PersistentVolumeClaim) { c.Spec.Resources.Requests = nil },
			[]string{"spec.resources[storage]: Required value"}},
		{"zero storage", func(c *corev1.PersistentVolumeClaim) {
			c.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("0")
		},
			[]string{`spec.resources[storage]: Invalid value: "0": must be greater than zero`}},
		{"bad storage class", func(c *corev1.PersistentVolumeClaim) { c.Spec.StorageClassName = ptr.To("Fast_SSD") },
			[]string{`spec.storageClassName: Invalid value: "Fast_SSD": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`}},
		{"data source of core kind", func(c *corev1.PersistentVolumeClaim) {
			c.Spec.DataSource = &corev1.TypedLocalObjectReference{Kind: "Secret", Name: "s"}
			c.Spec.DataSourceRef = &corev1.TypedObjectReference{Kind: "Secret", Name: "s"}
		}, []string{
			`spec.dataSource: Invalid value: "Secret": must be 'PersistentVolumeClaim' when referencing the default apiGroup`,
			`spec.dataSourceRef: Invalid value: "Secret": must be 'PersistentVolumeClaim' when referencing the default apiGroup`}},
		{"data sources differ", func(c *corev1.PersistentVolumeClaim) {
			c.Spec.DataSource = &corev1.TypedLocalObjectReference{Kind: "PersistentVolumeClaim", Name: "a"}
			c.Spec.DataSourceRef = &corev1.TypedObjectReference{Kind: "PersistentVolumeClaim", Name: "b"}
		}, []string{`spec: Invalid value: {}: must match dataSourceRef`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validPVC()
			tc.change(c)
			matchErrors(t, validation.PersistentVolumeClaim(c), tc.want...)
		})
	}
}

func TestPersistentVolumeClaimUpdate(t *testing.T) {
	t.Parallel()
	bound := func() *corev1.PersistentVolumeClaim {
		c := validPVC()
		c.Status.Phase = corev1.ClaimBound
		c.Status.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}
		return c
	}
	t.Run("volumeName is set once", func(t *testing.T) {
		t.Parallel()
		c := validPVC()
		c.Spec.VolumeName = "pv-1"
		matchErrors(t, validation.PersistentVolumeClaimUpdate(c, validPVC()))
	})
	t.Run("bound claim grows", func(t *testing.T) {
		t.Parallel()
		c := bound()
		c.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("2Gi")
		matchErrors(t, validation.PersistentVolumeClaimUpdate(c, bound()))
	})
	t.Run("bound claim shrinks below capacity", func(t *testing.T) {
		t.Parallel()
		c := bound()
		c.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("512Mi")
		matchErrors(t, validation.PersistentVolumeClaimUpdate(c, bound()),
			"spec.resources.requests.storage: Forbidden: field can not be less than status.capacity")
	})
	for _, tc := range []struct {
		name   string
		change func(*corev1.PersistentVolumeClaim)
	}{
		{"access modes", func(c *corev1.PersistentVolumeClaim) {
			c.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}
		}},
		{"unbound claim's request", func(c *corev1.PersistentVolumeClaim) {
			c.Status.Phase = corev1.ClaimPending
			c.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("2Gi")
		}},
	} {
		t.Run(tc.name+" are immutable", func(t *testing.T) {
			t.Parallel()
			c := bound()
			tc.change(c)
			errs := validation.PersistentVolumeClaimUpdate(c, bound())
			want := "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n"
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), want) {
				t.Errorf("got %v, want %q", errs, want)
			}
		})
	}
}
