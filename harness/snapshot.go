package harness

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/memkube/memkube/memstore"
)

// Snapshot is the whole state of a server (built-ins, CRDs and custom
// resources, RBAC, everything stored) at one revision.
type Snapshot struct {
	snap *memstore.Snapshot
}

// Rev is the resourceVersion the snapshot was taken at.
func (s *Snapshot) Rev() int64 { return s.snap.Rev() }

// Save writes the snapshot's objects (every stored key and value, not
// their history) for LoadSnapshot: `memkube serve --load FILE` then serves
// the state a test had, e.g. when it failed. The format is JSON lines, the
// values the stored objects' encodings (protobuf for built-ins).
func (s *Snapshot) Save(w io.Writer) error { return s.snap.Save(w) }

// SaveFile is Save to a new file at path.
func (s *Snapshot) SaveFile(path string) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("save snapshot: %w", cerr)
		}
	}()
	return s.Save(f)
}

// LoadSnapshot reads what Snapshot.Save wrote; Restore it into a server.
func LoadSnapshot(r io.Reader) (*Snapshot, error) {
	snap, err := memstore.LoadSnapshot(r)
	if err != nil {
		return nil, err
	}
	return &Snapshot{snap: snap}, nil
}

// LoadSnapshotFile is LoadSnapshot from the file at path.
func LoadSnapshotFile(path string) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load snapshot: %w", err)
	}
	defer f.Close()
	return LoadSnapshot(f)
}

// errNoMemstore is the error of state operations on an etcd backend.
var errNoMemstore = errors.New("snapshots need the memory storage backend")

// Snapshot takes the server's state in O(1) (memstore's copy-on-write).
// Pattern: build a suite's state once, snapshot it, Restore before each test.
func (s *Server) Snapshot() (*Snapshot, error) {
	if s.storage.store == nil {
		return nil, errNoMemstore
	}
	snap, err := s.storage.store.Snapshot()
	if err != nil {
		return nil, err
	}
	return &Snapshot{snap: snap}, nil
}

// Restore puts the server's state back to snap (which may come from another
// server). As after an etcd restore, the history before it is compacted away
// and every watch ends with 410 Gone, so informers list again and see the
// restored state; CRDs served follow the restored CRDs. resourceVersions
// stay monotonic: the restored objects get new ones.
func (s *Server) Restore(snap *Snapshot) error {
	store := s.storage.store
	if store == nil {
		return errNoMemstore
	}
	if _, err := store.RestoreReset(snap.snap); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}
