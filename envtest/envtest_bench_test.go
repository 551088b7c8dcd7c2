package envtest_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/memkube/memkube/envtest"
)

// benchCRDs is what a typical suite installs: one CRD directory.
var benchCRDs = map[string][]string{"0": nil, "1": {"testdata/crds"}}

// startStop starts an Environment and stops it, returning how long each
// took.
func startStop(tb testing.TB, crdPaths []string) (start, stop time.Duration) {
	tb.Helper()
	env := &envtest.Environment{CRDDirectoryPaths: crdPaths, ErrorIfCRDPathMissing: true}
	t0 := time.Now()
	if _, err := env.Start(); err != nil {
		tb.Fatal(err)
	}
	t1 := time.Now()
	if err := env.Stop(); err != nil {
		tb.Fatal(err)
	}
	return t1.Sub(t0), time.Since(t1)
}

// BenchmarkEnvironmentStartStop is Environment.Start then Stop, in a process
// that has started one already (the first pays process-wide set-up, see
// BenchmarkEnvironmentFirstStart). start-ms and stop-ms are the means of the
// two halves; ns/op is both.
func BenchmarkEnvironmentStartStop(b *testing.B) {
	for _, n := range []string{"0", "1"} {
		b.Run("CRDs="+n, func(b *testing.B) {
			b.ReportAllocs()
			startStop(b, benchCRDs[n])
			b.ResetTimer()
			var start, stop time.Duration
			for b.Loop() {
				s, p := startStop(b, benchCRDs[n])
				start, stop = start+s, stop+p
			}
			b.ReportMetric(float64(start.Microseconds())/1000/float64(b.N), "start-ms")
			b.ReportMetric(float64(stop.Microseconds())/1000/float64(b.N), "stop-ms")
		})
	}
}

// firstStartEnv makes the test binary a helper process that starts one
// Environment, the first in its process, and prints how long Start and
// Stop took (TestFirstStartHelperProcess).
const firstStartEnv = "MEMKUBE_ENVTEST_FIRST_START_CRDS"

// BenchmarkEnvironmentFirstStart measures the first Start (and Stop) in a
// process, which a benchmark loop cannot repeat in-process: each iteration
// runs the test binary again as a helper process and reads the times it
// measured. The helper's process start is not counted. ns/op is the whole
// helper run and means nothing; read first-start-ms and first-stop-ms.
func BenchmarkEnvironmentFirstStart(b *testing.B) {
	for _, n := range []string{"0", "1"} {
		b.Run("CRDs="+n, func(b *testing.B) {
			var start, stop time.Duration
			for b.Loop() {
				cmd := exec.CommandContext(b.Context(), os.Args[0], "-test.run", "^TestFirstStartHelperProcess$", "-test.count=1")
				cmd.Env = append(os.Environ(), firstStartEnv+"="+n)
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("helper process: %v\n%s", err, out)
				}
				var s, p int64
				i := bytes.Index(out, []byte("first-start-ns="))
				if i < 0 {
					b.Fatalf("helper process printed no times:\n%s", out)
				}
				if _, err := fmt.Sscanf(string(out[i:]), "first-start-ns=%d first-stop-ns=%d", &s, &p); err != nil {
					b.Fatalf("helper process output: %v\n%s", err, out)
				}
				start, stop = start+time.Duration(s), stop+time.Duration(p)
			}
			b.ReportMetric(float64(start.Microseconds())/1000/float64(b.N), "first-start-ms")
			b.ReportMetric(float64(stop.Microseconds())/1000/float64(b.N), "first-stop-ms")
		})
	}
}

// TestFirstStartHelperProcess is BenchmarkEnvironmentFirstStart's helper
// process; it does nothing in a normal run.
func TestFirstStartHelperProcess(t *testing.T) {
	n := os.Getenv(firstStartEnv)
	if n == "" {
		t.Skip("the helper process of BenchmarkEnvironmentFirstStart")
	}
	paths, ok := benchCRDs[n]
	if !ok {
		t.Fatalf("%s=%q, want 0 or 1", firstStartEnv, n)
	}
	start, stop := startStop(t, paths)
	fmt.Printf("first-start-ns=%d first-stop-ns=%d\n", start.Nanoseconds(), stop.Nanoseconds())
}

// BenchmarkSuite is a suite of 50 tests, each with its own Environment
// (the Widget CRD installed): start, create a Widget, stop. Parallel is how
// many tests run at once, as go test's -parallel (its default is
// GOMAXPROCS). ns/op is the whole suite; per-test-ms is ns/op / 50.
func BenchmarkSuite(b *testing.B) {
	const tests = 50
	startStop(b, benchCRDs["1"]) // process-wide set-up, outside the timings
	for _, parallel := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("Tests=%d/Parallel=%d", tests, parallel), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var wg sync.WaitGroup
				sem := make(chan struct{}, parallel)
				errs := make(chan error, tests)
				for i := range tests {
					sem <- struct{}{}
					wg.Go(func() {
						defer func() { <-sem }()
						errs <- suiteTest(b.Context(), i)
					})
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N)/tests, "per-test-ms")
		})
	}
}

// suiteTest is one test of BenchmarkSuite.
func suiteTest(ctx context.Context, i int) (err error) {
	env := &envtest.Environment{CRDDirectoryPaths: benchCRDs["1"], ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		return err
	}
	defer func() {
		if stopErr := env.Stop(); err == nil {
			err = stopErr
		}
	}()
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return err
	}
	w := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.memkube.io/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w" + strconv.Itoa(i), "namespace": "default"}, "spec": map[string]any{},
	}}
	return c.Create(ctx, w)
}
