// Command memkube runs a memkube API server for local reproducers:
//
//	memkube serve --kubeconfig memkube.kubeconfig [--storage memory|etcd-embedded|etcd=URL,...] [--crds DIR]...
//	              [--load FILE] [--save FILE] [--audit-log FILE [--audit-log-bodies]]
//	              [--audit-policy-file FILE --audit-log-path FILE] [--enable-priority-and-fairness]
//
// starts a server on 127.0.0.1, writes an admin kubeconfig, loads the
// state of a saved snapshot (--load: harness.Snapshot.SaveFile wrote it, e.g.
// from a failing test), installs the CRDs found in each --crds directory or
// file (YAML or JSON, as controller-runtime's envtest reads them) and waits
// until they are served, prints "memkube ready <url>" once it serves, and
// stops on SIGINT or SIGTERM, saving its state first with --save.
//
// --audit-log appends every request from then on to FILE ("-": standard
// output) as kube-apiserver's JSON audit log does (--audit-log-format=json,
// audit.k8s.io/v1 Events, one per line), at level Metadata, or
// RequestResponse with --audit-log-bodies (docs/recording.md).
//
// --audit-policy-file and --audit-log-path are kube-apiserver's: the log
// has what the policy says (harness.AuditOptions). Both logs may be
// written at once. --enable-priority-and-fairness turns API Priority and
// Fairness on, kube-apiserver's default (harness.FlowControlOptions;
// docs/security.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/memkube/memkube/harness"
	"github.com/memkube/memkube/harness/recording"
)

const usage = "usage: memkube serve --kubeconfig PATH [--storage memory|etcd-embedded|etcd=URL,...] [--crds DIR]... [--load FILE] [--save FILE] [--audit-log FILE [--audit-log-bodies]] [--audit-policy-file FILE --audit-log-path FILE] [--enable-priority-and-fairness] [--controllers LIST] [--service-cluster-ip-range CIDR] [--service-node-port-range RANGE]"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "memkube:", err)
		os.Exit(1)
	}
}

// run runs the command until ctx ends.
func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	if len(args) == 0 || args[0] != "serve" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	kubeconfig := fs.String("kubeconfig", "memkube.kubeconfig", "where to write the admin kubeconfig")
	storageFlag := fs.String("storage", "memory", "where to keep objects: memory, etcd-embedded, or etcd=URL[,URL...]")
	load := fs.String("load", "", "a saved snapshot whose state the server starts with (memory storage only)")
	save := fs.String("save", "", "where to save the server's state as a snapshot when it stops (memory storage only)")
	var crds []string
	fs.Func("crds", "a directory or file of CRDs to install at start (repeatable)", func(path string) error {
		crds = append(crds, path)
		return nil
	})
	auditLog := fs.String("audit-log", "", "append every request to this file as kube-apiserver's JSON audit log (\"-\": standard output)")
	auditBodies := fs.Bool("audit-log-bodies", false, "with --audit-log, record request and response bodies (level RequestResponse)")
	var opts harness.Options
	fs.StringVar(&opts.Audit.PolicyFile, "audit-policy-file", "", "kube-apiserver's: the audit policy of --audit-log-path")
	fs.StringVar(&opts.Audit.LogPath, "audit-log-path", "", "kube-apiserver's: append the events --audit-policy-file selects to this file as JSON lines (\"-\": standard output)")
	fs.BoolVar(&opts.FlowControl.PriorityAndFairness, "enable-priority-and-fairness", false, "kube-apiserver's (default true there): API Priority and Fairness instead of the max-in-flight filter")
	fs.StringVar(&opts.Services.ClusterIPRange, "service-cluster-ip-range", "", "kube-apiserver's: the IPv4 CIDR Services' cluster IPs come from (default 10.0.0.0/24, envtest's)")
	fs.StringVar(&opts.Services.NodePortRange, "service-node-port-range", "", "kube-apiserver's: the range node ports come from (default 30000-32767)")
	controllers := fs.String("controllers", "*", "the in-process controllers to run, as kube-controller-manager's flag: * (all), name, -name; empty runs none, as envtest (namespace, serviceaccount, garbagecollector, clusterrole-aggregation, resourcequota, storage-protection, disruption, validatingadmissionpolicy-status-controller)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if opts.Controllers, err = parseControllers(*controllers); err != nil {
		return err
	}
	storage, err := parseStorage(*storageFlag)
	if err != nil {
		return err
	}
	opts.Storage, opts.ServerLogs = storage, true
	s, err := harness.Start(ctx, opts)
	if err != nil {
		return err
	}
	var rec *recording.Recorder
	closeLog := func() error { return nil }
	defer func() {
		s.Stop()
		// after the server: the requests it serves while stopping are logged.
		if rec != nil {
			rec.Stop()
			err = errors.Join(err, rec.Err(), closeLog())
		}
	}()
	if *auditLog != "" {
		var out io.Writer
		if out, closeLog, err = openAuditLog(*auditLog, stdout); err != nil {
			return err
		}
		rec = s.Record(recording.Options{Bodies: *auditBodies, AuditLog: out, StreamOnly: true})
	}
	if *load != "" {
		snap, err := harness.LoadSnapshotFile(*load)
		if err != nil {
			return err
		}
		if err := s.Restore(snap); err != nil {
			return fmt.Errorf("--load %s: %w", *load, err)
		}
	}
	if len(crds) > 0 {
		if _, err := envtest.InstallCRDs(s.RESTConfig(), envtest.CRDInstallOptions{Paths: crds, ErrorIfPathMissing: true}); err != nil {
			return fmt.Errorf("install CRDs: %w", err)
		}
	}
	if err := s.WriteKubeconfig(*kubeconfig); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	fmt.Fprintln(stdout, "memkube ready", s.URL())
	<-ctx.Done()
	if *save != "" {
		snap, err := s.Snapshot()
		if err != nil {
			return fmt.Errorf("--save %s: %w", *save, err)
		}
		if err := snap.SaveFile(*save); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "memkube saved", *save)
	}
	return nil
}

// openAuditLog opens --audit-log's file for appending, as kube-apiserver
// does; "-" is stdout.
func openAuditLog(path string, stdout io.Writer) (io.Writer, func() error, error) {
	if path == "-" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("audit log: %w", err)
	}
	return f, f.Close, nil
}

// parseStorage reads --storage.
func parseStorage(v string) (harness.StorageOptions, error) {
	switch {
	case v == string(harness.Memory), v == string(harness.EmbeddedEtcd):
		return harness.StorageOptions{Backend: harness.Backend(v)}, nil
	case strings.HasPrefix(v, string(harness.ExternalEtcd)+"="):
		endpoints := strings.Split(strings.TrimPrefix(v, string(harness.ExternalEtcd)+"="), ",")
		for _, e := range endpoints {
			if e == "" {
				return harness.StorageOptions{}, fmt.Errorf("--storage %q: empty etcd endpoint", v)
			}
		}
		return harness.StorageOptions{Backend: harness.ExternalEtcd, Endpoints: endpoints}, nil
	}
	return harness.StorageOptions{}, fmt.Errorf("--storage %q: want memory, etcd-embedded or etcd=URL[,URL...]", v)
}
