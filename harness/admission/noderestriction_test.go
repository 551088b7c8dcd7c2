package admission_test

import (
	"context"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// nodeRestrictionOptions turn NodeRestriction on and let every request
// through authorization (AlwaysAllow): what a node may not do is then
// admission's decision alone, as RBAC's system:node role is not bound to
// nodes by default and the Node authorizer is not in the chain.
var nodeRestrictionOptions = harness.Options{
	Admission: harness.AdmissionOptions{Enable: []string{"NodeRestriction"}},
	Auth:      harness.AuthOptions{AuthorizationModes: []string{"AlwaysAllow"}},
}

// nodeClient is a client of the kubelet of node name.
func nodeClient(t *testing.T, s *harness.Server, name string) kubernetes.Interface {
	t.Helper()
	cfg, err := s.AddUser("system:node:"+name, []string{"system:nodes"})
	if err != nil {
		t.Fatal(err)
	}
	return kubernetes.NewForConfigOrDie(cfg)
}

// onceSeen calls f until it returns other than 404 Not Found: the plugin
// reads pods and nodes from informers, which see an object an instant
// after it is created.
func onceSeen(ctx context.Context, f func(context.Context) error) error {
	var err error
	if pollErr := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		err = f(ctx)
		return !apierrors.IsNotFound(err), nil
	}); pollErr != nil && err == nil {
		return pollErr
	}
	return err
}

// TestNodeRestriction: a kubelet's user writes its own node's objects and
// is refused the others', with upstream's messages; the admin is not
// restricted.
func TestNodeRestriction(t *testing.T) {
	t.Parallel()
	s := harnesstest.Start(t, nodeRestrictionOptions)
	admin := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	node := nodeClient(t, s, "n1")
	ctx := t.Context()

	n1, err := node.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", Labels: map[string]string{corev1.LabelHostname: "n1"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("node creating its own Node: %v", err)
	}
	if _, err := admin.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n2"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "robot"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	bound := map[string]*corev1.Pod{}
	for name, nodeName := range map[string]string{"mine": "n1", "doomed": "n1", "theirs": "n2"} {
		p := pod(name)
		p.Spec.NodeName, p.Spec.ServiceAccountName = nodeName, "robot"
		created, err := admin.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("admin creating a pod on %s: %v", nodeName, err)
		}
		bound[name] = created
	}

	mirror := func(name string) *corev1.Pod {
		p := pod(name)
		p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "hash"}
		p.Spec.NodeName = "n1"
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: "n1", UID: n1.UID, Controller: ptr.To(true)}}
		return p
	}
	token := func(pod string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := node.CoreV1().ServiceAccounts("default").CreateToken(ctx, "robot", &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
				BoundObjectRef: &authenticationv1.BoundObjectReference{APIVersion: "v1", Kind: "Pod", Name: pod, UID: bound[pod].UID},
			}}, metav1.CreateOptions{})
			return err
		}
	}
	patchNode := func(name, patch string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := node.CoreV1().Nodes().Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
			return err
		}
	}
	updatePodStatus := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			p, err := node.CoreV1().Pods("default").Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: "example.com/Checked", Status: corev1.ConditionTrue})
			_, err = node.CoreV1().Pods("default").UpdateStatus(ctx, p, metav1.UpdateOptions{})
			return err
		}
	}
	lease := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := node.CoordinationV1().Leases(corev1.NamespaceNodeLease).Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
			return err
		}
	}

	for _, tc := range []struct {
		name    string
		call    func(context.Context) error
		wantErr string // "" to succeed
	}{
		{"create other node", func(ctx context.Context) error {
			_, err := node.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n3"}}, metav1.CreateOptions{})
			return err
		}, `nodes "n3" is forbidden: node "n1" is not allowed to modify node "n3"`},
		{"label own node", patchNode("n1", `{"metadata":{"labels":{"node.kubernetes.io/instance-type":"big","example.com/team":"a"}}}`), ""},
		{"label own node with a role", patchNode("n1", `{"metadata":{"labels":{"node-role.kubernetes.io/control-plane":""}}}`),
			`nodes "n1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane`},
		{"taint own node", patchNode("n1", `{"spec":{"taints":[{"key":"k","effect":"NoSchedule"}]}}`), `nodes "n1" is forbidden: node "n1" is not allowed to modify taints`},
		{"label other node", patchNode("n2", `{"metadata":{"labels":{"example.com/team":"a"}}}`), `nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"`},
		{"mirror pod", func(ctx context.Context) error {
			_, err := node.CoreV1().Pods("default").Create(ctx, mirror("static"), metav1.CreateOptions{})
			return err
		}, ""},
		{"plain pod", func(ctx context.Context) error {
			_, err := node.CoreV1().Pods("default").Create(ctx, pod("plain"), metav1.CreateOptions{})
			return err
		}, `pods "plain" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods`},
		{"mirror pod with a secret", func(ctx context.Context) error {
			p := mirror("secretive")
			p.Spec.Volumes = []corev1.Volume{{Name: "s", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s"}}}}
			_, err := node.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{})
			return err
		}, `pods "secretive" is forbidden: node "n1" can not create pods that reference secrets`},
		{"delete own pod", func(ctx context.Context) error {
			return node.CoreV1().Pods("default").Delete(ctx, "doomed", metav1.DeleteOptions{})
		}, ""},
		{"delete other node's pod", func(ctx context.Context) error {
			return node.CoreV1().Pods("default").Delete(ctx, "theirs", metav1.DeleteOptions{})
		}, `pods "theirs" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself`},
		{"own pod status", updatePodStatus("mine"), ""},
		{"other node's pod status", updatePodStatus("theirs"), `pods "theirs" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself`},
		{"evict other node's pod", func(ctx context.Context) error {
			return node.PolicyV1().Evictions("default").Evict(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "theirs"}})
		}, `pods "theirs" is forbidden: node n1 can only evict pods with spec.nodeName set to itself`},
		{"bind a pod", func(ctx context.Context) error {
			return node.CoreV1().Pods("default").Bind(ctx, &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "theirs"}, Target: corev1.ObjectReference{Kind: "Node", Name: "n1"}}, metav1.CreateOptions{})
		}, `pods "theirs" is forbidden: unexpected pod subresource "binding", only 'status' and 'eviction' are allowed`},
		{"token for own pod", token("mine"), ""},
		{"token for other node's pod", token("theirs"), `serviceaccounts "robot" is forbidden: node requested token bound to a pod scheduled on a different node`},
		{"own lease", lease("n1"), ""},
		{"other node's lease", lease("n2"), `leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node`},
		{"admin's plain pod", func(ctx context.Context) error {
			_, err := admin.CoreV1().Pods("default").Create(ctx, pod("admins"), metav1.CreateOptions{})
			return err
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := onceSeen(t.Context(), tc.call)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				return
			}
			wantForbidden(t, err, tc.wantErr)
		})
	}
}

// TestNodeRestrictionOffByDefault: without Enable, a node's user is
// restricted by authorization only, as kube-apiserver's default plugins.
func TestNodeRestrictionOffByDefault(t *testing.T) {
	t.Parallel()
	s := harnesstest.Start(t, harness.Options{Auth: nodeRestrictionOptions.Auth})
	node := nodeClient(t, s, "n1")
	if _, err := node.CoreV1().Pods("default").Create(t.Context(), pod("plain"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("got error %v, want none", err)
	}
}

// TestNodeRestrictionTokenAudience: under RBAC, a node may request a token
// for an audience its pod does not use only once it is granted the verb
// request-serviceaccounts-token-audience on that audience, as upstream.
func TestNodeRestrictionTokenAudience(t *testing.T) {
	t.Parallel()
	s := harnesstest.Start(t, harness.Options{Admission: nodeRestrictionOptions.Admission})
	admin := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	node := nodeClient(t, s, "n1")
	ctx := t.Context()
	if _, err := admin.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "robot"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p := pod("mine")
	p.Spec.NodeName, p.Spec.ServiceAccountName = "n1", "robot"
	p, err := admin.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	request := func(ctx context.Context) error {
		_, err := node.CoreV1().ServiceAccounts("default").CreateToken(ctx, "robot", &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
			Audiences:      []string{"vault"},
			BoundObjectRef: &authenticationv1.BoundObjectReference{APIVersion: "v1", Kind: "Pod", Name: "mine", UID: p.UID},
		}}, metav1.CreateOptions{})
		return err
	}
	const refused = `serviceaccounts "robot" is forbidden: system:node:n1 is not authorized to request tokens for audience "vault"`
	// RBAC lets the node create tokens; admission refuses the audience.
	grant(t, admin, node, "system:node:n1", []rbacv1.PolicyRule{{
		APIGroups: []string{""}, Resources: []string{"serviceaccounts/token"}, Verbs: []string{"create"},
	}}, func(ctx context.Context) error {
		if err := onceSeen(ctx, request); err != nil && !isForbiddenBy(err, "not authorized to request tokens") {
			return err
		}
		return nil
	})
	wantForbidden(t, onceSeen(ctx, request), refused)

	role, err := admin.RbacV1().ClusterRoles().Get(ctx, "system:node:n1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	role.Rules = append(role.Rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"vault"}, Verbs: []string{"request-serviceaccounts-token-audience"}})
	if _, err := admin.RbacV1().ClusterRoles().Update(ctx, role, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		return request(ctx) == nil, nil
	}); err != nil {
		t.Fatalf("token for audience vault once granted: got error %v, want none", request(ctx))
	}
}
