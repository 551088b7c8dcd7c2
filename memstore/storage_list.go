package memstore

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/conversion"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apiserver/pkg/features"
	"k8s.io/apiserver/pkg/storage"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/klog/v2"
)

// Messages of the etcd3 store, which clients match on.
const (
	expired         = "The resourceVersion for the provided list is too old."
	continueExpired = "The provided continue parameter is too old " +
		"to display a consistent list result. You can start a new list without " +
		"the continue parameter."
	inconsistentContinue = "The provided continue parameter is too old " +
		"to display a consistent list result. You can start a new list without " +
		"the continue parameter, or use the continue token in this response to " +
		"retrieve the remainder of the results. Continuing with the provided " +
		"token results in an inconsistent list - objects that were created, " +
		"modified, or deleted between the time the first chunk was returned " +
		"and now may show up in the list."
)

// GetList implements storage.Interface. It reads one immutable snapshot of
// the store, so a list never blocks writers while it decodes, and it stops
// reading as soon as the page is full.
func (s *Storage) GetList(ctx context.Context, key string, opts storage.ListOptions, listObj runtime.Object) error {
	keyPrefix, err := s.prepareKey(key, opts.Recursive)
	if err != nil {
		return err
	}
	listPtr, err := meta.GetItemsPtr(listObj)
	if err != nil {
		return err
	}
	v, err := conversion.EnforcePtr(listPtr)
	if err != nil || v.Kind() != reflect.Slice {
		return fmt.Errorf("need ptr to slice: %v", err)
	}
	limit := opts.Predicate.Limit
	paging := limit > 0
	newItemFunc := getNewItemFunc(listObj, v)

	withRev, continueKey, err := storage.ValidateListOptions(keyPrefix, s.versioner, opts)
	if err != nil {
		return err
	}
	snap, err := s.store.snapshot(keyPrefix)
	if err != nil {
		return err
	}
	if withRev == 0 {
		if err := s.validateMinimumResourceVersion(opts.ResourceVersion, uint64(snap.Rev())); err != nil {
			return err
		}
		withRev = snap.Rev()
	}
	if _, err := checkRev(withRev, snap.Rev(), snap.CompactRev()); err != nil {
		return s.listReadError(err, withRev, snap.Rev(), len(opts.Predicate.Continue) > 0, continueKey, keyPrefix)
	}

	aggregator := s.newListItemErrors()
	var lastKey string
	var hasMore bool
	var count int64
	var itemErr error
	process := func(kv *KeyValue) bool {
		if paging && int64(v.Len()) >= limit {
			hasMore = true
			return false
		}
		lastKey = kv.Key
		itemErr = s.processListItem(ctx, kv, opts.Predicate, newItemFunc, aggregator, v)
		return itemErr == nil
	}
	if opts.Recursive {
		start, end := keyPrefix, PrefixEnd(keyPrefix)
		if continueKey != "" {
			start = continueKey
		}
		if err := snap.Range(start, end, withRev, process); err != nil {
			return err
		}
		if hasMore && opts.Predicate.Empty() {
			// the keys left from the page's start, for remainingItemCount.
			if count, err = snap.Count(start, end, withRev); err != nil {
				return err
			}
		}
	} else {
		kv, err := snap.Get(keyPrefix, withRev)
		if err != nil {
			return err
		}
		if kv != nil {
			process(kv)
		}
	}
	if itemErr != nil {
		return itemErr
	}

	continueValue, remainingItemCount, err := storage.PrepareContinueToken(lastKey, keyPrefix, withRev, count, hasMore, opts)
	if err != nil {
		return err
	}
	if err := aggregator.Aggregate(); err != nil {
		return err
	}
	if v.IsNil() {
		// never return a nil Items slice.
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	}
	if err := s.versioner.UpdateList(listObj, uint64(withRev), continueValue, remainingItemCount); err != nil {
		return err
	}
	if utilfeature.DefaultFeatureGate.Enabled(features.ShardedListAndWatch) {
		opts.Predicate.SetShardInfoOnList(listObj)
	}
	return nil
}

// listReadError translates a snapshot read error into what the etcd3 store
// returns for it.
func (s *Storage) listReadError(err error, withRev, current int64, paging bool, continueKey, keyPrefix string) error {
	switch {
	case errors.Is(err, ErrFutureRev):
		return storage.NewTooLargeResourceVersionError(uint64(withRev), uint64(current), 0)
	case errors.Is(err, ErrCompacted):
		if !paging {
			return apierrors.NewResourceExpired(expired)
		}
		// a continue token with resourceVersion -1 continues the list at the
		// latest revision (rv 0 would be a bad token).
		newToken, encErr := storage.EncodeContinue(continueKey, keyPrefix, -1)
		if encErr != nil {
			utilruntime.HandleError(encErr)
			return apierrors.NewResourceExpired(continueExpired)
		}
		statusError := apierrors.NewResourceExpired(inconsistentContinue)
		statusError.ErrStatus.ListMeta.Continue = newToken
		return statusError
	}
	return err
}

// processListItem decodes kv and appends it to v if it matches pred. A
// transform or decode error goes to the aggregator; the error returned
// aborts the list.
func (s *Storage) processListItem(ctx context.Context, kv *KeyValue, pred storage.SelectionPredicate, newItemFunc func() runtime.Object, aggregator listItemErrors, v reflect.Value) error {
	data, _, err := s.transformFromStorage(ctx, kv.Value, kv.Key)
	if err != nil {
		if aggregator.Append(kv.Key, storage.NewInternalError(fmt.Errorf("unable to transform key %q: %w", kv.Key, err))) {
			return aggregator.Aggregate()
		}
		return nil
	}
	select {
	case <-ctx.Done():
		return storage.NewTimeoutError(kv.Key, "request did not complete within requested timeout")
	default:
	}
	obj, _, err := s.codec.Decode(data, nil, newItemFunc())
	if err != nil {
		if s.corruptErrors {
			err = &corruptObjectError{err: err, errType: undecodable, revision: kv.ModRevision}
		}
		klog.V(4).Infof("Decoding %s %q failed", s.groupResource, kv.Key)
		if aggregator.Append(kv.Key, err) {
			return aggregator.Aggregate()
		}
		return nil
	}
	if err := s.versioner.UpdateObject(obj, uint64(kv.ModRevision)); err != nil {
		klog.Errorf("failed to update object version: %v", err)
	}
	if matched, err := pred.Matches(obj); err == nil && matched {
		v.Set(reflect.Append(v, reflect.ValueOf(obj).Elem()))
	}
	return nil
}
