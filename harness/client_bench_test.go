package harness_test

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"

	"github.com/memkube/memkube/harness"
)

// The client benchmarks measure what a test sees through client-go: each
// runs on memstore and on embedded etcd, over TLS on loopback and over the
// in-process transport, so the figures compare in one run.
var (
	benchBackends = []struct {
		name    string
		storage harness.StorageOptions
	}{
		{"memory", harness.StorageOptions{}},
		{"etcd-embedded", harness.StorageOptions{Backend: harness.EmbeddedEtcd}},
	}
	benchTransports = []struct {
		name   string
		config func(*harness.Server) *restclient.Config
	}{
		{"tls", (*harness.Server).RESTConfig},
		{"in-process", (*harness.Server).InProcessRESTConfig},
	}
)

// forEachSetup runs fn as a sub-benchmark per backend and transport, with a
// fresh server and client.
func forEachSetup(b *testing.B, fn func(b *testing.B, c kubernetes.Interface)) {
	for _, backend := range benchBackends {
		for _, transport := range benchTransports {
			b.Run(fmt.Sprintf("Backend=%s/Transport=%s", backend.name, transport.name), func(b *testing.B) {
				// as the reference kube-apiserver was measured: no controllers.
				s, err := harness.Start(b.Context(), harness.Options{Storage: backend.storage, Controllers: harness.Controllers{
					NoNamespace: true, NoServiceAccount: true, NoGarbageCollector: true,
				}})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Stop()
				// the server's throughput, not client-go's token bucket (the
				// configs' QPS 1000 and burst 2000, as envtest's, would cap
				// every figure here near 1000 requests/s once the burst is spent).
				cfg := transport.config(s)
				cfg.QPS = -1
				c, err := kubernetes.NewForConfig(cfg)
				if err != nil {
					b.Fatal(err)
				}
				fn(b, c)
			})
		}
	}
}

func benchConfigMap(name string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"key": "value"}}
}

// BenchmarkCreate is sequential creates (one client, one at a time).
func BenchmarkCreate(b *testing.B) {
	forEachSetup(b, func(b *testing.B, c kubernetes.Interface) {
		cms := c.CoreV1().ConfigMaps("default")
		i := 0
		for b.Loop() {
			if _, err := cms.Create(b.Context(), benchConfigMap(fmt.Sprint("cm-", i)), metav1.CreateOptions{}); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
	})
}

// BenchmarkCreateParallel is creates from 8 workers.
func BenchmarkCreateParallel(b *testing.B) {
	forEachSetup(b, func(b *testing.B, c kubernetes.Interface) {
		cms := c.CoreV1().ConfigMaps("default")
		var n atomic.Int64
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := cms.Create(b.Context(), benchConfigMap(fmt.Sprint("cm-", n.Add(1))), metav1.CreateOptions{}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
	})
}

// BenchmarkGet is sequential gets of one object.
func BenchmarkGet(b *testing.B) {
	forEachSetup(b, func(b *testing.B, c kubernetes.Interface) {
		cms := c.CoreV1().ConfigMaps("default")
		if _, err := cms.Create(b.Context(), benchConfigMap("cm"), metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := cms.Get(b.Context(), "cm", metav1.GetOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkList2000 is a consistent LIST of 2000 ConfigMaps.
func BenchmarkList2000(b *testing.B) {
	forEachSetup(b, func(b *testing.B, c kubernetes.Interface) {
		cms := c.CoreV1().ConfigMaps("default")
		for i := range 2000 {
			if _, err := cms.Create(b.Context(), benchConfigMap(fmt.Sprint("cm-", i)), metav1.CreateOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		for b.Loop() {
			list, err := cms.List(b.Context(), metav1.ListOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if len(list.Items) != 2000 {
				b.Fatalf("listed %d, want 2000", len(list.Items))
			}
		}
	})
}

// BenchmarkWatchLatency is the time from sending a create to receiving its
// event on a watch opened before (the create's round trip included); p50
// and p99 are reported.
func BenchmarkWatchLatency(b *testing.B) {
	forEachSetup(b, func(b *testing.B, c kubernetes.Interface) {
		cms := c.CoreV1().ConfigMaps("default")
		w, err := cms.Watch(b.Context(), metav1.ListOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer w.Stop()
		var latencies []time.Duration
		i := 0
		for b.Loop() {
			name := fmt.Sprint("cm-", i)
			i++
			created := time.Now()
			if _, err := cms.Create(b.Context(), benchConfigMap(name), metav1.CreateOptions{}); err != nil {
				b.Fatal(err)
			}
			for ev := range w.ResultChan() {
				if ev.Type == watch.Added && ev.Object.(*corev1.ConfigMap).Name == name {
					break
				}
			}
			latencies = append(latencies, time.Since(created))
		}
		slices.Sort(latencies)
		b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
	})
}
