package conversion_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness/apis/conversion"
)

func TestQueryConversions(t *testing.T) {
	t.Parallel()
	s := runtime.NewScheme()
	if err := conversion.AddQueryConversions(s); err != nil {
		t.Fatal(err)
	}
	since := metav1.NewTime(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC))
	for _, tc := range []struct {
		name  string
		query string
		into  any
		want  any
	}{
		{"log", "container=app&follow=&previous=0&timestamps=false&tailLines=10&sinceTime=2026-11-22T10:00:00Z&stream=Stdout",
			&corev1.PodLogOptions{Container: "stale", Previous: true},
			&corev1.PodLogOptions{Container: "app", Follow: true, TailLines: ptr.To[int64](10), SinceTime: &since, Stream: ptr.To("Stdout")}},
		{"exec", "command=sh&command=-c&command=echo+hi&stdout=1&tty=true&container=app",
			&corev1.PodExecOptions{},
			&corev1.PodExecOptions{Command: []string{"sh", "-c", "echo hi"}, Stdout: true, TTY: true, Container: "app"}},
		{"portforward", "ports=8080,9090&ports=80", &corev1.PodPortForwardOptions{}, &corev1.PodPortForwardOptions{Ports: []int32{8080, 9090, 80}}},
		{"proxy", "path=/metrics", &corev1.NodeProxyOptions{}, &corev1.NodeProxyOptions{Path: "/metrics"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Convert(&q, tc.into, nil); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, tc.into); diff != "" {
				t.Errorf("converted %q (-want +got):\n%s", tc.query, diff)
			}
		})
	}
	bad, _ := url.ParseQuery("tailLines=ten")
	if err := s.Convert(&bad, &corev1.PodLogOptions{}, nil); err == nil {
		t.Error("tailLines=ten: got no error")
	}
}
