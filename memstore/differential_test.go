package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/apis/example"
	"k8s.io/apiserver/pkg/storage"

	"github.com/memkube/memkube/memstore/memstoretest"
)

// TestDifferentialAgainstEtcd applies the same random operations through
// storage.Interface to memstore and to upstream's etcd3 store over an
// embedded etcd — creates, conditional updates and deletes, gets and lists at
// every kind of resourceVersion, pages and continue tokens, compactions — and
// requires identical results: objects, resourceVersions, continue tokens,
// errors and their messages, and the events of watches started at random
// revisions. Both stores start at revision 1, so revisions must agree
// exactly.
func TestDifferentialAgainstEtcd(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprintf("Seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			runDifferential(t, seed)
		})
	}
}

// result is what one operation returned, comparable across stores.
type result struct {
	Obj    runtime.Object
	ErrStr string
}

func outcome(obj runtime.Object, err error) result {
	if err != nil {
		return result{ErrStr: fmt.Sprintf("%T: %v", unwrapStatus(err), err)}
	}
	return result{Obj: obj}
}

// unwrapStatus returns the error's type of interest (its status, if any).
func unwrapStatus(err error) any {
	var se *storage.StorageError
	if errors.As(err, &se) {
		return se.Code
	}
	return err
}

func runDifferential(t *testing.T, seed uint64) {
	ctx := t.Context()
	memIn := memstoretest.Memstore().New(t, memstoretest.DefaultConfig())
	etcdIn := memstoretest.Etcd().New(t, memstoretest.DefaultConfig())
	stores := []storage.Interface{memIn.Storage, etcdIn.Storage}
	compacts := []func(context.Context, *testing.T, string){memIn.Compact, etcdIn.Compact}

	r := rand.New(rand.NewPCG(seed, 42))
	keys := []string{"/pods/a/one", "/pods/a/two", "/pods/b/one", "/pods/b/two", "/pods/b/three"}
	var rev int64 = 1       // the revision both stores should be at
	var lastContinue string // a continue token both returned
	var compacted int64     // the last compaction
	rvs := func() string {
		switch r.IntN(6) {
		case 0:
			return ""
		case 1:
			return "0"
		case 2:
			return strconv.FormatInt(rev, 10)
		case 3:
			return strconv.FormatInt(rev+1+r.Int64N(3), 10) // future
		case 4:
			return "abc"
		}
		return strconv.FormatInt(1+r.Int64N(rev), 10) // past, maybe compacted
	}

	errs, oks := map[string]int{}, 0
	defer func() { t.Logf("%d operations succeeded; errors by kind: %v", oks, errs) }()
	for step := range 250 {
		key := keys[r.IntN(len(keys))]
		var desc string
		var do func(s storage.Interface) result
		switch op := r.IntN(10); op {
		case 0, 1:
			name := key[len("/pods/b/"):]
			pod := &example.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: key[6:7], Name: name, Labels: map[string]string{"v": strconv.Itoa(step)}}}
			desc = "Create " + key
			do = func(s storage.Interface) result {
				out := &example.Pod{}
				return outcome(out, s.Create(ctx, key, pod.DeepCopy(), out, 0))
			}
		case 2, 3:
			ignoreNotFound := r.IntN(2) == 0
			var pre *storage.Preconditions
			if r.IntN(3) == 0 {
				rv := strconv.FormatInt(1+r.Int64N(rev), 10)
				pre = &storage.Preconditions{ResourceVersion: &rv}
			}
			mode := r.IntN(4) // 0: no-op, 1: error, else: label change
			desc = fmt.Sprintf("GuaranteedUpdate %s ignoreNotFound=%v pre=%v mode=%d", key, ignoreNotFound, pre != nil, mode)
			do = func(s storage.Interface) result {
				out := &example.Pod{}
				err := s.GuaranteedUpdate(ctx, key, out, ignoreNotFound, pre, storage.SimpleUpdate(func(obj runtime.Object) (runtime.Object, error) {
					pod := obj.(*example.Pod)
					switch mode {
					case 0:
					case 1:
						return nil, errors.New("update refused")
					default:
						if pod.Name == "" {
							pod.Namespace, pod.Name = key[6:7], key[len("/pods/b/"):]
						}
						pod.Labels = map[string]string{"u": strconv.Itoa(step)}
					}
					return pod, nil
				}), nil)
				return outcome(out, err)
			}
		case 4:
			var pre *storage.Preconditions
			if r.IntN(2) == 0 {
				rv := strconv.FormatInt(1+r.Int64N(rev), 10)
				pre = &storage.Preconditions{ResourceVersion: &rv}
			}
			desc = fmt.Sprintf("Delete %s pre=%v", key, pre != nil)
			do = func(s storage.Interface) result {
				out := &example.Pod{}
				return outcome(out, s.Delete(ctx, key, out, pre, storage.ValidateAllObjectFunc, nil, storage.DeleteOptions{}))
			}
		case 5:
			opts := storage.GetOptions{ResourceVersion: rvs(), IgnoreNotFound: r.IntN(2) == 0}
			desc = fmt.Sprintf("Get %s %+v", key, opts)
			do = func(s storage.Interface) result {
				out := &example.Pod{}
				return outcome(out, s.Get(ctx, key, opts, out))
			}
		case 6, 7, 8:
			prefix := []string{"/pods/", "/pods/a", "/pods/b/"}[r.IntN(3)]
			pred := storage.Everything
			pred.Limit = int64(r.IntN(3))
			opts := storage.ListOptions{Recursive: true, ResourceVersion: rvs(), Predicate: pred}
			switch r.IntN(4) {
			case 0:
				opts.ResourceVersionMatch = metav1.ResourceVersionMatchExact
			case 1:
				opts.ResourceVersionMatch = metav1.ResourceVersionMatchNotOlderThan
			case 2:
				if lastContinue != "" {
					opts.ResourceVersion, opts.ResourceVersionMatch = "", ""
					opts.Predicate.Continue = lastContinue
					prefix = "/pods/"
				}
			}
			desc = fmt.Sprintf("GetList %s %+v", prefix, opts)
			do = func(s storage.Interface) result {
				out := &example.PodList{}
				return outcome(out, s.GetList(ctx, prefix, opts, out))
			}
		case 9:
			if rev-compacted < 3 {
				continue
			}
			at := compacted + 1 + r.Int64N(rev-compacted-1)
			for i := range stores {
				compacts[i](ctx, t, strconv.FormatInt(at, 10))
			}
			compacted = at
			rev++ // the compaction key's write
			continue
		}
		got := make([]result, len(stores))
		for i, s := range stores {
			got[i] = do(s)
		}
		if !reflect.DeepEqual(got[0], got[1]) {
			t.Fatalf("step %d: %s\nmemstore: %#v\netcd:     %#v", step, desc, got[0], got[1])
		}
		if l, ok := got[0].Obj.(*example.PodList); ok && l.Continue != "" {
			lastContinue = l.Continue
		}
		if got[0].ErrStr != "" {
			errs[got[0].ErrStr[:min(40, len(got[0].ErrStr))]]++
		} else {
			oks++
		}
		// follow the revision from what the stores report.
		if cur, err := stores[0].GetCurrentResourceVersion(ctx); err == nil {
			rev = int64(cur)
		}
	}

	// watches from random revisions see the same events.
	for range 5 {
		from := strconv.FormatInt(compacted+r.Int64N(rev-compacted+1), 10)
		if r.IntN(4) == 0 {
			from = "0"
		}
		var logs [2][]string
		for i, s := range stores {
			w, err := s.Watch(ctx, "/pods/", storage.ListOptions{ResourceVersion: from, Recursive: true, Predicate: storage.Everything})
			if err != nil {
				t.Fatalf("Watch from %s: %v", from, err)
			}
			logs[i] = drain(w)
		}
		if !reflect.DeepEqual(logs[0], logs[1]) {
			t.Fatalf("watch from %s:\nmemstore: %v\netcd:     %v", from, logs[0], logs[1])
		}
	}
}

// drain collects a watch's events until it has been quiet for a while.
func drain(w watch.Interface) []string {
	defer w.Stop()
	var out []string
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				return out
			}
			out = append(out, fmt.Sprintf("%s %#v", ev.Type, ev.Object))
		case <-time.After(300 * time.Millisecond):
			return out
		}
	}
}
