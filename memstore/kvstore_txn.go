package memstore

import (
	"container/heap"
	"slices"
	"time"

	"k8s.io/utils/clock"
)

// OpType is what an Op does.
type OpType int

const (
	OpPut OpType = iota
	OpDelete
)

// Op is one change of a transaction.
type Op struct {
	Type  OpType
	Key   string
	Value []byte // OpPut: the store keeps this slice; do not modify it afterwards.
	// TTL, when positive, deletes the key this long after the put unless it
	// is written or deleted before (etcd's leases, one per key). Like etcd, a
	// TTL below MinTTL counts as MinTTL.
	TTL time.Duration
}

// MinTTL is etcd's minimum lease TTL with its default election timeout.
const MinTTL = 2 * time.Second

// PutOp returns an OpPut.
func PutOp(key string, value []byte) Op { return Op{Type: OpPut, Key: key, Value: value} }

// DeleteOp returns an OpDelete.
func DeleteOp(key string) Op { return Op{Type: OpDelete, Key: key} }

// Compare is a transaction guard on a key's mod revision.
type Compare struct {
	Key string
	// ModRevision is the revision that last wrote the key; 0 requires that the
	// key does not exist.
	ModRevision int64
}

// TxnResult is the outcome of a Txn.
type TxnResult struct {
	// Succeeded reports that every Compare held and the ops were applied.
	Succeeded bool
	// Rev is the store's revision after the transaction: the transaction's
	// own revision when it changed something.
	Rev int64
	// Current holds, when a Compare failed, the current version of each
	// compared key (nil where it does not exist), in the order of the Compares.
	Current []*KeyValue
	// Prev holds, when the ops were applied, each op key's version before the
	// transaction (nil where it did not exist), in the order of the ops.
	Prev []*KeyValue
}

// Txn applies ops atomically, at one new revision, if every Compare holds.
// A key may appear in ops once. Deleting a missing key changes nothing; a
// transaction that changes nothing does not advance the revision.
func (s *Store) Txn(cmps []Compare, ops []Op) (TxnResult, error) {
	return s.txn(cmps, ops, make([]*KeyValue, len(ops)))
}

// txn is Txn with the slice for TxnResult.Prev given by the caller, so that
// Put and Delete, with ops and prev on their stack, allocate only what they store.
func (s *Store) txn(cmps []Compare, ops []Op, prev []*KeyValue) (TxnResult, error) {
	if h := s.hooks.Load(); h != nil && h.Write != nil {
		if err := h.Write(slices.Clone(ops)); err != nil {
			return TxnResult{}, err
		}
	}
	if err := validateOps(ops); err != nil {
		return TxnResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return TxnResult{}, ErrClosed
	}
	if cur, ok := s.compareLocked(cmps); !ok {
		return TxnResult{Rev: s.rev, Current: cur}, nil
	}
	s.applyLocked(ops, prev)
	return TxnResult{Succeeded: true, Rev: s.rev, Prev: prev}, nil
}

// Put writes key unconditionally and returns the new revision.
func (s *Store) Put(key string, value []byte) (int64, error) {
	ops, prev := [1]Op{PutOp(key, value)}, [1]*KeyValue{}
	res, err := s.txn(nil, ops[:], prev[:])
	return res.Rev, err
}

// Delete deletes key and returns the store revision after it, and whether
// the key existed.
func (s *Store) Delete(key string) (rev int64, deleted bool, err error) {
	ops, prev := [1]Op{DeleteOp(key)}, [1]*KeyValue{}
	res, err := s.txn(nil, ops[:], prev[:])
	return res.Rev, err == nil && prev[0] != nil, err
}

func validateOps(ops []Op) error {
	for i, op := range ops {
		if op.Key == "" {
			return ErrEmptyKey
		}
		// quadratic, but transactions are small and this allocates nothing.
		for _, other := range ops[:i] {
			if other.Key == op.Key {
				return ErrDuplicateKey
			}
		}
	}
	return nil
}

func (s *Store) compareLocked(cmps []Compare) ([]*KeyValue, bool) {
	if len(cmps) == 0 {
		return nil, true
	}
	ok := true
	cur := make([]*KeyValue, len(cmps))
	for i, c := range cmps {
		if ki := s.keys[c.Key]; ki != nil {
			cur[i] = ki.current()
		}
		var modRev int64
		if cur[i] != nil {
			modRev = cur[i].ModRevision
		}
		if modRev != c.ModRevision {
			ok = false
		}
	}
	return cur, ok
}

// applyLocked applies ops at revision rev+1 (if any changes something),
// records the events and notifies watchers; prev[i] gets ops[i]'s key's
// version before. Caller holds mu for writing.
func (s *Store) applyLocked(ops []Op, prev []*KeyValue) {
	main := s.rev + 1
	// events go straight into the history; notify reads them from there.
	start := len(s.history)
	for i, op := range ops {
		ki := s.keys[op.Key]
		var cur *KeyValue
		if ki != nil {
			cur = ki.current()
		}
		prev[i] = cur
		rev := Revision{Main: main, Sub: int64(len(s.history) - start)}
		switch op.Type {
		case OpPut:
			kv := &KeyValue{Key: op.Key, Value: op.Value, CreateRevision: main, ModRevision: main, Version: 1}
			if cur != nil {
				kv.CreateRevision, kv.Version = cur.CreateRevision, cur.Version+1
			}
			s.mutableKeyIndex(ki, op.Key).put(rev, kv)
			s.history = append(s.history, Event{Type: EventPut, KV: kv, PrevKV: cur})
			if op.TTL > 0 {
				s.addExpiryLocked(op.Key, main, s.clock.Now().Add(max(op.TTL, MinTTL)))
			}
		case OpDelete:
			if cur == nil {
				continue
			}
			s.mutableKeyIndex(ki, op.Key).tombstone(rev)
			s.history = append(s.history, Event{Type: EventDelete, KV: &KeyValue{Key: op.Key, ModRevision: main}, PrevKV: cur})
		default:
			panic("memstore: unknown op type")
		}
	}
	if len(s.history) == start {
		return
	}
	s.rev = main
	s.watchers.notify(s.history[start:])
}

// mutableKeyIndex returns a keyIndex for key that the current epoch owns,
// copying ki (or creating one) and putting it in the index when needed.
func (s *Store) mutableKeyIndex(ki *keyIndex, key string) *keyIndex {
	switch {
	case ki == nil:
		ki = newKeyIndex(key, s.epoch)
	case ki.owner != s.epoch:
		ki = ki.clone(s.epoch)
	default:
		return ki
	}
	s.index.ReplaceOrInsert(indexItem{key: key, ki: ki})
	s.keys[key] = ki
	return ki
}

// expiry is a pending TTL deletion: key is deleted at at if rev still is its
// mod revision then.
type expiry struct {
	at  time.Time
	key string
	rev int64
}

type expiryHeap []expiry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (s *Store) addExpiryLocked(key string, rev int64, at time.Time) {
	heap.Push(&s.expiries, expiry{at: at, key: key, rev: rev})
	if s.expiries[0].rev == rev && s.expiries[0].key == key {
		select {
		case s.expiryc <- struct{}{}:
		default:
		}
	}
}

// expiryLoop deletes keys whose TTL ran out, all due keys in one transaction.
func (s *Store) expiryLoop() {
	for {
		s.mu.Lock()
		var wait <-chan time.Time
		var timer clock.Timer
		due := false
		if len(s.expiries) > 0 {
			d := s.expiries[0].at.Sub(s.clock.Now())
			if due = d <= 0; !due {
				timer = s.clock.NewTimer(d)
				wait = timer.C()
			}
		}
		s.mu.Unlock()
		if due {
			s.expire()
			continue
		}
		select {
		case <-s.stopc:
			if timer != nil {
				timer.Stop()
			}
			return
		case <-s.expiryc:
		case <-wait:
			s.expire()
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

func (s *Store) expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	var ops []Op
	seen := map[string]bool{}
	for len(s.expiries) > 0 && !s.expiries[0].at.After(now) {
		e := heap.Pop(&s.expiries).(expiry)
		ki := s.keys[e.key]
		if ki == nil || seen[e.key] {
			continue
		}
		if cur := ki.current(); cur != nil && cur.ModRevision == e.rev {
			seen[e.key] = true
			ops = append(ops, DeleteOp(e.key))
		}
	}
	if len(ops) > 0 && !s.closed {
		s.applyLocked(ops, make([]*KeyValue, len(ops)))
	}
}
