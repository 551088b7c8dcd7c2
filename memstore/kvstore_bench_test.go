package memstore

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

var benchKeyCounts = []int{1_000, 100_000}

// benchStore returns a store holding n keys of 1 KiB values and the keys.
func benchStore(b *testing.B, n int) (*Store, []string) {
	b.Helper()
	s := New(Config{})
	b.Cleanup(s.Close)
	keys := make([]string, n)
	value := make([]byte, 1024)
	for i := range keys {
		keys[i] = fmt.Sprintf("/registry/pods/ns-%03d/pod-%07d", i%100, i)
		if _, err := s.Put(keys[i], value); err != nil {
			b.Fatal(err)
		}
	}
	return s, keys
}

func BenchmarkPut(b *testing.B) {
	for _, n := range benchKeyCounts {
		b.Run(fmt.Sprintf("Keys=%d", n), func(b *testing.B) {
			s, keys := benchStore(b, n)
			value := make([]byte, 1024)
			r := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Put(keys[r.IntN(len(keys))], value); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPutParallel(b *testing.B) {
	for _, n := range benchKeyCounts {
		b.Run(fmt.Sprintf("Keys=%d/Parallel=8", n), func(b *testing.B) {
			s, keys := benchStore(b, n)
			value := make([]byte, 1024)
			b.SetParallelism(8)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(rand.Uint64(), 2))
				for pb.Next() {
					if _, err := s.Put(keys[r.IntN(len(keys))], value); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func BenchmarkGet(b *testing.B) {
	for _, n := range benchKeyCounts {
		b.Run(fmt.Sprintf("Keys=%d", n), func(b *testing.B) {
			s, keys := benchStore(b, n)
			r := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if kv, _, err := s.Get(keys[r.IntN(len(keys))], 0); err != nil || kv == nil {
					b.Fatal(kv, err)
				}
			}
		})
	}
}

// BenchmarkRange reads one namespace's keys (1% of the store) from a snapshot.
func BenchmarkRange(b *testing.B) {
	for _, n := range benchKeyCounts {
		b.Run(fmt.Sprintf("Keys=%d/Range=%d", n, n/100), func(b *testing.B) {
			s, _ := benchStore(b, n)
			prefix := "/registry/pods/ns-042/"
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				sn, err := s.Snapshot()
				if err != nil {
					b.Fatal(err)
				}
				got := 0
				if err := sn.Range(prefix, PrefixEnd(prefix), 0, func(*KeyValue) bool { got++; return true }); err != nil || got != n/100 {
					b.Fatal(got, err)
				}
			}
		})
	}
}

// BenchmarkSnapshot takes a snapshot and then writes one key, which pays the
// copy-on-write of the touched path and key entry.
func BenchmarkSnapshot(b *testing.B) {
	for _, n := range benchKeyCounts {
		b.Run(fmt.Sprintf("Keys=%d", n), func(b *testing.B) {
			s, keys := benchStore(b, n)
			value := make([]byte, 1024)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := s.Snapshot(); err != nil {
					b.Fatal(err)
				}
				if _, err := s.Put(keys[i%len(keys)], value); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWatchFanOut measures one write delivered to every watcher of its
// prefix, received by each.
func BenchmarkWatchFanOut(b *testing.B) {
	for _, watchers := range []int{10, 1_000} {
		b.Run(fmt.Sprintf("Keys=1000/Watchers=%d", watchers), func(b *testing.B) {
			s, keys := benchStore(b, 1_000)
			ws := make([]*Watcher, watchers)
			for i := range ws {
				w, err := s.Watch(b.Context(), WatchOptions{Key: "/registry/pods/", End: PrefixEnd("/registry/pods/")})
				if err != nil {
					b.Fatal(err)
				}
				ws[i] = w
			}
			value := make([]byte, 1024)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := s.Put(keys[i%len(keys)], value); err != nil {
					b.Fatal(err)
				}
				for _, w := range ws {
					if resp := <-w.Chan(); len(resp.Events) != 1 {
						b.Fatalf("got %+v", resp)
					}
				}
			}
		})
	}
}
