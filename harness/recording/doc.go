// Package recording records the requests a memkube server serves, for tests
// to assert on: who did what to which object, with which result and how
// fast — a controller that updates an object in a hot loop, or lists a whole
// resource without a selector, shows in the record.
//
// Recording is k8s.io/apiserver's audit machinery, not a filter of its own:
// a Backend is both the server's audit backend and its audit policy, so
// genericapiserver.DefaultBuildHandlerChain's WithAudit (after
// authentication, before impersonation and authorization) builds an
// audit.k8s.io Event per request, and the Backend hands it to the Recorders
// started on it. A Request is that event in a form tests can match;
// WriteAuditLog writes the events in kube-apiserver's --audit-log-format=json
// (audit.k8s.io/v1 Event JSON lines, byte for byte what its log backend
// writes), which jq and audit tools read.
//
//	rec := s.Record(recording.Options{Match: recording.Match{Users: []string{"my-controller"}}})
//	defer rec.Stop()
//	// ... the controller runs ...
//	if n := rec.Count(recording.Updates("deployments.apps", "default", "web")); n > 3 {
//		t.Errorf("the controller updated default/web %d times, want at most 3", n)
//	}
//
// The Gomega matchers in recordingmatchers say the same with the requests in
// the failure message.
//
// Which requests a Recorder sees: those the server received from the moment
// Record returns (every request sent after it) until Stop, that completed
// (or, for a watch, started streaming) before Stop, and that its
// Options.Match selects — 401s and 403s included. The server's own clients
// (its controllers and the informers of its admission plugins, user
// system:apiserver) are recorded like any other; a Match on the users or
// user agents under test leaves them out.
//
// Stages: the policy omits RequestReceived (as most kube-apiserver policies
// do), so a request is one ResponseComplete event, or a Panic event when a
// handler panicked. A watch (the only long-running request memkube serves)
// has a ResponseStarted event when it starts streaming and a
// ResponseComplete event when it ends: its Request is recorded at the first,
// so tests see watches that are still open, and its Latency is the time to
// its first byte; the audit log has both events, as kube-apiserver's does.
// Requests that fail authentication (401) have only a ResponseStarted event
// upstream, and are recorded from it; a watch that panics before it streams
// has only a Panic event.
//
// Bodies: with Options.Bodies the audit level is RequestResponse, and a
// Request carries the request body (the object of a create or update, the
// patch of a patch, as JSON) and the response body (the object or Status
// returned, as JSON; none for watches). Otherwise the level is Metadata.
//
// Cost: with no Recorder started, the policy answers level None and WithAudit
// hands the request on without building an event (BenchmarkCreateRecording
// in harness measures it). With one, each request costs a copy of its event
// and a Request per matching Recorder, in the request's goroutine; at level
// RequestResponse, k8s.io/apiserver also encodes the request and response
// objects to JSON.
//
// Known gaps:
//   - One audit level per request: when any running Recorder wants bodies,
//     every request is recorded at RequestResponse (the other Recorders drop
//     the bodies), and pays for encoding them.
//   - Managed fields are kept in bodies (no omitManagedFields).
//   - Requests are in the order their events arrived (completion order), not
//     the order they were received; Start tells the latter.
//   - Annotations k8s.io/apiserver adds to events (authorization decisions,
//     admission) are in the audit log, not in Request.
package recording
