package faults_test

import (
	"errors"
	"testing"
	"time"

	"github.com/memkube/memkube/harness/faults"
	"github.com/memkube/memkube/memstore"
)

func newStore(t *testing.T) *memstore.Store {
	t.Helper()
	s := memstore.New(memstore.Config{})
	t.Cleanup(s.Close)
	return s
}

// ops runs a read, a write and a watch on s and returns their errors.
func ops(t *testing.T, s *memstore.Store) (read, write, watch error) {
	t.Helper()
	_, _, read = s.Get("/registry/pods/default/web", 0)
	_, write = s.Put("/registry/pods/default/web", []byte("v"))
	w, watch := s.Watch(t.Context(), memstore.WatchOptions{Key: "/registry/pods/"})
	if w != nil {
		w.Close()
	}
	return read, write, watch
}

func TestStorageUnavailable(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	inj := faults.New(1)
	inj.Attach(s)
	f := inj.StorageUnavailable()
	read, write, watch := ops(t, s)
	for op, err := range map[string]error{"read": read, "write": write, "watch": watch} {
		if !errors.Is(err, faults.ErrStorageUnavailable) {
			t.Errorf("%s: got %v, want %v", op, err, faults.ErrStorageUnavailable)
		}
	}
	if f.Fired() != 3 {
		t.Fatalf("fired %d, want 3", f.Fired())
	}
	inj.Remove(f)
	if read, write, watch := ops(t, s); read != nil || write != nil || watch != nil {
		t.Fatalf("after Remove: read %v, write %v, watch %v; want no errors", read, write, watch)
	}
	if _, storage := inj.Active(); storage != 0 {
		t.Fatalf("%d storage faults after Remove, want 0", storage)
	}
}

func TestStorageRule(t *testing.T) {
	t.Parallel()
	full := errors.New("etcdserver: mvcc: database space exceeded")
	tests := []struct {
		name                string
		rule                faults.StorageRule
		wantRead, wantWrite error
		wantWatch           error
		wantFired           int
	}{
		{name: "writes", rule: faults.StorageRule{Ops: faults.StorageWrites, Err: full}, wantWrite: full, wantFired: 1},
		{name: "reads", rule: faults.StorageRule{Ops: faults.StorageReads}, wantRead: faults.ErrStorageUnavailable, wantFired: 1},
		{name: "watches", rule: faults.StorageRule{Ops: faults.StorageWatches}, wantWatch: faults.ErrStorageUnavailable, wantFired: 1},
		{name: "reads and writes", rule: faults.StorageRule{Ops: faults.StorageReads | faults.StorageWrites},
			wantRead: faults.ErrStorageUnavailable, wantWrite: faults.ErrStorageUnavailable, wantFired: 2},
		{name: "count", rule: faults.StorageRule{Count: 2}, wantRead: faults.ErrStorageUnavailable, wantWrite: faults.ErrStorageUnavailable, wantFired: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			inj := faults.New(1)
			inj.Attach(s)
			f := inj.AddStorage(tc.rule)
			read, write, watch := ops(t, s)
			if !errors.Is(read, tc.wantRead) || !errors.Is(write, tc.wantWrite) || !errors.Is(watch, tc.wantWatch) {
				t.Fatalf("read %v, write %v, watch %v; want %v, %v, %v", read, write, watch, tc.wantRead, tc.wantWrite, tc.wantWatch)
			}
			if f.Fired() != tc.wantFired {
				t.Fatalf("fired %d, want %d", f.Fired(), tc.wantFired)
			}
		})
	}
}

func TestStorageFaultsNeedAStore(t *testing.T) {
	t.Parallel()
	inj := faults.New(1)
	if _, err := inj.Compact(); err == nil {
		t.Fatal("Compact without a store: no error")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("AddStorage without a store did not panic")
		}
	}()
	inj.StorageUnavailable()
}

// TestAttachAgain: attaching another store moves the active faults to it.
func TestAttachAgain(t *testing.T) {
	t.Parallel()
	a, b := newStore(t), newStore(t)
	inj := faults.New(1)
	inj.Attach(a)
	inj.StorageUnavailable()
	inj.Attach(b)
	if _, err := a.Put("k", nil); err != nil {
		t.Fatalf("the first store still fails: %v", err)
	}
	if _, err := b.Put("k", nil); !errors.Is(err, faults.ErrStorageUnavailable) {
		t.Fatalf("the second store: got %v, want %v", err, faults.ErrStorageUnavailable)
	}
}

// TestCompact: watches end with ErrCompacted, and reads of the history
// before the compacted revision fail.
func TestCompact(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	inj := faults.New(1)
	inj.Attach(s)
	first, err := s.Put("/registry/pods/default/web", []byte("1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put("/registry/pods/default/web", []byte("2")); err != nil {
		t.Fatal(err)
	}
	w, err := s.Watch(t.Context(), memstore.WatchOptions{Key: "/registry/pods/", End: memstore.PrefixEnd("/registry/pods/")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	rev, err := inj.Compact()
	if err != nil {
		t.Fatal(err)
	}
	if want := first + 1; rev != want || s.CompactRev() != rev {
		t.Fatalf("compacted at %d (store says %d), want %d", rev, s.CompactRev(), want)
	}
	if _, _, err := s.Get("/registry/pods/default/web", first); !errors.Is(err, memstore.ErrCompacted) {
		t.Fatalf("read below the compaction: got %v, want %v", err, memstore.ErrCompacted)
	}
	timeout := time.After(10 * time.Second)
	for {
		select {
		case resp, ok := <-w.Chan():
			if !ok {
				t.Fatal("the watch ended without an error")
			}
			if resp.Err == nil {
				continue
			}
			if !errors.Is(resp.Err, memstore.ErrCompacted) {
				t.Fatalf("the watch ended with %v, want %v", resp.Err, memstore.ErrCompacted)
			}
			return
		case <-timeout:
			t.Fatal("the watch did not end")
		}
	}
}
