package vapstatus_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/cel/openapi/resolver"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/controllers/vapstatus"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestMain fails the package if a stopped controller (or server) leaves
// goroutines behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, harnesstest.IgnoreLeaks()...)
}

// start starts a server without its own status controller and runs one
// until the test ends.
func start(t *testing.T) (kubernetes.Interface, *rest.Config) {
	t.Helper()
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{NoValidatingAdmissionPolicyStatus: true}})
	c, err := vapstatus.New(s.InProcessRESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	harnesstest.Run(t, func(ctx context.Context) { c.Run(ctx, 5) })
	return kubernetes.NewForConfigOrDie(s.InProcessRESTConfig()), s.InProcessRESTConfig()
}

// policy is a policy named name on resource of group/v1 with the
// validations.
func policy(name, group, resource string, validations ...admissionregistrationv1.Validation) *admissionregistrationv1.ValidatingAdmissionPolicy {
	return &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
				RuleWithOperations: admissionregistrationv1.RuleWithOperations{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
					Rule:       admissionregistrationv1.Rule{APIGroups: []string{group}, APIVersions: []string{"v1"}, Resources: []string{resource}},
				},
			}}},
			Validations: validations,
		},
	}
}

// waitObserved waits until the policy's status observes its generation
// and returns it.
func waitObserved(t *testing.T, c kubernetes.Interface, name string) *admissionregistrationv1.ValidatingAdmissionPolicy {
	t.Helper()
	var got *admissionregistrationv1.ValidatingAdmissionPolicy
	err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		var err error
		got, err = c.AdmissionregistrationV1().ValidatingAdmissionPolicies().Get(ctx, name, metav1.GetOptions{})
		return err == nil && got.Status.ObservedGeneration == got.Generation, err
	})
	if err != nil {
		t.Fatalf("policy %s: got generation %d, observedGeneration %d (%v); want them equal", name, got.Generation, got.Status.ObservedGeneration, err)
	}
	return got
}

// checkWarnings compares the policy's type-checking warnings with want.
func checkWarnings(t *testing.T, p *admissionregistrationv1.ValidatingAdmissionPolicy, want []admissionregistrationv1.ExpressionWarning) {
	t.Helper()
	if p.Status.TypeChecking == nil {
		t.Fatalf("policy %s: got no status.typeChecking, want one", p.Name)
	}
	if diff := cmp.Diff(want, p.Status.TypeChecking.ExpressionWarnings); diff != "" {
		t.Errorf("policy %s: expressionWarnings (-want +got):\n%s", p.Name, diff)
	}
}

// TestTypeChecking: a policy on a built-in kind gets observedGeneration
// and the TypeChecker's warnings (upstream's text, per expression and
// message expression), applied by the controller's field manager; a
// correct policy gets an empty typeChecking; an update is checked again.
func TestTypeChecking(t *testing.T) {
	t.Parallel()
	c, _ := start(t)
	ctx := t.Context()
	policies := c.AdmissionregistrationV1().ValidatingAdmissionPolicies()

	if _, err := policies.Create(ctx, policy("correct", "", "configmaps",
		admissionregistrationv1.Validation{Expression: "!has(object.data) || object.data.all(k, k.size() < 64)"},
	), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	checkWarnings(t, waitObserved(t, c, "correct"), nil)

	if _, err := policies.Create(ctx, policy("replicas", "apps", "deployments",
		admissionregistrationv1.Validation{Expression: "object.spec.replicas < 100"},
		admissionregistrationv1.Validation{Expression: "object.spec.replicas > '1'", MessageExpression: "'replicas: ' + object.spec.replicas"},
	), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	got := waitObserved(t, c, "replicas")
	checkWarnings(t, got, []admissionregistrationv1.ExpressionWarning{{
		FieldRef: "spec.validations[1].expression",
		Warning: "apps/v1, Kind=Deployment: ERROR: <input>:1:22: found no matching overload for '_>_' applied to '(int, string)'\n" +
			" | object.spec.replicas > '1'\n" +
			" | .....................^\n",
	}, {
		FieldRef: "spec.validations[1].messageExpression",
		Warning: "apps/v1, Kind=Deployment: ERROR: <input>:1:14: found no matching overload for '_+_' applied to '(string, int)'\n" +
			" | 'replicas: ' + object.spec.replicas\n" +
			" | .............^\n",
	}})
	var managers []string
	for _, f := range got.ManagedFields {
		if f.Subresource == "status" {
			managers = append(managers, f.Manager+"/"+string(f.Operation))
		}
	}
	if want := []string{vapstatus.FieldManager + "/Apply"}; !cmp.Equal(managers, want) {
		t.Errorf("status managers: got %v, want %v", managers, want)
	}

	// fixed: generation 2 is checked again and the warnings go.
	got.Spec.Validations[1] = admissionregistrationv1.Validation{Expression: "object.spec.replicas > 1", MessageExpression: "'replicas: ' + string(object.spec.replicas)"}
	if _, err := policies.Update(ctx, got, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	got = waitObserved(t, c, "replicas")
	if got.Generation != 2 {
		t.Errorf("generation: got %d, want 2", got.Generation)
	}
	// The apply no longer sets the warnings it set, and server-side apply
	// drops the typeChecking map it empties (structured-merge-diff's
	// RemoveItems, as in kube-apiserver): no typeChecking at all.
	if got.Status.TypeChecking != nil {
		t.Errorf("status.typeChecking: got %+v, want none", got.Status.TypeChecking)
	}

}

// TestParams: expressions on params are checked against paramKind's schema.
func TestParams(t *testing.T) {
	t.Parallel()
	c, _ := start(t)
	p := policy("params", "", "pods", admissionregistrationv1.Validation{Expression: "params.data.max > 1"})
	p.Spec.ParamKind = &admissionregistrationv1.ParamKind{APIVersion: "v1", Kind: "ConfigMap"}
	if _, err := c.AdmissionregistrationV1().ValidatingAdmissionPolicies().Create(t.Context(), p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	checkWarnings(t, waitObserved(t, c, "params"), []admissionregistrationv1.ExpressionWarning{{
		FieldRef: "spec.validations[0].expression",
		Warning: "/v1, Kind=Pod: ERROR: <input>:1:17: found no matching overload for '_>_' applied to '(string, int)'\n" +
			" | params.data.max > 1\n" +
			" | ................^\n",
	}})
}

// TestCustomResource: a policy on a CRD's kind is checked against the
// CRD's schema, which the controller reads from /openapi/v3.
func TestCustomResource(t *testing.T) {
	t.Parallel()
	c, config := start(t)
	ctx := t.Context()
	crd := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "widgets.example.memkube.io"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "example.memkube.io",
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "widgets", Singular: "widget", Kind: "Widget", ListKind: "WidgetList"},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object",
					Properties: map[string]apiextensionsv1.JSONSchemaProps{"spec": {
						Type:       "object",
						Properties: map[string]apiextensionsv1.JSONSchemaProps{"size": {Type: "integer"}, "color": {Type: "string"}},
					}},
				}},
			}},
		},
	}
	if _, err := apiextensionsclient.NewForConfigOrDie(config).ApiextensionsV1().CustomResourceDefinitions().Create(ctx, crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// As in a cluster, a policy checked before the CRD's schema is
	// published gets no warnings: wait for it.
	schemas := &resolver.ClientDiscoveryResolver{Discovery: c.Discovery()}
	gvk := schema.GroupVersionKind{Group: "example.memkube.io", Version: "v1", Kind: "Widget"}
	if err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		_, err := schemas.ResolveSchema(gvk)
		return err == nil, nil
	}); err != nil {
		t.Fatalf("schema of %v never published: %v", gvk, err)
	}
	if _, err := c.AdmissionregistrationV1().ValidatingAdmissionPolicies().Create(ctx, policy("widgets", "example.memkube.io", "widgets",
		admissionregistrationv1.Validation{Expression: "object.spec.size == 'big' || object.spec.color == 'red'"},
	), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	checkWarnings(t, waitObserved(t, c, "widgets"), []admissionregistrationv1.ExpressionWarning{{
		FieldRef: "spec.validations[0].expression",
		Warning: "example.memkube.io/v1, Kind=Widget: ERROR: <input>:1:18: found no matching overload for '_==_' applied to '(int, string)'\n" +
			" | object.spec.size == 'big' || object.spec.color == 'red'\n" +
			" | .................^\n",
	}})
}
