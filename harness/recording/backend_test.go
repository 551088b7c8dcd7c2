package recording_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/util/sets"
	auditinternal "k8s.io/apiserver/pkg/apis/audit"
	"k8s.io/apiserver/pkg/audit"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapifilters "k8s.io/apiserver/pkg/endpoints/filters"
	"k8s.io/apiserver/pkg/endpoints/request"
	genericfilters "k8s.io/apiserver/pkg/server/filters"

	"github.com/memkube/memkube/harness/recording"
)

// auditChain is the audit part of genericapiserver.DefaultBuildHandlerChain
// around inner: audit context, request info, a user, WithAudit.
func auditChain(b *recording.Backend, inner http.HandlerFunc) http.Handler {
	// as the server: watches are long-running.
	h := genericapifilters.WithAudit(inner, b, b, genericfilters.BasicLongRunningRequestCheck(sets.NewString("watch"), sets.NewString()))
	h = withUser(h)
	h = withRequestInfo(h)
	h = genericapifilters.WithRequestReceivedTimestamp(h)
	return genericapifilters.WithAuditInit(h)
}

func withRequestInfo(h http.Handler) http.Handler {
	return genericapifilters.WithRequestInfo(h, &request.RequestInfoFactory{APIPrefixes: sets.NewString("api", "apis"), GrouplessAPIPrefixes: sets.NewString("api")})
}

func withUser(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(request.WithUser(r.Context(), &user.DefaultInfo{Name: "alice"})))
	})
}

func get(t *testing.T, h http.Handler, path string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
}

// TestBackendLevel: level None while nothing records — WithAudit then
// builds no event, the handler sees auditing disabled — Metadata while a
// Recorder runs, RequestResponse while one wants bodies.
func TestBackendLevel(t *testing.T) {
	t.Parallel()
	var b recording.Backend
	var enabled bool
	h := auditChain(&b, func(w http.ResponseWriter, r *http.Request) {
		enabled = audit.AuditContextFrom(r.Context()).Enabled()
	})
	check := func(what string, wantLevel auditinternal.Level) {
		t.Helper()
		cfg := b.EvaluatePolicyRule(nil)
		if cfg.Level != wantLevel {
			t.Errorf("%s: level %s, want %s", what, cfg.Level, wantLevel)
		}
		if wantLevel != auditinternal.LevelNone && (len(cfg.OmitStages) != 1 || cfg.OmitStages[0] != auditinternal.StageRequestReceived) {
			t.Errorf("%s: omitted stages %v, want RequestReceived", what, cfg.OmitStages)
		}
		get(t, h, "/api/v1/namespaces/default/configmaps/x")
		if want := wantLevel != auditinternal.LevelNone; enabled != want {
			t.Errorf("%s: auditing enabled in the handler: %v, want %v", what, enabled, want)
		}
	}
	check("nothing recording", auditinternal.LevelNone)
	metadata := b.Record(recording.Options{})
	check("one Recorder", auditinternal.LevelMetadata)
	bodies := b.Record(recording.Options{Bodies: true})
	check("a Recorder with bodies", auditinternal.LevelRequestResponse)
	bodies.Stop()
	check("the Recorder with bodies stopped", auditinternal.LevelMetadata)
	metadata.Stop()
	check("all stopped", auditinternal.LevelNone)
	if n := len(metadata.Requests()); n != 3 {
		t.Errorf("the first Recorder recorded %d requests, want 3", n)
	}
	if n := len(bodies.Requests()); n != 1 {
		t.Errorf("the Recorder with bodies recorded %d requests, want 1", n)
	}
}

// TestBackendStart: a Recorder started while a request runs does not
// record it; one started before does.
func TestBackendStart(t *testing.T) {
	t.Parallel()
	var b recording.Backend
	inHandler, release := make(chan struct{}), make(chan struct{})
	h := auditChain(&b, func(w http.ResponseWriter, r *http.Request) {
		close(inHandler)
		<-release
	})
	before := b.Record(recording.Options{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		get(t, h, "/api/v1/namespaces/default/configmaps/x")
	}()
	<-inHandler
	during := b.Record(recording.Options{})
	close(release)
	<-done
	if got := before.Requests(); len(got) != 1 || got[0].Name != "x" || got[0].User != "alice" || got[0].Code != http.StatusOK {
		t.Errorf("Recorder started before: %v, want alice get configmaps default/x 200", got)
	}
	if got := during.Requests(); len(got) != 0 {
		t.Errorf("Recorder started during the request: %v, want nothing", got)
	}
}

// TestBackendPanic: a handler's panic is recorded (stage Panic, 500), and
// goes on up the chain; a watch is one Request whether it panics before it
// streams or after.
func TestBackendPanic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		// write: the handler starts its response before it panics.
		write      bool
		wantVerb   string
		wantCode   int
		wantStages []string
	}{
		{"get", "/api/v1/namespaces/default/configmaps/x", false, "get", 500, []string{"Panic"}},
		{"watch before streaming", "/api/v1/namespaces/default/configmaps?watch=true", false, "watch", 500, []string{"Panic"}},
		{"watch while streaming", "/api/v1/namespaces/default/configmaps?watch=true", true, "watch", 200, []string{"ResponseStarted", "Panic"}},
	}
	for _, tt := range tests {
		var b recording.Backend
		rec := b.Record(recording.Options{})
		h := auditChain(&b, func(w http.ResponseWriter, _ *http.Request) {
			if tt.write {
				w.WriteHeader(http.StatusOK)
			}
			panic("boom")
		})
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Errorf("%s: recovered %v, want the handler's panic", tt.name, r)
				}
			}()
			get(t, h, tt.path)
		}()
		if got := rec.Requests(); len(got) != 1 || got[0].Code != tt.wantCode || got[0].Verb != tt.wantVerb {
			t.Errorf("%s: recorded %v, want one %s with %d", tt.name, got, tt.wantVerb, tt.wantCode)
		}
		var log bytes.Buffer
		if err := rec.WriteAuditLog(&log); err != nil {
			t.Fatal(err)
		}
		var stages []string
		for line := range bytes.Lines(log.Bytes()) {
			var ev struct{ Stage string }
			if err := json.Unmarshal(line, &ev); err != nil {
				t.Fatal(err)
			}
			stages = append(stages, ev.Stage)
		}
		if !slices.Equal(stages, tt.wantStages) {
			t.Errorf("%s: audit events of stages %v, want %v", tt.name, stages, tt.wantStages)
		}
	}
}
