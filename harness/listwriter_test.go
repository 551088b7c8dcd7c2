package harness

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"k8s.io/apiserver/pkg/endpoints/request"
)

// countingWriter counts the writes and flushes that reach it.
type countingWriter struct {
	*httptest.ResponseRecorder
	writes, flushes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.ResponseRecorder.Write(p)
}

func (c *countingWriter) Flush() {
	c.flushes++
	c.ResponseRecorder.Flush()
}

// TestBatchedLists: a list's item writes reach the chain's writers in a few
// batches, whole and after its header; a flush passes through at once;
// other verbs' writes pass as they are.
func TestBatchedLists(t *testing.T) {
	item := strings.Repeat("x", 100)
	handler := withBatchedLists(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTeapot)
		for range 2000 {
			_, _ = w.Write([]byte(item))
		}
		w.(http.Flusher).Flush()
		_, _ = w.Write([]byte("end"))
	}))
	for _, c := range []struct {
		verb       string
		maxWrites  int
		wantWrites int
	}{
		{verb: "list", maxWrites: 2000*100/(32<<10) + 3},
		{verb: "get", wantWrites: 2001},
		{verb: "watch", wantWrites: 2001},
	} {
		w := &countingWriter{ResponseRecorder: httptest.NewRecorder()}
		req := httptest.NewRequest("GET", "/api/v1/configmaps", nil)
		req = req.WithContext(request.WithRequestInfo(req.Context(), &request.RequestInfo{IsResourceRequest: true, Verb: c.verb}))
		handler.ServeHTTP(w, req)
		if w.Code != http.StatusTeapot || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s: status %d, header %v", c.verb, w.Code, w.Header())
		}
		if want := strings.Repeat(item, 2000) + "end"; w.Body.String() != want {
			t.Errorf("%s: body of %d bytes, want %d", c.verb, w.Body.Len(), len(want))
		}
		if c.maxWrites > 0 && w.writes > c.maxWrites {
			t.Errorf("%s: %d writes reached the writer, want at most %d", c.verb, w.writes, c.maxWrites)
		}
		if c.wantWrites > 0 && w.writes != c.wantWrites {
			t.Errorf("%s: %d writes reached the writer, want %d", c.verb, w.writes, c.wantWrites)
		}
		if w.flushes != 1 {
			t.Errorf("%s: %d flushes reached the writer, want 1", c.verb, w.flushes)
		}
	}
}
