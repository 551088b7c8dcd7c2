package harness

import (
	genericapiserver "k8s.io/apiserver/pkg/server"

	"github.com/memkube/memkube/harness/recording"
)

// installRecording makes the server's recorders its audit backend and
// policy: k8s.io/apiserver's WithAudit (after authentication) then builds
// each request's audit event while a Recorder runs, and nothing otherwise.
func (s *Server) installRecording(config *genericapiserver.Config) {
	s.recorders = &recording.Backend{}
	config.AuditBackend, config.AuditPolicyRuleEvaluator = s.recorders, s.recorders
}

// Record starts recording the server's requests: user, verb, object,
// response code, latency and, with opts.Bodies, bodies — every request
// received from now until the Recorder's Stop (docs/recording.md).
// Several Recorders may run at once.
func (s *Server) Record(opts recording.Options) *recording.Recorder {
	return s.recorders.Record(opts)
}
