package harness

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/server/healthz"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/apiserver/pkg/storage/storagebackend/factory"
	"k8s.io/utils/clock"

	"github.com/memkube/memkube/harness/backend"
	"github.com/memkube/memkube/harness/registry/componentstatus"
	"github.com/memkube/memkube/internal/etcdembed"
	"github.com/memkube/memkube/memstore"
)

// Backend names where a server keeps its objects.
type Backend string

const (
	// Memory is memstore, in this process: the default, and the fastest.
	Memory Backend = "memory"
	// EmbeddedEtcd is an etcd server in this process, listening on
	// loopback, with its data in a temporary directory removed on Stop.
	EmbeddedEtcd Backend = "etcd-embedded"
	// ExternalEtcd is the etcd cluster at StorageOptions.Endpoints.
	ExternalEtcd Backend = "etcd"
)

// StorageOptions selects a server's storage. The zero value is Memory.
// Whatever the backend, the registries, the watch cache and the request
// path are the same; over etcd, storage is k8s.io/apiserver's etcd3 store.
type StorageOptions struct {
	Backend Backend
	// Endpoints are the etcd client URLs of ExternalEtcd.
	Endpoints []string
	// Prefix is the etcd key prefix; the default is kube-apiserver's
	// "/registry". Servers sharing an external etcd need distinct prefixes.
	Prefix string
}

// storageBackend is a server's storage at run time.
type storageBackend struct {
	store     *memstore.Store // Memory
	etcd      *etcdembed.Server
	etcdDir   string
	endpoints []string
	prefix    string
	// compaction is the etcd compaction interval (memstore compacts itself).
	compaction time.Duration
	decorator  generic.StorageDecorator
	closeOnce  sync.Once
}

// newStorageBackend opens the storage; a non-nil clk is the server clock
// its writes are dated by (clock.go).
func newStorageBackend(opts StorageOptions, compaction time.Duration, clk clock.Clock) (_ *storageBackend, err error) {
	b := &storageBackend{prefix: opts.Prefix, compaction: compaction}
	if b.prefix == "" {
		b.prefix = "/registry"
	}
	switch opts.Backend {
	case "", Memory:
		config := memstore.Config{CompactionInterval: compaction}
		if clk != nil {
			config.Clock = storeClock{clk}
		}
		b.store = memstore.New(config)
		b.decorator = backend.MemstoreDecorator(b.store)
	case EmbeddedEtcd:
		if b.etcdDir, err = os.MkdirTemp("", "memkube-etcd-"); err != nil {
			return nil, fmt.Errorf("embedded etcd: %w", err)
		}
		if b.etcd, err = etcdembed.Start(etcdembed.Config{Dir: b.etcdDir}); err != nil {
			_ = os.RemoveAll(b.etcdDir)
			return nil, fmt.Errorf("embedded etcd: %w", err)
		}
		b.endpoints = []string{b.etcd.Endpoint}
		b.decorator = genericregistry.StorageWithCacher()
	case ExternalEtcd:
		if len(opts.Endpoints) == 0 {
			return nil, fmt.Errorf("storage backend %q needs etcd endpoints", ExternalEtcd)
		}
		b.endpoints = opts.Endpoints
		b.decorator = genericregistry.StorageWithCacher()
	default:
		return nil, fmt.Errorf("unknown storage backend %q (want %q, %q or %q)", opts.Backend, Memory, EmbeddedEtcd, ExternalEtcd)
	}
	if clk != nil {
		// with the real clock, the store's stamps are right already.
		b.decorator = clockedDecorator(b.decorator, clk)
	}
	return b, nil
}

// config is the storagebackend config of a resource stored with codec.
func (b *storageBackend) config(codec runtime.Codec) *storagebackend.Config {
	c := storagebackend.NewDefaultConfig(b.prefix, codec)
	c.Transport.ServerList = b.endpoints
	c.CompactionInterval = b.compaction
	return c
}

// close stops the storage; a failed Start may call it after Stop did.
func (b *storageBackend) close() {
	b.closeOnce.Do(func() {
		if b.store != nil {
			b.store.Close()
		}
		if b.etcd != nil {
			b.etcd.Close()
			_ = os.RemoveAll(b.etcdDir)
		}
	})
}

// healthChecks are kube-apiserver's checks of its storage: "etcd" (in
// /healthz, /livez and /readyz) and "etcd-readiness" (in /readyz). On
// memstore they read a key, so storage faults fail them as a down etcd
// fails upstream's.
func (b *storageBackend) healthChecks(stopCh <-chan struct{}) (health, ready healthz.HealthChecker, err error) {
	if b.store != nil {
		read := func(*http.Request) error {
			_, _, err := b.store.Get(b.prefix+"/health", 0)
			return err
		}
		return healthz.NamedCheck("etcd", read), healthz.NamedCheck("etcd-readiness", read), nil
	}
	config := *b.config(nil)
	healthCheck, err := factory.CreateHealthCheck(config, stopCh)
	if err != nil {
		return nil, nil, fmt.Errorf("etcd health check: %w", err)
	}
	readyCheck, err := factory.CreateReadyCheck(config, stopCh)
	if err != nil {
		return nil, nil, fmt.Errorf("etcd readiness check: %w", err)
	}
	return healthz.NamedCheck("etcd", func(*http.Request) error { return healthCheck() }),
		healthz.NamedCheck("etcd-readiness", func(*http.Request) error { return readyCheck() }), nil
}

// checks are the componentstatuses of the storage: etcd-N per etcd
// endpoint, probed as kube-apiserver does; memstore is "etcd-0", healthy
// while the server runs.
func (b *storageBackend) checks() map[string]componentstatus.Check {
	if b.store != nil {
		return map[string]componentstatus.Check{"etcd-0": func(context.Context) (bool, string, error) { return true, "ok", nil }}
	}
	checks := map[string]componentstatus.Check{}
	for i, endpoint := range b.endpoints {
		config := b.config(nil)
		config.Transport.ServerList = []string{endpoint}
		checks[fmt.Sprintf("etcd-%d", i)] = func(ctx context.Context) (bool, string, error) {
			prober, err := factory.CreateProber(*config)
			if err != nil {
				return false, "", err
			}
			defer prober.Close()
			if err := prober.Probe(ctx); err != nil {
				return false, "", err
			}
			return true, "ok", nil
		}
	}
	return checks
}
