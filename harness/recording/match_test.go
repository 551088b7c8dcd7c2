package recording_test

import (
	"testing"
	"time"

	"github.com/memkube/memkube/harness/recording"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	update := recording.Request{
		User: "alice", Groups: []string{"dev", "system:authenticated"}, UserAgent: "manager/v0.1.0 (linux/amd64) kubernetes/abc",
		Verb: "update", APIGroup: "apps", APIVersion: "v1", Resource: "deployments", Subresource: "status",
		Namespace: "default", Name: "web", URI: "/apis/apps/v1/namespaces/default/deployments/web/status", Code: 200,
	}
	list := recording.Request{
		User: "bob", Verb: "list", Resource: "configmaps", Namespace: "default",
		URI: "/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb", LabelSelector: "app=web", Code: 403,
	}
	version := recording.Request{Verb: "get", URI: "/version", Code: 401}
	tests := []struct {
		name  string
		match recording.Match
		want  [3]bool // update, list, version
	}{
		{"zero", recording.Match{}, [3]bool{true, true, true}},
		{"verbs", recording.Match{Verbs: []string{"update", "get"}}, [3]bool{true, false, true}},
		{"core group", recording.Match{Groups: []string{""}}, [3]bool{false, true, true}},
		{"resource is not its subresource", recording.Match{Resources: []string{"deployments"}}, [3]bool{false, false, false}},
		{"subresource", recording.Match{Resources: []string{"deployments/status"}}, [3]bool{true, false, false}},
		{"any subresource", recording.Match{Resources: []string{"*/*"}}, [3]bool{true, false, false}},
		{"any resource", recording.Match{Resources: []string{"*"}}, [3]bool{false, true, false}},
		{"namespace and name", recording.Match{Namespaces: []string{"default"}, Names: []string{"w*"}}, [3]bool{true, false, false}},
		{"no name", recording.Match{Names: []string{""}}, [3]bool{false, true, true}},
		{"users", recording.Match{Users: []string{"*"}}, [3]bool{true, true, false}},
		{"user groups", recording.Match{UserGroups: []string{"dev"}}, [3]bool{true, false, false}},
		{"user agent prefix", recording.Match{UserAgents: []string{"manager/", "kubectl"}}, [3]bool{true, false, false}},
		{"paths", recording.Match{Paths: []string{"/version", "/api/v1/namespaces/*/configmaps"}}, [3]bool{false, true, true}},
		{"codes", recording.Match{Codes: []int{401, 403}}, [3]bool{false, true, true}},
		{"no selector", recording.Match{NoSelector: true}, [3]bool{true, false, true}},
		{"func", recording.Match{Func: func(r recording.Request) bool { return r.Code == 200 }}, [3]bool{true, false, false}},
		{"AND", recording.Match{Verbs: []string{"update"}, Users: []string{"bob"}}, [3]bool{false, false, false}},
		{"malformed pattern matches itself", recording.Match{Names: []string{"[web"}}, [3]bool{false, false, false}},
		{"updates of an object", recording.Updates("deployments.apps", "default", "web"), [3]bool{true, false, false}},
		{"updates of another", recording.Updates("deployments.apps", "default", "api"), [3]bool{false, false, false}},
		{"updates in the core group", recording.Updates("deployments", "default", "web"), [3]bool{false, false, false}},
		{"lists without selector", recording.ListsWithoutSelector(), [3]bool{false, false, false}},
	}
	for _, tt := range tests {
		for i, r := range []recording.Request{update, list, version} {
			if got := tt.match.Matches(r); got != tt.want[i] {
				t.Errorf("%s: Match{%s}.Matches(%s) = %v, want %v", tt.name, tt.match, r, got, tt.want[i])
			}
		}
	}
	all := list
	all.URI, all.LabelSelector = "/api/v1/configmaps", ""
	watch := all
	watch.Verb = "watch"
	if m := recording.ListsWithoutSelector(); !m.Matches(all) || !m.Matches(watch) {
		t.Errorf("ListsWithoutSelector does not match %s or %s", all, watch)
	}
}

func TestMatchString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		match recording.Match
		want  string
	}{
		{recording.Match{}, "every request"},
		{recording.Updates("deployments.apps", "default", "web"), "verb=update|patch group=apps resource=deployments|deployments/* namespace=default name=web"},
		{recording.Updates("configmaps", "", "c"), `verb=update|patch group="" resource=configmaps|configmaps/* namespace="" name=c`},
		{recording.ListsWithoutSelector(), "verb=list|watch resource=* noSelector"},
		{recording.Match{Users: []string{"a"}, UserAgents: []string{"k"}, Codes: []int{403, 404}, Func: func(recording.Request) bool { return true }}, "user=a userAgent=k code=403|404 func"},
	}
	for _, tt := range tests {
		if got := tt.match.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestRequestString(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 22, 15, 4, 5, 123456000, time.UTC)
	tests := []struct {
		r    recording.Request
		want string
	}{
		{recording.Request{Start: start, User: "alice", Verb: "update", APIGroup: "apps", Resource: "deployments", Subresource: "status", Namespace: "default", Name: "web", Code: 200, Latency: 1234567 * time.Nanosecond},
			"15:04:05.123456 alice update deployments.apps/status default/web 200 1.235ms"},
		{recording.Request{Start: start, User: "bob", Verb: "list", Resource: "configmaps", Namespace: "default", LabelSelector: "app=web", FieldSelector: "a=b", Code: 403, Latency: 310 * time.Microsecond},
			"15:04:05.123456 bob list configmaps default labelSelector=app=web fieldSelector=a=b 403 310µs"},
		{recording.Request{Start: start, User: "alice", Verb: "get", Resource: "namespaces", Name: "kube-system", Code: 200},
			"15:04:05.123456 alice get namespaces kube-system 200 0s"},
		{recording.Request{Start: start, Verb: "get", URI: "/version?timeout=32s", Code: 401, Latency: time.Millisecond},
			"15:04:05.123456 <unauthenticated> get /version 401 1ms"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
