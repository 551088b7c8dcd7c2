package memstore

import (
	"context"
	"sort"
	"sync"
	"time"
)

// EventType is what happened to a key.
type EventType int

const (
	EventPut EventType = iota
	EventDelete
)

// Event is one change of a key. For a delete, KV carries only the key and the
// delete's revision; PrevKV is the version before the change (nil for a
// create).
type Event struct {
	Type   EventType
	KV     *KeyValue
	PrevKV *KeyValue
}

// IsCreate reports whether the event created the key.
func (e Event) IsCreate() bool { return e.Type == EventPut && e.KV.CreateRevision == e.KV.ModRevision }

// WatchOptions selects what a watcher sees.
type WatchOptions struct {
	// Key and End select keys as in RangeOptions.
	Key string
	End string
	// StartRev is the first revision to deliver; 0 means the next write.
	StartRev int64
	// ProgressNotify asks for a progress notification every
	// Config.ProgressNotifyInterval while the watcher is caught up.
	ProgressNotify bool
}

// WatchResponse is one delivery to a watcher: events, a progress
// notification, or a final error.
type WatchResponse struct {
	// Events are whole transactions: a revision is never split across responses.
	Events []Event
	// Revision is the store revision up to which the watcher has been sent
	// every matching event.
	Revision int64
	// ProgressNotify marks a response without events that only reports Revision.
	ProgressNotify bool
	// Err ends the watch: ErrCompacted when the watcher fell behind the
	// compacted revision (CompactRevision tells which). The channel closes after it.
	Err             error
	CompactRevision int64
}

// Watcher receives the changes of a range of keys, in revision order, with
// no gaps and no duplicates. A watcher that falls behind (its buffer is
// full) never blocks writers: it becomes a victim and catches up from the
// history in bounded batches; if the history it needs is compacted first, it
// is ended with ErrCompacted.
type Watcher struct {
	store *Store
	opts  WatchOptions
	ch    chan WatchResponse
	stop  func() bool // unregisters the context callback; guarded by watchableStore.mu

	// The fields below are guarded by watchableStore.mu.
	minRev          int64 // the next revision to deliver
	state           watcherState
	pending         *WatchResponse // a response that did not fit in ch
	progressPending bool           // a progress notification is owed once caught up
	progressRev     int64          // the revision of the last Watcher.RequestProgress
	closed          bool
}

type watcherState int

const (
	stateSynced   watcherState = iota // caught up: writers notify it directly
	stateUnsynced                     // behind: the sync loop feeds it from history
	stateVictim                       // its channel was full: pending waits to be sent
)

// Chan returns the channel of responses. It is closed when the watcher
// ends: after an error response, on Close, or when the store closes.
func (w *Watcher) Chan() <-chan WatchResponse { return w.ch }

// Close ends the watcher and closes its channel.
func (w *Watcher) Close() {
	ws := &w.store.watchers
	ws.mu.Lock()
	stop := w.stop
	ws.endLocked(w)
	ws.mu.Unlock()
	if stop != nil {
		stop()
	}
}

func (w *Watcher) matches(key string) bool {
	switch w.opts.End {
	case "":
		return key == w.opts.Key
	case rangeEndAll:
		return key >= w.opts.Key
	}
	return key >= w.opts.Key && key < w.opts.End
}

func (w *Watcher) trySend(resp WatchResponse) bool {
	select {
	case w.ch <- resp:
		return true
	default:
		return false
	}
}

// WatchStats counts watchers by state.
type WatchStats struct {
	Synced, Unsynced, Victims int
	// EndedCompacted counts watchers ended because they fell behind compaction.
	EndedCompacted int64
}

// watchableStore holds the watchers of a Store, modelled on etcd's
// mvcc.watchableStore.
type watchableStore struct {
	// mu guards the sets below and the guarded fields of every Watcher. It
	// must never be locked before Store.mu.
	mu           sync.Mutex
	syncedByKey  map[string]map[*Watcher]struct{} // synced watchers of one key
	syncedRanges map[*Watcher]struct{}            // synced watchers of a range
	unsynced     map[*Watcher]struct{}
	victims      map[*Watcher]struct{}
	synced       int
	compacted    int64

	syncc chan struct{} // wakes the sync loop
}

const (
	// maxWatchersPerSync bounds the unsynced watchers served per sync round.
	maxWatchersPerSync = 512
	// maxEventsPerSync bounds the history scanned for one watcher per round;
	// a round stops at a revision boundary past it.
	maxEventsPerSync = 1000
	// syncRetryInterval is how soon the sync loop retries watchers that could
	// not take more (full channels).
	syncRetryInterval = 10 * time.Millisecond
)

func (ws *watchableStore) init() {
	ws.syncedByKey = map[string]map[*Watcher]struct{}{}
	ws.syncedRanges = map[*Watcher]struct{}{}
	ws.unsynced = map[*Watcher]struct{}{}
	ws.victims = map[*Watcher]struct{}{}
	ws.syncc = make(chan struct{}, 1)
}

func (ws *watchableStore) kick() {
	select {
	case ws.syncc <- struct{}{}:
	default:
	}
}

func (ws *watchableStore) addLocked(w *Watcher, state watcherState) {
	w.state = state
	switch state {
	case stateSynced:
		ws.synced++
		if w.opts.End == "" {
			set := ws.syncedByKey[w.opts.Key]
			if set == nil {
				set = map[*Watcher]struct{}{}
				ws.syncedByKey[w.opts.Key] = set
			}
			set[w] = struct{}{}
		} else {
			ws.syncedRanges[w] = struct{}{}
		}
	case stateUnsynced:
		ws.unsynced[w] = struct{}{}
		ws.kick()
	case stateVictim:
		ws.victims[w] = struct{}{}
		ws.kick()
	}
}

func (ws *watchableStore) removeLocked(w *Watcher) {
	switch w.state {
	case stateSynced:
		ws.synced--
		if w.opts.End == "" {
			set := ws.syncedByKey[w.opts.Key]
			delete(set, w)
			if len(set) == 0 {
				delete(ws.syncedByKey, w.opts.Key)
			}
		} else {
			delete(ws.syncedRanges, w)
		}
	case stateUnsynced:
		delete(ws.unsynced, w)
	case stateVictim:
		delete(ws.victims, w)
	}
}

func (ws *watchableStore) moveLocked(w *Watcher, state watcherState) {
	ws.removeLocked(w)
	ws.addLocked(w, state)
}

func (ws *watchableStore) endLocked(w *Watcher) {
	if w.closed {
		return
	}
	ws.removeLocked(w)
	w.closed = true
	close(w.ch)
}

// sendOrVictimLocked sends resp to a synced watcher, or makes it a victim
// holding resp. current is the store revision.
func (ws *watchableStore) sendOrVictimLocked(w *Watcher, resp WatchResponse, current int64) {
	if w.trySend(resp) {
		return
	}
	w.pending = &resp
	w.minRev = max(w.minRev, current+1)
	ws.moveLocked(w, stateVictim)
}

func (ws *watchableStore) closeAll() {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for _, w := range ws.allLocked() {
		ws.endLocked(w)
	}
}

// allLocked returns every watcher, whatever its state.
func (ws *watchableStore) allLocked() []*Watcher {
	var all []*Watcher
	for _, set := range ws.syncedByKey {
		for w := range set {
			all = append(all, w)
		}
	}
	for _, set := range []map[*Watcher]struct{}{ws.syncedRanges, ws.unsynced, ws.victims} {
		for w := range set {
			all = append(all, w)
		}
	}
	return all
}

// notify delivers the events of one transaction to the synced watchers.
// Caller holds Store.mu for writing, which orders notifications.
func (ws *watchableStore) notify(events []Event) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.synced == 0 {
		return
	}
	rev := events[0].KV.ModRevision
	var batches map[*Watcher][]Event
	add := func(w *Watcher, ev Event) {
		if rev < w.minRev {
			return
		}
		if batches == nil {
			batches = map[*Watcher][]Event{}
		}
		batches[w] = append(batches[w], ev)
	}
	for _, ev := range events {
		for w := range ws.syncedByKey[ev.KV.Key] {
			add(w, ev)
		}
		for w := range ws.syncedRanges {
			if w.matches(ev.KV.Key) {
				add(w, ev)
			}
		}
	}
	for w, evs := range batches {
		w.minRev = rev + 1
		ws.sendOrVictimLocked(w, WatchResponse{Events: evs, Revision: rev}, rev)
	}
}

// Watch starts a watcher. It ends when ctx is done, on Close, or with an
// error response. A StartRev at or below the compacted revision yields a
// single ErrCompacted response.
func (s *Store) Watch(ctx context.Context, opts WatchOptions) (*Watcher, error) {
	if h := s.hooks.Load(); h != nil && h.Watch != nil {
		if err := h.Watch(opts); err != nil {
			return nil, err
		}
	}
	if opts.Key == "" {
		return nil, ErrEmptyKey
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, ErrClosed
	}
	w := &Watcher{store: s, opts: opts, ch: make(chan WatchResponse, s.cfg.WatchBufferSize)}
	ws := &s.watchers
	ws.mu.Lock()
	if opts.StartRev == 0 || opts.StartRev > s.rev {
		w.minRev = max(opts.StartRev, s.rev+1)
		ws.addLocked(w, stateSynced)
	} else {
		w.minRev = opts.StartRev
		ws.addLocked(w, stateUnsynced)
	}
	// under ws.mu, so Close (which may run at once, on its own goroutine,
	// if ctx is done) sees stop.
	w.stop = context.AfterFunc(ctx, w.Close)
	ws.mu.Unlock()
	return w, nil
}

// RequestProgress sends every watcher a progress notification with the
// current revision: now to those caught up, and to the others as soon as
// they have caught up. Receiving it means every earlier event was delivered.
func (s *Store) RequestProgress() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.watchers.progress(s.rev, func(*Watcher) bool { return true })
}

// RequestProgress sends w a progress notification with the current
// revision, as Store.RequestProgress does for every watcher, unless an
// earlier request at the same revision has sent or owes one already: the
// watch cache requests one per consistent read, and repeats add nothing
// but load (a burst of them filled the cacher's incoming queue as it
// stopped, and its reflector blocked forever sending to it).
func (w *Watcher) RequestProgress() {
	s := w.store
	s.mu.RLock()
	defer s.mu.RUnlock()
	ws := &s.watchers
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if !w.closed && w.progressRev != s.rev {
		w.progressRev = s.rev
		ws.progressLocked(w, s.rev)
	}
}

// progress sends a progress notification to the watchers for which want is
// true. Caller holds Store.mu.
func (ws *watchableStore) progress(current int64, want func(*Watcher) bool) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for _, w := range ws.allLocked() {
		if want(w) {
			ws.progressLocked(w, current)
		}
	}
}

// progressLocked sends w a progress notification now if it is caught up,
// or owes it one until it is.
func (ws *watchableStore) progressLocked(w *Watcher, current int64) {
	if w.state == stateSynced {
		ws.sendOrVictimLocked(w, WatchResponse{ProgressNotify: true, Revision: current}, current)
		return
	}
	w.progressPending = true
}

// WatchStats reports the watchers by state.
func (s *Store) WatchStats() WatchStats {
	ws := &s.watchers
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return WatchStats{Synced: ws.synced, Unsynced: len(ws.unsynced), Victims: len(ws.victims), EndedCompacted: ws.compacted}
}

// progressLoop sends periodic progress notifications to the caught-up
// watchers that asked for them.
func (s *Store) progressLoop() {
	t := s.clock.NewTicker(s.cfg.ProgressNotifyInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stopc:
			return
		case <-t.C():
		}
		s.mu.RLock()
		s.watchers.progress(s.rev, func(w *Watcher) bool { return w.opts.ProgressNotify && w.state == stateSynced })
		s.mu.RUnlock()
	}
}

// syncWatchersLoop serves victims and unsynced watchers until they catch up.
func (s *Store) syncWatchersLoop() {
	var retry <-chan time.Time
	for {
		select {
		case <-s.stopc:
			return
		case <-s.watchers.syncc:
		case <-retry:
		}
		retry = nil
		if s.syncWatchers() {
			retry = time.After(syncRetryInterval)
		}
	}
}

// syncWatchers runs one round: pending responses of victims first, then a
// bounded catch-up of unsynced watchers from the history. It reports
// whether work is left.
func (s *Store) syncWatchers() (more bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ws := &s.watchers
	ws.mu.Lock()
	defer ws.mu.Unlock()

	for w := range ws.victims {
		if w.pending != nil {
			if !w.trySend(*w.pending) {
				more = true
				continue
			}
			w.pending = nil
		}
		if w.minRev <= s.rev {
			ws.moveLocked(w, stateUnsynced)
		} else {
			ws.caughtUpLocked(w, s.rev)
		}
	}

	n := 0
	for w := range ws.unsynced {
		if n == maxWatchersPerSync {
			return true
		}
		n++
		if w.minRev <= s.compactRev {
			if w.trySend(WatchResponse{Err: ErrCompacted, CompactRevision: s.compactRev, Revision: s.rev}) {
				ws.compacted++
				ws.endLocked(w)
			} else {
				more = true
			}
			continue
		}
		evs, last := s.historyLocked(w)
		if len(evs) > 0 {
			resp := WatchResponse{Events: evs, Revision: last}
			w.minRev = last + 1
			if !w.trySend(resp) {
				w.pending = &resp
				ws.moveLocked(w, stateVictim)
				more = true
				continue
			}
		} else {
			w.minRev = last + 1
		}
		if w.minRev > s.rev {
			ws.caughtUpLocked(w, s.rev)
		} else {
			more = true
		}
	}
	return more
}

// caughtUpLocked makes w synced and sends the progress notification it is
// owed, if any.
func (ws *watchableStore) caughtUpLocked(w *Watcher, current int64) {
	ws.moveLocked(w, stateSynced)
	if w.progressPending {
		w.progressPending = false
		ws.sendOrVictimLocked(w, WatchResponse{ProgressNotify: true, Revision: current}, current)
	}
}

// historyLocked returns w's events from w.minRev on, at most about
// maxEventsPerSync scanned and never splitting a revision, and the last
// revision scanned. Caller holds Store.mu.
func (s *Store) historyLocked(w *Watcher) (evs []Event, last int64) {
	h := s.history
	i := sort.Search(len(h), func(i int) bool { return h[i].KV.ModRevision >= w.minRev })
	last = s.rev
	for scanned := 0; i < len(h); i++ {
		rev := h[i].KV.ModRevision
		if scanned >= maxEventsPerSync && rev != h[i-1].KV.ModRevision {
			last = h[i-1].KV.ModRevision
			break
		}
		scanned++
		if w.matches(h[i].KV.Key) {
			evs = append(evs, h[i])
		}
	}
	return evs, last
}

// EndWatches ends every watch as compaction ends one that fell behind: with
// ErrCompacted, so clients list again. Restoring a snapshot calls for it
// when watchers must not see the restore as ordinary events (kube-apiserver
// clients expect a 410 after an etcd restore).
func (s *Store) EndWatches() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watchers.unsyncAll()
}

// unsyncAll moves every watcher to the unsynced set at revision 0, below
// any compaction, where the sync loop ends it with ErrCompacted. The
// caller holds Store.mu.
func (ws *watchableStore) unsyncAll() {
	ws.mu.Lock()
	for _, w := range ws.allLocked() {
		w.minRev, w.pending = 0, nil
		ws.moveLocked(w, stateUnsynced)
	}
	ws.mu.Unlock()
	ws.kick()
}
