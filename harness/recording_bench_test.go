package harness_test

import (
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/recording"
)

// BenchmarkCreateRecording is BenchmarkCreate's sequential creates on
// memstore through the in-process transport (where the server's own cost
// weighs most), on one server: with no Recorder (the cost of recording
// when nobody records: level None), with one at level Metadata, and with
// one recording bodies.
func BenchmarkCreateRecording(b *testing.B) {
	s, err := harness.Start(b.Context(), harness.Options{Controllers: harness.Controllers{
		NoNamespace: true, NoServiceAccount: true, NoGarbageCollector: true, NoClusterRoleAggregation: true,
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop()
	c, err := kubernetes.NewForConfig(s.InProcessRESTConfig())
	if err != nil {
		b.Fatal(err)
	}
	cms := c.CoreV1().ConfigMaps("default")
	// -count runs each sub-benchmark again on this server: names go on.
	i := 0
	for _, tc := range []struct {
		name string
		opts *recording.Options
	}{
		{"none", nil},
		{"metadata", &recording.Options{}},
		{"bodies", &recording.Options{Bodies: true}},
	} {
		b.Run("Recorder="+tc.name, func(b *testing.B) {
			if tc.opts != nil {
				rec := s.Record(*tc.opts)
				defer rec.Stop()
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cms.Create(b.Context(), benchConfigMap(fmt.Sprint("cm-", i)), metav1.CreateOptions{}); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
		})
	}
}
