// Command memkube runs a memkube API server for local reproducers:
//
//	memkube serve --kubeconfig memkube.kubeconfig
//
// starts a server on 127.0.0.1, writes an admin kubeconfig, prints
// "memkube ready <url>" once it serves, and stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/memkube/memkube/harness"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "memkube:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 || args[0] != "serve" {
		return errors.New("usage: memkube serve --kubeconfig PATH")
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	kubeconfig := fs.String("kubeconfig", "memkube.kubeconfig", "where to write the admin kubeconfig")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := harness.Start(ctx, harness.Options{})
	if err != nil {
		return err
	}
	defer s.Stop()
	if err := s.WriteKubeconfig(*kubeconfig); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	fmt.Println("memkube ready", s.URL())
	<-ctx.Done()
	return nil
}
