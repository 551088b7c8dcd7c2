package harness

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// connSet is a server's open connections of one kind, so Stop can close
// those a peer keeps open.
type connSet struct {
	mu     sync.Mutex // guards conns and closed
	conns  map[*trackedConn]struct{}
	closed bool
}

// track adds c to the set; once closeAll has run it closes c instead and
// reports false.
func (s *connSet) track(c net.Conn) (net.Conn, bool) {
	tc := &trackedConn{Conn: c, set: s}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		_ = c.Close()
		return nil, false
	}
	if s.conns == nil {
		s.conns = map[*trackedConn]struct{}{}
	}
	s.conns[tc] = struct{}{}
	return tc, true
}

// closeAll closes every open connection and refuses new ones.
func (s *connSet) closeAll() {
	s.mu.Lock()
	conns := s.conns
	s.conns, s.closed = nil, true
	s.mu.Unlock()
	for c := range conns {
		_ = c.Conn.Close()
	}
}

// trackedConn leaves its set when closed.
type trackedConn struct {
	net.Conn
	set  *connSet
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.set.mu.Lock()
		delete(c.set.conns, c)
		c.set.mu.Unlock()
	})
	return c.Conn.Close()
}

// trackingListener remembers the connections it accepts, so Stop can close
// those a client keeps open: http.Server.Shutdown waits for busy
// connections (a watch) until its timeout and then leaves them open.
type trackingListener struct {
	net.Listener
	connSet
}

func newTrackingListener(ln net.Listener) *trackingListener {
	return &trackingListener{Listener: ln}
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc, ok := l.track(c)
	if !ok {
		return nil, net.ErrClosed
	}
	return tc, nil
}

// dialedConns are the connections a server's aggregator opened to
// aggregated API servers. Stop closes them, as kube-apiserver's exit
// would: left open, they keep client goroutines alive until the aggregated
// server hangs up.
type dialedConns struct {
	connSet
}

// dialKeepAlive is kube-apiserver's proxy dialer's keep-alive
// (k8s.io/apimachinery's net.SetTransportDefaults).
const dialKeepAlive = 30 * time.Second

func (d *dialedConns) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: dialKeepAlive}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	tc, ok := d.track(conn)
	if !ok {
		return nil, errors.New("memkube: the server has stopped")
	}
	return tc, nil
}

// closeAll is connSet's, for a server that may have failed to start before
// it had an aggregator.
func (d *dialedConns) closeAll() {
	if d != nil {
		d.connSet.closeAll()
	}
}
