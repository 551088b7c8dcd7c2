package harness_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/faults"
	"github.com/memkube/memkube/harness/harnesstest"
)

// tooManyRequests is the body of the 429s of k8s.io/apiserver's
// max-in-flight and APF filters (http.Error's, plain text).
const tooManyRequests = "Too many requests, please try again later.\n"

// allowAll lets every authenticated user do anything, so that flow
// control tests need no RBAC.
var allowAll = harness.AuthOptions{AuthorizationModes: []string{"AlwaysAllow"}}

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

// hold has cfg's user (named user) get ConfigMap default/held, which a fault delays
// until release; hold returns once the server serves the request, that is
// once it holds its seat.
func hold(t *testing.T, s *harness.Server, cfg *rest.Config, user string) (release func()) {
	t.Helper()
	f := s.Faults().Add(faults.Rule{
		Users: []string{user}, Verbs: []string{"get"}, Resources: []string{"configmaps"}, Names: []string{"held"},
		Count: 1, Action: faults.Delay(time.Minute),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		// NotFound once released, or the cancellation.
		_, _ = kubernetes.NewForConfigOrDie(cfg).CoreV1().ConfigMaps("default").Get(ctx, "held", metav1.GetOptions{})
	}()
	release = func() {
		cancel()
		<-done
		s.Faults().Remove(f)
	}
	if err := wait.PollUntilContextTimeout(t.Context(), time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return f.Fired() == 1, nil
	}); err != nil {
		release()
		t.Fatalf("the held request never reached the server: %v", err)
	}
	return release
}

// get sends a GET to path with cfg's credentials and no retries, and
// returns the response with its body read.
func get(t *testing.T, cfg *rest.Config, path string) (*http.Response, string) {
	t.Helper()
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Get(cfg.Host + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// TestMaxInFlight: with the max-in-flight filter, a read past the limit is
// a 429 with Retry-After: 1; writes have a limit of their own; the admin
// (system:masters) is never turned away; a negative limit is none.
func TestMaxInFlight(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		opts      harness.FlowControlOptions
		limited   bool
		writeFull bool
	}{
		{name: "one read", opts: harness.FlowControlOptions{MaxRequestsInFlight: 1}, limited: true},
		{name: "no read limit", opts: harness.FlowControlOptions{MaxRequestsInFlight: -1, MaxMutatingRequestsInFlight: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := harnesstest.Start(t, harness.Options{FlowControl: tc.opts, Auth: allowAll})
			alice, err := s.AddUser("alice", []string{"dev"})
			if err != nil {
				t.Fatal(err)
			}
			release := hold(t, s, alice, "alice")
			defer release()

			resp, body := get(t, alice, "/api/v1/namespaces/default/configmaps")
			if !tc.limited {
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("list without a limit: %d %s", resp.StatusCode, body)
				}
				return
			}
			if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" || body != tooManyRequests {
				t.Errorf("list past the limit: %d, Retry-After %q, %q; want 429, 1, %q", resp.StatusCode, resp.Header.Get("Retry-After"), body, tooManyRequests)
			}
			// client-go, not retrying, reports it as upstream's 429.
			err = kubernetes.NewForConfigOrDie(alice).CoreV1().RESTClient().Get().Namespace("default").Resource("configmaps").MaxRetries(0).Do(ctx).Error()
			if !apierrors.IsTooManyRequests(err) {
				t.Errorf("client-go list past the limit: %v, want a TooManyRequests error", err)
			}
			// writes are counted apart.
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "write"}}
			if _, err := kubernetes.NewForConfigOrDie(alice).CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
				t.Errorf("create while reads are full: %v", err)
			}
			// system:masters is served whatever the count.
			if resp, body := get(t, s.RESTConfig(), "/api/v1/namespaces/default/configmaps"); resp.StatusCode != http.StatusOK {
				t.Errorf("the admin's list while reads are full: %d %s", resp.StatusCode, body)
			}
		})
	}
}

// TestFlowControlOptionsInvalid: APF needs seats, as kube-apiserver says.
func TestFlowControlOptionsInvalid(t *testing.T) {
	t.Parallel()
	_, err := harness.Start(t.Context(), harness.Options{FlowControl: harness.FlowControlOptions{
		PriorityAndFairness: true, MaxRequestsInFlight: -1, MaxMutatingRequestsInFlight: -1,
	}})
	want := "flow control: invalid configuration: MaxRequestsInFlight=0 and MaxMutatingRequestsInFlight=0; they must add up to something positive"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

// TestPriorityAndFairness runs APF: each response names the FlowSchema and
// priority level it was classified into, the config controller writes the
// FlowSchemas' status as kube-apiserver's does, and a priority level with
// one seat that rejects turns away a second request while the first runs —
// and only requests of its flows.
func TestPriorityAndFairness(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// 50 seats: a level of 1 share in 246 gets one, global-default (20
	// shares, half lendable) at least 2. With fewer, APF's borrowing may
	// leave global-default none for a while, and a request waits in its
	// queue, then is rejected.
	s := harnesstest.Start(t, harness.Options{Auth: allowAll, FlowControl: harness.FlowControlOptions{
		PriorityAndFairness: true, MaxRequestsInFlight: 25, MaxMutatingRequestsInFlight: 25,
	}})
	admin := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	fc := admin.FlowcontrolV1()
	uids := func(fs, pl string) (string, string) {
		t.Helper()
		f, err := fc.FlowSchemas().Get(ctx, fs, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := fc.PriorityLevelConfigurations().Get(ctx, pl, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return string(f.UID), string(p.UID)
	}
	classified := func(resp *http.Response) (string, string) {
		return resp.Header.Get(flowcontrolv1.ResponseHeaderMatchedFlowSchemaUID), resp.Header.Get(flowcontrolv1.ResponseHeaderMatchedPriorityLevelConfigurationUID)
	}
	alice, err := s.AddUser("alice", []string{"dev"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		who     string
		cfg     *rest.Config
		fs, pl  string
		resPath string
	}{
		{"the admin", s.RESTConfig(), "exempt", "exempt", "/api/v1/namespaces"},
		{"alice", alice, "global-default", "global-default", "/api/v1/namespaces"},
		{"alice's probe", alice, "probes", "exempt", "/readyz"},
	} {
		fs, pl := uids(tc.fs, tc.pl)
		resp, body := get(t, tc.cfg, tc.resPath)
		if gotFS, gotPL := classified(resp); resp.StatusCode != http.StatusOK || gotFS != fs || gotPL != pl {
			t.Errorf("%s's GET %s: %d %s, FlowSchema %s, priority level %s; want 200, %s (%s), %s (%s)", tc.who, tc.resPath, resp.StatusCode, body, gotFS, gotPL, fs, tc.fs, pl, tc.pl)
		}
	}

	// the config controller marks every FlowSchema not dangling.
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		list, err := fc.FlowSchemas().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, fs := range list.Items {
			c := fs.Status.Conditions
			want := fmt.Sprintf("This FlowSchema references the PriorityLevelConfiguration object named %q and it exists", fs.Spec.PriorityLevelConfiguration.Name)
			if len(c) != 1 || c[0].Type != flowcontrolv1.FlowSchemaConditionDangling || c[0].Status != flowcontrolv1.ConditionFalse || c[0].Reason != "Found" || c[0].Message != want {
				return false, nil
			}
		}
		return true, nil
	}); err != nil {
		t.Fatalf("FlowSchemas' Dangling conditions: %v", err)
	}

	// user flooder's flow gets a level of one seat that rejects.
	_, err = fc.PriorityLevelConfigurations().Create(ctx, &flowcontrolv1.PriorityLevelConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "one-seat"},
		Spec: flowcontrolv1.PriorityLevelConfigurationSpec{Type: flowcontrolv1.PriorityLevelEnablementLimited, Limited: &flowcontrolv1.LimitedPriorityLevelConfiguration{
			NominalConcurrencyShares: ptr.To[int32](1), LendablePercent: ptr.To[int32](0), BorrowingLimitPercent: ptr.To[int32](0),
			LimitResponse: flowcontrolv1.LimitResponse{Type: flowcontrolv1.LimitResponseTypeReject},
		}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = fc.FlowSchemas().Create(ctx, &flowcontrolv1.FlowSchema{
		ObjectMeta: metav1.ObjectMeta{Name: "flooder"},
		Spec: flowcontrolv1.FlowSchemaSpec{
			PriorityLevelConfiguration: flowcontrolv1.PriorityLevelConfigurationReference{Name: "one-seat"},
			MatchingPrecedence:         500,
			DistinguisherMethod:        &flowcontrolv1.FlowDistinguisherMethod{Type: flowcontrolv1.FlowDistinguisherMethodByUserType},
			Rules: []flowcontrolv1.PolicyRulesWithSubjects{{
				Subjects: []flowcontrolv1.Subject{{Kind: flowcontrolv1.SubjectKindUser, User: &flowcontrolv1.UserSubject{Name: "flooder"}}},
				ResourceRules: []flowcontrolv1.ResourcePolicyRule{{
					Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}, Namespaces: []string{"*"}, ClusterScope: true,
				}},
			}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	flooder, err := s.AddUser("flooder", []string{"dev"})
	if err != nil {
		t.Fatal(err)
	}
	fs, pl := uids("flooder", "one-seat")
	// the controller takes the new objects in shortly.
	if err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		resp, _ := get(t, flooder, "/api/v1/namespaces/default/configmaps")
		gotFS, _ := classified(resp)
		return gotFS == fs, nil
	}); err != nil {
		t.Fatalf("flooder's requests are never classified as FlowSchema flooder: %v", err)
	}

	release := hold(t, s, flooder, "flooder")
	defer release()
	resp, body := get(t, flooder, "/api/v1/namespaces/default/configmaps")
	retryAfter, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if gotFS, gotPL := classified(resp); resp.StatusCode != http.StatusTooManyRequests || err != nil || retryAfter < 1 || body != tooManyRequests || gotFS != fs || gotPL != pl {
		t.Errorf("flooder's second request: %d, Retry-After %q, %q, FlowSchema %s, level %s; want 429, a positive number of seconds, %q, %s, %s",
			resp.StatusCode, resp.Header.Get("Retry-After"), body, gotFS, gotPL, tooManyRequests, fs, pl)
	}
	if resp, body := get(t, alice, "/api/v1/namespaces/default/configmaps"); resp.StatusCode != http.StatusOK {
		t.Errorf("alice's request while flooder's level is full: %d %s", resp.StatusCode, body)
	}
}

// TestObjectCounts: with APF on, every store reports its object count to
// APF's work estimator, as kube-apiserver's stores do (a LIST is charged by
// the objects it may return): at once when the store is made — before the
// bootstrap objects exist, so 0, as upstream — then every minute. Without
// APF nothing polls.
func TestObjectCounts(t *testing.T) {
	t.Parallel()
	on := harnesstest.Start(t, harness.Options{FlowControl: harness.FlowControlOptions{PriorityAndFairness: true}})
	for _, resource := range []string{"flowschemas.flowcontrol.apiserver.k8s.io", "namespaces", "configmaps", "customresourcedefinitions.apiextensions.k8s.io"} {
		if err := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
			_, err := on.ObjectCount(resource)
			return err == nil, nil
		}); err != nil {
			_, err := on.ObjectCount(resource)
			t.Errorf("%s: no object count: %v", resource, err)
		}
	}
	off := harnesstest.Start(t, harness.Options{})
	if _, err := off.ObjectCount("namespaces"); err == nil {
		t.Error("without APF: got an object count, want none")
	}
}
