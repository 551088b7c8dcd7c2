package recordingmatchers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/memkube/memkube/harness/recording"
	. "github.com/memkube/memkube/harness/recording/recordingmatchers"
)

var start = time.Date(2026, 11, 22, 15, 4, 5, 0, time.UTC)

func update(name string, ms int) recording.Request {
	return recording.Request{
		Start: start.Add(time.Duration(ms) * time.Millisecond), User: "ctrl", Verb: "update", APIGroup: "apps", Resource: "deployments",
		Namespace: "default", Name: name, Code: 200, Latency: time.Millisecond,
	}
}

func list(labels string) recording.Request {
	return recording.Request{Start: start, User: "ctrl", Verb: "list", Resource: "pods", Namespace: "default", LabelSelector: labels, Code: 200, Latency: time.Millisecond}
}

// TestMatchers checks what each matcher decides and says.
func TestMatchers(t *testing.T) {
	t.Parallel()
	status := update("web", 2)
	status.Subresource, status.Verb = "status", "patch"
	requests := []recording.Request{update("web", 0), update("api", 1), status, list("app=web"), list("")}
	tests := []struct {
		name       string
		matcher    func() types.GomegaMatcher
		wantOK     bool
		wantFail   string // FailureMessage
		wantNegate string // NegatedFailureMessage
	}{{
		name:    "HaveRequests int, met",
		matcher: func() types.GomegaMatcher { return HaveRequests(recording.Match{Verbs: []string{"list"}}, 2) },
		wantOK:  true,
		wantNegate: "The number of requests matching verb=list:\nExpected\n    <int>: 2\nnot to equal\n    <int>: 2\n" +
			"    15:04:05.000000 ctrl list pods default labelSelector=app=web 200 1ms\n" +
			"    15:04:05.000000 ctrl list pods default 200 1ms",
	}, {
		name:    "HaveRequests int, not met",
		matcher: func() types.GomegaMatcher { return HaveRequests(recording.Match{Names: []string{"api"}}, 0) },
		wantFail: "The number of requests matching name=api:\nExpected\n    <int>: 1\nto equal\n    <int>: 0\n" +
			"    15:04:05.001000 ctrl update deployments.apps default/api 200 1ms",
	}, {
		name: "HaveRequests with a count matcher",
		matcher: func() types.GomegaMatcher {
			return HaveRequests(recording.Match{Verbs: []string{"delete"}}, gomega.BeNumerically(">=", 1))
		},
		wantFail: "The number of requests matching verb=delete:\nExpected\n    <int>: 0\nto be >=\n    <int>: 1\n    (no requests)",
	}, {
		name:    "HaveAtMostUpdates met",
		matcher: func() types.GomegaMatcher { return HaveAtMostUpdates("deployments.apps", "default", "web", 2) },
		wantOK:  true,
		wantNegate: "Expected more than 2 updates of deployments.apps default/web, got 2:\n" +
			"    15:04:05.000000 ctrl update deployments.apps default/web 200 1ms\n" +
			"    15:04:05.002000 ctrl patch deployments.apps/status default/web 200 1ms",
	}, {
		name:    "HaveAtMostUpdates exceeded (status included)",
		matcher: func() types.GomegaMatcher { return HaveAtMostUpdates("deployments.apps", "default", "web", 1) },
		wantFail: "Expected at most 1 updates of deployments.apps default/web, got 2:\n" +
			"    15:04:05.000000 ctrl update deployments.apps default/web 200 1ms\n" +
			"    15:04:05.002000 ctrl patch deployments.apps/status default/web 200 1ms",
	}, {
		name:       "HaveAtMostUpdates of a cluster-scoped object in another group",
		matcher:    func() types.GomegaMatcher { return HaveAtMostUpdates("namespaces", "", "web", 0) },
		wantOK:     true,
		wantNegate: "Expected more than 0 updates of namespaces web, got 0:\n    (no requests)",
	}, {
		name:    "NoListsWithoutSelector",
		matcher: NoListsWithoutSelector,
		wantFail: "Expected no lists or watches without a label or field selector, got 1:\n" +
			"    15:04:05.000000 ctrl list pods default 200 1ms",
	}}
	for _, tt := range tests {
		m := tt.matcher()
		ok, err := m.Match(requests)
		if err != nil || ok != tt.wantOK {
			t.Errorf("%s: Match = %v, %v; want %v", tt.name, ok, err, tt.wantOK)
			continue
		}
		if tt.wantFail != "" {
			if got := m.FailureMessage(requests); got != tt.wantFail {
				t.Errorf("%s: FailureMessage:\n%s\nwant:\n%s", tt.name, got, tt.wantFail)
			}
		}
		if tt.wantNegate != "" {
			if got := m.NegatedFailureMessage(requests); got != tt.wantNegate {
				t.Errorf("%s: NegatedFailureMessage:\n%s\nwant:\n%s", tt.name, got, tt.wantNegate)
			}
		}
	}
}

// TestMatchersThroughGomega: the matchers in Expect, with a failing
// assertion's message as Gomega reports it, a long list cut short, and a
// wrong actual value.
func TestMatchersThroughGomega(t *testing.T) {
	t.Parallel()
	var failure string
	g := gomega.NewGomega(func(message string, _ ...int) { failure = message })
	var updates []recording.Request
	for i := range 60 {
		updates = append(updates, update("web", i))
	}
	if g.Expect(updates[:3]).To(HaveAtMostUpdates("deployments.apps", "default", "web", 3)); failure != "" {
		t.Errorf("3 updates, at most 3: failed with %s", failure)
	}
	g.Expect(updates).To(HaveAtMostUpdates("deployments.apps", "default", "web", 3))
	lines := strings.Split(failure, "\n")
	if len(lines) != 52 || lines[0] != "Expected at most 3 updates of deployments.apps default/web, got 60:" ||
		lines[50] != "    15:04:05.049000 ctrl update deployments.apps default/web 200 1ms" || lines[51] != "    ... and 10 more" {
		t.Errorf("60 updates, at most 3: failure\n%s\nwant a header, 50 requests and a count of the rest", failure)
	}
	failure = ""
	if g.Expect(updates).NotTo(NoListsWithoutSelector()); failure != "Expected more than 0 lists or watches without a label or field selector, got 0:\n    (no requests)" {
		t.Errorf("negated NoListsWithoutSelector: failure %q", failure)
	}
	failure = ""
	g.Expect("not requests").To(HaveRequests(recording.Match{}, 0))
	if !strings.Contains(failure, "HaveRequests expects a *recording.Recorder or a []recording.Request, got string") {
		t.Errorf("wrong actual: failure %q", failure)
	}
	failure = ""
	g.Expect((*recording.Recorder)(nil)).To(NoListsWithoutSelector())
	if !strings.Contains(failure, "NoListsWithoutSelector: the Recorder is nil") {
		t.Errorf("nil Recorder: failure %q", failure)
	}
	var zero recording.Recorder
	failure = ""
	if g.Expect(&zero).To(HaveRequests(recording.Match{}, 0)); failure != "" {
		t.Errorf("zero Recorder: failed with %s", failure)
	}
}
