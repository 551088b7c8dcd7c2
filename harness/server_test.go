package harness_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestServersAreIsolated starts two servers in one process and drives them
// with client-go: each has the bootstrap namespaces, and what one stores the
// other does not see.
func TestServersAreIsolated(t *testing.T) {
	ctx := t.Context()
	var clients []kubernetes.Interface
	for range 2 {
		s := harnesstest.Start(t, harness.Options{})
		c, err := kubernetes.NewForConfig(s.RESTConfig())
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	for i, c := range clients {
		nss, err := c.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatalf("server %d: list namespaces: %v", i, err)
		}
		var names []string
		for _, ns := range nss.Items {
			names = append(names, ns.Name)
			if ns.Status.Phase != corev1.NamespaceActive || ns.UID == "" {
				t.Errorf("server %d: namespace %s = phase %q uid %q, want Active with a uid", i, ns.Name, ns.Status.Phase, ns.UID)
			}
		}
		if len(names) != 4 {
			t.Errorf("server %d: namespaces %v, want default, kube-node-lease, kube-public, kube-system", i, names)
		}
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "only-here"}, Data: map[string]string{"a": "b"}}
	if _, err := clients[0].CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := clients[1].CoreV1().ConfigMaps("default").Get(ctx, "only-here", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("the other server: got %v, want 404", err)
	}
	// kube-apiserver's validation message for a bad name.
	bad := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "Bad_Name"}}
	_, err := clients[0].CoreV1().ConfigMaps("default").Create(ctx, bad, metav1.CreateOptions{})
	want := `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`
	if !apierrors.IsInvalid(err) || err.Error() != want {
		t.Fatalf("bad name: got %v\nwant 422 %s", err, want)
	}
}
