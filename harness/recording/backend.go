package recording

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	auditinternal "k8s.io/apiserver/pkg/apis/audit"
	"k8s.io/apiserver/pkg/audit"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// Backend is a server's audit backend and audit policy in one: set it as
// genericapiserver.Config's AuditBackend and AuditPolicyRuleEvaluator, and
// start Recorders on it with Record. While no Recorder runs, its policy is
// level None for every request, and k8s.io/apiserver skips auditing. The
// zero Backend is ready to use.
type Backend struct {
	// mu serializes changes to running; no other lock is taken under it.
	mu sync.Mutex
	// running is the Recorders started and not stopped, and the audit
	// configuration they need; nil when there are none. It is replaced,
	// never modified, and read without mu on every request.
	running atomic.Pointer[runningSet]
}

var (
	_ audit.Backend             = (*Backend)(nil)
	_ audit.PolicyRuleEvaluator = (*Backend)(nil)
)

type runningSet struct {
	recorders []*Recorder
	config    audit.RequestAuditConfig
}

// noneConfig is the policy while nothing records.
var noneConfig = audit.RequestAuditConfig{Level: auditinternal.LevelNone}

// Record starts a Recorder. It sees every request the server receives from
// the moment Record returns until its Stop; several may run at once, each
// with its own Options.
func (b *Backend) Record(opts Options) *Recorder {
	r := &Recorder{backend: b, opts: opts}
	b.update(func(rs []*Recorder) []*Recorder { return append(rs, r) })
	// The start is taken once the policy sees r: a request received after
	// it is evaluated after it, at r's level. Events that arrive before
	// the start is stored are of requests received before it.
	start := time.Now()
	r.start.Store(&start)
	return r
}

// remove stops handing events to r.
func (b *Backend) remove(r *Recorder) {
	b.update(func(rs []*Recorder) []*Recorder {
		return slices.DeleteFunc(rs, func(x *Recorder) bool { return x == r })
	})
}

// update replaces the running set with change's result on a copy of it.
func (b *Backend) update(change func([]*Recorder) []*Recorder) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var rs []*Recorder
	if set := b.running.Load(); set != nil {
		rs = slices.Clone(set.recorders)
	}
	rs = change(rs)
	if len(rs) == 0 {
		b.running.Store(nil)
		return
	}
	// RequestReceived is omitted, as in most kube-apiserver policies: a
	// request is recorded when its response is known.
	level := auditinternal.LevelMetadata
	for _, r := range rs {
		if r.opts.Bodies {
			level = auditinternal.LevelRequestResponse
		}
	}
	b.running.Store(&runningSet{recorders: rs, config: audit.RequestAuditConfig{
		Level:      level,
		OmitStages: []auditinternal.Stage{auditinternal.StageRequestReceived},
	}})
}

// EvaluatePolicyRule is the audit policy: level None while no Recorder
// runs, RequestResponse while one wants bodies, Metadata otherwise.
func (b *Backend) EvaluatePolicyRule(authorizer.Attributes) audit.RequestAuditConfig {
	if set := b.running.Load(); set != nil {
		return set.config
	}
	return noneConfig
}

// ProcessEvents hands each event to the running Recorders. It copies an
// event (k8s.io/apiserver reuses them) once, and only when a Recorder's
// time window holds the request.
func (b *Backend) ProcessEvents(events ...*auditinternal.Event) bool {
	set := b.running.Load()
	if set == nil {
		return true
	}
	for _, ev := range events {
		if !recorded(ev) {
			continue
		}
		var e *entry
		get := func() *entry {
			if e == nil {
				c := ev.DeepCopy()
				e = &entry{event: c, request: newRequest(c)}
			}
			return e
		}
		for _, r := range set.recorders {
			r.add(ev, get)
		}
	}
	return true
}

// recorded tells the events that make the record; the policy omits
// RequestReceived. A request is recorded at its first event of
// ResponseStarted, ResponseComplete and Panic (see Recorder.opensLocked): a
// watch — the only long-running request, the server's LongRunningFunc being
// upstream's default — at ResponseStarted, once it streams; a request that
// failed authentication at ResponseStarted too, its only event; any other
// at ResponseComplete or Panic.
func recorded(ev *auditinternal.Event) bool {
	switch ev.Stage {
	case auditinternal.StageResponseStarted, auditinternal.StageResponseComplete, auditinternal.StagePanic:
		return true
	}
	return false
}

// entry is an event copied once for every Recorder that keeps it.
type entry struct {
	event   *auditinternal.Event
	request Request
}

// Run is part of audit.Backend: the Backend has no goroutine.
func (b *Backend) Run(<-chan struct{}) error { return nil }

// Shutdown is part of audit.Backend: events are handled as they come, and
// Recorders keep theirs after the server stops.
func (b *Backend) Shutdown() {}

// String names the backend in k8s.io/apiserver's logs and metrics.
func (b *Backend) String() string { return "memkube-recording" }
