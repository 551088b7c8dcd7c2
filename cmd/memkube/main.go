// Command memkube runs a memkube API server for local reproducers:
//
//	memkube serve --kubeconfig memkube.kubeconfig [--storage memory|etcd-embedded|etcd=URL,...] [--crds DIR]... [--load FILE] [--save FILE]
//
// starts a server on 127.0.0.1, writes an admin kubeconfig, loads the
// state of a saved snapshot (--load: harness.Snapshot.SaveFile wrote it, e.g.
// from a failing test), installs the CRDs found in each --crds directory or
// file (YAML or JSON, as controller-runtime's envtest reads them) and waits
// until they are served, prints "memkube ready <url>" once it serves, and
// stops on SIGINT or SIGTERM, saving its state first with --save.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/memkube/memkube/harness"
)

const usage = "usage: memkube serve --kubeconfig PATH [--storage memory|etcd-embedded|etcd=URL,...] [--crds DIR]... [--load FILE] [--save FILE]"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "memkube:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
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
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	storage, err := parseStorage(*storageFlag)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := harness.Start(ctx, harness.Options{Storage: storage, ServerLogs: true})
	if err != nil {
		return err
	}
	defer s.Stop()
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
	fmt.Println("memkube ready", s.URL())
	<-ctx.Done()
	if *save != "" {
		snap, err := s.Snapshot()
		if err != nil {
			return fmt.Errorf("--save %s: %w", *save, err)
		}
		if err := snap.SaveFile(*save); err != nil {
			return err
		}
		fmt.Println("memkube saved", *save)
	}
	return nil
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
