package faults

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Spec is a fault in a form that serializes to JSON (and YAML): what the
// admin endpoint (Handler) takes and shows. It is an HTTP fault, Rule's
// matchers, Count, Probability and Action, or a storage fault, Storage,
// Count and Probability:
//
//	{"verbs": ["update"], "resources": ["configmaps"], "count": 2, "action": {"type": "Conflict"}}
//	{"storage": {"ops": ["writes"], "error": "etcdserver: mvcc: database space exceeded"}}
//
// ConflictOnNextUpdates(n, r) is r's matchers with "verbs": ["update"],
// "count": n and a Conflict action.
type Spec struct {
	Verbs      []string `json:"verbs,omitempty"`
	Groups     []string `json:"groups,omitempty"`
	Resources  []string `json:"resources,omitempty"`
	Namespaces []string `json:"namespaces,omitempty"`
	Names      []string `json:"names,omitempty"`
	Users      []string `json:"users,omitempty"`
	UserGroups []string `json:"userGroups,omitempty"`
	Paths      []string `json:"paths,omitempty"`

	Count       int     `json:"count,omitempty"`
	Probability float64 `json:"probability,omitempty"`

	// Action makes the spec an HTTP fault, Storage a storage fault; a
	// spec has one of them.
	Action  *ActionSpec  `json:"action,omitempty"`
	Storage *StorageSpec `json:"storage,omitempty"`
}

// ActionSpec is an Action: Type names it, and its other fields are the
// arguments of the function of that name, those it takes only.
//
//	{"type": "Conflict"}
//	{"type": "TooManyRequests", "retryAfterSeconds": 1}       (retryAfterSeconds optional)
//	{"type": "InternalError"}
//	{"type": "ServiceUnavailable"}
//	{"type": "Timeout"}
//	{"type": "Status", "code": 403, "reason": "Forbidden", "message": "no", "retryAfterSeconds": 1}
//	{"type": "Delay", "duration": "200ms"}
//	{"type": "DelayBetween", "min": "50ms", "max": "250ms"}
//	{"type": "CloseWatchAfter", "events": 3}
//	{"type": "StallWatch", "duration": "2s"}
//	{"type": "WithholdBookmarks"}
//
// Status is Error with an apierrors.StatusError: code (400-599) is
// required; reason defaults to the one client-go infers from the code
// (apierrors.NewGenericServerResponse's), message to InjectedMessage. An
// Error action added in Go shows as the Status it sends.
type ActionSpec struct {
	Type              string              `json:"type"`
	RetryAfterSeconds int                 `json:"retryAfterSeconds,omitempty"`
	Duration          *metav1.Duration    `json:"duration,omitempty"`
	Min               *metav1.Duration    `json:"min,omitempty"`
	Max               *metav1.Duration    `json:"max,omitempty"`
	Events            *int                `json:"events,omitempty"`
	Code              int32               `json:"code,omitempty"`
	Reason            metav1.StatusReason `json:"reason,omitempty"`
	Message           string              `json:"message,omitempty"`
}

// The types of ActionSpec.
const (
	ActionConflict           = "Conflict"
	ActionTooManyRequests    = "TooManyRequests"
	ActionInternalError      = "InternalError"
	ActionServiceUnavailable = "ServiceUnavailable"
	ActionTimeout            = "Timeout"
	ActionStatus             = "Status"
	ActionDelay              = "Delay"
	ActionDelayBetween       = "DelayBetween"
	ActionCloseWatchAfter    = "CloseWatchAfter"
	ActionStallWatch         = "StallWatch"
	ActionWithholdBookmarks  = "WithholdBookmarks"
)

// actionTypes are the types of ActionSpec in the order documented, each
// with the fields it takes.
var actionTypes = []actionType{
	{ActionConflict, nil},
	{ActionTooManyRequests, []string{"retryAfterSeconds"}},
	{ActionInternalError, nil},
	{ActionServiceUnavailable, nil},
	{ActionTimeout, nil},
	{ActionStatus, []string{"code", "reason", "message", "retryAfterSeconds"}},
	{ActionDelay, []string{"duration"}},
	{ActionDelayBetween, []string{"min", "max"}},
	{ActionCloseWatchAfter, []string{"events"}},
	{ActionStallWatch, []string{"duration"}},
	{ActionWithholdBookmarks, nil},
}

type actionType struct {
	name   string
	fields []string
}

// StorageSpec is a StorageRule; Count and Probability are the Spec's.
type StorageSpec struct {
	// Ops are "reads", "writes" and "watches" (StorageOps); none means all.
	Ops []string `json:"ops,omitempty"`
	// Error is the operations' error message; "" means
	// ErrStorageUnavailable's.
	Error string `json:"error,omitempty"`
}

// storageOps name the StorageOps in StorageSpec.
var storageOps = []storageOp{{"reads", StorageReads}, {"writes", StorageWrites}, {"watches", StorageWatches}}

type storageOp struct {
	name string
	op   StorageOps
}

// AddSpec adds the fault s describes, as Add or AddStorage, or returns why
// it cannot: an invalid spec, or ErrNoStore for a storage fault without a
// store. Unlike Add's, its faults stay listed in Faults once spent, until
// removed: the admin endpoint's clients have no *Fault to ask.
func (inj *Injector) AddSpec(s Spec) (*Fault, error) {
	switch {
	case s.Action != nil && s.Storage != nil:
		return nil, errors.New("a fault has an action or a storage, not both")
	case s.Storage != nil:
		if m := s.matchers(); m != "" {
			return nil, fmt.Errorf("%s: storage faults match operations, not requests", m)
		}
		r, err := s.Storage.rule()
		if err != nil {
			return nil, err
		}
		r.Count, r.Probability = s.Count, s.Probability
		return inj.addStorage(r, true)
	case s.Action != nil:
		a, err := s.Action.action()
		if err != nil {
			return nil, err
		}
		return inj.addRule(Rule{
			Verbs: s.Verbs, Groups: s.Groups, Resources: s.Resources, Namespaces: s.Namespaces,
			Names: s.Names, Users: s.Users, UserGroups: s.UserGroups, Paths: s.Paths,
			Count: s.Count, Probability: s.Probability, Action: a,
		}, true)
	}
	return nil, errors.New("a fault needs an action or a storage")
}

// matchers names the first request matcher s sets, or is "".
func (s *Spec) matchers() string {
	for _, m := range []struct {
		name string
		set  []string
	}{
		{"verbs", s.Verbs}, {"groups", s.Groups}, {"resources", s.Resources}, {"namespaces", s.Namespaces},
		{"names", s.Names}, {"users", s.Users}, {"userGroups", s.UserGroups}, {"paths", s.Paths},
	} {
		if len(m.set) > 0 {
			return m.name
		}
	}
	return ""
}

// action is the Action a describes.
func (a *ActionSpec) action() (Action, error) {
	i := slices.IndexFunc(actionTypes, func(t actionType) bool { return t.name == a.Type })
	if i < 0 {
		names := make([]string, len(actionTypes))
		for i, t := range actionTypes {
			names[i] = t.name
		}
		return nil, fmt.Errorf("unknown action type %q, want one of %s", a.Type, strings.Join(names, ", "))
	}
	for _, f := range a.fields() {
		if !slices.Contains(actionTypes[i].fields, f) {
			return nil, fmt.Errorf("action %s takes no %s", a.Type, f)
		}
	}
	if a.RetryAfterSeconds < 0 {
		return nil, fmt.Errorf("negative retryAfterSeconds %d", a.RetryAfterSeconds)
	}
	switch a.Type {
	case ActionConflict:
		return Conflict(), nil
	case ActionTooManyRequests:
		return TooManyRequests(a.RetryAfterSeconds), nil
	case ActionInternalError:
		return InternalError(), nil
	case ActionServiceUnavailable:
		return ServiceUnavailable(), nil
	case ActionTimeout:
		return Timeout(), nil
	case ActionStatus:
		return a.status()
	case ActionDelay:
		if a.Duration == nil {
			return nil, errors.New("action Delay needs a duration")
		}
		return Delay(a.Duration.Duration), nil
	case ActionDelayBetween:
		if a.Min == nil || a.Max == nil {
			return nil, errors.New("action DelayBetween needs a min and a max")
		}
		return DelayBetween(a.Min.Duration, a.Max.Duration), nil
	case ActionCloseWatchAfter:
		if a.Events == nil {
			return nil, errors.New("action CloseWatchAfter needs events")
		}
		return CloseWatchAfter(*a.Events), nil
	case ActionStallWatch:
		if a.Duration == nil {
			return nil, errors.New("action StallWatch needs a duration")
		}
		return StallWatch(a.Duration.Duration), nil
	case ActionWithholdBookmarks:
		return WithholdBookmarks(), nil
	}
	panic("faults: action type " + a.Type + " is listed but not built") // actionTypes and this switch disagree
}

// fields are the JSON names of a's fields that are set, Type aside.
func (a *ActionSpec) fields() []string {
	var set []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"retryAfterSeconds", a.RetryAfterSeconds != 0}, {"duration", a.Duration != nil},
		{"min", a.Min != nil}, {"max", a.Max != nil}, {"events", a.Events != nil},
		{"code", a.Code != 0}, {"reason", a.Reason != ""}, {"message", a.Message != ""},
	} {
		if f.set {
			set = append(set, f.name)
		}
	}
	return set
}

// status is the Error action of a Status spec.
func (a *ActionSpec) status() (Action, error) {
	if a.Code < 400 || a.Code > 599 {
		return nil, fmt.Errorf("action Status needs an error code (400-599), not %d", a.Code)
	}
	st := metav1.Status{Status: metav1.StatusFailure, Code: a.Code, Reason: a.Reason, Message: a.Message}
	if st.Reason == "" {
		st.Reason = apierrors.NewGenericServerResponse(int(a.Code), "", schema.GroupResource{}, "", "", 0, false).ErrStatus.Reason
	}
	if st.Message == "" {
		st.Message = InjectedMessage
	}
	if a.RetryAfterSeconds > 0 {
		st.Details = &metav1.StatusDetails{RetryAfterSeconds: int32(a.RetryAfterSeconds)}
	}
	return Error(&apierrors.StatusError{ErrStatus: st}), nil
}

// rule is the StorageRule s describes, without Count and Probability.
func (s *StorageSpec) rule() (StorageRule, error) {
	var r StorageRule
	for _, name := range s.Ops {
		i := slices.IndexFunc(storageOps, func(o storageOp) bool { return o.name == name })
		if i < 0 {
			return StorageRule{}, fmt.Errorf("unknown storage op %q, want reads, writes or watches", name)
		}
		r.Ops |= storageOps[i].op
	}
	if s.Error != "" {
		r.Err = errors.New(s.Error)
	}
	return r, nil
}

// Spec describes the fault; for a fault added in Go, Error actions show
// as the Status they send, and storage errors as their message.
func (f *Fault) Spec() Spec {
	if f.isStorage {
		r := f.storageRule
		s := Spec{Count: r.Count, Probability: r.Probability, Storage: &StorageSpec{}}
		for _, o := range storageOps {
			if r.Ops&o.op != 0 {
				s.Storage.Ops = append(s.Storage.Ops, o.name)
			}
		}
		if r.Err != nil {
			s.Storage.Error = r.Err.Error()
		}
		return s
	}
	r := f.rule.clone()
	a := r.Action.spec()
	return Spec{
		Verbs: r.Verbs, Groups: r.Groups, Resources: r.Resources, Namespaces: r.Namespaces,
		Names: r.Names, Users: r.Users, UserGroups: r.UserGroups, Paths: r.Paths,
		Count: r.Count, Probability: r.Probability, Action: &a,
	}
}

// Record is a fault as the admin endpoint shows it.
type Record struct {
	ID    int64 `json:"id"`
	Spec  Spec  `json:"spec"`
	Fired int   `json:"fired"`
	// Left is how many more times the fault would fire: Count less the
	// times it fired, frozen once it is done; absent without a Count.
	Left *int `json:"left,omitempty"`
	// Done: the fault fires no more, spent or removed.
	Done bool `json:"done"`
}

// Record reports the fault.
func (f *Fault) Record() Record {
	rec := Record{ID: f.id, Spec: f.Spec(), Fired: f.Fired()}
	f.inj.mu.Lock()
	defer f.inj.mu.Unlock()
	if f.left >= 0 {
		left := f.left
		rec.Left = &left
	}
	rec.Done = !f.active
	return rec
}
