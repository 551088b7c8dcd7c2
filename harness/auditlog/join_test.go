package auditlog

import (
	"slices"
	"sync"
	"testing"

	authnv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/runtime"
	auditinternal "k8s.io/apiserver/pkg/apis/audit"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	"k8s.io/apiserver/pkg/audit"
	"k8s.io/apiserver/pkg/audit/policy"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/utils/ptr"
)

// fixed is a policy answering c to every request.
type fixed audit.RequestAuditConfig

func (f fixed) EvaluatePolicyRule(authorizer.Attributes) audit.RequestAuditConfig {
	return audit.RequestAuditConfig(f)
}

// collected is a backend keeping the events it is handed.
type collected struct {
	mu     sync.Mutex
	events []*auditinternal.Event
}

func (c *collected) ProcessEvents(events ...*auditinternal.Event) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, events...)
	return true
}
func (*collected) Run(<-chan struct{}) error { return nil }
func (*collected) Shutdown()                 {}
func (*collected) String() string            { return "collected" }

const (
	none     = auditinternal.LevelNone
	metadata = auditinternal.LevelMetadata
	request  = auditinternal.LevelRequest
	both     = auditinternal.LevelRequestResponse
	received = auditinternal.StageRequestReceived
	started  = auditinternal.StageResponseStarted
	complete = auditinternal.StageResponseComplete
)

// TestJointPolicy: the joint policy asks what the most demanding member
// asks.
func TestJointPolicy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		members []fixed
		want    audit.RequestAuditConfig
	}{
		{"none", []fixed{{Level: none}, {Level: none, OmitStages: []auditinternal.Stage{received}}},
			audit.RequestAuditConfig{Level: none}},
		{"the highest level", []fixed{{Level: metadata}, {Level: both}, {Level: request}},
			audit.RequestAuditConfig{Level: both}},
		{"a stage omitted by every auditing member", []fixed{
			{Level: metadata, OmitStages: []auditinternal.Stage{received, started}},
			{Level: none},
			{Level: request, OmitStages: []auditinternal.Stage{received}},
		}, audit.RequestAuditConfig{Level: request, OmitStages: []auditinternal.Stage{received}}},
		{"managedFields omitted by every member wanting bodies", []fixed{
			{Level: metadata},
			{Level: both, OmitManagedFields: true},
		}, audit.RequestAuditConfig{Level: both, OmitManagedFields: true}},
		{"managedFields kept for a member wanting them", []fixed{
			{Level: request, OmitManagedFields: true},
			{Level: both},
		}, audit.RequestAuditConfig{Level: both}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var members []Member
			for _, m := range tc.members {
				members = append(members, Member{Backend: &collected{}, Policy: m})
			}
			_, p := Join(members...)
			got := p.EvaluatePolicyRule(authorizer.AttributesRecord{})
			if got.Level != tc.want.Level || !slices.Equal(got.OmitStages, tc.want.OmitStages) || got.Level != none && got.OmitManagedFields != tc.want.OmitManagedFields {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestJoinHandsEachMemberItsEvents: each member gets the events of its
// policy, at its level, without the stages it omits.
func TestJoinHandsEachMemberItsEvents(t *testing.T) {
	// secrets at Metadata, configmaps with bodies (and no managedFields),
	// the rest not at all; no RequestReceived.
	p, err := LoadPolicy("", &auditv1.Policy{
		OmitStages: []auditv1.Stage{auditv1.StageRequestReceived},
		Rules: []auditv1.PolicyRule{
			{Level: auditv1.LevelMetadata, Resources: []auditv1.GroupResources{{Resources: []string{"secrets"}}}},
			{Level: auditv1.LevelRequestResponse, Resources: []auditv1.GroupResources{{Resources: []string{"configmaps"}}}, OmitManagedFields: ptr.To(true)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	everything, log := &collected{}, &collected{}
	b, _ := Join(Member{Backend: everything, Policy: fixed{Level: both}}, Member{Backend: log, Policy: p})

	body := &runtime.Unknown{Raw: []byte(`{"kind":"Secret","metadata":{"name":"s","managedFields":[{"manager":"m"}]},"data":{}}` + "\n"), ContentType: runtime.ContentTypeJSON}
	event := func(stage auditinternal.Stage, resource string) *auditinternal.Event {
		return &auditinternal.Event{
			Level: both, Stage: stage, Verb: "create", RequestURI: "/api/v1/namespaces/default/" + resource,
			User:           authnv1.UserInfo{Username: "alice"},
			ObjectRef:      &auditinternal.ObjectReference{Resource: resource, Namespace: "default", Name: "s", APIVersion: "v1"},
			RequestObject:  body,
			ResponseObject: body,
		}
	}
	secret, configMap, pod := event(complete, "secrets"), event(complete, "configmaps"), event(complete, "pods")
	if !b.ProcessEvents(event(received, "secrets"), secret, configMap, pod) {
		t.Fatal("ProcessEvents failed")
	}
	if len(everything.events) != 4 || everything.events[1] != secret {
		t.Errorf("the member auditing everything got %d events, want all 4 as they are", len(everything.events))
	}
	if len(log.events) != 2 {
		t.Fatalf("the policy's member got %d events, want 2 (the secret's and configmap's ResponseComplete)", len(log.events))
	}
	s, cm := log.events[0], log.events[1]
	if s.Level != metadata || s.RequestObject != nil || s.ResponseObject != nil || s.ObjectRef.Resource != "secrets" {
		t.Errorf("secret event: level %s, bodies %v %v; want Metadata, none", s.Level, s.RequestObject, s.ResponseObject)
	}
	want := `{"kind":"Secret","metadata":{"name":"s"},"data":{}}` + "\n"
	if cm.Level != both || string(cm.RequestObject.Raw) != want || string(cm.ResponseObject.Raw) != want {
		t.Errorf("configmap event: level %s, bodies %s %s; want RequestResponse, %s without managedFields", cm.Level, cm.RequestObject.Raw, cm.ResponseObject.Raw, want)
	}
	if secret.Level != both || secret.RequestObject != body {
		t.Error("the event handed on was modified")
	}
}

// TestAttributesOf: a policy sees an event as it saw its request; a
// create's name comes from its object, not its URL, and is set aside.
func TestAttributesOf(t *testing.T) {
	p := policy.NewPolicyRuleEvaluator(&auditinternal.Policy{Rules: []auditinternal.PolicyRule{
		{Level: metadata, Users: []string{"alice"}, Verbs: []string{"create"}, Resources: []auditinternal.GroupResources{{Resources: []string{"configmaps"}, ResourceNames: []string{"cm"}}}},
		{Level: request, UserGroups: []string{"dev"}, Resources: []auditinternal.GroupResources{{Group: "apps", Resources: []string{"deployments/scale"}}}, Namespaces: []string{"prod"}},
		{Level: both, NonResourceURLs: []string{"/version*"}},
	}})
	for _, tc := range []struct {
		name string
		ev   auditinternal.Event
		want auditinternal.Level
	}{
		{"a create, its name set aside", auditinternal.Event{Verb: "create", User: authnv1.UserInfo{Username: "alice"},
			ObjectRef: &auditinternal.ObjectReference{Resource: "configmaps", Namespace: "default", Name: "cm"}}, none},
		{"a subresource", auditinternal.Event{Verb: "update", User: authnv1.UserInfo{Username: "bob", Groups: []string{"dev"}},
			ObjectRef: &auditinternal.ObjectReference{APIGroup: "apps", Resource: "deployments", Subresource: "scale", Namespace: "prod", Name: "web"}}, request},
		{"a non-resource path", auditinternal.Event{Verb: "get", RequestURI: "/version?timeout=32s"}, both},
		{"no user", auditinternal.Event{Verb: "update", ObjectRef: &auditinternal.ObjectReference{APIGroup: "apps", Resource: "deployments", Subresource: "scale", Namespace: "prod"}}, none},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.EvaluatePolicyRule(attributesOf(&tc.ev)).Level; got != tc.want {
				t.Errorf("level %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDropManagedFields(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"object", `{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","managedFields":[{"manager":"m","fieldsV1":{"f:spec":{}}}],"uid":"u"},"spec":{"managedFields":1}}`,
			`{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","uid":"u"},"spec":{"managedFields":1}}`},
		{"list", `{"kind":"PodList","items":[{"metadata":{"managedFields":[],"name":"a"}},{"metadata":{"name":"b"}}]}` + "\n",
			`{"kind":"PodList","items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}` + "\n"},
		{"table", `{"kind":"Table","rows":[{"cells":["a"],"object":{"kind":"PartialObjectMetadata","metadata":{"name":"a","managedFields":[{}]}}}]}`,
			`{"kind":"Table","rows":[{"cells":["a"],"object":{"kind":"PartialObjectMetadata","metadata":{"name":"a"}}}]}`},
		{"items that are not objects", `{"items":[1,"x"],"metadata":{"managedFields":null}}`, `{"items":[1,"x"],"metadata":{}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := dropManagedFields([]byte(tc.in))
			if err != nil || string(got) != tc.want {
				t.Errorf("got %s, %v; want %s", got, err, tc.want)
			}
		})
	}
	if _, err := dropManagedFields([]byte(`{"metadata":{"managedFields":[}`)); err == nil {
		t.Error("broken JSON: no error")
	}
}
