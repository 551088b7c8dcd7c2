package recording

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	auditinternal "k8s.io/apiserver/pkg/apis/audit"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	"k8s.io/apiserver/pkg/audit"
)

// Options configures a Recorder. The zero value records every request,
// without bodies, in memory.
type Options struct {
	// Bodies records request and response bodies (audit level
	// RequestResponse instead of Metadata).
	Bodies bool
	// Match selects the requests to record; the zero Match selects all.
	// Its Func is called from the server's request goroutines, concurrently.
	Match Match
	// AuditLog, if set, receives each recorded audit event as it happens,
	// as a line of kube-apiserver's JSON audit log (see WriteAuditLog).
	// The first write error ends the stream; Err reports it.
	AuditLog io.Writer
	// StreamOnly keeps nothing in memory: Requests and WriteAuditLog see
	// nothing, AuditLog gets everything. For long-running servers.
	StreamOnly bool
}

// Recorder records a server's requests from its start until Stop (see the
// package doc for which ones). It is safe for concurrent use. A zero
// Recorder records nothing.
type Recorder struct {
	backend *Backend
	opts    Options
	// start is when recording started; nil until Backend.Record stores it.
	start atomic.Pointer[time.Time]

	// mu guards the fields below; no other lock is taken under it.
	mu      sync.Mutex
	stopped bool
	// requests and events are what was recorded, in arrival order; the
	// events are shared with other Recorders and never modified.
	requests []Request
	events   []*auditinternal.Event
	// watches are the watches recorded at ResponseStarted and not ended.
	watches map[watchKey]struct{}
	// err is AuditLog's first write error.
	err error
}

// watchKey tells a watch's events from another request's that reused its
// Audit-ID header.
type watchKey struct {
	id       types.UID
	received int64
}

// add records ev if it is r's to record; get copies it.
func (r *Recorder) add(ev *auditinternal.Event, get func() *entry) {
	start := r.start.Load()
	if start == nil || ev.RequestReceivedTimestamp.Time.Before(*start) {
		return
	}
	e := get()
	if !r.opts.Match.Matches(e.request) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	if r.opts.AuditLog != nil && r.err == nil {
		r.err = writeEvent(r.opts.AuditLog, r.logged(e.event))
	}
	if r.opts.StreamOnly {
		return
	}
	r.events = append(r.events, e.event)
	if r.opensLocked(e.event) {
		req := e.request
		if !r.opts.Bodies {
			req.RequestBody, req.ResponseBody = nil, nil
		}
		r.requests = append(r.requests, req)
	}
}

// opensLocked tells whether ev is the first of its request's events, at
// which the request is recorded (see recorded). A watch's ResponseStarted
// opens it, and its ResponseComplete or Panic closes it; a watch that
// panicked before it streamed has only a Panic event, which opens it.
func (r *Recorder) opensLocked(ev *auditinternal.Event) bool {
	if ev.Verb != "watch" {
		return true
	}
	key := watchKey{ev.AuditID, ev.RequestReceivedTimestamp.UnixNano()}
	if ev.Stage == auditinternal.StageResponseStarted {
		if r.watches == nil {
			r.watches = map[watchKey]struct{}{}
		}
		r.watches[key] = struct{}{}
		return true
	}
	if _, ok := r.watches[key]; ok {
		delete(r.watches, key)
		return false
	}
	return true
}

// logged is ev as r's audit log has it: at level Metadata, without
// bodies, unless r records them (another Recorder may).
func (r *Recorder) logged(ev *auditinternal.Event) *auditinternal.Event {
	if r.opts.Bodies || ev.Level.Less(auditinternal.LevelRequest) {
		return ev
	}
	c := *ev
	c.Level, c.RequestObject, c.ResponseObject = auditinternal.LevelMetadata, nil, nil
	return &c
}

// Stop ends the recording: once it returns, nothing more is recorded. What
// was recorded stays readable.
func (r *Recorder) Stop() {
	r.mu.Lock()
	stopped := r.stopped
	r.stopped = true
	r.mu.Unlock()
	if !stopped && r.backend != nil {
		r.backend.remove(r)
	}
}

// Requests returns the requests recorded so far, in the order their
// events arrived (see the package doc).
func (r *Recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

// Where returns the requests recorded so far that m matches.
func (r *Recorder) Where(m Match) []Request {
	var out []Request
	for _, req := range r.Requests() {
		if m.Matches(req) {
			out = append(out, req)
		}
	}
	return out
}

// Count is the number of requests recorded so far that m matches.
func (r *Recorder) Count(m Match) int {
	return len(r.Where(m))
}

// Err is the first error writing Options.AuditLog, if any.
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// WriteJSONLines writes the requests recorded so far to w as JSON, one per
// line (Request's JSON fields).
func (r *Recorder) WriteJSONLines(w io.Writer) error {
	enc := json.NewEncoder(w)
	for _, req := range r.Requests() {
		if err := enc.Encode(req); err != nil {
			return fmt.Errorf("recording: write request %s: %w", req.AuditID, err)
		}
	}
	return nil
}

// WriteAuditLog writes the audit events recorded so far to w as
// kube-apiserver writes its log with --audit-log-format=json: one
// audit.k8s.io/v1 Event per line, encoded as its log backend encodes them.
// A request has one event (stage ResponseComplete or Panic), a watch two
// (ResponseStarted, then ResponseComplete once it ended), a request that
// failed authentication one (ResponseStarted).
func (r *Recorder) WriteAuditLog(w io.Writer) error {
	r.mu.Lock()
	events := slices.Clone(r.events)
	r.mu.Unlock()
	for _, ev := range events {
		if err := writeEvent(w, r.logged(ev)); err != nil {
			return err
		}
	}
	return nil
}

// auditLogEncoder encodes events as k8s.io/apiserver's log backend does
// (plugin/pkg/audit/log, format json, version audit.k8s.io/v1).
var auditLogEncoder = audit.Codecs.LegacyCodec(auditv1.SchemeGroupVersion)

func writeEvent(w io.Writer, ev *auditinternal.Event) error {
	line, err := runtime.Encode(auditLogEncoder, ev)
	if err != nil {
		return fmt.Errorf("recording: encode audit event %s: %w", ev.AuditID, err)
	}
	if _, err := w.Write(line); err != nil {
		return fmt.Errorf("recording: write audit event %s: %w", ev.AuditID, err)
	}
	return nil
}
