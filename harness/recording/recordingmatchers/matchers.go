// Package recordingmatchers has Gomega matchers for the requests a
// recording.Recorder recorded. Their actual value is a *recording.Recorder
// (read anew at each poll, so Eventually and Consistently watch it) or a
// []recording.Request; their failure messages list the requests in
// question, one per line (recording.Request.String).
//
//	rec := s.Record(recording.Options{Match: recording.Match{Users: []string{"my-controller"}}})
//	// ... start the controller, create the Deployment ...
//	Consistently(rec, "2s").Should(HaveAtMostUpdates("deployments.apps", "default", "web", 3))
//	Expect(rec).To(NoListsWithoutSelector())
//	Expect(rec).To(HaveRequests(recording.Match{Codes: []int{403}}, 0))
package recordingmatchers

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/memkube/memkube/harness/recording"
)

// maxListed bounds how many requests a failure message lists.
const maxListed = 50

// HaveRequests succeeds when the number of requests m matches satisfies
// count: an int (that many) or a Gomega matcher of an int
// (BeNumerically("<=", 3), BeZero()).
//
//	Expect(rec).To(HaveRequests(recording.Match{Verbs: []string{"delete"}}, 1))
//	Consistently(rec).Should(HaveRequests(recording.Updates("configmaps", "default", "cfg"), BeNumerically("<=", 2)))
func HaveRequests(m recording.Match, count any) types.GomegaMatcher {
	cm, ok := count.(types.GomegaMatcher)
	if !ok {
		cm = gomega.Equal(count)
	}
	return &requestsMatcher{match: m, count: cm}
}

type requestsMatcher struct {
	match recording.Match
	count types.GomegaMatcher
	// matched is what the last Match call found.
	matched []recording.Request
}

func (m *requestsMatcher) Match(actual any) (bool, error) {
	var err error
	if m.matched, err = matching(actual, m.match, "HaveRequests"); err != nil {
		return false, err
	}
	return m.count.Match(len(m.matched))
}

func (m *requestsMatcher) FailureMessage(any) string {
	return fmt.Sprintf("The number of requests matching %s:\n%s\n%s", m.match, m.count.FailureMessage(len(m.matched)), listed(m.matched))
}

func (m *requestsMatcher) NegatedFailureMessage(any) string {
	return fmt.Sprintf("The number of requests matching %s:\n%s\n%s", m.match, m.count.NegatedFailureMessage(len(m.matched)), listed(m.matched))
}

// HaveAtMostUpdates succeeds when one object had at most n updates and
// patches, its subresources' included (recording.Updates): a controller
// that writes the object on every reconcile, and so reconciles again,
// exceeds any n under Consistently. resource is as kubectl writes it
// ("deployments.apps", "configmaps").
//
//	Consistently(rec, "2s").Should(HaveAtMostUpdates("deployments.apps", "default", "web", 3))
func HaveAtMostUpdates(resource, namespace, name string, n int) types.GomegaMatcher {
	object := name
	if namespace != "" {
		object = namespace + "/" + name
	}
	return &boundMatcher{
		match: recording.Updates(resource, namespace, name),
		max:   n,
		what:  fmt.Sprintf("updates of %s %s", resource, object),
		fn:    "HaveAtMostUpdates",
	}
}

// NoListsWithoutSelector succeeds when no list or watch of a resource had
// neither a label nor a field selector (recording.ListsWithoutSelector):
// a controller that lists a whole resource scales with the cluster, not
// with its objects. Scope the Recorder (or the requests) to the client
// under test: the server's own informers list everything.
//
//	Expect(rec).To(NoListsWithoutSelector())
func NoListsWithoutSelector() types.GomegaMatcher {
	return &boundMatcher{
		match: recording.ListsWithoutSelector(),
		max:   0,
		what:  "lists or watches without a label or field selector",
		fn:    "NoListsWithoutSelector",
	}
}

// boundMatcher succeeds when match matches at most max requests.
type boundMatcher struct {
	match   recording.Match
	max     int
	what    string
	fn      string
	matched []recording.Request
}

func (m *boundMatcher) Match(actual any) (bool, error) {
	var err error
	if m.matched, err = matching(actual, m.match, m.fn); err != nil {
		return false, err
	}
	return len(m.matched) <= m.max, nil
}

func (m *boundMatcher) FailureMessage(any) string {
	if m.max == 0 {
		return fmt.Sprintf("Expected no %s, got %d:\n%s", m.what, len(m.matched), listed(m.matched))
	}
	return fmt.Sprintf("Expected at most %d %s, got %d:\n%s", m.max, m.what, len(m.matched), listed(m.matched))
}

func (m *boundMatcher) NegatedFailureMessage(any) string {
	return fmt.Sprintf("Expected more than %d %s, got %d:\n%s", m.max, m.what, len(m.matched), listed(m.matched))
}

// matching is the requests of actual that m matches.
func matching(actual any, m recording.Match, fn string) ([]recording.Request, error) {
	var all []recording.Request
	switch a := actual.(type) {
	case *recording.Recorder:
		if a == nil {
			return nil, fmt.Errorf("%s: the Recorder is nil", fn)
		}
		all = a.Requests()
	case []recording.Request:
		all = a
	default:
		return nil, fmt.Errorf("%s expects a *recording.Recorder or a []recording.Request, got %T", fn, actual)
	}
	var out []recording.Request
	for _, r := range all {
		if m.Matches(r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// listed is requests one per line, indented, at most maxListed of them.
func listed(requests []recording.Request) string {
	if len(requests) == 0 {
		return "    (no requests)"
	}
	var b strings.Builder
	for i, r := range requests {
		if i == maxListed {
			fmt.Fprintf(&b, "    ... and %d more\n", len(requests)-maxListed)
			break
		}
		fmt.Fprintf(&b, "    %s\n", r)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
