package recording

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Match selects requests, as harness/faults' Rule does. Its string
// matchers are path.Match patterns ("*" matches any string without a "/";
// a malformed pattern matches itself only); an empty matcher matches
// anything, a list matches when one of its patterns does, and the matchers
// are AND-ed. The zero Match matches every request.
type Match struct {
	// Verbs are Request.Verb: get, list, watch, create, update, patch,
	// delete, deletecollection; for non-resource requests the lowercase
	// HTTP method.
	Verbs []string
	// Groups are API groups; "" is the core group and non-resource
	// requests.
	Groups []string
	// Resources are resources as RBAC writes them: "pods" is the pods
	// resource only, "pods/status" its status subresource, "pods/*" every
	// pod subresource, "*" every resource and "*/*" every subresource.
	Resources []string
	// Namespaces are namespaces; "" is cluster-scoped requests, requests
	// across all namespaces and non-resource requests.
	Namespaces []string
	// Names are object names; a create's is the created object's, a
	// collection request has none ("").
	Names []string
	// Users are authenticated user names, and UserGroups their groups; a
	// Match with either does not match requests that failed
	// authentication.
	Users      []string
	UserGroups []string
	// UserAgents are prefixes of the User-Agent header: client-go's is
	// "<program>/<version> (<os>/<arch>) kubernetes/<commit>", so the
	// program's name selects its requests.
	UserAgents []string
	// Paths are URL paths ("/version", "/apis/*", "/api/v1/namespaces/*/pods").
	Paths []string
	// Codes are HTTP status codes.
	Codes []int
	// NoSelector matches requests without a label and a field selector
	// only: on lists, watches and deletecollections, every object.
	NoSelector bool
	// Func, if set, must also return true.
	Func func(Request) bool
}

// Matches reports whether m selects r.
func (m Match) Matches(r Request) bool {
	if !matchAny(m.Verbs, r.Verb) || !matchAny(m.Groups, r.APIGroup) ||
		!matchAny(m.Namespaces, r.Namespace) || !matchAny(m.Names, r.Name) {
		return false
	}
	if len(m.Resources) > 0 {
		if r.Resource == "" {
			return false
		}
		resource := r.Resource
		if r.Subresource != "" {
			resource += "/" + r.Subresource
		}
		if !matchAny(m.Resources, resource) {
			return false
		}
	}
	if len(m.Users) > 0 && (r.User == "" || !matchAny(m.Users, r.User)) {
		return false
	}
	if len(m.UserGroups) > 0 && !slices.ContainsFunc(r.Groups, func(g string) bool { return matchAny(m.UserGroups, g) }) {
		return false
	}
	if len(m.UserAgents) > 0 && !slices.ContainsFunc(m.UserAgents, func(p string) bool { return strings.HasPrefix(r.UserAgent, p) }) {
		return false
	}
	if len(m.Paths) > 0 {
		p, _, _ := strings.Cut(r.URI, "?")
		if !matchAny(m.Paths, p) {
			return false
		}
	}
	if len(m.Codes) > 0 && !slices.Contains(m.Codes, r.Code) {
		return false
	}
	if m.NoSelector && (r.LabelSelector != "" || r.FieldSelector != "") {
		return false
	}
	return m.Func == nil || m.Func(r)
}

func matchAny(patterns []string, s string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		ok, err := path.Match(p, s)
		if ok || err != nil && p == s {
			return true
		}
	}
	return false
}

// Updates matches the updates and patches (server-side apply included) of
// one object and of its subresources (status, scale). resource is written
// as kubectl writes it: "deployments.apps", "configmaps" (the core group),
// "widgets.example.com".
func Updates(resource, namespace, name string) Match {
	gr := schema.ParseGroupResource(resource)
	return Match{
		Verbs:      []string{"update", "patch"},
		Groups:     []string{gr.Group},
		Resources:  []string{gr.Resource, gr.Resource + "/*"},
		Namespaces: []string{namespace},
		Names:      []string{name},
	}
}

// ListsWithoutSelector matches the lists and watches of resources that have
// neither a label nor a field selector: every object of the resource in the
// namespace, or in every namespace. Watches count as lists: informers may
// list through a watch (sendInitialEvents), and a watch without a selector
// receives every object's changes.
func ListsWithoutSelector() Match {
	return Match{Verbs: []string{"list", "watch"}, Resources: []string{"*"}, NoSelector: true}
}

// String describes the match for failure messages: "verb=update|patch
// resource=deployments|deployments/* namespace=default name=web".
func (m Match) String() string {
	var parts []string
	add := func(key string, patterns []string) {
		if len(patterns) == 0 {
			return
		}
		quoted := make([]string, len(patterns))
		for i, p := range patterns {
			quoted[i] = p
			if p == "" {
				quoted[i] = `""`
			}
		}
		parts = append(parts, key+"="+strings.Join(quoted, "|"))
	}
	add("verb", m.Verbs)
	add("group", m.Groups)
	add("resource", m.Resources)
	add("namespace", m.Namespaces)
	add("name", m.Names)
	add("user", m.Users)
	add("userGroup", m.UserGroups)
	add("userAgent", m.UserAgents)
	add("path", m.Paths)
	if len(m.Codes) > 0 {
		codes := make([]string, len(m.Codes))
		for i, c := range m.Codes {
			codes[i] = fmt.Sprint(c)
		}
		add("code", codes)
	}
	if m.NoSelector {
		parts = append(parts, "noSelector")
	}
	if m.Func != nil {
		parts = append(parts, "func")
	}
	if len(parts) == 0 {
		return "every request"
	}
	return strings.Join(parts, " ")
}
