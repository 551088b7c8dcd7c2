package auditlog

import (
	"bytes"
	"net/url"
	"slices"

	"k8s.io/apimachinery/pkg/runtime"
	auditinternal "k8s.io/apiserver/pkg/apis/audit"
	"k8s.io/apiserver/pkg/audit"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/klog/v2"
)

// Member is an audit backend with a policy of its own.
type Member struct {
	Backend audit.Backend
	Policy  audit.PolicyRuleEvaluator
}

// Join returns one audit backend and one policy that serve every member as
// if it were the server's only one: k8s.io/apiserver's WithAudit takes one
// of each, and builds one event per request.
//
// The joint policy asks, for each request, what the most demanding member
// asks: the highest level, the stages some member wants (a stage is
// omitted only if every member auditing the request omits it), and
// managedFields unless every member that wants bodies omits them. The
// joint backend then hands each member the events its own policy selects,
// as its policy would have had them: a member's policy is evaluated again
// on each event, events of a level None or of a stage it omits are not
// handed to it, and an event above its level, or with managedFields it
// omits, is handed as a copy with the level lowered, the bodies above it
// dropped and managedFields removed.
//
// A member's policy is evaluated on the attributes the event carries —
// user, verb, object reference, URI — which are the attributes WithAudit
// evaluated the joint policy on, but for a create's name, which the event
// takes from the object created: a create's name is set aside (resource
// names in a policy rule never match creates, as in kube-apiserver). The
// event's user is the authenticated one, before impersonation, as the
// policy sees it.
//
// With one member, Join returns it as it is.
func Join(members ...Member) (audit.Backend, audit.PolicyRuleEvaluator) {
	if len(members) == 1 {
		return members[0].Backend, members[0].Policy
	}
	j := &joined{members: members}
	return j, j
}

type joined struct {
	members []Member
}

var (
	_ audit.Backend             = (*joined)(nil)
	_ audit.PolicyRuleEvaluator = (*joined)(nil)
)

// EvaluatePolicyRule is the joint policy (see Join).
func (j *joined) EvaluatePolicyRule(attrs authorizer.Attributes) audit.RequestAuditConfig {
	out := audit.RequestAuditConfig{Level: auditinternal.LevelNone, OmitManagedFields: true}
	var omitted []auditinternal.Stage // by every auditing member so far
	auditing := 0
	for _, m := range j.members {
		c := m.Policy.EvaluatePolicyRule(attrs)
		if c.Level == auditinternal.LevelNone {
			continue
		}
		if out.Level.Less(c.Level) {
			out.Level = c.Level
		}
		if auditing == 0 {
			omitted = slices.Clone(c.OmitStages)
		} else {
			omitted = slices.DeleteFunc(omitted, func(s auditinternal.Stage) bool { return !slices.Contains(c.OmitStages, s) })
		}
		if c.Level.GreaterOrEqual(auditinternal.LevelRequest) && !c.OmitManagedFields {
			out.OmitManagedFields = false
		}
		auditing++
	}
	if auditing == 0 {
		return audit.RequestAuditConfig{Level: auditinternal.LevelNone}
	}
	out.OmitStages = omitted
	return out
}

// ProcessEvents hands each member the events its policy selects, as it
// selects them (see Join). It reports whether every member processed its
// events, as audit.Union does.
func (j *joined) ProcessEvents(events ...*auditinternal.Event) bool {
	ok := true
	for _, m := range j.members {
		var mine []*auditinternal.Event
		for _, ev := range events {
			if e := policed(m.Policy, ev); e != nil {
				mine = append(mine, e)
			}
		}
		if len(mine) > 0 {
			ok = m.Backend.ProcessEvents(mine...) && ok
		}
	}
	return ok
}

// Run runs every member's backend.
func (j *joined) Run(stopCh <-chan struct{}) error {
	for _, m := range j.members {
		if err := m.Backend.Run(stopCh); err != nil {
			return err
		}
	}
	return nil
}

// Shutdown shuts every member's backend down.
func (j *joined) Shutdown() {
	for _, m := range j.members {
		m.Backend.Shutdown()
	}
}

func (j *joined) String() string {
	var b bytes.Buffer
	b.WriteString("join[")
	for i, m := range j.members {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(m.Backend.String())
	}
	b.WriteString("]")
	return b.String()
}

// policed is ev as policy has it: nil if it audits none of ev, ev itself
// if all of it, else a trimmed copy.
func policed(policy audit.PolicyRuleEvaluator, ev *auditinternal.Event) *auditinternal.Event {
	c := policy.EvaluatePolicyRule(attributesOf(ev))
	if c.Level == auditinternal.LevelNone || slices.Contains(c.OmitStages, ev.Stage) {
		return nil
	}
	level := ev.Level
	if c.Level.Less(level) {
		level = c.Level
	}
	request, response := ev.RequestObject, ev.ResponseObject
	if level.Less(auditinternal.LevelRequest) {
		request = nil
	}
	if level.Less(auditinternal.LevelRequestResponse) {
		response = nil
	}
	if c.OmitManagedFields {
		// a patch is logged as sent, managedFields and all, as upstream.
		if ev.Verb != "patch" {
			request = withoutManagedFields(request)
		}
		response = withoutManagedFields(response)
	}
	if level == ev.Level && request == ev.RequestObject && response == ev.ResponseObject {
		return ev
	}
	trimmed := *ev
	trimmed.Level, trimmed.RequestObject, trimmed.ResponseObject = level, request, response
	return &trimmed
}

// withoutManagedFields is obj without managedFields, or obj itself if it
// has none (or is not JSON: it is left as it is, and the failure logged).
func withoutManagedFields(obj *runtime.Unknown) *runtime.Unknown {
	if obj == nil || !bytes.Contains(obj.Raw, []byte(`"managedFields"`)) {
		return obj
	}
	raw, err := dropManagedFields(obj.Raw)
	if err != nil {
		klog.ErrorS(err, "Audit log: managedFields are not omitted from an object")
		return obj
	}
	c := *obj
	c.Raw = raw
	return &c
}

// attributesOf are the request attributes ev was built from (see Join).
func attributesOf(ev *auditinternal.Event) authorizer.Attributes {
	a := authorizer.AttributesRecord{Verb: ev.Verb}
	if u := ev.User; u.Username != "" || len(u.Groups) > 0 || u.UID != "" {
		info := &user.DefaultInfo{Name: u.Username, UID: u.UID, Groups: u.Groups}
		if len(u.Extra) > 0 {
			info.Extra = map[string][]string{}
			for k, v := range u.Extra {
				info.Extra[k] = v
			}
		}
		a.User = info
	}
	if uri, err := url.ParseRequestURI(ev.RequestURI); err == nil {
		a.Path = uri.Path
	}
	if ref := ev.ObjectRef; ref != nil {
		a.ResourceRequest = true
		a.Namespace, a.APIGroup, a.APIVersion = ref.Namespace, ref.APIGroup, ref.APIVersion
		a.Resource, a.Subresource, a.Name = ref.Resource, ref.Subresource, ref.Name
		if ev.Verb == "create" && ref.Subresource == "" {
			a.Name = ""
		}
	}
	return a
}
