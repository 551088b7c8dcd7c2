package recording_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	genericapifilters "k8s.io/apiserver/pkg/endpoints/filters"

	"github.com/memkube/memkube/harness/recording"
)

// BenchmarkWithAudit is the cost of k8s.io/apiserver's audit filter per
// request, around a handler that does nothing: Audit=off is a chain without
// an audit backend (memkube before recording), Audit=idle a Backend with
// no Recorder (level None), Audit=recording one Recorder at Metadata.
func BenchmarkWithAudit(b *testing.B) {
	noop := func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }
	for _, tc := range []struct {
		name  string
		chain func(*recording.Backend) http.Handler
		start bool
	}{
		{"off", func(*recording.Backend) http.Handler { return auditChainWithout(noop) }, false},
		{"idle", func(b *recording.Backend) http.Handler { return auditChain(b, noop) }, false},
		{"recording", func(b *recording.Backend) http.Handler { return auditChain(b, noop) }, true},
	} {
		b.Run("Audit="+tc.name, func(b *testing.B) {
			var backend recording.Backend
			if tc.start {
				rec := backend.Record(recording.Options{StreamOnly: true})
				defer rec.Stop()
			}
			h := tc.chain(&backend)
			req := httptest.NewRequest(http.MethodPost, "/api/v1/namespaces/default/configmaps", nil)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}

// auditChainWithout is auditChain with no audit backend: WithAudit is
// then not in the chain.
func auditChainWithout(inner http.HandlerFunc) http.Handler {
	h := genericapifilters.WithAudit(inner, nil, nil, nil)
	h = withUser(h)
	h = withRequestInfo(h)
	h = genericapifilters.WithRequestReceivedTimestamp(h)
	return genericapifilters.WithAuditInit(h)
}
