package harness

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
)

// TestPipeWriterClientGone: a streamed response's write to a closed pipe
// fails while its request goes on, and is dropped once the request has
// ended (its client gone), as a socket's would be.
func TestPipeWriterClientGone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	w := &pipeWriter{ctx: ctx, header: http.Header{}, body: bufio.NewWriterSize(pw, 16), headerSent: make(chan struct{}), closed: make(chan bool, 1)}
	_ = pr.Close()
	event := bytes.Repeat([]byte("x"), 64) // more than the buffer: written through
	if _, err := w.Write(event); err == nil {
		t.Error("a write to a closed pipe succeeded while the request went on")
	}
	cancel()
	if n, err := w.Write(event); n != len(event) || err != nil {
		t.Errorf("a write after the client went: %d, %v; want %d, nil", n, err, len(event))
	}
}
