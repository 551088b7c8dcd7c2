package faults

import (
	"errors"
	"slices"

	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/endpoints/request"
)

// Rule is an HTTP fault: which requests it matches, how often it fires and
// what it does. The matchers are path.Match patterns ("*" matches any
// string without a "/"); an empty matcher matches anything, and the
// matchers are AND-ed. A request matches a pattern list when it matches
// one of the patterns. The zero Rule, with an Action, matches every
// resource request.
//
// Every matching rule fires, in the order added: delays add up, watch
// actions combine, and the first rule that responds with an error answers
// the request (rules after it are not consulted, and do not count the
// request).
type Rule struct {
	// Verbs are kube-apiserver's verbs (request.RequestInfo.Verb): get,
	// list, watch, create, update, patch (server-side apply included),
	// delete, deletecollection; for Paths, the lower-case HTTP method.
	Verbs []string
	// Groups are API groups; "" is the core group.
	Groups []string
	// Resources are resources as RBAC writes them: "pods" is the pods
	// resource only, "pods/status" its status subresource, "pods/*" every
	// pod subresource, "*" every resource and "*/*" every subresource.
	Resources []string
	// Namespaces are namespaces; "" is cluster-scoped requests (and
	// requests across all namespaces).
	Namespaces []string
	// Names are object names, as in the request's URL (creates and
	// collection requests have none).
	Names []string
	// Users are user names, and UserGroups group names, of the
	// authenticated user; a rule with either does not match requests
	// without a user.
	Users      []string
	UserGroups []string
	// Paths, if set, make the rule match non-resource requests (discovery,
	// /version, /openapi/v2, /healthz, ...) with these URL paths, and only
	// those; without Paths, a rule matches resource requests only.
	Paths []string

	// Count, if positive, is how many times the fault fires; then it is
	// removed. Zero means until removed.
	Count int
	// Probability, if strictly between 0 and 1, is the chance that the
	// fault fires on a request it matches (drawn from the injector's
	// seeded source). 0 and 1 mean always.
	Probability float64

	// Action is what the fault does; it is required. Watch actions
	// (CloseWatchAfter, StallWatch) match watch requests only.
	Action Action
}

func (r *Rule) validate() error {
	if r.Action == nil {
		return errors.New("rule without an Action")
	}
	if err := r.Action.validate(); err != nil {
		return err
	}
	if err := validateCountAndProbability(r.Count, r.Probability); err != nil {
		return err
	}
	for _, m := range []struct {
		field    string
		patterns []string
	}{
		{"Verbs", r.Verbs}, {"Groups", r.Groups}, {"Resources", r.Resources},
		{"Namespaces", r.Namespaces}, {"Names", r.Names}, {"Users", r.Users},
		{"UserGroups", r.UserGroups}, {"Paths", r.Paths},
	} {
		if err := validatePatterns(m.field, m.patterns); err != nil {
			return err
		}
	}
	return nil
}

// clone copies the pattern lists, which the caller may reuse.
func (r Rule) clone() Rule {
	for _, l := range []*[]string{&r.Verbs, &r.Groups, &r.Resources, &r.Namespaces, &r.Names, &r.Users, &r.UserGroups, &r.Paths} {
		*l = slices.Clone(*l)
	}
	return r
}

// matches reports whether a request matches the rule.
func (f *Fault) matches(info *request.RequestInfo, u user.Info, urlPath string) bool {
	r := &f.rule
	if len(r.Paths) > 0 {
		if info.IsResourceRequest || !matchAny(r.Paths, urlPath) {
			return false
		}
	} else {
		if !info.IsResourceRequest || f.watchOnly && info.Verb != "watch" {
			return false
		}
		if !matchAny(r.Groups, info.APIGroup) || !matchAny(r.Namespaces, info.Namespace) || !matchAny(r.Names, info.Name) {
			return false
		}
		if len(r.Resources) > 0 {
			resource := info.Resource
			if info.Subresource != "" {
				resource += "/" + info.Subresource
			}
			if !matchAny(r.Resources, resource) {
				return false
			}
		}
	}
	if !matchAny(r.Verbs, info.Verb) {
		return false
	}
	if len(r.Users) > 0 && (u == nil || !matchAny(r.Users, u.GetName())) {
		return false
	}
	if len(r.UserGroups) > 0 {
		if u == nil || !slices.ContainsFunc(u.GetGroups(), func(g string) bool { return matchAny(r.UserGroups, g) }) {
			return false
		}
	}
	return true
}
