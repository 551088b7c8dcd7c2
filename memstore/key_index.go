package memstore

import (
	"fmt"
	"sort"

	"k8s.io/utils/third_party/forked/golang/btree"
)

// KeyValue is one version of a key. Values handed out by the store are shared
// and must not be modified.
type KeyValue struct {
	Key   string
	Value []byte
	// CreateRevision is the Main revision of the put that created this
	// generation of the key; ModRevision that of the put that wrote this version.
	CreateRevision int64
	ModRevision    int64
	// Version counts the puts in this generation: 1 for a create.
	Version int64
}

// keyIndex holds every live version of one key, grouped in generations.
// A generation runs from a create to a delete (its tombstone); the last
// generation is open, or empty when the key is currently deleted.
//
// For example, key "foo" put at 1.0, 2.0 and 3.0, deleted at 4.0 (a tombstone),
// then put at 5.0 and 6.0 has these generations:
//
//	generations:
//	  {5.0, 6.0}        open: ver 2, created 5
//	  {1.0, 2.0, 3.0, 4.0(t)}
//
// Compacting at 5 keeps, per generation, the largest revision ≤ 5 and all later
// ones, and drops generations whose tombstone is ≤ 5:
//
//	generations:
//	  {5.0, 6.0}
//
// Compacting at 3 instead would keep {3.0, 4.0(t)} and {5.0, 6.0}; reads at 3
// then still find the value written at 3.0.
type keyIndex struct {
	key         string
	modified    Revision  // the last change, put or tombstone
	cur         *KeyValue // the current version, nil when deleted: saves walking generations on every write
	generations []generation
	// owner is the store epoch that may mutate this keyIndex in place. A
	// snapshot bumps the store epoch, so writers copy a keyIndex shared with
	// a snapshot before changing it (copy-on-write).
	owner uint64
}

type generation struct {
	ver     int64
	created Revision
	revs    []revisionValue // ascending; the last one is a tombstone in a closed generation
}

// revisionValue is one change of a key: kv is nil for a tombstone.
type revisionValue struct {
	rev Revision
	kv  *KeyValue
}

func (g *generation) isEmpty() bool { return len(g.revs) == 0 }

func newKeyIndex(key string, owner uint64) *keyIndex {
	return &keyIndex{key: key, generations: []generation{{}}, owner: owner}
}

// indexItem is a B-tree entry. The key is kept inline, next to its
// neighbours in the node, so a lookup compares keys without first loading
// each keyIndex (half the cache misses of a tree of *keyIndex).
type indexItem struct {
	key string
	ki  *keyIndex
}

func indexItemLess(a, b indexItem) bool { return a.key < b.key }

// keyIndexTree is the key index: key → keyIndex, in key order.
type keyIndexTree = btree.BTree[indexItem]

// lookup returns the keyIndex of key, nil if none.
func lookup(t *keyIndexTree, key string) *keyIndex {
	it, _ := t.Get(indexItem{key: key})
	return it.ki
}

// clone copies ki for the writer epoch owner. Revision slices are copied too:
// compaction trims them in place.
func (ki *keyIndex) clone(owner uint64) *keyIndex {
	c := &keyIndex{key: ki.key, modified: ki.modified, cur: ki.cur, owner: owner, generations: make([]generation, len(ki.generations))}
	for i, g := range ki.generations {
		c.generations[i] = generation{ver: g.ver, created: g.created, revs: append([]revisionValue(nil), g.revs...)}
	}
	return c
}

// put records a new version of the key at rev.
func (ki *keyIndex) put(rev Revision, kv *KeyValue) {
	if !rev.GreaterThan(ki.modified) {
		panic(fmt.Sprintf("memstore: put of %q at %v is not after the last change %v", ki.key, rev, ki.modified))
	}
	g := &ki.generations[len(ki.generations)-1]
	if g.isEmpty() {
		g.created = rev
	}
	g.revs = append(g.revs, revisionValue{rev: rev, kv: kv})
	g.ver++
	ki.modified = rev
	ki.cur = kv
}

// tombstone closes the current generation with a delete at rev.
func (ki *keyIndex) tombstone(rev Revision) {
	if ki.current() == nil {
		panic(fmt.Sprintf("memstore: tombstone of %q, which does not exist", ki.key))
	}
	ki.put(rev, nil)
	ki.generations = append(ki.generations, generation{})
}

// current returns the latest version, or nil when the key is deleted.
func (ki *keyIndex) current() *KeyValue { return ki.cur }

// get returns the version visible at Main revision atRev, or nil when the key
// did not exist then.
func (ki *keyIndex) get(atRev int64) *KeyValue {
	for i := len(ki.generations) - 1; i >= 0; i-- {
		g := &ki.generations[i]
		if g.isEmpty() || g.revs[0].rev.Main > atRev {
			continue
		}
		// the last revision ≤ atRev in this generation; a tombstone means deleted.
		n := sort.Search(len(g.revs), func(j int) bool { return g.revs[j].rev.Main > atRev })
		return g.revs[n-1].kv
	}
	return nil
}

// compact drops the versions no read at or after atRev can see. It reports
// whether nothing is left, so the key can leave the index.
func (ki *keyIndex) compact(atRev int64) (empty bool) {
	// find the first generation that includes atRev or was created after it.
	genIdx := 0
	for genIdx < len(ki.generations)-1 {
		g := &ki.generations[genIdx]
		if tomb := g.revs[len(g.revs)-1].rev.Main; tomb >= atRev {
			break
		}
		genIdx++
	}
	g := &ki.generations[genIdx]
	if !g.isEmpty() {
		// keep the largest revision ≤ atRev and everything after it.
		n := sort.Search(len(g.revs), func(j int) bool { return g.revs[j].rev.Main > atRev })
		if n > 1 {
			// copy rather than reslice, so the dropped values can be freed.
			g.revs = append([]revisionValue(nil), g.revs[n-1:]...)
		}
		// a closed generation reduced to its tombstone is gone.
		if len(g.revs) == 1 && g.revs[0].kv == nil && genIdx != len(ki.generations)-1 {
			genIdx++
		}
	}
	ki.generations = ki.generations[genIdx:]
	return len(ki.generations) == 1 && ki.generations[0].isEmpty()
}
