package memstore

import "errors"

// Snapshot is an immutable view of a store at one revision: what Get and
// Range would read at any revision from its compacted revision to its
// revision. Taking one is O(1): the key index is shared copy-on-write, and
// the store copies a key's entry the first time it changes it afterwards.
// A Snapshot stays valid after the store is compacted or closed.
type Snapshot struct {
	index      *keyIndexTree
	rev        int64
	compactRev int64
}

// Snapshot returns a view of the store now.
func (s *Store) Snapshot() (*Snapshot, error) {
	return s.snapshot("")
}

// snapshot is Snapshot with the key the read is for, for the Read hook.
func (s *Store) snapshot(key string) (*Snapshot, error) {
	if err := s.readHook(key); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	return s.snapshotLocked(), nil
}

func (s *Store) snapshotLocked() *Snapshot {
	s.epoch++
	return &Snapshot{index: s.index.Clone(), rev: s.rev, compactRev: s.compactRev}
}

// Rev returns the store revision the snapshot was taken at.
func (sn *Snapshot) Rev() int64 { return sn.rev }

// CompactRev returns the store's compacted revision when the snapshot was taken.
func (sn *Snapshot) CompactRev() int64 { return sn.compactRev }

// Get returns key's version at rev (0 means the snapshot's revision), nil if
// it did not exist then.
func (sn *Snapshot) Get(key string, rev int64) (*KeyValue, error) {
	at, err := checkRev(rev, sn.rev, sn.compactRev)
	if err != nil {
		return nil, err
	}
	if ki := lookup(sn.index, key); ki != nil {
		return ki.get(at), nil
	}
	return nil, nil
}

// Range calls fn in key order for every key of [key, end) that existed at
// rev (0 means the snapshot's revision) until fn returns false. end follows
// RangeOptions.End.
func (sn *Snapshot) Range(key, end string, rev int64, fn func(*KeyValue) bool) error {
	at, err := checkRev(rev, sn.rev, sn.compactRev)
	if err != nil {
		return err
	}
	rangeIndex(sn.index, key, end, at, fn)
	return nil
}

// Count returns the number of keys of [key, end) that existed at rev.
func (sn *Snapshot) Count(key, end string, rev int64) (int64, error) {
	var n int64
	err := sn.Range(key, end, rev, func(*KeyValue) bool { n++; return true })
	return n, err
}

// Restore makes the store's contents equal to the snapshot's, as one write
// transaction at a new revision: keys changed since the snapshot are put
// back with the snapshot's value, keys created since are deleted, and keys
// deleted since are created again. Revisions stay monotonic, so clients and
// watchers see ordinary events and need not restart; TTLs are not restored.
// The snapshot may come from another store. It returns the store revision
// after the restore.
func (s *Store) Restore(sn *Snapshot) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restoreLocked(sn)
}

// RestoreReset is Restore as after an etcd restore: every watch ends with
// ErrCompacted and the history before the restore is compacted away, so
// watchers list again instead of receiving the restore's events. It is one
// step: no watcher sees any of the restore's events, which for a large
// snapshot are a burst that consumers (the watch cache) would still be
// dispatching long after.
func (s *Store) RestoreReset(sn *Snapshot) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, ErrClosed
	}
	// unsynced watchers get no events from writes; the sync loop ends
	// them (their revision is below the compaction) once the lock is
	// released.
	s.watchers.unsyncAll()
	rev, err := s.restoreLocked(sn)
	if err != nil {
		return 0, err
	}
	if err := s.compactLocked(rev); err != nil && !errors.Is(err, ErrCompacted) {
		return 0, err
	}
	return rev, nil
}

// restoreLocked is Restore; the caller holds s.mu.
func (s *Store) restoreLocked(sn *Snapshot) (int64, error) {
	if s.closed {
		return 0, ErrClosed
	}
	var want []*KeyValue
	rangeIndex(sn.index, "", rangeEndAll, sn.rev, func(kv *KeyValue) bool {
		want = append(want, kv)
		return true
	})
	var have []*KeyValue
	rangeIndex(s.index, "", rangeEndAll, s.rev, func(kv *KeyValue) bool {
		have = append(have, kv)
		return true
	})
	var ops []Op
	i, j := 0, 0
	for i < len(want) || j < len(have) {
		switch {
		case j == len(have) || (i < len(want) && want[i].Key < have[j].Key):
			ops = append(ops, PutOp(want[i].Key, want[i].Value))
			i++
		case i == len(want) || have[j].Key < want[i].Key:
			ops = append(ops, DeleteOp(have[j].Key))
			j++
		default:
			// same key: versions shared with the snapshot are unchanged.
			if want[i] != have[j] {
				ops = append(ops, PutOp(want[i].Key, want[i].Value))
			}
			i++
			j++
		}
	}
	if len(ops) > 0 {
		s.applyLocked(ops, make([]*KeyValue, len(ops)))
	}
	return s.rev, nil
}
