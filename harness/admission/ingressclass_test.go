package admission_test

import (
	"context"
	"testing"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
)

func TestDefaultIngressClass(t *testing.T) {
	t.Parallel()
	clk := clocktesting.NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	c := start(t, harness.Options{Clock: clk})
	ctx := t.Context()
	ingress := func(name string) *networkingv1.Ingress {
		return &networkingv1.Ingress{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec:       networkingv1.IngressSpec{DefaultBackend: &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}},
		}
	}
	classOf := func(ctx context.Context) (string, error) {
		got, err := c.NetworkingV1().Ingresses("default").Create(ctx, ingress("probe"), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			return "", err
		}
		return ptr.Deref(got.Spec.IngressClassName, "<nil>"), nil
	}
	createClass := func(name string, isDefault bool) {
		t.Helper()
		class := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: networkingv1.IngressClassSpec{Controller: "example.com/ingress"}}
		if isDefault {
			class.Annotations = map[string]string{networkingv1.AnnotationIsDefaultIngressClass: "true"}
		}
		if _, err := c.NetworkingV1().IngressClasses().Create(ctx, class, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	waitClass := func(want string) {
		t.Helper()
		var got string
		err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
			var err error
			got, err = classOf(ctx)
			return got == want, err
		})
		if err != nil {
			t.Fatalf("default ingress class: got %s, want %s (%v)", got, want, err)
		}
	}
	if got, err := classOf(ctx); err != nil || got != "<nil>" {
		t.Fatalf("without a default class: got %s, %v; want no class", got, err)
	}
	createClass("plain", false)
	createClass("b-default", true)
	waitClass("b-default")
	createClass("a-default", true) // the same second: the first by name
	waitClass("a-default")
	clk.Step(time.Minute)
	createClass("z-newest", true) // newer wins
	waitClass("z-newest")

	for _, tc := range []struct {
		name    string
		ingress func(*networkingv1.Ingress)
		want    string
	}{
		{"own class", func(i *networkingv1.Ingress) { i.Spec.IngressClassName = ptr.To("plain") }, "plain"},
		{"annotation", func(i *networkingv1.Ingress) {
			i.Annotations = map[string]string{"kubernetes.io/ingress.class": "plain"}
		}, "<nil>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := ingress(podName(tc.name))
			tc.ingress(in)
			got, err := c.NetworkingV1().Ingresses("default").Create(t.Context(), in, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if class := ptr.Deref(got.Spec.IngressClassName, "<nil>"); class != tc.want {
				t.Fatalf("got ingressClassName %s, want %s", class, tc.want)
			}
		})
	}
}
