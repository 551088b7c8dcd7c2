package harness_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// fakeKubelet is an HTTPS server standing in for a node's kubelet: it
// answers containerLogs with a fixed log and upgrades exec requests,
// writing "hello" on the upgraded connection; it remembers the requests.
type fakeKubelet struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string // path?query
}

func newFakeKubelet(t *testing.T) *fakeKubelet {
	k := &fakeKubelet{}
	k.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.mu.Lock()
		k.requests = append(k.requests, r.URL.Path+"?"+r.URL.RawQuery)
		k.mu.Unlock()
		switch {
		case strings.HasPrefix(r.URL.Path, "/containerLogs/"):
			fmt.Fprint(w, "line 1\nline 2\n")
		case strings.HasPrefix(r.URL.Path, "/exec/") && r.Header.Get("Upgrade") != "":
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			fmt.Fprintf(buf, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: %s\r\n\r\nhello", r.Header.Get("Upgrade"))
			buf.Flush()
		default:
			http.Error(w, "not found", http.StatusNotFound)
		}
	}))
	t.Cleanup(k.Close)
	return k
}

func (k *fakeKubelet) sawRequest(want string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, r := range k.requests {
		if r == want {
			return true
		}
	}
	return false
}

// TestPodConnect reads logs and execs through a fake kubelet at the pod's
// node's address and port, as kube-apiserver reaches a real one.
func TestPodConnect(t *testing.T) {
	t.Parallel()
	s := harnesstest.Start(t, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	ctx := t.Context()
	kubelet := newFakeKubelet(t)
	host, port, _ := net.SplitHostPort(kubelet.Listener.Addr().String())
	portNumber, _ := strconv.Atoi(port)

	node, err := c.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: host}}
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(portNumber)
	if _, err := c.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	pods := c.CoreV1().Pods("default")
	for _, p := range []*corev1.Pod{
		{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "nginx", Image: "nginx"}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "pending"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "nginx", Image: "nginx"}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "two"}, Spec: corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "a", Image: "nginx"}, {Name: "b", Image: "nginx"}}}},
	} {
		if _, err := pods.Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("log", func(t *testing.T) {
		got, err := pods.GetLogs("web", &corev1.PodLogOptions{TailLines: ptr.To[int64](5), Timestamps: true}).DoRaw(ctx)
		if err != nil || string(got) != "line 1\nline 2\n" {
			t.Fatalf("got %q, %v; want the kubelet's log", got, err)
		}
		if want := "/containerLogs/default/web/nginx?stream=All&tailLines=5&timestamps=true"; !kubelet.sawRequest(want) {
			t.Errorf("the kubelet saw %v, want %s", kubelet.requests, want)
		}
		got, err = pods.GetLogs("pending", &corev1.PodLogOptions{}).DoRaw(ctx)
		if err != nil || len(got) != 0 {
			t.Errorf("log of an unscheduled pod: got %q, %v; want an empty log", got, err)
		}
	})

	for _, tc := range []struct {
		name string
		pod  string
		opts *corev1.PodLogOptions
		want string
	}{
		{"no container named", "two", &corev1.PodLogOptions{}, "a container name must be specified for pod two, choose one of: [a b]"},
		{"unknown container", "web", &corev1.PodLogOptions{Container: "php"}, "container php is not valid for pod web"},
		{"negative tail", "web", &corev1.PodLogOptions{TailLines: ptr.To[int64](-1)}, `PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0`},
		{"missing pod", "nope", &corev1.PodLogOptions{}, `pods "nope" not found`},
	} {
		t.Run("log "+tc.name, func(t *testing.T) {
			// kubectl logs streams, and reads the error's Status from the body.
			stream, err := pods.GetLogs(tc.pod, tc.opts).Stream(ctx)
			if err == nil {
				stream.Close()
			}
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}

	t.Run("exec", func(t *testing.T) {
		path := "/api/v1/namespaces/default/pods/web/exec?command=ls&command=-l&stdout=true"
		status, body := upgrade(t, s.RESTConfig(), path)
		if status != http.StatusSwitchingProtocols || body != "hello" {
			t.Errorf("exec upgrade: got %d %q, want 101 and the kubelet's stream", status, body)
		}
		if want := "/exec/default/web/nginx?command=ls&command=-l&output=1"; !kubelet.sawRequest(want) {
			t.Errorf("the kubelet saw %v, want %s", kubelet.requests, want)
		}
		err := c.CoreV1().RESTClient().Post().Namespace("default").Resource("pods").Name("pending").SubResource("exec").Param("command", "ls").Do(ctx).Error()
		if !apierrors.IsBadRequest(err) || err.Error() != "pod pending does not have a host assigned" {
			t.Errorf("exec in an unscheduled pod: got %v", err)
		}
	})
}

// upgrade sends an SPDY upgrade request for path, as kubectl's SPDY
// executor does, and returns the response's status and what follows it.
func upgrade(t *testing.T, cfg *rest.Config, path string) (int, string) {
	t.Helper()
	tlsConfig, err := rest.TLSConfigFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(cfg.Host)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", u.Host, tlsConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	auth := ""
	if cfg.BearerToken != "" {
		auth = "Authorization: Bearer " + cfg.BearerToken + "\r\n"
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\n%sConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n", path, u.Host, auth)
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r)
	return resp.StatusCode, string(body)
}
