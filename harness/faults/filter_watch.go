package faults

import (
	"context"
	"net/http"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/endpoints/responsewriter"
)

// serveWatch serves a watch whose stream faults p breaks.
func (inj *Injector) serveWatch(p plan, next http.Handler, w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	r = r.WithContext(ctx)
	// A gzipped watch-list stream cannot be counted in frames: ask for an
	// uncompressed one (r is a copy, its Header is not).
	if r.Header.Get("Accept-Encoding") != "" {
		r.Header = r.Header.Clone()
		r.Header.Del("Accept-Encoding")
	}
	ww := &watchWriter{inj: inj, w: w, ctx: ctx, cancel: cancel, closeAfter: p.closeAfter, stall: p.stall}
	next.ServeHTTP(responsewriter.WrapForHTTP1Or2(ww), r)
}

// watchWriter counts the events of a watch stream by the writes of
// k8s.io/apiserver's watch handler, which writes each event with one Write
// to its framer: one write to this writer, or two in protobuf (the
// length-delimited framer writes the length, then the message) and YAML
// (the "---" separator, then the document). Only a stream counts: a
// response that starts with an error status passes through. The watch
// handler calls it from one goroutine.
type watchWriter struct {
	inj        *Injector
	w          http.ResponseWriter
	ctx        context.Context
	cancel     context.CancelFunc
	closeAfter int // events before the stream ends, -1 for never
	stall      time.Duration

	streaming      bool // WriteHeader(200) was called
	writesPerEvent int
	writes         int
	closed         bool
}

var _ responsewriter.UserProvidedDecorator = (*watchWriter)(nil)

func (ww *watchWriter) Unwrap() http.ResponseWriter { return ww.w }
func (ww *watchWriter) Header() http.Header         { return ww.w.Header() }

func (ww *watchWriter) WriteHeader(code int) {
	if code == http.StatusOK && !ww.streaming {
		ww.streaming = true
		ww.writesPerEvent = 1
		contentType := ww.w.Header().Get("Content-Type")
		if strings.HasPrefix(contentType, runtime.ContentTypeProtobuf) || strings.HasPrefix(contentType, runtime.ContentTypeYAML) {
			ww.writesPerEvent = 2
		}
		if ww.closeAfter == 0 {
			ww.close()
		}
	}
	ww.w.WriteHeader(code)
}

func (ww *watchWriter) Write(p []byte) (int, error) {
	if !ww.streaming {
		return ww.w.Write(p)
	}
	if ww.closed {
		// Dropped: the handler returns when it next looks at its context.
		// Failing the write would end it too, with an error in its log.
		return len(p), nil
	}
	if ww.stall > 0 && ww.writes%ww.writesPerEvent == 0 {
		if err := ww.inj.sleep(ww.ctx, ww.stall); err != nil {
			return 0, err
		}
	}
	n, err := ww.w.Write(p)
	ww.writes++
	if ww.closeAfter > 0 && ww.writes == ww.closeAfter*ww.writesPerEvent {
		ww.close()
	}
	return n, err
}

// close ends the stream: the watch handler returns when it sees its
// context done; until then its writes are dropped.
func (ww *watchWriter) close() {
	ww.closed = true
	ww.cancel()
}
