package memstore

import (
	"fmt"
	"testing"
)

func kvAt(main int64) *KeyValue { return &KeyValue{Key: "foo", ModRevision: main} }

// TestKeyIndexCompact follows the worked example in keyIndex's doc.
func TestKeyIndexCompact(t *testing.T) {
	build := func() *keyIndex {
		ki := newKeyIndex("foo", 0)
		for _, m := range []int64{1, 2, 3} {
			ki.put(Revision{Main: m}, kvAt(m))
		}
		ki.tombstone(Revision{Main: 4})
		ki.put(Revision{Main: 5}, kvAt(5))
		ki.put(Revision{Main: 6}, kvAt(6))
		return ki
	}
	revs := func(ki *keyIndex) [][]int64 {
		var out [][]int64
		for _, g := range ki.generations {
			var gr []int64
			for _, r := range g.revs {
				gr = append(gr, r.rev.Main)
			}
			out = append(out, gr)
		}
		return out
	}
	tests := []struct {
		at        int64
		want      string
		wantEmpty bool
	}{
		{at: 1, want: "[[1 2 3 4] [5 6]]"},
		{at: 2, want: "[[2 3 4] [5 6]]"},
		{at: 3, want: "[[3 4] [5 6]]"},
		{at: 4, want: "[[5 6]]"},
		{at: 5, want: "[[5 6]]"},
		{at: 7, want: "[[6]]"},
	}
	for _, tt := range tests {
		ki := build()
		if empty := ki.compact(tt.at); empty != tt.wantEmpty {
			t.Errorf("compact(%d) empty = %v, want %v", tt.at, empty, tt.wantEmpty)
		}
		if got := fmt.Sprint(revs(ki)); got != tt.want {
			t.Errorf("compact(%d): got generations %s, want %s", tt.at, got, tt.want)
		}
	}
}

func TestKeyIndexGet(t *testing.T) {
	ki := newKeyIndex("foo", 0)
	ki.put(Revision{Main: 2}, kvAt(2))
	ki.put(Revision{Main: 4}, kvAt(4))
	ki.tombstone(Revision{Main: 6})
	ki.put(Revision{Main: 8}, kvAt(8))
	for at, want := range map[int64]int64{1: 0, 2: 2, 3: 2, 4: 4, 5: 4, 6: 0, 7: 0, 8: 8, 100: 8} {
		var got int64
		if kv := ki.get(at); kv != nil {
			got = kv.ModRevision
		}
		if got != want {
			t.Errorf("get(%d): got version of %d, want %d (0: none)", at, got, want)
		}
	}
	if empty := ki.compact(7); empty {
		t.Fatal("compact(7) emptied a live key")
	}
	if kv := ki.get(7); kv != nil {
		t.Errorf("after compact(7), get(7) = %v, want nil", kv)
	}
	ki.tombstone(Revision{Main: 9})
	if empty := ki.compact(9); !empty {
		t.Errorf("compact(9) of a key deleted at 9: got generations %v, want empty", ki.generations)
	}
}
