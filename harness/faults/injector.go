package faults

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"path"
	"slices"
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/utils/clock"

	"github.com/memkube/memkube/memstore"
)

// Injector holds the faults of one server. Its methods are safe for
// concurrent use; a test adds and removes faults while requests run.
type Injector struct {
	clock clock.Clock
	// codecs encode the metav1.Status of response actions.
	codecs serializer.CodecFactory

	// rules are the active HTTP faults in the order added, nil when there
	// are none: the filter's fast path is this one atomic load. Slices are
	// copy-on-write: replaced under mu, never changed once stored.
	rules atomic.Pointer[[]*Fault]
	// storage are the active storage faults, as rules.
	storage atomic.Pointer[[]*Fault]

	// mu guards rng, lastID, spent, every Fault's left and active, store,
	// and the replacement of rules and storage. memstore calls its hooks
	// (which lock mu) before it takes its own locks, and mu is never held
	// while calling into the store other than SetHooks (an atomic store).
	mu  sync.Mutex
	rng *rand.Rand
	// lastID is the id of the last fault added.
	lastID int64
	// spent are the faults added by AddSpec that have fired Count times,
	// in the order spent: they stay listed (Faults) until removed, for a
	// client of the admin endpoint has no *Fault to ask.
	spent []*Fault
	// store is the memstore of Attach; hooked are the operations whose
	// hooks are installed in it: those of the active storage faults.
	store  *memstore.Store
	hooked StorageOps
}

// New returns an injector without faults whose random draws (Probability,
// DelayBetween) come from seed.
func New(seed int64) *Injector {
	return NewWithClock(seed, clock.RealClock{})
}

// NewWithClock is New with the clock that times delays; tests of delays
// pass k8s.io/utils/clock/testing's fake clock.
func NewWithClock(seed int64, clk clock.Clock) *Injector {
	return &Injector{
		clock:  clk,
		codecs: newStatusCodecs(),
		rng:    rand.New(rand.NewPCG(uint64(seed), 0x6d656d6b756265)), // "memkube"
	}
}

// Fault is a rule added to an Injector.
type Fault struct {
	inj         *Injector
	id          int64
	rule        Rule        // an HTTP fault's rule
	storageRule StorageRule // a storage fault's rule
	isStorage   bool
	watchOnly   bool // the action applies to watches only
	keep        bool // added by AddSpec: listed once spent, until removed
	fired       atomic.Int64
	done        chan struct{}

	// left is how many more times the fault fires, or -1 for no limit;
	// active is false once the fault is spent or removed. Both are guarded
	// by inj.mu.
	left   int
	active bool
}

// ID is the fault's number: the injector numbers its faults 1, 2, 3, ...
// in the order added (HTTP and storage faults alike), and never reuses one.
func (f *Fault) ID() int64 { return f.id }

// Fired reports how many times the fault has fired so far. It suits
// polling (Gomega's Eventually(f.Fired)).
func (f *Fault) Fired() int { return int(f.fired.Load()) }

// Done is closed once the fault fires no more: it has fired Count times or
// it was removed (or the injector reset).
func (f *Fault) Done() <-chan struct{} { return f.done }

// String describes the fault for test failure messages.
func (f *Fault) String() string {
	if f.isStorage {
		return fmt.Sprintf("storage fault %+v (fired %d)", f.storageRule, f.Fired())
	}
	return fmt.Sprintf("fault %+v (fired %d)", f.rule, f.Fired())
}

// Add adds an HTTP fault: requests that match r get r.Action, from now
// until the fault has fired r.Count times or is removed. Faults apply in
// the order added (see Rule).
//
// Add panics on an invalid rule (no action, a malformed pattern, a Count
// or Probability out of range): rules are written in tests, and such a
// rule is a bug in the test, like a malformed regexp.MustCompile.
func (inj *Injector) Add(r Rule) *Fault {
	f, err := inj.addRule(r, false)
	if err != nil {
		panic("faults: " + err.Error())
	}
	return f
}

// addRule is Add, with an error for an invalid rule; keep is Fault.keep.
func (inj *Injector) addRule(r Rule, keep bool) (*Fault, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	r = r.clone()
	_, watchOnly := r.Action.(watchAction)
	f := &Fault{inj: inj, rule: r, watchOnly: watchOnly, keep: keep, done: make(chan struct{}), left: limit(r.Count), active: true}
	inj.mu.Lock()
	defer inj.mu.Unlock()
	inj.addLocked(&inj.rules, f)
	return f, nil
}

// ConflictOnNextUpdates answers the next n updates (verb update, not
// patch: kube-apiserver retries a patch's conflicts itself) that match r's
// matchers with 409 Conflict, as if another writer had just changed the
// object. r's Verbs, Count and Action are ignored. It panics if n < 1.
func (inj *Injector) ConflictOnNextUpdates(n int, r Rule) *Fault {
	if n < 1 {
		panic(fmt.Sprintf("faults: ConflictOnNextUpdates(%d)", n))
	}
	r.Verbs, r.Count, r.Action = []string{"update"}, n, Conflict()
	return inj.Add(r)
}

// Remove removes f; it does not fire after Remove returns (requests it
// has already fired on still get its action). Removing a fault twice, or
// a spent one, does nothing (but unlist a spent one of AddSpec).
func (inj *Injector) Remove(f *Fault) {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	inj.removeLocked(f)
	inj.spent = slices.DeleteFunc(inj.spent, func(g *Fault) bool { return g == f })
}

// Reset removes every fault. The random source is not reseeded.
func (inj *Injector) Reset() { inj.reset() }

// reset is Reset; it returns the faults it removed (Faults before it).
func (inj *Injector) reset() []*Fault {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	removed := inj.faultsLocked()
	for _, f := range removed {
		inj.removeLocked(f)
	}
	inj.spent = nil
	return removed
}

// Faults returns the injector's faults in the order added: the active
// ones, and the spent ones added by AddSpec that were not removed since.
func (inj *Injector) Faults() []*Fault {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	return inj.faultsLocked()
}

func (inj *Injector) faultsLocked() []*Fault {
	var faults []*Fault
	for _, list := range []*atomic.Pointer[[]*Fault]{&inj.rules, &inj.storage} {
		if l := list.Load(); l != nil {
			faults = append(faults, *l...)
		}
	}
	faults = append(faults, inj.spent...)
	slices.SortFunc(faults, func(a, b *Fault) int { return cmp.Compare(a.id, b.id) })
	return faults
}

// removeLocked stops an active fault.
func (inj *Injector) removeLocked(f *Fault) {
	if f.inj != inj || !f.active {
		return
	}
	f.active = false
	close(f.done)
	list := &inj.rules
	if f.isStorage {
		list = &inj.storage
	}
	faults := slices.DeleteFunc(slices.Clone(*list.Load()), func(g *Fault) bool { return g == f })
	if len(faults) == 0 {
		list.Store(nil)
	} else {
		list.Store(&faults)
	}
	if f.isStorage {
		inj.installHooksLocked()
	}
}

// addLocked numbers f and appends it to list.
func (inj *Injector) addLocked(list *atomic.Pointer[[]*Fault], f *Fault) {
	inj.lastID++
	f.id = inj.lastID
	var faults []*Fault
	if old := list.Load(); old != nil {
		faults = slices.Clone(*old)
	}
	faults = append(faults, f)
	list.Store(&faults)
}

// fireLocked decides whether f, which matches an operation, fires on it:
// it is still active and, with a Probability strictly between 0 and 1, the
// random draw says so. Spent faults are removed.
func (inj *Injector) fireLocked(f *Fault, probability float64) bool {
	if !f.active {
		return false
	}
	if probability > 0 && probability < 1 && inj.rng.Float64() >= probability {
		return false
	}
	f.fired.Add(1)
	if f.left > 0 {
		f.left--
		if f.left == 0 {
			inj.removeLocked(f)
			if f.keep {
				inj.spent = append(inj.spent, f)
			}
		}
	}
	return true
}

// limit is a fault's initial left: Count, or -1 (no limit) for 0.
func limit(count int) int {
	if count == 0 {
		return -1
	}
	return count
}

func validateCountAndProbability(count int, probability float64) error {
	if count < 0 {
		return fmt.Errorf("negative Count %d", count)
	}
	if !(probability >= 0 && probability <= 1) { // NaN too
		return fmt.Errorf("Probability %v outside [0, 1]", probability)
	}
	return nil
}

func validatePatterns(field string, patterns []string) error {
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("%s pattern %q: %w", field, p, err)
		}
	}
	return nil
}

// matchAny reports whether s matches one of patterns; no patterns match
// anything.
func matchAny(patterns []string, s string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if ok, _ := path.Match(p, s); ok { // patterns are validated by Add
			return true
		}
	}
	return false
}
