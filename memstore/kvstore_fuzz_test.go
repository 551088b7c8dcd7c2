package memstore

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// FuzzStoreOps runs a sequence of operations decoded from the input — puts,
// deletes, compare-and-swaps, compactions, snapshots, restores and reads at
// random revisions — against a Store and the model, and checks a watcher
// over the whole run and one started after the last compaction.
func FuzzStoreOps(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 3, 1, 4, 1, 5, 3, 6, 0, 0, 4, 7, 0, 1, 9})
	f.Add([]byte{0, 0, 0, 0, 3, 0, 5, 1, 0, 0, 6, 0, 3, 0, 7, 0, 2, 2, 8, 5})
	f.Add([]byte{4, 0, 4, 1, 0, 7, 6, 2, 1, 7, 1, 7, 7, 0, 5, 0, 5, 0, 8, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 600 {
			data = data[:600]
		}
		keys := []string{"k/a", "k/b", "k/c", "k/d", "k/e"}
		s := New(Config{WatchBufferSize: 1024})
		defer s.Close()
		all, err := s.Watch(t.Context(), WatchOptions{Key: "k/", End: PrefixEnd("k/")})
		if err != nil {
			t.Fatal(err)
		}
		m := newModel()
		type snap struct {
			sn  *Snapshot
			rev int64
		}
		var snaps []snap
		for i := 0; i+1 < len(data); i += 2 {
			op, arg := data[i]%9, int(data[i+1])
			key := keys[arg%len(keys)]
			switch op {
			case 0, 1, 2:
				ops := []Op{PutOp(key, fmt.Appendf(nil, "v%d", i))}
				if _, err := s.Txn(nil, ops); err != nil {
					t.Fatal(err)
				}
				m.apply(ops)
			case 3:
				ops := []Op{DeleteOp(key), PutOp(keys[(arg+1)%len(keys)], fmt.Appendf(nil, "v%d", i))}
				if _, err := s.Txn(nil, ops); err != nil {
					t.Fatal(err)
				}
				m.apply(ops)
			case 4:
				// compare-and-swap, right or wrong by the argument.
				cur := m.states[m.rev()][key].mod
				if arg%3 == 0 {
					cur++
				}
				ops := []Op{DeleteOp(key)}
				res, err := s.Txn([]Compare{{Key: key, ModRevision: cur}}, ops)
				if err != nil {
					t.Fatal(err)
				}
				if want := arg%3 != 0; res.Succeeded != want {
					t.Fatalf("CAS on %q at mod %d: succeeded %v, want %v", key, cur, res.Succeeded, want)
				}
				if res.Succeeded {
					m.apply(ops)
				}
			case 5:
				if comp, rev := s.CompactRev(), s.Rev(); rev > comp {
					at := comp + 1 + int64(arg)%(rev-comp)
					if err := s.Compact(at); err != nil {
						t.Fatalf("Compact(%d) with compacted %d, rev %d: %v", at, comp, rev, err)
					}
				}
				if err := s.Compact(s.CompactRev()); !errors.Is(err, ErrCompacted) {
					t.Fatalf("Compact at the compacted revision: got %v, want ErrCompacted", err)
				}
			case 6:
				sn, err := s.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				snaps = append(snaps, snap{sn, m.rev()})
			case 7:
				if len(snaps) == 0 {
					continue
				}
				sp := snaps[arg%len(snaps)]
				ops := m.restoreOps(sp.rev)
				if _, err := s.Restore(sp.sn); err != nil {
					t.Fatal(err)
				}
				m.apply(ops)
				if got, want := rangeAll(t, s, 0), m.rangeAt("k/", PrefixEnd("k/"), sp.rev); !slices.Equal(got, want) {
					t.Fatalf("after restore to %d: got %v, want %v", sp.rev, got, want)
				}
			case 8:
				rev := 1 + int64(arg)%m.rev()
				res, err := s.Range(RangeOptions{Key: "k/", End: PrefixEnd("k/"), Rev: rev})
				if rev < s.CompactRev() {
					if !errors.Is(err, ErrCompacted) {
						t.Fatalf("Range at %d below compaction %d: got %v, want ErrCompacted", rev, s.CompactRev(), err)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if got, want := formatKVs(res.KVs), m.rangeAt("k/", PrefixEnd("k/"), rev); !slices.Equal(got, want) {
					t.Fatalf("Range at %d: got %v, want %v", rev, got, want)
				}
			}
			if s.Rev() != m.rev() {
				t.Fatalf("after op %d: store at revision %d, model at %d", op, s.Rev(), m.rev())
			}
			// every snapshot still reads what it saw.
			for _, sp := range snaps {
				var got []string
				if err := sp.sn.Range("k/", PrefixEnd("k/"), 0, func(kv *KeyValue) bool {
					got = append(got, kv.Key+"="+string(kv.Value))
					return true
				}); err != nil {
					t.Fatal(err)
				}
				if want := m.rangeAt("k/", PrefixEnd("k/"), sp.rev); !slices.Equal(got, want) {
					t.Fatalf("snapshot at %d: got %v, want %v", sp.rev, got, want)
				}
			}
		}

		final := m.rev()
		checkWatch := func(w *Watcher, start int64) {
			log := &watchLog{opts: WatchOptions{Key: "k/", End: PrefixEnd("k/"), StartRev: start}}
			s.RequestProgress()
			for resp := range w.Chan() {
				if resp.Err != nil {
					t.Fatalf("watch from %d: %v", start, resp.Err)
				}
				log.record(resp)
				if resp.ProgressNotify && resp.Revision >= final {
					break
				}
			}
			log.check(t, m, final)
			if got, want := len(log.events), len(m.eventsFor("k/", PrefixEnd("k/"), start, final)); got != want {
				t.Fatalf("watch from %d: got %d events, want %d", start, got, want)
			}
			w.Close()
		}
		checkWatch(all, 2)
		from := s.CompactRev() + 1
		late, err := s.Watch(t.Context(), WatchOptions{Key: "k/", End: PrefixEnd("k/"), StartRev: from})
		if err != nil {
			t.Fatal(err)
		}
		checkWatch(late, from)
	})
}

func rangeAll(t *testing.T, s *Store, rev int64) []string {
	t.Helper()
	res, err := s.Range(RangeOptions{Key: "k/", End: PrefixEnd("k/"), Rev: rev})
	if err != nil {
		t.Fatal(err)
	}
	return formatKVs(res.KVs)
}
