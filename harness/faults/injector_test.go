package faults_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapifilters "k8s.io/apiserver/pkg/endpoints/filters"
	"k8s.io/apiserver/pkg/endpoints/request"

	"github.com/memkube/memkube/harness/faults"
)

// newChain puts inj's filter in front of backend, behind k8s.io/apiserver's
// request info and authentication filters, as on a server: the user is the
// X-User header (none without it), its groups the comma-separated X-Groups.
func newChain(inj *faults.Injector, backend http.Handler) http.Handler {
	h := inj.Filter(backend)
	auth := authenticator.RequestFunc(func(r *http.Request) (*authenticator.Response, bool, error) {
		name := r.Header.Get("X-User")
		if name == "" {
			return nil, false, nil
		}
		var groups []string
		if g := r.Header.Get("X-Groups"); g != "" {
			groups = strings.Split(g, ",")
		}
		return &authenticator.Response{User: &user.DefaultInfo{Name: name, Groups: groups}}, true, nil
	})
	// requests without a user go on anonymously (no user in the context).
	h = genericapifilters.WithAuthentication(h, auth, h, nil, nil)
	return genericapifilters.WithRequestInfo(h, &request.RequestInfoFactory{
		APIPrefixes:          sets.NewString("api", "apis"),
		GrouplessAPIPrefixes: sets.NewString("api"),
	})
}

// okBackend answers 200 "ok" and counts the requests that reach it.
type okBackend struct{ reached atomic.Int64 }

func (b *okBackend) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	b.reached.Add(1)
	_, _ = w.Write([]byte("ok"))
}

type req struct {
	method, target string
	user, groups   string
}

func (q req) do(h http.Handler, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(q.method, q.target, nil)
	if q.user != "" {
		r.Header.Set("X-User", q.user)
		r.Header.Set("X-Groups", q.groups)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

var (
	getPod         = req{method: "GET", target: "/api/v1/namespaces/default/pods/web-1"}
	updatePodState = req{method: "PUT", target: "/api/v1/namespaces/default/pods/web-1/status"}
	listDeploys    = req{method: "GET", target: "/apis/apps/v1/namespaces/prod/deployments"}
	watchDeploys   = req{method: "GET", target: "/apis/apps/v1/namespaces/prod/deployments?watch=true"}
	createCM       = req{method: "POST", target: "/api/v1/namespaces/default/configmaps"}
	getNode        = req{method: "GET", target: "/api/v1/nodes/node-1"}
	deletePods     = req{method: "DELETE", target: "/api/v1/namespaces/default/pods"}
	applyDeploy    = req{method: "PATCH", target: "/apis/apps/v1/namespaces/prod/deployments/web"}
	getVersion     = req{method: "GET", target: "/version"}
)

func TestMatch(t *testing.T) {
	t.Parallel()
	alice := func(q req) req { q.user, q.groups = "alice", "devs,system:authenticated"; return q }
	tests := []struct {
		name string
		rule faults.Rule
		req  req
		want bool
	}{
		{"empty rule matches resource requests", faults.Rule{}, getPod, true},
		{"empty rule skips non-resource requests", faults.Rule{}, getVersion, false},
		{"verb", faults.Rule{Verbs: []string{"get"}}, getPod, true},
		{"other verb", faults.Rule{Verbs: []string{"update", "patch"}}, getPod, false},
		{"verb glob", faults.Rule{Verbs: []string{"*"}}, getPod, true},
		{"list", faults.Rule{Verbs: []string{"list"}}, listDeploys, true},
		{"watch is not list", faults.Rule{Verbs: []string{"list"}}, watchDeploys, false},
		{"watch", faults.Rule{Verbs: []string{"watch"}}, watchDeploys, true},
		{"deletecollection", faults.Rule{Verbs: []string{"deletecollection"}}, deletePods, true},
		{"patch", faults.Rule{Verbs: []string{"patch"}}, applyDeploy, true},
		{"create", faults.Rule{Verbs: []string{"create"}, Resources: []string{"configmaps"}}, createCM, true},
		{"core group", faults.Rule{Groups: []string{""}}, getPod, true},
		{"core group is not apps", faults.Rule{Groups: []string{""}}, listDeploys, false},
		{"apps", faults.Rule{Groups: []string{"apps"}}, listDeploys, true},
		{"resource", faults.Rule{Resources: []string{"pods"}}, getPod, true},
		{"resource is not its subresource", faults.Rule{Resources: []string{"pods"}}, updatePodState, false},
		{"subresource", faults.Rule{Resources: []string{"pods/status"}}, updatePodState, true},
		{"any subresource", faults.Rule{Resources: []string{"*/*"}}, updatePodState, true},
		{"star is resources only", faults.Rule{Resources: []string{"*"}}, updatePodState, false},
		{"namespace", faults.Rule{Namespaces: []string{"prod"}}, listDeploys, true},
		{"namespace glob", faults.Rule{Namespaces: []string{"p*"}}, listDeploys, true},
		{"other namespace", faults.Rule{Namespaces: []string{"default"}}, listDeploys, false},
		{"cluster-scoped", faults.Rule{Namespaces: []string{""}}, getNode, true},
		{"cluster-scoped is not namespaced", faults.Rule{Namespaces: []string{""}}, getPod, false},
		{"name", faults.Rule{Names: []string{"web-1"}}, getPod, true},
		{"name glob", faults.Rule{Names: []string{"web-*"}}, getPod, true},
		{"other name", faults.Rule{Names: []string{"db-*"}}, getPod, false},
		{"creates have no name", faults.Rule{Names: []string{"*"}, Verbs: []string{"create"}}, createCM, true},
		{"creates have no name to match", faults.Rule{Names: []string{"cm-?"}}, createCM, false},
		{"user", faults.Rule{Users: []string{"alice"}}, alice(getPod), true},
		{"other user", faults.Rule{Users: []string{"bob"}}, alice(getPod), false},
		{"user without a user", faults.Rule{Users: []string{"*"}}, getPod, false},
		{"user group", faults.Rule{UserGroups: []string{"devs"}}, alice(getPod), true},
		{"user group glob", faults.Rule{UserGroups: []string{"system:*"}}, alice(getPod), true},
		{"other user group", faults.Rule{UserGroups: []string{"ops"}}, alice(getPod), false},
		{"user group without a user", faults.Rule{UserGroups: []string{"*"}}, getPod, false},
		{"path", faults.Rule{Paths: []string{"/version"}}, getVersion, true},
		{"path glob", faults.Rule{Paths: []string{"/ver*"}, Verbs: []string{"get"}}, getVersion, true},
		{"paths skip resource requests", faults.Rule{Paths: []string{"/*"}}, getPod, false},
		{"all matchers", faults.Rule{
			Verbs: []string{"update"}, Groups: []string{""}, Resources: []string{"pods/status"},
			Namespaces: []string{"default"}, Names: []string{"web-1"}, Users: []string{"alice"}, UserGroups: []string{"devs"},
		}, alice(updatePodState), true},
		{"all matchers but one", faults.Rule{
			Verbs: []string{"update"}, Groups: []string{""}, Resources: []string{"pods/status"},
			Namespaces: []string{"default"}, Names: []string{"web-2"}, Users: []string{"alice"}, UserGroups: []string{"devs"},
		}, alice(updatePodState), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inj := faults.New(1)
			backend := &okBackend{}
			rule := tc.rule
			rule.Action = faults.InternalError()
			f := inj.Add(rule)
			w := tc.req.do(newChain(inj, backend))
			fired := w.Code == http.StatusInternalServerError
			if fired != tc.want || f.Fired() != map[bool]int{true: 1}[tc.want] {
				t.Fatalf("%s %s: got code %d, fired %d; want fired %v", tc.req.method, tc.req.target, w.Code, f.Fired(), tc.want)
			}
			if got, want := backend.reached.Load(), map[bool]int64{false: 1}[tc.want]; got != want {
				t.Fatalf("backend reached %d times, want %d", got, want)
			}
		})
	}
}

// TestWatchActionsMatchWatchesOnly: a rule with a watch action matches
// nothing but watches, whatever its verbs say.
func TestWatchActionsMatchWatchesOnly(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	f := inj.Add(faults.Rule{Action: faults.CloseWatchAfter(1)})
	h := newChain(inj, &okBackend{})
	for _, q := range []req{getPod, listDeploys, createCM} {
		q.do(h)
	}
	if f.Fired() != 0 {
		t.Fatalf("fired %d times on requests that are not watches, want 0", f.Fired())
	}
	watchDeploys.do(h)
	if f.Fired() != 1 {
		t.Fatalf("fired %d times on a watch, want 1", f.Fired())
	}
}

func TestCountRemoveReset(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	backend := &okBackend{}
	h := newChain(inj, backend)

	f := inj.Add(faults.Rule{Verbs: []string{"get"}, Count: 2, Action: faults.ServiceUnavailable()})
	var codes []int
	for range 3 {
		codes = append(codes, getPod.do(h).Code)
	}
	if want := []int{503, 503, 200}; !slices.Equal(codes, want) {
		t.Fatalf("codes %v, want %v", codes, want)
	}
	if f.Fired() != 2 {
		t.Fatalf("fired %d, want 2", f.Fired())
	}
	select {
	case <-f.Done():
	default:
		t.Fatal("Done is open after the fault fired Count times")
	}
	if rules, _ := inj.Active(); rules != 0 {
		t.Fatalf("%d active rules after the only one is spent, want 0 (the fast path)", rules)
	}

	g := inj.Add(faults.Rule{Action: faults.InternalError()})
	if code := getPod.do(h).Code; code != 500 {
		t.Fatalf("code %d, want 500", code)
	}
	inj.Remove(g)
	inj.Remove(g) // twice: nothing
	if code := getPod.do(h).Code; code != 200 {
		t.Fatalf("after Remove: code %d, want 200", code)
	}
	<-g.Done()

	a := inj.Add(faults.Rule{Action: faults.InternalError()})
	b := inj.Add(faults.Rule{Action: faults.Conflict()})
	inj.Reset()
	<-a.Done()
	<-b.Done()
	if code := getPod.do(h).Code; code != 200 {
		t.Fatalf("after Reset: code %d, want 200", code)
	}
	if a.Fired() != 0 || b.Fired() != 0 {
		t.Fatalf("fired %d and %d after Reset, want 0", a.Fired(), b.Fired())
	}
}

// TestOrder: every matching rule fires in order until one answers; rules
// after it do not count the request.
func TestOrder(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	h := newChain(inj, &okBackend{})
	delay := inj.Add(faults.Rule{Action: faults.Delay(0)})
	first := inj.Add(faults.Rule{Verbs: []string{"get"}, Count: 1, Action: faults.Conflict()})
	second := inj.Add(faults.Rule{Action: faults.InternalError()})
	if code := getPod.do(h).Code; code != http.StatusConflict {
		t.Fatalf("code %d, want 409 from the first answering rule", code)
	}
	if code := getPod.do(h).Code; code != http.StatusInternalServerError {
		t.Fatalf("code %d, want 500 from the second rule once the first is spent", code)
	}
	if delay.Fired() != 2 || first.Fired() != 1 || second.Fired() != 1 {
		t.Fatalf("fired delay %d, first %d, second %d; want 2, 1, 1", delay.Fired(), first.Fired(), second.Fired())
	}
}

// TestProbability: the same seed and the same requests fire the same
// faults; about Probability of them fire.
func TestProbability(t *testing.T) {
	t.Parallel()
	run := func(seed int64) []int {
		inj := faults.New(seed)
		h := newChain(inj, &okBackend{})
		inj.Add(faults.Rule{Verbs: []string{"list"}, Probability: 0.3, Action: faults.InternalError()})
		var fired []int
		for i := range 1000 {
			getPod.do(h) // does not match: draws nothing
			if listDeploys.do(h).Code == 500 {
				fired = append(fired, i)
			}
		}
		return fired
	}
	a, b, c := run(42), run(42), run(43)
	if !slices.Equal(a, b) {
		t.Fatal("two runs with seed 42 fired on different requests")
	}
	if slices.Equal(a, c) {
		t.Fatal("seeds 42 and 43 fired on the same requests")
	}
	if n := len(a); n < 240 || n > 360 {
		t.Fatalf("fired on %d of 1000 requests, want about 300", n)
	}
}

// TestConcurrentCount: a Count holds under concurrent requests.
func TestConcurrentCount(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	backend := &okBackend{}
	h := newChain(inj, backend)
	f := inj.Add(faults.Rule{Count: 25, Action: faults.TooManyRequests(0)})
	var wg sync.WaitGroup
	var rejected atomic.Int64
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if getPod.do(h).Code == http.StatusTooManyRequests {
					rejected.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if f.Fired() != 25 || rejected.Load() != 25 || backend.reached.Load() != 160-25 {
		t.Fatalf("fired %d, rejected %d, passed %d; want 25, 25, 135", f.Fired(), rejected.Load(), backend.reached.Load())
	}
}

func TestInvalidRulesPanic(t *testing.T) {
	t.Parallel()
	for name, rule := range map[string]faults.Rule{
		"no action":       {},
		"negative count":  {Count: -1, Action: faults.InternalError()},
		"probability > 1": {Probability: 1.5, Action: faults.InternalError()},
		"bad pattern":     {Names: []string{"web-["}, Action: faults.InternalError()},
		"error nil":       {Action: faults.Error(nil)},
		"negative delay":  {Action: faults.Delay(-1)},
		"inverted range":  {Action: faults.DelayBetween(2, 1)},
		"negative close":  {Action: faults.CloseWatchAfter(-1)},
		"zero stall":      {Action: faults.StallWatch(0)},
		"negative retry":  {Action: faults.TooManyRequests(-1)},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("Add did not panic")
				}
			}()
			faults.New(1).Add(rule)
		})
	}
}
