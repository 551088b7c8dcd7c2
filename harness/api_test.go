package harness_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestServerEndpoints checks the non-resource endpoints kube-apiserver
// serves, and /version against the real server's.
func TestServerEndpoints(t *testing.T) {
	s := harnesstest.Start(t, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	for _, path := range []string{"/livez", "/readyz", "/healthz", "/livez/ping", "/readyz/poststarthook/crd-informer-synced"} {
		body, err := c.RESTClient().Get().AbsPath(path).DoRaw(t.Context())
		if err != nil || string(body) != "ok" {
			t.Errorf("GET %s = %q, %v; want ok", path, body, err)
		}
	}
	metrics, err := c.RESTClient().Get().AbsPath("/metrics").DoRaw(t.Context())
	if err != nil || !strings.Contains(string(metrics), "apiserver_request_total") {
		t.Errorf("/metrics lacks apiserver_request_total: %v", err)
	}

	var want, got map[string]string
	data, err := os.ReadFile("testdata/kube-apiserver-1.37/version.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	body, err := c.RESTClient().Get().AbsPath("/version").DoRaw(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"major", "minor", "emulationMajor", "emulationMinor", "minCompatibilityMajor", "minCompatibilityMinor", "gitVersion", "gitTreeState"} {
		if got[field] != want[field] {
			t.Errorf("/version %s = %q, want %q", field, got[field], want[field])
		}
	}
}

// TestRequestOptions drives what k8s.io/apiserver gives every resource:
// content types, patch types, server-side apply, dry-run, field validation
// and warnings.
func TestRequestOptions(t *testing.T) {
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.RESTConfig())
	cms := c.CoreV1().ConfigMaps("default")

	// protobuf, as controllers often ask for it.
	proto := s.RESTConfig()
	proto.ContentType = runtime.ContentTypeProtobuf
	proto.AcceptContentTypes = runtime.ContentTypeProtobuf
	if _, err := kubernetes.NewForConfigOrDie(proto).CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "proto"}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("protobuf create: %v", err)
	}
	yaml, err := c.CoreV1().RESTClient().Get().Namespace("default").Resource("configmaps").Name("proto").SetHeader("Accept", "application/yaml").DoRaw(ctx)
	if err != nil || !strings.Contains(string(yaml), "kind: ConfigMap\n") {
		t.Errorf("YAML get = %q, %v", yaml, err)
	}

	// dry-run: validated and defaulted, not stored.
	dry, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "dry"}}, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err != nil || dry.UID == "" {
		t.Fatalf("dry-run create: %v %v", dry, err)
	}
	if _, err := cms.Get(ctx, "dry", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("dry-run object was stored: %v", err)
	}

	// field validation: Strict fails, the default warns.
	unknown := []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"strict"},"data":{"a":"b"},"bogus":1}`)
	raw := func(validation string) restclient.Result {
		return c.CoreV1().RESTClient().Post().Namespace("default").Resource("configmaps").
			Param("fieldValidation", validation).SetHeader("Content-Type", "application/json").Body(unknown).Do(ctx)
	}
	strict := raw("Strict")
	if err := strict.Error(); !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), `strict decoding error: unknown field "bogus"`) {
		t.Errorf("strict: %v, want 400 strict decoding error", err)
	}
	var warnings []string
	warnCfg := s.RESTConfig()
	warnCfg.WarningHandler = warningCollector(func(msg string) { warnings = append(warnings, msg) })
	warnClient := kubernetes.NewForConfigOrDie(warnCfg)
	if err := warnClient.CoreV1().RESTClient().Post().Namespace("default").Resource("configmaps").
		SetHeader("Content-Type", "application/json").Body(unknown).Do(ctx).Error(); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || warnings[0] != `unknown field "bogus"` {
		t.Errorf("warnings %q, want [unknown field \"bogus\"]", warnings)
	}

	// every patch type.
	patches := []struct {
		pt    types.PatchType
		patch string
	}{
		{types.JSONPatchType, `[{"op":"add","path":"/data/json","value":"1"}]`},
		{types.MergePatchType, `{"data":{"merge":"1"}}`},
		{types.StrategicMergePatchType, `{"data":{"strategic":"1"}}`},
	}
	for _, p := range patches {
		if _, err := cms.Patch(ctx, "strict", p.pt, []byte(p.patch), metav1.PatchOptions{}); err != nil {
			t.Errorf("%s patch: %v", p.pt, err)
		}
	}
	applied, err := cms.Patch(ctx, "strict", types.ApplyPatchType, []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"strict"},"data":{"applied":"1"}}`), metav1.PatchOptions{FieldManager: "tester", Force: ptr.To(true)})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "json", "merge", "strategic", "applied"} {
		if applied.Data[k] == "" {
			t.Errorf("data lacks %q after the patches: %v", k, applied.Data)
		}
	}
	managers := map[string]bool{}
	for _, m := range applied.ManagedFields {
		managers[m.Manager+"/"+string(m.Operation)] = true
	}
	if !managers["tester/Apply"] {
		t.Errorf("managedFields %v lack tester/Apply", applied.ManagedFields)
	}
}

type warningCollector func(string)

func (w warningCollector) HandleWarningHeader(code int, _ string, message string) {
	if code == 299 && message != "" {
		w(message)
	}
}
