package harness_test

import (
	"testing"

	"github.com/memkube/memkube/harness"
)

// BenchmarkStartStop starts a server until it is ready, then stops it. The
// first iteration pays the process-wide set-up; b.N amortises it away.
func BenchmarkStartStop(b *testing.B) {
	for b.Loop() {
		s, err := harness.Start(b.Context(), harness.Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Stop()
	}
}

// BenchmarkStart and BenchmarkStop time the two halves apart.
func BenchmarkStart(b *testing.B) {
	var servers []*harness.Server
	for b.Loop() {
		s, err := harness.Start(b.Context(), harness.Options{})
		if err != nil {
			b.Fatal(err)
		}
		servers = append(servers, s)
	}
	b.StopTimer()
	for _, s := range servers {
		s.Stop()
	}
}

// BenchmarkStartStopDeep is BenchmarkStartStop called 40 frames deep, as
// from a Ginkgo suite: k8s.io/apiserver takes a stack trace of every path
// a server registers, which Start keeps from growing with its caller's.
func BenchmarkStartStopDeep(b *testing.B) {
	var deep func(n int)
	deep = func(n int) {
		if n > 0 {
			deep(n - 1)
			return
		}
		s, err := harness.Start(b.Context(), harness.Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Stop()
	}
	for b.Loop() {
		deep(40)
	}
}
