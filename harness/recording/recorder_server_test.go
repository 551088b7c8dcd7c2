package recording_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	"k8s.io/apiserver/pkg/audit"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
	"github.com/memkube/memkube/harness/recording"
)

// The tests in this file record a memkube server's requests made through
// client-go.

// startServer starts a server without the in-process controllers, whose
// requests the tests do not want to filter out, and a client of user name
// (system:masters) with user agent name+"/test".
func startServer(t *testing.T, name string) (*harness.Server, kubernetes.Interface) {
	t.Helper()
	s := harnesstest.Start(t, harness.Options{Controllers: harness.Controllers{
		NoNamespace: true, NoServiceAccount: true, NoGarbageCollector: true, NoClusterRoleAggregation: true,
	}})
	return s, newClient(t, s, name, []string{"system:masters"})
}

func newClient(t *testing.T, s *harness.Server, name string, groups []string) kubernetes.Interface {
	t.Helper()
	cfg, err := s.AddUser(name, groups)
	if err != nil {
		t.Fatal(err)
	}
	cfg.UserAgent = name + "/test"
	return kubernetes.NewForConfigOrDie(cfg)
}

func deployment(name string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}},
			},
		},
	}
}

// waitFor polls cond until it holds, or fails the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(t.Context(), time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return cond(), nil
	}); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// TestRecordVerbs records one request of every verb through client-go and
// checks each field of each Request.
func TestRecordVerbs(t *testing.T) {
	t.Parallel()
	s, c := startServer(t, "alice")
	ctx := t.Context()
	rec := s.Record(recording.Options{Match: recording.Match{Users: []string{"alice"}}})
	before := time.Now()

	cms := c.CoreV1().ConfigMaps("default")
	cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cms.Get(ctx, "web", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cms.List(ctx, metav1.ListOptions{LabelSelector: "app=web", FieldSelector: "metadata.name=web"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoreV1().ConfigMaps("").List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: cm.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	// the watch is recorded once it streams, while it is open.
	if n := rec.Count(recording.Match{Verbs: []string{"watch"}}); n != 1 {
		t.Errorf("open watch: recorded %d watches, want 1", n)
	}
	cm.Data = map[string]string{"a": "b"}
	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cms.Patch(ctx, "web", types.MergePatchType, []byte(`{"data":{"c":"d"}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cms.Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	w.Stop()
	deploys := c.AppsV1().Deployments("default")
	d, err := deploys.Create(ctx, deployment("web"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Status.ObservedGeneration = 1
	if _, err := deploys.UpdateStatus(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Discovery().ServerVersion(); err != nil {
		t.Fatal(err)
	}
	after := time.Now()

	type want struct {
		verb, group, version, resource, sub, ns, name, uri, labels, fields string
		code                                                               int
	}
	wants := []want{
		{verb: "create", version: "v1", resource: "configmaps", ns: "default", name: "web", uri: "/api/v1/namespaces/default/configmaps", code: 201},
		{verb: "get", version: "v1", resource: "configmaps", ns: "default", name: "web", uri: "/api/v1/namespaces/default/configmaps/web", code: 200},
		{verb: "list", version: "v1", resource: "configmaps", ns: "default", name: "web", uri: "/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dweb&labelSelector=app%3Dweb", labels: "app=web", fields: "metadata.name=web", code: 200},
		{verb: "list", version: "v1", resource: "configmaps", uri: "/api/v1/configmaps", code: 200},
		{verb: "watch", version: "v1", resource: "configmaps", ns: "default", uri: "/api/v1/namespaces/default/configmaps?resourceVersion=" + cm.ResourceVersion + "&watch=true", code: 200},
		{verb: "update", version: "v1", resource: "configmaps", ns: "default", name: "web", uri: "/api/v1/namespaces/default/configmaps/web", code: 200},
		{verb: "patch", version: "v1", resource: "configmaps", ns: "default", name: "web", uri: "/api/v1/namespaces/default/configmaps/web", code: 200},
		{verb: "delete", version: "v1", resource: "configmaps", ns: "default", name: "web", uri: "/api/v1/namespaces/default/configmaps/web", code: 200},
		{verb: "create", group: "apps", version: "v1", resource: "deployments", ns: "default", name: "web", uri: "/apis/apps/v1/namespaces/default/deployments", code: 201},
		{verb: "update", group: "apps", version: "v1", resource: "deployments", sub: "status", ns: "default", name: "web", uri: "/apis/apps/v1/namespaces/default/deployments/web/status", code: 200},
		{verb: "get", uri: "/version", code: 200},
	}
	got := rec.Requests()
	if len(got) != len(wants) {
		for _, r := range got {
			t.Log(r)
		}
		t.Fatalf("recorded %d requests, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		r := got[i]
		g := want{r.Verb, r.APIGroup, r.APIVersion, r.Resource, r.Subresource, r.Namespace, r.Name, r.URI, r.LabelSelector, r.FieldSelector, r.Code}
		if g != w {
			t.Errorf("request %d:\n got %+v\nwant %+v", i, g, w)
		}
		if r.User != "alice" || !slices.Contains(r.Groups, "system:masters") || !slices.Contains(r.Groups, "system:authenticated") {
			t.Errorf("request %d: user %s %v, want alice in system:masters and system:authenticated", i, r.User, r.Groups)
		}
		if r.UserAgent != "alice/test" {
			t.Errorf("request %d: user agent %q, want alice/test", i, r.UserAgent)
		}
		if r.Start.Before(before) || r.Start.After(after) || r.Latency <= 0 || r.Start.Add(r.Latency).After(after) {
			t.Errorf("request %d: start %v, latency %v; want within [%v, %v]", i, r.Start, r.Latency, before, after)
		}
		if r.AuditID == "" || r.RequestBody != nil || r.ResponseBody != nil {
			t.Errorf("request %d: audit ID %q, bodies %s %s; want an ID and no bodies", i, r.AuditID, r.RequestBody, r.ResponseBody)
		}
	}
	if got := got[0].String(); !strings.HasSuffix(got[:strings.LastIndexByte(got, ' ')], " alice create configmaps default/web 201") {
		t.Errorf("String() = %q, want <time> alice create configmaps default/web 201 <latency>", got)
	}
}

// TestRecordForbiddenAndUnauthorized: a user without RBAC gets a 403, a
// client without credentials a 401; both are recorded, the first with its
// user.
func TestRecordForbiddenAndUnauthorized(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, "admin")
	ctx := t.Context()
	rec := s.Record(recording.Options{Match: recording.Match{Codes: []int{401, 403}}})

	bob := newClient(t, s, "bob", nil)
	_, err := bob.CoreV1().Secrets("kube-system").List(ctx, metav1.ListOptions{})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("bob lists secrets: %v, want 403", err)
	}
	anon := restclient.AnonymousClientConfig(s.RESTConfig())
	anon.BearerToken = "not-a-token"
	_, err = kubernetes.NewForConfigOrDie(anon).CoreV1().Secrets("kube-system").Get(ctx, "x", metav1.GetOptions{})
	if !apierrors.IsUnauthorized(err) {
		t.Fatalf("bad token: %v, want 401", err)
	}

	got := rec.Requests()
	if len(got) != 2 {
		t.Fatalf("recorded %v, want the 403 and the 401", got)
	}
	if r := got[0]; r.User != "bob" || r.Verb != "list" || r.Resource != "secrets" || r.Namespace != "kube-system" || r.Code != 403 {
		t.Errorf("403: %v, want bob list secrets kube-system 403", r)
	}
	if r := got[1]; r.User != "" || r.Groups != nil || r.Verb != "get" || r.Resource != "secrets" || r.Name != "x" || r.Code != 401 {
		t.Errorf("401: %v, want <unauthenticated> get secrets kube-system/x 401", r)
	}
	if n := rec.Count(recording.Match{Users: []string{"*"}}); n != 1 {
		t.Errorf("Users * matched %d requests, want 1 (the 401 has no user)", n)
	}
}

// TestRecordBodies: bodies only for the Recorder that asks, in its Requests
// and its audit log; a patch's request body is the patch.
func TestRecordBodies(t *testing.T) {
	t.Parallel()
	s, c := startServer(t, "alice")
	ctx := t.Context()
	only := recording.Match{Users: []string{"alice"}}
	with := s.Record(recording.Options{Bodies: true, Match: only})
	without := s.Record(recording.Options{Match: only})
	cms := c.CoreV1().ConfigMaps("default")
	cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Data: map[string]string{"k": "v"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	patch := `{"data":{"k":"w"}}`
	if _, err := cms.Patch(ctx, "web", types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}

	got := with.Requests()
	if len(got) != 2 {
		t.Fatalf("with bodies: recorded %v, want a create and a patch", got)
	}
	var sent, answered corev1.ConfigMap
	if err := json.Unmarshal(got[0].RequestBody, &sent); err != nil || sent.Name != "web" || sent.Data["k"] != "v" {
		t.Errorf("create request body %s (%v), want the ConfigMap sent", got[0].RequestBody, err)
	}
	if err := json.Unmarshal(got[0].ResponseBody, &answered); err != nil || answered.UID != cm.UID {
		t.Errorf("create response body %s (%v), want the ConfigMap created (uid %s)", got[0].ResponseBody, err, cm.UID)
	}
	if string(got[1].RequestBody) != patch {
		t.Errorf("patch request body %s, want %s", got[1].RequestBody, patch)
	}
	if err := json.Unmarshal(got[1].ResponseBody, &answered); err != nil || answered.Data["k"] != "w" {
		t.Errorf("patch response body %s (%v), want the patched ConfigMap", got[1].ResponseBody, err)
	}
	for _, r := range without.Requests() {
		if r.RequestBody != nil || r.ResponseBody != nil {
			t.Errorf("without bodies: %v has bodies %s %s", r, r.RequestBody, r.ResponseBody)
		}
	}
	for _, tc := range []struct {
		rec    *recording.Recorder
		level  auditv1.Level
		bodies bool
	}{{with, auditv1.LevelRequestResponse, true}, {without, auditv1.LevelMetadata, false}} {
		events := auditLog(t, tc.rec)
		if len(events) != 2 {
			t.Fatalf("%d audit events, want 2", len(events))
		}
		for _, ev := range events {
			if ev.Level != tc.level || (ev.RequestObject != nil) != tc.bodies || (ev.ResponseObject != nil) != tc.bodies {
				t.Errorf("audit event %s %s: level %s, request object %v, response object %v; want level %s, bodies %v",
					ev.Verb, ev.ObjectRef.Name, ev.Level, ev.RequestObject != nil, ev.ResponseObject != nil, tc.level, tc.bodies)
			}
		}
	}
}

// TestRecordersIndependent: each Recorder sees the requests from its start
// to its Stop, whatever the others do.
func TestRecordersIndependent(t *testing.T) {
	t.Parallel()
	s, c := startServer(t, "alice")
	ctx := t.Context()
	cms := c.CoreV1().ConfigMaps("default")
	create := func(name string) {
		t.Helper()
		if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	creates := recording.Match{Verbs: []string{"create"}, Users: []string{"alice"}}
	names := func(rec *recording.Recorder) []string {
		var names []string
		for _, r := range rec.Where(creates) {
			names = append(names, r.Name)
		}
		return names
	}
	create("before")
	first := s.Record(recording.Options{})
	create("a")
	second := s.Record(recording.Options{Match: creates})
	create("b")
	first.Stop()
	first.Stop() // twice is fine
	create("c")
	second.Stop()
	create("d")

	if got, want := names(first), []string{"a", "b"}; !slices.Equal(got, want) {
		t.Errorf("first recorder: creates of %v, want %v", got, want)
	}
	if got, want := names(second), []string{"b", "c"}; !slices.Equal(got, want) {
		t.Errorf("second recorder: creates of %v, want %v", got, want)
	}
	if n := len(second.Requests()); n != 2 {
		t.Errorf("second recorder (creates only): %d requests, want 2", n)
	}
	var zero recording.Recorder
	zero.Stop()
	if got := zero.Requests(); got != nil {
		t.Errorf("zero Recorder: %v, want nothing", got)
	}
}

// auditLog writes rec's audit log and decodes it as kube-apiserver's log
// readers do.
func auditLog(t *testing.T, rec *recording.Recorder) []*auditv1.Event {
	t.Helper()
	var buf bytes.Buffer
	if err := rec.WriteAuditLog(&buf); err != nil {
		t.Fatal(err)
	}
	return decodeAuditLog(t, buf.Bytes())
}

func decodeAuditLog(t *testing.T, log []byte) []*auditv1.Event {
	t.Helper()
	var events []*auditv1.Event
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		obj, gvk, err := audit.Codecs.UniversalDeserializer().Decode(sc.Bytes(), nil, nil)
		if err != nil {
			t.Fatalf("audit log line %s: %v", sc.Bytes(), err)
		}
		ev, ok := obj.(*auditv1.Event)
		if !ok || gvk.GroupVersion() != auditv1.SchemeGroupVersion || gvk.Kind != "Event" {
			t.Fatalf("audit log line %s: decoded %T (%v), want an audit.k8s.io/v1 Event", sc.Bytes(), obj, gvk)
		}
		events = append(events, ev)
	}
	return events
}

// TestRecordOutputs writes JSON lines and the audit log, and reads them
// back: the Requests, and kube-apiserver's audit events with a watch's two
// stages.
func TestRecordOutputs(t *testing.T) {
	t.Parallel()
	s, c := startServer(t, "alice")
	ctx := t.Context()
	var stream bytes.Buffer
	rec := s.Record(recording.Options{Match: recording.Match{Users: []string{"alice"}}, AuditLog: &stream})
	cms := c.CoreV1().ConfigMaps("default")
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w, err := cms.Watch(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	w.Stop()
	// the server ends the watch once it sees the client go.
	waitFor(t, "the end of the watch", func() bool { return len(auditLog(t, rec)) == 3 })
	rec.Stop()
	if err := rec.Err(); err != nil {
		t.Fatal(err)
	}

	var lines bytes.Buffer
	if err := rec.WriteJSONLines(&lines); err != nil {
		t.Fatal(err)
	}
	var decoded []recording.Request
	dec := json.NewDecoder(&lines)
	for dec.More() {
		var r recording.Request
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		decoded = append(decoded, r)
	}
	want := rec.Requests()
	if len(decoded) != 2 || len(want) != 2 {
		t.Fatalf("JSON lines: %v; recorded %v; want a create and a watch", decoded, want)
	}
	for i := range want {
		// JSON has no monotonic clock reading.
		if !decoded[i].Start.Equal(want[i].Start) {
			t.Errorf("request %d: start %v, want %v", i, decoded[i].Start, want[i].Start)
		}
		decoded[i].Start = want[i].Start
		if a, b := decoded[i].String(), want[i].String(); a != b || decoded[i].URI != want[i].URI || decoded[i].AuditID != want[i].AuditID || !slices.Equal(decoded[i].Groups, want[i].Groups) {
			t.Errorf("request %d read back as %+v, want %+v", i, decoded[i], want[i])
		}
	}

	events := auditLog(t, rec)
	type stage struct {
		stage auditv1.Stage
		verb  string
		code  int32
	}
	var got []stage
	for _, ev := range events {
		if ev.ResponseStatus == nil {
			t.Fatalf("audit event %+v without a response status", ev)
		}
		got = append(got, stage{ev.Stage, ev.Verb, ev.ResponseStatus.Code})
		if ev.User.Username != "alice" || ev.UserAgent != "alice/test" || ev.ObjectRef == nil || ev.ObjectRef.Resource != "configmaps" ||
			ev.ObjectRef.Namespace != "default" || ev.ObjectRef.APIVersion != "v1" || ev.Level != auditv1.LevelMetadata {
			t.Errorf("audit event %+v: want alice's (alice/test) on configmaps in default, v1, level Metadata", ev)
		}
		if ev.StageTimestamp.Before(&ev.RequestReceivedTimestamp) {
			t.Errorf("audit event %s %s: stage at %v, before the request at %v", ev.Stage, ev.Verb, ev.StageTimestamp, ev.RequestReceivedTimestamp)
		}
	}
	wantStages := []stage{
		{auditv1.StageResponseComplete, "create", 201},
		{auditv1.StageResponseStarted, "watch", 200},
		{auditv1.StageResponseComplete, "watch", 200},
	}
	if !slices.Equal(got, wantStages) {
		t.Errorf("audit events %v, want %v", got, wantStages)
	}
	if events[1].AuditID != events[2].AuditID || string(events[1].AuditID) != want[1].AuditID {
		t.Errorf("watch audit IDs %s and %s, want both %s", events[1].AuditID, events[2].AuditID, want[1].AuditID)
	}
	// the stream has the same events (Stop orders its writes before this read).
	if streamed := decodeAuditLog(t, stream.Bytes()); len(streamed) != len(events) {
		t.Errorf("streamed %d audit events, want %d", len(streamed), len(events))
	}
}
