package harness_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestOpenAPIV3 reads /openapi/v3 as kubectl does: the discovery document
// lists the built-in group versions (served from the process's shared
// documents) and the CRDs' (the server's own), and each listed URL answers.
// /openapi/v2 has both too.
func TestOpenAPIV3(t *testing.T) {
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	crds := apiextensionsclient.NewForConfigOrDie(s.RESTConfig())
	if _, err := crds.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, widgetCRD(), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	client := kubernetes.NewForConfigOrDie(s.RESTConfig())
	const crdPath = "apis/example.memkube.io/v1"
	err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		paths, err := client.Discovery().OpenAPIV3().Paths()
		if err != nil {
			return false, err
		}
		_, ok := paths[crdPath]
		return ok, nil
	})
	if err != nil {
		t.Fatalf("/openapi/v3 never listed %s: %v", crdPath, err)
	}
	paths, err := client.Discovery().OpenAPIV3().Paths()
	if err != nil {
		t.Fatal(err)
	}
	for path, schema := range map[string]string{
		"api/v1":       "io.k8s.api.core.v1.ConfigMap",
		"apis/apps/v1": "io.k8s.api.apps.v1.Deployment",
		crdPath:        "io.memkube.example.v1.Widget",
	} {
		gv, ok := paths[path]
		if !ok {
			t.Errorf("/openapi/v3 lacks %s", path)
			continue
		}
		if !strings.Contains(gv.ServerRelativeURL(), "?hash=") {
			t.Errorf("%s: URL %s has no hash", path, gv.ServerRelativeURL())
		}
		doc, err := gv.Schema("application/json")
		if err != nil || !strings.Contains(string(doc), schema) {
			t.Errorf("%s: %v, or no %s in the document", path, err, schema)
		}
	}

	// /openapi/v2 merges the CRD's schema into the built-in document.
	definitions := map[string]bool{}
	err = wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		v2, err := client.Discovery().OpenAPISchema()
		if err != nil {
			return false, err
		}
		clear(definitions)
		for _, d := range v2.GetDefinitions().GetAdditionalProperties() {
			definitions[d.GetName()] = true
		}
		return definitions["io.memkube.example.v1.Widget"], nil
	})
	if err != nil || !definitions["io.k8s.api.core.v1.ConfigMap"] {
		t.Errorf("/openapi/v2 lacks the Widget or ConfigMap (%d definitions): %v", len(definitions), err)
	}

	// the discovery document is cacheable, as kube-apiserver's.
	rt := client.Discovery().RESTClient()
	result := rt.Get().AbsPath("/openapi/v3").Do(ctx)
	var status int
	result.StatusCode(&status)
	raw, err := result.Raw()
	if err != nil || status != http.StatusOK {
		t.Fatalf("/openapi/v3: %d %v", status, err)
	}
	var doc struct {
		Paths map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || len(doc.Paths) != len(paths) {
		t.Fatalf("/openapi/v3: %v, %d paths, want %d", err, len(doc.Paths), len(paths))
	}
}

// TestMutatingAdmissionPolicy: a policy's apply configuration is merged
// with server-side apply's type information, which the plugin reads from
// /openapi/v3, for built-in kinds and custom resources.
func TestMutatingAdmissionPolicy(t *testing.T) {
	// the plugin polls /openapi/v3 every 5 s, as in kube-apiserver: a
	// custom resource's schema can take that long to reach it.
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	crds := apiextensionsclient.NewForConfigOrDie(s.RESTConfig())
	if _, err := crds.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, widgetCRD(), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	client := kubernetes.NewForConfigOrDie(s.RESTConfig())
	policy := &admissionregistrationv1.MutatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "label"},
		Spec: admissionregistrationv1.MutatingAdmissionPolicySpec{
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
				RuleWithOperations: admissionregistrationv1.RuleWithOperations{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
					Rule:       admissionregistrationv1.Rule{APIGroups: []string{"", "example.memkube.io"}, APIVersions: []string{"v1"}, Resources: []string{"configmaps", "widgets"}},
				},
			}}},
			Mutations: []admissionregistrationv1.Mutation{{
				PatchType:          admissionregistrationv1.PatchTypeApplyConfiguration,
				ApplyConfiguration: &admissionregistrationv1.ApplyConfiguration{Expression: `Object{metadata: Object.metadata{labels: {"mutated": "yes"}}}`},
			}},
			FailurePolicy:      ptr.To(admissionregistrationv1.Fail),
			ReinvocationPolicy: admissionregistrationv1.NeverReinvocationPolicy,
		},
	}
	if _, err := client.AdmissionregistrationV1().MutatingAdmissionPolicies().Create(ctx, policy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &admissionregistrationv1.MutatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "label"},
		Spec:       admissionregistrationv1.MutatingAdmissionPolicyBindingSpec{PolicyName: "label"},
	}
	if _, err := client.AdmissionregistrationV1().MutatingAdmissionPolicyBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// the plugin sees the policy once its informers have.
	n := 0
	err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		n++
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{GenerateName: "cm-", Namespace: "default"}}
		created, err := client.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{})
		if err != nil {
			return false, err
		}
		return created.Labels["mutated"] == "yes", nil
	})
	if err != nil {
		t.Fatalf("ConfigMaps were never mutated (%d tries): %v", n, err)
	}

	widgets := dynamic.NewForConfigOrDie(s.RESTConfig()).Resource(schema.GroupVersionResource{Group: "example.memkube.io", Version: "v1", Resource: "widgets"}).Namespace("default")
	err = wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		w := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "example.memkube.io/v1", "kind": "Widget",
			"metadata": map[string]any{"generateName": "w-"},
			"spec":     map[string]any{"color": "blue", "replicas": int64(1)},
		}}
		created, err := widgets.Create(ctx, w, metav1.CreateOptions{})
		if err != nil {
			// until the CRD is served, and its schema published.
			return false, nil
		}
		return created.GetLabels()["mutated"] == "yes", nil
	})
	if err != nil {
		t.Fatalf("Widgets were never mutated: %v", err)
	}
}
