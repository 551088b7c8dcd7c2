package memstoretest

import (
	"context"
	"path"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/kubernetes"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/features"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/etcd3"
	storagetesting "k8s.io/apiserver/pkg/storage/testing"
	"k8s.io/apiserver/pkg/storage/value"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/utils/clock"

	"github.com/memkube/memkube/internal/etcdembed"
)

// EtcdConfig configures StartEtcd. The zero value is a plain test server.
type EtcdConfig struct {
	// WatchProgressNotifyInterval, when non-zero, is etcd's
	// --watch-progress-notify-interval.
	WatchProgressNotifyInterval time.Duration
}

// EtcdServer is an embedded single-member etcd serving plain gRPC on a
// loopback port chosen by the kernel.
type EtcdServer struct {
	// Endpoint is the client URL, e.g. "http://127.0.0.1:41234".
	Endpoint string
}

// StartEtcd starts an embedded etcd (internal/etcdembed) with its data in
// t.TempDir(), fsync off and only errors logged to t, and stops it in
// t.Cleanup.
func StartEtcd(t testing.TB, cfg EtcdConfig) *EtcdServer {
	t.Helper()
	s, err := etcdembed.Start(etcdembed.Config{
		Dir:                         t.TempDir(),
		WatchProgressNotifyInterval: cfg.WatchProgressNotifyInterval,
		Logger:                      zaptest.NewLogger(t, zaptest.Level(zapcore.ErrorLevel)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return &EtcdServer{Endpoint: s.Endpoint}
}

// NewClient returns a client of s that t.Cleanup closes.
func (s *EtcdServer) NewClient(t testing.TB) *kubernetes.Client {
	t.Helper()
	c, err := kubernetes.New(clientv3.Config{
		Endpoints:   []string{s.Endpoint},
		DialTimeout: 10 * time.Second,
		Logger:      zaptest.NewLogger(t, zaptest.Level(zapcore.ErrorLevel)).Named("etcd-client"),
	})
	if err != nil {
		t.Fatalf("connect to embedded etcd: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Etcd returns the reference Backend: upstream's etcd3 store (etcd3.New) over
// an embedded etcd, one server per Instance as in upstream's own tests.
// Revisions and compaction are global to an etcd server, and the suite asserts
// exact revisions after its own writes and compacts under its own data, so
// Instances cannot share a server.
func Etcd() Backend { return etcdBackend{} }

type etcdBackend struct{}

var _ Backend = etcdBackend{}

func (etcdBackend) Name() string { return "etcd" }

func (etcdBackend) New(t testing.TB, cfg Config) Instance {
	t.Helper()
	srv := StartEtcd(t, EtcdConfig{WatchProgressNotifyInterval: cfg.ProgressNotifyInterval})
	client := srv.NewClient(t)
	// The hooks use raw so that they do not count as the store's reads.
	raw := client.KV
	reads := storagetesting.NewKVRecorder(raw, nil)
	client.KV = reads

	compactor := etcd3.NewCompactor(client.Client, 0, clock.RealClock{}, nil)
	t.Cleanup(compactor.Stop)
	versioner := storage.APIObjectVersioner{}
	leaseConfig := etcd3.NewDefaultLeaseManagerConfig()
	// Upstream's tests reuse leases for 1s, not 60s: a TTL test must not wait
	// longer than wait.ForeverTestTimeout.
	leaseConfig.ReuseDurationSeconds = 1
	s, err := etcd3.New(client, compactor, cfg.Codec, cfg.NewFunc, cfg.NewListFunc, cfg.Prefix,
		cfg.ResourcePrefix, cfg.GroupResource, cfg.Transformer, leaseConfig,
		etcd3.NewDefaultDecoder(cfg.Codec, versioner), versioner)
	if err != nil {
		t.Fatalf("etcd3.New: %v", err)
	}
	t.Cleanup(s.Close)

	// etcd3 keys are the path prefix, ending in "/", followed by the key
	// without its leading "/".
	pathPrefix := path.Join("/", cfg.Prefix)
	if !strings.HasSuffix(pathPrefix, "/") {
		pathPrefix += "/"
	}
	fullKey := func(key string) string { return pathPrefix + strings.TrimPrefix(key, "/") }
	resourceKeys := fullKey(cfg.ResourcePrefix)
	if !strings.HasSuffix(resourceKeys, "/") {
		resourceKeys += "/"
	}

	return Instance{
		Storage: s,
		RawGet: func(ctx context.Context, key string) ([]byte, bool, error) {
			resp, err := raw.Get(ctx, fullKey(key))
			if err != nil {
				return nil, false, err
			}
			if len(resp.Kvs) == 0 {
				return nil, false, nil
			}
			return resp.Kvs[0].Value, true, nil
		},
		Keys: func(ctx context.Context) ([]string, error) {
			resp, err := raw.Get(ctx, resourceKeys, clientv3.WithPrefix(), clientv3.WithKeysOnly())
			if err != nil {
				return nil, err
			}
			keys := make([]string, 0, len(resp.Kvs))
			for _, kv := range resp.Kvs {
				keys = append(keys, string(kv.Key))
			}
			return keys, nil
		},
		Compact: func(ctx context.Context, t *testing.T, resourceVersion string) {
			t.Helper()
			compactEtcd(ctx, t, client.Client, raw, s, resourceVersion)
		},
		IncreaseRV: func(ctx context.Context, t *testing.T) int64 {
			t.Helper()
			resp, err := raw.Put(ctx, "increaseRV", "ok")
			if err != nil {
				t.Fatalf("increase etcd revision: %v", err)
			}
			return resp.Header.Revision
		},
		ReadCalls: func() uint64 { return reads.GetReadsAndReset() + reads.GetStreamReadsAndReset() },
	}
}

// compactEtcd compacts etcd at resourceVersion the way kube-apiserver's
// compactor does (etcd3.Compact: a compare-and-swap on the compact key, then
// the compaction) and, when the store follows the compact key
// (ListFromCacheSnapshot), waits until s.CompactRevision reports it.
//
// Upstream's compactStorage passes compact-key version 0, so a second
// compaction of the same server is a silent no-op; this reads the version
// first and retries the swap until it is ours.
func compactEtcd(ctx context.Context, t *testing.T, client *clientv3.Client, raw clientv3.KV, s storage.Interface, resourceVersion string) {
	t.Helper()
	rv, err := storage.APIObjectVersioner{}.ParseResourceVersion(resourceVersion)
	if err != nil {
		t.Fatalf("compact: %v", err)
	}
	for {
		resp, err := raw.Get(ctx, compactRevKey)
		if err != nil {
			t.Fatalf("compact: read %s: %v", compactRevKey, err)
		}
		var version int64
		if len(resp.Kvs) > 0 {
			version = resp.Kvs[0].Version
		}
		newVersion, _, compacted, err := etcd3.Compact(ctx, client, version, int64(rv))
		if err != nil {
			t.Fatalf("compact at %d: %v", rv, err)
		}
		if newVersion == version+1 && compacted == int64(rv) {
			break
		}
		// Another compactor swapped the key between the read and the swap.
	}
	if !utilfeature.DefaultFeatureGate.Enabled(features.ListFromCacheSnapshot) {
		return
	}
	// The compactor polls the compact key once a second before it watches it.
	err = wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, wait.ForeverTestTimeout, true,
		func(context.Context) (bool, error) { return s.CompactRevision() == int64(rv), nil })
	if err != nil {
		t.Fatalf("compact at %d: store still reports compacted revision %d: %v", rv, s.CompactRevision(), err)
	}
}

// compactRevKey is the key through which kube-apiservers share the compacted
// revision (etcd3's unexported compactRevKey).
const compactRevKey = "compact_rev_key"

// NewCorruptObjectError returns etcd3's unexported corruptObjectError for err,
// as its corrupt-object transformer wraps a failed read.
func (etcdBackend) NewCorruptObjectError(err error) error {
	tr := etcd3.WithCorruptObjErrorHandlingTransformer(erroringTransformer{err: err})
	_, _, got := tr.TransformFromStorage(context.Background(), nil, value.DefaultContext(nil))
	return got
}

func (etcdBackend) WithUnsafeCorruptObjectDeletion(s storage.Interface, gr schema.GroupResource) storage.Interface {
	return etcd3.NewStoreWithUnsafeCorruptObjectDeletion(s, gr)
}

// erroringTransformer fails every transformation with err.
type erroringTransformer struct{ err error }

func (e erroringTransformer) TransformFromStorage(context.Context, []byte, value.Context) ([]byte, bool, error) {
	return nil, false, e.err
}

func (e erroringTransformer) TransformToStorage(context.Context, []byte, value.Context) ([]byte, error) {
	return nil, e.err
}
