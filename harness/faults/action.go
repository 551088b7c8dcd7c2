package faults

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/endpoints/request"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
)

// Action is what a fault does to a request: respond with an error, delay
// it, or break its watch stream. Actions are built by this package's
// functions (Conflict, Delay, CloseWatchAfter, ...).
type Action interface {
	// apply adds the action to p when its fault fires. It runs with the
	// injector's mu held: rng is the injector's seeded source.
	apply(p *plan, rng *rand.Rand)
	validate() error
	// spec is the action in its serializable form (Spec).
	spec() ActionSpec
}

// watchAction is an Action on watch streams; its rules match watches only.
type watchAction interface {
	Action
	watchStream()
}

// plan is what the faults that fired on a request do to it.
type plan struct {
	delay time.Duration
	// respond, if set, is the error the request is answered with.
	respond func(*request.RequestInfo) error
	// closeAfter is the number of watch events after which the stream
	// ends; -1 for never.
	closeAfter int
	// stall delays every watch event.
	stall time.Duration
	// noBookmarks withholds the bookmarks of plain watches.
	noBookmarks bool
}

func (p *plan) watches() bool { return p.closeAfter >= 0 || p.stall > 0 }

// InjectedMessage is the message of the errors this package makes up
// (InternalError, ServiceUnavailable): kube-apiserver has no one message
// for them, and a test log should show that the error was injected.
const InjectedMessage = "fault injected by memkube"

// respond answers with the error err returns; name is for String.
type respond struct {
	name string
	as   ActionSpec
	err  func(*request.RequestInfo) error
}

func (a respond) apply(p *plan, _ *rand.Rand) { p.respond = a.err }
func (respond) validate() error               { return nil }
func (a respond) spec() ActionSpec            { return a.as }
func (a respond) String() string              { return a.name }

// Error answers the request with err, as a REST handler that returned it:
// an apierrors.APIStatus (apierrors.NewForbidden, NewNotFound, ...) is
// sent as its Status, any other error as a 500 with the error's text.
func Error(err error) Action {
	if err == nil {
		return invalid("Error(nil)")
	}
	return respond{fmt.Sprintf("Error(%v)", err), statusSpec(err), func(*request.RequestInfo) error { return err }}
}

// statusSpec describes the Status that responsewriters sends for err.
func statusSpec(err error) ActionSpec {
	var s apierrors.APIStatus
	if !errors.As(err, &s) {
		return ActionSpec{Type: ActionStatus, Code: http.StatusInternalServerError, Message: err.Error()}
	}
	st := s.Status()
	if st.Code == 0 && st.Status != metav1.StatusSuccess {
		st.Code = http.StatusInternalServerError
	}
	as := ActionSpec{Type: ActionStatus, Code: st.Code, Reason: st.Reason, Message: st.Message}
	if st.Details != nil {
		as.RetryAfterSeconds = int(st.Details.RetryAfterSeconds)
	}
	return as
}

// Conflict answers 409 Conflict, as kube-apiserver answers an update with
// a stale resourceVersion: "Operation cannot be fulfilled on
// deployments.apps "web": the object has been modified; please apply your
// changes to the latest version and try again", with the request's group,
// resource and name.
func Conflict() Action {
	return respond{"Conflict()", ActionSpec{Type: ActionConflict}, func(info *request.RequestInfo) error {
		gr := schema.GroupResource{Group: info.APIGroup, Resource: info.Resource}
		return apierrors.NewConflict(gr, info.Name, errors.New(genericregistry.OptimisticLockErrorMsg))
	}}
}

// TooManyRequests answers 429 Too Many Requests, with a Retry-After header
// of retryAfterSeconds when positive, as API Priority and Fairness rejects
// a request it cannot queue (APF's message; APF writes it as text, this as
// a Status, which clients read the same way). client-go retries a 429 that
// has a Retry-After, up to 10 times, after sleeping that long; without
// one, the caller gets the error at once.
func TooManyRequests(retryAfterSeconds int) Action {
	if retryAfterSeconds < 0 {
		return invalid(fmt.Sprintf("TooManyRequests(%d)", retryAfterSeconds))
	}
	as := ActionSpec{Type: ActionTooManyRequests, RetryAfterSeconds: retryAfterSeconds}
	return respond{fmt.Sprintf("TooManyRequests(%d)", retryAfterSeconds), as, func(*request.RequestInfo) error {
		return apierrors.NewTooManyRequests("Too many requests, please try again later.", retryAfterSeconds)
	}}
}

// InternalError answers 500 Internal Server Error, reason InternalError:
// "Internal error occurred: fault injected by memkube".
func InternalError() Action {
	return respond{"InternalError()", ActionSpec{Type: ActionInternalError}, func(*request.RequestInfo) error {
		return apierrors.NewInternalError(errors.New(InjectedMessage))
	}}
}

// ServiceUnavailable answers 503 Service Unavailable, reason
// ServiceUnavailable, message InjectedMessage.
func ServiceUnavailable() Action {
	return respond{"ServiceUnavailable()", ActionSpec{Type: ActionServiceUnavailable}, func(*request.RequestInfo) error {
		return apierrors.NewServiceUnavailable(InjectedMessage)
	}}
}

// Timeout answers 504 Gateway Timeout, reason Timeout, as kube-apiserver
// answers a request whose deadline passed in its REST handler (the
// finisher's "Timeout: request did not complete within requested timeout
// - context deadline exceeded"). The request is not handed on, so nothing
// changed; see the package doc's gaps.
//
// kube-apiserver's other timeout, its timeout filter's, sends "Timeout:
// request did not complete within the allotted timeout" as JSON without a
// Content-Type (net/http then says text/plain), which client-go over a
// socket reports by its code only ("the server was unable to return a
// response in the time allotted, but may still be processing the
// request"). To get that one, Delay the request past the server's request
// timeout: the real filter answers.
func Timeout() Action {
	return respond{"Timeout()", ActionSpec{Type: ActionTimeout}, func(*request.RequestInfo) error {
		return apierrors.NewTimeoutError("request did not complete within requested timeout - context deadline exceeded", 0)
	}}
}

type delay struct{ min, max time.Duration }

func (a delay) apply(p *plan, rng *rand.Rand) {
	d := a.min
	if a.max > a.min {
		d += time.Duration(rng.Int64N(int64(a.max-a.min) + 1))
	}
	p.delay += d
}

func (a delay) String() string {
	if a.min == a.max {
		return fmt.Sprintf("Delay(%v)", a.min)
	}
	return fmt.Sprintf("DelayBetween(%v, %v)", a.min, a.max)
}

func (a delay) spec() ActionSpec {
	if a.min == a.max {
		return ActionSpec{Type: ActionDelay, Duration: &metav1.Duration{Duration: a.min}}
	}
	return ActionSpec{Type: ActionDelayBetween, Min: &metav1.Duration{Duration: a.min}, Max: &metav1.Duration{Duration: a.max}}
}

func (a delay) validate() error {
	if a.min < 0 || a.max < a.min {
		return fmt.Errorf("delay between %v and %v", a.min, a.max)
	}
	return nil
}

// Delay holds the request for d, then hands it on (or lets the next
// matching rule answer it). On a server, the request's deadline and the
// timeout filter run outside the faults filter: a delay past them gets
// kube-apiserver's own 504.
func Delay(d time.Duration) Action { return delay{d, d} }

// DelayBetween is Delay for a duration drawn uniformly from [min, max]
// from the injector's seeded source.
func DelayBetween(min, max time.Duration) Action { return delay{min, max} }

type closeWatch int

func (a closeWatch) apply(p *plan, _ *rand.Rand) {
	if p.closeAfter < 0 || int(a) < p.closeAfter {
		p.closeAfter = int(a)
	}
}

func (a closeWatch) validate() error {
	if a < 0 {
		return fmt.Errorf("CloseWatchAfter(%d)", int(a))
	}
	return nil
}

func (a closeWatch) spec() ActionSpec {
	n := int(a)
	return ActionSpec{Type: ActionCloseWatchAfter, Events: &n}
}

func (closeWatch) watchStream()     {}
func (a closeWatch) String() string { return fmt.Sprintf("CloseWatchAfter(%d)", int(a)) }

// CloseWatchAfter ends the watch stream after its first n events
// (bookmarks included; 0 ends it before any): the response ends cleanly,
// as when kube-apiserver ends a watch at its timeout, and clients watch
// again from the last resourceVersion they saw (client-go's reflector
// does). It matches watch requests only.
//
// The filter counts the frames the watch handler writes (one write per
// event; two, length and message, in protobuf), then cancels the
// request's context, which ends the handler, and drops what it writes
// meanwhile.
// Rejected: wrapping the watch.Interface (not reachable from an HTTP
// filter) and counting Flush calls (the handler flushes only when no
// other event is queued).
func CloseWatchAfter(n int) Action { return closeWatch(n) }

type withholdBookmarks struct{}

func (withholdBookmarks) apply(p *plan, _ *rand.Rand) { p.noBookmarks = true }
func (withholdBookmarks) validate() error             { return nil }
func (withholdBookmarks) spec() ActionSpec            { return ActionSpec{Type: ActionWithholdBookmarks} }
func (withholdBookmarks) watchStream()                {}
func (withholdBookmarks) String() string              { return "WithholdBookmarks()" }

// WithholdBookmarks makes the server send no bookmarks on matching
// watches, as a server may (bookmarks are best effort): the watch is
// served as if the client had not set allowWatchBookmarks. A watch-list
// request (sendInitialEvents) is left alone: its initial-events-end
// bookmark is part of the protocol, and without allowWatchBookmarks
// kube-apiserver refuses the request. It matches watch requests only.
// Rejected: dropping bookmark frames from the stream (their encoding
// differs per content type, and the server's own resourceVersion
// bookkeeping would still count them).
func WithholdBookmarks() Action { return withholdBookmarks{} }

type stallWatch time.Duration

func (a stallWatch) apply(p *plan, _ *rand.Rand) { p.stall += time.Duration(a) }

func (a stallWatch) validate() error {
	if a <= 0 {
		return fmt.Errorf("StallWatch(%v)", time.Duration(a))
	}
	return nil
}

func (a stallWatch) spec() ActionSpec {
	return ActionSpec{Type: ActionStallWatch, Duration: &metav1.Duration{Duration: time.Duration(a)}}
}

func (stallWatch) watchStream()     {}
func (a stallWatch) String() string { return fmt.Sprintf("StallWatch(%v)", time.Duration(a)) }

// StallWatch delays every event of the watch stream by d, as a slow
// network or client would: events queue up behind it on the server, and
// when they fill its buffer the watch cache may end the watcher, as it
// ends unresponsive watchers in production. It matches watch requests
// only.
func StallWatch(d time.Duration) Action { return stallWatch(d) }

// invalid is an Action that fails Add's validation.
type invalid string

func (invalid) apply(*plan, *rand.Rand) {}
func (invalid) spec() ActionSpec        { return ActionSpec{} }
func (a invalid) validate() error       { return errors.New("invalid action " + string(a)) }
