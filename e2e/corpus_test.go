package e2e

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"github.com/memkube/memkube/fixtures"
	"github.com/memkube/memkube/harness"
)

// updateGolden rewrites testdata/corpus-golden from what the server stores:
// go test ./e2e -run TestCorpus -update-golden. Review the diff against
// kube-apiserver's defaults before committing it.
var updateGolden = flag.Bool("update-golden", false, "rewrite e2e/testdata/corpus-golden")

const (
	corpusDir    = "testdata/corpus"
	corpusGolden = "testdata/corpus-golden"
)

// TestCorpus applies a typical operator's manifests (testdata/corpus) with
// kubectl (client-side and server-side apply) and with client-go, each on a
// fresh server, and compares every stored object with its golden file: the
// defaults, allocations and generated fields a v1.37 kube-apiserver stores.
// Fields that differ per run or per client (uid, resourceVersion,
// timestamps, managedFields, kubectl's last-applied annotation) are dropped;
// the object's uid where it appears elsewhere (a Job's selector) becomes
// "<uid>".
func TestCorpus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		apply func(t *testing.T, k *kubectlServer) []*unstructured.Unstructured
	}{
		{"kubectl apply", func(t *testing.T, k *kubectlServer) []*unstructured.Unstructured {
			k.kubectl("apply", "-f", corpusDir)
			return nil
		}},
		{"kubectl apply --server-side", func(t *testing.T, k *kubectlServer) []*unstructured.Unstructured {
			k.kubectl("apply", "--server-side", "-f", corpusDir)
			return nil
		}},
		{"client-go", func(t *testing.T, k *kubectlServer) []*unstructured.Unstructured {
			objs, err := fixtures.Load(t.Context(), k.server.RESTConfig(), corpusDir)
			if err != nil {
				t.Fatalf("load corpus: %v", err)
			}
			return objs
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// what the API server stores: no disruption or policy
			// status controller writing status behind it.
			k := startKubectlWith(t, harness.Options{Controllers: harness.Controllers{NoDisruption: true, NoValidatingAdmissionPolicyStatus: true}})
			tc.apply(t, k)
			checkCorpus(t, k)
		})
	}
}

// checkCorpus reads every object of the corpus back and compares it with
// its golden file.
func checkCorpus(t *testing.T, k *kubectlServer) {
	client, err := dynamic.NewForConfig(k.server.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	out := k.kubectl("get", "-f", corpusDir, "-o", "json")
	var list unstructured.UnstructuredList
	if err := list.UnmarshalJSON([]byte(out)); err != nil {
		t.Fatalf("decode kubectl get: %v", err)
	}
	if len(list.Items) == 0 {
		t.Fatal("kubectl get -f found no objects")
	}
	for _, item := range list.Items {
		gvk := item.GroupVersionKind()
		// Read each object again through client-go so that both clients'
		// views are checked, the dynamic client's JSON included.
		gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: corpusResource(t, k, gvk)}
		got, err := client.Resource(gvr).Namespace(item.GetNamespace()).Get(t.Context(), item.GetName(), metav1.GetOptions{})
		if err != nil {
			t.Fatalf("get %s %s: %v", gvk.Kind, item.GetName(), err)
		}
		normalize(&item)
		normalize(got)
		if diff := cmp.Diff(item.Object, got.Object); diff != "" {
			t.Errorf("%s %s: kubectl and client-go read different objects (-kubectl +client-go):\n%s", gvk.Kind, item.GetName(), diff)
		}
		golden := filepath.Join(corpusGolden, strings.ToLower(gvk.Kind)+"-"+item.GetName()+".yaml")
		data, err := yaml.Marshal(got.Object)
		if err != nil {
			t.Fatal(err)
		}
		if *updateGolden {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Errorf("%s %s: %v (run with -update-golden to write it)", gvk.Kind, item.GetName(), err)
			continue
		}
		if !bytes.Equal(data, want) {
			t.Errorf("%s %s differs from %s (-golden +stored):\n%s", gvk.Kind, item.GetName(), golden, cmp.Diff(string(want), string(data)))
		}
	}
}

// corpusResource is the resource of gvk, from the server's discovery.
func corpusResource(t *testing.T, k *kubectlServer, gvk schema.GroupVersionKind) string {
	t.Helper()
	resources, err := k.client.Discovery().ServerResourcesForGroupVersion(gvk.GroupVersion().String())
	if err != nil {
		t.Fatalf("discovery of %s: %v", gvk.GroupVersion(), err)
	}
	for _, r := range resources.APIResources {
		if r.Kind == gvk.Kind && !strings.Contains(r.Name, "/") {
			return r.Name
		}
	}
	t.Fatalf("no resource of kind %s", gvk)
	return ""
}

// normalize drops what differs per run or per client and replaces the
// object's own uid wherever it appears with "<uid>".
func normalize(obj *unstructured.Unstructured) {
	uid := string(obj.GetUID())
	for _, f := range []string{"uid", "resourceVersion", "creationTimestamp", "managedFields"} {
		unstructured.RemoveNestedField(obj.Object, "metadata", f)
	}
	annotations := obj.GetAnnotations()
	delete(annotations, "kubectl.kubernetes.io/last-applied-configuration")
	if len(annotations) == 0 {
		unstructured.RemoveNestedField(obj.Object, "metadata", "annotations")
	} else {
		obj.SetAnnotations(annotations)
	}
	if uid == "" {
		return
	}
	data, err := json.Marshal(obj.Object)
	if err != nil {
		panic(err)
	}
	data = bytes.ReplaceAll(data, []byte(uid), []byte("<uid>"))
	obj.Object = nil
	if err := json.Unmarshal(data, &obj.Object); err != nil {
		panic(err)
	}
}
