// Package harnesstest starts memkube servers for tests.
package harnesstest

import (
	"testing"

	"github.com/memkube/memkube/harness"
)

// Start starts a server for the test and stops it in t.Cleanup; it fails the
// test if the server does not start.
func Start(t testing.TB, opts harness.Options) *harness.Server {
	t.Helper()
	s, err := harness.Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("start memkube: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}
