package harness_test

import (
	"encoding/json"
	"os"
	"testing"

	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
)

// TestBootstrapFlowControl: a server has kube-apiserver v1.37.1's bootstrap
// FlowSchemas and PriorityLevelConfigurations, as the reference server
// does (status aside: only APF writes it).
func TestBootstrapFlowControl(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	var wantFS flowcontrolv1.FlowSchemaList
	readReference(t, "flowschemas.json", &wantFS)
	fs, err := c.FlowcontrolV1().FlowSchemas().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs.Items) != len(wantFS.Items) {
		t.Errorf("got %d FlowSchemas, want %d", len(fs.Items), len(wantFS.Items))
	}
	got := map[string]flowcontrolv1.FlowSchema{}
	for _, f := range fs.Items {
		got[f.Name] = f
		if f.Generation != 1 || len(f.Status.Conditions) != 0 {
			t.Errorf("FlowSchema %s: generation %d, status %+v; want 1 and none (APF is off)", f.Name, f.Generation, f.Status)
		}
	}
	for _, want := range wantFS.Items {
		f := got[want.Name]
		if !apiequality.Semantic.DeepEqual(f.Annotations, want.Annotations) || !apiequality.Semantic.DeepEqual(f.Spec, want.Spec) {
			t.Errorf("FlowSchema %s:\n got %+v %+v\nwant %+v %+v", want.Name, f.Annotations, f.Spec, want.Annotations, want.Spec)
		}
	}

	var wantPL flowcontrolv1.PriorityLevelConfigurationList
	readReference(t, "prioritylevelconfigurations.json", &wantPL)
	pl, err := c.FlowcontrolV1().PriorityLevelConfigurations().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Items) != len(wantPL.Items) {
		t.Errorf("got %d PriorityLevelConfigurations, want %d", len(pl.Items), len(wantPL.Items))
	}
	gotPL := map[string]flowcontrolv1.PriorityLevelConfiguration{}
	for _, p := range pl.Items {
		gotPL[p.Name] = p
	}
	for _, want := range wantPL.Items {
		p := gotPL[want.Name]
		if !apiequality.Semantic.DeepEqual(p.Annotations, want.Annotations) || !apiequality.Semantic.DeepEqual(p.Spec, want.Spec) {
			t.Errorf("PriorityLevelConfiguration %s:\n got %+v %+v\nwant %+v %+v", want.Name, p.Annotations, p.Spec, want.Annotations, want.Spec)
		}
	}
}

// readReference decodes a file of the reference server's bootstrap objects.
func readReference(t *testing.T, name string, into any) {
	t.Helper()
	data, err := os.ReadFile("testdata/kube-apiserver-1.37/bootstrap/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatal(err)
	}
}

// TestFlowControlBootstrapEnsure changes the bootstrap configuration as a
// user would and checks what kube-apiserver's config producer restores.
func TestFlowControlBootstrapEnsure(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := harnesstest.Start(t, harness.Options{})
	fc := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig()).FlowcontrolV1()
	get := func(name string) *flowcontrolv1.FlowSchema {
		t.Helper()
		fs, err := fc.FlowSchemas().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	// a suggested FlowSchema its user opted out of updates for: kept.
	kept := get("probes")
	kept.Annotations[flowcontrolv1.AutoUpdateAnnotationKey] = "false"
	kept.Spec.MatchingPrecedence = 3
	if _, err := fc.FlowSchemas().Update(ctx, kept, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// a suggested one still auto-updated: restored.
	restored := get("service-accounts")
	restored.Spec.MatchingPrecedence = 4
	if _, err := fc.FlowSchemas().Update(ctx, restored, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// a mandatory one: restored whatever its annotation says, which is
	// set back to "true".
	mandatory := get("catch-all")
	mandatory.Annotations[flowcontrolv1.AutoUpdateAnnotationKey] = "false"
	mandatory.Spec.MatchingPrecedence = 9000
	if _, err := fc.FlowSchemas().Update(ctx, mandatory, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// a deleted one: created again.
	if err := fc.FlowSchemas().Delete(ctx, "exempt", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// the exempt level's shares are the users' to change.
	exempt, err := fc.PriorityLevelConfigurations().Get(ctx, "exempt", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	exempt.Spec.Exempt.NominalConcurrencyShares = ptr.To[int32](7)
	if _, err := fc.PriorityLevelConfigurations().Update(ctx, exempt, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// objects bootstrap does not have: deleted if annotated "true", kept
	// otherwise.
	user := func(name, autoUpdate string) *flowcontrolv1.FlowSchema {
		fs := &flowcontrolv1.FlowSchema{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec:       flowcontrolv1.FlowSchemaSpec{PriorityLevelConfiguration: flowcontrolv1.PriorityLevelConfigurationReference{Name: "global-default"}},
		}
		if autoUpdate != "" {
			fs.Annotations = map[string]string{flowcontrolv1.AutoUpdateAnnotationKey: autoUpdate}
		}
		if _, err := fc.FlowSchemas().Create(ctx, fs, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		return fs
	}
	user("retired", "true")
	user("mine", "")
	user("mine-too", "false")

	if err := s.EnsureFlowControlBootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	if fs := get("probes"); fs.Spec.MatchingPrecedence != 3 || fs.Annotations[flowcontrolv1.AutoUpdateAnnotationKey] != "false" {
		t.Errorf("probes (auto-update false): precedence %d, annotations %v; want 3, kept", fs.Spec.MatchingPrecedence, fs.Annotations)
	}
	if fs := get("service-accounts"); fs.Spec.MatchingPrecedence != 9000 {
		t.Errorf("service-accounts: precedence %d, want bootstrap's 9000", fs.Spec.MatchingPrecedence)
	}
	if fs := get("catch-all"); fs.Spec.MatchingPrecedence != 10000 || fs.Annotations[flowcontrolv1.AutoUpdateAnnotationKey] != "true" {
		t.Errorf("catch-all: precedence %d, annotations %v; want 10000, auto-update true", fs.Spec.MatchingPrecedence, fs.Annotations)
	}
	if fs := get("exempt"); fs.Spec.PriorityLevelConfiguration.Name != "exempt" {
		t.Errorf("exempt FlowSchema recreated with %+v", fs.Spec)
	}
	if pl, err := fc.PriorityLevelConfigurations().Get(ctx, "exempt", metav1.GetOptions{}); err != nil || *pl.Spec.Exempt.NominalConcurrencyShares != 7 {
		t.Errorf("exempt PriorityLevelConfiguration: %v %+v, want its shares (7) kept", err, pl.Spec)
	}
	if _, err := fc.FlowSchemas().Get(ctx, "retired", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("FlowSchema retired (auto-update true, not bootstrap's): %v, want deleted", err)
	}
	for _, name := range []string{"mine", "mine-too"} {
		if _, err := fc.FlowSchemas().Get(ctx, name, metav1.GetOptions{}); err != nil {
			t.Errorf("the user's FlowSchema %s: %v, want kept", name, err)
		}
	}
}
