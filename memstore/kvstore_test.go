package memstore

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"
	clocktesting "k8s.io/utils/clock/testing"
)

func newTestStore(t testing.TB, cfg Config) *Store {
	t.Helper()
	s := New(cfg)
	t.Cleanup(s.Close)
	return s
}

func mustPut(t testing.TB, s *Store, key, value string) int64 {
	t.Helper()
	rev, err := s.Put(key, []byte(value))
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return rev
}

func TestRevisions(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Config{})
	if got := s.Rev(); got != 1 {
		t.Fatalf("fresh store at revision %d, want 1 (like etcd)", got)
	}
	if got := mustPut(t, s, "a", "1"); got != 2 {
		t.Fatalf("first write at revision %d, want 2", got)
	}
	// one revision per transaction, whatever its size.
	res, err := s.Txn(nil, []Op{PutOp("b", []byte("1")), PutOp("c", []byte("1")), DeleteOp("a")})
	if err != nil || res.Rev != 3 {
		t.Fatalf("Txn: rev %d, err %v; want 3, nil", res.Rev, err)
	}
	// deleting a missing key changes nothing and takes no revision.
	if rev, deleted, err := s.Delete("missing"); err != nil || deleted || rev != 3 {
		t.Fatalf("Delete(missing) = %d, %v, %v; want 3, false, nil", rev, deleted, err)
	}
	kv, _, _ := s.Get("b", 0)
	if kv.CreateRevision != 3 || kv.ModRevision != 3 || kv.Version != 1 {
		t.Fatalf("b = %+v, want create 3, mod 3, version 1", kv)
	}
	mustPut(t, s, "b", "2")
	kv, _, _ = s.Get("b", 0)
	if kv.CreateRevision != 3 || kv.ModRevision != 4 || kv.Version != 2 {
		t.Fatalf("b = %+v, want create 3, mod 4, version 2", kv)
	}
	// a re-created key starts a new generation.
	mustPut(t, s, "a", "again")
	kv, _, _ = s.Get("a", 0)
	if kv.CreateRevision != 5 || kv.Version != 1 {
		t.Fatalf("re-created a = %+v, want create 5, version 1", kv)
	}
	if kv, _, _ := s.Get("a", 3); kv != nil {
		t.Fatalf("a at 3 (deleted) = %+v, want nil", kv)
	}
	if kv, _, _ := s.Get("a", 2); kv == nil || string(kv.Value) != "1" {
		t.Fatalf("a at 2 = %+v, want value 1", kv)
	}
	if _, _, err := s.Get("a", 99); !errors.Is(err, ErrFutureRev) {
		t.Fatalf("Get at a future revision: %v, want ErrFutureRev", err)
	}
}

func TestTxnErrors(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Config{})
	tests := []struct {
		name string
		ops  []Op
		want error
	}{
		{"empty key", []Op{PutOp("", nil)}, ErrEmptyKey},
		{"duplicate key", []Op{PutOp("a", nil), DeleteOp("a")}, ErrDuplicateKey},
	}
	for _, tt := range tests {
		if _, err := s.Txn(nil, tt.ops); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
	if s.Rev() != 1 {
		t.Fatalf("failed transactions moved the revision to %d", s.Rev())
	}
}

func TestCompareAndSwap(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Config{})
	// create-if-absent
	res, err := s.Txn([]Compare{{Key: "a"}}, []Op{PutOp("a", []byte("1"))})
	if err != nil || !res.Succeeded {
		t.Fatalf("create if absent: %+v, %v", res, err)
	}
	res, _ = s.Txn([]Compare{{Key: "a"}}, []Op{PutOp("a", []byte("2"))})
	if res.Succeeded || res.Current[0] == nil || string(res.Current[0].Value) != "1" {
		t.Fatalf("second create if absent: %+v; want failure with the current value", res)
	}
	res, _ = s.Txn([]Compare{{Key: "a", ModRevision: 2}}, []Op{PutOp("a", []byte("2"))})
	if !res.Succeeded || res.Prev[0].ModRevision != 2 {
		t.Fatalf("swap at mod 2: %+v", res)
	}
	if res, _ := s.Txn([]Compare{{Key: "a", ModRevision: 2}}, []Op{DeleteOp("a")}); res.Succeeded {
		t.Fatal("delete at a stale mod revision succeeded")
	}
}

func TestRange(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Config{})
	for _, k := range []string{"a/1", "a/2", "a/3", "b/1"} {
		mustPut(t, s, k, k)
	}
	tests := []struct {
		opts      RangeOptions
		want      []string
		wantCount int64
		wantMore  bool
	}{
		{RangeOptions{Key: "a/", End: PrefixEnd("a/")}, []string{"a/1=a/1", "a/2=a/2", "a/3=a/3"}, 3, false},
		{RangeOptions{Key: "a/", End: PrefixEnd("a/"), Limit: 2}, []string{"a/1=a/1", "a/2=a/2"}, 3, true},
		{RangeOptions{Key: "a/2"}, []string{"a/2=a/2"}, 1, false},
		{RangeOptions{Key: "a/2", End: rangeEndAll}, []string{"a/2=a/2", "a/3=a/3", "b/1=b/1"}, 3, false},
		{RangeOptions{Key: "a/", End: PrefixEnd("a/"), Rev: 3}, []string{"a/1=a/1", "a/2=a/2"}, 2, false},
		{RangeOptions{Key: "a/", End: PrefixEnd("a/"), CountOnly: true}, nil, 3, false},
	}
	for _, tt := range tests {
		res, err := s.Range(tt.opts)
		if err != nil {
			t.Fatalf("Range(%+v): %v", tt.opts, err)
		}
		if got := formatKVs(res.KVs); !slices.Equal(got, tt.want) || res.Count != tt.wantCount || res.More != tt.wantMore {
			t.Errorf("Range(%+v) = %v count %d more %v; want %v count %d more %v", tt.opts, got, res.Count, res.More, tt.want, tt.wantCount, tt.wantMore)
		}
	}
	if got := PrefixEnd("a\xff\xff"); got != "b" {
		t.Errorf(`PrefixEnd("a\xff\xff") = %q, want "b"`, got)
	}
	if got := PrefixEnd("\xff"); got != rangeEndAll {
		t.Errorf(`PrefixEnd("\xff") = %q, want every key`, got)
	}
}

func TestCompaction(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Config{})
	mustPut(t, s, "a", "1")                     // 2
	mustPut(t, s, "a", "2")                     // 3
	mustPut(t, s, "b", "1")                     // 4
	if _, _, err := s.Delete("b"); err != nil { // 5
		t.Fatal(err)
	}
	if err := s.Compact(5); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get("a", 4); !errors.Is(err, ErrCompacted) {
		t.Fatalf("Get below compaction: %v, want ErrCompacted", err)
	}
	if kv, _, err := s.Get("a", 5); err != nil || string(kv.Value) != "2" {
		t.Fatalf("Get at compaction = %v, %v; want 2", kv, err)
	}
	if s.index.Len() != 1 {
		t.Fatalf("index holds %d keys after compacting a deleted key, want 1", s.index.Len())
	}
	if err := s.Compact(5); !errors.Is(err, ErrCompacted) {
		t.Fatalf("Compact at the compacted revision: %v, want ErrCompacted", err)
	}
	if err := s.Compact(9); !errors.Is(err, ErrFutureRev) {
		t.Fatalf("Compact in the future: %v, want ErrFutureRev", err)
	}
	rev := mustPut(t, s, "c", "1")
	if err := s.CompactLikeAPIServer(rev); err != nil {
		t.Fatal(err)
	}
	if s.Rev() != rev+1 || s.CompactRev() != rev {
		t.Fatalf("CompactLikeAPIServer(%d): rev %d compacted %d, want %d and %d", rev, s.Rev(), s.CompactRev(), rev+1, rev)
	}
}

func TestPeriodicCompaction(t *testing.T) {
	t.Parallel()
	clk := clocktesting.NewFakeClock(time.Now())
	s := newTestStore(t, Config{Clock: clk, CompactionInterval: time.Minute})
	mustPut(t, s, "a", "1")
	// the first tick records the revision; the second compacts to it.
	waitFor(t, func() bool { return clk.HasWaiters() })
	clk.Step(time.Minute)
	rev := s.Rev()
	mustPut(t, s, "a", "2")
	waitFor(t, func() bool { clk.Step(time.Minute); return s.CompactRev() >= rev })
	if _, _, err := s.Get("a", rev-1); !errors.Is(err, ErrCompacted) {
		t.Fatalf("Get below the periodic compaction: %v, want ErrCompacted", err)
	}
}

func TestTTL(t *testing.T) {
	t.Parallel()
	clk := clocktesting.NewFakeClock(time.Now())
	s := newTestStore(t, Config{Clock: clk})
	w, err := s.Watch(t.Context(), WatchOptions{Key: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Txn(nil, []Op{{Type: OpPut, Key: "a", Value: []byte("1"), TTL: 10 * time.Second}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Txn(nil, []Op{{Type: OpPut, Key: "b", Value: []byte("1"), TTL: time.Millisecond}}); err != nil {
		t.Fatal(err)
	}
	<-w.Chan() // the put
	waitFor(t, func() bool { return clk.HasWaiters() })
	clk.Step(MinTTL)
	waitFor(t, func() bool { kv, _, _ := s.Get("b", 0); return kv == nil })
	if kv, _, _ := s.Get("a", 0); kv == nil {
		t.Fatal("a expired before its TTL")
	}
	clk.Step(8 * time.Second)
	resp := <-w.Chan()
	if len(resp.Events) != 1 || resp.Events[0].Type != EventDelete {
		t.Fatalf("after the TTL: got %+v, want a delete event", resp)
	}
	// a write without TTL detaches the key from its old expiry.
	if _, err := s.Txn(nil, []Op{{Type: OpPut, Key: "c", Value: []byte("1"), TTL: 5 * time.Second}}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "c", "2")
	clk.Step(time.Minute)
	waitFor(t, func() bool {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return len(s.expiries) == 0
	})
	if kv, _, _ := s.Get("c", 0); kv == nil {
		t.Fatalf("c was deleted by the expiry of a version it no longer has")
	}
}

func TestHooks(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	s := newTestStore(t, Config{Hooks: &Hooks{Write: func(ops []Op) error {
		if ops[0].Key == "fail" {
			return boom
		}
		return nil
	}}})
	if _, err := s.Put("fail", nil); !errors.Is(err, boom) {
		t.Fatalf("Put with a failing write hook: %v, want boom", err)
	}
	if s.Rev() != 1 {
		t.Fatalf("a failed write moved the revision to %d", s.Rev())
	}
	mustPut(t, s, "ok", "1")
	s.SetHooks(&Hooks{
		Read:  func(string) error { return boom },
		Watch: func(WatchOptions) error { return boom },
	})
	if _, _, err := s.Get("ok", 0); !errors.Is(err, boom) {
		t.Fatalf("Get: %v, want boom", err)
	}
	if _, err := s.Range(RangeOptions{Key: "ok"}); !errors.Is(err, boom) {
		t.Fatalf("Range: %v, want boom", err)
	}
	if _, err := s.Snapshot(); !errors.Is(err, boom) {
		t.Fatalf("Snapshot: %v, want boom", err)
	}
	if _, err := s.Watch(t.Context(), WatchOptions{Key: "ok"}); !errors.Is(err, boom) {
		t.Fatalf("Watch: %v, want boom", err)
	}
	s.SetHooks(nil)
	if _, _, err := s.Get("ok", 0); err != nil {
		t.Fatalf("Get without hooks: %v", err)
	}
}

func TestSnapshotIsolation(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Config{})
	for i := range 100 {
		mustPut(t, s, fmt.Sprintf("k%03d", i), "old")
	}
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		mustPut(t, s, fmt.Sprintf("k%03d", i), "new")
	}
	if err := s.Compact(s.Rev()); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := sn.Range("k", PrefixEnd("k"), 0, func(kv *KeyValue) bool {
		if string(kv.Value) != "old" {
			t.Fatalf("snapshot sees %s=%s after later writes and a compaction", kv.Key, kv.Value)
		}
		n++
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if n != 100 {
		t.Fatalf("snapshot has %d keys, want 100", n)
	}
	if _, err := sn.Get("k000", sn.Rev()+1); !errors.Is(err, ErrFutureRev) {
		t.Fatalf("snapshot read past its revision: %v, want ErrFutureRev", err)
	}
}

func TestRestore(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Config{})
	mustPut(t, s, "keep", "1")
	mustPut(t, s, "change", "1")
	mustPut(t, s, "remove", "1")
	sn, _ := s.Snapshot()
	mustPut(t, s, "change", "2")
	mustPut(t, s, "added", "1")
	if _, _, err := s.Delete("remove"); err != nil {
		t.Fatal(err)
	}
	w, _ := s.Watch(t.Context(), WatchOptions{Key: "a", End: rangeEndAll})
	before := s.Rev()
	rev, err := s.Restore(sn)
	if err != nil {
		t.Fatal(err)
	}
	if rev != before+1 {
		t.Fatalf("Restore at revision %d, want one transaction at %d", rev, before+1)
	}
	if got := rangeAllKeys(t, s); !slices.Equal(got, []string{"change=1", "keep=1", "remove=1"}) {
		t.Fatalf("after Restore: %v", got)
	}
	resp := <-w.Chan()
	var got []string
	for _, e := range resp.Events {
		got = append(got, formatEvent(e))
	}
	want := []string{
		fmt.Sprintf("%d DELETE added prev=1", rev),
		fmt.Sprintf("%d PUT change=1 prev=2", rev),
		fmt.Sprintf("%d PUT remove=1 prev=<nil>", rev),
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Restore events:\n%v\nwant\n%v", got, want)
	}
	// restoring the current state is a no-op.
	sn2, _ := s.Snapshot()
	if rev2, _ := s.Restore(sn2); rev2 != rev {
		t.Fatalf("Restore of the current state wrote revision %d", rev2)
	}
}

func rangeAllKeys(t *testing.T, s *Store) []string {
	t.Helper()
	res, err := s.Range(RangeOptions{Key: "\x00", End: rangeEndAll})
	if err != nil {
		t.Fatal(err)
	}
	return formatKVs(res.KVs)
}

func TestSlowWatcherBecomesVictimAndCatchesUp(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Config{WatchBufferSize: 1})
	w, _ := s.Watch(t.Context(), WatchOptions{Key: "k", End: PrefixEnd("k")})
	const n = 50
	for i := range n {
		mustPut(t, s, fmt.Sprintf("k%d", i%5), fmt.Sprint(i)) // writers never block
	}
	if st := s.WatchStats(); st.Victims+st.Unsynced == 0 {
		t.Fatalf("a watcher with a full buffer is not behind: %+v", st)
	}
	var got int
	for got < n {
		resp := <-w.Chan()
		for _, e := range resp.Events {
			if want := int64(got + 2); e.KV.ModRevision != want {
				t.Fatalf("event %d at revision %d, want %d", got, e.KV.ModRevision, want)
			}
			got++
		}
	}
	waitFor(t, func() bool { return s.WatchStats().Synced == 1 })
}

func TestWatcherBehindCompactionIsEnded(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Config{WatchBufferSize: 1})
	w, _ := s.Watch(t.Context(), WatchOptions{Key: "k"})
	for i := range 10 {
		mustPut(t, s, "k", fmt.Sprint(i))
	}
	if err := s.Compact(s.Rev()); err != nil {
		t.Fatal(err)
	}
	var last WatchResponse
	for resp := range w.Chan() {
		last = resp
	}
	if !errors.Is(last.Err, ErrCompacted) || last.CompactRevision != s.CompactRev() {
		t.Fatalf("last response %+v, want ErrCompacted at %d", last, s.CompactRev())
	}
	if st := s.WatchStats(); st.EndedCompacted != 1 {
		t.Fatalf("EndedCompacted = %d, want 1", st.EndedCompacted)
	}
	// a watch from a compacted revision ends at once.
	w2, _ := s.Watch(t.Context(), WatchOptions{Key: "k", StartRev: 2})
	if resp := <-w2.Chan(); !errors.Is(resp.Err, ErrCompacted) {
		t.Fatalf("watch from a compacted revision: %+v, want ErrCompacted", resp)
	}
}

func TestRequestProgress(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Config{WatchBufferSize: 1})
	mustPut(t, s, "k", "0")
	mustPut(t, s, "k", "1")
	// an unsynced watcher gets its progress notification after its events.
	w, _ := s.Watch(t.Context(), WatchOptions{Key: "k", StartRev: 2})
	s.RequestProgress()
	var events int
	for resp := range w.Chan() {
		if resp.ProgressNotify {
			if resp.Revision != 3 || events != 2 {
				t.Fatalf("progress at %d after %d events, want at 3 after 2", resp.Revision, events)
			}
			break
		}
		events += len(resp.Events)
	}
}

func TestPeriodicProgress(t *testing.T) {
	t.Parallel()
	clk := clocktesting.NewFakeClock(time.Now())
	s := newTestStore(t, Config{Clock: clk, ProgressNotifyInterval: time.Second})
	with, _ := s.Watch(t.Context(), WatchOptions{Key: "a", ProgressNotify: true})
	without, _ := s.Watch(t.Context(), WatchOptions{Key: "a"})
	waitFor(t, func() bool { return clk.HasWaiters() })
	clk.Step(time.Second)
	if resp := <-with.Chan(); !resp.ProgressNotify || resp.Revision != 1 {
		t.Fatalf("got %+v, want a progress notification at 1", resp)
	}
	mustPut(t, s, "a", "1")
	if resp := <-without.Chan(); resp.ProgressNotify {
		t.Fatal("a watcher without ProgressNotify got a periodic notification")
	}
}

func TestCloseEndsWatchersAndGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s := New(Config{CompactionInterval: time.Hour})
	w, _ := s.Watch(t.Context(), WatchOptions{Key: "a"})
	mustPut(t, s, "a", "1")
	s.Close()
	for range w.Chan() {
	}
	if _, err := s.Put("a", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Watch(t.Context(), WatchOptions{Key: "a"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Watch after Close: %v, want ErrClosed", err)
	}
	s.Close() // idempotent
}

// waitFor polls cond; the store's loops run on their own goroutines.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestEndWatches ends every watcher, caught up or behind, with ErrCompacted.
func TestEndWatches(t *testing.T) {
	s := New(Config{})
	defer s.Close()
	mustPut(t, s, "k/a", "1")
	caughtUp, err := s.Watch(t.Context(), WatchOptions{Key: "k/", End: PrefixEnd("k/")})
	if err != nil {
		t.Fatal(err)
	}
	behind, err := s.Watch(t.Context(), WatchOptions{Key: "k/", End: PrefixEnd("k/"), StartRev: 1})
	if err != nil {
		t.Fatal(err)
	}
	s.EndWatches()
	for name, w := range map[string]*Watcher{"caught up": caughtUp, "behind": behind} {
		var last WatchResponse
		for resp := range w.Chan() {
			last = resp
		}
		if !errors.Is(last.Err, ErrCompacted) {
			t.Errorf("%s watcher ended with %+v, want ErrCompacted", name, last)
		}
	}
	if got := s.WatchStats().EndedCompacted; got != 2 {
		t.Errorf("EndedCompacted = %d, want 2", got)
	}
}

// TestRestoreReset restores as after an etcd restore: watchers end with
// ErrCompacted without receiving the restore's events, and the history
// before it is compacted.
func TestRestoreReset(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, Config{})
	mustPut(t, s, "k/a", "1")
	sn, _ := s.Snapshot()
	mustPut(t, s, "k/b", "1")
	w, err := s.Watch(t.Context(), WatchOptions{Key: "k/", End: PrefixEnd("k/")})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := s.RestoreReset(sn)
	if err != nil {
		t.Fatal(err)
	}
	var responses []WatchResponse
	for resp := range w.Chan() {
		responses = append(responses, resp)
	}
	if len(responses) != 1 || !errors.Is(responses[0].Err, ErrCompacted) {
		t.Fatalf("watch responses %+v, want only ErrCompacted", responses)
	}
	if s.CompactRev() != rev {
		t.Errorf("compacted at %d, want the restore's revision %d", s.CompactRev(), rev)
	}
	if got := rangeAllKeys(t, s); !slices.Equal(got, []string{"k/a=1"}) {
		t.Errorf("after RestoreReset: %v", got)
	}
}
