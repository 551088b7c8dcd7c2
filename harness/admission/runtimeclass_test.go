package admission_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
)

func TestRuntimeClass(t *testing.T) {
	t.Parallel()
	c := start(t, harness.Options{})
	overhead := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("120Mi")}
	gpuToleration := corev1.Toleration{Key: "gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}
	classes := []*nodev1.RuntimeClass{
		{
			ObjectMeta: metav1.ObjectMeta{Name: "kata"},
			Handler:    "kata",
			Overhead:   &nodev1.Overhead{PodFixed: overhead},
			Scheduling: &nodev1.Scheduling{
				NodeSelector: map[string]string{"runtime": "kata"},
				Tolerations:  []corev1.Toleration{gpuToleration},
			},
		},
		{ObjectMeta: metav1.ObjectMeta{Name: "plain"}, Handler: "runc"},
	}
	for _, rc := range classes {
		if _, err := c.NodeV1().RuntimeClasses().Create(t.Context(), rc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// the defaults DefaultTolerationSeconds adds first.
	notReady := corev1.Toleration{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](300)}
	unreachable := corev1.Toleration{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](300)}
	everyGPU := corev1.Toleration{Key: "gpu", Operator: corev1.TolerationOpExists}
	for _, tc := range []struct {
		name            string
		pod             func(*corev1.Pod)
		wantOverhead    corev1.ResourceList
		wantSelector    map[string]string
		wantTolerations []corev1.Toleration
		wantErr         string
	}{
		{name: "no class", pod: func(*corev1.Pod) {}, wantTolerations: []corev1.Toleration{notReady, unreachable}},
		{name: "class without overhead", pod: func(p *corev1.Pod) { p.Spec.RuntimeClassName = ptr.To("plain") }, wantTolerations: []corev1.Toleration{notReady, unreachable}},
		{name: "kata", pod: func(p *corev1.Pod) { p.Spec.RuntimeClassName = ptr.To("kata") },
			wantOverhead: overhead, wantSelector: map[string]string{"runtime": "kata"}, wantTolerations: []corev1.Toleration{notReady, unreachable, gpuToleration}},
		{name: "kata with own selector and a broader toleration", pod: func(p *corev1.Pod) {
			p.Spec.RuntimeClassName = ptr.To("kata")
			p.Spec.NodeSelector = map[string]string{"zone": "a", "runtime": "kata"}
			p.Spec.Tolerations = []corev1.Toleration{everyGPU}
		}, wantOverhead: overhead, wantSelector: map[string]string{"zone": "a", "runtime": "kata"}, wantTolerations: []corev1.Toleration{everyGPU, notReady, unreachable}},
		{name: "kata with the same overhead", pod: func(p *corev1.Pod) {
			p.Spec.RuntimeClassName, p.Spec.Overhead = ptr.To("kata"), overhead.DeepCopy()
		}, wantOverhead: overhead, wantSelector: map[string]string{"runtime": "kata"}, wantTolerations: []corev1.Toleration{notReady, unreachable, gpuToleration}},
		{name: "conflicting selector", pod: func(p *corev1.Pod) {
			p.Spec.RuntimeClassName, p.Spec.NodeSelector = ptr.To("kata"), map[string]string{"runtime": "runc"}
		}, wantErr: `pods "conflicting-selector" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[runtime] = kata; pod.spec.nodeSelector[runtime] = runc`},
		{name: "other overhead", pod: func(p *corev1.Pod) {
			p.Spec.RuntimeClassName, p.Spec.Overhead = ptr.To("kata"), corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}
		}, wantErr: `pods "other-overhead" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead`},
		{name: "overhead without class", pod: func(p *corev1.Pod) {
			p.Spec.Overhead = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}
		}, wantErr: `pods "overhead-without-class" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead`},
		{name: "missing class", pod: func(p *corev1.Pod) { p.Spec.RuntimeClassName = ptr.To("gvisor") },
			wantErr: `pods "missing-class" is forbidden: pod rejected: RuntimeClass "gvisor" not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := pod(podName(tc.name))
			tc.pod(p)
			got, err := c.CoreV1().Pods("default").Create(t.Context(), p, metav1.CreateOptions{})
			if tc.wantErr != "" {
				wantForbidden(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !apiequality.Semantic.DeepEqual(got.Spec.Overhead, tc.wantOverhead) {
				t.Errorf("got overhead %v, want %v", got.Spec.Overhead, tc.wantOverhead)
			}
			if !apiequality.Semantic.DeepEqual(got.Spec.NodeSelector, tc.wantSelector) {
				t.Errorf("got nodeSelector %v, want %v", got.Spec.NodeSelector, tc.wantSelector)
			}
			if !apiequality.Semantic.DeepEqual(got.Spec.Tolerations, tc.wantTolerations) {
				t.Errorf("got tolerations %+v, want %+v", got.Spec.Tolerations, tc.wantTolerations)
			}
		})
	}
}
