package rbac

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/klog/v2"
)

// confirmNoEscalation returns an error unless the rules of the request's
// user in the request's namespace cover rules: upstream's
// ConfirmNoEscalation (pkg/registry/rbac/validation). The message lists
// what is missing, compacted, one rule a line, sorted:
//
//	user "alice" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
//	{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}
//
// followed by "; resolution errors: [...]" when some of the user's roles
// could not be resolved.
func confirmNoEscalation(ctx context.Context, r resolver, rules []rbacv1.PolicyRule) error {
	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return errors.New("no user on context")
	}
	namespace, _ := genericapirequest.NamespaceFrom(ctx)
	var resolutionErrors []error
	owned, err := r.rulesFor(ctx, u, namespace)
	if err != nil {
		klog.FromContext(ctx).V(1).Info("Non-fatal error getting local rules", "user", u, "err", err)
		resolutionErrors = append(resolutionErrors, err)
	}
	ok, missing := covers(owned, rules)
	if ok {
		return nil
	}
	descriptions := sets.NewString()
	for _, rule := range compactRules(missing) {
		descriptions.Insert(compactString(rule))
	}
	msg := fmt.Sprintf("user %q (groups=%q) is attempting to grant RBAC permissions not currently held:\n%s",
		u.GetName(), u.GetGroups(), strings.Join(descriptions.List(), "\n"))
	if len(resolutionErrors) > 0 {
		msg += fmt.Sprintf("; resolution errors: %v", resolutionErrors)
	}
	return errors.New(msg)
}

// covers reports whether owner rules cover servant rules, and lists the
// servant rules broken down to one group, resource, verb and name (or URL
// and verb) that no owner rule covers: component-helpers' Covers. Each
// broken-down rule is covered by a single owner rule or not at all.
func covers(owner, servant []rbacv1.PolicyRule) (bool, []rbacv1.PolicyRule) {
	var uncovered []rbacv1.PolicyRule
	for _, s := range servant {
		for _, sub := range breakdownRule(s) {
			if !slices.ContainsFunc(owner, func(o rbacv1.PolicyRule) bool { return ruleCovers(o, sub) }) {
				uncovered = append(uncovered, sub)
			}
		}
	}
	return len(uncovered) == 0, uncovered
}

// breakdownRule splits rule into rules of at most one verb, group,
// resource and resource name, or one verb and non-resource URL.
func breakdownRule(rule rbacv1.PolicyRule) []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	for _, group := range rule.APIGroups {
		for _, resource := range rule.Resources {
			for _, verb := range rule.Verbs {
				if len(rule.ResourceNames) == 0 {
					out = append(out, rbacv1.PolicyRule{APIGroups: []string{group}, Resources: []string{resource}, Verbs: []string{verb}})
					continue
				}
				for _, name := range rule.ResourceNames {
					out = append(out, rbacv1.PolicyRule{APIGroups: []string{group}, Resources: []string{resource}, Verbs: []string{verb}, ResourceNames: []string{name}})
				}
			}
		}
	}
	for _, url := range rule.NonResourceURLs {
		for _, verb := range rule.Verbs {
			out = append(out, rbacv1.PolicyRule{NonResourceURLs: []string{url}, Verbs: []string{verb}})
		}
	}
	return out
}

// ruleCovers reports whether owner covers sub, a broken-down rule. A rule
// restricted to names never covers one that is not.
func ruleCovers(owner, sub rbacv1.PolicyRule) bool {
	verbs := slices.Contains(owner.Verbs, rbacv1.VerbAll) || hasAll(owner.Verbs, sub.Verbs)
	groups := slices.Contains(owner.APIGroups, rbacv1.APIGroupAll) || hasAll(owner.APIGroups, sub.APIGroups)
	resources := resourceCoversAll(owner.Resources, sub.Resources)
	urls := nonResourceURLsCoverAll(owner.NonResourceURLs, sub.NonResourceURLs)
	var names bool
	if len(sub.ResourceNames) == 0 {
		names = len(owner.ResourceNames) == 0
	} else {
		names = len(owner.ResourceNames) == 0 || hasAll(owner.ResourceNames, sub.ResourceNames)
	}
	return verbs && groups && resources && urls && names
}

func hasAll(set, want []string) bool {
	for _, w := range want {
		if !slices.Contains(set, w) {
			return false
		}
	}
	return true
}

// resourceCoversAll: "*", the resource itself, or "*/sub" for "res/sub".
func resourceCoversAll(set, want []string) bool {
	if slices.Contains(set, rbacv1.ResourceAll) || hasAll(set, want) {
		return true
	}
	for _, path := range want {
		if slices.Contains(set, path) {
			continue
		}
		_, sub, ok := strings.Cut(path, "/")
		if !ok || !slices.Contains(set, "*/"+sub) {
			return false
		}
	}
	return true
}

func nonResourceURLsCoverAll(set, want []string) bool {
	for _, path := range want {
		if !slices.ContainsFunc(set, func(owner string) bool { return nonResourceURLCovers(owner, path) }) {
			return false
		}
	}
	return true
}

func nonResourceURLCovers(owner, path string) bool {
	return owner == path || strings.HasSuffix(owner, "*") && strings.HasPrefix(path, strings.TrimRight(owner, "*"))
}

// simpleResource keys the rules compactRules merges.
type simpleResource struct {
	group, resource string
	hasName         bool
	name            string
}

// compactRules merges rules of one group, one resource and at most one
// name that differ only in verbs (the shape breakdownRule leaves), keeping
// other rules as they are: upstream's CompactRules. The merged rules come
// last, in no particular order; callers sort.
func compactRules(rules []rbacv1.PolicyRule) []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, 0, len(rules))
	simple := map[simpleResource]*rbacv1.PolicyRule{}
	var order []simpleResource
	for _, rule := range rules {
		key, ok := isSimpleResourceRule(&rule)
		if !ok {
			out = append(out, rule)
			continue
		}
		if existing, ok := simple[key]; ok {
			if existing.Verbs == nil {
				existing.Verbs = []string{}
			}
			existing.Verbs = append(existing.Verbs, rule.Verbs...)
			continue
		}
		simple[key] = rule.DeepCopy()
		order = append(order, key)
	}
	for _, key := range order {
		out = append(out, *simple[key])
	}
	return out
}

func isSimpleResourceRule(rule *rbacv1.PolicyRule) (simpleResource, bool) {
	if len(rule.ResourceNames) > 1 || len(rule.NonResourceURLs) > 0 || len(rule.APIGroups) != 1 || len(rule.Resources) != 1 {
		return simpleResource{}, false
	}
	only := &rbacv1.PolicyRule{APIGroups: rule.APIGroups, Resources: rule.Resources, Verbs: rule.Verbs, ResourceNames: rule.ResourceNames}
	if !reflect.DeepEqual(only, rule) {
		return simpleResource{}, false
	}
	key := simpleResource{group: rule.APIGroups[0], resource: rule.Resources[0]}
	if len(rule.ResourceNames) == 1 {
		key.hasName, key.name = true, rule.ResourceNames[0]
	}
	return key, true
}

// compactString is a rule in escalation messages:
// {APIGroups:[""], Resources:["pods"], ResourceNames:["web"], Verbs:["get"]},
// empty fields left out.
func compactString(r rbacv1.PolicyRule) string {
	var parts []string
	for _, f := range []struct {
		name   string
		values []string
	}{
		{"APIGroups", r.APIGroups}, {"Resources", r.Resources}, {"NonResourceURLs", r.NonResourceURLs},
		{"ResourceNames", r.ResourceNames}, {"Verbs", r.Verbs},
	} {
		if len(f.values) > 0 {
			parts = append(parts, fmt.Sprintf("%s:%q", f.name, f.values))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
