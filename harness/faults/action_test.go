package faults

import (
	"slices"
	"testing"
	"time"

	"k8s.io/apiserver/pkg/endpoints/request"
)

// TestDelayBetween: the drawn delays stay in range, vary, and repeat with
// the seed.
func TestDelayBetween(t *testing.T) {
	t.Parallel()
	info := &request.RequestInfo{IsResourceRequest: true, Verb: "get", Resource: "pods"}
	draw := func(seed int64) []time.Duration {
		inj := New(seed)
		inj.Add(Rule{Action: DelayBetween(10*time.Millisecond, 20*time.Millisecond)})
		var ds []time.Duration
		for range 100 {
			p, fired := inj.planFor(*inj.rules.Load(), info, nil, "")
			if !fired {
				t.Fatal("the rule did not fire")
			}
			if p.delay < 10*time.Millisecond || p.delay > 20*time.Millisecond {
				t.Fatalf("delay %v outside [10ms, 20ms]", p.delay)
			}
			ds = append(ds, p.delay)
		}
		return ds
	}
	a, b, c := draw(7), draw(7), draw(8)
	if !slices.Equal(a, b) {
		t.Fatal("seed 7 drew two different sequences")
	}
	if slices.Equal(a, c) {
		t.Fatal("seeds 7 and 8 drew the same sequence")
	}
	if slices.Min(a) == slices.Max(a) {
		t.Fatalf("every delay is %v", a[0])
	}
}
