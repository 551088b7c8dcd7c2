package memstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/features"
	"k8s.io/apiserver/pkg/storage"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	utilflowcontrol "k8s.io/apiserver/pkg/util/flowcontrol"
	"k8s.io/klog/v2"
)

const (
	incomingBufSize = 100
	outgoingBufSize = 100
)

// Watch implements storage.Interface with the etcd3 store's semantics:
// resourceVersion "0" (or unset) starts with the current state as ADDED
// events, N resumes after revision N, sendInitialEvents adds the
// k8s.io/initial-events-end bookmark, and a compacted revision ends the
// watch with 410 Gone.
func (s *Storage) Watch(ctx context.Context, key string, opts storage.ListOptions) (watch.Interface, error) {
	preparedKey, err := s.prepareKey(key, opts.Recursive)
	if err != nil {
		return nil, err
	}
	rev, err := s.versioner.ParseResourceVersion(opts.ResourceVersion)
	if err != nil {
		return nil, err
	}
	if opts.Recursive && !strings.HasSuffix(preparedKey, "/") {
		return nil, fmt.Errorf(`recursive key needs to end with "/"`)
	}
	if opts.ProgressNotify && s.newFunc == nil {
		return nil, apierrors.NewInternalError(errors.New("progressNotify for watch is unsupported by the etcd storage because no newFunc was provided"))
	}
	startRev, err := s.startWatchRevision(int64(rev), opts)
	if err != nil {
		return nil, err
	}
	wc := &watchChan{
		storage:           s,
		key:               preparedKey,
		initialRev:        startRev,
		recursive:         opts.Recursive,
		progressNotify:    opts.ProgressNotify,
		recordTimestamps:  opts.RecordTimestamps,
		internalPred:      opts.Predicate,
		incomingEventChan: make(chan *event, incomingBufSize),
		resultChan:        make(chan watch.Event, outgoingBufSize),
	}
	if opts.Predicate.Empty() {
		wc.internalPred = storage.Everything
	}
	wc.ctx, wc.cancel = context.WithCancel(ctx)
	s.watchers.Store(wc, struct{}{})
	go wc.run(initialEventsEndBookmarkRequired(opts), initialEventsRequired(int64(rev), opts))

	// the watch is set up: let API Priority and Fairness release its seat.
	utilflowcontrol.WatchInitialized(ctx)
	return wc, nil
}

// startWatchRevision is the revision after which the watch starts.
func (s *Storage) startWatchRevision(rev int64, opts storage.ListOptions) (int64, error) {
	if rev > 0 {
		return rev, nil
	}
	if !utilfeature.DefaultFeatureGate.Enabled(features.WatchList) {
		return 0, nil
	}
	if opts.SendInitialEvents == nil || *opts.SendInitialEvents {
		// the initial list decides the revision.
		return 0, nil
	}
	// sendInitialEvents=false with rv unset or "0": start now.
	current, err := s.GetCurrentResourceVersion(context.Background())
	if err != nil {
		return 0, err
	}
	return int64(current), nil
}

func initialEventsEndBookmarkRequired(opts storage.ListOptions) bool {
	if !utilfeature.DefaultFeatureGate.Enabled(features.WatchList) {
		return false
	}
	return opts.SendInitialEvents != nil && *opts.SendInitialEvents && opts.Predicate.AllowWatchBookmarks
}

func initialEventsRequired(rev int64, opts storage.ListOptions) bool {
	if opts.SendInitialEvents == nil && rev == 0 {
		return true // legacy case
	}
	if !utilfeature.DefaultFeatureGate.Enabled(features.WatchList) {
		return false
	}
	return opts.SendInitialEvents != nil && *opts.SendInitialEvents
}

// event is a change, initial object or bookmark on its way to the client.
type event struct {
	key                        string
	value                      []byte
	prevValue                  []byte
	rev                        int64
	isDeleted                  bool
	isCreated                  bool
	isProgressNotify           bool
	isInitialEventsEndBookmark bool
	isInitialEvent             bool
	recordTime                 time.Time
}

func progressNotifyEvent(rev int64) *event {
	return &event{rev: rev, isProgressNotify: true, recordTime: time.Now()}
}

// watchChan is one storage watch: a goroutine feeding it from the store (the
// initial list, then a store Watcher) and one turning those events into
// watch.Events for the client.
type watchChan struct {
	storage           *Storage
	key               string
	initialRev        int64
	recursive         bool
	progressNotify    bool
	recordTimestamps  bool
	internalPred      storage.SelectionPredicate
	ctx               context.Context
	cancel            context.CancelFunc
	incomingEventChan chan *event
	resultChan        chan watch.Event
	watcher           atomic.Pointer[Watcher] // the store watcher, once started
}

func (wc *watchChan) Stop()                          { wc.cancel() }
func (wc *watchChan) ResultChan() <-chan watch.Event { return wc.resultChan }

// RequestWatchProgress asks for a progress notification (a bookmark); before
// the watch has reached the store (during the initial events) it does nothing.
func (wc *watchChan) RequestWatchProgress() error {
	if w := wc.watcher.Load(); w != nil {
		w.RequestProgress()
	}
	return nil
}

func (wc *watchChan) run(initialEventsEndBookmarkRequired, forceInitialEvents bool) {
	watchClosedCh := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		wc.startWatching(watchClosedCh, initialEventsEndBookmarkRequired, forceInitialEvents)
	}()
	go func() {
		defer wg.Done()
		wc.processEvents()
	}()
	select {
	case <-watchClosedCh:
	case <-wc.ctx.Done():
	}
	wc.cancel()
	wg.Wait()
	wc.storage.watchers.Delete(wc)
	close(wc.resultChan)
}

// sync queues the current state as initial ADDED events and moves
// initialRev to the revision it was read at.
func (wc *watchChan) sync() error {
	snap, err := wc.storage.store.snapshot(wc.key)
	if err != nil {
		return err
	}
	end := ""
	if wc.recursive {
		end = PrefixEnd(wc.key)
	}
	err = snap.Range(wc.key, end, 0, func(kv *KeyValue) bool {
		wc.queueEvent(&event{key: kv.Key, value: kv.Value, rev: kv.ModRevision, isCreated: true, isInitialEvent: true})
		return wc.ctx.Err() == nil
	})
	if err != nil {
		return err
	}
	wc.initialRev = snap.Rev()
	return nil
}

func (wc *watchChan) startWatching(watchClosedCh chan struct{}, initialEventsEndBookmarkRequired, forceInitialEvents bool) {
	if wc.initialRev > 0 && forceInitialEvents {
		current, err := wc.storage.GetCurrentResourceVersion(wc.ctx)
		if err != nil {
			wc.sendError(err)
			return
		}
		if uint64(wc.initialRev) > current {
			wc.sendError(storage.NewTooLargeResourceVersionError(uint64(wc.initialRev), current, int(wait.Jitter(1*time.Second, 3).Seconds())))
			return
		}
	}
	if forceInitialEvents {
		if err := wc.sync(); err != nil {
			klog.Errorf("failed to sync with latest state: %v", err)
			wc.sendError(err)
			return
		}
	}
	if initialEventsEndBookmarkRequired {
		e := progressNotifyEvent(wc.initialRev)
		e.isInitialEventsEndBookmark = true
		wc.queueEvent(e)
	}
	opts := WatchOptions{Key: wc.key, StartRev: wc.initialRev + 1, ProgressNotify: wc.progressNotify}
	if wc.recursive {
		opts.End = PrefixEnd(wc.key)
	}
	w, err := wc.storage.store.Watch(wc.ctx, opts)
	if err != nil {
		wc.sendError(err)
		return
	}
	wc.watcher.Store(w)
	defer w.Close()
	for resp := range w.Chan() {
		if resp.Err != nil {
			if !errors.Is(resp.Err, ErrCompacted) {
				klog.Errorf("watch chan error: %v", resp.Err)
			}
			wc.sendError(resp.Err)
			return
		}
		if resp.ProgressNotify {
			wc.queueEvent(progressNotifyEvent(resp.Revision))
			continue
		}
		now := time.Now()
		for _, e := range resp.Events {
			ev := &event{
				key:        e.KV.Key,
				value:      e.KV.Value,
				rev:        e.KV.ModRevision,
				isDeleted:  e.Type == EventDelete,
				isCreated:  e.IsCreate(),
				recordTime: now,
			}
			if e.PrevKV != nil {
				ev.prevValue = e.PrevKV.Value
			}
			wc.queueEvent(ev)
		}
	}
	// the store closed the watcher (store closed, or ctx done).
	close(watchClosedCh)
}

// processEvents decodes and filters events in order and sends them to the client.
func (wc *watchChan) processEvents() {
	for {
		select {
		case e := <-wc.incomingEventChan:
			res, err := wc.transform(e)
			if err != nil {
				wc.sendError(err)
				return
			}
			if res == nil {
				continue
			}
			if !wc.sendEvent(res) {
				return
			}
		case <-wc.ctx.Done():
			return
		}
	}
}

func (wc *watchChan) filter(obj runtime.Object) bool {
	if wc.internalPred.Empty() {
		return true
	}
	matched, err := wc.internalPred.Matches(obj)
	return err == nil && matched
}

func (wc *watchChan) acceptAll() bool { return wc.internalPred.Empty() }

// transform turns an event into the watch.Event the client sees, or nil
// when the predicate filters it out. An update that makes an object match
// (or stop matching) is seen as ADDED (or DELETED).
func (wc *watchChan) transform(e *event) (*watch.Event, error) {
	curObj, oldObj, err := wc.prepareObjs(e)
	if err != nil {
		klog.Errorf("failed to prepare current and previous objects: %v", err)
		return nil, err
	}
	var res *watch.Event
	switch {
	case e.isProgressNotify:
		if wc.storage.newFunc == nil {
			// no type to carry the bookmark in; the etcd3 store refuses
			// ProgressNotify watches without newFunc, and a requested progress
			// notification is dropped.
			return nil, nil
		}
		object := wc.storage.newFunc()
		if err := wc.storage.versioner.UpdateObject(object, uint64(e.rev)); err != nil {
			klog.Errorf("failed to propagate object version: %v", err)
			return nil, fmt.Errorf("failed to propagate object resource version: %w", err)
		}
		if e.isInitialEventsEndBookmark {
			if err := storage.AnnotateInitialEventsEndBookmark(object); err != nil {
				return nil, fmt.Errorf("error while accessing object's metadata gr: %v, type: %v, obj: %#v, err: %w", wc.storage.groupResource, wc.storage.objectType, object, err)
			}
		}
		res = &watch.Event{Type: watch.Bookmark, Object: object}
	case e.isDeleted:
		if !wc.filter(oldObj) {
			return nil, nil
		}
		res = &watch.Event{Type: watch.Deleted, Object: oldObj}
	case e.isCreated:
		if !wc.filter(curObj) {
			return nil, nil
		}
		res = &watch.Event{Type: watch.Added, Object: curObj}
	default:
		if wc.acceptAll() {
			res = &watch.Event{Type: watch.Modified, Object: curObj}
			break
		}
		curObjPasses := wc.filter(curObj)
		oldObjPasses := wc.filter(oldObj)
		switch {
		case curObjPasses && oldObjPasses:
			res = &watch.Event{Type: watch.Modified, Object: curObj}
		case curObjPasses && !oldObjPasses:
			res = &watch.Event{Type: watch.Added, Object: curObj}
		case !curObjPasses && oldObjPasses:
			res = &watch.Event{Type: watch.Deleted, Object: oldObj}
		}
	}
	if res != nil && wc.recordTimestamps && !e.isInitialEvent {
		res.Object = &timedWatchEvent{Object: res.Object, recordTime: e.recordTime}
	}
	return res, nil
}

func (wc *watchChan) prepareObjs(e *event) (curObj, oldObj runtime.Object, err error) {
	if e.isProgressNotify {
		return nil, nil, nil
	}
	s := wc.storage
	if !e.isDeleted {
		data, _, err := s.transformFromStorage(wc.ctx, e.value, e.key)
		if err != nil {
			return nil, nil, err
		}
		if curObj, err = s.decodeWatchObj(data, e.rev); err != nil {
			return nil, nil, err
		}
	}
	// the previous object is needed for deletes, and for filtering updates.
	if len(e.prevValue) > 0 && (e.isDeleted || !wc.acceptAll()) {
		data, _, err := s.transformFromStorage(wc.ctx, e.prevValue, e.key)
		if err != nil {
			return nil, nil, transformIfCorruptObjectError(e, err)
		}
		// the prev object gets the delete's revision, like the etcd3 store.
		if oldObj, err = s.decodeWatchObj(data, e.rev); err != nil {
			return nil, nil, transformIfCorruptObjectError(e, err)
		}
	}
	return curObj, oldObj, nil
}

func (s *Storage) decodeWatchObj(data []byte, rev int64) (runtime.Object, error) {
	obj, err := runtime.Decode(s.codec, data)
	if err != nil {
		return nil, err
	}
	if err := s.versioner.UpdateObject(obj, uint64(rev)); err != nil {
		return nil, fmt.Errorf("failure to version api object (%d) %#v: %v", rev, obj, err)
	}
	return obj, nil
}

// corruptObjectDeletedError is a DELETED event whose object cannot be read.
type corruptObjectDeletedError struct{ err error }

func (e *corruptObjectDeletedError) Error() string {
	return fmt.Sprintf("saw a DELETED event, but object data is corrupt - %v", e.err)
}
func (e *corruptObjectDeletedError) Unwrap() error { return e.err }

func transformIfCorruptObjectError(e *event, err error) error {
	var corruptObjErr *corruptObjectError
	if !e.isDeleted || !errors.As(err, &corruptObjErr) {
		return err
	}
	return &corruptObjectDeletedError{err: corruptObjErr}
}

// timedWatchEvent carries the time the store recorded the change.
type timedWatchEvent struct {
	runtime.Object
	recordTime time.Time
}

var _ storage.WatchEventWithRecordTime = &timedWatchEvent{}

func (t *timedWatchEvent) GetObjectMeta() metav1.Object {
	m, _ := meta.Accessor(t.Object)
	return m
}

func (t *timedWatchEvent) DeepCopyObject() runtime.Object {
	return &timedWatchEvent{Object: t.Object.DeepCopyObject(), recordTime: t.recordTime}
}

func (t *timedWatchEvent) RecordTime() time.Time  { return t.recordTime }
func (t *timedWatchEvent) Unwrap() runtime.Object { return t.Object }

// interpretWatchError maps an error to the status the client gets.
func interpretWatchError(err error) error {
	if errors.Is(err, ErrCompacted) {
		return apierrors.NewResourceExpired("The resourceVersion for the provided watch is too old.")
	}
	var corruptObjDeletedErr *corruptObjectDeletedError
	if errors.As(err, &corruptObjDeletedErr) {
		return &apierrors.StatusError{ErrStatus: metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    http.StatusInternalServerError,
			Reason:  metav1.StatusReasonStoreReadError,
			Message: corruptObjDeletedErr.Error(),
		}}
	}
	return err
}

func (wc *watchChan) sendError(err error) {
	defer wc.cancel()
	if errors.Is(err, context.Canceled) {
		return
	}
	err = interpretWatchError(err)
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		status = apierrors.NewInternalError(err)
	}
	st := status.Status()
	select {
	case wc.resultChan <- watch.Event{Type: watch.Error, Object: &st}:
	case <-wc.ctx.Done(): // the client has gone
	}
}

func (wc *watchChan) sendEvent(e *watch.Event) bool {
	select {
	case wc.resultChan <- *e:
		return true
	case <-wc.ctx.Done():
		return false
	}
}

func (wc *watchChan) queueEvent(e *event) {
	select {
	case wc.incomingEventChan <- e:
	case <-wc.ctx.Done():
	}
}
