package serviceaccount_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/controllers/serviceaccount"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestMain fails the package if a stopped controller (or server) leaves
// goroutines behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, harnesstest.IgnoreLeaks()...)
}

// start starts a server and the controllers (one worker each, so that the
// order of events is the order of syncs), publishing the server's CA.
func start(t *testing.T) (kubernetes.Interface, dynamic.Interface, []byte) {
	t.Helper()
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoServiceAccount: true}})
	ca := s.RESTConfig().TLSClientConfig.CAData
	c, err := serviceaccount.New(s.InProcessRESTConfig(), ca)
	if err != nil {
		t.Fatal(err)
	}
	harnesstest.Run(t, func(ctx context.Context) { c.Run(ctx, 1) })
	return kubernetes.NewForConfigOrDie(s.InProcessRESTConfig()), dynamic.NewForConfigOrDie(s.InProcessRESTConfig()), ca
}

// waitFor polls cond every 5 ms until it holds, for at most 20 s.
func waitFor(t *testing.T, what string, cond func(context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 20*time.Second, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// waitObjects waits until namespace ns has the default ServiceAccount and
// a kube-root-ca.crt whose ca.crt is ca, and returns them.
func waitObjects(t *testing.T, client kubernetes.Interface, ns string, ca []byte) (*corev1.ServiceAccount, *corev1.ConfigMap) {
	t.Helper()
	var sa *corev1.ServiceAccount
	var cm *corev1.ConfigMap
	waitFor(t, "the default ServiceAccount and kube-root-ca.crt in "+ns, func(ctx context.Context) (bool, error) {
		var err error
		if sa, err = client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{}); apierrors.IsNotFound(err) {
			return false, nil
		} else if err != nil {
			return false, err
		}
		if cm, err = client.CoreV1().ConfigMaps(ns).Get(ctx, "kube-root-ca.crt", metav1.GetOptions{}); apierrors.IsNotFound(err) {
			return false, nil
		} else if err != nil {
			return false, err
		}
		return cm.Data["ca.crt"] == string(ca) && cm.Annotations[serviceaccount.DescriptionAnnotation] != "", nil
	})
	return sa, cm
}

// TestMatchesRealCluster compares the ServiceAccounts and kube-root-ca.crt
// ConfigMaps of the system namespaces with those of a real cluster
// (testdata: kube-apiserver and kube-controller-manager v1.37.1, volatile
// metadata removed), the CA aside; they are written by manager
// kube-controller-manager.
func TestMatchesRealCluster(t *testing.T) {
	t.Parallel()
	client, dyn, ca := start(t)
	raw, err := os.ReadFile("testdata/serviceaccounts-configmaps.json")
	if err != nil {
		t.Fatal(err)
	}
	var reference unstructured.UnstructuredList
	if err := json.Unmarshal(raw, &reference.Object); err != nil {
		t.Fatal(err)
	}
	items, _ := reference.Object["items"].([]any)
	checked := 0
	for _, item := range items {
		want := unstructured.Unstructured{Object: item.(map[string]any)}
		if want.GetKind() == "ConfigMap" && want.GetName() != serviceaccount.RootCACertConfigMapName {
			continue // kube-apiserver's own ConfigMaps
		}
		checked++
		t.Run(want.GetKind()+"/"+want.GetNamespace(), func(t *testing.T) {
			waitObjects(t, client, want.GetNamespace(), ca)
			resource := map[string]string{"ServiceAccount": "serviceaccounts", "ConfigMap": "configmaps"}[want.GetKind()]
			got, err := dyn.Resource(corev1.SchemeGroupVersion.WithResource(resource)).Namespace(want.GetNamespace()).Get(t.Context(), want.GetName(), metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range got.GetManagedFields() {
				if f.Manager != "kube-controller-manager" {
					t.Errorf("managedFields manager %q, want kube-controller-manager", f.Manager)
				}
			}
			for _, field := range []string{"uid", "resourceVersion", "creationTimestamp", "managedFields"} {
				unstructured.RemoveNestedField(got.Object, "metadata", field)
			}
			if want.GetKind() == "ConfigMap" {
				if err := unstructured.SetNestedField(want.Object, string(ca), "data", "ca.crt"); err != nil {
					t.Fatal(err)
				}
			}
			if !apiequality.Semantic.DeepEqual(got.Object, want.Object) {
				t.Errorf("got %v\nwant %v", got.Object, want.Object)
			}
		})
	}
	if checked != 8 {
		t.Errorf("checked %d reference objects, want 8", checked)
	}
}

// TestKeptInEveryNamespace: a new namespace gets both objects; deleted,
// they come back; kube-root-ca.crt edited is put back. In a Terminating
// namespace neither is created again (the ServiceAccount controller skips
// it, NamespaceLifecycle refuses the ConfigMap).
func TestKeptInEveryNamespace(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	client, _, ca := start(t)
	const ns = "fresh"
	if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sa, cm := waitObjects(t, client, ns, ca)

	if err := client.CoreV1().ServiceAccounts(ns).Delete(ctx, "default", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := client.CoreV1().ConfigMaps(ns).Delete(ctx, serviceaccount.RootCACertConfigMapName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both objects to come back", func(ctx context.Context) (bool, error) {
		gotSA, err := client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		if err != nil || gotSA.UID == sa.UID {
			return false, nil
		}
		gotCM, err := client.CoreV1().ConfigMaps(ns).Get(ctx, serviceaccount.RootCACertConfigMapName, metav1.GetOptions{})
		return err == nil && gotCM.UID != cm.UID && gotCM.Data["ca.crt"] == string(ca), nil
	})

	tests := []struct {
		name  string
		patch string
	}{
		{"data changed", `{"data":{"ca.crt":"not a CA"}}`},
		{"key added", `{"data":{"extra":"x"}}`},
		{"description removed", `{"metadata":{"annotations":{"kubernetes.io/description":null}}}`},
	}
	for _, tt := range tests {
		edited, err := client.CoreV1().ConfigMaps(ns).Patch(ctx, serviceaccount.RootCACertConfigMapName, types.MergePatchType, []byte(tt.patch), metav1.PatchOptions{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		waitFor(t, "kube-root-ca.crt to be put back after "+tt.name, func(ctx context.Context) (bool, error) {
			got, err := client.CoreV1().ConfigMaps(ns).Get(ctx, serviceaccount.RootCACertConfigMapName, metav1.GetOptions{})
			if err != nil || got.ResourceVersion == edited.ResourceVersion {
				return false, err
			}
			return len(got.Data) == 1 && got.Data["ca.crt"] == string(ca) && got.Annotations[serviceaccount.DescriptionAnnotation] == serviceaccount.Description, nil
		})
	}

	// Delete the namespace and its objects (unless a namespace controller
	// was quicker): they must not come back.
	if err := client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := client.CoreV1().ServiceAccounts(ns).Delete(ctx, "default", metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	if err := client.CoreV1().ConfigMaps(ns).Delete(ctx, serviceaccount.RootCACertConfigMapName, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	// One worker per controller: once the objects deleted later in an
	// Active namespace are back, the Terminating namespace has been synced.
	prev, prevCM := waitObjects(t, client, metav1.NamespaceDefault, ca)
	if err := client.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Delete(ctx, "default", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := client.CoreV1().ConfigMaps(metav1.NamespaceDefault).Delete(ctx, serviceaccount.RootCACertConfigMapName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the default namespace's objects to come back", func(ctx context.Context) (bool, error) {
		sa, err := client.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		if err != nil || sa.UID == prev.UID {
			return false, nil
		}
		cm, err := client.CoreV1().ConfigMaps(metav1.NamespaceDefault).Get(ctx, serviceaccount.RootCACertConfigMapName, metav1.GetOptions{})
		return err == nil && cm.UID != prevCM.UID, nil
	})
	if _, err := client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("default ServiceAccount in a Terminating namespace: %v, want none", err)
	}
	if _, err := client.CoreV1().ConfigMaps(ns).Get(ctx, serviceaccount.RootCACertConfigMapName, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("kube-root-ca.crt in a Terminating namespace: %v, want none", err)
	}
}
