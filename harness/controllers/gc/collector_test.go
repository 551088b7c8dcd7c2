package gc_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"go.uber.org/goleak"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/controllers/gc"
	"github.com/memkube/memkube/harness/harnesstest"
)

// hold is a finalizer of the tests' own: it keeps an object that the
// collector deleted in place (deletionTimestamp set) until the test lets go.
const hold = "gc.memkube.io/hold"

// TestCollector runs one server and one collector for every scenario; each
// subtest works in its own namespace or with its own names.
func TestCollector(t *testing.T) {
	c := startCluster(t)
	c.runGC(t)

	t.Run("Background", func(t *testing.T) {
		t.Parallel()
		ns := c.namespace(t)
		other := c.configMap(t, ns, "other")
		owner := c.configMap(t, ns, "owner")
		depCM := c.configMap(t, ns, "dep-cm", ownerRef(owner, "v1", "ConfigMap", false))
		depSecret := c.secret(t, ns, "dep-secret", ownerRef(owner, "v1", "ConfigMap", true))
		grandchild := c.configMap(t, ns, "grandchild", ownerRef(depCM, "v1", "ConfigMap", false))
		twoOwners := c.configMap(t, ns, "two-owners", ownerRef(owner, "v1", "ConfigMap", false), ownerRef(other, "v1", "ConfigMap", false))
		unowned := c.configMap(t, ns, "unowned")

		c.deleteConfigMap(t, ns, "owner", metav1.DeletePropagationBackground)
		c.waitConfigMapGone(t, ns, depCM.Name)
		c.waitSecretGone(t, ns, depSecret.Name)
		c.waitConfigMapGone(t, ns, grandchild.Name)
		// a dependent with a live owner stays, without the dangling reference.
		eventually(t, "two-owners loses its reference to the deleted owner", func(ctx context.Context) (bool, error) {
			cm, err := c.kube.CoreV1().ConfigMaps(ns).Get(ctx, twoOwners.Name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			return len(cm.OwnerReferences) == 1 && cm.OwnerReferences[0].UID == other.UID, nil
		})
		for _, name := range []string{other.Name, unowned.Name} {
			if _, err := c.kube.CoreV1().ConfigMaps(ns).Get(t.Context(), name, metav1.GetOptions{}); err != nil {
				t.Errorf("get %s: %v, want it kept", name, err)
			}
		}
	})

	t.Run("Workloads", func(t *testing.T) {
		t.Parallel()
		// the chain kube-controller-manager's controllers would build.
		ns := c.namespace(t)
		labels := map[string]string{"app": "web"}
		template := corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}},
		}
		deploy, err := c.kube.AppsV1().Deployments(ns).Create(t.Context(), &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "web"},
			Spec:       appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: template},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rs, err := c.kube.AppsV1().ReplicaSets(ns).Create(t.Context(), &appsv1.ReplicaSet{
			ObjectMeta: metav1.ObjectMeta{Name: "web-1", OwnerReferences: []metav1.OwnerReference{controllerRef(deploy, "apps/v1", "Deployment")}},
			Spec:       appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: template},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pod, err := c.kube.CoreV1().Pods(ns).Create(t.Context(), &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "web-1-a", Labels: labels, OwnerReferences: []metav1.OwnerReference{controllerRef(rs, "apps/v1", "ReplicaSet")}},
			Spec:       template.Spec,
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.kube.AppsV1().Deployments(ns).Delete(t.Context(), deploy.Name, metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationBackground)}); err != nil {
			t.Fatal(err)
		}
		c.waitGone(t, "replicaset "+rs.Name, func(ctx context.Context) error {
			_, err := c.kube.AppsV1().ReplicaSets(ns).Get(ctx, rs.Name, metav1.GetOptions{})
			return err
		})
		c.waitGone(t, "pod "+pod.Name, func(ctx context.Context) error {
			_, err := c.kube.CoreV1().Pods(ns).Get(ctx, pod.Name, metav1.GetOptions{})
			return err
		})
	})

	t.Run("Foreground/Finalizer", func(t *testing.T) {
		t.Parallel()
		c.testForeground(t, false)
	})
	t.Run("Foreground/PropagationPolicy", func(t *testing.T) {
		t.Parallel()
		c.requireServerGC(t)
		c.testForeground(t, true)
	})
	t.Run("Foreground/Nested", func(t *testing.T) {
		t.Parallel()
		c.requireServerGC(t)
		ns := c.namespace(t)
		owner := c.configMap(t, ns, "owner")
		child := c.configMap(t, ns, "child", ownerRef(owner, "v1", "ConfigMap", true))
		grandchild := c.configMap(t, ns, "grandchild", ownerRef(child, "v1", "ConfigMap", true))
		c.addFinalizer(t, ns, grandchild.Name, hold)
		c.waitObserved(t, child, grandchild)

		c.deleteConfigMap(t, ns, owner.Name, metav1.DeletePropagationForeground)
		// a dependent with dependents of its own goes in the foreground too.
		c.waitConfigMap(t, ns, grandchild.Name, "deleted, held by its finalizer", beingDeletedWith(hold))
		c.waitConfigMap(t, ns, child.Name, "deleted in the foreground", beingDeletedWith(metav1.FinalizerDeleteDependents))
		c.waitConfigMap(t, ns, owner.Name, "still waiting in the foreground", beingDeletedWith(metav1.FinalizerDeleteDependents))

		c.removeFinalizer(t, ns, grandchild.Name, hold)
		c.waitConfigMapGone(t, ns, grandchild.Name)
		c.waitConfigMapGone(t, ns, child.Name)
		c.waitConfigMapGone(t, ns, owner.Name)
	})

	t.Run("Orphan/Finalizer", func(t *testing.T) {
		t.Parallel()
		c.testOrphan(t, false)
	})
	t.Run("Orphan/PropagationPolicy", func(t *testing.T) {
		t.Parallel()
		c.requireServerGC(t)
		c.testOrphan(t, true)
	})

	t.Run("ClusterScopedOwner", func(t *testing.T) {
		t.Parallel()
		ns := c.namespace(t)
		owner := c.clusterRole(t, ns+"-owner")
		r := ownerRef(owner, "rbac.authorization.k8s.io/v1", "ClusterRole", false)
		depCM := c.configMap(t, ns, "dep", r)
		depRole := c.clusterRole(t, ns+"-dep", r)
		if err := c.kube.RbacV1().ClusterRoles().Delete(t.Context(), owner.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		c.waitConfigMapGone(t, ns, depCM.Name)
		c.waitGone(t, "clusterrole "+depRole.Name, func(ctx context.Context) error {
			_, err := c.kube.RbacV1().ClusterRoles().Get(ctx, depRole.Name, metav1.GetOptions{})
			return err
		})
	})

	t.Run("NamespacedOwnerOfClusterScopedDependent", func(t *testing.T) {
		t.Parallel()
		ns := c.namespace(t)
		// invalid: a cluster-scoped object cannot have a namespaced owner;
		// upstream ignores the reference and never collects the object.
		cmOwner := c.configMap(t, ns, "owner")
		invalid := c.clusterRole(t, ns+"-invalid", ownerRef(cmOwner, "v1", "ConfigMap", false))
		// control: collected through the same queue, after the same event.
		roleOwner := c.clusterRole(t, ns+"-owner")
		control := c.clusterRole(t, ns+"-control", ownerRef(roleOwner, "rbac.authorization.k8s.io/v1", "ClusterRole", false))
		c.deleteConfigMap(t, ns, cmOwner.Name, metav1.DeletePropagationBackground)
		if err := c.kube.RbacV1().ClusterRoles().Delete(t.Context(), roleOwner.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		c.waitGone(t, "clusterrole "+control.Name, func(ctx context.Context) error {
			_, err := c.kube.RbacV1().ClusterRoles().Get(ctx, control.Name, metav1.GetOptions{})
			return err
		})
		if _, err := c.kube.RbacV1().ClusterRoles().Get(t.Context(), invalid.Name, metav1.GetOptions{}); err != nil {
			t.Fatalf("cluster-scoped dependent of a namespaced owner: %v, want it kept", err)
		}
	})

	t.Run("OwnerInAnotherNamespace", func(t *testing.T) {
		t.Parallel()
		nsA, nsB := c.namespace(t), c.namespace(t)
		owner := c.configMap(t, nsA, "owner")
		dep := c.configMap(t, nsB, "dep", ownerRef(owner, "v1", "ConfigMap", false))
		// the owner does not exist in the dependent's namespace: collected,
		// with upstream's warning event on the dependent.
		c.waitConfigMapGone(t, nsB, dep.Name)
		eventually(t, "an OwnerRefInvalidNamespace event on the dependent", func(ctx context.Context) (bool, error) {
			events, err := c.kube.CoreV1().Events(nsB).List(ctx, metav1.ListOptions{})
			if err != nil {
				return false, err
			}
			for _, e := range events.Items {
				if e.Reason == "OwnerRefInvalidNamespace" && e.InvolvedObject.UID == dep.UID && e.Type == corev1.EventTypeWarning &&
					e.Source.Component == "garbage-collector-controller" {
					return true, nil
				}
			}
			return false, nil
		})
		if _, err := c.kube.CoreV1().ConfigMaps(nsA).Get(t.Context(), owner.Name, metav1.GetOptions{}); err != nil {
			t.Fatalf("owner: %v, want it kept", err)
		}
	})

	t.Run("Dangling", func(t *testing.T) {
		t.Parallel()
		ns := c.namespace(t)
		ghost := metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "ghost", UID: uuid.NewUUID()}
		neverExisted := c.configMap(t, ns, "never-existed", ghost)
		namesake := c.configMap(t, ns, "namesake")
		wrongUID := c.configMap(t, ns, "wrong-uid", metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: namesake.Name, UID: uuid.NewUUID()})
		clusterGhost := c.configMap(t, ns, "cluster-ghost", metav1.OwnerReference{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: ns + "-ghost", UID: uuid.NewUUID()})
		// the owner's UID under other coordinates: the reference names
		// nothing that exists.
		wrongName := c.configMap(t, ns, "wrong-name", metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "not-" + namesake.Name, UID: namesake.UID})
		wrongKind := c.configMap(t, ns, "wrong-kind", metav1.OwnerReference{APIVersion: "v1", Kind: "Secret", Name: namesake.Name, UID: namesake.UID})
		for _, name := range []string{neverExisted.Name, wrongUID.Name, clusterGhost.Name, wrongName.Name, wrongKind.Name} {
			c.waitConfigMapGone(t, ns, name)
		}
		if _, err := c.kube.CoreV1().ConfigMaps(ns).Get(t.Context(), namesake.Name, metav1.GetOptions{}); err != nil {
			t.Fatalf("namesake of a dangling reference: %v, want it kept", err)
		}
	})

	t.Run("CustomResources", func(t *testing.T) {
		t.Parallel()
		// the CRDs come after the collector has synced: it must start
		// monitors for them without waiting for its 30s rediscovery.
		eventually(t, "the collector has synced", func(context.Context) (bool, error) { return c.gc.HasSynced(), nil })
		widgets := c.createCRD(t, "widgets", "Widget", apiextensionsv1.NamespaceScoped)
		gizmos := c.createCRD(t, "gizmos", "Gizmo", apiextensionsv1.ClusterScoped)
		const apiVersion = "gc.memkube.io/v1"
		ns := c.namespace(t)

		// a custom resource owns built-ins and custom resources.
		wOwner := c.createCR(t, widgets, ns, "owner", nil)
		cmOfWidget := c.configMap(t, ns, "cm-of-widget", ownerRef(wOwner, apiVersion, "Widget", false))
		widgetOfWidget := c.createCR(t, widgets, ns, "widget-of-widget", []metav1.OwnerReference{ownerRef(wOwner, apiVersion, "Widget", false)})
		// a built-in owns a custom resource.
		cmOwner := c.configMap(t, ns, "owner")
		widgetOfCM := c.createCR(t, widgets, ns, "widget-of-cm", []metav1.OwnerReference{ownerRef(cmOwner, "v1", "ConfigMap", false)})
		// a cluster-scoped custom resource owns a namespaced built-in.
		gOwner := c.createCR(t, gizmos, "", ns+"-owner", nil)
		cmOfGizmo := c.configMap(t, ns, "cm-of-gizmo", ownerRef(gOwner, apiVersion, "Gizmo", false))

		deadline := 10 * time.Second // well under the 30s rediscovery period
		dyn := c.dyn.Resource(widgets).Namespace(ns)
		if err := dyn.Delete(t.Context(), wOwner.GetName(), metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		c.deleteConfigMap(t, ns, cmOwner.Name, metav1.DeletePropagationBackground)
		if err := c.dyn.Resource(gizmos).Delete(t.Context(), gOwner.GetName(), metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		c.waitConfigMapGoneWithin(t, ns, cmOfWidget.Name, deadline)
		c.waitConfigMapGoneWithin(t, ns, cmOfGizmo.Name, deadline)
		for _, name := range []string{widgetOfWidget.GetName(), widgetOfCM.GetName()} {
			waitGoneWithin(t, "widget "+name, deadline, func(ctx context.Context) error {
				_, err := dyn.Get(ctx, name, metav1.GetOptions{})
				return err
			})
		}

		t.Run("Orphan", func(t *testing.T) {
			// custom resources take JSON merge patches, not strategic ones.
			owner := c.configMap(t, ns, "orphan-owner", withFinalizers(metav1.FinalizerOrphanDependents))
			other := c.configMap(t, ns, "orphan-other")
			dep := c.createCR(t, widgets, ns, "orphan-dep", []metav1.OwnerReference{
				ownerRef(owner, "v1", "ConfigMap", false), ownerRef(other, "v1", "ConfigMap", false),
			})
			c.waitObserved(t, dep)
			c.deleteConfigMap(t, ns, owner.Name, "")
			c.waitConfigMapGone(t, ns, owner.Name)
			got, err := dyn.Get(t.Context(), dep.GetName(), metav1.GetOptions{})
			if err != nil {
				t.Fatalf("orphaned widget: %v", err)
			}
			if refs := got.GetOwnerReferences(); len(refs) != 1 || refs[0].UID != other.UID {
				t.Fatalf("orphaned widget's owners %v, want only %s", refs, other.UID)
			}
		})
		t.Run("Foreground", func(t *testing.T) {
			owner := c.createCR(t, widgets, ns, "fg-owner", nil)
			owner.SetFinalizers([]string{metav1.FinalizerDeleteDependents})
			owner, err := dyn.Update(t.Context(), owner, metav1.UpdateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			dep := c.configMap(t, ns, "fg-dep", ownerRef(owner, apiVersion, "Widget", true), withFinalizers(hold))
			c.waitObserved(t, dep)
			if err := dyn.Delete(t.Context(), owner.GetName(), metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			c.waitConfigMap(t, ns, dep.Name, "deleted, held by its finalizer", beingDeletedWith(hold))
			if _, err := dyn.Get(t.Context(), owner.GetName(), metav1.GetOptions{}); err != nil {
				t.Fatalf("widget deleting in the foreground with a blocking dependent: %v, want it kept", err)
			}
			c.removeFinalizer(t, ns, dep.Name, hold)
			waitGoneWithin(t, "widget "+owner.GetName(), deadline, func(ctx context.Context) error {
				_, err := dyn.Get(ctx, owner.GetName(), metav1.GetOptions{})
				return err
			})
		})
	})
}

// TestOwnerGoneBeforeCollectorStarts: owners deleted (or replaced by a
// namesake) before the collector ever saw them still get their dependents
// collected.
func TestOwnerGoneBeforeCollectorStarts(t *testing.T) {
	t.Parallel()
	c := startCluster(t)
	ns := c.namespace(t)
	owner := c.configMap(t, ns, "owner")
	dep := c.configMap(t, ns, "dep", ownerRef(owner, "v1", "ConfigMap", false))
	depSecret := c.secret(t, ns, "dep-secret", ownerRef(owner, "v1", "ConfigMap", true))
	replaced := c.configMap(t, ns, "replaced")
	depOfReplaced := c.configMap(t, ns, "dep-of-replaced", ownerRef(replaced, "v1", "ConfigMap", false))
	c.deleteConfigMap(t, ns, owner.Name, "")
	c.deleteConfigMap(t, ns, replaced.Name, "")
	namesake := c.configMap(t, ns, replaced.Name)

	c.runGC(t)
	c.waitConfigMapGone(t, ns, dep.Name)
	c.waitSecretGone(t, ns, depSecret.Name)
	c.waitConfigMapGone(t, ns, depOfReplaced.Name)
	got, err := c.kube.CoreV1().ConfigMaps(ns).Get(t.Context(), namesake.Name, metav1.GetOptions{})
	if err != nil || got.UID != namesake.UID {
		t.Fatalf("namesake of the deleted owner: %v, want it kept", err)
	}
}

// TestRunLeavesNoGoroutine stops a collector that has monitors, a graph and
// queued work: Run must return promptly, and once the server stops too,
// nothing either started may be left running (the server's side of the
// collector's watches included).
func TestRunLeavesNoGoroutine(t *testing.T) {
	before := goleak.IgnoreCurrent()
	s, err := harness.Start(t.Context(), harness.Options{Controllers: harness.Controllers{NoGarbageCollector: true}})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			s.Stop()
		}
	}()
	c := newCluster(s)
	ns := c.namespace(t)
	owner := c.configMap(t, ns, "owner")
	dep := c.configMap(t, ns, "dep", ownerRef(owner, "v1", "ConfigMap", false))
	controller, err := gc.New(s.InProcessRESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		controller.Run(ctx, 2)
	}()
	c.deleteConfigMap(t, ns, owner.Name, "")
	c.waitConfigMapGone(t, ns, dep.Name)
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return 10s after its context ended")
	}
	s.Stop()
	stopped = true
	goleak.VerifyNone(t, append(leakIgnores(), before)...)
}

// cluster is a server and clients for it.
type cluster struct {
	server *harness.Server
	kube   kubernetes.Interface
	dyn    dynamic.Interface
	crds   apiextensionsclient.Interface
	gc     *gc.Controller

	probeOnce sync.Once
	serverGC  bool
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	return newCluster(harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoGarbageCollector: true}}))
}

func newCluster(s *harness.Server) *cluster {
	cfg := s.InProcessRESTConfig()
	return &cluster{
		server: s,
		kube:   kubernetes.NewForConfigOrDie(cfg),
		dyn:    dynamic.NewForConfigOrDie(cfg),
		crds:   apiextensionsclient.NewForConfigOrDie(cfg),
	}
}

// runGC runs a collector until the test ends, and checks that Run returns
// once its context ends.
func (c *cluster) runGC(t *testing.T) {
	t.Helper()
	controller, err := gc.New(c.server.InProcessRESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	c.gc = controller
	harnesstest.Run(t, func(ctx context.Context) { controller.Run(ctx, 2) })
}

// requireServerGC skips t unless the server sets the orphan and
// foregroundDeletion finalizers on delete (EnableGarbageCollection in its
// registries' RESTOptions): without them, a delete with propagationPolicy
// Orphan or Foreground removes the object at once. The probe is a dry-run
// delete, which answers with the object as the delete would leave it.
func (c *cluster) requireServerGC(t *testing.T) {
	c.probeOnce.Do(func() {
		ctx := t.Context()
		name := "gc-probe-" + string(uuid.NewUUID())
		if _, err := c.kube.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		opts := &metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}, PropagationPolicy: ptr.To(metav1.DeletePropagationOrphan)}
		out, err := c.kube.CoreV1().RESTClient().Delete().Namespace("default").Resource("configmaps").Name(name).Body(opts).Do(ctx).Get()
		if err != nil {
			t.Fatal(err)
		}
		cm, ok := out.(*corev1.ConfigMap)
		c.serverGC = ok && slices.Contains(cm.Finalizers, metav1.FinalizerOrphanDependents)
		if err := c.kube.CoreV1().ConfigMaps("default").Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	if !c.serverGC {
		t.Fatal("the server deletes at once on propagationPolicy Orphan/Foreground: it needs EnableGarbageCollection=true in its RESTOptions")
	}
}

// testForeground deletes an owner in the foreground (with the finalizer set
// beforehand, or by propagationPolicy): its dependents are deleted; the
// owner waits for the one with blockOwnerDeletion=true only.
func (c *cluster) testForeground(t *testing.T, byPolicy bool) {
	ns := c.namespace(t)
	var opts []any
	policy := metav1.DeletionPropagation("")
	if byPolicy {
		policy = metav1.DeletePropagationForeground
	} else {
		opts = append(opts, withFinalizers(metav1.FinalizerDeleteDependents))
	}
	owner := c.configMap(t, ns, "owner", opts...)
	other := c.configMap(t, ns, "other")
	blocking := c.configMap(t, ns, "blocking", ownerRef(owner, "v1", "ConfigMap", true), withFinalizers(hold))
	nonBlocking := c.secret(t, ns, "non-blocking", ownerRef(owner, "v1", "ConfigMap", false), withFinalizers(hold))
	plain := c.secret(t, ns, "plain", ownerRef(owner, "v1", "ConfigMap", false))
	// a dependent with a live owner stays, without the reference.
	shared := c.configMap(t, ns, "shared", ownerRef(owner, "v1", "ConfigMap", true), ownerRef(other, "v1", "ConfigMap", false))
	c.waitObserved(t, blocking, nonBlocking, plain, shared)

	c.deleteConfigMap(t, ns, owner.Name, policy)
	c.waitSecretGone(t, ns, plain.Name)
	c.waitConfigMap(t, ns, blocking.Name, "deleted, held by its finalizer", beingDeletedWith(hold))
	eventually(t, "the non-blocking dependent deleted, held by its finalizer", func(ctx context.Context) (bool, error) {
		s, err := c.kube.CoreV1().Secrets(ns).Get(ctx, nonBlocking.Name, metav1.GetOptions{})
		return err == nil && beingDeletedWith(hold)(&s.ObjectMeta), err
	})
	c.waitConfigMap(t, ns, shared.Name, "kept, without its reference to the owner", func(m *metav1.ObjectMeta) bool {
		return m.DeletionTimestamp == nil && len(m.OwnerReferences) == 1 && m.OwnerReferences[0].UID == other.UID
	})
	c.waitConfigMap(t, ns, owner.Name, "waiting for its blocking dependent", beingDeletedWith(metav1.FinalizerDeleteDependents))

	c.removeFinalizer(t, ns, blocking.Name, hold)
	c.waitConfigMapGone(t, ns, blocking.Name)
	c.waitConfigMapGone(t, ns, owner.Name)
	// the non-blocking dependent never held the owner back.
	if _, err := c.kube.CoreV1().Secrets(ns).Patch(t.Context(), nonBlocking.Name, types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
}

// testOrphan deletes an owner with the orphan finalizer (set beforehand, or
// by propagationPolicy): dependents lose their reference to it and stay.
func (c *cluster) testOrphan(t *testing.T, byPolicy bool) {
	ns := c.namespace(t)
	var opts []any
	policy := metav1.DeletionPropagation("")
	if byPolicy {
		policy = metav1.DeletePropagationOrphan
	} else {
		opts = append(opts, withFinalizers(metav1.FinalizerOrphanDependents))
	}
	owner := c.configMap(t, ns, "owner", opts...)
	other := c.configMap(t, ns, "other")
	dep := c.configMap(t, ns, "dep", ownerRef(owner, "v1", "ConfigMap", true))
	shared := c.secret(t, ns, "shared", ownerRef(owner, "v1", "ConfigMap", false), ownerRef(other, "v1", "ConfigMap", false))
	c.waitObserved(t, dep, shared)

	c.deleteConfigMap(t, ns, owner.Name, policy)
	c.waitConfigMapGone(t, ns, owner.Name)
	got, err := c.kube.CoreV1().ConfigMaps(ns).Get(t.Context(), dep.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("orphan: %v", err)
	}
	if len(got.OwnerReferences) != 0 {
		t.Errorf("orphan's owners %v, want none", got.OwnerReferences)
	}
	s, err := c.kube.CoreV1().Secrets(ns).Get(t.Context(), shared.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("orphan with another owner: %v", err)
	}
	if len(s.OwnerReferences) != 1 || s.OwnerReferences[0].UID != other.UID {
		t.Errorf("orphan's owners %v, want only %s", s.OwnerReferences, other.UID)
	}
}

// waitObserved waits until the collector's graph holds objs.
func (c *cluster) waitObserved(t *testing.T, objs ...metav1.Object) {
	t.Helper()
	for _, o := range objs {
		eventually(t, "the collector observes "+o.GetName(), func(context.Context) (bool, error) {
			return c.gc.Observed(o.GetUID()), nil
		})
	}
}

func (c *cluster) namespace(t *testing.T) string {
	t.Helper()
	ns, err := c.kube.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "gc-"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

// controllerRef is the reference a workload controller sets on what it creates.
func controllerRef(owner metav1.Object, apiVersion, kind string) metav1.OwnerReference {
	ref := ownerRef(owner, apiVersion, kind, true)
	ref.Controller = ptr.To(true)
	return ref
}

// ownerRef is a reference to owner, blocking its foreground deletion if block.
func ownerRef(owner metav1.Object, apiVersion, kind string, block bool) metav1.OwnerReference {
	ref := metav1.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: owner.GetName(), UID: owner.GetUID()}
	if block {
		ref.BlockOwnerDeletion = ptr.To(true)
	}
	return ref
}

func withFinalizers(f ...string) func(metav1.Object) {
	return func(o metav1.Object) { o.SetFinalizers(append(o.GetFinalizers(), f...)) }
}

// configMap creates a ConfigMap; opts are owner references (appended) and
// withFinalizers.
func (c *cluster) configMap(t *testing.T, ns, name string, opts ...any) *corev1.ConfigMap {
	t.Helper()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}
	applyOpts(&cm.ObjectMeta, opts)
	out, err := c.kube.CoreV1().ConfigMaps(ns).Create(t.Context(), cm, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create configmap %s/%s: %v", ns, name, err)
	}
	return out
}

func (c *cluster) secret(t *testing.T, ns, name string, opts ...any) *corev1.Secret {
	t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}}
	applyOpts(&s.ObjectMeta, opts)
	out, err := c.kube.CoreV1().Secrets(ns).Create(t.Context(), s, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create secret %s/%s: %v", ns, name, err)
	}
	return out
}

func (c *cluster) clusterRole(t *testing.T, name string, opts ...any) *rbacv1.ClusterRole {
	t.Helper()
	r := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}}
	applyOpts(&r.ObjectMeta, opts)
	out, err := c.kube.RbacV1().ClusterRoles().Create(t.Context(), r, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create clusterrole %s: %v", name, err)
	}
	return out
}

func applyOpts(m metav1.Object, opts []any) {
	for _, o := range opts {
		switch o := o.(type) {
		case metav1.OwnerReference:
			m.SetOwnerReferences(append(m.GetOwnerReferences(), o))
		case func(metav1.Object):
			o(m)
		default:
			panic(fmt.Sprintf("unknown option %T", o))
		}
	}
}

// deleteConfigMap deletes with policy ("" for none).
func (c *cluster) deleteConfigMap(t *testing.T, ns, name string, policy metav1.DeletionPropagation) {
	t.Helper()
	opts := metav1.DeleteOptions{}
	if policy != "" {
		opts.PropagationPolicy = &policy
	}
	if err := c.kube.CoreV1().ConfigMaps(ns).Delete(t.Context(), name, opts); err != nil {
		t.Fatalf("delete configmap %s/%s: %v", ns, name, err)
	}
}

func (c *cluster) addFinalizer(t *testing.T, ns, name, finalizer string) {
	t.Helper()
	patch := fmt.Sprintf(`{"metadata":{"finalizers":[%q]}}`, finalizer)
	if _, err := c.kube.CoreV1().ConfigMaps(ns).Patch(t.Context(), name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
}

// removeFinalizer removes finalizer from a ConfigMap, retrying conflicts
// with the collector's own writes.
func (c *cluster) removeFinalizer(t *testing.T, ns, name, finalizer string) {
	t.Helper()
	eventually(t, "removed finalizer "+finalizer+" from "+name, func(ctx context.Context) (bool, error) {
		cm, err := c.kube.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		cm.Finalizers = slices.DeleteFunc(cm.Finalizers, func(f string) bool { return f == finalizer })
		_, err = c.kube.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{})
		if apierrors.IsConflict(err) {
			return false, nil
		}
		return err == nil, err
	})
}

func beingDeletedWith(finalizer string) func(*metav1.ObjectMeta) bool {
	return func(m *metav1.ObjectMeta) bool {
		return m.DeletionTimestamp != nil && slices.Contains(m.Finalizers, finalizer)
	}
}

func (c *cluster) waitConfigMap(t *testing.T, ns, name, what string, cond func(*metav1.ObjectMeta) bool) {
	t.Helper()
	eventually(t, "configmap "+ns+"/"+name+" "+what, func(ctx context.Context) (bool, error) {
		cm, err := c.kube.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return cond(&cm.ObjectMeta), nil
	})
}

func (c *cluster) waitConfigMapGone(t *testing.T, ns, name string) {
	t.Helper()
	c.waitConfigMapGoneWithin(t, ns, name, waitTimeout)
}

func (c *cluster) waitConfigMapGoneWithin(t *testing.T, ns, name string, timeout time.Duration) {
	t.Helper()
	waitGoneWithin(t, "configmap "+ns+"/"+name, timeout, func(ctx context.Context) error {
		_, err := c.kube.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
		return err
	})
}

func (c *cluster) waitSecretGone(t *testing.T, ns, name string) {
	t.Helper()
	c.waitGone(t, "secret "+ns+"/"+name, func(ctx context.Context) error {
		_, err := c.kube.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
		return err
	})
}

func (c *cluster) waitGone(t *testing.T, what string, get func(context.Context) error) {
	t.Helper()
	waitGoneWithin(t, what, waitTimeout, get)
}

func waitGoneWithin(t *testing.T, what string, timeout time.Duration, get func(context.Context) error) {
	t.Helper()
	eventuallyWithin(t, what+" is deleted", timeout, func(ctx context.Context) (bool, error) {
		err := get(ctx)
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
}

// createCRD creates a CRD of group gc.memkube.io and waits until its
// resource is served.
func (c *cluster) createCRD(t *testing.T, plural, kind string, scope apiextensionsv1.ResourceScope) schema.GroupVersionResource {
	t.Helper()
	crd := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: plural + ".gc.memkube.io"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "gc.memkube.io",
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: plural, Kind: kind, ListKind: kind + "List"},
			Scope: scope,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object", XPreserveUnknownFields: ptr.To(true),
				}},
			}},
		},
	}
	if _, err := c.crds.ApiextensionsV1().CustomResourceDefinitions().Create(t.Context(), crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	gvr := schema.GroupVersionResource{Group: "gc.memkube.io", Version: "v1", Resource: plural}
	eventually(t, plural+" are served", func(ctx context.Context) (bool, error) {
		_, err := c.dyn.Resource(gvr).List(ctx, metav1.ListOptions{Limit: 1})
		return err == nil, nil
	})
	return gvr
}

func (c *cluster) createCR(t *testing.T, gvr schema.GroupVersionResource, ns, name string, owners []metav1.OwnerReference) *unstructured.Unstructured {
	t.Helper()
	kind := map[string]string{"widgets": "Widget", "gizmos": "Gizmo"}[gvr.Resource]
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": gvr.GroupVersion().String(), "kind": kind}}
	obj.SetName(name)
	obj.SetOwnerReferences(owners)
	var client dynamic.ResourceInterface = c.dyn.Resource(gvr)
	if ns != "" {
		client = c.dyn.Resource(gvr).Namespace(ns)
	}
	out, err := client.Create(t.Context(), obj, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create %s %s: %v", kind, name, err)
	}
	return out
}

// waitTimeout is generous: the race detector on a 2-core machine with many
// servers is slow. Collection itself takes milliseconds.
const waitTimeout = 30 * time.Second

func eventually(t *testing.T, what string, cond func(context.Context) (bool, error)) {
	t.Helper()
	eventuallyWithin(t, what, waitTimeout, cond)
}

// eventuallyWithin polls cond every 10ms until it holds, failing t after
// timeout with the last error.
func eventuallyWithin(t *testing.T, what string, timeout time.Duration, cond func(context.Context) (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := cond(t.Context())
		if ok {
			return
		}
		last = err
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for: %s (last error: %v)", timeout, what, last)
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("test ended waiting for: %s", what)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
