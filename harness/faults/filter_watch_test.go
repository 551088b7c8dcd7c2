package faults_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/framer"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/memkube/memkube/harness/faults"
)

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// streamBackend serves a watch stream as k8s.io/apiserver's watch handler
// writes one: Content-Type, 200 and a flush, then each event with one write
// to the framer of its content type (JSON, or protobuf's length-delimited
// frames), flushing when no other event is queued; then it waits for the
// request's context, as a watch with nothing new to say.
type streamBackend struct {
	events   int
	protobuf bool
	// spaced: the events come one at a time (a flush after each), rather
	// than all queued at once (one flush after the last).
	spaced bool
	// acceptEncoding is the Accept-Encoding of the last request.
	acceptEncoding chan string
}

func (b *streamBackend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.acceptEncoding <- r.Header.Get("Accept-Encoding")
	contentType := "application/json"
	var out io.Writer = w
	if b.protobuf {
		contentType = runtime.ContentTypeProtobuf + ";stream=watch"
		out = framer.NewLengthDelimitedFrameWriter(w)
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	for i := range b.events {
		if _, err := out.Write(fmt.Appendf(nil, `{"type":"ADDED","object":{"i":%d}}`+"\n", i)); err != nil {
			return // as the watch handler on an encode error
		}
		if b.spaced || i == b.events-1 {
			w.(http.Flusher).Flush()
		}
	}
	<-r.Context().Done()
}

// eventReader reads the frames of a watch stream.
type eventReader struct {
	frames io.ReadCloser
	buf    []byte
}

func newEventReader(resp *http.Response, protobuf bool) *eventReader {
	if protobuf {
		return &eventReader{framer.NewLengthDelimitedFrameReader(resp.Body), make([]byte, 1<<16)}
	}
	return &eventReader{framer.NewJSONFramedReader(resp.Body), make([]byte, 1<<16)}
}

// read reads frames until the stream ends or max are read, and reports
// whether it ended.
func (r *eventReader) read(t *testing.T, max int) (n int, ended bool) {
	t.Helper()
	for n < max {
		if _, err := r.frames.Read(r.buf); err == io.EOF {
			return n, true
		} else if err != nil {
			t.Fatalf("read event %d: %v", n, err)
		}
		n++
	}
	return n, false
}

func startWatch(t *testing.T, srv *httptest.Server) *http.Response {
	t.Helper()
	r, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+watchDeploys.target, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(r) // no transparent gzip: the header is ours
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("watch: %s", resp.Status)
	}
	return resp
}

func TestCloseWatchAfter(t *testing.T) {
	t.Parallel()
	for _, protobuf := range []bool{false, true} {
		for _, n := range []int{0, 1, 3} {
			t.Run(fmt.Sprintf("Protobuf=%v/N=%d", protobuf, n), func(t *testing.T) {
				t.Parallel()
				inj := faults.New(1)
				backend := &streamBackend{events: 5, protobuf: protobuf, acceptEncoding: make(chan string, 2)}
				srv := newServer(t, newChain(inj, backend))
				f := inj.Add(faults.Rule{Resources: []string{"deployments"}, Count: 1, Action: faults.CloseWatchAfter(n)})

				got, ended := newEventReader(startWatch(t, srv), protobuf).read(t, 5)
				if got != n || !ended {
					t.Fatalf("read %d events, stream ended %v; want %d and the end", got, ended, n)
				}
				if f.Fired() != 1 {
					t.Fatalf("fired %d, want 1", f.Fired())
				}
				if ae := <-backend.acceptEncoding; ae != "" {
					t.Fatalf("the watch handler saw Accept-Encoding %q, want none (frames are counted uncompressed)", ae)
				}

				// the fault is spent: the next watch gets every event and stays open.
				got, ended = newEventReader(startWatch(t, srv), protobuf).read(t, 5)
				if got != 5 || ended {
					t.Fatalf("without the fault: read %d events, stream ended %v; want 5, open", got, ended)
				}
				if ae := <-backend.acceptEncoding; ae != "gzip" {
					t.Fatalf("without the fault the watch handler saw Accept-Encoding %q, want gzip", ae)
				}
			})
		}
	}
}

// TestWatchActionsPassErrors: a watch that fails before its stream starts
// (410 Gone, say) is passed through untouched.
func TestWatchActionsPassErrors(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	inj.Add(faults.Rule{Action: faults.CloseWatchAfter(0)})
	inj.Add(faults.Rule{Action: faults.StallWatch(time.Hour)})
	backend := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusGone)
		_, _ = w.Write([]byte(`{"kind":"Status","code":410}`))
	})
	w := watchDeploys.do(newChain(inj, backend))
	if w.Code != http.StatusGone || w.Body.String() != `{"kind":"Status","code":410}` {
		t.Fatalf("got %d %q, want the backend's 410", w.Code, w.Body.String())
	}
}

func TestStallWatch(t *testing.T) {
	t.Parallel()
	for _, protobuf := range []bool{false, true} {
		t.Run(fmt.Sprintf("Protobuf=%v", protobuf), func(t *testing.T) {
			t.Parallel()
			clk := testingclock.NewFakeClock(time.Now())
			inj := faults.NewWithClock(1, clk)
			backend := &streamBackend{events: 3, protobuf: protobuf, spaced: true, acceptEncoding: make(chan string, 1)}
			srv := newServer(t, newChain(inj, backend))
			inj.Add(faults.Rule{Action: faults.StallWatch(time.Second)})
			events := newEventReader(startWatch(t, srv), protobuf)
			for i := range 3 {
				for !clk.HasWaiters() {
					time.Sleep(time.Millisecond) // the fake clock has no waiter event to wait on
				}
				clk.Step(time.Second - 1)
				if !clk.HasWaiters() {
					t.Fatalf("event %d went out before its stall", i)
				}
				clk.Step(1)
				if n, ended := events.read(t, 1); n != 1 || ended {
					t.Fatalf("event %d: read %d, ended %v", i, n, ended)
				}
			}
		})
	}
}

// queryBackend answers with the request's query, as the handler saw it.
type queryBackend struct{}

func (queryBackend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = w.Write([]byte(r.URL.RawQuery + " " + r.RequestURI))
}

func TestWithholdBookmarks(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	h := newChain(inj, queryBackend{})
	f := inj.Add(faults.Rule{Resources: []string{"deployments"}, Action: faults.WithholdBookmarks()})
	for _, tc := range []struct {
		name, target, want string
	}{
		{"watch", "/apis/apps/v1/namespaces/prod/deployments?allowWatchBookmarks=true&watch=true",
			"watch=true /apis/apps/v1/namespaces/prod/deployments?watch=true"},
		{"watch-list keeps the bookmark it needs", "/apis/apps/v1/namespaces/prod/deployments?allowWatchBookmarks=true&sendInitialEvents=true&watch=true",
			"allowWatchBookmarks=true&sendInitialEvents=true&watch=true /apis/apps/v1/namespaces/prod/deployments?allowWatchBookmarks=true&sendInitialEvents=true&watch=true"},
		{"list, not matched", "/apis/apps/v1/namespaces/prod/deployments?allowWatchBookmarks=true",
			"allowWatchBookmarks=true /apis/apps/v1/namespaces/prod/deployments?allowWatchBookmarks=true"},
	} {
		if got := (req{method: "GET", target: tc.target}).do(h).Body.String(); got != tc.want {
			t.Errorf("%s: the handler saw %q, want %q", tc.name, got, tc.want)
		}
	}
	if f.Fired() != 2 {
		t.Errorf("fired %d times, want 2 (the watches)", f.Fired())
	}
	if spec := f.Spec(); spec.Action == nil || spec.Action.Type != faults.ActionWithholdBookmarks {
		t.Errorf("spec %+v, want action WithholdBookmarks", spec)
	}
}
