package faults_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/endpoints/request"

	"github.com/memkube/memkube/harness/faults"
)

// BenchmarkFilter is the filter's own cost per request in front of a
// handler that does nothing: absent, with no faults (the fast path), and
// with one fault that does not match.
func BenchmarkFilter(b *testing.B) {
	nothing := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	info := &request.RequestInfo{IsResourceRequest: true, Verb: "create", APIVersion: "v1", Namespace: "default", Resource: "configmaps"}
	r := httptest.NewRequest("POST", "/api/v1/namespaces/default/configmaps", nil)
	r = r.WithContext(request.WithRequestInfo(r.Context(), info))
	w := httptest.NewRecorder()
	nonMatching := faults.New(1)
	nonMatching.Add(faults.Rule{Verbs: []string{"update"}, Action: faults.Conflict()})
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"Filter=absent", nothing},
		{"Filter=no-faults", faults.New(1).Filter(nothing)},
		{"Filter=non-matching-fault", nonMatching.Filter(nothing)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.h.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkCreate is sequential ConfigMap creates through client-go and a
// k8s.io/apiserver server over memstore (as harness's BenchmarkCreate),
// without the filter and with it and no faults: the ratio is the filter's
// cost on the create path.
func BenchmarkCreate(b *testing.B) {
	for _, bc := range []struct {
		name string
		inj  *faults.Injector
	}{
		{"Filter=absent", nil},
		{"Filter=no-faults", faults.New(1)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cms := startAPIServer(b, bc.inj, 0).configMaps(b, "alice")
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("cm-", i)}, Data: map[string]string{"key": "value"}}
				if _, err := cms.Create(b.Context(), cm, metav1.CreateOptions{}); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
		})
	}
}
