package harness_test

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/faults"
)

// BenchmarkCreateWithFaults is BenchmarkCreate in-process on memstore
// (where the filter's share is largest) with no faults, and with ten that
// match no create: the cost of the fault layer when nothing fires.
func BenchmarkCreateWithFaults(b *testing.B) {
	for _, rules := range []int{0, 10} {
		b.Run(fmt.Sprintf("NonMatchingRules=%d", rules), func(b *testing.B) {
			s, err := harness.Start(b.Context(), harness.Options{Controllers: harness.Controllers{
				NoNamespace: true, NoServiceAccount: true, NoGarbageCollector: true,
			}})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Stop()
			for i := range rules {
				s.Faults().Add(faults.Rule{Verbs: []string{"delete"}, Resources: []string{fmt.Sprint("widgets", i)}, Action: faults.Delay(time.Second)})
			}
			c := kubernetes.NewForConfigOrDie(s.InProcessRESTConfig())
			cms := c.CoreV1().ConfigMaps("default")
			i := 0
			for b.Loop() {
				if _, err := cms.Create(b.Context(), benchConfigMap(fmt.Sprint("cm-", i)), metav1.CreateOptions{}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
