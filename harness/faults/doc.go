// Package faults injects faults into a memkube server while a test runs:
// error responses, latency and broken watches at the HTTP layer, and an
// unavailable or compacted store underneath.
//
// An Injector holds rules that tests add and remove at run time; it is safe
// for concurrent use. Its HTTP part is a filter in k8s.io/apiserver's handler
// chain, innermost (after request info, authentication, authorization and
// the timeout filters), so rules match on what kube-apiserver knows of a
// request: verb, API group, resource and subresource, namespace, name, user
// and groups (see Rule). Its storage part is memstore's fault hooks (see
// Attach and StorageRule).
//
//	inj := faults.New(1)
//	f := inj.Add(faults.Rule{
//		Verbs:     []string{"update"},
//		Resources: []string{"deployments"},
//		Count:     2,
//		Action:    faults.Conflict(),
//	})
//	// ... the controller under test retries its updates ...
//	if f.Fired() != 2 { ... }
//
// Faults also have a serializable form, Spec (JSON or YAML), which AddSpec
// adds with errors instead of panics, and Handler serves over HTTP, so that
// clients outside the test's process (kubectl against `memkube serve`)
// add, list and remove faults. The injector numbers its faults (Fault.ID)
// for them.
//
// Responses are what kube-apiserver sends in the same situation: a
// metav1.Status built by k8s.io/apimachinery's apierrors constructors, with
// upstream's messages, written by k8s.io/apiserver's
// responsewriters.ErrorNegotiated in the content type the client asked
// for (JSON, YAML, protobuf, CBOR when its feature gate is on).
//
// Determinism: an Injector draws from one random source seeded by New's
// seed, only when a rule with a Probability strictly between 0 and 1
// matches a request and when a DelayBetween rule fires. The same seed and
// the same order of requests give the same faults.
//
// Cost: with no HTTP faults, the filter is one atomic load per request
// (BenchmarkFilter); with no storage faults, the store has no hooks.
//
// Known gaps:
//   - Names are matched against the request's URL: a create has no name
//     there (it is in the body), so to Names a create's name is "".
//   - The server's own clients (its controllers and informers, user
//     system:apiserver) go through the filter too; a rule that should
//     spare them says whose requests it matches (Users, UserGroups).
//   - Watch actions count the frames of HTTP watch streams; watches over
//     WebSockets are not affected. Watch-list responses to a rule's watches
//     are sent uncompressed (the filter drops gzip from Accept-Encoding), so
//     that frames can be counted.
//   - A request whose context ends during an injected delay is dropped, not
//     handed on: the "timed out, but the write happened anyway" case of a
//     slow kube-apiserver is not modelled.
//   - Storage faults need memstore; over etcd, Attach has no store to hook.
//   - Handler's paths are non-resource paths like any other: a rule whose
//     Paths match them answers the admin requests too (Reset in Go undoes
//     it).
package faults
