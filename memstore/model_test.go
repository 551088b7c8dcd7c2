package memstore

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// model is the reference a Store is checked against: the state after every
// revision and the events of every revision, built by replaying committed
// transactions in revision order.
type model struct {
	states []map[string]modelVal // states[rev]; states[1] is the empty start
	events [][]modelEvent        // events[rev]
}

// modelVal is a key's value and the revision that wrote it.
type modelVal struct {
	value string
	mod   int64
}

type modelEvent struct {
	key     string
	deleted bool
	value   string
	prev    *string
}

func newModel() *model {
	return &model{states: []map[string]modelVal{nil, {}}, events: [][]modelEvent{nil, nil}}
}

func (m *model) rev() int64 { return int64(len(m.states) - 1) }

// apply replays one committed transaction and returns its events; a
// transaction without events takes no revision.
func (m *model) apply(ops []Op) []modelEvent {
	cur := m.states[len(m.states)-1]
	next := maps.Clone(cur)
	var evs []modelEvent
	rev := m.rev() + 1
	for _, op := range ops {
		prev, existed := next[op.Key]
		var prevp *string
		if existed {
			prevp = &prev.value
		}
		switch op.Type {
		case OpPut:
			next[op.Key] = modelVal{value: string(op.Value), mod: rev}
			evs = append(evs, modelEvent{key: op.Key, value: string(op.Value), prev: prevp})
		case OpDelete:
			if !existed {
				continue
			}
			delete(next, op.Key)
			evs = append(evs, modelEvent{key: op.Key, deleted: true, prev: prevp})
		}
	}
	if len(evs) > 0 {
		m.states = append(m.states, next)
		m.events = append(m.events, evs)
	}
	return evs
}

// rangeAt returns the sorted key=value pairs of [key, end) at rev.
func (m *model) rangeAt(key, end string, rev int64) []string {
	var out []string
	for k, v := range m.states[rev] {
		if inRange(k, key, end) {
			out = append(out, k+"="+v.value)
		}
	}
	slices.Sort(out)
	return out
}

// restoreOps are the changes that make the current state equal to the state
// at rev: keys written since are put back (in key order), keys created since
// deleted.
func (m *model) restoreOps(rev int64) []Op {
	cur, target := m.states[m.rev()], m.states[rev]
	keys := slices.Sorted(maps.Keys(cur))
	for k := range target {
		if _, ok := cur[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var ops []Op
	for _, k := range keys {
		c, inCur := cur[k]
		tv, inTarget := target[k]
		switch {
		case inTarget && (!inCur || c.mod != tv.mod):
			ops = append(ops, PutOp(k, []byte(tv.value)))
		case !inTarget && inCur:
			ops = append(ops, DeleteOp(k))
		}
	}
	return ops
}

func inRange(k, key, end string) bool {
	switch end {
	case "":
		return k == key
	case rangeEndAll:
		return k >= key
	}
	return k >= key && k < end
}

// eventsFor returns the model's events of [key, end) at revisions [from, to].
func (m *model) eventsFor(key, end string, from, to int64) []string {
	var out []string
	for rev := max(from, 2); rev <= to && rev <= m.rev(); rev++ {
		for _, e := range m.events[rev] {
			if inRange(e.key, key, end) {
				out = append(out, formatModelEvent(rev, e))
			}
		}
	}
	return out
}

func formatModelEvent(rev int64, e modelEvent) string {
	prev := "<nil>"
	if e.prev != nil {
		prev = *e.prev
	}
	if e.deleted {
		return fmt.Sprintf("%d DELETE %s prev=%s", rev, e.key, prev)
	}
	return fmt.Sprintf("%d PUT %s=%s prev=%s", rev, e.key, e.value, prev)
}

func formatEvent(e Event) string {
	prev := "<nil>"
	if e.PrevKV != nil {
		prev = string(e.PrevKV.Value)
	}
	if e.Type == EventDelete {
		return fmt.Sprintf("%d DELETE %s prev=%s", e.KV.ModRevision, e.KV.Key, prev)
	}
	return fmt.Sprintf("%d PUT %s=%s prev=%s", e.KV.ModRevision, e.KV.Key, e.KV.Value, prev)
}

func formatKVs(kvs []*KeyValue) []string {
	var out []string
	for _, kv := range kvs {
		out = append(out, kv.Key+"="+string(kv.Value))
	}
	return out
}

// watchLog is everything one watcher received.
type watchLog struct {
	opts          WatchOptions
	events        []string // formatted, in delivery order
	progress      []progressMark
	responses     [][]string // the events of each response, to check atomicity
	err           error
	errCompactRev int64
}

// progressMark is a progress notification and how many events came before it.
type progressMark struct {
	rev       int64
	delivered int
}

// record adds one response to the log.
func (log *watchLog) record(resp WatchResponse) {
	switch {
	case resp.Err != nil:
		log.err, log.errCompactRev = resp.Err, resp.CompactRevision
	case resp.ProgressNotify:
		log.progress = append(log.progress, progressMark{rev: resp.Revision, delivered: len(log.events)})
	default:
		var batch []string
		for _, e := range resp.Events {
			batch = append(batch, formatEvent(e))
		}
		log.events = append(log.events, batch...)
		log.responses = append(log.responses, batch)
	}
}

// check verifies the watch guarantees of one log against the model:
// ordered, unique, atomic, reliable (no gaps), bookmarkable, and an error
// only when the history the watcher needed was compacted.
func (log *watchLog) check(t *testing.T, m *model, until int64) {
	t.Helper()
	start := log.opts.StartRev
	want := m.eventsFor(log.opts.Key, log.opts.End, start, until)
	got := log.events
	// reliable and unique: what was delivered is exactly a prefix of the
	// model's events (all of them, unless the watch ended early).
	if len(got) > len(want) || !slices.Equal(got, want[:len(got)]) {
		t.Fatalf("watch %+v: got events\n%s\nwant (a prefix of)\n%s", log.opts, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if log.err != nil {
		if log.err != ErrCompacted {
			t.Fatalf("watch %+v: unexpected error %v", log.opts, log.err)
		}
		// the next revision it needed must be compacted.
		next := start
		if len(got) > 0 {
			fmt.Sscanf(got[len(got)-1], "%d", &next)
			next++
		}
		if next > log.errCompactRev {
			t.Fatalf("watch %+v: ErrCompacted at compact revision %d, but it only needed revisions from %d", log.opts, log.errCompactRev, next)
		}
	}
	// atomic: a response holds whole revisions.
	seen := map[string]bool{}
	for _, batch := range log.responses {
		revs := map[string]bool{}
		for _, e := range batch {
			revs[strings.Fields(e)[0]] = true
		}
		for r := range revs {
			if seen[r] {
				t.Fatalf("watch %+v: revision %s split across responses", log.opts, r)
			}
			seen[r] = true
		}
	}
	// bookmarkable: a progress notification at R comes after every event at
	// or before R and before any event after R.
	for _, p := range log.progress {
		wantBefore := len(m.eventsFor(log.opts.Key, log.opts.End, start, p.rev))
		if p.delivered != wantBefore {
			t.Fatalf("watch %+v: progress at %d after %d events, want after %d", log.opts, p.rev, p.delivered, wantBefore)
		}
	}
}
