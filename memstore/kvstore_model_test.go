package memstore

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// committedTxn is a transaction a writer saw succeed.
type committedTxn struct {
	rev  int64
	ops  []Op
	prev []*KeyValue
}

type readRecord struct {
	key, end string
	rev      int64
	got      []string
	err      error
}

var modelKeys = []string{"a/1", "a/2", "a/3", "b/1", "b/2", "b/3", "c", "d", "e/x/1", "e/x/2"}

func randomRange(r *rand.Rand) (key, end string) {
	switch r.IntN(4) {
	case 0:
		return modelKeys[r.IntN(len(modelKeys))], ""
	case 1:
		p := []string{"a/", "b/", "e/"}[r.IntN(3)]
		return p, PrefixEnd(p)
	case 2:
		return "a/2", "b/2"
	}
	return "a", rangeEndAll
}

// TestModelConcurrent runs random transactions from concurrent writers with
// random compactions, reads, snapshots and watchers (fast and slow, some
// resumed mid-stream), then checks every read against the model's state at
// its revision and every watcher against the watch guarantees.
func TestModelConcurrent(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprintf("Seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			runModelConcurrent(t, seed)
		})
	}
}

func runModelConcurrent(t *testing.T, seed uint64) {
	s := New(Config{WatchBufferSize: 2})
	defer s.Close()
	ctx := t.Context()

	const writers, txnsPerWriter = 4, 300
	var (
		mu        sync.Mutex
		committed []committedTxn
		reads     []readRecord
		logs      []*watchLog
		until     atomic.Int64 // the final revision, once writers are done
		writing   sync.WaitGroup
		others    sync.WaitGroup
		watching  sync.WaitGroup
	)
	done := make(chan struct{})

	for w := range writers {
		writing.Add(1)
		go func() {
			defer writing.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			for range txnsPerWriter {
				n := 1 + r.IntN(3)
				perm := r.Perm(len(modelKeys))[:n]
				var ops []Op
				for _, i := range perm {
					if r.IntN(3) == 0 {
						ops = append(ops, DeleteOp(modelKeys[i]))
					} else {
						ops = append(ops, PutOp(modelKeys[i], []byte(fmt.Sprintf("w%d-%d", w, r.IntN(1000)))))
					}
				}
				var cmps []Compare
				if r.IntN(4) == 0 {
					// compare-and-swap on the first key's current version.
					kv, _, err := s.Get(ops[0].Key, 0)
					if err != nil {
						t.Error(err)
						return
					}
					c := Compare{Key: ops[0].Key}
					if kv != nil {
						c.ModRevision = kv.ModRevision
					}
					cmps = append(cmps, c)
				}
				res, err := s.Txn(cmps, ops)
				if err != nil {
					t.Error(err)
					return
				}
				if !res.Succeeded {
					continue
				}
				changed := false
				for i, op := range ops {
					changed = changed || op.Type == OpPut || res.Prev[i] != nil
				}
				if changed {
					mu.Lock()
					committed = append(committed, committedTxn{rev: res.Rev, ops: ops, prev: res.Prev})
					mu.Unlock()
				}
			}
		}()
	}

	// compactor
	others.Add(1)
	go func() {
		defer others.Done()
		r := rand.New(rand.NewPCG(seed, 100))
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Duration(r.IntN(3)) * time.Millisecond):
			}
			cur, comp := s.Rev(), s.CompactRev()
			if cur-comp > 5 {
				if err := s.Compact(comp + 1 + r.Int64N(cur-comp-2)); err != nil && !errors.Is(err, ErrCompacted) {
					t.Error(err)
				}
			}
		}
	}()

	// readers: ranges, and ranges of snapshots
	for i := range 2 {
		others.Add(1)
		go func() {
			defer others.Done()
			r := rand.New(rand.NewPCG(seed, 200+uint64(i)))
			for n := 0; ; {
				if n++; n > 100 {
					select {
					case <-done:
						return
					default:
					}
				}
				key, end := randomRange(r)
				rec := readRecord{key: key, end: end}
				if r.IntN(2) == 0 {
					rec.rev = 1 + r.Int64N(s.Rev())
					var res RangeResult
					res, rec.err = s.Range(RangeOptions{Key: key, End: end, Rev: rec.rev})
					rec.got = formatKVs(res.KVs)
				} else {
					sn, err := s.Snapshot()
					if err != nil {
						t.Error(err)
						return
					}
					rec.rev = sn.Rev()
					var kvs []*KeyValue
					rec.err = sn.Range(key, end, 0, func(kv *KeyValue) bool { kvs = append(kvs, kv); return true })
					rec.got = formatKVs(kvs)
				}
				mu.Lock()
				reads = append(reads, rec)
				mu.Unlock()
			}
		}()
	}

	// watchers: start at random revisions, some slow, some stopping early and
	// resumed from the last revision they saw.
	var watcherSeeds atomic.Uint64
	var startWatch func(opts WatchOptions, slow bool)
	startWatch = func(opts WatchOptions, slow bool) {
		r := rand.New(rand.NewPCG(seed, 1000+watcherSeeds.Add(1)))
		w, err := s.Watch(ctx, opts)
		if err != nil {
			t.Error(err)
			return
		}
		stopAfter := 0
		if r.IntN(3) == 0 {
			stopAfter = 1 + r.IntN(20)
		}
		watching.Add(1)
		go func() {
			defer watching.Done()
			log := &watchLog{opts: opts}
			defer func() {
				mu.Lock()
				logs = append(logs, log)
				mu.Unlock()
			}()
			defer w.Close()
			for resp := range w.Chan() {
				if slow {
					time.Sleep(time.Millisecond)
				}
				log.record(resp)
				if resp.Err != nil {
					return
				}
				if u := until.Load(); u > 0 && resp.Revision >= u {
					return
				}
				if resp.ProgressNotify {
					continue
				}
				last := resp.Events[len(resp.Events)-1].KV.ModRevision
				if stopAfter > 0 && len(log.events) >= stopAfter {
					next := opts
					next.StartRev = last + 1
					startWatch(next, slow)
					return
				}
			}
		}()
	}
	others.Add(1)
	go func() {
		defer others.Done()
		r := rand.New(rand.NewPCG(seed, 300))
		for range 40 {
			key, end := randomRange(r)
			opts := WatchOptions{Key: key, End: end, StartRev: max(1, s.Rev()-r.Int64N(30)+2)}
			startWatch(opts, r.IntN(3) == 0)
			if r.IntN(4) == 0 {
				s.RequestProgress()
			}
			time.Sleep(time.Duration(r.IntN(500)) * time.Microsecond)
		}
	}()

	writing.Wait()
	close(done)
	others.Wait()
	until.Store(s.Rev())
	// watchers that see no more events finish on a progress notification.
	stopped := make(chan struct{})
	go func() { watching.Wait(); close(stopped) }()
	for deadline := time.After(30 * time.Second); ; {
		s.RequestProgress()
		select {
		case <-stopped:
		case <-time.After(5 * time.Millisecond):
			continue
		case <-deadline:
			t.Fatalf("watchers did not finish; stats %+v", s.WatchStats())
		}
		break
	}
	if t.Failed() {
		return
	}

	// Build the model from the committed transactions in revision order: the
	// revisions must be contiguous, and each transaction's previous values
	// must be the model's.
	sort.Slice(committed, func(i, j int) bool { return committed[i].rev < committed[j].rev })
	m := newModel()
	for _, c := range committed {
		if c.rev != m.rev()+1 {
			t.Fatalf("transaction at revision %d follows revision %d", c.rev, m.rev())
		}
		before := m.states[m.rev()]
		for i, op := range c.ops {
			v, ok := before[op.Key]
			if (c.prev[i] != nil) != ok || (ok && string(c.prev[i].Value) != v.value) {
				t.Fatalf("revision %d: prev of %q = %v, model has %q (exists %v)", c.rev, op.Key, c.prev[i], v.value, ok)
			}
		}
		m.apply(c.ops)
	}
	if m.rev() != s.Rev() {
		t.Fatalf("model at revision %d, store at %d", m.rev(), s.Rev())
	}

	finalCompact := s.CompactRev()
	for _, rd := range reads {
		if rd.err != nil {
			if errors.Is(rd.err, ErrCompacted) && rd.rev < finalCompact {
				continue
			}
			t.Fatalf("read %+v: %v", rd, rd.err)
		}
		if want := m.rangeAt(rd.key, rd.end, rd.rev); !slices.Equal(rd.got, want) {
			t.Fatalf("read [%q, %q) at %d: got %v, want %v", rd.key, rd.end, rd.rev, rd.got, want)
		}
	}
	for _, log := range logs {
		log.check(t, m, m.rev())
	}
	t.Logf("revisions %d, compacted %d, reads %d, watchers %d, stats %+v", m.rev(), finalCompact, len(reads), len(logs), s.WatchStats())
}
