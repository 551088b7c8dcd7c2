package faults_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/memkube/memkube/harness/faults"
	"github.com/memkube/memkube/memstore"
)

// adminCall is a request to an admin handler at /memkube/v1.
type adminCall struct {
	method, path, body string
}

// do sends c as kubectl's raw commands do: the body without a
// Content-Type, JSON accepted.
func (c adminCall) do(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	r := httptest.NewRequest(c.method, "/memkube/v1"+c.path, body)
	r.Header.Set("Accept", "application/json, */*")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// decode decodes w's JSON body into a new T, after checking its code.
func decode[T any](t *testing.T, w *httptest.ResponseRecorder, code int) T {
	t.Helper()
	var v T
	if w.Code != code {
		t.Fatalf("code %d, want %d; body %s", w.Code, code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	return v
}

// TestAdminFaults walks the fault endpoints: add, list, get, act, delete,
// reset.
func TestAdminFaults(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	admin := inj.Handler("/memkube/v1")
	api := newChain(inj, &okBackend{})

	w := adminCall{"POST", "/faults", `{"verbs": ["get"], "resources": ["pods"], "count": 2, "action": {"type": "Conflict"}}`}.do(t, admin)
	added := decode[faults.Record](t, w, http.StatusCreated)
	two := 2
	want := faults.Record{ID: 1, Fired: 0, Left: &two, Spec: faults.Spec{
		Verbs: []string{"get"}, Resources: []string{"pods"}, Count: 2, Action: &faults.ActionSpec{Type: "Conflict"},
	}}
	if !reflect.DeepEqual(added, want) {
		t.Fatalf("added %s, want %s", js(added), js(want))
	}
	if loc := w.Header().Get("Location"); loc != "/memkube/v1/faults/1" {
		t.Errorf("Location %q, want /memkube/v1/faults/1", loc)
	}
	// YAML works too (kubectl create --raw -f rule.yaml).
	w = adminCall{"POST", "/faults", "verbs: [delete]\naction:\n  type: Delay\n  duration: 1ms\n"}.do(t, admin)
	if second := decode[faults.Record](t, w, http.StatusCreated); second.ID != 2 || second.Spec.Action.Duration.Duration.String() != "1ms" {
		t.Fatalf("added %s from YAML, want id 2 and a 1ms delay", js(second))
	}

	if code := getPod.do(api).Code; code != http.StatusConflict {
		t.Fatalf("get pod: code %d, want 409 from the added fault", code)
	}
	one := 1
	want.Fired, want.Left = 1, &one
	if got := decode[faults.Record](t, adminCall{"GET", "/faults/1", ""}.do(t, admin), http.StatusOK); !reflect.DeepEqual(got, want) {
		t.Fatalf("get: %s, want %s", js(got), js(want))
	}
	list := decode[faults.RecordList](t, adminCall{"GET", "/faults", ""}.do(t, admin), http.StatusOK)
	if len(list.Faults) != 2 || !reflect.DeepEqual(list.Faults[0], want) || list.Faults[1].ID != 2 {
		t.Fatalf("list: %s, want faults 1 (%s) and 2", js(list), js(want))
	}

	// DELETE of one: its record, done; it no longer fires nor is listed.
	want.Done = true
	if got := decode[faults.Record](t, adminCall{"DELETE", "/faults/1", ""}.do(t, admin), http.StatusOK); !reflect.DeepEqual(got, want) {
		t.Fatalf("delete: %s, want %s", js(got), js(want))
	}
	if code := getPod.do(api).Code; code != http.StatusOK {
		t.Fatalf("get pod after delete: code %d, want 200", code)
	}
	if list := decode[faults.RecordList](t, adminCall{"GET", "/faults", ""}.do(t, admin), http.StatusOK); len(list.Faults) != 1 || list.Faults[0].ID != 2 {
		t.Fatalf("list after delete: %s, want fault 2 only", js(list))
	}

	// DELETE of all: Go faults too; the list of those removed.
	inj.Add(faults.Rule{Action: faults.InternalError()})
	removed := decode[faults.RecordList](t, adminCall{"DELETE", "/faults", ""}.do(t, admin), http.StatusOK)
	if len(removed.Faults) != 2 || removed.Faults[0].ID != 2 || removed.Faults[1].ID != 3 || !removed.Faults[0].Done || !removed.Faults[1].Done {
		t.Fatalf("reset: %s, want faults 2 and 3, done", js(removed))
	}
	if w := (adminCall{"GET", "/faults", ""}.do(t, admin)); strings.TrimSpace(w.Body.String()) != "{\n  \"faults\": []\n}" {
		t.Fatalf("list after reset: %s, want an empty list", w.Body)
	}
	if code := getPod.do(api).Code; code != http.StatusOK {
		t.Fatalf("get pod after reset: code %d, want 200", code)
	}
}

// TestAdminCompact: compact compacts the attached store at its revision.
func TestAdminCompact(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if _, err := s.Put("/registry/configmaps/default/a", []byte("v")); err != nil {
		t.Fatal(err)
	}
	rev := s.Rev()
	inj := faults.New(1)
	inj.Attach(s)
	admin := inj.Handler("/memkube/v1/") // a trailing slash is the same prefix
	// kubectl create --raw /memkube/v1/compact -f /dev/null: an empty body.
	got := decode[faults.Compaction](t, adminCall{"POST", "/compact", ""}.do(t, admin), http.StatusOK)
	if got.Revision != rev {
		t.Fatalf("compacted at %d, want the store's revision %d", got.Revision, rev)
	}
	if _, _, err := s.Get("/registry/configmaps/default/a", rev-1); err == nil {
		t.Fatalf("read at revision %d after compacting at %d: no error, want compacted", rev-1, rev)
	}

	// With storage writes failing, so does the compactor's write: 500.
	w := adminCall{"POST", "/faults", `{"storage": {"ops": ["writes"]}}`}.do(t, admin)
	decode[faults.Record](t, w, http.StatusCreated)
	st := decode[metav1.Status](t, adminCall{"POST", "/compact", ""}.do(t, admin), http.StatusInternalServerError)
	if st.Reason != metav1.StatusReasonInternalError || !strings.Contains(st.Message, faults.ErrStorageUnavailable.Error()) {
		t.Fatalf("compact with failing writes: %s, want InternalError with %q", js(st), faults.ErrStorageUnavailable)
	}
}

// TestAdminErrors: every error is a metav1.Status with its code.
func TestAdminErrors(t *testing.T) {
	t.Parallel()
	withStore := func(t *testing.T) *faults.Injector {
		inj := faults.New(1)
		inj.Attach(newStore(t))
		return inj
	}
	noStore := func(*testing.T) *faults.Injector { return faults.New(1) }
	tests := []struct {
		name       string
		inj        func(*testing.T) *faults.Injector
		call       adminCall
		wantCode   int32
		wantReason metav1.StatusReason
		wantMsg    string
		wantAllow  string
	}{
		{"bad JSON", withStore, adminCall{"POST", "/faults", `{"action": `}, 400, metav1.StatusReasonBadRequest, "decode the fault spec: ", ""},
		{"unknown field", withStore, adminCall{"POST", "/faults", `{"verb": ["get"], "action": {"type": "Conflict"}}`}, 400, metav1.StatusReasonBadRequest, `unknown field "verb"`, ""},
		{"bad duration", withStore, adminCall{"POST", "/faults", `{"action": {"type": "Delay", "duration": "soon"}}`}, 400, metav1.StatusReasonBadRequest, `time: invalid duration "soon"`, ""},
		{"invalid spec", withStore, adminCall{"POST", "/faults", `{"action": {"type": "Teapot"}}`}, 400, metav1.StatusReasonBadRequest, `invalid fault spec: unknown action type "Teapot"`, ""},
		{"empty spec", withStore, adminCall{"POST", "/faults", ""}, 400, metav1.StatusReasonBadRequest, "invalid fault spec: a fault needs an action or a storage", ""},
		{"too large", withStore, adminCall{"POST", "/faults", `{"names": ["` + strings.Repeat("x", 1<<20) + `"]}`}, 413, metav1.StatusReasonRequestEntityTooLarge, "limit is 1048576 bytes", ""},
		{"storage without store", noStore, adminCall{"POST", "/faults", `{"storage": {}}`}, 409, metav1.StatusReasonConflict, "storage faults need the memory backend", ""},
		{"compact without store", noStore, adminCall{"POST", "/compact", ""}, 409, metav1.StatusReasonConflict, "storage faults need the memory backend", ""},
		{"unknown id", withStore, adminCall{"GET", "/faults/7", ""}, 404, metav1.StatusReasonNotFound, `faults "7" not found`, ""},
		{"delete unknown id", withStore, adminCall{"DELETE", "/faults/7", ""}, 404, metav1.StatusReasonNotFound, `faults "7" not found`, ""},
		{"not an id", withStore, adminCall{"GET", "/faults/x", ""}, 404, metav1.StatusReasonNotFound, `faults "x" not found`, ""},
		{"unknown path", withStore, adminCall{"GET", "/rules", ""}, 404, metav1.StatusReasonNotFound, "the server could not find the requested resource", ""},
		{"prefix only", withStore, adminCall{"GET", "", ""}, 404, metav1.StatusReasonNotFound, "the server could not find the requested resource", ""},
		{"PUT faults", withStore, adminCall{"PUT", "/faults", "{}"}, 405, metav1.StatusReasonMethodNotAllowed, `PUT is not supported on resources of kind "faults"`, "GET, POST, DELETE"},
		{"POST fault", withStore, adminCall{"POST", "/faults/1", "{}"}, 405, metav1.StatusReasonMethodNotAllowed, `POST is not supported`, "GET, DELETE"},
		{"GET compact", withStore, adminCall{"GET", "/compact", ""}, 405, metav1.StatusReasonMethodNotAllowed, `GET is not supported on resources of kind "compact"`, "POST"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inj := tc.inj(t)
			w := tc.call.do(t, inj.Handler("/memkube/v1"))
			st := decode[metav1.Status](t, w, int(tc.wantCode))
			if st.Kind != "Status" || st.APIVersion != "v1" || st.Status != metav1.StatusFailure || st.Code != tc.wantCode || st.Reason != tc.wantReason || !strings.Contains(st.Message, tc.wantMsg) {
				t.Errorf("got %s, want a v1 Status, Failure, code %d, reason %s, message with %q", js(st), tc.wantCode, tc.wantReason, tc.wantMsg)
			}
			if allow := w.Header().Get("Allow"); allow != tc.wantAllow {
				t.Errorf("Allow %q, want %q", allow, tc.wantAllow)
			}
			if n := len(inj.Faults()); n != 0 {
				t.Errorf("%d faults after a failed request, want 0", n)
			}
		})
	}
}

// TestAdminStorageFault: a storage fault added over HTTP fails the store's
// operations, and its record counts them.
func TestAdminStorageFault(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	inj := faults.New(1)
	inj.Attach(s)
	admin := inj.Handler("/memkube/v1")
	w := adminCall{"POST", "/faults", `{"count": 1, "storage": {"ops": ["writes"], "error": "etcdserver: mvcc: database space exceeded"}}`}.do(t, admin)
	rec := decode[faults.Record](t, w, http.StatusCreated)
	if _, err := s.Put("/registry/configmaps/default/a", []byte("v")); err == nil || err.Error() != "etcdserver: mvcc: database space exceeded" {
		t.Fatalf("write: %v, want the fault's error", err)
	}
	if _, err := s.Put("/registry/configmaps/default/a", []byte("v")); err != nil {
		t.Fatalf("second write: %v, want none (count 1)", err)
	}
	got := decode[faults.Record](t, adminCall{"GET", "/faults/1", ""}.do(t, admin), http.StatusOK)
	if got.ID != rec.ID || got.Fired != 1 || got.Left == nil || *got.Left != 0 || !got.Done {
		t.Fatalf("record %s, want fired 1, left 0, done", js(got))
	}
	watcher, err := s.Watch(t.Context(), memstore.WatchOptions{Key: "/registry/"})
	if err != nil {
		t.Fatalf("watch: %v, want none (writes only)", err)
	}
	watcher.Close()
}
