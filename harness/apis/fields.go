package apis

import (
	"fmt"
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The field selectors each kind accepts, per served version, with
// upstream's error messages (pkg/apis/*/v1/conversion.go). The registries
// select on the same fields (harness/registry/builtin/fields.go). Kinds
// without an entry accept metadata.name and metadata.namespace only.

// fieldLabels are the labels a kind accepts as they are.
var fieldLabels = []struct {
	gvk    schema.GroupVersionKind
	labels []string
	// unsupported is the error for any other label.
	unsupported func(label string) error
}{
	{corev1.SchemeGroupVersion.WithKind("Node"), []string{"metadata.name", "spec.unschedulable"}, notSupported},
	{corev1.SchemeGroupVersion.WithKind("ReplicationController"), []string{"metadata.name", "metadata.namespace", "status.replicas"}, notSupported},
	{corev1.SchemeGroupVersion.WithKind("Event"), []string{
		"involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
		"involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
		"reason", "reportingComponent", "source", "type", "metadata.namespace", "metadata.name",
	}, notSupported},
	{corev1.SchemeGroupVersion.WithKind("Namespace"), []string{"status.phase", "metadata.name"}, notSupported},
	{corev1.SchemeGroupVersion.WithKind("Secret"), []string{"type", "metadata.namespace", "metadata.name"}, notSupported},
	{corev1.SchemeGroupVersion.WithKind("Service"), []string{"metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"}, notSupported},
	{batchv1.SchemeGroupVersion.WithKind("Job"), []string{"metadata.name", "metadata.namespace", "status.successful"},
		func(label string) error { return fmt.Errorf("field label %q not supported for Job", label) }},
	{certificatesv1.SchemeGroupVersion.WithKind("CertificateSigningRequest"), []string{"metadata.name", "spec.signerName"}, notSupported},
	{certificatesv1.SchemeGroupVersion.WithKind("ClusterTrustBundle"), []string{"metadata.name", "spec.signerName"}, notSupported},
	{certificatesv1.SchemeGroupVersion.WithKind("PodCertificateRequest"), []string{"metadata.name", "spec.signerName", "spec.podName", "spec.nodeName"}, notSupported},
	{resourcev1.SchemeGroupVersion.WithKind("ResourceSlice"), []string{"metadata.name", "spec.nodeName", "spec.driver", "spec.pool.name"},
		func(label string) error {
			return fmt.Errorf("field label not supported for %s: %s", resourcev1.SchemeGroupVersion.WithKind("ResourceSlice"), label)
		}},
}

func notSupported(label string) error { return fmt.Errorf("field label not supported: %s", label) }

// eventsV1FieldLabels maps events.k8s.io/v1 labels to the fields of the
// core Events they are stored as.
var eventsV1FieldLabels = map[string]string{
	"reason":                    "reason",
	"regarding.kind":            "involvedObject.kind",
	"regarding.namespace":       "involvedObject.namespace",
	"regarding.name":            "involvedObject.name",
	"regarding.uid":             "involvedObject.uid",
	"regarding.apiVersion":      "involvedObject.apiVersion",
	"regarding.resourceVersion": "involvedObject.resourceVersion",
	"regarding.fieldPath":       "involvedObject.fieldPath",
	"reportingController":       "reportingComponent",
	"type":                      "type",
	"metadata.namespace":        "metadata.namespace",
	"metadata.name":             "metadata.name",
}

// podFieldLabels are a pod's; spec.host is what old v1 clients send for
// spec.nodeName.
var podFieldLabels = []string{
	"metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
	"spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
	"status.nominatedNodeName",
}

func addFieldLabelConversions(scheme *runtime.Scheme) error {
	for _, f := range fieldLabels {
		labels, unsupported := f.labels, f.unsupported
		if err := scheme.AddFieldLabelConversionFunc(f.gvk, func(label, value string) (string, string, error) {
			if slices.Contains(labels, label) {
				return label, value, nil
			}
			return "", "", unsupported(label)
		}); err != nil {
			return err
		}
	}
	if err := scheme.AddFieldLabelConversionFunc(corev1.SchemeGroupVersion.WithKind("Pod"), func(label, value string) (string, string, error) {
		switch {
		case slices.Contains(podFieldLabels, label):
			return label, value, nil
		case label == "spec.host":
			return "spec.nodeName", value, nil
		}
		return "", "", notSupported(label)
	}); err != nil {
		return err
	}
	return scheme.AddFieldLabelConversionFunc(eventsv1.SchemeGroupVersion.WithKind("Event"), func(label, value string) (string, string, error) {
		mapped, ok := eventsV1FieldLabels[label]
		if !ok {
			return "", "", notSupported(label)
		}
		return mapped, value, nil
	})
}
