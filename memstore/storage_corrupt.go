package memstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/klog/v2"
)

// Handling of objects that cannot be transformed or decoded, as in the etcd3
// store (corrupt_obj_deleter.go): with AllowUnsafeMalformedObjectDeletion a
// list collects up to maxCorruptObjErrsToAggregate corrupt objects and
// reports them together, and such objects can be deleted unsafely.

// listItemErrors collects item errors of a list. Append reports whether the
// list must stop.
type listItemErrors interface {
	Append(key string, err error) bool
	Aggregate() error
}

func (s *Storage) newListItemErrors() listItemErrors {
	if s.corruptObjects {
		return &corruptObjErrAggregator{maxCount: maxCorruptObjErrsToAggregate}
	}
	return &abortOnFirstError{}
}

// abortOnFirstError stops a list at its first item error.
type abortOnFirstError struct{ err error }

func (a *abortOnFirstError) Append(key string, err error) bool {
	a.err = err
	return true
}

func (a *abortOnFirstError) Aggregate() error { return a.err }

const maxCorruptObjErrsToAggregate = 100

var errTooMany = errors.New("too many errors, the list is truncated")

// corruptObjErrAggregator collects corrupt object errors and stops at any
// other error or at maxCount of them.
type corruptObjErrAggregator struct {
	errs     []error
	abortErr error
	maxCount int
}

func (a *corruptObjErrAggregator) Append(key string, err error) bool {
	if a.abortErr != nil {
		return true
	}
	var corruptObjErr *corruptObjectError
	if errors.As(err, &corruptObjErr) {
		a.errs = append(a.errs, storage.NewCorruptObjError(key, corruptObjErr))
		if len(a.errs) >= a.maxCount {
			a.abortErr = errTooMany
			return true
		}
		return false
	}
	a.abortErr = err
	return true
}

func (a *corruptObjErrAggregator) Aggregate() error {
	switch {
	case len(a.errs) == 0 && a.abortErr != nil:
		return a.abortErr
	case len(a.errs) > 0:
		return &aggregatedStorageError{errs: utilerrors.NewAggregate(a.errs), abortErr: a.abortErr, resourcePrefix: "list"}
	}
	return nil
}

const (
	untransformable int = iota + 1
	undecodable
)

var typeToMessage = map[int]string{
	untransformable: "data from the storage is not transformable",
	undecodable:     "object not decodable",
}

// corruptObjectError is a transform or decode failure of a stored object.
type corruptObjectError struct {
	err      error
	errType  int
	revision int64
}

// NewCorruptObjectError returns err as memstore's corrupt object error (a
// transform failure), the kind list aggregation collects.
func NewCorruptObjectError(err error) error {
	return &corruptObjectError{err: err, errType: untransformable}
}

func (e *corruptObjectError) Unwrap() error { return e.err }
func (e *corruptObjectError) Error() string {
	return fmt.Sprintf("%s revision=%d: %v", typeToMessage[e.errType], e.revision, e.err)
}

// aggregatedStorageError is the corrupt objects a list met.
type aggregatedStorageError struct {
	resourcePrefix string
	errs           utilerrors.Aggregate
	abortErr       error // set when the list was cut short
}

func (e *aggregatedStorageError) Error() string {
	errs := e.errs.Errors()
	var b strings.Builder
	fmt.Fprintf(&b, "unable to transform or decode %d objects: {\n", len(errs))
	for _, err := range errs {
		fmt.Fprintf(&b, "\t%s\n", err.Error())
	}
	b.WriteString("}")
	if e.abortErr != nil {
		fmt.Fprintf(&b, ", aborted: %v", e.abortErr)
	}
	return b.String()
}

// newAPIStatusError is the 500 StoreReadError kube-apiserver returns, with
// one cause per corrupt object.
func (e *aggregatedStorageError) newAPIStatusError(qualifiedResource schema.GroupResource) *apierrors.StatusError {
	errs := e.errs.Errors()
	var causes []metav1.StatusCause
	for _, err := range errs {
		var storageErr *storage.StorageError
		if errors.As(err, &storageErr) {
			causes = append(causes, metav1.StatusCause{
				Type:    metav1.CauseTypeUnexpectedServerResponse,
				Field:   storageErr.Key,
				Message: err.Error(),
			})
		}
	}
	switch {
	case errors.Is(e.abortErr, errTooMany):
		causes = append(causes, metav1.StatusCause{Type: metav1.CauseTypeTooMany, Message: errTooMany.Error()})
	case e.abortErr != nil:
		causes = append(causes, metav1.StatusCause{Type: metav1.CauseTypeUnexpectedServerResponse, Message: e.abortErr.Error()})
	}
	message := fmt.Sprintf("failed to read one or more %s from the storage: %v", qualifiedResource.String(), errs[0])
	if len(errs) > 1 {
		message = fmt.Sprintf("%s (and %d more)", message, len(errs)-1)
	}
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status:  metav1.StatusFailure,
		Code:    http.StatusInternalServerError,
		Reason:  metav1.StatusReasonStoreReadError,
		Details: &metav1.StatusDetails{Group: qualifiedResource.Group, Kind: qualifiedResource.Resource, Name: e.resourcePrefix, Causes: causes},
		Message: message,
	}}
}

// NewStorageWithUnsafeCorruptObjectDeletion wraps a storage so that corrupt
// objects surface as storage.CorruptObjError on Get and as one StoreReadError
// listing them on GetList, as kube-apiserver does with the
// AllowUnsafeMalformedObjectDeletion feature.
func NewStorageWithUnsafeCorruptObjectDeletion(delegate storage.Interface, gr schema.GroupResource) storage.Interface {
	return &corruptObjectDeleter{Interface: delegate, groupResource: gr}
}

type corruptObjectDeleter struct {
	storage.Interface
	groupResource schema.GroupResource
}

func (s *corruptObjectDeleter) Get(ctx context.Context, key string, opts storage.GetOptions, out runtime.Object) error {
	err := s.Interface.Get(ctx, key, opts, out)
	var corruptObjErr *corruptObjectError
	if err != nil && errors.As(err, &corruptObjErr) {
		return storage.NewCorruptObjError(key, corruptObjErr)
	}
	return err
}

func (s *corruptObjectDeleter) GetList(ctx context.Context, key string, opts storage.ListOptions, listObj runtime.Object) error {
	err := s.Interface.GetList(ctx, key, opts, listObj)
	var aggregatedErr *aggregatedStorageError
	if err != nil && errors.As(err, &aggregatedErr) {
		klog.V(5).ErrorS(aggregatedErr, "corrupt objects")
		return aggregatedErr.newAPIStatusError(s.groupResource)
	}
	return err
}
