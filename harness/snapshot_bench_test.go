package harness_test

import (
	"fmt"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/harnesstest"
	"github.com/memkube/memkube/memstore"
)

// BenchmarkRestore10k restores a server holding 10,000 ConfigMaps (plus
// what a server starts with) to its snapshot after a test changed one
// object: the "build state once, restore before each test" pattern.
func BenchmarkRestore10k(b *testing.B) {
	s := harnesstest.Start(b, harness.Options{})
	c := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
	const objects, workers = 10000, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < objects; i += workers {
				cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%05d", i)}, Data: map[string]string{"key": "value"}}
				if _, err := c.CoreV1().ConfigMaps("default").Create(b.Context(), cm, metav1.CreateOptions{}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	snap, err := s.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		if _, err := c.CoreV1().ConfigMaps("default").Create(b.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("test-%d", i)}}, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := s.Restore(snap); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshot10k takes a snapshot of a server holding 10,000 more
// keys (outside /registry: no watch cache decodes them).
func BenchmarkSnapshot10k(b *testing.B) {
	s := harnesstest.Start(b, harness.Options{})
	store := s.Store()
	for i := range 10000 {
		if _, err := store.Txn(nil, []memstore.Op{memstore.PutOp(fmt.Sprintf("/bench/key-%05d", i), []byte("x"))}); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if _, err := s.Snapshot(); err != nil {
			b.Fatal(err)
		}
	}
}
