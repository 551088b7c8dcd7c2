package validation_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/validation"
)

func validStorageClass() *storagev1.StorageClass {
	return &storagev1.StorageClass{
		ObjectMeta:        metav1.ObjectMeta{Name: "fast"},
		Provisioner:       "ebs.csi.aws.com",
		Parameters:        map[string]string{"type": "gp3"},
		ReclaimPolicy:     ptr.To(corev1.PersistentVolumeReclaimDelete),
		VolumeBindingMode: ptr.To(storagev1.VolumeBindingWaitForFirstConsumer),
		AllowedTopologies: []corev1.TopologySelectorTerm{{MatchLabelExpressions: []corev1.TopologySelectorLabelRequirement{
			{Key: "topology.kubernetes.io/zone", Values: []string{"a", "b"}},
		}}},
	}
}

func TestStorageClass(t *testing.T) {
	t.Parallel()
	runGroupCases(t, validStorageClass, validation.StorageClass, []groupCase[*storagev1.StorageClass]{
		{"no provisioner", func(s *storagev1.StorageClass) { s.Provisioner = "" }, []string{"provisioner: Required value"}},
		{"bad provisioner", func(s *storagev1.StorageClass) { s.Provisioner = "a/b/c" },
			[]string{`provisioner: Invalid value: "a/b/c": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`}},
		{"Recycle", func(s *storagev1.StorageClass) { s.ReclaimPolicy = ptr.To(corev1.PersistentVolumeReclaimRecycle) },
			[]string{`reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"`}},
		{"no binding mode", func(s *storagev1.StorageClass) { s.VolumeBindingMode = nil }, []string{"volumeBindingMode: Required value"}},
		{"topology without values, twice", func(s *storagev1.StorageClass) {
			s.AllowedTopologies[0].MatchLabelExpressions[0].Values = nil
			s.AllowedTopologies = append(s.AllowedTopologies, s.AllowedTopologies[0])
		}, []string{
			"allowedTopologies[0].matchLabelExpressions[0].values: Required value",
			"allowedTopologies[1].matchLabelExpressions[0].values: Required value",
			`allowedTopologies[1].matchLabelExpressions: Duplicate value: ""`,
		}},
	})
	changed := validStorageClass()
	changed.Parameters = map[string]string{"type": "io2"}
	assertErrors(t, validation.StorageClassUpdate(changed, validStorageClass()), []string{`parameters: Invalid value: {"type":"io2"}: field is immutable`})
}

func TestCSIDriverAndNode(t *testing.T) {
	t.Parallel()
	driver := &storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: "ebs.csi.aws.com"}, Spec: storagev1.CSIDriverSpec{
		AttachRequired: ptr.To(true), PodInfoOnMount: ptr.To(false), StorageCapacity: ptr.To(false), SELinuxMount: ptr.To(false),
		PreventPodSchedulingIfMissing: ptr.To(false), TokenRequests: []storagev1.TokenRequest{{Audience: "a", ExpirationSeconds: ptr.To[int64](60)}},
	}}
	assertErrors(t, validation.CSIDriver(driver), []string{"spec.tokenRequests[0].expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"})
	changed := driver.DeepCopy()
	changed.Spec.AttachRequired = ptr.To(false)
	changed.Spec.TokenRequests = nil
	assertErrors(t, validation.CSIDriverUpdate(changed, driver), []string{"spec.attachedRequired: Invalid value: false: field is immutable"})

	node := &storagev1.CSINode{ObjectMeta: metav1.ObjectMeta{Name: "node-1"}, Spec: storagev1.CSINodeSpec{Drivers: []storagev1.CSINodeDriver{
		{Name: "ebs.csi.aws.com", NodeID: "i-1", TopologyKeys: []string{"topology.ebs.csi.aws.com/zone"}},
		{Name: "ebs.csi.aws.com", NodeID: ""},
	}}}
	assertErrors(t, validation.CSINode(node), []string{`spec.drivers[1].nodeID: Required value`, `spec.drivers[1].name: Duplicate value: "ebs.csi.aws.com"`})
}

func TestVolumeAttachment(t *testing.T) {
	t.Parallel()
	valid := func() *storagev1.VolumeAttachment {
		return &storagev1.VolumeAttachment{ObjectMeta: metav1.ObjectMeta{Name: "va"}, Spec: storagev1.VolumeAttachmentSpec{
			Attacher: "ebs.csi.aws.com", NodeName: "node-1", Source: storagev1.VolumeAttachmentSource{PersistentVolumeName: ptr.To("pv-1")},
		}}
	}
	runGroupCases(t, valid, validation.VolumeAttachment, []groupCase[*storagev1.VolumeAttachment]{
		{"no attacher or source", func(v *storagev1.VolumeAttachment) {
			v.Spec.Attacher, v.Spec.Source = "", storagev1.VolumeAttachmentSource{}
		},
			[]string{"spec.attacher: Required value", "spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName"}},
	})
	changed := valid()
	changed.Spec.NodeName = "node-2"
	errs := validation.VolumeAttachmentUpdate(changed, valid())
	if len(errs) != 1 || errs[0].Field != "spec" || errs[0].Detail != "field is immutable" {
		t.Errorf("got %v, want the spec immutable", errs)
	}
}

func TestVolumeAttributesClass(t *testing.T) {
	t.Parallel()
	valid := func() *storagev1.VolumeAttributesClass {
		return &storagev1.VolumeAttributesClass{ObjectMeta: metav1.ObjectMeta{Name: "gold"}, DriverName: "ebs.csi.aws.com", Parameters: map[string]string{"iops": "3000"}}
	}
	runGroupCases(t, valid, validation.VolumeAttributesClass, []groupCase[*storagev1.VolumeAttributesClass]{
		{"no parameters", func(v *storagev1.VolumeAttributesClass) { v.Parameters = nil },
			[]string{"parameters: Required value: must contain at least one key/value pair"}},
	})
	changed := valid()
	changed.DriverName = "other.csi.io"
	assertErrors(t, validation.VolumeAttributesClassUpdate(changed, valid()), []string{"driverName: Forbidden: updates to driverName are forbidden."})
}
