package defaults_test

import (
	"encoding/json"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/apimachinery/pkg/util/intstr"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis"
	"github.com/memkube/memkube/harness/apis/defaults"
)

// now is the fake clock's time: defaults that stamp a time use it.
var now = time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC)

// newScheme returns a scheme holding only the defaulting funcs: Default
// looks funcs up by Go type, so the kinds need not be registered.
func newScheme(t testing.TB) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	if err := defaults.AddToSchemeWithClock(s, clocktesting.NewFakePassiveClock(now)); err != nil {
		t.Fatalf("AddToScheme: %v", err)
	}
	return s
}

// goldenCase is one row of a golden table: in, defaulted, must equal want.
type goldenCase struct {
	name     string
	in, want runtime.Object
}

// runGolden defaults a copy of each case's input and compares it with the
// expected object, both semantically (quantities by value) and on the wire
// (JSON, which tells "1001m" from "1.001" and {} from absent). It also checks
// that defaulting again changes nothing: memkube may default an object it
// read back from storage.
func runGolden(t *testing.T, cases []goldenCase) {
	t.Helper()
	s := newScheme(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.in.DeepCopyObject()
			s.Default(got)
			if !same(t, got, tc.want) {
				t.Errorf("defaulted object differs (-want +got):\n%s", diff.Diff(tc.want, got))
			}
			again := got.DeepCopyObject()
			s.Default(again)
			if !same(t, again, got) {
				t.Errorf("defaulting twice differs from once (-once +twice):\n%s", diff.Diff(got, again))
			}
		})
	}
}

func same(t *testing.T, a, b any) bool {
	t.Helper()
	return apiequality.Semantic.DeepEqual(a, b) && mustJSON(t, a) == mustJSON(t, b)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDecodeDefaults decodes a minimal Deployment with the codecs of the
// scheme memkube serves from, as a request body is decoded, and checks that
// the decoder applied the defaults.
func TestDecodeDefaults(t *testing.T) {
	_, codecs := apis.NewScheme()
	body := []byte(`{
		"apiVersion": "apps/v1",
		"kind": "Deployment",
		"metadata": {"name": "web", "namespace": "default"},
		"spec": {
			"selector": {"matchLabels": {"app": "web"}},
			"template": {
				"metadata": {"labels": {"app": "web"}},
				"spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]}
			}
		}
	}`)
	obj, gvk, err := codecs.UniversalDecoder(appsv1.SchemeGroupVersion).Decode(body, nil, nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if gvk.Kind != "Deployment" {
		t.Fatalf("decoded kind %q, want Deployment", gvk.Kind)
	}
	got, ok := obj.(*appsv1.Deployment)
	if !ok {
		t.Fatalf("decoded %T, want *appsv1.Deployment", obj)
	}
	want := &appsv1.DeploymentSpec{
		Replicas: ptr.To[int32](1),
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
			Spec: corev1.PodSpec{
				Containers: []corev1.Container{{
					Name:                     "web",
					Image:                    "nginx",
					Ports:                    []corev1.ContainerPort{{ContainerPort: 80, Protocol: corev1.ProtocolTCP}},
					TerminationMessagePath:   "/dev/termination-log",
					TerminationMessagePolicy: corev1.TerminationMessageReadFile,
					ImagePullPolicy:          corev1.PullAlways,
				}},
				RestartPolicy:                 corev1.RestartPolicyAlways,
				TerminationGracePeriodSeconds: ptr.To[int64](30),
				DNSPolicy:                     corev1.DNSClusterFirst,
				SecurityContext:               &corev1.PodSecurityContext{},
				SchedulerName:                 "default-scheduler",
			},
		},
		Strategy: appsv1.DeploymentStrategy{
			Type: appsv1.RollingUpdateDeploymentStrategyType,
			RollingUpdate: &appsv1.RollingUpdateDeployment{
				MaxUnavailable: ptr.To(intstr.FromString("25%")),
				MaxSurge:       ptr.To(intstr.FromString("25%")),
			},
		},
		RevisionHistoryLimit:    ptr.To[int32](10),
		ProgressDeadlineSeconds: ptr.To[int32](600),
	}
	if !same(t, &got.Spec, want) {
		t.Errorf("decoded spec differs (-want +got):\n%s", diff.Diff(want, &got.Spec))
	}
}
