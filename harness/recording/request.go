package recording

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	auditinternal "k8s.io/apiserver/pkg/apis/audit"
)

// Request is one request a server served, as its audit event tells it.
// Requests are values, but their slices (Groups, the bodies) are shared
// between Recorders and calls, and must not be modified.
type Request struct {
	// AuditID is the request's Audit-ID (a response header; clients may
	// set it).
	AuditID string `json:"auditID"`
	// User and Groups are the authenticated user; empty when
	// authentication failed (a 401).
	User   string   `json:"user,omitempty"`
	Groups []string `json:"groups,omitempty"`
	// ImpersonatedUser is the user the request impersonated, if any.
	ImpersonatedUser string `json:"impersonatedUser,omitempty"`
	// UserAgent is the client's User-Agent header.
	UserAgent string `json:"userAgent,omitempty"`
	// Verb is the Kubernetes verb of a resource request (get, list, watch,
	// create, update, patch, delete, deletecollection; server-side apply
	// is patch, ?watch=true is watch), or the lowercase HTTP method of a
	// non-resource request (/version, /apis, /openapi/v3).
	Verb string `json:"verb"`
	// APIGroup ("" for core), APIVersion, Resource, Subresource, Namespace
	// and Name are the request's object, empty for non-resource requests.
	// A create's name is the created object's; a list's or watch's with
	// fieldSelector metadata.name=N is N, as RBAC sees it.
	APIGroup    string `json:"apiGroup,omitempty"`
	APIVersion  string `json:"apiVersion,omitempty"`
	Resource    string `json:"resource,omitempty"`
	Subresource string `json:"subresource,omitempty"`
	Namespace   string `json:"namespace,omitempty"`
	Name        string `json:"name,omitempty"`
	// URI is the request URI: path and query.
	URI string `json:"uri"`
	// LabelSelector and FieldSelector are the URI's labelSelector and
	// fieldSelector parameters, empty when it has none.
	LabelSelector string `json:"labelSelector,omitempty"`
	FieldSelector string `json:"fieldSelector,omitempty"`
	// Code is the HTTP status code of the response.
	Code int `json:"code"`
	// Start is when the server received the request.
	Start time.Time `json:"start"`
	// Latency is from Start to the response's end; for a watch, to the
	// start of its stream. In JSON, nanoseconds.
	Latency time.Duration `json:"latency"`
	// RequestBody and ResponseBody are JSON, with Options.Bodies only: the
	// object a create or update sent (the patch of a patch), and the object
	// or Status the server answered (nothing for a watch).
	RequestBody  json.RawMessage `json:"requestBody,omitempty"`
	ResponseBody json.RawMessage `json:"responseBody,omitempty"`
}

// newRequest reads a request from its audit event.
func newRequest(ev *auditinternal.Event) Request {
	r := Request{
		AuditID:   string(ev.AuditID),
		User:      ev.User.Username,
		Groups:    ev.User.Groups,
		UserAgent: ev.UserAgent,
		Verb:      ev.Verb,
		URI:       ev.RequestURI,
		Start:     ev.RequestReceivedTimestamp.Time,
		Latency:   ev.StageTimestamp.Sub(ev.RequestReceivedTimestamp.Time),
	}
	if ev.ImpersonatedUser != nil {
		r.ImpersonatedUser = ev.ImpersonatedUser.Username
	}
	if o := ev.ObjectRef; o != nil {
		r.APIGroup, r.APIVersion, r.Resource, r.Subresource = o.APIGroup, o.APIVersion, o.Resource, o.Subresource
		r.Namespace, r.Name = o.Namespace, o.Name
	}
	if i := strings.IndexByte(r.URI, '?'); i >= 0 {
		if q, err := url.ParseQuery(r.URI[i+1:]); err == nil {
			r.LabelSelector, r.FieldSelector = q.Get("labelSelector"), q.Get("fieldSelector")
		}
	}
	if ev.ResponseStatus != nil {
		r.Code = int(ev.ResponseStatus.Code)
	}
	r.RequestBody, r.ResponseBody = jsonBody(ev.RequestObject), jsonBody(ev.ResponseObject)
	return r
}

// jsonBody is an audit event's object when it is JSON (k8s.io/apiserver
// encodes them so, patches included).
func jsonBody(u *runtime.Unknown) json.RawMessage {
	if u == nil || u.ContentType != runtime.ContentTypeJSON || !json.Valid(u.Raw) {
		return nil
	}
	return u.Raw
}

// Object is the request's resource with its group as kubectl writes it
// ("deployments.apps", "configmaps") and its subresource after a slash
// ("pods/status"); "" for a non-resource request.
func (r Request) Object() string {
	s := r.Resource
	if r.APIGroup != "" {
		s += "." + r.APIGroup
	}
	if r.Subresource != "" {
		s += "/" + r.Subresource
	}
	return s
}

// String is the request on one line, as failure messages show it:
//
//	15:04:05.000123 alice update deployments.apps default/web 200 1.2ms
//	15:04:05.000456 bob list configmaps default labelSelector=app=web 403 310µs
//	15:04:05.000789 alice get /version 200 95µs
func (r Request) String() string {
	var b strings.Builder
	user := r.User
	if user == "" {
		user = "<unauthenticated>"
	}
	fmt.Fprintf(&b, "%s %s %s", r.Start.Format("15:04:05.000000"), user, r.Verb)
	if r.Resource == "" {
		path, _, _ := strings.Cut(r.URI, "?")
		fmt.Fprintf(&b, " %s", path)
	} else {
		fmt.Fprintf(&b, " %s", r.Object())
		switch {
		case r.Namespace != "" && r.Name != "":
			fmt.Fprintf(&b, " %s/%s", r.Namespace, r.Name)
		case r.Namespace != "":
			fmt.Fprintf(&b, " %s", r.Namespace)
		case r.Name != "":
			fmt.Fprintf(&b, " %s", r.Name)
		}
		if r.LabelSelector != "" {
			fmt.Fprintf(&b, " labelSelector=%s", r.LabelSelector)
		}
		if r.FieldSelector != "" {
			fmt.Fprintf(&b, " fieldSelector=%s", r.FieldSelector)
		}
	}
	fmt.Fprintf(&b, " %d %s", r.Code, r.Latency.Round(time.Microsecond))
	return b.String()
}
