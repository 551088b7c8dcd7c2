package memstore

import "errors"

var (
	// ErrCompacted is returned for a read or watch below the compacted revision.
	ErrCompacted = errors.New("memstore: required revision has been compacted")
	// ErrFutureRev is returned for a read at a revision the store has not reached.
	ErrFutureRev = errors.New("memstore: required revision is a future revision")
	// ErrClosed is returned by every operation on a closed store.
	ErrClosed = errors.New("memstore: store is closed")
	// ErrEmptyKey is returned for an operation without a key.
	ErrEmptyKey = errors.New("memstore: key is not provided")
	// ErrDuplicateKey is returned when a transaction changes one key twice.
	ErrDuplicateKey = errors.New("memstore: duplicate key given in txn request")
)
