package memstore

import "fmt"

// Revision is a point in the store's history. Main grows by one for every write
// transaction that changes something; Sub numbers the changes inside that
// transaction, from 0. A fresh store is at Main 1 with nothing written, like
// etcd: the first write happens at Main 2.
type Revision struct {
	Main int64
	Sub  int64
}

// GreaterThan reports whether a is later than b.
func (a Revision) GreaterThan(b Revision) bool {
	if a.Main != b.Main {
		return a.Main > b.Main
	}
	return a.Sub > b.Sub
}

func (a Revision) String() string { return fmt.Sprintf("%d.%d", a.Main, a.Sub) }
