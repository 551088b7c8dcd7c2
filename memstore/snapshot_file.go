package memstore

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// snapshotFormat names the format Save writes, in its header.
const snapshotFormat = "memstore-snapshot/v1"

// snapshotHeader is the first JSON value of a saved snapshot.
type snapshotHeader struct {
	Format string `json:"format"`
	// Rev is the revision the snapshot was taken at, for the reader's
	// information: a loaded snapshot has revisions of its own.
	Rev  int64 `json:"rev"`
	Keys int   `json:"keys"`
}

// snapshotEntry is one key of a saved snapshot; Value is base64 in JSON.
type snapshotEntry struct {
	Key   string `json:"key"`
	Value []byte `json:"value"`
}

// Save writes the keys and values the snapshot holds at its revision —
// not their history, versions or TTLs — for LoadSnapshot: a JSON header
// line, then one JSON line per key in key order.
func (sn *Snapshot) Save(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	n, err := sn.Count("", rangeEndAll, 0)
	if err != nil {
		return err
	}
	if err := enc.Encode(snapshotHeader{Format: snapshotFormat, Rev: sn.rev, Keys: int(n)}); err != nil {
		return fmt.Errorf("memstore: save snapshot: %w", err)
	}
	var werr error
	if err := sn.Range("", rangeEndAll, 0, func(kv *KeyValue) bool {
		werr = enc.Encode(snapshotEntry{Key: kv.Key, Value: kv.Value})
		return werr == nil
	}); err != nil {
		return err
	}
	if werr != nil {
		return fmt.Errorf("memstore: save snapshot: %w", werr)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("memstore: save snapshot: %w", err)
	}
	return nil
}

// LoadSnapshot reads what Snapshot.Save wrote. The snapshot has the same
// keys and values, as if they had been written in one transaction to an
// empty store: its revisions are its own, not the saved store's. Restore
// it into a store to serve them.
func LoadSnapshot(r io.Reader) (*Snapshot, error) {
	dec := json.NewDecoder(bufio.NewReader(r))
	var h snapshotHeader
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("memstore: load snapshot: header: %w", err)
	}
	if h.Format != snapshotFormat {
		return nil, fmt.Errorf("memstore: load snapshot: format %q, want %q", h.Format, snapshotFormat)
	}
	ops := make([]Op, 0, h.Keys)
	seen := make(map[string]bool, h.Keys)
	for {
		var e snapshotEntry
		err := dec.Decode(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("memstore: load snapshot: key %d: %w", len(ops)+1, err)
		}
		if e.Key == "" || seen[e.Key] {
			return nil, fmt.Errorf("memstore: load snapshot: key %d: empty or repeated key %q", len(ops)+1, e.Key)
		}
		seen[e.Key] = true
		ops = append(ops, PutOp(e.Key, e.Value))
	}
	if len(ops) != h.Keys {
		return nil, fmt.Errorf("memstore: load snapshot: %d keys, the header says %d (truncated?)", len(ops), h.Keys)
	}
	s := New(Config{})
	defer s.Close()
	if len(ops) > 0 {
		if _, err := s.Txn(nil, ops); err != nil {
			return nil, fmt.Errorf("memstore: load snapshot: %w", err)
		}
	}
	return s.Snapshot()
}
