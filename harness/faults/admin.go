package faults

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/endpoints/handlers/responsewriters"
	"sigs.k8s.io/yaml"
)

// maxSpecBytes bounds the body of a POST to the admin endpoint.
const maxSpecBytes = 1 << 20

// RecordList is the body of the admin endpoint's list and reset.
type RecordList struct {
	Faults []Record `json:"faults"`
}

// Compaction is the body of the admin endpoint's compact.
type Compaction struct {
	// Revision is the revision compacted at (Compact's).
	Revision int64 `json:"revision"`
}

// Handler serves the injector over HTTP under prefix (such as
// "/memkube/v1"), for clients that are not in the test's process:
//
//	GET    prefix/faults      the faults (Faults): RecordList
//	POST   prefix/faults      add a fault (AddSpec) from a Spec in JSON or YAML: 201, its Record
//	DELETE prefix/faults      remove every fault (Reset): the RecordList of those removed
//	GET    prefix/faults/ID   one fault: its Record
//	DELETE prefix/faults/ID   remove it (Remove): its Record
//	POST   prefix/compact     Compact (the body is ignored): Compaction
//
// These are the requests kubectl sends for `create --raw` (a POST of the
// -f file, without a Content-Type, so the body's type is not checked),
// `get --raw` and `delete --raw` (a DELETE, the body ignored). Success
// bodies are JSON; errors are metav1.Status, negotiated as kube-apiserver's
// are, with these codes: 400 for a spec that does not parse or is
// invalid; 404 for an unknown path or fault id; 405 for another method
// (with Allow); 413 for a body over 1 MiB; 409 for a storage fault or a
// compaction without a store (ErrNoStore), because the request can only
// succeed on another server, a memory-backed one: 503 would tell clients
// to retry later (client-go does, on its own, given a Retry-After), and
// a retry never helps; 500 when the compaction fails (an active storage
// write fault fails it).
//
// The handler neither authenticates nor authorizes: mount it behind a
// server's handler chain, as harness.Server does.
func (inj *Injector) Handler(prefix string) http.Handler {
	return &admin{inj: inj, prefix: strings.TrimSuffix(prefix, "/")}
}

type admin struct {
	inj    *Injector
	prefix string
}

func (a *admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, a.prefix)
	switch {
	case !ok:
		a.error(w, r, notFound())
	case rest == "/faults":
		a.faults(w, r)
	case strings.HasPrefix(rest, "/faults/"):
		a.fault(w, r, strings.TrimPrefix(rest, "/faults/"))
	case rest == "/compact":
		a.compact(w, r)
	default:
		a.error(w, r, notFound())
	}
}

// faults serves prefix/faults.
func (a *admin) faults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, records(a.inj.Faults()))
	case http.MethodPost:
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSpecBytes))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				a.error(w, r, apierrors.NewRequestEntityTooLargeError(fmt.Sprintf("limit is %d bytes", maxSpecBytes)))
				return
			}
			a.error(w, r, apierrors.NewBadRequest(fmt.Sprintf("read the fault spec: %v", err)))
			return
		}
		var s Spec
		if err := yaml.UnmarshalStrict(body, &s); err != nil {
			a.error(w, r, apierrors.NewBadRequest(fmt.Sprintf("decode the fault spec: %v", err)))
			return
		}
		f, err := a.inj.AddSpec(s)
		switch {
		case errors.Is(err, ErrNoStore):
			a.error(w, r, noStore())
			return
		case err != nil:
			a.error(w, r, apierrors.NewBadRequest(fmt.Sprintf("invalid fault spec: %v", err)))
			return
		}
		w.Header().Set("Location", fmt.Sprintf("%s/faults/%d", a.prefix, f.ID()))
		writeJSON(w, http.StatusCreated, f.Record())
	case http.MethodDelete:
		writeJSON(w, http.StatusOK, records(a.inj.reset()))
	default:
		a.methodNotAllowed(w, r, "faults", http.MethodGet, http.MethodPost, http.MethodDelete)
	}
}

// fault serves prefix/faults/ID.
func (a *admin) fault(w http.ResponseWriter, r *http.Request, id string) {
	if r.Method != http.MethodGet && r.Method != http.MethodDelete {
		a.methodNotAllowed(w, r, "faults", http.MethodGet, http.MethodDelete)
		return
	}
	var f *Fault
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		for _, g := range a.inj.Faults() {
			if g.id == n {
				f = g
				break
			}
		}
	}
	if f == nil {
		a.error(w, r, apierrors.NewNotFound(schema.GroupResource{Resource: "faults"}, id))
		return
	}
	if r.Method == http.MethodDelete {
		a.inj.Remove(f)
	}
	writeJSON(w, http.StatusOK, f.Record())
}

// compact serves prefix/compact.
func (a *admin) compact(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		a.methodNotAllowed(w, r, "compact", http.MethodPost)
		return
	}
	rev, err := a.inj.Compact()
	switch {
	case errors.Is(err, ErrNoStore):
		a.error(w, r, noStore())
	case err != nil:
		a.error(w, r, apierrors.NewInternalError(err))
	default:
		writeJSON(w, http.StatusOK, Compaction{Revision: rev})
	}
}

func (a *admin) methodNotAllowed(w http.ResponseWriter, r *http.Request, what string, allow ...string) {
	w.Header().Set("Allow", strings.Join(allow, ", "))
	a.error(w, r, apierrors.NewMethodNotSupported(schema.GroupResource{Resource: what}, r.Method))
}

// error answers with err's Status in the content type the client asked
// for, as kube-apiserver's handlers do.
func (a *admin) error(w http.ResponseWriter, r *http.Request, err error) {
	responsewriters.ErrorNegotiated(err, a.inj.codecs, schema.GroupVersion{Version: "v1"}, w, r)
}

// notFound is kube-apiserver's answer to a path it does not serve.
func notFound() error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusNotFound, Reason: metav1.StatusReasonNotFound,
		Message: "the server could not find the requested resource",
	}}
}

func noStore() error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusConflict, Reason: metav1.StatusReasonConflict,
		Message: ErrNoStore.Error(),
	}}
}

func records(faults []*Fault) RecordList {
	l := RecordList{Faults: make([]Record, 0, len(faults))}
	for _, f := range faults {
		l.Faults = append(l.Faults, f.Record())
	}
	return l
}

// writeJSON writes v as indented JSON, for people reading kubectl's output.
func writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic("faults: encode " + err.Error()) // Records always encode
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(append(body, '\n'))
}
