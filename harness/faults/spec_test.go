package faults_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/memkube/memkube/harness/faults"
)

func duration(d time.Duration) *metav1.Duration { return &metav1.Duration{Duration: d} }

func intPtr(n int) *int { return &n }

// TestSpecActions: each action spec adds the fault its Go function does:
// the same response, and the spec it shows is the one added (with a
// Status's defaults filled in).
func TestSpecActions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		action   faults.ActionSpec
		shown    *faults.ActionSpec // nil: action
		req      req
		wantCode int
		wantBody string
		header   [2]string // a response header and its value
	}{
		{name: "Conflict", action: faults.ActionSpec{Type: "Conflict"}, req: getPod, wantCode: 409,
			wantBody: `Operation cannot be fulfilled on pods \"web-1\": the object has been modified`},
		{name: "TooManyRequests", action: faults.ActionSpec{Type: "TooManyRequests", RetryAfterSeconds: 3}, req: getPod, wantCode: 429,
			header: [2]string{"Retry-After", "3"}},
		{name: "InternalError", action: faults.ActionSpec{Type: "InternalError"}, req: getPod, wantCode: 500,
			wantBody: "Internal error occurred: fault injected by memkube"},
		{name: "ServiceUnavailable", action: faults.ActionSpec{Type: "ServiceUnavailable"}, req: getPod, wantCode: 503},
		{name: "Timeout", action: faults.ActionSpec{Type: "Timeout"}, req: getPod, wantCode: 504},
		{name: "Status", action: faults.ActionSpec{Type: "Status", Code: 403, Reason: "Forbidden", Message: "no pods for you", RetryAfterSeconds: 2},
			req: getPod, wantCode: 403, wantBody: `"reason":"Forbidden"`, header: [2]string{"Retry-After", "2"}},
		{name: "Status defaults", action: faults.ActionSpec{Type: "Status", Code: 410},
			shown: &faults.ActionSpec{Type: "Status", Code: 410, Message: faults.InjectedMessage},
			req:   getPod, wantCode: 410, wantBody: faults.InjectedMessage},
		{name: "Status default reason", action: faults.ActionSpec{Type: "Status", Code: 503, Message: "etcd is away"},
			shown: &faults.ActionSpec{Type: "Status", Code: 503, Reason: "ServiceUnavailable", Message: "etcd is away"},
			req:   getPod, wantCode: 503, wantBody: `"reason":"ServiceUnavailable"`},
		{name: "Delay", action: faults.ActionSpec{Type: "Delay", Duration: duration(time.Millisecond)}, req: getPod, wantCode: 200},
		{name: "DelayBetween", action: faults.ActionSpec{Type: "DelayBetween", Min: duration(0), Max: duration(time.Millisecond)}, req: getPod, wantCode: 200},
		// watch actions on a non-watch: they do not match, the request is served.
		{name: "CloseWatchAfter", action: faults.ActionSpec{Type: "CloseWatchAfter", Events: intPtr(0)}, req: getPod, wantCode: 200},
		{name: "StallWatch", action: faults.ActionSpec{Type: "StallWatch", Duration: duration(time.Second)}, req: getPod, wantCode: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inj := faults.New(1)
			backend := &okBackend{}
			f, err := inj.AddSpec(faults.Spec{Resources: []string{"pods"}, Action: &tc.action})
			if err != nil {
				t.Fatalf("AddSpec: %v", err)
			}
			w := tc.req.do(newChain(inj, backend))
			if w.Code != tc.wantCode {
				t.Errorf("code %d, want %d; body %s", w.Code, tc.wantCode, w.Body)
			}
			if !strings.Contains(w.Body.String(), tc.wantBody) {
				t.Errorf("body %s, want it to contain %s", w.Body, tc.wantBody)
			}
			if tc.header[0] != "" && w.Header().Get(tc.header[0]) != tc.header[1] {
				t.Errorf("%s: %q, want %q", tc.header[0], w.Header().Get(tc.header[0]), tc.header[1])
			}
			want := tc.action
			if tc.shown != nil {
				want = *tc.shown
			}
			if got := f.Spec(); !reflect.DeepEqual(*got.Action, want) || !reflect.DeepEqual(got.Resources, []string{"pods"}) {
				t.Errorf("spec %s, want action %s", js(got), js(want))
			}
		})
	}
}

// TestSpecStorage: a storage spec fails the operations it names with its
// error, for Count operations.
func TestSpecStorage(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	inj := faults.New(1)
	inj.Attach(s)
	spec := faults.Spec{Count: 1, Storage: &faults.StorageSpec{Ops: []string{"writes"}, Error: "etcdserver: mvcc: database space exceeded"}}
	f, err := inj.AddSpec(spec)
	if err != nil {
		t.Fatalf("AddSpec: %v", err)
	}
	read, write, watch := ops(t, s)
	if read != nil || watch != nil || write == nil || write.Error() != "etcdserver: mvcc: database space exceeded" {
		t.Fatalf("read %v, write %v, watch %v; want the write to fail with the spec's error", read, write, watch)
	}
	if _, write, _ := ops(t, s); write != nil {
		t.Fatalf("second write: %v, want none (Count 1)", write)
	}
	if got := f.Spec(); !reflect.DeepEqual(got, spec) {
		t.Errorf("spec %s, want %s", js(got), js(spec))
	}

	g, err := inj.AddSpec(faults.Spec{Storage: &faults.StorageSpec{}})
	if err != nil {
		t.Fatalf("AddSpec: %v", err)
	}
	read, write, watch = ops(t, s)
	for op, err := range map[string]error{"read": read, "write": write, "watch": watch} {
		if !errors.Is(err, faults.ErrStorageUnavailable) && (err == nil || err.Error() != faults.ErrStorageUnavailable.Error()) {
			t.Errorf("%s: got %v, want %v", op, err, faults.ErrStorageUnavailable)
		}
	}
	if g.ID() != f.ID()+1 {
		t.Errorf("ids %d then %d, want consecutive", f.ID(), g.ID())
	}
}

// TestSpecOfGoFaults: faults added in Go show as the specs that would add
// them.
func TestSpecOfGoFaults(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	inj.Attach(newStore(t))
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "s", errors.New("no"))
	tests := []struct {
		fault *faults.Fault
		want  faults.Spec
	}{
		{inj.ConflictOnNextUpdates(2, faults.Rule{Groups: []string{"apps"}, Names: []string{"web"}}),
			faults.Spec{Verbs: []string{"update"}, Groups: []string{"apps"}, Names: []string{"web"}, Count: 2, Action: &faults.ActionSpec{Type: "Conflict"}}},
		{inj.Add(faults.Rule{Users: []string{"bob"}, Probability: 0.5, Action: faults.Error(forbidden)}),
			faults.Spec{Users: []string{"bob"}, Probability: 0.5, Action: &faults.ActionSpec{Type: "Status", Code: 403, Reason: "Forbidden", Message: forbidden.Error()}}},
		{inj.Add(faults.Rule{Paths: []string{"/version"}, Action: faults.Error(errors.New("boom"))}),
			faults.Spec{Paths: []string{"/version"}, Action: &faults.ActionSpec{Type: "Status", Code: 500, Message: "boom"}}},
		{inj.Add(faults.Rule{Action: faults.DelayBetween(time.Second, 2*time.Second)}),
			faults.Spec{Action: &faults.ActionSpec{Type: "DelayBetween", Min: duration(time.Second), Max: duration(2 * time.Second)}}},
		{inj.StorageUnavailable(), faults.Spec{Storage: &faults.StorageSpec{}}},
		{inj.AddStorage(faults.StorageRule{Ops: faults.StorageReads | faults.StorageWatches, Count: 3}),
			faults.Spec{Count: 3, Storage: &faults.StorageSpec{Ops: []string{"reads", "watches"}}}},
	}
	for i, tc := range tests {
		if got := tc.fault.Spec(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("fault %d: spec %s, want %s", i, js(got), js(tc.want))
		}
		if tc.fault.ID() != int64(i+1) {
			t.Errorf("fault %d: id %d, want %d", i, tc.fault.ID(), i+1)
		}
	}
	// A Status spec of a Go fault adds the same response.
	f, err := inj.AddSpec(tests[1].want)
	if err != nil {
		t.Fatalf("AddSpec of a Go fault's spec: %v", err)
	}
	if got := f.Spec(); !reflect.DeepEqual(got, tests[1].want) {
		t.Errorf("spec %s, want %s", js(got), js(tests[1].want))
	}
}

// TestSpecInvalid: AddSpec says what is wrong with a spec, and adds
// nothing.
func TestSpecInvalid(t *testing.T) {
	t.Parallel()
	conflict := &faults.ActionSpec{Type: "Conflict"}
	tests := []struct {
		name    string
		spec    faults.Spec
		wantErr string
	}{
		{"empty", faults.Spec{}, "a fault needs an action or a storage"},
		{"both", faults.Spec{Action: conflict, Storage: &faults.StorageSpec{}}, "a fault has an action or a storage, not both"},
		{"unknown type", faults.Spec{Action: &faults.ActionSpec{Type: "conflict"}}, `unknown action type "conflict", want one of Conflict, TooManyRequests,`},
		{"no type", faults.Spec{Action: &faults.ActionSpec{}}, `unknown action type ""`},
		{"field of another type", faults.Spec{Action: &faults.ActionSpec{Type: "Conflict", Duration: duration(time.Second)}}, "action Conflict takes no duration"},
		{"negative retry", faults.Spec{Action: &faults.ActionSpec{Type: "TooManyRequests", RetryAfterSeconds: -1}}, "negative retryAfterSeconds -1"},
		{"Delay without duration", faults.Spec{Action: &faults.ActionSpec{Type: "Delay"}}, "action Delay needs a duration"},
		{"negative Delay", faults.Spec{Action: &faults.ActionSpec{Type: "Delay", Duration: duration(-time.Second)}}, "delay between -1s and -1s"},
		{"DelayBetween without max", faults.Spec{Action: &faults.ActionSpec{Type: "DelayBetween", Min: duration(time.Second)}}, "action DelayBetween needs a min and a max"},
		{"DelayBetween reversed", faults.Spec{Action: &faults.ActionSpec{Type: "DelayBetween", Min: duration(2 * time.Second), Max: duration(time.Second)}}, "delay between 2s and 1s"},
		{"CloseWatchAfter without events", faults.Spec{Action: &faults.ActionSpec{Type: "CloseWatchAfter"}}, "action CloseWatchAfter needs events"},
		{"CloseWatchAfter negative", faults.Spec{Action: &faults.ActionSpec{Type: "CloseWatchAfter", Events: intPtr(-1)}}, "CloseWatchAfter(-1)"},
		{"StallWatch zero", faults.Spec{Action: &faults.ActionSpec{Type: "StallWatch", Duration: duration(0)}}, "StallWatch(0s)"},
		{"Status without code", faults.Spec{Action: &faults.ActionSpec{Type: "Status", Message: "x"}}, "action Status needs an error code (400-599), not 0"},
		{"Status 200", faults.Spec{Action: &faults.ActionSpec{Type: "Status", Code: 200}}, "not 200"},
		{"bad pattern", faults.Spec{Resources: []string{"pods["}, Action: conflict}, `Resources pattern "pods[": syntax error in pattern`},
		{"negative count", faults.Spec{Count: -1, Action: conflict}, "negative Count -1"},
		{"probability", faults.Spec{Probability: 1.5, Action: conflict}, "Probability 1.5 outside [0, 1]"},
		{"storage op", faults.Spec{Storage: &faults.StorageSpec{Ops: []string{"write"}}}, `unknown storage op "write", want reads, writes or watches`},
		{"storage with matchers", faults.Spec{Namespaces: []string{"x"}, Storage: &faults.StorageSpec{}}, "namespaces: storage faults match operations, not requests"},
		{"storage count", faults.Spec{Count: -2, Storage: &faults.StorageSpec{}}, "negative Count -2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inj := faults.New(1)
			inj.Attach(newStore(t))
			f, err := inj.AddSpec(tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want an error containing %q", err, tc.wantErr)
			}
			if f != nil || len(inj.Faults()) != 0 {
				t.Fatalf("AddSpec returned %v and left %d faults, want none", f, len(inj.Faults()))
			}
		})
	}

	t.Run("storage without a store", func(t *testing.T) {
		t.Parallel()
		if _, err := faults.New(1).AddSpec(faults.Spec{Storage: &faults.StorageSpec{}}); !errors.Is(err, faults.ErrNoStore) {
			t.Fatalf("got %v, want ErrNoStore", err)
		}
	})
}

// TestFaultsListsSpentSpecs: faults of AddSpec stay listed once spent,
// until removed; those of Add do not.
func TestFaultsListsSpentSpecs(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	h := newChain(inj, &okBackend{})
	goFault := inj.Add(faults.Rule{Count: 1, Action: faults.InternalError()})
	spec, err := inj.AddSpec(faults.Spec{Count: 2, Action: &faults.ActionSpec{Type: "ServiceUnavailable"}})
	if err != nil {
		t.Fatal(err)
	}
	forever, err := inj.AddSpec(faults.Spec{Verbs: []string{"delete"}, Action: &faults.ActionSpec{Type: "Conflict"}})
	if err != nil {
		t.Fatal(err)
	}
	var codes []int
	for range 4 {
		codes = append(codes, getPod.do(h).Code)
	}
	if want := []int{500, 503, 503, 200}; !reflect.DeepEqual(codes, want) {
		t.Fatalf("codes %v, want %v", codes, want)
	}
	if got := ids(inj.Faults()); !reflect.DeepEqual(got, []int64{spec.ID(), forever.ID()}) {
		t.Fatalf("faults %v, want %d (spent) and %d (active), not %d", got, spec.ID(), forever.ID(), goFault.ID())
	}
	zero := 0
	if got, want := spec.Record(), (faults.Record{ID: spec.ID(), Spec: spec.Spec(), Fired: 2, Left: &zero, Done: true}); !reflect.DeepEqual(got, want) {
		t.Errorf("record %s, want %s", js(got), js(want))
	}
	if got := forever.Record(); got.Left != nil || got.Done || got.Fired != 0 {
		t.Errorf("record %s, want no left, not done, fired 0", js(got))
	}
	inj.Remove(spec)
	if got := ids(inj.Faults()); !reflect.DeepEqual(got, []int64{forever.ID()}) {
		t.Fatalf("after Remove of the spent fault: faults %v, want [%d]", got, forever.ID())
	}
	inj.Reset()
	if n := len(inj.Faults()); n != 0 {
		t.Fatalf("%d faults after Reset, want 0", n)
	}
	if w := getPod.do(h); w.Code != http.StatusOK {
		t.Fatalf("code %d after Reset, want 200", w.Code)
	}
}

func ids(fs []*faults.Fault) []int64 {
	var out []int64
	for _, f := range fs {
		out = append(out, f.ID())
	}
	return out
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
