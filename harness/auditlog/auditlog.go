// Package auditlog writes kube-apiserver's audit log from a memkube server:
// an audit policy (a kube-apiserver policy file, or the same in Go), and
// events to a file as --audit-log-path with --audit-log-format=json
// writes them, or to a Go function — next to memkube's request recording
// (harness/recording), which is an audit backend and policy too.
//
// k8s.io/apiserver's WithAudit takes one backend and one policy, and
// builds one event per request at the level its policy says. Join puts
// several backends, each with its own policy, behind one: the joint policy
// asks what the most demanding member asks, and each member gets the
// events its own policy selects, trimmed to its own level (see Join). So a
// Recorder wanting bodies and a policy logging Secrets at Metadata both
// get what they ask for: the log has no Secret bodies.
//
// Known gaps:
//   - The file is written as each event comes, in the request's goroutine
//     (kube-apiserver's --audit-log-mode=blocking-strict); it is not
//     rotated (--audit-log-maxage, -maxbackup, -maxsize), nor are events
//     truncated (--audit-log-truncate-*).
//   - Only format json and version audit.k8s.io/v1; no audit webhook
//     backend.
//   - A member's policy is evaluated on each event's attributes (Join says
//     which): a rule naming resources matches a create by the name in its
//     URL, none, as upstream's, but a policy that depends on something an
//     event does not carry could differ.
package auditlog

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	auditinternal "k8s.io/apiserver/pkg/apis/audit"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	"k8s.io/apiserver/pkg/audit"
	"k8s.io/apiserver/pkg/audit/policy"
	pluginlog "k8s.io/apiserver/plugin/pkg/audit/log"
)

// LoadPolicy reads an audit policy as kube-apiserver reads
// --audit-policy-file (strictly, falling back to lenient decoding, then
// validated): from file, or from p if file is empty.
func LoadPolicy(file string, p *auditv1.Policy) (audit.PolicyRuleEvaluator, error) {
	switch {
	case file != "" && p != nil:
		return nil, errors.New("auditlog: a policy file and a policy are exclusive")
	case file != "":
		internal, err := policy.LoadPolicyFromFile(file)
		if err != nil {
			return nil, fmt.Errorf("auditlog: %w", err)
		}
		return policy.NewPolicyRuleEvaluator(internal), nil
	case p != nil:
		c := p.DeepCopy()
		c.APIVersion, c.Kind = auditv1.SchemeGroupVersion.String(), "Policy"
		data, err := json.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("auditlog: encode the policy: %w", err)
		}
		internal, err := policy.LoadPolicyFromBytes(data)
		if err != nil {
			return nil, fmt.Errorf("auditlog: %w", err)
		}
		return policy.NewPolicyRuleEvaluator(internal), nil
	}
	return nil, errors.New("auditlog: no policy")
}

// NewFile returns a backend appending events to the file at path ("-":
// standard output) as kube-apiserver's log backend does with
// --audit-log-format=json: one audit.k8s.io/v1 Event per line. As
// kube-apiserver, it creates the file (mode 0600) and its directory (0700)
// if missing. The file is opened at the first event, so that a server that
// fails to start leaves none open; Shutdown closes it, and events after it
// are dropped.
func NewFile(path string) (audit.Backend, error) {
	w := &lockedWriter{path: path}
	if path != "-" {
		// as kube-apiserver's ensureLogFile: a bad path fails the start.
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("auditlog: %w", err)
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_RDWR, 0o600)
		if err != nil {
			return nil, fmt.Errorf("auditlog: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("auditlog: %w", err)
		}
	}
	return &fileBackend{Backend: pluginlog.NewBackend(w, pluginlog.FormatJson, auditv1.SchemeGroupVersion), out: w}, nil
}

type fileBackend struct {
	audit.Backend
	out *lockedWriter
}

func (b *fileBackend) Shutdown() {
	b.Backend.Shutdown()
	b.out.close()
}

func (b *fileBackend) String() string { return "log=" + b.out.path }

// lockedWriter appends to the file at path, opened at the first write. It
// serializes the log backend's writes (one per event) from concurrent
// requests, and drops those after close.
type lockedWriter struct {
	path string
	// mu guards the fields below.
	mu     sync.Mutex
	file   *os.File // nil until the first write, and for standard output
	closed bool
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return len(p), nil
	case l.path == "-":
		return os.Stdout.Write(p)
	case l.file == nil:
		f, err := os.OpenFile(l.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return 0, err
		}
		l.file = f
	}
	return l.file.Write(p)
}

func (l *lockedWriter) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file != nil {
		_ = l.file.Close()
	}
	l.closed = true
}

// NewSink returns a backend calling f with each event, as an
// audit.k8s.io/v1 Event of its own, in the request's goroutine: f must be
// quick and safe for concurrent use.
func NewSink(f func(*auditv1.Event)) audit.Backend {
	return sink(f)
}

type sink func(*auditv1.Event)

func (s sink) ProcessEvents(events ...*auditinternal.Event) bool {
	for _, ev := range events {
		var out auditv1.Event
		if err := audit.Scheme.Convert(ev, &out, nil); err != nil {
			audit.HandlePluginError("sink", err, ev)
			return false
		}
		out.APIVersion, out.Kind = auditv1.SchemeGroupVersion.String(), "Event"
		s(&out)
	}
	return true
}

func (sink) Run(<-chan struct{}) error { return nil }
func (sink) Shutdown()                 {}
func (sink) String() string            { return "sink" }
