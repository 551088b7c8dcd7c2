package harness

import (
	"errors"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	genericapiserver "k8s.io/apiserver/pkg/server"

	"github.com/memkube/memkube/harness/auditlog"
)

// AuditOptions writes an audit log as kube-apiserver's --audit-policy-file
// and --audit-log-path (--audit-log-format=json) do, alongside
// Server.Record: both work at once, each getting what it asks for
// (harness/auditlog says how). The zero value writes none.
//
//	harness.Options{Audit: harness.AuditOptions{
//		PolicyFile: "testdata/audit-policy.yaml",
//		LogPath:    filepath.Join(t.TempDir(), "audit.log"),
//	}}
type AuditOptions struct {
	// PolicyFile is --audit-policy-file: an audit.k8s.io/v1 Policy, YAML
	// or JSON, read as kube-apiserver reads it.
	PolicyFile string
	// Policy is the policy in Go, instead of PolicyFile.
	Policy *auditv1.Policy
	// LogPath is --audit-log-path: events are appended to the file as
	// audit.k8s.io/v1 Events, one JSON object per line, as each request's
	// stage ends ("-": standard output). The file is closed when the
	// server stops.
	LogPath string
	// Sink, if set, is called with each event too, in the request's
	// goroutine: it must be quick and safe for concurrent use.
	Sink func(*auditv1.Event)
}

// installAuditLog adds the audit log opts asks for to the server's audit
// backend and policy (so far, its recorders: installRecording).
func installAuditLog(config *genericapiserver.Config, opts AuditOptions) error {
	if opts.PolicyFile == "" && opts.Policy == nil && opts.LogPath == "" && opts.Sink == nil {
		return nil
	}
	// kube-apiserver logs nothing, silently, with one but not the other.
	if opts.PolicyFile == "" && opts.Policy == nil {
		return errors.New("a log path or sink needs a policy: kube-apiserver audits nothing without --audit-policy-file")
	}
	if opts.LogPath == "" && opts.Sink == nil {
		return errors.New("a policy needs a log path or a sink")
	}
	policy, err := auditlog.LoadPolicy(opts.PolicyFile, opts.Policy)
	if err != nil {
		return err
	}
	members := []auditlog.Member{{Backend: config.AuditBackend, Policy: config.AuditPolicyRuleEvaluator}}
	if opts.LogPath != "" {
		file, err := auditlog.NewFile(opts.LogPath)
		if err != nil {
			return err
		}
		members = append(members, auditlog.Member{Backend: file, Policy: policy})
	}
	if opts.Sink != nil {
		members = append(members, auditlog.Member{Backend: auditlog.NewSink(opts.Sink), Policy: policy})
	}
	config.AuditBackend, config.AuditPolicyRuleEvaluator = auditlog.Join(members...)
	return nil
}
