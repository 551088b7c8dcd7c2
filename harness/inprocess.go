package harness

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"k8s.io/klog/v2"
)

// inProcessHost is the host of in-process client configs: requests never
// leave the process, so it names nothing.
const inProcessHost = "http://memkube.in-process"

// inProcessTransport serves requests with a server's handler in the calling
// process: no socket, no TLS. A request whose response must end is served
// in the caller's goroutine and its response handed over whole; one that
// may stream (mayStream: watches, logs, exec...) is served beside the
// client, which reads as the handler writes, and closing its body cancels
// the request as a closed connection would.
type inProcessTransport struct {
	handler atomic.Pointer[http.Handler]
	// serving is closed by set; stopped by closeAll. Requests made before
	// the handler is set wait for it, as a client waits for a port that
	// is about to listen, instead of failing the server's own early
	// clients (admission plugins poll it while it starts).
	serving, stopped chan struct{}

	mu       sync.Mutex
	inFlight map[*context.CancelFunc]struct{}
	closed   bool
}

// closeAll cancels every request in flight and fails new ones, as closing
// a server's connections would.
func (t *inProcessTransport) closeAll() {
	t.mu.Lock()
	inFlight := t.inFlight
	wasClosed := t.closed
	t.inFlight, t.closed = nil, true
	t.mu.Unlock()
	if !wasClosed {
		close(t.stopped)
	}
	for cancel := range inFlight {
		(*cancel)()
	}
}

// track registers a request's cancel function until done is called.
func (t *inProcessTransport) track(cancel *context.CancelFunc) (done func(), ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, false
	}
	if t.inFlight == nil {
		t.inFlight = map[*context.CancelFunc]struct{}{}
	}
	t.inFlight[cancel] = struct{}{}
	return func() {
		t.mu.Lock()
		delete(t.inFlight, cancel)
		t.mu.Unlock()
	}, true
}

func newInProcessTransport() *inProcessTransport {
	return &inProcessTransport{serving: make(chan struct{}), stopped: make(chan struct{})}
}

// set makes h the server's handler; it is called once.
func (t *inProcessTransport) set(h http.Handler) {
	t.handler.Store(&h)
	close(t.serving)
}

// errServerStopped is what a request to a stopped server gets: a refused
// connection, as over a socket, which client-go's reflectors retry quietly
// until they are stopped themselves (any other error they log).
var errServerStopped = fmt.Errorf("memkube: the server has stopped: %w", syscall.ECONNREFUSED)

func (t *inProcessTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.roundTrip(req, 0)
}

// ownClientsGrace is how long a request of the server's own clients that
// must end (a discovery request of kube-controller-manager's, say) goes on
// after its client has given up: Stop stops the controllers first, and a
// request cut short logs a "Handler timeout" error group, for a request
// that would have finished in a millisecond. A request still running
// after the grace is cancelled as any other.
const ownClientsGrace = 50 * time.Millisecond

// ownClients is the transport of the server's own clients (its loopback
// config): t, with ownClientsGrace.
type ownClients struct{ t *inProcessTransport }

func (o ownClients) RoundTrip(req *http.Request) (*http.Response, error) {
	return o.t.roundTrip(req, ownClientsGrace)
}

func (t *inProcessTransport) roundTrip(req *http.Request, grace time.Duration) (*http.Response, error) {
	select {
	case <-t.serving:
	default:
		select {
		case <-t.serving:
		case <-t.stopped:
			return nil, errServerStopped
		case <-req.Context().Done():
			return nil, fmt.Errorf("memkube: waiting for the server to serve: %w", req.Context().Err())
		}
	}
	h := t.handler.Load()
	// The server's request context ends with the client's but carries none
	// of its values: a request the server makes to itself while serving
	// another (an admission plugin's live lookup) would otherwise inherit
	// that request's audit context, user and deadline, which a request over
	// a socket never does.
	ctx, cancel := context.WithCancel(context.Background())
	untrack, ok := t.track(&cancel)
	if !ok {
		cancel()
		return nil, errServerStopped
	}
	in := req.Clone(ctx)
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:0"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	if !mayStream(in) {
		clientGone := cancel
		if grace > 0 {
			clientGone = func() {
				timer := time.AfterFunc(grace, cancel)
				context.AfterFunc(ctx, func() { timer.Stop() })
			}
		}
		stopCancel := context.AfterFunc(req.Context(), clientGone)
		return serveBuffered(*h, in, req, func() {
			stopCancel()
			cancel()
			untrack()
		})
	}
	stopCancel := context.AfterFunc(req.Context(), cancel)
	pr, pw := io.Pipe()
	w := &pipeWriter{ctx: ctx, header: http.Header{}, body: bufio.NewWriterSize(pw, streamBufferSize), headerSent: make(chan struct{}), closed: make(chan bool, 1)}
	stop := context.AfterFunc(ctx, func() { w.closed <- true })
	go func() {
		defer func() {
			logPanic(recover(), in)
			stop()
			w.WriteHeader(http.StatusOK) // a handler that wrote nothing
			_ = w.body.Flush()
			_ = pw.Close()
			_ = in.Body.Close()
			stopCancel()
			cancel()
			untrack()
		}()
		(*h).ServeHTTP(w, in)
	}()
	select {
	case <-w.headerSent:
	case <-ctx.Done():
		_ = pr.Close()
		cancel()
		if err := req.Context().Err(); err != nil {
			return nil, err
		}
		return nil, ctx.Err()
	}
	return response(req, w.status, w.sent, &cancelOnClose{ReadCloser: pr, cancel: cancel}, -1), nil
}

// streamBufferSize is the write buffer of a streamed response: a watch
// flushes after every event, so the buffer only joins an event's few
// writes (frame, object), and it lives as long as the watch: an informer's
// for the life of its server.
const streamBufferSize = 4 << 10

// response is an in-process request's response.
func response(req *http.Request, status int, header http.Header, body io.ReadCloser, length int64) *http.Response {
	return &http.Response{
		Status:        http.StatusText(status),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          body,
		ContentLength: length,
		Request:       req,
	}
}

// logPanic logs what a handler panicked with (p, from recover), unless it
// is http.ErrAbortHandler: as net/http, a handler may panic to abort its
// response.
func logPanic(p any, in *http.Request) {
	if p != nil && p != http.ErrAbortHandler {
		klog.ErrorS(fmt.Errorf("%v", p), "in-process request panicked", "method", in.Method, "url", in.URL.String())
	}
}

// mayStream reports whether r's response may go on indefinitely: a watch,
// a connection upgrade, or a connect subresource (logs, exec, attach,
// port-forward, proxy). Their handlers run beside the client, which reads
// as they write; any other request is served in the caller's goroutine.
func mayStream(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" {
		return true
	}
	if strings.Contains(r.URL.RawQuery, "watch") {
		for _, v := range r.URL.Query()["watch"] {
			if v != "false" && v != "0" {
				return true
			}
		}
	}
	for segment := range strings.SplitSeq(r.URL.Path, "/") {
		switch segment {
		case "watch", "log", "exec", "attach", "portforward", "proxy":
			return true
		}
	}
	return false
}

// serveBuffered serves in with h in the calling goroutine, the response
// buffered whole: no goroutine to start (and grow a stack for) and no
// hand-over per write. done runs once h has returned.
func serveBuffered(h http.Handler, in, req *http.Request, done func()) (*http.Response, error) {
	w := &bufferWriter{header: http.Header{}, body: bodyBuffers.Get().(*bytes.Buffer), closed: make(chan bool, 1)}
	stop := context.AfterFunc(in.Context(), func() { w.closed <- true })
	func() {
		defer func() { logPanic(recover(), in) }()
		h.ServeHTTP(w, in)
	}()
	stop()
	_ = in.Body.Close()
	done()
	if err := req.Context().Err(); err != nil {
		putBodyBuffer(w.body)
		return nil, err
	}
	w.WriteHeader(http.StatusOK) // a handler that wrote nothing
	body := &bufferedBody{buf: w.body}
	body.r.Reset(w.body.Bytes())
	return response(req, w.status, w.sent, body, int64(w.body.Len())), nil
}

// bodyBuffers hold buffered responses: a list of a few thousand objects
// is hundreds of kilobytes, which a growing buffer of its own would
// allocate about twice over for every request.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody is the largest buffer kept for reuse; a larger one (a
// rare, huge list) is left to the garbage collector.
const maxPooledBody = 4 << 20

func putBodyBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBody {
		b.Reset()
		bodyBuffers.Put(b)
	}
}

// bufferedBody is a buffered response's body; Close hands its buffer back
// for reuse, after which reads fail as a closed response body's do.
type bufferedBody struct {
	mu  sync.Mutex
	r   bytes.Reader
	buf *bytes.Buffer
}

func (b *bufferedBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		return 0, errBodyClosed
	}
	return b.r.Read(p)
}

func (b *bufferedBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf != nil {
		b.r.Reset(nil)
		putBodyBuffer(b.buf)
		b.buf = nil
	}
	return nil
}

// errBodyClosed is net/http's error for a read after Close.
var errBodyClosed = errors.New("http: read on closed response body")

// bufferWriter is the http.ResponseWriter of an in-process request served
// whole before the client reads it.
type bufferWriter struct {
	header http.Header
	sent   http.Header
	status int
	body   *bytes.Buffer
	closed chan bool
}

func (w *bufferWriter) Header() http.Header { return w.header }

func (w *bufferWriter) WriteHeader(status int) {
	if w.sent == nil {
		w.status, w.sent = status, w.header.Clone()
	}
}

func (w *bufferWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

// Flush does nothing: the client reads once the handler has returned.
func (w *bufferWriter) Flush() { w.WriteHeader(http.StatusOK) }

// CloseNotify: see pipeWriter's.
func (w *bufferWriter) CloseNotify() <-chan bool { return w.closed }

// pipeWriter is the http.ResponseWriter of an in-process request: the
// header is handed over on the first write, the body streams through a pipe
// in buffered chunks (each pipe write is a hand-over between goroutines),
// flushed when the handler flushes (a watch, after each event) or ends.
type pipeWriter struct {
	ctx        context.Context // the request's
	header     http.Header
	sent       http.Header
	status     int
	once       sync.Once
	headerSent chan struct{}
	body       *bufio.Writer
	closed     chan bool
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(status int) {
	w.once.Do(func() {
		w.status, w.sent = status, w.header.Clone()
		close(w.headerSent)
	})
}

// Write fails only while the request goes on: once its client has gone
// (which closes the pipe), a write is dropped, as a write to a socket the
// client has closed is taken by the kernel, and the handler finds out from
// its context. (Failing, it had a watch log "Failed to encode watch event"
// for the event it was writing when a server stopped its informers.)
func (w *pipeWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	n, err := w.body.Write(p)
	if err != nil && w.ctx.Err() != nil {
		return len(p), nil
	}
	return n, err
}

// Flush hands what was written to the reader.
func (w *pipeWriter) Flush() {
	w.WriteHeader(http.StatusOK)
	_ = w.body.Flush()
}

// CloseNotify reports the client going away (its request's context ending):
// k8s.io/apiserver's response writer wrappers offer Flush only to writers
// that also offer CloseNotify, as net/http's do.
func (w *pipeWriter) CloseNotify() <-chan bool { return w.closed }

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	c.cancel()
	return c.ReadCloser.Close()
}

// randomToken is a bearer token nobody can guess.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}
