package harness_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/faults"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestFaultsAdmin drives the server's fault injector over HTTPS, as the
// admin kubeconfig's user: a conflict added there answers updates until
// deleted. Another user, without RBAC for /memkube/*, is forbidden.
func TestFaultsAdmin(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	rc := c.Discovery().RESTClient()
	cms := c.CoreV1().ConfigMaps("default")
	cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	var code int
	body, err := rc.Post().AbsPath(harness.FaultsPath, "faults").
		Body([]byte(`{"verbs": ["update"], "resources": ["configmaps"], "action": {"type": "Conflict"}}`)).
		Do(ctx).StatusCode(&code).Raw()
	if err != nil || code != http.StatusCreated {
		t.Fatalf("add: code %d, %v, want 201", code, err)
	}
	var added faults.Record
	if err := json.Unmarshal(body, &added); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if active := s.Faults().Faults(); len(active) != 1 || active[0].ID() != added.ID {
		t.Fatalf("the server's injector has %v, want the fault added over HTTP (id %d)", active, added.ID)
	}

	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("update: %v, want 409", err)
	}
	body, err = rc.Get().AbsPath(harness.FaultsPath, "faults").Do(ctx).Raw()
	if err != nil {
		t.Fatal(err)
	}
	var list faults.RecordList
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if len(list.Faults) != 1 || list.Faults[0].Fired != 1 {
		t.Fatalf("list: %s, want the fault, fired once", body)
	}
	if err := rc.Delete().AbsPath(harness.FaultsPath, "faults", "1").Do(ctx).Error(); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update after delete: %v", err)
	}

	// Compaction: the server's store is memory, the revision is the store's.
	rev := s.Store().Rev()
	body, err = rc.Post().AbsPath(harness.FaultsPath, "compact").Do(ctx).Raw()
	if err != nil {
		t.Fatalf("compact: %v", err)
	}
	var compacted faults.Compaction
	if err := json.Unmarshal(body, &compacted); err != nil || compacted.Revision < rev {
		t.Fatalf("compact: %s (%v), want a revision at least %d", body, err, rev)
	}

	bob, err := s.AddUser("bob", nil)
	if err != nil {
		t.Fatal(err)
	}
	bobRC := kubernetes.NewForConfigOrDie(bob).Discovery().RESTClient()
	for _, req := range []*rest.Request{
		bobRC.Get().AbsPath(harness.FaultsPath, "faults"),
		bobRC.Post().AbsPath(harness.FaultsPath, "faults").Body([]byte(`{"action": {"type": "InternalError"}}`)),
		bobRC.Delete().AbsPath(harness.FaultsPath, "faults"),
		bobRC.Post().AbsPath(harness.FaultsPath, "compact"),
	} {
		if err := req.Do(ctx).Error(); !apierrors.IsForbidden(err) {
			t.Errorf("bob %s: %v, want 403", req.URL().Path, err)
		}
	}
	if n := len(s.Faults().Faults()); n != 0 {
		t.Errorf("%d faults after bob's requests, want 0", n)
	}

	// RBAC for the non-resource URLs /memkube/* lets bob in, as docs/faults.md says.
	if _, err := c.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "memkube-faults"},
		Rules:      []rbacv1.PolicyRule{{NonResourceURLs: []string{"/memkube/*"}, Verbs: []string{"get", "post", "delete"}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "bob-faults"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "memkube-faults"},
		Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "bob"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		return bobRC.Post().AbsPath(harness.FaultsPath, "faults").Body([]byte(`{"users": ["bob"], "action": {"type": "InternalError"}}`)).Do(ctx).Error() == nil, nil
	}); err != nil {
		t.Fatalf("bob, with RBAC for /memkube/*, could not add a fault: %v", err)
	}
	if err := bobRC.Delete().AbsPath(harness.FaultsPath, "faults").Do(ctx).Error(); err != nil {
		t.Fatalf("bob, with RBAC for /memkube/*, could not reset: %v", err)
	}
}
