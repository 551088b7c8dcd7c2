// Package rbac is kube-apiserver v1.37's role-based access control, written
// from upstream's source (k8s.io/kubernetes is not imported):
//
//   - Authorizer: the RBAC authorizer (--authorization-mode=RBAC,
//     plugin/pkg/auth/authorizer/rbac) over informer caches of Roles,
//     ClusterRoles, RoleBindings and ClusterRoleBindings, with upstream's
//     reasons ("RBAC: allowed by ...", "RBAC: clusterrole... not found"),
//     and the RuleResolver behind SelfSubjectRulesReview.
//   - PreventEscalation: the policy-based registries of
//     pkg/registry/rbac/*/policybased: writing a role needs its permissions
//     or the escalate verb, writing a binding needs the role's permissions
//     or the bind verb; system:masters is exempt.
//   - EnsureBootstrapPolicy: the rbac/bootstrap-roles post-start hook:
//     creates or reconciles the default roles and bindings.
//
// Package aggregation runs the clusterrole-aggregation controller.
//
// Beyond upstream: Authorizer.HasBootstrapPolicy, so that a server can
// wait until its authorizer sees the policy EnsureBootstrapPolicy wrote.
//
// Known gaps: the SubjectLocator (who may do X) is not written, nothing in
// kube-apiserver serves it; the Node authorizer is not part of RBAC (it is
// harness/auth/node, which matches system:node's rules with RuleAllows);
// the bootstrap policy is the one of a v1.37.1 server with its default
// feature gates, whatever gates the process enables;
// EnsureBootstrapPolicy makes one pass and returns what failed where
// upstream retries for 30 s; the authorizer's denial log line (V(5)) is
// structured, not upstream's sentence; no authorization metrics.
package rbac

import (
	"context"
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

// Authorizer is kube-apiserver's RBAC authorizer. It allows a request when
// a rule of a role bound to the user allows it, and otherwise has no
// opinion (RBAC never denies): the next authorizer decides, or the request
// is forbidden. It reads roles and bindings from informer caches, so a
// binding applies once the informers have seen it (milliseconds).
type Authorizer struct {
	caches   listerPolicy
	resolver resolver
	synced   []cache.InformerSynced
}

var (
	_ authorizer.Authorizer   = (*Authorizer)(nil)
	_ authorizer.RuleResolver = (*Authorizer)(nil)
)

// NewAuthorizer returns an authorizer reading the RBAC informers of
// factory, which it registers: factory.Start starts them, and the
// authorizer answers from empty caches until HasSynced.
func NewAuthorizer(factory informers.SharedInformerFactory) *Authorizer {
	rbac := factory.Rbac().V1()
	roles, roleBindings := rbac.Roles(), rbac.RoleBindings()
	clusterRoles, clusterRoleBindings := rbac.ClusterRoles(), rbac.ClusterRoleBindings()
	caches := listerPolicy{
		roleLister:               roles.Lister(),
		roleBindingLister:        roleBindings.Lister(),
		clusterRoleLister:        clusterRoles.Lister(),
		clusterRoleBindingLister: clusterRoleBindings.Lister(),
	}
	return &Authorizer{
		caches:   caches,
		resolver: resolver{policy: caches},
		synced: []cache.InformerSynced{
			roles.Informer().HasSynced, roleBindings.Informer().HasSynced,
			clusterRoles.Informer().HasSynced, clusterRoleBindings.Informer().HasSynced,
		},
	}
}

// HasSynced reports whether the four informers have listed their objects
// once; a server is not ready before.
func (a *Authorizer) HasSynced() bool {
	for _, synced := range a.synced {
		if !synced() {
			return false
		}
	}
	return true
}

// Authorize allows the request if a rule bound to its user allows it, with
// the reason `RBAC: allowed by <binding>`; otherwise it has no opinion,
// with the reason `RBAC: <errors>` if roles or bindings could not be
// resolved (e.g. `RBAC: clusterrole.rbac.authorization.k8s.io "x" not
// found`), or "" if none were missing. k8s.io/apiserver's union authorizer
// prefixes a no-opinion reason with the authorizer's name ("rbac: "), and
// the forbidden response appends it to its message.
func (a *Authorizer) Authorize(ctx context.Context, attrs authorizer.Attributes) (authorizer.Decision, string, error) {
	var (
		reason string
		errs   []error
	)
	a.resolver.visitRulesFor(ctx, attrs.GetUser(), attrs.GetNamespace(), func(source fmt.Stringer, rule *rbacv1.PolicyRule, err error) bool {
		if rule != nil && RuleAllows(attrs, rule) {
			reason = "RBAC: allowed by " + source.String()
			return false
		}
		if err != nil {
			errs = append(errs, err)
		}
		return true
	})
	if reason != "" {
		return authorizer.DecisionAllow, reason, nil
	}
	if logger := klog.FromContext(ctx).V(5); logger.Enabled() {
		logger.Info("RBAC: no rules authorize user", "user", attrs.GetUser().GetName(), "groups", attrs.GetUser().GetGroups(), "request", describeRequest(attrs))
	}
	if len(errs) > 0 {
		return authorizer.DecisionNoOpinion, fmt.Sprintf("RBAC: %v", utilerrors.NewAggregate(errs)), nil
	}
	return authorizer.DecisionNoOpinion, "", nil
}

// describeRequest is the request in upstream's denial log line.
func describeRequest(attrs authorizer.Attributes) string {
	var b strings.Builder
	if attrs.IsResourceRequest() {
		fmt.Fprintf(&b, "%q resource %q", attrs.GetVerb(), attrs.GetResource())
		if g := attrs.GetAPIGroup(); g != "" {
			b.WriteString("." + g)
		}
		if s := attrs.GetSubresource(); s != "" {
			b.WriteString("/" + s)
		}
		if n := attrs.GetName(); n != "" {
			fmt.Fprintf(&b, " named %q", n)
		}
	} else {
		fmt.Fprintf(&b, "%q nonResourceURL %q", attrs.GetVerb(), attrs.GetPath())
	}
	if ns := attrs.GetNamespace(); ns != "" {
		fmt.Fprintf(&b, " in namespace %q", ns)
	} else {
		b.WriteString(" cluster-wide")
	}
	return b.String()
}

// ConditionsAwareAuthorize is Authorize: RBAC has no conditions.
func (a *Authorizer) ConditionsAwareAuthorize(ctx context.Context, attrs authorizer.Attributes) authorizer.ConditionsAwareDecision {
	return authorizer.ConditionsAwareDecisionFromParts(a.Authorize(ctx, attrs))
}

// EvaluateConditions is not supported, as upstream.
func (*Authorizer) EvaluateConditions(context.Context, authorizer.ConditionsAwareDecision, authorizer.ConditionsData) (authorizer.Decision, string, error) {
	return authorizer.DecisionDeny, "", authorizer.ErrorConditionEvaluationNotSupported
}

// RulesFor lists the rules of u in namespace for SelfSubjectRulesReview: a
// rule with resources is a resource rule, one with nonResourceURLs a
// non-resource rule (one with both is both). It is never incomplete; the
// error lists the roles and bindings that could not be resolved.
func (a *Authorizer) RulesFor(ctx context.Context, u user.Info, namespace string) ([]authorizer.ResourceRuleInfo, []authorizer.NonResourceRuleInfo, bool, error) {
	var (
		resources    []authorizer.ResourceRuleInfo
		nonResources []authorizer.NonResourceRuleInfo
	)
	rules, err := a.resolver.rulesFor(ctx, u, namespace)
	for _, rule := range rules {
		if len(rule.Resources) > 0 {
			resources = append(resources, &authorizer.DefaultResourceRuleInfo{
				Verbs: rule.Verbs, APIGroups: rule.APIGroups, Resources: rule.Resources, ResourceNames: rule.ResourceNames,
			})
		}
		if len(rule.NonResourceURLs) > 0 {
			nonResources = append(nonResources, &authorizer.DefaultNonResourceRuleInfo{
				Verbs: rule.Verbs, NonResourceURLs: rule.NonResourceURLs,
			})
		}
	}
	return resources, nonResources, false, err
}
