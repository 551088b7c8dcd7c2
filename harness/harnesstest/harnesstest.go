// Package harnesstest starts memkube servers for tests.
package harnesstest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/memkube/memkube/harness"
)

// SaveFailedEnv names the environment variable with a directory where Start
// saves the state of a failed test's server, for `memkube serve --load`.
const SaveFailedEnv = "MEMKUBE_SAVE_FAILED"

// Start starts a server for the test and stops it in t.Cleanup; it fails the
// test if the server does not start. If the test fails and MEMKUBE_SAVE_FAILED
// names a directory, the server's state is saved there first, as
// <test name>.snapshot, and the test's log says how to serve it.
func Start(t testing.TB, opts harness.Options) *harness.Server {
	t.Helper()
	s, err := harness.Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("start memkube: %v", err)
	}
	t.Cleanup(s.Stop)
	if dir := os.Getenv(SaveFailedEnv); dir != "" {
		// cleanups run last-in first-out: this one before Stop.
		t.Cleanup(func() {
			if t.Failed() {
				saveState(t, s, dir)
			}
		})
	}
	return s
}

// saveState saves the server's state to dir for `memkube serve --load`.
func saveState(t testing.TB, s *harness.Server, dir string) {
	snap, err := s.Snapshot()
	if err != nil {
		t.Logf("memkube: the failed test's state is not saved: %v", err)
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("memkube: the failed test's state is not saved: %v", err)
		return
	}
	path := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())+".snapshot")
	if err := snap.SaveFile(path); err != nil {
		t.Logf("memkube: the failed test's state is not saved: %v", err)
		return
	}
	t.Logf("memkube: the failed test's state is saved; serve it with: memkube serve --load %s", path)
}

// Run runs run (a controller's Run) until the test ends: t.Cleanup cancels
// its context and fails the test if run has not returned 10 s later.
// Called after Start, its cleanup runs before the server stops.
func Run(t testing.TB, run func(ctx context.Context)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return 10s after its context ended")
		}
	})
}
