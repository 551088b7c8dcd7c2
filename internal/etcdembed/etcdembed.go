// Package etcdembed starts a single-member etcd inside the process, on
// loopback ports the kernel chooses: memkube's embedded-etcd backend, and the
// reference store memstore's tests compare against.
package etcdembed

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Config configures Start. Only Dir is required.
type Config struct {
	// Dir holds etcd's data; Start creates it if needed and makes it private.
	Dir string
	// WatchProgressNotifyInterval, when non-zero, is etcd's
	// --watch-progress-notify-interval.
	WatchProgressNotifyInterval time.Duration
	// Fsync keeps etcd's fsync. It is off by default, as in envtest's etcd:
	// the data does not outlive the process.
	Fsync bool
	// Logger receives etcd's error logs; nil discards them.
	Logger *zap.Logger
}

// Server is a running embedded etcd.
type Server struct {
	// Endpoint is the client URL, e.g. "http://127.0.0.1:41234".
	Endpoint string

	etcd     *embed.Etcd
	logLevel zap.AtomicLevel
}

// Start starts etcd and returns once it serves.
//
// Both listeners bind 127.0.0.1:0 and the client endpoint is read back from
// the bound socket, so no other process can take the port in between
// (upstream's testserver picks free ports first and binds them later).
func Start(cfg Config) (*Server, error) {
	if cfg.Dir == "" {
		return nil, errors.New("etcdembed: Dir is required")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("start embedded etcd: %w", err)
	}
	// etcd refuses a data directory others can read.
	if err := os.Chmod(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("start embedded etcd: %w", err)
	}
	ecfg := embed.NewConfig()
	ecfg.Dir = cfg.Dir
	ecfg.UnsafeNoFsync = !cfg.Fsync
	// A single member elects itself within a couple of ticks: 10ms ticks make
	// it serve in 15-90ms instead of the default 0.2-0.9s. The minimum lease
	// TTL (1.5 election timeouts, rounded up to whole seconds) becomes 1s
	// instead of 2s.
	ecfg.TickMs = 10
	ecfg.ElectionMs = 100
	ecfg.WatchProgressNotifyInterval = cfg.WatchProgressNotifyInterval
	loopback := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	ecfg.ListenPeerUrls = []url.URL{loopback}
	ecfg.AdvertisePeerUrls = []url.URL{loopback}
	ecfg.ListenClientUrls = []url.URL{loopback}
	ecfg.AdvertiseClientUrls = []url.URL{loopback}
	ecfg.InitialCluster = ecfg.InitialClusterFromName(ecfg.Name)
	s := &Server{logLevel: zap.NewAtomicLevelAt(zapcore.ErrorLevel)}
	logger := zap.NewNop()
	if cfg.Logger != nil {
		logger = cfg.Logger.WithOptions(zap.IncreaseLevel(s.logLevel))
	}
	ecfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(logger.Named("etcd-server"))

	e, err := embed.StartEtcd(ecfg)
	if err != nil {
		return nil, fmt.Errorf("start embedded etcd: %w", err)
	}
	s.etcd = e
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		s.Close()
		return nil, fmt.Errorf("start embedded etcd: %w", err)
	case <-time.After(time.Minute):
		s.Close()
		return nil, errors.New("start embedded etcd: not ready after a minute")
	}
	if len(e.Clients) != 1 {
		s.Close()
		return nil, fmt.Errorf("start embedded etcd: got %d client listeners, want 1", len(e.Clients))
	}
	s.Endpoint = "http://" + e.Clients[0].Addr().String()
	return s, nil
}

// Close stops etcd and waits for it. The data directory stays.
func (s *Server) Close() {
	// Closing its listeners makes etcd log each of them as a failure.
	s.logLevel.SetLevel(zapcore.FatalLevel)
	s.etcd.Close()
}
