package memstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/conversion"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/features"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/value"
	"k8s.io/apiserver/pkg/storage/value/encrypt/identity"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/klog/v2"
)

// StorageConfig configures one storage.Interface view of a Store. It mirrors
// the arguments of k8s.io/apiserver's etcd3.New.
type StorageConfig struct {
	Codec runtime.Codec
	// Transformer turns encoded objects into stored bytes and back
	// (encryption at rest); nil stores the encoding as is (kube-apiserver's
	// identity transformer).
	Transformer value.Transformer
	// Prefix is prepended to every key, like etcd's --etcd-prefix ("/registry").
	Prefix string
	// ResourcePrefix is the key prefix of the resource, e.g. "/pods"; every key
	// the view is given must start with it.
	ResourcePrefix string
	GroupResource  schema.GroupResource
	NewFunc        func() runtime.Object
	NewListFunc    func() runtime.Object
	// Versioner defaults to storage.APIObjectVersioner.
	Versioner storage.Versioner
	// CorruptObjectErrors reports transform and decode failures as corrupt
	// object errors, which NewStorageWithUnsafeCorruptObjectDeletion turns
	// into kube-apiserver's StoreReadError; kube-apiserver sets this when the
	// AllowUnsafeMalformedObjectDeletion feature is on.
	CorruptObjectErrors bool
}

// Storage implements k8s.io/apiserver's storage.Interface over a Store, with
// the behaviour of the etcd3 implementation: the same resourceVersion
// semantics, errors and messages, continue tokens and watch events. Many
// views, one per resource and version, share one Store; Close of a view
// never touches the data.
type Storage struct {
	store          *Store
	codec          runtime.Codec
	versioner      storage.Versioner
	transformer    atomic.Pointer[transformerBox]
	pathPrefix     string
	resourcePrefix string
	groupResource  schema.GroupResource
	newFunc        func() runtime.Object
	newListFunc    func() runtime.Object
	objectType     string
	corruptObjects bool // AllowUnsafeMalformedObjectDeletion was on at construction: lists aggregate corrupt objects
	corruptErrors  bool // StorageConfig.CorruptObjectErrors

	sizeEstimation atomic.Bool
	watchers       sync.Map // this view's open watches (*watchChan → struct{})
}

// transformerBox lets the transformer be swapped atomically (tests do).
type transformerBox struct{ value.Transformer }

var _ storage.Interface = (*Storage)(nil)

// NewStorage returns a storage.Interface view of s for one resource. When
// the AllowUnsafeMalformedObjectDeletion feature is enabled, wrap the result
// with NewStorageWithUnsafeCorruptObjectDeletion, as kube-apiserver does.
func NewStorage(s *Store, cfg StorageConfig) (*Storage, error) {
	// for compatibility with the etcd3 store: the same key layout, so data
	// and keys look alike on both backends.
	pathPrefix := path.Join("/", cfg.Prefix)
	if !strings.HasSuffix(pathPrefix, "/") {
		pathPrefix += "/"
	}
	switch {
	case cfg.ResourcePrefix == "":
		return nil, fmt.Errorf("resourcePrefix cannot be empty")
	case cfg.ResourcePrefix == "/":
		return nil, fmt.Errorf("resourcePrefix cannot be /")
	case !strings.HasPrefix(cfg.ResourcePrefix, "/"):
		return nil, fmt.Errorf("resourcePrefix needs to start from /")
	case cfg.Codec == nil:
		return nil, fmt.Errorf("memstore: codec is required")
	}
	st := &Storage{
		store:          s,
		codec:          cfg.Codec,
		versioner:      cfg.Versioner,
		pathPrefix:     pathPrefix,
		resourcePrefix: cfg.ResourcePrefix,
		groupResource:  cfg.GroupResource,
		newFunc:        cfg.NewFunc,
		newListFunc:    cfg.NewListFunc,
		objectType:     "<unknown>",
		corruptObjects: utilfeature.DefaultFeatureGate.Enabled(features.AllowUnsafeMalformedObjectDeletion),
		corruptErrors:  cfg.CorruptObjectErrors,
	}
	if st.versioner == nil {
		st.versioner = storage.APIObjectVersioner{}
	}
	if cfg.NewFunc != nil {
		st.objectType = reflect.TypeOf(cfg.NewFunc()).String()
	}
	declareFeatures()
	t := cfg.Transformer
	if t == nil {
		t = identity.NewEncryptCheckTransformer()
	}
	st.SetTransformer(t)
	return st, nil
}

// Destroy ends the watches opened through this view. It leaves the store and
// its data alone: other views, and a new view of the same resource, still
// see everything (kube-apiserver calls this when it drops a resource's
// storage, e.g. a CRD version).
func (s *Storage) Destroy() {
	s.watchers.Range(func(wc, _ any) bool {
		wc.(*watchChan).Stop()
		return true
	})
}

// Store returns the Store the view reads and writes.
func (s *Storage) Store() *Store { return s.store }

// Transformer returns the current transformer.
func (s *Storage) Transformer() value.Transformer { return s.transformer.Load().Transformer }

// SetTransformer replaces the transformer used from now on.
func (s *Storage) SetTransformer(t value.Transformer) {
	s.transformer.Store(&transformerBox{t})
}

// Versioner implements storage.Interface.
func (s *Storage) Versioner() storage.Versioner { return s.versioner }

// ReadinessCheck implements storage.Interface.
func (s *Storage) ReadinessCheck() error {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	if s.store.closed {
		return ErrClosed
	}
	return nil
}

// CompactRevision implements storage.Interface: the store's compacted revision.
func (s *Storage) CompactRevision() int64 { return s.store.CompactRev() }

// RequestWatchProgress implements storage.Interface: every watch of this
// view gets a progress notification (a bookmark) with the current revision
// once it has caught up. Like an etcd client's progress request, it reaches
// only the watches opened through this view, not those of other resources
// sharing the store.
func (s *Storage) RequestWatchProgress(ctx context.Context) error {
	s.watchers.Range(func(wc, _ any) bool {
		return wc.(*watchChan).RequestWatchProgress() == nil
	})
	return nil
}

// GetCurrentResourceVersion implements storage.Interface.
func (s *Storage) GetCurrentResourceVersion(ctx context.Context) (uint64, error) {
	if err := s.store.readHook(s.resourcePrefix); err != nil {
		return 0, err
	}
	rev := s.store.Rev()
	if rev == 0 {
		return 0, fmt.Errorf("the current resource version must be greater than 0")
	}
	// The watch cache asks for the current revision to serve a consistent
	// read, then waits until its watch has seen it: over etcd, until the
	// next progress notification it requests every 100 ms. memstore sends
	// this view's watches a progress notification now, so the wait is the
	// time to deliver it. Extra progress notifications are always correct.
	_ = s.RequestWatchProgress(ctx)
	return uint64(rev), nil
}

// EnableResourceSizeEstimation implements storage.Interface. memstore has
// every value at hand, so Stats computes sizes exactly instead of estimating;
// the keys function is not needed.
func (s *Storage) EnableResourceSizeEstimation(getKeys storage.KeysFunc) error {
	if getKeys == nil {
		return errors.New("KeysFunc cannot be nil")
	}
	if !s.sizeEstimation.CompareAndSwap(false, true) {
		return errors.New("resourceSizeEstimator already enabled")
	}
	return nil
}

// Stats implements storage.Interface.
func (s *Storage) Stats(ctx context.Context) (storage.Stats, error) {
	prefix, err := s.prepareKey(s.resourcePrefix, true)
	if err != nil {
		return storage.Stats{}, err
	}
	if err := s.store.readHook(prefix); err != nil {
		return storage.Stats{}, err
	}
	var stats storage.Stats
	var size int64
	s.store.mu.RLock()
	rangeIndex(s.store.index, prefix, PrefixEnd(prefix), s.store.rev, func(kv *KeyValue) bool {
		stats.ObjectCount++
		size += int64(len(kv.Value))
		return true
	})
	s.store.mu.RUnlock()
	if s.sizeEstimation.Load() && stats.ObjectCount > 0 {
		stats.EstimatedAverageObjectSizeBytes = size / stats.ObjectCount
	}
	return stats, nil
}

// Keys returns the stored keys of the resource, path prefix included.
func (s *Storage) Keys(ctx context.Context) ([]string, error) {
	prefix, err := s.prepareKey(s.resourcePrefix, true)
	if err != nil {
		return nil, err
	}
	res, err := s.store.Range(RangeOptions{Key: prefix, End: PrefixEnd(prefix)})
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(res.KVs))
	for i, kv := range res.KVs {
		keys[i] = kv.Key
	}
	return keys, nil
}

// Get implements storage.Interface.
func (s *Storage) Get(ctx context.Context, key string, opts storage.GetOptions, out runtime.Object) error {
	preparedKey, err := s.prepareKey(key, false)
	if err != nil {
		return err
	}
	kv, rev, err := s.store.Get(preparedKey, 0)
	if err != nil {
		return err
	}
	if err := s.validateMinimumResourceVersion(opts.ResourceVersion, uint64(rev)); err != nil {
		return err
	}
	if kv == nil {
		if opts.IgnoreNotFound {
			return runtime.SetZeroValue(out)
		}
		return storage.NewKeyNotFoundError(preparedKey, 0)
	}
	data, _, err := s.transformFromStorage(ctx, kv.Value, preparedKey)
	if err != nil {
		return storage.NewInternalError(err)
	}
	return s.decode(data, out, kv.ModRevision)
}

// Create implements storage.Interface.
func (s *Storage) Create(ctx context.Context, key string, obj, out runtime.Object, ttl uint64) error {
	preparedKey, err := s.prepareKey(key, false)
	if err != nil {
		return err
	}
	if version, err := s.versioner.ObjectResourceVersion(obj); err == nil && version != 0 {
		return storage.ErrResourceVersionSetOnCreate
	}
	if err := s.versioner.PrepareObjectForStorage(obj); err != nil {
		return fmt.Errorf("PrepareObjectForStorage failed: %v", err)
	}
	data, err := runtime.Encode(s.codec, obj)
	if err != nil {
		return err
	}
	newData, err := s.Transformer().TransformToStorage(ctx, data, authenticatedDataString(preparedKey))
	if err != nil {
		return storage.NewInternalError(err)
	}
	res, err := s.store.Txn([]Compare{{Key: preparedKey}}, []Op{{Type: OpPut, Key: preparedKey, Value: newData, TTL: ttlDuration(ttl)}})
	if err != nil {
		return err
	}
	if !res.Succeeded {
		return storage.NewKeyExistsError(preparedKey, 0)
	}
	if out != nil {
		return s.decode(data, out, res.Rev)
	}
	return nil
}

// Delete implements storage.Interface.
func (s *Storage) Delete(ctx context.Context, key string, out runtime.Object, preconditions *storage.Preconditions,
	validateDeletion storage.ValidateObjectFunc, cachedExistingObject runtime.Object, opts storage.DeleteOptions) error {
	preparedKey, err := s.prepareKey(key, false)
	if err != nil {
		return err
	}
	v, err := conversion.EnforcePtr(out)
	if err != nil {
		return fmt.Errorf("unable to convert output object to pointer: %v", err)
	}
	expectTransformOrDecodeError := false
	if utilfeature.DefaultFeatureGate.Enabled(features.AllowUnsafeMalformedObjectDeletion) {
		expectTransformOrDecodeError = opts.ExpectTransformOrDecodeError
	}
	return s.conditionalDelete(ctx, preparedKey, out, v, preconditions, validateDeletion, cachedExistingObject, expectTransformOrDecodeError)
}

func (s *Storage) conditionalDelete(ctx context.Context, key string, out runtime.Object, v reflect.Value, preconditions *storage.Preconditions,
	validateDeletion storage.ValidateObjectFunc, cachedExistingObject runtime.Object, expectTransformOrDecodeError bool) error {
	getCurrentState := s.getCurrentState(ctx, key, v, false, expectTransformOrDecodeError)

	if expectTransformOrDecodeError {
		// an unsafe delete must look at the stored, undecodable data, not a cache.
		cachedExistingObject = nil
	}
	origState, origStateIsCurrent, err := s.initialState(cachedExistingObject, getCurrentState)
	if err != nil {
		return err
	}

	for {
		// checks on possibly stale data are retried on current data, unless
		// the data turns out to be current.
		check := preconditions.Check(key, origState.obj)
		if check == nil {
			check = validateDeletion(ctx, origState.obj)
		}
		if check != nil {
			if origStateIsCurrent {
				return check
			}
			cachedRev := origState.rev
			origState, err = getCurrentState()
			if err != nil {
				return err
			}
			origStateIsCurrent = true
			if cachedRev == origState.rev {
				return check
			}
			continue
		}

		rev, current, err := s.swap(ctx, origState.rev, DeleteOp(key), v, false, expectTransformOrDecodeError)
		if err != nil {
			return err
		}
		if current != nil {
			klog.V(4).Infof("deletion of %s failed because of a conflict, going to retry", key)
			origState, origStateIsCurrent = current, true
			continue
		}
		if !expectTransformOrDecodeError {
			return s.decode(origState.data, out, rev)
		}
		return nil
	}
}

// GuaranteedUpdate implements storage.Interface.
func (s *Storage) GuaranteedUpdate(ctx context.Context, key string, destination runtime.Object, ignoreNotFound bool,
	preconditions *storage.Preconditions, tryUpdate storage.UpdateFunc, cachedExistingObject runtime.Object) error {
	preparedKey, err := s.prepareKey(key, false)
	if err != nil {
		return err
	}
	v, err := conversion.EnforcePtr(destination)
	if err != nil {
		return fmt.Errorf("unable to convert output object to pointer: %v", err)
	}
	getCurrentState := s.getCurrentState(ctx, preparedKey, v, ignoreNotFound, false)

	origState, origStateIsCurrent, err := s.initialState(cachedExistingObject, getCurrentState)
	if err != nil {
		return err
	}

	transformContext := authenticatedDataString(preparedKey)
	for {
		if err := preconditions.Check(preparedKey, origState.obj); err != nil {
			if origStateIsCurrent {
				return err
			}
			origState, err = getCurrentState()
			if err != nil {
				return err
			}
			origStateIsCurrent = true
			continue
		}

		ret, ttl, err := s.updateState(origState, tryUpdate)
		if err != nil {
			if origStateIsCurrent {
				return err
			}
			cachedRev := origState.rev
			cachedUpdateErr := err
			origState, err = getCurrentState()
			if err != nil {
				return err
			}
			origStateIsCurrent = true
			if cachedRev == origState.rev {
				return cachedUpdateErr
			}
			continue
		}

		data, err := runtime.Encode(s.codec, ret)
		if err != nil {
			return err
		}
		if !origState.stale && bytes.Equal(data, origState.data) {
			// a no-op update writes nothing; but a cached state must be
			// confirmed against the store first.
			if !origStateIsCurrent {
				origState, err = getCurrentState()
				if err != nil {
					return err
				}
				origStateIsCurrent = true
				if !bytes.Equal(data, origState.data) {
					continue
				}
			}
			if !origState.stale {
				return s.decode(origState.data, destination, origState.rev)
			}
		}

		newData, err := s.Transformer().TransformToStorage(ctx, data, transformContext)
		if err != nil {
			return storage.NewInternalError(err)
		}
		op := Op{Type: OpPut, Key: preparedKey, Value: newData, TTL: ttlDuration(ttl)}
		rev, current, err := s.swap(ctx, origState.rev, op, v, ignoreNotFound, false)
		if err != nil {
			return err
		}
		if current != nil {
			klog.V(4).Infof("GuaranteedUpdate of %s failed because of a conflict, going to retry", preparedKey)
			origState, origStateIsCurrent = current, true
			continue
		}
		return s.decode(data, destination, rev)
	}
}

// initialState is the state an update or delete starts from: the caller's
// cached object if any (possibly stale), else the stored one (current).
func (s *Storage) initialState(cached runtime.Object, getCurrentState func() (*objState, error)) (*objState, bool, error) {
	if cached != nil {
		st, err := s.getStateFromObject(cached)
		return st, false, err
	}
	st, err := getCurrentState()
	return st, true, err
}

// swap applies op if op.Key is still at modRev and returns the new
// revision; on a conflict it returns instead the key's current state to
// retry with.
func (s *Storage) swap(ctx context.Context, modRev int64, op Op, v reflect.Value, ignoreNotFound, expectTransformOrDecodeError bool) (int64, *objState, error) {
	res, err := s.store.Txn([]Compare{{Key: op.Key, ModRevision: modRev}}, []Op{op})
	if err != nil {
		return 0, nil, err
	}
	if res.Succeeded {
		return res.Rev, nil, nil
	}
	current, err := s.getState(ctx, res.Current[0], op.Key, v, ignoreNotFound, expectTransformOrDecodeError)
	return 0, current, err
}

// objState is an object as last read (or as cached by the caller).
type objState struct {
	obj   runtime.Object
	meta  *storage.ResponseMeta
	rev   int64
	data  []byte
	stale bool
}

func (s *Storage) getCurrentState(ctx context.Context, key string, v reflect.Value, ignoreNotFound, expectTransformOrDecodeError bool) func() (*objState, error) {
	return func() (*objState, error) {
		kv, _, err := s.store.Get(key, 0)
		if err != nil {
			return nil, err
		}
		return s.getState(ctx, kv, key, v, ignoreNotFound, expectTransformOrDecodeError)
	}
}

// getState builds the objState of kv. With expectTransformOrDecodeError, a
// transform or decode failure yields a state without obj, and success is an
// InvalidObj error (unsafe deletion of a healthy object is refused).
func (s *Storage) getState(ctx context.Context, kv *KeyValue, key string, v reflect.Value, ignoreNotFound, expectTransformOrDecodeError bool) (*objState, error) {
	state := &objState{meta: &storage.ResponseMeta{}}
	if u, ok := v.Addr().Interface().(runtime.Unstructured); ok {
		state.obj = u.NewEmptyInstance()
	} else {
		state.obj = reflect.New(v.Type()).Interface().(runtime.Object)
	}
	if kv == nil {
		if !ignoreNotFound {
			return nil, storage.NewKeyNotFoundError(key, 0)
		}
		if err := runtime.SetZeroValue(state.obj); err != nil {
			return nil, err
		}
		return state, nil
	}
	state.rev = kv.ModRevision
	state.meta.ResourceVersion = uint64(state.rev)

	data, stale, err := s.transformFromStorage(ctx, kv.Value, key)
	if err != nil {
		if !expectTransformOrDecodeError {
			return nil, storage.NewInternalError(err)
		}
		state.obj = nil
		state.stale = true
		return state, nil
	}
	state.data = data
	state.stale = stale
	if err := s.decode(state.data, state.obj, state.rev); err != nil {
		if !expectTransformOrDecodeError {
			return nil, err
		}
		state.obj = nil
		return state, nil
	}
	if expectTransformOrDecodeError {
		return nil, storage.NewInvalidObjError(key, "unsafe deletion is not allowed because the object is decodable from storage")
	}
	return state, nil
}

func (s *Storage) getStateFromObject(obj runtime.Object) (*objState, error) {
	state := &objState{obj: obj, meta: &storage.ResponseMeta{}}
	rv, err := s.versioner.ObjectResourceVersion(obj)
	if err != nil {
		return nil, fmt.Errorf("couldn't get resource version: %v", err)
	}
	state.rev = int64(rv)
	state.meta.ResourceVersion = uint64(state.rev)
	// the serialized form has no resourceVersion: it is not stored.
	if err := s.versioner.PrepareObjectForStorage(obj); err != nil {
		return nil, fmt.Errorf("PrepareObjectForStorage failed: %v", err)
	}
	state.data, err = runtime.Encode(s.codec, obj)
	if err != nil {
		return nil, err
	}
	if err := s.versioner.UpdateObject(state.obj, uint64(rv)); err != nil {
		klog.Errorf("failed to update object version: %v", err)
	}
	return state, nil
}

func (s *Storage) updateState(st *objState, userUpdate storage.UpdateFunc) (runtime.Object, uint64, error) {
	ret, ttlPtr, err := userUpdate(st.obj, *st.meta)
	if err != nil {
		return nil, 0, err
	}
	if err := s.versioner.PrepareObjectForStorage(ret); err != nil {
		return nil, 0, fmt.Errorf("PrepareObjectForStorage failed: %v", err)
	}
	var ttl uint64
	if ttlPtr != nil {
		ttl = *ttlPtr
	}
	return ret, ttl, nil
}

// transformFromStorage reads stored bytes back through the transformer.
func (s *Storage) transformFromStorage(ctx context.Context, data []byte, key string) ([]byte, bool, error) {
	out, stale, err := s.Transformer().TransformFromStorage(ctx, data, authenticatedDataString(key))
	if err != nil && s.corruptErrors {
		err = &corruptObjectError{err: err, errType: untransformable}
	}
	return out, stale, err
}

// decode decodes data into objPtr and sets its resourceVersion to rev.
func (s *Storage) decode(data []byte, objPtr runtime.Object, rev int64) error {
	if _, err := conversion.EnforcePtr(objPtr); err != nil {
		return fmt.Errorf("unable to convert output object to pointer: %v", err)
	}
	if _, _, err := s.codec.Decode(data, nil, objPtr); err != nil {
		if s.corruptErrors {
			return &corruptObjectError{err: err, errType: undecodable, revision: rev}
		}
		return err
	}
	if err := s.versioner.UpdateObject(objPtr, uint64(rev)); err != nil {
		klog.Errorf("failed to update object version: %v", err)
	}
	return nil
}

// validateMinimumResourceVersion returns a "too large resource version"
// error when minimumResourceVersion is newer than actualRevision.
func (s *Storage) validateMinimumResourceVersion(minimumResourceVersion string, actualRevision uint64) error {
	if minimumResourceVersion == "" {
		return nil
	}
	minimumRV, err := s.versioner.ParseResourceVersion(minimumResourceVersion)
	if err != nil {
		return apierrors.NewBadRequest(fmt.Sprintf("invalid resource version: %v", err))
	}
	if minimumRV > actualRevision {
		return storage.NewTooLargeResourceVersionError(minimumRV, actualRevision, 0)
	}
	return nil
}

// StorageKey returns the store key of an object key: the path prefix
// joined with it, after the checks every operation makes.
func (s *Storage) StorageKey(key string) (string, error) { return s.prepareKey(key, false) }

func (s *Storage) prepareKey(key string, recursive bool) (string, error) {
	key, err := storage.PrepareKey(s.resourcePrefix, key, recursive)
	if err != nil {
		return "", err
	}
	// pathPrefix ends in '/', so skip the key's leading one.
	return s.pathPrefix + strings.TrimPrefix(key, "/"), nil
}

// authenticatedDataString is the transformer context: the key authenticates
// the stored data, as in the etcd3 store.
type authenticatedDataString string

func (d authenticatedDataString) AuthenticatedData() []byte { return []byte(string(d)) }

var _ value.Context = authenticatedDataString("")

// ttlDuration converts a storage TTL in seconds.
func ttlDuration(ttl uint64) time.Duration { return time.Duration(ttl) * time.Second }

// getNewItemFunc returns a constructor for list items; unstructured lists
// keep their apiVersion on the items.
func getNewItemFunc(listObj runtime.Object, v reflect.Value) func() runtime.Object {
	if u, ok := listObj.(*unstructured.UnstructuredList); ok {
		if apiVersion := u.GetAPIVersion(); len(apiVersion) > 0 {
			return func() runtime.Object {
				return &unstructured.Unstructured{Object: map[string]interface{}{"apiVersion": apiVersion}}
			}
		}
	}
	elem := v.Type().Elem()
	return func() runtime.Object { return reflect.New(elem).Interface().(runtime.Object) }
}
