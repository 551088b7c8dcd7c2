package harness_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// widgetCRD has two served versions (v1 stored), a structural schema with a
// default, a CEL rule, and status and scale subresources.
func widgetCRD() *apiextensionsv1.CustomResourceDefinition {
	schema := func() *apiextensionsv1.JSONSchemaProps {
		return &apiextensionsv1.JSONSchemaProps{
			Type: "object",
			Properties: map[string]apiextensionsv1.JSONSchemaProps{
				"spec": {
					Type: "object",
					Properties: map[string]apiextensionsv1.JSONSchemaProps{
						"size":     {Type: "integer", Default: &apiextensionsv1.JSON{Raw: []byte(`3`)}},
						"replicas": {Type: "integer"},
						"color":    {Type: "string"},
					},
					XValidations: apiextensionsv1.ValidationRules{{Rule: "self.size <= 10", Message: "size must be at most 10"}},
				},
				"status": {
					Type:       "object",
					Properties: map[string]apiextensionsv1.JSONSchemaProps{"replicas": {Type: "integer"}, "ready": {Type: "boolean"}},
				},
			},
		}
	}
	subresources := &apiextensionsv1.CustomResourceSubresources{
		Status: &apiextensionsv1.CustomResourceSubresourceStatus{},
		Scale:  &apiextensionsv1.CustomResourceSubresourceScale{SpecReplicasPath: ".spec.replicas", StatusReplicasPath: ".status.replicas"},
	}
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "widgets.example.memkube.io"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "example.memkube.io",
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "widgets", Singular: "widget", Kind: "Widget", ListKind: "WidgetList", ShortNames: []string{"wg"}},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{
				{Name: "v1", Served: true, Storage: true, Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: schema()}, Subresources: subresources},
				{Name: "v1beta1", Served: true, Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: schema()}, Subresources: subresources},
			},
		},
	}
}

// TestCustomResources drives a CRD through apiextensions-apiserver over
// memstore: establishing, discovery, defaulting, pruning, CEL validation,
// status and scale subresources, a second version, and removal.
func TestCustomResources(t *testing.T) {
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	crdClient := apiextensionsclient.NewForConfigOrDie(s.RESTConfig())
	if _, err := crdClient.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, widgetCRD(), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	disc := discovery.NewDiscoveryClientForConfigOrDie(s.RESTConfig())
	gvr := schema.GroupVersionResource{Group: "example.memkube.io", Version: "v1", Resource: "widgets"}
	err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(ctx2 context.Context) (bool, error) {
		resources, err := disc.ServerResourcesForGroupVersion("example.memkube.io/v1")
		if err != nil {
			return false, nil
		}
		for _, r := range resources.APIResources {
			if r.Name == "widgets" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("widgets never appeared in discovery: %v", err)
	}
	groups, err := disc.ServerGroups()
	if err != nil {
		t.Fatal(err)
	}
	if !hasGroup(groups, "example.memkube.io", "v1") || !hasGroup(groups, "apiextensions.k8s.io", "v1") {
		t.Fatalf("aggregated /apis lacks the CRD group or apiextensions: %v", groups.Groups)
	}
	// legacy /apis is kube-aggregator's, from the CRD's APIServices: as in
	// kube-apiserver, they are created alongside establishing the CRD, not
	// before its versions are served.
	var legacy []byte
	err = wait.PollUntilContextTimeout(ctx, time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		legacy, err = disc.RESTClient().Get().AbsPath("/apis").SetHeader("Accept", "application/json").DoRaw(ctx)
		return err == nil && strings.Contains(string(legacy), `"name":"example.memkube.io","versions":[{"groupVersion":"example.memkube.io/v1","version":"v1"},{"groupVersion":"example.memkube.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"example.memkube.io/v1"`), nil
	})
	if err != nil {
		t.Fatalf("legacy /apis lacks the CRD group (preferred v1): %v %s", err, legacy)
	}

	widgets := dynamic.NewForConfigOrDie(s.RESTConfig()).Resource(gvr).Namespace("default")
	w := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.memkube.io/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w1"},
		"spec":     map[string]any{"color": "blue", "unknown": "dropped", "replicas": int64(1)},
		"status":   map[string]any{"ready": true},
	}}
	created, err := widgets.Create(ctx, w, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if size, _, _ := unstructured.NestedInt64(created.Object, "spec", "size"); size != 3 {
		t.Errorf("spec.size = %d, want the default 3", size)
	}
	if _, found, _ := unstructured.NestedFieldNoCopy(created.Object, "spec", "unknown"); found {
		t.Errorf("spec.unknown was kept, want it pruned")
	}
	if _, found, _ := unstructured.NestedFieldNoCopy(created.Object, "status"); found {
		t.Errorf("status was kept on create, want it dropped (status subresource)")
	}
	if created.GetGeneration() != 1 {
		t.Errorf("generation %d, want 1", created.GetGeneration())
	}

	bad := created.DeepCopy()
	_ = unstructured.SetNestedField(bad.Object, int64(11), "spec", "size")
	_, err = widgets.Update(ctx, bad, metav1.UpdateOptions{})
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "size must be at most 10") {
		t.Fatalf("CEL rule: got %v, want 422 size must be at most 10", err)
	}

	_ = unstructured.SetNestedField(created.Object, int64(1), "status", "replicas")
	if _, err := widgets.UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	scale, err := widgets.Get(ctx, "w1", metav1.GetOptions{}, "scale")
	if err != nil {
		t.Fatal(err)
	}
	if r, _, _ := unstructured.NestedInt64(scale.Object, "status", "replicas"); scale.GetKind() != "Scale" || r != 1 {
		t.Fatalf("scale = %v, want a Scale with status.replicas 1", scale.Object)
	}

	beta := dynamic.NewForConfigOrDie(s.RESTConfig()).Resource(gvr.GroupResource().WithVersion("v1beta1")).Namespace("default")
	got, err := beta.Get(ctx, "w1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetAPIVersion() != "example.memkube.io/v1beta1" {
		t.Fatalf("v1beta1 read: apiVersion %s", got.GetAPIVersion())
	}

	openapi, err := disc.RESTClient().Get().AbsPath("/openapi/v3/apis/example.memkube.io/v1").DoRaw(ctx)
	if err != nil || !strings.Contains(string(openapi), "io.memkube.example.v1.Widget") {
		t.Fatalf("/openapi/v3 lacks the Widget schema: %v", err)
	}

	if err := crdClient.ApiextensionsV1().CustomResourceDefinitions().Delete(ctx, "widgets.example.memkube.io", metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationBackground)}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(ctx2 context.Context) (bool, error) {
		_, err := crdClient.ApiextensionsV1().CustomResourceDefinitions().Get(ctx2, "widgets.example.memkube.io", metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Fatalf("the CRD was never removed (its instances must be deleted first): %v", err)
	}
	if _, err := widgets.Get(ctx, "w1", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("widget after CRD deletion: %v, want 404", err)
	}
}

func hasGroup(groups *metav1.APIGroupList, name, version string) bool {
	for _, g := range groups.Groups {
		if g.Name == name && g.PreferredVersion.Version == version {
			return true
		}
	}
	return false
}

// TestCRDConversionWebhook serves a CRD in two versions converted by a
// webhook on 127.0.0.1 (spec.size in v1 is spec.count in v1beta1): the
// server calls it for reads in the other version.
func TestCRDConversionWebhook(t *testing.T) {
	ctx := t.Context()
	// the server may call the webhook from several goroutines at once.
	var calls atomic.Int64
	webhook := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var review apiextensionsv1.ConversionReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp := &apiextensionsv1.ConversionResponse{UID: review.Request.UID, Result: metav1.Status{Status: metav1.StatusSuccess}}
		for _, raw := range review.Request.Objects {
			var obj map[string]any
			_ = json.Unmarshal(raw.Raw, &obj)
			spec, _ := obj["spec"].(map[string]any)
			if review.Request.DesiredAPIVersion == "example.memkube.io/v1beta1" {
				spec["count"], spec["size"] = spec["size"], nil
			} else {
				spec["size"], spec["count"] = spec["count"], nil
			}
			obj["apiVersion"] = review.Request.DesiredAPIVersion
			out, _ := json.Marshal(obj)
			resp.ConvertedObjects = append(resp.ConvertedObjects, runtime.RawExtension{Raw: out})
		}
		review.Response, review.Request = resp, nil
		_ = json.NewEncoder(w).Encode(review)
	}))
	defer webhook.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: webhook.Certificate().Raw})

	s := harnesstest.Start(t, harness.Options{})
	crd := widgetCRD()
	crd.Spec.Versions[1].Schema.OpenAPIV3Schema.Properties["spec"].Properties["count"] = apiextensionsv1.JSONSchemaProps{Type: "integer"}
	crd.Spec.Conversion = &apiextensionsv1.CustomResourceConversion{
		Strategy: apiextensionsv1.WebhookConverter,
		Webhook: &apiextensionsv1.WebhookConversion{
			ConversionReviewVersions: []string{"v1"},
			ClientConfig:             &apiextensionsv1.WebhookClientConfig{URL: ptr.To(webhook.URL + "/convert"), CABundle: caPEM},
		},
	}
	if _, err := apiextensionsclient.NewForConfigOrDie(s.RESTConfig()).ApiextensionsV1().CustomResourceDefinitions().Create(ctx, crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	gvr := schema.GroupVersionResource{Group: "example.memkube.io", Version: "v1", Resource: "widgets"}
	dyn := dynamic.NewForConfigOrDie(s.RESTConfig())
	w := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.memkube.io/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w1"}, "spec": map[string]any{"size": int64(5)}}}
	err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := dyn.Resource(gvr).Namespace("default").Create(ctx, w, metav1.CreateOptions{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("create a widget: %v", err)
	}
	beta, err := dyn.Resource(gvr.GroupResource().WithVersion("v1beta1")).Namespace("default").Get(ctx, "w1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if count, _, _ := unstructured.NestedInt64(beta.Object, "spec", "count"); count != 5 || calls.Load() == 0 {
		t.Fatalf("v1beta1 read: spec %v after %d webhook calls, want count 5 from the webhook", beta.Object["spec"], calls.Load())
	}
}
