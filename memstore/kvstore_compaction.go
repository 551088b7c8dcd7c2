package memstore

import (
	"sort"
	"strconv"
)

// Compact discards every version that no read at or after rev can see, and
// the history of changes up to rev: reads below rev, and watches and Compacts
// at or below rev, then fail with ErrCompacted, and a watcher that still
// needs a change at or below rev is ended with it. (etcd keeps the changes
// at rev itself, but without their previous values; kube-apiserver turns
// such a watch into an error either way.)
func (s *Store) Compact(rev int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.compactLocked(rev)
}

// compactLocked is Compact; the caller holds s.mu.
func (s *Store) compactLocked(rev int64) error {
	if s.closed {
		return ErrClosed
	}
	if rev <= s.compactRev {
		return ErrCompacted
	}
	if rev > s.rev {
		return ErrFutureRev
	}
	s.compactRev = rev

	// Collect first: the B-tree cannot change while it is iterated. Keys with a
	// single version in an open generation have nothing to drop.
	var touched []*keyIndex
	s.index.Ascend(func(it indexItem) bool {
		if ki := it.ki; len(ki.generations) > 1 || len(ki.generations[0].revs) > 1 {
			touched = append(touched, ki)
		}
		return true
	})
	for _, ki := range touched {
		if ki.owner != s.epoch {
			ki = ki.clone(s.epoch)
		}
		if ki.compact(rev) {
			s.index.Delete(indexItem{key: ki.key})
			delete(s.keys, ki.key)
		} else {
			s.index.ReplaceOrInsert(indexItem{key: ki.key, ki: ki})
			s.keys[ki.key] = ki
		}
	}

	i := sort.Search(len(s.history), func(i int) bool { return s.history[i].KV.ModRevision > rev })
	s.history = append([]Event(nil), s.history[i:]...)
	s.watchers.kick()
	return nil
}

// compactionLoop compacts every CompactionInterval to the revision seen at
// the previous tick.
func (s *Store) compactionLoop() {
	t := s.clock.NewTicker(s.cfg.CompactionInterval)
	defer t.Stop()
	var last int64
	for {
		select {
		case <-s.stopc:
			return
		case <-t.C():
		}
		if last > s.CompactRev() {
			// ErrCompacted means someone compacted further meanwhile: fine.
			_ = s.CompactLikeAPIServer(last)
		}
		last = s.Rev()
	}
}

// CompactKey is the key kube-apiserver's compactor writes before each
// compaction, to elect one compactor among several servers.
const CompactKey = "compact_rev_key"

// CompactLikeAPIServer compacts at rev the way kube-apiserver's compactor
// does on etcd: it first writes rev to CompactKey, so every compaction also
// advances the revision by one, then compacts. Tests that count revisions
// across a compaction see the same numbers as on kube-apiserver with etcd.
func (s *Store) CompactLikeAPIServer(rev int64) error {
	if _, err := s.Put(CompactKey, []byte(strconv.FormatInt(rev, 10))); err != nil {
		return err
	}
	return s.Compact(rev)
}
